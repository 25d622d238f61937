"""What Excel and LibreOffice Calc actually write into a form, read as the department meant it."""
from __future__ import annotations

import datetime as dt
import os
import time

import openpyxl
import pytest
import xlsxwriter
from calc import calc_available, type_into
from forms_helpers import TEST_KEY, column, edit, filled_form

from kpireport.forms import layout as fl
from kpireport.intake.reader import read_submission
from kpireport.periods import ReportPeriod, as_of_date
from kpireport.plan.load import example_path, load_plan
from kpireport.runtime.atomic import TEMP_SUFFIX
from kpireport.validate.files import validate_files
from kpireport.workspace import Workspace

R5 = ReportPeriod(2023)
DEPT = "観光政策課"


@pytest.fixture(scope="module")
def plan():
    return load_plan(example_path()).plan


def kpi_cell(plan, key: str) -> str:
    sheet = fl.data_sheets(plan, DEPT, R5)[0]
    return f"{openpyxl.utils.get_column_letter(column(fl.KPI_SHEET, key, R5))}{fl.FIRST_ROW}", sheet.rows[0]["id"]


def test_excels_escapes_in_shared_strings_are_decoded(tmp_path):
    path = tmp_path / "escapes.xlsx"
    book = xlsxwriter.Workbook(str(path))  # writes control characters as _xHHHH_ in the shared strings
    sheet = book.add_worksheet("データ")
    sheet.write_string(0, 0, "前半\r\n後半")
    sheet.write_string(1, 0, "abc\x01def")
    sheet.write_string(2, 0, "_x0041_ as typed")  # a literal escape-like text is escaped itself (_x005F_)
    book.close()
    cells = read_submission(path).sheets[0].cells
    assert [cells[(r, 1)].value for r in (1, 2, 3)] == ["前半\r\n後半", "abc\x01def", "_x0041_ as typed"]


def test_a_control_character_saved_as_an_escape_is_found(plan, tmp_path):
    path = filled_form(plan, DEPT, R5, tmp_path)
    where, _ = kpi_cell(plan, "remarks")

    def escaped(book):  # what the file holds after a control character was pasted in Excel
        book[fl.KPI_SHEET][where].value = "abc_x0001_def"
    edit(path, escaped)
    result = validate_files(plan, [path], R5)[0]
    assert [(f.cell, f.code) for f in result.findings] == [(where, "cell-control-chars")]


@pytest.mark.slow  # LibreOffice Calc
def test_free_text_typed_in_calc_stays_as_typed(plan, tmp_path):
    path = filled_form(plan, DEPT, R5, tmp_path)
    as_of, kpi_id = kpi_cell(plan, "as_of")
    remarks, _ = kpi_cell(plan, "remarks")
    typed = type_into(path, [(fl.KPI_SHEET, as_of, "3/31"), (fl.KPI_SHEET, remarks, "1-2")], tmp_path / "typed.xlsx")
    result = validate_files(plan, [typed], R5)[0]
    assert result.findings == ()
    entry = next(e for e in result.kpis if e.kpi_id == kpi_id)
    assert (entry.as_of, entry.remarks) == ("3/31", "1-2")
    assert as_of_date(entry.as_of, R5) == dt.date(2024, 3, 31)


def test_dates_made_of_text_in_an_older_form_are_told(plan, tmp_path):
    """A form made before free text was formatted as text: Excel stored 「1-2」 and 「3/31」 as dates."""
    path = filled_form(plan, DEPT, R5, tmp_path)
    as_of, kpi_id = kpi_cell(plan, "as_of")
    remarks, _ = kpi_cell(plan, "remarks")

    def as_excel_did(book):
        book[fl.KPI_SHEET][as_of].value = dt.datetime(2026, 3, 31)
        book[fl.KPI_SHEET][remarks].value = dt.datetime(2026, 1, 2)
    edit(path, as_excel_did)
    result = validate_files(plan, [path], R5)[0]
    assert sorted((f.cell, f.code) for f in result.findings) == sorted(
        [(as_of, "kpi-asof-converted"), (remarks, "cell-date-in-text")])
    entry = next(e for e in result.kpis if e.kpi_id == kpi_id)
    assert (entry.as_of, entry.remarks) == ("2026-03-31", "2026-01-02")


@pytest.mark.slow  # LibreOffice Calc
@pytest.mark.skipif(not calc_available(), reason="needs LibreOffice Calc to type and evaluate the formula")
def test_a_formula_in_any_input_column_is_told(plan, tmp_path):
    """Text-formatted cells keep 「=1+1」 as text; a form made before that had 備考 in General, where it is a formula."""
    path = filled_form(plan, DEPT, R5, tmp_path)
    remarks, _ = kpi_cell(plan, "remarks")

    def general(book):
        book[fl.KPI_SHEET][remarks].number_format = "General"
    typed = type_into(edit(path, general), [(fl.KPI_SHEET, remarks, "=1+1")], tmp_path / "formula.xlsx")
    result = validate_files(plan, [typed], R5)[0]
    assert [(f.cell, f.code, f.severity) for f in result.findings] == [(remarks, "cell-formula", "warning")]


@pytest.mark.parametrize("text, date", [
    ("令和6年3月末", dt.date(2024, 3, 31)), ("2024年3月末", dt.date(2024, 3, 31)), ("R6.3.31", dt.date(2024, 3, 31)),
    ("R6.3末", dt.date(2024, 3, 31)), ("2024/3/31", dt.date(2024, 3, 31)), ("令和5年度末", dt.date(2024, 3, 31)),
    ("令和6年3月31日時点", dt.date(2024, 3, 31)), ("H31.3", dt.date(2019, 3, 31)), ("3月末", dt.date(2024, 3, 31)),
    ("9/30現在", dt.date(2023, 9, 30)), ("R６．３．３１", dt.date(2024, 3, 31)),
    ("R6.2.30", None), ("13/1", None), ("集計中", None)])
def test_as_of_as_people_write_it(text, date):
    assert as_of_date(text, R5) == date


def test_temporary_files_of_killed_runs_are_cleaned_up_at_the_next_run(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    old = time.time() - 3600
    left = [ws.feedback / f".控え.xlsx{TEMP_SUFFIX}", ws.output / f".master.xlsx{TEMP_SUFFIX}"]
    for path in left:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
        os.utime(path, (old, old))
    fresh = ws.feedback / f".控え2.xlsx{TEMP_SUFFIX}"  # a `validate` still at work keeps its own
    fresh.write_bytes(b"half")
    killed = ws.output / f".report.docx{TEMP_SUFFIX}"  # output/ itself: the lock says no one else writes it
    killed.write_bytes(b"half")
    ws.merge()
    assert not any(p.exists() for p in left) and fresh.exists() and not killed.exists()


def test_the_forms_key_is_not_needed_to_read_old_files(plan, tmp_path):
    """Library callers that do not check signatures still read signed forms."""
    path = filled_form(plan, DEPT, R5, tmp_path, key=TEST_KEY)
    assert validate_files(plan, [path], R5)[0].findings == ()
