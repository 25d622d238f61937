"""A full disk, told as such: the operating system's "no space" (errno ENOSPC; Windows' ERROR_DISK_FULL and
ERROR_HANDLE_DISK_FULL) and SQLite's SQLITE_FULL, wherever in a job they come from."""
from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from kpireport.errors import KpireportError

WINDOWS_DISK_FULL = (39, 112)  # ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL


def is_disk_full(exc: BaseException) -> bool:
    """The exception, or one it was raised from, says the disk is full."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and (seen.errno == errno.ENOSPC
                                          or getattr(seen, "winerror", None) in WINDOWS_DISK_FULL):
            return True
        if isinstance(seen, sqlite3.DatabaseError) and "disk is full" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def disk_full_line(exc: BaseException, workspace: Path) -> str:
    """One line for the user: which folder, and what to do. ``workspace``: where the job wrote when the
    exception names no file."""
    named = getattr(exc, "filename", None)
    return "エラー: " + disk_full_message(Path(named).parent if named else Path(workspace))


def disk_full_message(folder: Path) -> str:
    return (f"ディスクの空きがないため書き込めませんでした（フォルダ {Path(folder).resolve()}）。"
            "不要なファイルを削除するなどして空きを作ってから、もう一度実行してください。"
            "書きかけのファイルは残していません。")


class DiskFull(KpireportError):
    """No room left where a file was being written: told with the folder, the old file left as it was."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        super().__init__(disk_full_message(self.folder))

    def __reduce__(self):  # rebuilt from its own arguments when a worker process sends it back
        return DiskFull, (self.folder,)
