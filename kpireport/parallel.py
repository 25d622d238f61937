"""Use the machine's other cores for independent work: chart rendering, reading submitted files.

Work goes to forked worker processes (the parent's loaded plan is shared, nothing is re-read), only on
Linux-like systems with more than one usable core. KPIREPORT_WORKERS sets the number of processes;
KPIREPORT_WORKERS=1 keeps everything in one process (the results are the same either way).
"""
from __future__ import annotations

import ctypes
import functools
import gc
import mmap
import multiprocessing
import os
import pickle
import signal
import struct
from typing import Callable, Iterable, Iterator, Optional, TypeVar

from kpireport.errors import KpireportError

_BOUNDS = struct.Struct("qq")

T = TypeVar("T")
R = TypeVar("R")

ENV = "KPIREPORT_WORKERS"


ONE_PROCESS = f"環境変数 {ENV}=1 を付けて、一つのプロセスでもう一度実行してください。"

_IN_WORKER = False  # set in helpers (and in the parent while it does its share): no helpers of helpers


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


def can_fork() -> bool:
    """Whether helpers can be forked here (Linux and other Unix-like systems)."""
    return hasattr(os, "fork") and "fork" in multiprocessing.get_all_start_methods()


PR_SET_PDEATHSIG = 1


@functools.lru_cache(maxsize=None)
def _prctl() -> Optional[Callable]:
    """libc's prctl, looked up once in the parent (a helper inherits it), or None where there is none."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def _worker_start(parent: int) -> None:
    """A forked worker dies with its parent (a killed merge leaves no workers behind) and lets go of
    the workspace lock file it inherited (the parent alone holds the lock)."""
    from kpireport.lock import close_inherited_locks

    global _IN_WORKER
    _IN_WORKER = True
    gc.freeze()  # what the parent built is never collected here: the collector would only copy its pages
    close_inherited_locks()
    prctl = _prctl()
    if prctl is not None:  # not Linux: the lock file is closed all the same
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


class _Claims:
    """Which items are still to do: the parent takes them from the front, the helpers from the back, until
    they meet. Two counters in memory the fork shares; the lock is one byte in a pipe (whoever has read it
    holds the lock). Both cost microseconds to make, where multiprocessing's lock cost milliseconds."""

    def __init__(self, count: int, shared: bool):
        # [next from the front, one past the next from the back]; an anonymous mmap is shared with the helpers
        self.bounds = mmap.mmap(-1, _BOUNDS.size) if shared else bytearray(_BOUNDS.size)
        _BOUNDS.pack_into(self.bounds, 0, 0, count)
        self.lock: Optional[tuple[int, int]] = os.pipe() if shared else None
        if self.lock is not None:
            os.write(self.lock[1], b"x")

    def front(self) -> Optional[int]:
        return self._claim(front=True)

    def back(self) -> Optional[int]:
        return self._claim(front=False)

    def _claim(self, front: bool) -> Optional[int]:
        self._acquire()
        try:
            first, end = _BOUNDS.unpack_from(self.bounds)
            if first >= end:
                return None
            if front:
                _BOUNDS.pack_into(self.bounds, 0, first + 1, end)
                return first
            _BOUNDS.pack_into(self.bounds, 0, first, end - 1)
            return end - 1
        finally:
            self._release()

    def close(self) -> None:
        """Nothing more is handed out (a helper finishes the item it has)."""
        self._acquire()
        try:
            first, _ = _BOUNDS.unpack_from(self.bounds)
            _BOUNDS.pack_into(self.bounds, 0, first, first)
        finally:
            self._release()

    def release_resources(self) -> None:
        """Close the pipe (once the helpers are gone)."""
        if self.lock is not None:
            for end in self.lock:
                os.close(end)
            self.lock = None

    def _acquire(self) -> None:
        if self.lock is not None:
            os.read(self.lock[0], 1)

    def _release(self) -> None:
        if self.lock is not None:
            os.write(self.lock[1], b"x")


_EXITING: list[int] = []  # helpers that have sent their result and are exiting, not yet reaped


def _reap_exited() -> None:
    """Reap the helpers in _EXITING that have exited, without waiting for the others: a helper's exit
    unmaps everything the fork shared, about 5 ms that nobody needs to wait for. The rest are reaped at
    the next helper or result, or by the system once this process ends."""
    for pid in list(_EXITING):
        try:
            exited, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # already reaped elsewhere
            exited = pid
        if exited:
            _EXITING.remove(pid)


