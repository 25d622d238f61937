"""The one optional use of several processes: a map for the commands, on concurrent.futures with spawn.

Spawn starts each worker as a fresh interpreter, as Windows does, so the function and every item must
pickle. By default everything runs in the command's own process: measured on two cores with spawn
(benchmarks/crossover.py, benchmarks/RESULTS.md), two workers were slower than one process for every count
tried (up to 60 forms and 240 inbox files), since each worker first imports kpireport and unpickles the
plan. KPIREPORT_WORKERS=N (N ≥ 2) asks for N worker processes where a map is large enough (the jobs'
PROCESSES_FROM); the results are the same either way.
"""
from __future__ import annotations

import math
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.process import BaseProcess
from typing import TypeVar

from kpireport.errors import KpireportError

ENV = "KPIREPORT_WORKERS"

T = TypeVar("T")
R = TypeVar("R")


def worker_count() -> int:
    """KPIREPORT_WORKERS if set (at least 1; "auto": the number of cores), else 1: worker processes did not
    pay on the two-core machine they were measured on (see the module's docstring)."""
    given = os.environ.get(ENV, "").strip()
    if given.isdigit():
        return max(int(given), 1)
    if given.lower() == "auto":
        return max(getattr(os, "process_cpu_count", os.cpu_count)() or 1, 1)
    return 1


def process_map(function: Callable[[T], R], items: Iterable[T], min_items: int = 2,
                progress: Callable[[], None] | None = None, lost: Callable[[T], R] | None = None) -> list[R]:
    """``[function(item) for item in items]``, spread over worker processes when there are at least
    ``min_items`` items and more than one worker. Each worker gets one run of neighbouring items, so
    ``function`` (and what it carries, such as the plan) is pickled once per worker. ``progress()`` is
    called here for each result as it arrives.

    A worker that ends without a result (the system stopped it for its memory, say) breaks the pool. With
    ``lost``, the items still without a result are then done again each in a worker of its own, and an item
    whose worker ends again gets ``lost(item)`` as its result: one item never costs the others theirs. Without
    ``lost`` the map stops with a Japanese error."""
    items = list(items)
    workers = min(worker_count(), len(items))
    if workers < 2 or len(items) < min_items:
        return [_done(function(item), progress) for item in items]
    chunk = math.ceil(len(items) / workers)
    results: list[R] = []
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_end_with_parent) as pool:
            for result in pool.map(function, items, chunksize=chunk):
                results.append(_done(result, progress))
    except BrokenProcessPool as exc:
        if lost is None:
            raise KpireportError(f"作業用のプロセスが結果を返さずに終了しました（メモリ不足などで止められた可能性があります）。"
                                 f"環境変数 {ENV}=1 を付けて、一つのプロセスでもう一度実行してください。") from exc
        results += [_done(_alone(function, item, lost), progress) for item in items[len(results):]]
    return results


def _alone(function: Callable[[T], R], item: T, lost: Callable[[T], R]) -> R:
    """``function(item)`` in a worker of its own; ``lost(item)`` if that worker ends without a result."""
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_end_with_parent) as pool:
            return pool.submit(function, item).result()
    except BrokenProcessPool:
        return lost(item)


def _end_with_parent() -> None:
    """In a worker: exit when the command's process ends, even if it was killed (a worker otherwise waits
    for its next item for ever)."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_after, args=(parent,), daemon=True).start()


def _exit_after(parent: BaseProcess) -> None:
    parent.join()
    os._exit(1)


def _done(result: R, progress: Callable[[], None] | None) -> R:
    if progress is not None:
        progress()
    return result
