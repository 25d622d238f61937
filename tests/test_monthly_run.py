"""`kpireport run`, the plan cache, and the work spread over forked workers."""
from __future__ import annotations

import os
import pickle
import time

import pytest
from click.testing import CliRunner

from kpireport import parallel, values
from kpireport.cli import cli
from kpireport.errors import KpireportError
from kpireport.inbox import collect_files, validate_files
from kpireport.period import ReportPeriod
from kpireport.plan import load_plan
from kpireport.plan_cache import cache_file
from kpireport.store import History
from kpireport.workspace import Workspace, init_workspace, load_workspace_plan

from forms_helpers import edit, filled_form
from test_merge import set_actual

R5 = ReportPeriod(2023)
DEPARTMENTS = ("観光政策課", "農林課", "学校教育課", "商工労働課", "都市計画課", "健康増進課", "高齢福祉課",
               "こども家庭課", "環境生活課")


@pytest.fixture
def inbox_workspace(tmp_path) -> Workspace:
    """Nine filled forms for R5 (enough for the workers), one of them with an unreadable value."""
    ws = init_workspace(tmp_path / "ws")
    plan = load_plan(ws.plan_file).plan
    names = {d.name for d in plan.departments}
    for index, department in enumerate(d for d in DEPARTMENTS if d in names):
        path = filled_form(plan, department, R5, ws.inbox)
        stamp = time.time() - 100 + index
        os.utime(path, (stamp, stamp))
    kpi = next(k for k in plan.kpis if k.departments == ("観光政策課",))
    edit(next(ws.inbox.glob("*観光政策課*")), set_actual(kpi.id, "集計中のため未定", R5))
    return ws


