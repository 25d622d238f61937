"""`kpireport validate`: validate the given files (or the inbox), write feedback copies, and
produce the terminal lines and the report object."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import click

from kpireport import findings_text
from kpireport.errors import KpireportError
from kpireport.feedback import write_feedback
from kpireport.inbox import collect_files, report, validate_files
from kpireport.model import ValidationResult, Value
from kpireport.parallel import start_map
from kpireport.period import ReportPeriod
from kpireport.store import latest_before_in
from kpireport.workspace import Workspace, load_workspace_plan, resolve_period

PROGRESS_FROM = 5  # show a progress bar on a terminal from this many files


@dataclass
class ValidationOutcome:
    results: list[ValidationResult]
    report: dict
    lines: list[str]


def run_validation(workspace: Workspace, paths: list[Path], period_text: Optional[str], *, feedback: bool = True,
                   show_progress: bool = True) -> ValidationOutcome:
    plan = load_workspace_plan(workspace)
    period = resolve_period(plan, period_text)
    targets = paths or [workspace.inbox]
    missing = [p for p in targets if not Path(p).exists()]
    if missing:
        raise KpireportError(f"{'、'.join(str(p) for p in missing)} が見つかりません。ファイルまたはフォルダを確認してください。")
    files, skipped = collect_files(targets)
    previous = previous_values(workspace.history_file, period)
    if show_progress and len(files) >= PROGRESS_FROM and sys.stderr.isatty():
        with click.progressbar(length=len(files), label="検査中", file=sys.stderr) as bar:
            results = validate_files(plan, files, period, previous, progress=lambda _p: bar.update(1))
    else:
        results = validate_files(plan, files, period, previous)
    copies = write_feedback_copies(workspace, files, results) if feedback else {}
    return ValidationOutcome(results, report(results), _lines(period.label, results, skipped, copies))


def previous_values(history_file: Path, period: ReportPeriod) -> dict[str, Value]:
    """The last accepted values before ``period`` from the workspace's history (none before the first merge):
    validation checks against them (累計 and jumps) exactly as the merge will."""
    return {kpi_id: value for kpi_id, (_, value) in latest_before_in(history_file, period.key).items()}


def write_feedback_copies(workspace: Workspace, files: list[Path], results: list[ValidationResult]) -> dict:
    """A marked-up copy of each file with findings, in output/feedback/: file name -> copy (or None)."""
    return start_feedback_copies(workspace, files, results, min_items=4)()


def start_feedback_copies(workspace: Workspace, files: list[Path], results: list[ValidationResult],
                          min_items: int = 1) -> Callable[[], dict]:
    """Start the feedback copies on the other cores; the returned wait() writes what is left here and gives
    what write_feedback_copies gives. Helpers are forked from ``min_items`` copies on."""
    marked = [(path, result) for path, result in zip(files, results) if result.findings]

    def one(pair: tuple[Path, ValidationResult]):
        path, result = pair
        return write_feedback(path, list(result.findings), workspace.feedback / path.name)

    wait = start_map(one, marked, min_items=min_items)
    return lambda: {result.file: copy for (_, result), copy in zip(marked, wait())}


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
