"""`kpireport validate`: check the given files (or the inbox), write feedback copies, and produce the
terminal lines and the report object. ``check_files`` is also how merge and run check the inbox."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import click

from kpireport import findings_text
from kpireport.cli.workspace import Workspace, load_workspace_plan, resolve_period
from kpireport.errors import KpireportError
from kpireport.history.store import form_key_in, latest_before_in
from kpireport.intake.reader import IntakeLimits
from kpireport.model import Plan, ValidationResult, Value
from kpireport.periods import ReportPeriod
from kpireport.runtime.atomic import remove_stale_temporaries
from kpireport.runtime.parallel import process_map
from kpireport.validate.feedback import write_feedback
from kpireport.validate.files import collect_files, intake_limits, report, validate_file

PROGRESS_FROM = 5  # show a progress bar on a terminal from this many files
# Worker processes (spawn) pay off only for a large inbox: each first imports and unpickles the plan, about
# as long as checking 30 files takes (benchmarks/README.md)
PROCESSES_FROM = 100


@dataclass
class ValidationOutcome:
    results: list[ValidationResult]
    report: dict
    lines: list[str]


@dataclass(frozen=True)
class FileCheck:
    """Checks one submitted file and, when it has findings and a feedback folder is given, writes the
    department's marked-up copy there. Picklable: a worker process receives it once."""

    plan: Plan
    period: Optional[ReportPeriod]
    previous: dict[str, Value]
    limits: IntakeLimits
    key: bytes  # the workspace's form secret
    feedback_folder: Optional[Path] = None

    def __call__(self, path: Path) -> tuple[ValidationResult, Optional[Path]]:
        result = validate_file(self.plan, path, self.period, self.previous, self.limits, self.key)
        copy = None
        if self.feedback_folder is not None and result.findings:
            copy = write_feedback(path, list(result.findings), self.feedback_folder / path.name)
        return result, copy


def check_files(plan: Plan, period: ReportPeriod, files: list[Path], history_file: Path,
                feedback_folder: Optional[Path] = None,
                progress: Optional[Callable[[], None]] = None) -> list[tuple[ValidationResult, Optional[Path]]]:
    """Validate ``files`` against the plan and the history's last values before ``period`` (累計 and jump
    checks, exactly as the merge records them), on several processes when there are many."""
    check = FileCheck(plan, period, previous_values(history_file, period), intake_limits(plan),
                      form_key_in(history_file), feedback_folder)
    return process_map(check, files, min_items=PROCESSES_FROM, progress=progress)


def previous_values(history_file: Path, period: ReportPeriod) -> dict[str, Value]:
    """The last accepted values before ``period`` from the workspace's history (none before the first merge)."""
    return {kpi_id: value for kpi_id, (_, value) in latest_before_in(history_file, period.key).items()}


def run_validation(workspace: Workspace, paths: list[Path], period_text: Optional[str], *, feedback: bool = True,
                   show_progress: bool = True) -> ValidationOutcome:
    plan = load_workspace_plan(workspace)
    period = resolve_period(plan, period_text)
    targets = paths or [workspace.inbox]
    missing = [p for p in targets if not Path(p).exists()]
    if missing:
        raise KpireportError(f"{'、'.join(str(p) for p in missing)} が見つかりません。ファイルまたはフォルダを確認してください。")
    files, skipped = collect_files(targets)
    folder = workspace.feedback if feedback else None
    if folder is not None:
        remove_stale_temporaries(folder)  # what a killed run left
    if show_progress and len(files) >= PROGRESS_FROM and sys.stderr.isatty():
        with click.progressbar(length=len(files), label="検査中", file=sys.stderr) as bar:
            checked = check_files(plan, period, files, workspace.history_file, folder, lambda: bar.update(1))
    else:
        checked = check_files(plan, period, files, workspace.history_file, folder)
    results = [result for result, _ in checked]
    copies = {result.file: copy for result, copy in checked if copy}
    return ValidationOutcome(results, report(results), _lines(period.label, results, skipped, copies))


def _lines(period_label: str, results: list[ValidationResult], skipped: list[Path], copies: dict) -> list[str]:
    lines = [f"報告期間: {period_label}"]
    for path in skipped:
        lines.append(f"{path.name}: 読み飛ばしました（Excelの一時ファイルまたは隠しファイル）")
    for result in results:
        who = f"［{result.department}］" if result.department else ""
        lines.append(findings_text.verdict(result.file, list(result.findings)) + who)
        lines += findings_text.table(list(result.findings))
        if copies.get(result.file):
            lines.append(f"  → 問題の箇所に印を付けた控え: {copies[result.file]}")
    errors = sum(r.errors for r in results)
    warnings = sum(r.warnings for r in results)
    ok = sum(r.valid for r in results)
    if not results:
        lines.append("検査するファイルがありません。")
    lines.append(f"合計: {len(results)}ファイル（OK {ok}、要修正 {len(results) - ok}）、エラー {errors}件、警告 {warnings}件")
    return lines