class _Helper:
    """A forked process running ``task()``; its result or error comes back through a pipe. The task and
    what it closes over reach the helper by the fork (nothing is pickled on the way in). Plain fork and
    pipe: a process pool would add about 10 ms of threads and queues to every use."""

    def __init__(self, task: Callable[[], R]):
        _reap_exited()
        _prctl()
        parent = os.getpid()
        readable, writable = os.pipe()
        try:
            self.pid = os.fork()
        except BaseException:
            os.close(readable)
            os.close(writable)
            raise
        if self.pid == 0:  # the helper: it never returns from here
            try:
                os.close(readable)
                _worker_start(parent)
                try:
                    outcome = (True, task())
                except BaseException as exc:  # reported to the parent, which raises it
                    outcome = (False, exc)
                try:
                    data = pickle.dumps(outcome)
                except Exception as exc:  # a result or an error that cannot be pickled: its description
                    data = pickle.dumps((None, f"{type(exc).__name__}: {exc}"))
                with os.fdopen(writable, "wb") as pipe:
                    pipe.write(data)
            finally:
                os._exit(0)
        os.close(writable)
        self.readable: Optional[int] = readable
        self.outcome: Optional[tuple[bool, object]] = None

    def result(self):
        """Wait for the helper (the first time); its result, or its error raised here."""
        if self.outcome is None:
            self.outcome = self._collect()
        done, value = self.outcome
        if not done:
            raise value
        return value

    def _collect(self) -> tuple[bool, object]:
        with os.fdopen(self.readable, "rb") as pipe:
            data = pipe.read()
        self.readable = None
        if data:  # the whole result is in: the helper's exit is not waited for (see _EXITING)
            _EXITING.append(self.pid)
            _reap_exited()
        else:  # killed (e.g. for want of memory) or crashed
            os.waitpid(self.pid, 0)
            return False, KpireportError(f"作業用のプロセス（{self.pid}）が結果を返さずに終了しました（メモリ不足などで止められた"
                                         f"可能性があります）。{ONE_PROCESS}")
        try:
            done, value = pickle.loads(data)
        except Exception as exc:  # e.g. an error class that cannot be rebuilt from its arguments
            done, value = None, f"{type(exc).__name__}: {exc}"
        if done is None:
            return False, KpireportError(f"作業用のプロセス（{self.pid}）の結果を受け取れませんでした（{value}）。{ONE_PROCESS}")
        return done, value


def _drain(function: Callable[[T], R], items: list[T], claims: _Claims) -> dict[int, R]:
    """A helper's share: items from the back until none is left; {index: result}."""
    done = {}
    while (index := claims.back()) is not None:
        done[index] = function(items[index])
    return done


def _own_share(function: Callable[[T], R], item: T) -> R:
    """The parent's share, run as a helper's would be: no helpers of helpers."""
    global _IN_WORKER
    was, _IN_WORKER = _IN_WORKER, True
    try:
        return function(item)
    finally:
        _IN_WORKER = was


class _Shared:
    """A map under way: helpers forked and working from the back; the parent's share still to do."""

    def __init__(self, function: Callable[[T], R], items: list[T], min_items: int):
        self.function, self.items = function, items
        workers = min(worker_count(), len(items))
        forked = workers > 1 and len(items) >= min_items and can_fork()
        try:
            self.claims = _Claims(len(items), shared=forked)
        except OSError:  # no shared memory or no pipe to be had: one process does it all
            forked, self.claims = False, _Claims(len(items), shared=False)
        self.helpers: list[_Helper] = []
        for _ in range(workers - 1 if forked else 0):
            try:
                self.helpers.append(_Helper(lambda: _drain(function, items, self.claims)))
            except OSError:  # no more processes to be had: the parent and the helpers so far do it all
                break

    def results(self) -> Iterator[R]:
        """Every result in order: the parent's share as it is done, then the helpers'."""
        theirs: dict = {}
        try:
            while (index := self.claims.front()) is not None:
                yield _own_share(self.function, self.items[index])
            for helper in self.helpers:
                theirs.update(helper.result())  # a helper's error is raised here
        finally:
            self.finish()
        for index in sorted(theirs):
            yield theirs[index]

    def finish(self) -> None:
        """Hand out nothing more (on an error or an abandoned iteration, helpers stop after their current
        item) and wait for the helpers to exit."""
        self.claims.close()
        for helper in self.helpers:
            try:
                helper.result()
            except BaseException:  # the first error is already on its way
                pass
        self.claims.release_resources()


def map_forked(function: Callable[[T], R], items: Iterable[T], min_items: int = 8) -> Iterator[R]:
    """``map(function, items)`` in order, spread over the cores when there are enough items.

    The parent does its share (items from the front, yielded as they are done) while forked helpers take
    items from the back; the helpers' results follow at the end. The function and whatever it closes over
    (the plan, the period) reach the helpers by the fork, so only their results are pickled. Compared with
    a pool of one worker per core and an idle parent, this forks one process fewer and pickles about half
    the results.
    """
    yield from _Shared(function, list(items), min_items).results()


def start_map(function: Callable[[T], R], items: Iterable[T], min_items: int = 1) -> Callable[[], list[R]]:
    """Like map_forked, but the helpers start now and the parent joins in later: the returned wait()
    does what is left from the front, then gives every result in order (or raises the first error).
    For work that can go on while the parent does something else."""
    shared = _Shared(function, list(items), min_items)
    return lambda: list(shared.results())


def in_background(function: Callable[[], R]) -> Callable[[], R]:
    """Start ``function()`` in a forked process when there is a second core; returns a wait() that gives
    its result (or raises its error), as often as it is called. Without a second core (or when no process
    can be forked) it runs at once, here."""
    if worker_count() > 1 and can_fork():
        try:
            return _Helper(function).result
        except OSError:
            pass
    result = function()
    return lambda: result
