"""Progress on a terminal: a line per step and per file or department, then the time taken. Nothing when the
output is not a terminal (a file, a pipe, a scheduled task), so logs stay what the command printed."""
from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import click

from kpireport.workspace.progress import Progress, Silent


class TerminalProgress:
    """Writes to standard error, so that what a command prints on standard output stays the same."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.total = 0
        self.done = 0

    def step(self, label: str, total: int = 0) -> None:
        self.total, self.done = total, 0
        click.echo(f"… {label}" + (f"（{total}件）" if total else ""), err=True)

    def item(self, name: str) -> None:
        self.done += 1
        click.echo(f"  {self.done}/{self.total} {name}", err=True)

    def elapsed_line(self) -> str:
        return f"所要時間 {time.monotonic() - self.started:.1f}秒"


@contextmanager
def shown(quiet: bool = False) -> Iterator[Progress]:
    """A terminal's progress (with the time taken at the end), or none when quiet or not on a terminal."""
    if quiet or not sys.stderr.isatty():
        yield Silent()
        return
    progress = TerminalProgress()
    yield progress
    click.echo(progress.elapsed_line(), err=True)
