"""`kpireport report`: the council report of a period, from the workspace's plan and history."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional

from kpireport.cli.workspace import Workspace, load_workspace_plan, resolve_period
from kpireport.council.document import template_path
from kpireport.council.report import write_report
from kpireport.evaluate import results as period_results
from kpireport.history.store import History, now


def run_report(workspace: Workspace, period_text: Optional[str] = None,
               sections: Optional[Iterable[str]] = None) -> Path:
    plan = load_workspace_plan(workspace)
    period = resolve_period(plan, period_text)
    history = History(workspace.history_file)
    try:
        data = period_results.build(plan, period, history, now())
    finally:
        history.close()
    return write_report(data, template_path(workspace.root), workspace.report_file(period), sections)
