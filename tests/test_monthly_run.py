"""`kpireport run`, the plan cache, and the work spread over worker processes."""
from __future__ import annotations

import os
import pickle
import time

import pytest
from click.testing import CliRunner
from forms_helpers import edit, filled_form
from test_merge import set_actual

from kpireport import values
from kpireport.cli.commands import cli
from kpireport.cli.printing import checklist_lines, run_lines
from kpireport.history.store import History, form_key_in
from kpireport.periods import ReportPeriod
from kpireport.plan.cache import cache_file
from kpireport.plan.load import load_plan
from kpireport.runtime import parallel
from kpireport.validate.files import collect_files
from kpireport.workspace import Workspace
from kpireport.workspace import checking as validate_command
from kpireport.workspace.checking import check_files

R5 = ReportPeriod(2023)
DEPARTMENTS = ("観光政策課", "農林課", "学校教育課", "商工労働課", "都市計画課", "健康増進課", "高齢福祉課",
               "こども家庭課", "環境生活課")


@pytest.fixture
def inbox_workspace(tmp_path) -> Workspace:
    """Nine filled forms for R5 (enough for the workers), one of them with an unreadable value."""
    ws = Workspace.create(tmp_path / "ws")
    plan = load_plan(ws.plan_file).plan
    names = {d.name for d in plan.departments}
    for index, department in enumerate(d for d in DEPARTMENTS if d in names):
        path = filled_form(plan, department, R5, ws.inbox, key=form_key_in(ws.history_file))
        stamp = time.time() - 100 + index
        os.utime(path, (stamp, stamp))
    kpi = next(k for k in plan.kpis if k.departments == ("観光政策課",))
    edit(next(ws.inbox.glob("*観光政策課*")), set_actual(kpi.id, "集計中のため未定", R5))
    return ws


@pytest.mark.slow  # end to end: `kpireport run` over nine filled forms
def test_run_does_validate_merge_master_and_report(inbox_workspace, workers):
    ws = inbox_workspace
    ran = ws.run()
    assert ran.merge.problems == {} and ran.merge.sent_back == 1 and ran.merge.accepted == 8
    assert ran.report_written and list(ran.merge.feedback) == [next(ws.inbox.glob("*観光政策課*")).name]
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
    again = ws.run()
    assert again.merge.problems == {} and again.merge.unchanged == 9


def test_run_on_an_empty_inbox_names_every_department_and_still_writes_the_master_and_report(tmp_path):
    """Early in the month nothing has come in: the run says who has not sent a form, and writes the master and
    the report (every KPI ungraded), with the check list at the end; no PDF (the tests ask for none)."""
    ws = Workspace.create(tmp_path / "ws")
    ran = ws.run()
    lines = run_lines(ran)
    plan = load_plan(ws.plan_file).plan
    assert (ran.merge.accepted, ran.merge.sent_back, ran.merge.unchanged) == (0, 0, 0)
    assert "受理 0件、差し戻し 0件、変更なし 0件" in lines
    assert f"未提出: {'、'.join(d.name for d in plan.departments)}" in lines
    assert f"評価: A 達成 0件、B 順調 0件、C 遅れ 0件、D 悪化 0件、− 評価不能 {len(plan.kpis)}件" in lines
    master, report = ws.output / "master_令和5年度_実績.xlsx", ws.output / "report_令和5年度_実績.docx"
    assert f"台帳: {master}" in lines and f"審議会資料: {report}" in lines
    assert master.is_file() and report.is_file()
    assert ran.pdf is not None and ran.pdf.path is None and ran.pdf.line.startswith("PDFは作りませんでした")
    assert lines[-len(checklist_lines(ran.missing)):] == checklist_lines(ran.missing) and ran.missing


@pytest.fixture(params=["1", "2"])
def workers(request, monkeypatch):
    """Run in one process, and in two worker processes however few the files are."""
    monkeypatch.setenv(parallel.ENV, request.param)
    monkeypatch.setattr(validate_command, "PROCESSES_FROM", 2)
    return request.param


@pytest.mark.slow  # end to end: `kpireport run` over nine filled forms
def test_a_feedback_copy_that_cannot_be_written_leaves_the_history_as_it_was(inbox_workspace, workers):
    """The copies are written while the files are checked, before anything is recorded."""
    inbox_workspace.feedback.parent.mkdir(parents=True, exist_ok=True)
    inbox_workspace.feedback.write_text("a file where the folder should be", encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", "-w", str(inbox_workspace.root)])
    assert result.exit_code == 1 and "控え" in result.output and "書き込めません" in result.output, result.output
    assert "予期しない" not in result.output
    history = History(inbox_workspace.history_file)
    try:
        assert history.current("2023") == {}
    finally:
        history.close()


@pytest.mark.slow  # nine forms checked twice, once in worker processes
def test_workers_give_the_same_results_as_one_process(inbox_workspace, monkeypatch):
    ws = inbox_workspace
    plan = ws.plan()
    files, _ = collect_files([ws.inbox])
    monkeypatch.setattr(validate_command, "PROCESSES_FROM", 2)
    monkeypatch.setenv(parallel.ENV, "1")
    alone = check_files(plan, R5, files, ws.history_file, ws.output / "alone")
    monkeypatch.setenv(parallel.ENV, "2")
    spread = check_files(plan, R5, files, ws.history_file, ws.output / "spread")
    assert [result for result, _ in alone] == [result for result, _ in spread]
    assert [copy.name for _, copy in alone if copy] == [copy.name for _, copy in spread if copy] == [
        next(ws.inbox.glob("*観光政策課*")).name]
    assert sum(result.errors for result, _ in spread) == 1


def test_plan_cache_follows_the_workbook(tmp_path, document):
    ws = Workspace.create(tmp_path / "ws", document=document)
    cache = cache_file(ws.plan_file)
    first = ws.plan()
    assert cache.is_file() and ws.root not in cache.parents  # never in the (possibly shared) workspace
    assert ws.plan() == first
    # an edited workbook is read afresh, never the old plan
    document["kpis"][0]["name"] = "別の指標名"
    Workspace.create(ws.root, document=document, force=True)
    assert ws.plan().kpis[0].name == "別の指標名"
    # a damaged or foreign cache is ignored and rewritten
    cache.write_bytes(b"not a pickle")
    assert ws.plan().kpis[0].name == "別の指標名"
    key, plan, texts = pickle.loads(cache.read_bytes())
    assert plan.kpis[0].name == "別の指標名"
    # the value texts read while checking the plan come with it: a later process need not read them again
    target = plan.kpis[0].target.raw
    assert texts[target] == plan.kpis[0].target
    values._PARSED.clear()
    ws.plan()
    assert values._PARSED[target] == plan.kpis[0].target


def test_a_plan_with_errors_is_never_cached(tmp_path, document):
    document["kpis"][0]["node"] = "存在しない"
    ws = Workspace.create(tmp_path / "ws", document=document)
    result = CliRunner().invoke(cli, ["report", "-w", str(ws.root)])
    assert result.exit_code != 0 and "エラー" in result.output
    assert not cache_file(ws.plan_file).exists()
