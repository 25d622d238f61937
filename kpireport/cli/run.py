"""`kpireport run`: the whole monthly job in one command, reading each file once.

check the inbox (with feedback copies) → record in the history and evaluate → the master workbook and
the council report (and its PDF when LibreOffice is installed). The master and the report are written one after the other in this process: a worker
process started with spawn (as on Windows) would first import and unpickle as much as it saves
(benchmarks/README.md).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kpireport.cli.merge import MergeOutcome, inbox_folder, merge_folder, write_master_of, written_or_problem
from kpireport.cli.merge import outcome_lines as merge_outcome_lines
from kpireport.cli.report import PdfOutcome, write_pdf
from kpireport.cli.workspace import Workspace, load_workspace_plan, resolve_period
from kpireport.council.document import template_path
from kpireport.council.report import write_report
from kpireport.runtime.atomic import remove_stale_temporaries
from kpireport.runtime.lock import workspace_lock


@dataclass
class MonthlyOutcome:
    merge: MergeOutcome
    report: Path
    pdf: PdfOutcome | None = None  # None when the report could not be written


def run_monthly(workspace: Workspace, inbox: Path | None = None, period_text: str | None = None,
                feedback: bool = True, sections: Iterable[str] | None = None,
                lock_wait: float = 10.0) -> MonthlyOutcome:
    plan = load_workspace_plan(workspace)
    period = resolve_period(plan, period_text)
    folder = inbox_folder(workspace, inbox)
    report = workspace.report_file(period)
    with workspace_lock(workspace.lock_file, lock_wait):
        remove_stale_temporaries(workspace.output)
        merged = merge_folder(workspace, plan, period, folder, workspace.feedback if feedback else None)
        write_master_of(merged, workspace)
        merged.problems.update(written_or_problem(
            lambda: write_report(merged.data, template_path(workspace.root), report, sections)))
        pdf = write_pdf(report) if report not in merged.problems else None
    if pdf is not None and pdf.failed:
        merged.problems[report.with_suffix(".pdf")] = pdf.line
    return MonthlyOutcome(merged, report, pdf)


def outcome_lines(outcome: MonthlyOutcome) -> list[str]:
    lines = merge_outcome_lines(outcome.merge)
    made = list(outcome.merge.feedback.values())
    if made:
        lines.append(f"問題の箇所に印を付けた控え: {len(made)}件（{made[0].parent}）")
    written = outcome.report not in outcome.merge.problems
    lines.append(f"審議会資料: {outcome.report}" if written else "審議会資料: 書き込めませんでした")
    if outcome.pdf is not None and not outcome.pdf.failed:  # a failure is among the problems, printed as an error
        lines.append(outcome.pdf.line)
    return lines
