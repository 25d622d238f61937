"""`kpireport forms`: each department's form for a period, with the last accepted actuals beside each KPI."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kpireport.cli.workspace import Workspace, load_workspace_plan, resolve_period
from kpireport.forms.writer import FormWriter, form_departments, previous_actuals
from kpireport.history.store import form_key_in, latest_before_in
from kpireport.runtime.atomic import remove_stale_temporaries
from kpireport.runtime.parallel import process_map

PROCESSES_FROM = 30  # below this many forms, starting worker processes (spawn) costs more than it saves


def run_forms(workspace: Workspace, period_text: str | None = None,
              departments: Iterable[str] | None = None) -> list[Path]:
    plan = load_workspace_plan(workspace)
    period = resolve_period(plan, period_text)
    names = form_departments(plan, departments)
    previous = previous_actuals(latest_before_in(workspace.history_file, period.key))
    writer = FormWriter(plan, period, workspace.forms_folder(period), form_key_in(workspace.history_file), previous)
    remove_stale_temporaries(workspace.input_templates)  # what a killed run left
    return process_map(writer, names, min_items=PROCESSES_FROM)
