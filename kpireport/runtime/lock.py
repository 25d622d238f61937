"""One merge at a time per workspace: a lock file the operating system releases if the process dies.

filelock locks with msvcrt on Windows and flock elsewhere. Who holds the lock is written to a file of
its own beside it: on Windows a locked byte range cannot be read by the process that waits.
"""
from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

with warnings.catch_warnings():
    # where neither msvcrt nor fcntl exists, filelock falls back to a lock file and warns on import
    warnings.simplefilter("ignore")
    from filelock import FileLock, Timeout

from kpireport.errors import KpireportError


@contextmanager
def workspace_lock(lock_file: Path, wait_seconds: float = 10.0) -> Iterator[None]:
    """Hold the workspace lock; wait up to ``wait_seconds`` for another run, then refuse."""
    lock_file = Path(lock_file)
    holder = lock_file.with_name(lock_file.name + ".holder")
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_file), timeout=wait_seconds)
    try:
        lock.acquire()
    except Timeout:
        raise KpireportError(f"この作業フォルダでは別の集計が実行中です（{_read_holder(holder)}）。"
                             "終わってからもう一度実行してください。") from None
    try:
        try:
            holder.write_text(f"プロセス {os.getpid()}、開始 {dt.datetime.now():%Y-%m-%d %H:%M:%S}", encoding="utf-8")
        except OSError:
            pass  # only a courtesy for the one who waits
        yield
    finally:
        lock.release()


def _read_holder(holder: Path) -> str:
    try:
        return holder.read_text(encoding="utf-8").strip() or "不明"
    except (OSError, UnicodeDecodeError):
        return "不明"
