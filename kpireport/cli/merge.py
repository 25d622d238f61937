"""`kpireport merge`: check the inbox, record accepted and rejected submissions in the history, evaluate
every KPI, and write the master workbook. The planning office's monthly job."""
from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kpireport.cli.validate import check_files, of_other_period, other_periods_line
from kpireport.cli.workspace import Workspace, load_workspace_plan, resolve_period
from kpireport.errors import KpireportError
from kpireport.evaluate import results as period_results
from kpireport.evaluate.results import PeriodResults
from kpireport.evaluate.tally import grade_tally
from kpireport.history.merge import ACCEPTED, SENT_BACK, UNCHANGED, master_written, record_merge
from kpireport.history.store import History, now
from kpireport.master.writer import write_master
from kpireport.model import Finding, Plan, ValidationResult
from kpireport.periods import ReportPeriod
from kpireport.runtime.atomic import FileInUse, remove_stale_temporaries
from kpireport.runtime.lock import workspace_lock
from kpireport.validate.files import collect_files


@dataclass
class MergeOutcome:
    period: ReportPeriod
    recorded: list[tuple[ValidationResult, str]]  # (result, 受理 / 差し戻し / 変更なし)
    data: PeriodResults
    master: Path
    archived: Path | None
    skipped: list[Path]
    merge_id: int
    feedback: dict[str, Path] = field(default_factory=dict)  # file name -> marked-up copy
    problems: dict[Path, str] = field(default_factory=dict)  # outputs that could not be written: why, in Japanese
    notes: list[str] = field(default_factory=list)  # texts the master had to shorten
    other_periods: list[ValidationResult] = field(default_factory=list)  # forms of other periods, left alone


def run_merge(workspace: Workspace, inbox: Path | None = None, period_text: str | None = None,
              lock_wait: float = 10.0) -> MergeOutcome:
    """Merge the inbox for a period. Another merge running in the workspace: wait ``lock_wait`` s, then refuse."""
    plan = load_workspace_plan(workspace)
    period = resolve_period(plan, period_text)
    folder = inbox_folder(workspace, inbox)
    with workspace_lock(workspace.lock_file, lock_wait):
        remove_stale_temporaries(workspace.output)
        merged = merge_folder(workspace, plan, period, folder)
        write_master_of(merged, workspace)
    return merged


def inbox_folder(workspace: Workspace, inbox: Path | None) -> Path:
    folder = Path(inbox) if inbox else workspace.inbox
    if not folder.is_dir():
        raise KpireportError(f"受信フォルダ {folder} がありません。フォルダを確認してください。")
    return folder


def merge_folder(workspace: Workspace, plan: Plan, period: ReportPeriod, folder: Path,
                 feedback_folder: Path | None = None) -> MergeOutcome:
    """Check the folder's files, record them in the history in one transaction, and evaluate the period.
    The caller holds the workspace lock and writes the outputs; the previous master is archived."""
    files, skipped = collect_files([folder])
    checked = check_files(plan, period, files, workspace.history_file, feedback_folder, apart=True)
    # another period's forms are neither recorded nor marked: they belong to that period's collection
    others = [result for result, _ in checked if of_other_period(result, period)]
    ours = [(path, pair) for path, pair in zip(files, checked) if not of_other_period(pair[0], period)]
    checked = [pair for _, pair in ours]
    # a department's latest file wins: record in the order the files were saved
    in_order = [result for _, (result, _) in sorted(ours, key=lambda item: item[0].stat().st_mtime)]
    received = now()
    history = History(workspace.history_file)
    try:
        record = record_merge(history, plan, period, in_order, received)
        data = period_results.build(plan, period, history, received, record.current)
    finally:
        history.close()
    data.changes = record.changes
    data.first_merge = record.first_merge
    data.findings = [f for result, _ in checked for f in result.findings]
    master = workspace.master_file(period)
    copies = {result.file: copy for result, copy in checked if copy}
    return MergeOutcome(period, record.recorded, data, master, _archive(master, workspace.archive), skipped,
                        record.merge_id, copies, other_periods=others)


