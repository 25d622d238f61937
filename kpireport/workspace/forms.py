"""Forms: each department's form for a period, with the last accepted actuals beside each KPI."""
from __future__ import annotations

from collections.abc import Iterable

from kpireport.forms.writer import FormWriter, form_departments, previous_actuals
from kpireport.history.in_force import previous_actuals_in
from kpireport.runtime.atomic import remove_stale_temporaries
from kpireport.runtime.lock import workspace_lock
from kpireport.runtime.parallel import process_map
from kpireport.workspace.folder import Folder, load_folder_plan, resolve_period, within_plans
from kpireport.workspace.keys import register_issued, workspace_key
from kpireport.workspace.outcomes import FormsOutcome
from kpireport.workspace.progress import Progress, Silent, per_item

LOCK_WAIT = 10.0  # seconds to wait for a merge in the same workspace (workspace.merging.LOCK_WAIT)
# when KPIREPORT_WORKERS asks for worker processes (spawn), only from this many forms: two workers broke even
# with one process at 60 forms on two shared cores (benchmarks/crossover.py, RESULTS.md)
PROCESSES_FROM = 60


def make_forms(folder: Folder, period_text: str | None = None, departments: Iterable[str] | None = None,
               progress: Progress | None = None) -> FormsOutcome:
    plan = load_folder_plan(folder)
    period = resolve_period(plan, period_text)
    within_plans(plan, period)
    names = form_departments(plan, departments)
    previous = previous_actuals(previous_actuals_in(folder.history_file, plan, period.key))
    target = folder.forms_folder(period)
    key = workspace_key(folder.history_file)
    writer = FormWriter(plan, period, target, key, previous)
    shown = progress or Silent()
    with workspace_lock(folder.lock_file, LOCK_WAIT):
        remove_stale_temporaries(folder.input_templates, older_than_seconds=0)  # what a killed run left
        shown.step("様式", len(names))
        written = process_map(writer, names, min_items=PROCESSES_FROM, progress=per_item(shown, names))
        register_issued(folder.history_file, plan, period, names, writer.generated_at, key)
    return FormsOutcome(period, target, written)
