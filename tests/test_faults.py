"""Faults: a merge killed at any moment, two merges at once, a full disk. Nothing accepted is lost."""
from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from conftest import SUMMARY
from forms_helpers import column, edit, row_of

from kpireport.demo.fill import fill_form
from kpireport.errors import KpireportError
from kpireport.forms import layout as fl
from kpireport.forms.writer import write_forms
from kpireport.history.store import History, form_key_in
from kpireport.periods import ReportPeriod
from kpireport.plan.load import load_plan
from kpireport.workspace import Workspace

pytestmark = pytest.mark.slow  # end to end: merges killed, raced and starved of disk (a minute)

R5 = ReportPeriod(2023)


@pytest.fixture
def busy_workspace(tmp_path):
    """A workspace whose inbox holds every department's filled form, merged once."""
    ws = Workspace.create(tmp_path / "ws")
    plan = load_plan(ws.plan_file).plan
    for form in write_forms(plan, R5, ws.forms_folder(R5), form_key_in(ws.history_file)):
        fill_form(form, plan, form.stem.split("_", 2)[2], R5, ws.inbox / form.name)
    ws.merge()
    return ws, plan


def merge_process(ws) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kpireport", "merge", "-w", str(ws.root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def consistent(ws) -> None:
    history = History(ws.history_file)
    try:
        assert history.integrity() == []
    finally:
        history.close()
    with sqlite3.connect(ws.history_file) as db:
        doubled = db.execute("SELECT department, period, COUNT(*) FROM submissions WHERE accepted = 1 AND "
                             "superseded_by IS NULL GROUP BY department, period HAVING COUNT(*) > 1").fetchall()
        assert doubled == []
        orphans = db.execute("SELECT COUNT(*) FROM kpi_values WHERE submission_id NOT IN "
                             "(SELECT id FROM submissions)").fetchone()[0]
        assert orphans == 0
    master = ws.master_file(R5)
    assert "KPI一覧" in openpyxl.load_workbook(master, read_only=True).sheetnames  # the master is whole


def test_merge_killed_at_random_moments(busy_workspace):
    ws, plan = busy_workspace
    for department in ("観光政策課", "農林課", "学校教育課"):  # resubmissions give the next merge work to do
        name = f"再提出_{department}.xlsx"
        original = ws.inbox / fl.form_file_name(R5, department)
        (ws.inbox / name).write_bytes(original.read_bytes())

        def change(wb):
            sheet = wb[fl.KPI_SHEET]
            sheet.cell(fl.FIRST_ROW, column(fl.KPI_SHEET, "remarks", R5)).value = "再提出"
        edit(ws.inbox / name, change)
    # how long this merge takes here, on a copy: the kills fall anywhere in that span, however fast the machine
    rehearsal = Workspace(shutil.copytree(ws.root, ws.root.parent / "rehearsal"))
    started = time.monotonic()
    assert merge_process(rehearsal).wait(timeout=120) == 0
    span = time.monotonic() - started
    rng = random.Random(int(os.environ.get("KILL_SEED", "20231")))
    kills = 0
    for _ in range(12):
        process = merge_process(ws)
        time.sleep(rng.uniform(0.05, span))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=60)
        consistent(ws)
    final = merge_process(ws)
    out, err = final.communicate(timeout=120)
    assert final.returncode == 0, err
    consistent(ws)
    with sqlite3.connect(ws.history_file) as db:
        names = {r[0] for r in db.execute("SELECT file_name FROM submissions WHERE accepted = 1 AND superseded_by IS NULL")}
    assert {"再提出_観光政策課.xlsx", "再提出_農林課.xlsx", "再提出_学校教育課.xlsx"} <= names
    assert kills >= 3, "the random delays should interrupt several merges"
    SUMMARY["kill test"] = (f"{kills} merges killed (a merge takes {span:.1f} s here), history consistent after "
                            "each, final merge completed")


def test_two_merges_at_once_in_two_processes(busy_workspace):
    ws, _plan = busy_workspace
    first, second = merge_process(ws), merge_process(ws)
    results = [p.communicate(timeout=120) + (p.returncode,) for p in (first, second)]
    for _out, err, code in results:
        assert code == 0 or (code == 1 and "別の集計が実行中です" in err), err
    assert any(code == 0 for *_x, code in results)
    consistent(ws)


