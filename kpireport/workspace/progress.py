"""How a job tells the one who called it how far it is: a step starts (with how many items it has), an item
is done. The command line shows it on a terminal; a job called from Python shows nothing unless asked."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol


class Progress(Protocol):
    def step(self, label: str, total: int = 0) -> None:
        """A step of the job starts: ``label`` in Japanese (「検査」), ``total`` items to come (0: one piece)."""

    def item(self, name: str) -> None:
        """One item of the current step is done: ``name`` says which (a department, a file)."""


class Silent:
    """No progress shown (a job called from Python, or output that is not a terminal)."""

    def step(self, label: str, total: int = 0) -> None:
        pass

    def item(self, name: str) -> None:
        pass


def per_item(progress: Progress, names: Sequence[str]) -> Callable[[], None]:
    """A callback for process_map, which calls it once per result in the items' order: each call names the
    next item."""
    remaining = iter(names)
    return lambda: progress.item(next(remaining, ""))
