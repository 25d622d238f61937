"""One merge at a time per workspace: an OS file lock, released by the OS even if the process dies."""
from __future__ import annotations

import datetime as dt
import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from kpireport.errors import KpireportError


HELD: set = set()  # lock files this process holds open


@contextmanager
def workspace_lock(lock_file: Path, wait_seconds: float = 10.0) -> Iterator[None]:
    """Hold the workspace lock; wait up to ``wait_seconds`` for another run, then refuse."""
    lock_file = Path(lock_file)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_file, "a+", encoding="utf-8")
    HELD.add(handle)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "不明"
                    raise KpireportError(f"この作業フォルダでは別の集計が実行中です（{holder}）。"
                                         "終わってからもう一度実行してください。") from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"プロセス {os.getpid()}、開始 {dt.datetime.now():%Y-%m-%d %H:%M:%S}")
        handle.flush()
        yield
    finally:
        HELD.discard(handle)
        handle.close()  # closing releases the lock


def close_inherited_locks() -> None:
    """In a forked worker: close the lock files inherited from the parent. A flock is held while any
    process has the file open, so a worker outliving a killed parent would otherwise keep it locked."""
    for handle in list(HELD):
        try:
            handle.close()
        except OSError:
            pass
    HELD.clear()
