"""The run's long-lived objects set aside from the cyclic garbage collector's full passes.

A run keeps a large heap to its end: the plan, the files read, the period's results (some 200,000 tracked
objects on the large city). Each full pass of the collector walks all of it again, though the garbage it finds
is the writers' own: on the large city those passes took about a second of a seven-second run (benchmarks/
RESULTS.md). ``gc.freeze()``, the standard library's call for this, sets aside what exists; leaving the run
gives it back to the collector, so a process that runs many times (the tests, a Python session) frees it."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_runs = 0  # long_lived_run blocks entered and not yet left (one run calls another's steps)


@contextmanager
def long_lived_run() -> Iterator[None]:
    """A command's work: what ``settle`` sets aside inside it is given back to the collector at the end."""
    global _runs
    _runs += 1
    try:
        yield
    finally:
        _runs -= 1
        if _runs == 0:
            gc.unfreeze()


def settle() -> None:
    """What exists now lives until the run ends: the collector's full passes skip it. Outside a run (a caller
    using the steps on their own) nothing is set aside, since nothing would give it back."""
    if _runs:
        gc.freeze()
