"""`kpireport run`: the whole monthly job in one command, reading each file once.

check the inbox (with feedback copies) → record in the history and evaluate → the master workbook and
the council report. With a second core, the files are checked, and the two outputs written, in worker
processes (runtime.parallel).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Iterable, Optional

from kpireport.cli.merge import MergeOutcome, inbox_folder, merge_folder, written_or_problem
from kpireport.cli.merge import outcome_lines as merge_outcome_lines
from kpireport.cli.workspace import Workspace, load_workspace_plan, resolve_period
from kpireport.council.document import template_path
from kpireport.council.report import write_report
from kpireport.evaluate.results import PeriodResults
from kpireport.master.writer import write_master
from kpireport.runtime.atomic import remove_stale_temporaries
from kpireport.runtime.lock import workspace_lock
from kpireport.runtime.parallel import process_map


@dataclass
class MonthlyOutcome:
    merge: MergeOutcome
    report: Path


@dataclass(frozen=True)
class MasterOutput:
    path: Path

    def write(self, data: PeriodResults) -> None:
        write_master(data, self.path)


@dataclass(frozen=True)
class ReportOutput:
    template: Path
    path: Path
    sections: Optional[tuple[str, ...]]

    def write(self, data: PeriodResults) -> None:
        write_report(data, self.template, self.path, self.sections)


def run_monthly(workspace: Workspace, inbox: Optional[Path] = None, period_text: Optional[str] = None,
                feedback: bool = True, sections: Optional[Iterable[str]] = None,
                lock_wait: float = 10.0) -> MonthlyOutcome:
    plan = load_workspace_plan(workspace)
    period = resolve_period(plan, period_text)
    folder = inbox_folder(workspace, inbox)
    report = workspace.report_file(period)
    with workspace_lock(workspace.lock_file, lock_wait):
        remove_stale_temporaries(workspace.output)
        merged = merge_folder(workspace, plan, period, folder, workspace.feedback if feedback else None)
        outputs = [MasterOutput(merged.master),
                   ReportOutput(template_path(workspace.root), report, tuple(sections) if sections else None)]
        for problems in process_map(partial(_write, merged.data), outputs):
            merged.problems.update(problems)
    return MonthlyOutcome(merged, report)


def _write(data: PeriodResults, output) -> dict[Path, str]:
    return written_or_problem(lambda: output.write(data))


def outcome_lines(outcome: MonthlyOutcome) -> list[str]:
    lines = merge_outcome_lines(outcome.merge)
    made = list(outcome.merge.feedback.values())
    if made:
        lines.append(f"問題の箇所に印を付けた控え: {len(made)}件（{made[0].parent}）")
    written = outcome.report not in outcome.merge.problems
    lines.append(f"審議会資料: {outcome.report}" if written else "審議会資料: 書き込めませんでした")
    return lines
