"""The library beneath the command line: each job is one call on a Workspace and returns a result object;
`merge` and `report` hand the writers the same period's results, built in one place from the history."""
from __future__ import annotations

import os
import time

import pytest
from forms_helpers import column, edit, filled_form, row_of

from kpireport.errors import KpireportError
from kpireport.evaluate.results import PeriodResults
from kpireport.forms import layout as fl
from kpireport.history.store import form_key_in
from kpireport.periods import ReportPeriod
from kpireport.workspace import Workspace
from kpireport.workspace.reporting import period_data

SEPT = ReportPeriod(2023, 9)
TOURISM, FARMING = "観光政策課", "農林課"


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace.create(tmp_path / "ws")


def submit(ws: Workspace, department: str, value: str | None = None, age: float = 0.0) -> None:
    plan = ws.plan()
    path = filled_form(plan, department, SEPT, ws.inbox, key=form_key_in(ws.history_file))
    if value is not None:
        kpi = next(k for k in plan.kpis if k.departments == (department,))

        def change(book):
            sheet = book[fl.KPI_SHEET]
            sheet.cell(row_of(sheet, kpi.id), column(fl.KPI_SHEET, "actual", SEPT)).value = value
        edit(path, change)
    stamp = time.time() - 100 + age  # later submissions get later modification times
    os.utime(path, (stamp, stamp))


def comparable(data: PeriodResults) -> tuple:
    """What the master and the report are written from, without the time of the build."""
    return (data.evaluations, data.values, data.statuses, data.findings, data.changes, data.first_merge,
            data.attention, data.initiatives, data.narratives)


@pytest.mark.slow  # whole jobs: forms written, merges, a report
def test_jobs_return_what_they_did(ws):
    made = ws.make_forms(SEPT.key, [TOURISM, FARMING])
    assert made.period == SEPT and [p.name for p in made.written] == [
        fl.form_file_name(SEPT, TOURISM), fl.form_file_name(SEPT, FARMING)]
    assert all(p.parent == made.folder == ws.forms_folder(SEPT) for p in made.written)
    submit(ws, TOURISM)
    submit(ws, FARMING, value="人が多い", age=1)  # text where a number belongs: sent back

    checked = ws.validate(period=SEPT.key)
    assert [r.department for r in checked.results] == [TOURISM, FARMING]
    assert not checked.valid and list(checked.copies) == [fl.form_file_name(SEPT, FARMING)]
    assert checked.as_dict()["stats"] == {"files": 2, "valid_files": 1, "errors": checked.results[1].errors,
                                           "warnings": checked.results[0].warnings + checked.results[1].warnings}

    merged = ws.merge(period=SEPT.key)
    assert (merged.accepted, merged.sent_back, merged.unchanged) == (1, 1, 0)
    assert merged.master_written and merged.master == ws.master_file(SEPT) and merged.master.is_file()

    status = ws.status(SEPT.key)
    assert [s.department for s in status.where("提出済")] == [TOURISM]
    assert [s.department for s in status.where("要再提出")] == [FARMING]
    assert TOURISM not in [s.department for s in status.where("未提出")]

    report = ws.report(SEPT.key, sections=["表紙", "達成状況"], pdf=False)
    assert report.path == ws.report_file(SEPT) and report.path.is_file() and report.pdf is None
    # the department whose file was sent back is listed to resubmit, not among the silent ones
    assert ("要再提出の課", FARMING) in [(row.kind, row.department) for row in report.missing]
    assert ("未提出の課", FARMING) not in [(row.kind, row.department) for row in report.missing]


@pytest.mark.slow  # whole jobs: forms written, merges, a report
def test_merge_and_report_hand_the_writers_the_same_results(ws):
    submit(ws, TOURISM)
    first = ws.merge(period=SEPT.key)
    assert first.data.first_merge and comparable(first.data) == comparable(period_data(ws, SEPT.key))

    submit(ws, TOURISM, value="1234", age=1)  # a later file of the same department replaces the first
    submit(ws, FARMING, value="人が多い", age=2)
    second = ws.merge(period=SEPT.key)
    assert not second.data.first_merge and second.data.changes  # the changed value is listed
    assert {f.file for f in second.data.findings} >= {fl.form_file_name(SEPT, FARMING)}
    assert comparable(second.data) == comparable(period_data(ws, SEPT.key))


def test_a_job_that_cannot_be_done_raises_with_a_japanese_message(ws, tmp_path):
    with pytest.raises(KpireportError, match="報告期間「来年」を読めません"):
        ws.merge(period="来年")
    with pytest.raises(KpireportError, match="受信フォルダ"):
        ws.merge(inbox=tmp_path / "none")
    with pytest.raises(KpireportError, match="履歴データベース"):
        ws.check_history()
    with pytest.raises(KpireportError, match="埋め込みの例「横浜市」はありません"):
        Workspace.create(tmp_path / "other", example="横浜市")


@pytest.mark.slow  # whole jobs: forms written, merges, a report
def test_override_is_set_and_cleared_through_the_library(ws):
    kpi = ws.plan().kpis[0].id
    assert ws.override(kpi, "A", "速報値で確認", SEPT.key) == SEPT
    with pytest.raises(KpireportError, match="理由"):
        ws.override(kpi, "A", None, SEPT.key)
    ws.override(kpi, None, period=SEPT.key)
    assert ws.check_history() == []
