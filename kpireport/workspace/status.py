"""Status: who has submitted, who has not, who must resubmit, from the history."""
from __future__ import annotations

from kpireport.evaluate.results import department_statuses, with_owed_rows
from kpireport.history.duplicates import duplicate_findings
from kpireport.history.in_force import in_force
from kpireport.history.overrides import stale_overrides
from kpireport.history.store import SubmissionRecord
from kpireport.model import Plan
from kpireport.workspace.folder import Folder, load_folder_plan, resolve_period, within_plans
from kpireport.workspace.keys import open_history
from kpireport.workspace.outcomes import StatusOutcome


def submission_status(folder: Folder, period_text: str | None = None) -> StatusOutcome:
    plan = load_folder_plan(folder)
    period = resolve_period(plan, period_text)
    within_plans(plan, period)
    history = open_history(folder.history_file)
    try:
        submissions = history.submissions(period.key)
        current = in_force(history, plan, period)
        statuses = with_owed_rows(department_statuses(plan, submissions, history.filed_for_own_period(submissions)),
                                  plan, period, current)
        attention = (current.attention + duplicate_findings(submissions, lambda name: (folder.inbox / name).exists())
                     + stale_overrides(plan, history, period.key, current))
    finally:
        history.close()
    return StatusOutcome(period, statuses, {d.name: d for d in plan.departments}, attention,
                         unknown_files(plan, submissions, folder))


def unknown_files(plan: Plan, submissions: list[SubmissionRecord], folder: Folder) -> list[SubmissionRecord]:
    """Files sent back that name no department of the plan, each once (its latest record), while it is still in
    the inbox: the office must find out whose it is."""
    latest = {s.file_name: s for s in submissions if not plan.successors(s.department) and not s.accepted}
    return [s for s in latest.values() if (folder.inbox / s.file_name).exists()]
