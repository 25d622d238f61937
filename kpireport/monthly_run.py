"""`kpireport run`: the whole monthly job in one command, reading each file once.

validate the inbox → record in the history and evaluate (meanwhile, feedback copies for the files with
findings) → master workbook and council report (meanwhile, the master). When the machine has a second
core, the work marked "meanwhile" is done in another process.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from kpireport.atomic import remove_stale_temporaries
from kpireport.council.document import template_path
from kpireport.council.report import write_report
from kpireport.lock import workspace_lock
from kpireport.long_lived import settle
from kpireport.master import write_master
from kpireport.merge import MergeOutcome, inbox_folder, merge_inbox
from kpireport.merge import outcome_lines as merge_outcome_lines
from kpireport.parallel import in_background, worker_count
from kpireport.report_run import report_file
from kpireport.validation_run import start_feedback_copies
from kpireport.workspace import Workspace, load_workspace_plan, resolve_period


@dataclass
class MonthlyOutcome:
    merge: MergeOutcome
    feedback: dict  # file name -> feedback copy (None when the file could not be opened)
    report: Path


def run_monthly(workspace: Workspace, inbox: Optional[Path] = None, period_text: Optional[str] = None,
                feedback: bool = True, sections: Optional[Iterable[str]] = None,
                lock_wait: float = 10.0) -> MonthlyOutcome:
    plan = load_workspace_plan(workspace)
    period = resolve_period(plan, period_text)
    folder = inbox_folder(workspace, inbox)
    copies: dict = {}

    def after_validation(files, results):
        """The feedback copies are started on the other cores while the history is recorded; this process
        writes what is left of them once the master data is built."""
        if not feedback:
            return None
        written = start_feedback_copies(workspace, files, results)
        return lambda: copies.update(written())

    with workspace_lock(workspace.lock_file, lock_wait):
        remove_stale_temporaries(workspace.output)
        merged = merge_inbox(workspace, plan, period, folder, after_validation)
        settle()  # the master data lives until the end: the report's collections need not scan it
        master = in_background(lambda: write_master(merged.data, merged.master))
        # the master takes the second core: the report draws its charts itself unless there is a third
        report = write_report(merged.data, template_path(workspace.root), report_file(workspace, period), sections,
                              spare_core=worker_count() > 2)
        master()  # wait for the master (its errors surface here)
    return MonthlyOutcome(merged, copies, report)


def outcome_lines(outcome: MonthlyOutcome) -> list[str]:
    lines = merge_outcome_lines(outcome.merge)
    made = [copy for copy in outcome.feedback.values() if copy]
    if made:
        lines.append(f"問題の箇所に印を付けた控え: {len(made)}件（{made[0].parent}）")
    lines.append(f"審議会資料: {outcome.report}")
    return lines
