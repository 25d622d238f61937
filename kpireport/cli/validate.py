"""`kpireport validate`: check the given files (or the inbox), write feedback copies, and produce the
terminal lines and the report object. ``check_files`` is also how merge and run check the inbox."""
from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from kpireport import findings_text
from kpireport.cli.workspace import Workspace, load_workspace_plan, resolve_period
from kpireport.errors import KpireportError
from kpireport.history.store import form_key_in, latest_before_in
from kpireport.intake.reader import IntakeLimits
from kpireport.model import Plan, ValidationResult, Value
from kpireport.periods import ReportPeriod, parse_period
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
    period: ReportPeriod | None
    previous: dict[str, Value]
    limits: IntakeLimits
    key: bytes  # the workspace's form secret
    feedback_folder: Path | None = None
    apart: bool = False  # leave another period's forms alone (an inbox holds several periods' files)

    def __call__(self, path: Path) -> tuple[ValidationResult, Path | None]:
        result = validate_file(self.plan, path, self.period, self.previous, self.limits, self.key)
        if self.apart and of_other_period(result, self.period):
            return result, None  # its feedback copy, made when its own period was collected, stays as it is
        copy = None
        if self.feedback_folder is not None and result.findings:
            copy = write_feedback(path, list(result.findings), self.feedback_folder / path.name)
        return result, copy


def check_files(plan: Plan, period: ReportPeriod, files: list[Path], history_file: Path,
                feedback_folder: Path | None = None,
                progress: Callable[[], None] | None = None,
                apart: bool = False) -> list[tuple[ValidationResult, Path | None]]:
    """Validate ``files`` against the plan and the history's last values before ``period`` (累計 and jump
    checks, exactly as the merge records them), on several processes when there are many. ``apart``: a
    form of another period gets no feedback copy (the caller leaves it out: `of_other_period`)."""
    check = FileCheck(plan, period, previous_values(history_file, period), intake_limits(plan),
                      form_key_in(history_file), feedback_folder, apart)
    return process_map(check, files, min_items=PROCESSES_FROM, progress=progress)


def of_other_period(result: ValidationResult, period: ReportPeriod | None) -> bool:
    """The file is an authentic form of this plan for another period (last year's annual files still in the
    inbox during a monthly collection): not this period's submission, and not a mistake either."""
    return period is not None and result.period not in ("", period.key)


def other_periods_line(results: list[ValidationResult]) -> list[str]:
    """The one line that says which other periods' files were left alone (none: no line)."""
    if not results:
        return []
    counts = Counter(r.period for r in results)
    named = "、".join(f"{parse_period(key).label} {count}件" for key, count in sorted(counts.items()))
    return [f"ほかの報告期間のファイル {len(results)}件はそのままにしました（{named}）。"
            "この期間の検査・集計には入れず、控えも作り直していません。"]


def previous_values(history_file: Path, period: ReportPeriod) -> dict[str, Value]:
    """The last accepted values before ``period`` from the workspace's history (none before the first merge)."""
    return {kpi_id: value for kpi_id, (_, value) in latest_before_in(history_file, period.key).items()}


def run_validation(workspace: Workspace, paths: list[Path], period_text: str | None, *, feedback: bool = True,
                   show_progress: bool = True) -> ValidationOutcome:
    plan = load_workspace_plan(workspace)
    period = resolve_period(plan, period_text)
    targets = paths or [workspace.inbox]
    missing = [p for p in targets if not Path(p).exists()]
    if missing:
        raise KpireportError(f"{'、'.join(str(p) for p in missing)} が見つかりません。ファイルまたはフォルダを確認してください。")
    files, skipped = collect_files(targets)
    # folders (the inbox) may hold other periods' forms, left alone; a file named by hand is checked as asked
    apart = all(Path(p).is_dir() for p in targets)
    folder = workspace.feedback if feedback else None
    if folder is not None:
        remove_stale_temporaries(folder)  # what a killed run left
    if show_progress and len(files) >= PROGRESS_FROM and sys.stderr.isatty():
        with click.progressbar(length=len(files), label="検査中", file=sys.stderr) as bar:
            checked = check_files(plan, period, files, workspace.history_file, folder, lambda: bar.update(1), apart)
    else:
        checked = check_files(plan, period, files, workspace.history_file, folder, apart=apart)
    others = [result for result, _ in checked if apart and of_other_period(result, period)]
    results = [result for result, _ in checked if not (apart and of_other_period(result, period))]
    copies = {result.file: copy for result, copy in checked if copy}
    lines = _lines(period.label, results, skipped, copies)
    lines[-1:-1] = other_periods_line(others)
    checked_report = report(results)
    checked_report["other_periods"] = [{"file": r.file, "period": r.period} for r in others]
    return ValidationOutcome(results, checked_report, lines)


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
