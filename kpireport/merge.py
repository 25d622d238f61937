"""`kpireport merge`: validate the inbox, record accepted and rejected submissions in the history,
evaluate every KPI, and write the master workbook. The planning office's monthly job."""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from kpireport import master_data
from kpireport.atomic import remove_stale_temporaries
from kpireport.errors import KpireportError
from kpireport.inbox import collect_files, validate_files
from kpireport.lock import workspace_lock
from kpireport.long_lived import settle
from kpireport.master import write_master
from kpireport.master_data import MasterData
from kpireport.model import Plan, ValidationResult
from kpireport.period import ReportPeriod
from kpireport.store import History, now
from kpireport.workspace import Workspace, load_workspace_plan, resolve_period


@dataclass
class MergeOutcome:
    period: ReportPeriod
    recorded: list[tuple[ValidationResult, str]]  # (result, 受理 / 差し戻し / 変更なし)
    data: MasterData
    master: Path
    archived: Optional[Path]
    skipped: list[Path]


def run_merge(workspace: Workspace, inbox: Optional[Path] = None, period_text: Optional[str] = None,
              lock_wait: float = 10.0) -> MergeOutcome:
    """Merge the inbox for a period. Another merge running in the workspace: wait ``lock_wait`` s, then refuse."""
    plan = load_workspace_plan(workspace)
    period = resolve_period(plan, period_text)
    folder = inbox_folder(workspace, inbox)
    with workspace_lock(workspace.lock_file, lock_wait):
        remove_stale_temporaries(workspace.output)
        merged = merge_inbox(workspace, plan, period, folder)
        settle()  # the master data lives until the end
        write_master(merged.data, merged.master)
    return merged


def inbox_folder(workspace: Workspace, inbox: Optional[Path]) -> Path:
    folder = Path(inbox) if inbox else workspace.inbox
    if not folder.is_dir():
        raise KpireportError(f"受信フォルダ {folder} がありません。フォルダを確認してください。")
    return folder


def merge_inbox(workspace: Workspace, plan: Plan, period: ReportPeriod, folder: Path,
                after_validation: Optional[Callable[[list[Path], list[ValidationResult]], Optional[Callable]]] = None
                ) -> MergeOutcome:
    """Validate the folder's files and record them in the history in one transaction; the master data
    for the caller to write (the caller holds the workspace lock). The previous master is archived.
    ``after_validation(files, results)`` runs before anything is recorded (the monthly run starts the
    feedback copies there); the wait() it may return is called before the transaction commits, so work
    it started that fails leaves the history as it was."""
    history = History(workspace.history_file)
    try:
        files, skipped = collect_files([folder])
        results = validate_files(plan, files, period, history.latest_before(period.key))
        started = after_validation(files, results) if after_validation is not None else None
        received = now()
        with history.transaction():
            merge_id = history.start_merge(period.key, plan.content_hash)
            recorded = []
            # the latest file of a department wins: record in order of modification time
            for path, result in sorted(zip(files, results), key=lambda pair: pair[0].stat().st_mtime):
                key = result.period or period.key
                if history.known(result.sha256, result.department, key):
                    recorded.append((result, "変更なし"))
                    continue
                history.record(merge_id, result, received)
                recorded.append((result, "受理" if result.valid else "差し戻し"))
            data = master_data.build(plan, period, history, received)
            snapshot = data.snapshot()
            before = history.previous_snapshot(period.key, merge_id)
            data.first_merge = before is None
            data.changes = master_data.changes(plan, before, snapshot)
            data.findings = [f for r in results for f in r.findings]
            history.finish_merge(merge_id, snapshot)
            if started is not None:
                started()
    finally:
        history.close()
    master = workspace.master_file(period)
    archived = _archive(master, workspace.archive)
    return MergeOutcome(period, recorded, data, master, archived, skipped)


def _archive(master: Path, archive: Path) -> Optional[Path]:
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
        if state == "差し戻し":
            first = next((f for f in result.findings if f.severity == "error"), None)
            if first:
                place = f"{first.sheet}!{first.cell} " if first.sheet and first.cell else ""
                lines.append(f"  {place}{first.message}")
    counts = {state: sum(1 for _, s in outcome.recorded if s == state) for state in ("受理", "差し戻し", "変更なし")}
    lines.append(f"受理 {counts['受理']}件、差し戻し {counts['差し戻し']}件、変更なし {counts['変更なし']}件")
    missing = [s.department for s in data.statuses if s.state == "未提出"]
    resubmit = [s.department for s in data.statuses if s.rejected is not None]
    if missing:
        lines.append(f"未提出: {'、'.join(missing)}")
    if resubmit:
        lines.append(f"要再提出: {'、'.join(resubmit)}（`kpireport status` で理由と連絡先を表示）")
    lines.append("評価: " + master_data.grade_tally(data))
    if not data.first_merge:
        lines.append(f"前回からの変更: {len(data.changes)}件")
    lines.append(f"台帳: {outcome.master}")
    if outcome.archived:
        lines.append(f"前回の台帳: {outcome.archived}")
    return lines
