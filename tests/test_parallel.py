"""runtime.parallel.process_map: the one place where work may use more than one process (spawn, as on Windows)."""
from __future__ import annotations

import os

import pytest

from kpireport.errors import KpireportError
from kpireport.runtime import parallel


def square(n: int) -> int:
    if n < 0:
        raise ValueError(f"negative: {n}")
    return n * n


def square_and_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def dies(n: int) -> int:
    if n == 3:
        os._exit(7)  # a worker killed (e.g. for want of memory)
    return n


def test_keeps_order_and_uses_worker_processes(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "2")
    done = []
    results = parallel.process_map(square_and_pid, range(10), progress=lambda: done.append(1))
    assert [n for n, _ in results] == [n * n for n in range(10)]
    pids = {pid for _, pid in results}
    assert pids and os.getpid() not in pids  # done by workers (two, unless the first took both runs of items)
    assert len(done) == 10


@pytest.mark.slow  # starts worker processes (spawn); test_keeps_order_and_uses_worker_processes is the fast one
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_workers_error_is_raised_here(monkeypatch, workers):
    monkeypatch.setenv(parallel.ENV, workers)
    with pytest.raises(ValueError, match="negative: -3"):
        parallel.process_map(square, [1, 2, -3, 4])


def test_one_worker_or_few_items_stay_in_this_process(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "1")
    assert {pid for _, pid in parallel.process_map(square_and_pid, range(6))} == {os.getpid()}
    monkeypatch.setenv(parallel.ENV, "2")
    assert {pid for _, pid in parallel.process_map(square_and_pid, range(3), min_items=4)} == {os.getpid()}
    assert parallel.process_map(square, []) == []


@pytest.mark.slow  # starts worker processes (spawn)
def test_a_worker_that_dies_is_a_japanese_error_not_a_hang(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "2")
    with pytest.raises(KpireportError, match=f"{parallel.ENV}=1"):
        parallel.process_map(dies, range(6))


def test_worker_count_from_the_environment(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "3")
    assert parallel.worker_count() == 3
    monkeypatch.setenv(parallel.ENV, "0")
    assert parallel.worker_count() == 1
    monkeypatch.delenv(parallel.ENV)
    assert parallel.worker_count() >= 1


def test_a_file_in_use_found_by_a_worker_reaches_the_command_whole(tmp_path):
    import pickle

    from kpireport.runtime.atomic import FileInUse

    error = pickle.loads(pickle.dumps(FileInUse(tmp_path / "様式.xlsx", "様式")))
    assert isinstance(error, FileInUse) and error.path == tmp_path / "様式.xlsx"
    assert str(error) == f"様式 {tmp_path / '様式.xlsx'} が Excel で開かれています。閉じてからもう一度実行してください。"


def lost_as_none(n: int) -> None:
    return None


def test_with_lost_an_item_that_ends_its_worker_costs_only_itself(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "2")
    assert parallel.process_map(dies, range(6), lost=lost_as_none) == [0, 1, 2, None, 4, 5]
