"""Merging: check the inbox, record accepted and rejected submissions in the history in one transaction,
build the period's results from the history, and write the master workbook."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from kpireport.errors import KpireportError
from kpireport.evaluate import results as period_results
from kpireport.history.merge import master_written, record_merge
from kpireport.history.store import History, now
from kpireport.intake.saved_time import saved_order, saved_time
from kpireport.master.writer import write_master
from kpireport.model import Plan
from kpireport.periods import ReportPeriod
from kpireport.runtime.atomic import FileInUse, atomic_copy, remove_stale_temporaries
from kpireport.runtime.heap import long_lived_run, settle
from kpireport.runtime.lock import workspace_lock
from kpireport.workspace.checking import check_inbox
from kpireport.workspace.folder import Folder, load_folder_plan, resolve_period
from kpireport.workspace.outcomes import MergeOutcome
from kpireport.workspace.progress import Progress, Silent

LOCK_WAIT = 10.0  # seconds to wait for another merge in the same workspace before refusing


def merge_inbox(folder: Folder, inbox: Path | None = None, period_text: str | None = None,
                lock_wait: float = LOCK_WAIT, progress: Progress | None = None) -> MergeOutcome:
    """Merge the inbox for a period and write its master."""
    plan = load_folder_plan(folder)
    period = resolve_period(plan, period_text)
    files_folder = inbox_folder(folder, inbox)
    with workspace_lock(folder.lock_file, lock_wait), long_lived_run():
        # the lock: no one else writes output/ itself, so a temporary file there is a killed run's however new;
        # output/feedback/ is also written by `validate`, which takes no lock: only old ones go there
        remove_stale_temporaries(folder.output)
        remove_stale_temporaries(folder.output, older_than_seconds=0, below=False)
        merged = merge_files(folder, plan, period, files_folder, progress=progress)
        settle()  # the results live on through the master's writing
        write_master_of(merged, folder, progress)
    return merged


def inbox_folder(folder: Folder, inbox: Path | None) -> Path:
    chosen = Path(inbox) if inbox else folder.inbox
    if not chosen.is_dir():
        raise KpireportError(f"受信フォルダ {chosen} がありません。フォルダを確認してください。")
    return chosen


def merge_files(folder: Folder, plan: Plan, period: ReportPeriod, inbox: Path,
                feedback_folder: Path | None = None, progress: Progress | None = None) -> MergeOutcome:
    """Keep the previous master, check the inbox's files (another period's forms are neither recorded nor
    marked: they belong to that period's collection), record them in the history in one transaction, and build
    the period's results from the history. The caller holds the workspace lock and writes the outputs."""
    master = folder.master_file(period)
    archived = _archive(master, folder.archive)
    checked = check_inbox(plan, period, [inbox], folder.history_file, feedback_folder, progress)
    settle()  # the files read live on through the merge
    # a department's latest file wins: record in the order the department saved them (the workbook's own saved
    # time: copying a file changes its time on disk)
    stamps = {path: saved_time(path) for path, _ in checked.ours}
    in_order = [result for _, (result, _) in sorted(checked.ours, key=lambda item: saved_order(item[0], stamps[item[0]]))]
    saved = {result.file: stamp.astimezone(dt.timezone.utc).isoformat() for path, (result, _) in checked.ours
             if (stamp := stamps[path]) is not None}
    received = now()
    (progress or Silent()).step("履歴への記録と評価")
    history = History(folder.history_file)
    try:
        record = record_merge(history, plan, period, in_order, received, saved)
        data = period_results.build(plan, period, history, received, record.current,
                                    lambda name: (inbox / name).exists())
    finally:
        history.close()
    return MergeOutcome(period, record.recorded, data, master, archived, checked.skipped, record.merge_id,
                        checked.copies, other_periods=checked.others)


def write_master_of(merged: MergeOutcome, folder: Folder, progress: Progress | None = None) -> None:
    """The master of a merge. A master held open in Excel is a problem to report (the old one stays); once
    written, the history notes it, so a merge stopped before this point shows its changes again next time."""
    (progress or Silent()).step("台帳")
    try:
        merged.notes += write_master(merged.data, merged.master)
    except FileInUse as exc:
        merged.problems[exc.path] = str(exc)
        if merged.archived is not None:  # the master stays as it was: its copy replaced nothing
            merged.archived.unlink(missing_ok=True)
            merged.archived = None
        return
    master_written(folder.history_file, merged.merge_id)


def written_or_problem(write: Callable[[], object]) -> dict[Path, str]:
    """Run one output's writer; a file open in Excel or Word is a problem to report (the old file stays
    as it was), not a failure of the merge: what was accepted is already in the history."""
    try:
        write()
    except FileInUse as exc:
        return {exc.path: str(exc)}
    return {}


def _archive(master: Path, archive: Path) -> Path | None:
    """Keep the previous master under output/archive/ before it is replaced."""
    if not master.exists():
        return None
    stamp = dt.datetime.fromtimestamp(master.stat().st_mtime).strftime("%Y%m%d_%H%M%S")
    target = archive / f"{master.stem}_{stamp}{master.suffix}"
    atomic_copy(master, target, "台帳の控え")
    return target
