"""Write files without ever leaving a half-written one: a temporary file in the same folder, flushed and
fsynced through the handle that wrote it, then put in place in one step.

A full disk is DiskFull, naming the folder. On Windows a file another program holds open (a master workbook open in Excel, a report open in Word)
cannot be replaced: that is a FileInUse error naming the file, and the old file stays as it was.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from kpireport.errors import KpireportError
from kpireport.runtime.disk import DiskFull, is_disk_full

TEMP_SUFFIX = ".tmp"
_APPLICATIONS = {".xlsx": "Excel", ".xlsm": "Excel", ".docx": "Word", ".pdf": "PDFの表示ソフト"}


class FileInUse(KpireportError):
    """The target is open in another program (Windows refuses to replace it); nothing was changed."""

    def __init__(self, path: Path, label: str):
        self.path = Path(path)
        self.label = label
        application = _APPLICATIONS.get(self.path.suffix.lower(), "ほかのアプリ")
        super().__init__(f"{label} {self.path} が {application} で開かれています。閉じてからもう一度実行してください。")

    def __reduce__(self):  # rebuilt from its own arguments when a worker process sends it back
        return FileInUse, (self.path, self.label)


@contextmanager
def atomic_write(target: Path, label: str = "ファイル") -> Iterator[BinaryIO]:
    """Yield a binary file to write ``target``'s new content to; when the block ends without error, the
    content replaces ``target`` in one step. ``label`` names the file for the user (台帳, 審議会資料, …)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix + TEMP_SUFFIX, dir=target.parent)
    temporary = Path(name)
    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            if is_disk_full(exc):
                raise DiskFull(target.parent) from exc
            raise
        _as_ordinary_file(temporary)
        try:
            os.replace(temporary, target)
        except PermissionError as exc:
            # the folder took the temporary file and the target is not read-only: a program holds it open
            if target.exists() and os.access(target, os.W_OK):
                raise FileInUse(target, label) from exc
            raise
    finally:
        temporary.unlink(missing_ok=True)


def atomic_copy(source: Path, target: Path, label: str = "ファイル") -> None:
    """Copy ``source`` to ``target`` as atomic_write writes (a full disk leaves no partial copy), keeping its
    modification time."""
    with atomic_write(target, label) as handle, open(source, "rb") as original:
        shutil.copyfileobj(original, handle)
    shutil.copystat(source, target)


def _as_ordinary_file(path: Path) -> None:
    """mkstemp makes the file readable by its owner only; outputs are ordinary files."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def remove_stale_temporaries(folder: Path, older_than_seconds: float = 600, below: bool = True) -> list[Path]:
    """Delete the temporary files that killed writers left in ``folder`` and, with ``below``, its subfolders
    (only old ones: a writer still at work keeps its own)."""
    removed = []
    limit = time.time() - older_than_seconds
    pattern = f".*{TEMP_SUFFIX}"
    for path in Path(folder).rglob(pattern) if below else Path(folder).glob(pattern):
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed
