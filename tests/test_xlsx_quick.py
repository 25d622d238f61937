"""The master's quick cell path writes exactly what xlsxwriter's own cell path writes."""
from __future__ import annotations

import datetime
import zipfile

import pytest
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from kpireport.master import write_master
from kpireport.merge import run_merge
from kpireport.period import ReportPeriod
from kpireport.plan import load_plan
from kpireport.workspace import init_workspace
from kpireport.xlsx_quick import QuickSheet

from forms_helpers import filled_form

SEPT = ReportPeriod(2023, 9)


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    ws = init_workspace(tmp_path_factory.mktemp("quick") / "ws")
    plan = load_plan(ws.plan_file).plan
    for department in ("観光政策課", "農林課", "学校教育課"):
        filled_form(plan, department, SEPT, ws.inbox)
    return run_merge(ws, period_text="2023-09").data


def test_the_master_is_byte_for_byte_what_xlsxwriter_writes(merged, tmp_path, monkeypatch):
    quick = write_master(merged, tmp_path / "quick.xlsx")
    monkeypatch.setattr(QuickSheet, "_write_cell", Worksheet._write_cell)  # xlsxwriter's general path
    general = write_master(merged, tmp_path / "general.xlsx")
    quick_parts, general_parts = _parts(quick), _parts(general)
    assert quick_parts.keys() == general_parts.keys()
    sheets = [name for name in quick_parts if name.startswith("xl/worksheets/sheet")]
    assert len(sheets) == 7
    for name in quick_parts:
        assert quick_parts[name] == general_parts[name], name
    kpis = quick_parts["xl/worksheets/sheet2.xml"]
    assert kpis.count(b't="s"') > 100 and kpis.count(b"/>") > 100  # text, numbers and blanks all went this way


def test_other_cells_and_a_constant_memory_book_take_xlsxwriter_s_path(tmp_path):
    for options in ({}, {"constant_memory": True}):
        written = {}
        for name, cls in (("quick", QuickSheet), ("general", Worksheet)):
            path = tmp_path / f"{name}{len(options)}.xlsx"
            book = xlsxwriter.Workbook(str(path), options)
            sheet = book.add_worksheet("s", worksheet_class=cls)
            bold = book.add_format({"bold": True})
            sheet.write_string(0, 0, "見出し & <印>", bold)
            sheet.write_number(0, 1, 1234.5678901234567, bold)
            sheet.write_blank(0, 2, None, bold)
            sheet.write_string(1, 0, "書式なし")
            sheet.write_number(1, 1, 0.1)
            sheet.write_formula(1, 2, "=A1&B2", bold, "x")
            sheet.write_boolean(2, 0, True, bold)
            sheet.write_datetime(2, 1, datetime.datetime(2023, 9, 1), book.add_format({"num_format": "yyyy/m/d"}))
            book.close()
            written[name] = _parts(path)
        assert written["quick"] == written["general"], options
