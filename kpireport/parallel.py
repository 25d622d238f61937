"""Use the machine's other cores for independent work: chart rendering, reading submitted files.

Work goes to forked worker processes (the parent's loaded plan is shared, nothing is re-read), only on
Linux-like systems with more than one usable core. KPIREPORT_WORKERS sets the number of processes;
KPIREPORT_WORKERS=1 keeps everything in one process (the results are the same either way).
"""
from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Callable, Iterable, Iterator, Optional, TypeVar

T = TypeVar("T")
R = TypeVar("R")

ENV = "KPIREPORT_WORKERS"


_IN_WORKER = False  # set in forked workers: they do their share in one process (no pools of pools)


def worker_count() -> int:
    """Processes to use: KPIREPORT_WORKERS if set (at least 1), else the usable cores; 1 inside a worker."""
    if _IN_WORKER:
        return 1
    given = os.environ.get(ENV, "").strip()
    if given.isdigit():
        return max(int(given), 1)
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return max(os.cpu_count() or 1, 1)


def fork_pool(workers: int) -> Optional[Executor]:
    """A pool of ``workers`` forked processes (started at the first submit), or None when fork is not
    available. Callers use one only when worker_count() > 1: on one core it would only add overhead."""
    if workers < 1 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    try:
        return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_worker_start, initargs=(os.getpid(),))
    except (OSError, ValueError):
        return None


PR_SET_PDEATHSIG = 1


def _worker_start(parent: int) -> None:
    """A forked worker dies with its parent (a killed merge leaves no workers behind) and lets go of
    the workspace lock file it inherited (the parent alone holds the lock)."""
    from kpireport.lock import close_inherited_locks

    global _IN_WORKER
    _IN_WORKER = True
    gc.freeze()  # what the parent built is never collected here: the collector would only copy its pages
    close_inherited_locks()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the lock file is closed all the same
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


_TASK: Optional[Callable] = None  # the function the forked workers call (inherited, never pickled)


def _call(item):
    return _TASK(item)


def map_forked(function: Callable[[T], R], items: Iterable[T], min_items: int = 8) -> Iterator[R]:
    """``map(function, items)`` in order, spread over forked workers when there are enough items.

    The function and whatever it closes over (the plan, the period) reach the workers by the fork,
    so only the items and the results cross between processes (pickled).
    """
    global _TASK
    items = list(items)
    workers = min(worker_count(), len(items))
    pool = fork_pool(workers) if workers > 1 and len(items) >= min_items else None
    if pool is None:
        yield from map(function, items)
        return
    _TASK = function
    try:
        with pool:
            yield from pool.map(_call, items, chunksize=max(1, len(items) // (workers * 4)))
    finally:
        _TASK = None


_BACKGROUND: Optional[Callable] = None


def _call_background():
    return _BACKGROUND()


def in_background(function: Callable[[], R]) -> Callable[[], R]:
    """Start ``function()`` in a forked process when there is a second core; returns a wait() that gives
    its result (or raises its error). Without a second core it runs at once, here."""
    global _BACKGROUND
    pool = fork_pool(1) if worker_count() > 1 else None
    if pool is None:
        result = function()
        return lambda: result
    _BACKGROUND = function
    try:
        future = pool.submit(_call_background)  # the worker is forked here, with the function
    finally:
        _BACKGROUND = None
    pool.shutdown(wait=False)

    def wait() -> R:
        return future.result()

    return wait