def write_master_of(merged: MergeOutcome, workspace: Workspace) -> None:
    """The master of a merge. A master held open in Excel is a problem to report (the old one stays); once
    written, the history notes it, so a merge stopped before this point shows its changes again next time."""
    try:
        merged.notes += write_master(merged.data, merged.master)
    except FileInUse as exc:
        merged.problems[exc.path] = str(exc)
        return
    master_written(workspace.history_file, merged.merge_id)


def written_or_problem(write: Callable[[], object]) -> dict[Path, str]:
    """Run one output's writer; a file open in Excel or Word is a problem to report (the old file stays
    as it was), not a failure of the merge: what was accepted is already in the history."""
    try:
        write()
    except FileInUse as exc:
        return {exc.path: str(exc)}
    return {}


def attention_lines(attention: list[Finding]) -> list[str]:
    """Shared KPIs and initiatives the planning office must look at (also on the master's 要確認 sheet)."""
    if not attention:
        return []
    return [f"要確認（共同で担当する指標・取組）: {len(attention)}件"] + [f"  {f.message}" for f in attention]


ERRORS_SHOWN = 5  # a rejected file's errors printed; the rest are counted, with where to read them


def error_lines(findings: Iterable[Finding], rest_in: str) -> list[str]:
    """Why a file was sent back: its errors with their places, the first few, then how many more and where
    all of them are (``rest_in``)."""
    errors = [f for f in findings if f.severity == "error"]
    lines = [f"  {f.sheet}!{f.cell} {f.message}" if f.sheet and f.cell else f"  {f.message}"
             for f in errors[:ERRORS_SHOWN]]
    if len(errors) > ERRORS_SHOWN:
        lines.append(f"  ほか {len(errors) - ERRORS_SHOWN}件（すべての指摘は{rest_in}にあります）")
    return lines


def _archive(master: Path, archive: Path) -> Path | None:
    """Keep the previous master under output/archive/ before it is replaced."""
    if not master.exists():
        return None
    stamp = dt.datetime.fromtimestamp(master.stat().st_mtime).strftime("%Y%m%d_%H%M%S")
    target = archive / f"{master.stem}_{stamp}{master.suffix}"
    archive.mkdir(parents=True, exist_ok=True)
    shutil.copy2(master, target)
    return target


def outcome_lines(outcome: MergeOutcome) -> list[str]:
    data = outcome.data
    lines = [f"報告期間: {outcome.period.label}"]
    for path in outcome.skipped:
        lines.append(f"{path.name}: 読み飛ばしました（Excelの一時ファイルまたは隠しファイル）")
    for result, state in outcome.recorded:
        who = f"［{result.department}］" if result.department else ""
        lines.append(f"{result.file}: {state}（エラー {result.errors}件、警告 {result.warnings}件）{who}")
        if state == SENT_BACK:
            copy = outcome.feedback.get(result.file)
            lines += error_lines(result.findings, f"印を付けた控え（{copy}）" if copy else "台帳の「検証結果」シート")
    lines += other_periods_line(outcome.other_periods)
    counts = {state: sum(1 for _, s in outcome.recorded if s == state) for state in (ACCEPTED, SENT_BACK, UNCHANGED)}
    lines.append(f"受理 {counts[ACCEPTED]}件、差し戻し {counts[SENT_BACK]}件、変更なし {counts[UNCHANGED]}件")
    missing = [s.department for s in data.statuses if s.state == "未提出"]
    resubmit = [s.department for s in data.statuses if s.rejected is not None]
    if missing:
        lines.append(f"未提出: {'、'.join(missing)}")
    if resubmit:
        lines.append(f"要再提出: {'、'.join(resubmit)}（`kpireport status` で理由と連絡先を表示）")
    lines.append("評価: " + grade_tally(data))
    lines += attention_lines(data.attention)
    if not data.first_merge:
        lines.append(f"前回からの変更: {len(data.changes)}件")
    lines += outcome.notes
    if outcome.master in outcome.problems:
        lines.append("台帳: 書き込めませんでした（受理した提出は履歴に記録済みです）")
    else:
        lines.append(f"台帳: {outcome.master}")
    if outcome.archived:
        lines.append(f"前回の台帳: {outcome.archived}")
    return lines
