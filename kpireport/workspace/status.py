"""Status: who has submitted, who has not, who must resubmit, from the history."""
from __future__ import annotations

from kpireport.evaluate.results import department_statuses
from kpireport.history.in_force import in_force
from kpireport.history.store import History
from kpireport.workspace.folder import Folder, load_folder_plan, resolve_period
from kpireport.workspace.outcomes import StatusOutcome


def submission_status(folder: Folder, period_text: str | None = None) -> StatusOutcome:
    plan = load_folder_plan(folder)
    period = resolve_period(plan, period_text)
    history = History(folder.history_file)
    try:
        statuses = department_statuses(plan, history.submissions(period.key))
        attention = in_force(history, plan, period).attention
    finally:
        history.close()
    return StatusOutcome(period, statuses, {d.name: d for d in plan.departments}, attention)
