"""`kpireport report`: the council report of a period, from the workspace's plan and history."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional

from kpireport import master_data
from kpireport.council.document import template_path
from kpireport.council.report import write_report
from kpireport.long_lived import settle
from kpireport.store import History, now
from kpireport.workspace import Workspace, load_workspace_plan, resolve_period


def report_file(workspace: Workspace, period) -> Path:
    return workspace.output / f"report_{period.file_label}.docx"


def run_report(workspace: Workspace, period_text: Optional[str] = None,
               sections: Optional[Iterable[str]] = None) -> Path:
    plan = load_workspace_plan(workspace)
    period = resolve_period(plan, period_text)
    history = History(workspace.history_file)
    try:
        data = master_data.build(plan, period, history, now())
    finally:
        history.close()
    settle()  # the master data lives until the end: the report's collections need not scan it
    return write_report(data, template_path(workspace.root), report_file(workspace, period), sections)