def test_run_does_validate_merge_master_and_report(inbox_workspace):
    ws = inbox_workspace
    result = CliRunner().invoke(cli, ["run", "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "差し戻し 1件" in result.output and "受理 8件" in result.output
    assert "審議会資料:" in result.output and "問題の箇所に印を付けた控え: 1件" in result.output
    assert (ws.output / "master_令和5年度_実績.xlsx").is_file()
    assert (ws.output / "report_令和5年度_実績.docx").is_file()
    assert [p.name for p in ws.feedback.glob("*.xlsx")] == [next(ws.inbox.glob("*観光政策課*")).name]
    history = History(ws.history_file)
    try:
        assert history.integrity() == []
        current = history.current("2023")
        assert len(current) == 8 and "観光政策課" not in current  # the rejected file is not in force
    finally:
        history.close()
    again = CliRunner().invoke(cli, ["run", "-w", str(ws.root)])
    assert again.exit_code == 0 and "変更なし 9件" in again.output


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_failed_feedback_copy_leaves_the_history_as_it_was(inbox_workspace, monkeypatch, workers):
    """The copies are written (in another process when there are two cores) while the history is recorded;
    a copy that cannot be written stops the run before the history is committed."""
    def refuse(source, findings, target):
        raise KpireportError(f"{target} に書き込めません（テスト）")

    monkeypatch.setenv(parallel.ENV, workers)
    monkeypatch.setattr("kpireport.validation_run.write_feedback", refuse)
    result = CliRunner().invoke(cli, ["run", "-w", str(inbox_workspace.root)])
    assert result.exit_code != 0 and "書き込めません（テスト）" in result.output
    history = History(inbox_workspace.history_file)
    try:
        assert history.current("2023") == {}
    finally:
        history.close()


def test_workers_give_the_same_results_as_one_process(inbox_workspace, monkeypatch):
    ws = inbox_workspace
    plan = load_workspace_plan(ws)
    files, _ = collect_files([ws.inbox])
    assert len(files) >= 8
    monkeypatch.setenv(parallel.ENV, "1")
    alone = validate_files(plan, files, R5)
    monkeypatch.setenv(parallel.ENV, "2")
    spread = validate_files(plan, files, R5)
    assert alone == spread
    assert sum(r.errors for r in spread) == 1


def _square(n: int) -> int:
    if n < 0:
        raise ValueError(f"negative: {n}")
    return n * n


def test_map_forked_keeps_order_and_raises_the_workers_errors(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "2")
    assert list(parallel.map_forked(_square, range(20), min_items=2)) == [n * n for n in range(20)]
    with pytest.raises(ValueError, match="negative: -3"):
        list(parallel.map_forked(_square, [1, 2, -3, 4], min_items=2))


def _slow_pid(n: int) -> tuple[int, int]:
    time.sleep(0.01)
    return n, os.getpid()


def test_the_parent_does_its_share_and_start_map_lets_it_join_later(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "2")
    results = list(parallel.map_forked(_slow_pid, range(20), min_items=2))
    assert [n for n, _ in results] == list(range(20))
    pids = [pid for _, pid in results]
    assert pids[0] == os.getpid() and pids[-1] != os.getpid()  # the parent from the front, a helper from the back
    wait = parallel.start_map(_slow_pid, range(20))
    time.sleep(1.0)  # the parent is busy elsewhere: the helper does everything it can meanwhile
    results = wait()
    assert [n for n, _ in results] == list(range(20))
    assert sum(pid == os.getpid() for _, pid in results) < 5
    monkeypatch.setenv(parallel.ENV, "1")
    assert {pid for _, pid in parallel.start_map(_slow_pid, range(3))()} == {os.getpid()}


_PARENT = os.getpid()


def _helper_misbehaves(n: int):
    if os.getpid() == _PARENT:
        time.sleep(0.05)  # slow enough for the helper to start and take its items
        return n
    if n == 3:
        os._exit(3)  # the helper dies without a word
    if n == 9:
        raise _Unrebuildable("two", "arguments")  # pickled, but cannot be unpickled
    return lambda: n  # a result that cannot be pickled


class _Unrebuildable(Exception):
    def __init__(self, first, second):
        super().__init__(f"{first} {second}")


def test_a_helper_that_dies_or_gives_what_cannot_be_sent_back_is_an_error_not_a_hang(monkeypatch):
    global _PARENT
    monkeypatch.setenv(parallel.ENV, "2")
    _PARENT = os.getpid()
    with pytest.raises(KpireportError, match="結果を返さずに終了しました.*KPIREPORT_WORKERS=1"):
        list(parallel.map_forked(_helper_misbehaves, range(4), min_items=2))  # the helper starts from item 3
    with pytest.raises(KpireportError, match="結果を受け取れませんでした（.*pickle"):
        list(parallel.map_forked(_helper_misbehaves, [0, 1, 2, 4, 5, 6], min_items=2))
    with pytest.raises(KpireportError, match="結果を受け取れませんでした（TypeError"):
        list(parallel.map_forked(_helper_misbehaves, [0, 1, 2, 9], min_items=2))
    abandoned = parallel.map_forked(_slow_pid, range(50), min_items=2)
    assert next(abandoned)[0] == 0
    started = time.monotonic()
    abandoned.close()  # the helper stops after its current item
    assert time.monotonic() - started < 0.3


def test_without_fork_or_shared_memory_the_parent_does_it_all(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "2")
    monkeypatch.setattr(parallel.multiprocessing, "get_all_start_methods", lambda: ["spawn"])  # as on Windows
    assert {pid for _, pid in parallel.map_forked(_slow_pid, range(4), min_items=2)} == {os.getpid()}
    monkeypatch.undo()
    monkeypatch.setenv(parallel.ENV, "2")

    def no_shared_memory(*args, **kwargs):
        raise OSError("cannot map memory")
    monkeypatch.setattr(parallel.mmap, "mmap", no_shared_memory)
    assert {pid for _, pid in parallel.map_forked(_slow_pid, range(4), min_items=2)} == {os.getpid()}


def test_maps_leave_no_open_files_behind(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "2")
    before = set(os.listdir("/proc/self/fd"))
    for _ in range(3):
        assert list(parallel.map_forked(_square, range(10), min_items=2)) == [n * n for n in range(10)]
    abandoned = parallel.map_forked(_slow_pid, range(20), min_items=2)
    next(abandoned)
    abandoned.close()
    with pytest.raises(ValueError):
        list(parallel.map_forked(_square, [1, 2, -3, 4], min_items=2))
    assert parallel.start_map(_square, range(6))() == [n * n for n in range(6)]
    assert set(os.listdir("/proc/self/fd")) == before


def test_helpers_are_reaped_once_exited_without_being_waited_for(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "2")
    helpers = []
    real_fork = os.fork

    def fork():
        pid = real_fork()
        if pid:
            helpers.append(pid)
        return pid
    monkeypatch.setattr(parallel.os, "fork", fork)
    for _ in range(5):
        assert list(parallel.map_forked(_square, range(6), min_items=2)) == [n * n for n in range(6)]
    assert len(helpers) == 5
    deadline = time.monotonic() + 10
    while parallel._EXITING and time.monotonic() < deadline:
        time.sleep(0.05)
        parallel._reap_exited()
    assert not parallel._EXITING
    for pid in helpers:  # reaped: no zombie is left behind
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_in_background_returns_the_result_and_the_error(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "2")
    parent = os.getpid()
    wait = parallel.in_background(lambda: os.getpid())
    assert wait() != parent and wait() == wait()  # ran in a worker; asked again, the same answer
    wait = parallel.in_background(lambda: _square(-1))
    for _ in range(2):
        with pytest.raises(ValueError):
            wait()
    monkeypatch.setenv(parallel.ENV, "1")
    assert parallel.in_background(lambda: os.getpid())() == parent  # one core: here and now


def test_plan_cache_follows_the_workbook(tmp_path, document):
    ws = init_workspace(tmp_path / "ws", document=document)
    cache = cache_file(ws.plan_file)
    first = load_workspace_plan(ws)
    assert cache.is_file() and ws.root not in cache.parents  # never in the (possibly shared) workspace
    assert load_workspace_plan(ws) == first
    # an edited workbook is read afresh, never the old plan
    document["kpis"][0]["name"] = "別の指標名"
    init_workspace(ws.root, document=document, force=True)
    assert load_workspace_plan(ws).kpis[0].name == "別の指標名"
    # a damaged or foreign cache is ignored and rewritten
    cache.write_bytes(b"not a pickle")
    assert load_workspace_plan(ws).kpis[0].name == "別の指標名"
    key, plan, texts = pickle.loads(cache.read_bytes())
    assert plan.kpis[0].name == "別の指標名"
    # the value texts read while checking the plan come with it: a later process need not read them again
    target = plan.kpis[0].target.raw
    assert texts[target] == plan.kpis[0].target
    values._PARSED.clear()
    load_workspace_plan(ws)
    assert values._PARSED[target] == plan.kpis[0].target


def test_a_plan_with_errors_is_never_cached(tmp_path, document):
    document["kpis"][0]["node"] = "存在しない"
    ws = init_workspace(tmp_path / "ws", document=document)
    result = CliRunner().invoke(cli, ["report", "-w", str(ws.root)])
    assert result.exit_code != 0 and "エラー" in result.output
    assert not cache_file(ws.plan_file).exists()