def _resubmit(ws) -> None:
    edit(ws.inbox / fl.form_file_name(R5, "農林課"), lambda wb: wb[fl.KPI_SHEET].cell(
        fl.FIRST_ROW, column(fl.KPI_SHEET, "remarks", R5), "修正"))


def _accepted_from(ws, department: str) -> int:
    with sqlite3.connect(ws.history_file) as db:
        return db.execute("SELECT COUNT(*) FROM submissions WHERE department = ? AND accepted = 1",
                          (department,)).fetchone()[0]


def test_a_full_disk_loses_nothing(busy_workspace, monkeypatch):
    ws, plan = busy_workspace
    master = ws.master_file(R5)
    before = master.read_bytes()
    _resubmit(ws)
    import kpireport.runtime.atomic as atomic

    replace = os.replace

    def refuse(src, dst):  # the disk fills up as the master is put in place (its copy in archive/ was made)
        if Path(dst) == master:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        replace(src, dst)
    monkeypatch.setattr(atomic.os, "replace", refuse)
    with pytest.raises(KpireportError, match="書き込めません.*前回の台帳はそのまま残っています"):
        ws.merge()
    assert master.read_bytes() == before  # the previous master is intact
    assert not list(ws.output.rglob(".*.tmp"))  # no half-written file left
    monkeypatch.undo()
    assert _accepted_from(ws, "農林課") == 2  # the accepted resubmission is in the history already
    ws.merge()
    assert master.read_bytes() != before
    consistent(ws)


def test_a_master_open_in_excel_is_said_and_the_next_merge_writes_it(busy_workspace, monkeypatch):
    """Windows refuses to replace a file Excel holds open (PermissionError); the master stays as it was."""
    ws, plan = busy_workspace
    master = ws.master_file(R5)
    before = master.read_bytes()
    _resubmit(ws)
    import kpireport.runtime.atomic as atomic

    real_replace = atomic.os.replace

    def held_open(src, dst):
        if os.path.samefile(os.path.dirname(dst), master.parent) and os.path.basename(dst) == master.name:
            raise PermissionError(errno.EACCES, "The process cannot access the file", str(dst))
        return real_replace(src, dst)
    monkeypatch.setattr(atomic.os, "replace", held_open)
    outcome = ws.merge()
    assert list(outcome.problems) == [master]
    assert outcome.problems[master] == f"台帳 {master} が Excel で開かれています。閉じてからもう一度実行してください。"
    assert master.read_bytes() == before and not list(ws.output.rglob(".*.tmp"))
    assert _accepted_from(ws, "農林課") == 2
    monkeypatch.undo()
    again = ws.merge()
    assert again.problems == {} and master.read_bytes() != before
    consistent(ws)


KILLED_BEFORE_THE_MASTER = """
import os, sys
from pathlib import Path
from kpireport.workspace import Workspace, merging
merging.write_master = lambda data, path: os._exit(9)  # killed after the history's commit, before the master
Workspace(Path(sys.argv[1])).merge()
"""


def test_a_merge_killed_before_its_master_is_written_lists_its_changes_next_time(busy_workspace):
    ws, plan = busy_workspace
    form = ws.inbox / fl.form_file_name(R5, "農林課")
    kpis = [k.id for k in plan.kpis if k.departments == ("農林課",)][:3]

    def change(wb):
        sheet = wb[fl.KPI_SHEET]
        for kpi_id in kpis:
            sheet.cell(row_of(sheet, kpi_id), column(fl.KPI_SHEET, "actual", R5)).value = 7777
    edit(form, change)
    killed = subprocess.run([sys.executable, "-c", KILLED_BEFORE_THE_MASTER, str(ws.root)], capture_output=True,
                            text=True, timeout=120)
    assert killed.returncode == 9, killed.stderr
    consistent_history_only = History(ws.history_file)
    try:  # the resubmission is in the history
        assert consistent_history_only.current("2023")["農林課"].file_name == form.name
    finally:
        consistent_history_only.close()
    rerun = ws.merge()
    assert {state for _, state in rerun.recorded} == {"変更なし"}
    assert sorted(c.ident for c in rerun.data.changes) == sorted(kpis)
    assert all(c.after.startswith("7,777") for c in rerun.data.changes)
    sheet = openpyxl.load_workbook(rerun.master, read_only=True)["変更点"]
    listed = {row[2] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert set(kpis) <= listed
    consistent(ws)
    assert ws.merge().data.changes == []  # once that master is written, nothing is listed twice
