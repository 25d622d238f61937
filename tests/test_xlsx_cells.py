"""The fast cell reader gives exactly what the openpyxl reader gives, or hands the file back to it."""
from __future__ import annotations

import datetime
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import shared_folder
from forms_helpers import TEST_KEY

from kpireport.demo.fill import fill_form
from kpireport.forms.writer import write_form
from kpireport.intake import reader as intake
from kpireport.intake.reader import IntakeLimits, read_cells, read_cells_fast, read_submission
from kpireport.periods import ReportPeriod
from kpireport.workspace import Workspace

LIMITS = IntakeLimits()
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def both_readers(path: Path):
    """(fast result or None, openpyxl result or the refusal's finding code) for a file intake accepts
    up to the cell reading; None when intake refuses it before that."""
    data = path.read_bytes()
    try:
        intake.sniff(data, path.name)
        with intake.check_zip(data, LIMITS, path.name) as archive:
            part = intake.check_content_types(archive, path.name)
            intake.check_xml_parts(archive, path.name)
            listed = intake.listed_sheets(archive, part)
            fast = read_cells_fast(archive, part, LIMITS, path.name)
    except intake._Refused:
        return None
    try:
        slow = read_cells(data, LIMITS, path.name, listed)
    except intake._Refused as refusal:
        slow = refusal.finding.code
    return fast, slow


def rich_workbook(path: Path) -> Path:
    """What a department's Excel may hold: numbers, text, dates, %, booleans, formulas, hidden sheets."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "KPI実績"
    ws["A1"] = "指標名"
    ws["B2"] = 0.227
    ws["B2"].number_format = "0.0%"
    ws["C3"] = datetime.datetime(2024, 3, 31)
    ws["C3"].number_format = "yyyy/mm/dd"
    ws["C4"] = datetime.time(12, 30)
    ws["D4"] = "=B2*2"
    ws["E5"] = True
    ws["F6"] = "  前後に空白  "
    ws["G7"] = "一行目\n二行目"
    ws["H8"] = 12345678901234
    ws["I9"] = -1.5e-7
    ws["J10"] = "=SUM(B2:B3)"
    ws["K200"] = "遠くの行"
    hidden = wb.create_sheet("隠し")
    hidden["A1"] = "内部"
    hidden.sheet_state = "veryHidden"
    wb.save(path)
    return path


def test_same_cells_as_openpyxl_on_a_rich_workbook(tmp_path):
    fast, slow = both_readers(rich_workbook(tmp_path / "rich.xlsx"))
    assert fast is not None and fast == slow
    sheets, _ = fast
    cells = sheets[0].cells
    assert cells[(2, 2)].value == 0.227 and cells[(2, 2)].number_format == "0.0%"
    assert cells[(3, 3)].value == datetime.datetime(2024, 3, 31)
    assert cells[(4, 4)].formula == "=B2*2" and cells[(4, 4)].value is None
    assert cells[(5, 5)].value is True
    assert cells[(200, 11)].value == "遠くの行"
    assert sheets[1].state == "veryHidden"


def test_same_cells_as_openpyxl_on_generated_and_filled_forms(tmp_path, document):
    """A form as kpireport writes it (xlsxwriter) and as a department saves it (openpyxl here)."""

    plan = Workspace.create(tmp_path / "ws", document=document).plan()
    period = ReportPeriod(plan.settings.actual_year)
    department = plan.departments[0].name
    blank = write_form(plan, department, period, tmp_path / "blank.xlsx", TEST_KEY)
    filled = fill_form(blank, plan, department, period, tmp_path / "filled.xlsx")
    for path in (blank, filled):
        fast, slow = both_readers(path)
        assert fast is not None and fast == slow, path.name
        assert sum(len(s.cells) for s in fast[0]) > 50


def shared_strings_workbook(path: Path) -> Path:
    """Text in a shared-strings table as Calc and Japanese Excel save it: a plain item, an item in runs (Calc
    writes one run per script's font) and an item with its reading (Excel keeps what was typed with an IME)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(tmp := path.with_suffix(".tmp.xlsx")))
    sheet = workbook.add_worksheet("KPI実績")
    sheet.write_string(0, 0, "指標名")
    sheet.write_rich_string(1, 0, "令和", workbook.add_format({"font_name": "游ゴシック"}), "5", "年度 実績")
    sheet.write_string(2, 0, "観光客数")
    workbook.close()
    with zipfile.ZipFile(tmp) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/sharedStrings.xml":
                data = data.replace("<t>観光客数</t>".encode(), '<t>観光客数</t><rPh sb="0" eb="2"><t>カンコウ</t></rPh>'
                                    '<phoneticPr fontId="1"/>'.encode())
            zout.writestr(info, data)
    return path


@pytest.mark.parametrize("whole_table_bytes", [1024 * 1024, 0])  # the table parsed whole, and streamed
def test_shared_strings_in_runs_and_with_readings_as_openpyxl(tmp_path, monkeypatch, whole_table_bytes):
    from kpireport.intake import xlsx_cells

    monkeypatch.setattr(xlsx_cells, "WHOLE_TABLE_BYTES", whole_table_bytes)
    fast, slow = both_readers(shared_strings_workbook(tmp_path / "sst.xlsx"))
    assert fast is not None and fast == slow
    assert [fast[0][0].cells[(row, 1)].value for row in (1, 2, 3)] == ["指標名", "令和5年度 実績", "観光客数"]


@pytest.mark.parametrize("whole_table_bytes", [1024 * 1024, 0])
@pytest.mark.parametrize("index", ["-1", "3"])  # before the table's first entry, past its last (it has three)
def test_a_shared_string_the_table_lacks_goes_to_openpyxl(tmp_path, monkeypatch, whole_table_bytes, index):
    """A cell naming an entry the table does not have: the fast reader hands the file to openpyxl, whole table
    or streamed, and never takes an entry counted from the table's end."""
    from kpireport.intake import xlsx_cells

    monkeypatch.setattr(xlsx_cells, "WHOLE_TABLE_BYTES", whole_table_bytes)
    path = _rewrite_sheet(shared_strings_workbook(tmp_path / "sst.xlsx"), tmp_path / "odd.xlsx",
                          sheet(f'<row r="1"><c r="A1" t="s"><v>{index}</v></c></row>'))
    with zipfile.ZipFile(path) as archive:
        assert archive.read("xl/sharedStrings.xml").count(b"<si>") == 3
    fast, _ = both_readers(path)
    assert fast is None


def test_sheets_to_skip_keep_their_name_and_state_only(tmp_path):
    path = rich_workbook(tmp_path / "rich.xlsx")
    whole = read_submission(path)
    skipped = read_submission(path, skip_cells=frozenset({"隠し"}))
    assert [(s.name, s.state) for s in skipped.sheets] == [(s.name, s.state) for s in whole.sheets]
    assert skipped.sheets[0] == whole.sheets[0] and whole.sheets[1].cells and whole.sheets[1].cells_read
    assert skipped.sheets[1].cells == {} and not skipped.sheets[1].cells_read
    assert skipped.findings == whole.findings


@pytest.mark.slow  # every corpus file read by both readers (over a second)
def test_corpus_files_read_the_same_or_are_handed_back():
    """Every corpus file: the fast reader agrees with openpyxl, or hands the file back (None), or reads a
    file openpyxl cannot (where openpyxl's own bug, not the file, is the reason)."""
    compared = agreed = handed_back = read_where_openpyxl_failed = 0
    for path in sorted(shared_folder("corpus").glob("*.xlsx")):
        outcome = both_readers(path)
        if outcome is None:
            continue
        compared += 1
        fast, slow = outcome
        if fast is None:
            handed_back += 1
        elif isinstance(slow, str):
            read_where_openpyxl_failed += 1
            assert slow == "file-unreadable", path.name
        else:
            assert fast == slow, path.name
            agreed += 1
    print(f"corpus: {compared} compared, {agreed} same, {handed_back} handed back, "
          f"{read_where_openpyxl_failed} read where openpyxl failed")
    assert agreed >= 15 and compared == agreed + handed_back + read_where_openpyxl_failed


def _rewrite_sheet(src: Path, dst: Path, sheet_xml: str, workbook_pr: str = "") -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            elif info.filename == "xl/workbook.xml" and workbook_pr:
                data = data.replace(b"<workbookPr/>", workbook_pr.encode())
            zout.writestr(info, data)
    return dst


def _base(tmp_path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "S"
    wb.active["A1"] = "x"
    wb.active["A1"].number_format = "yyyy/mm/dd"  # gives cell style 1 a date format
    path = tmp_path / "base.xlsx"
    wb.save(path)
    return path


def sheet(rows: str) -> str:
    return f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows}</sheetData></worksheet>'


@pytest.mark.parametrize("rows", [
    # shared formula: the master and a dependent translated to its own cell
    '<row r="1"><c r="A1"><f t="shared" ref="A1:A2" si="0">B1*2</f><v>4</v></c></row>'
    '<row r="2"><c r="A2"><f t="shared" si="0"/><v>6</v></c></row>',
    # cells and rows without r attributes
    '<row><c t="inlineStr"><is><t>a</t></is></c><c><v>2</v></c></row><row><c t="b"><v>1</v></c></row>',
    # rich inline text with a phonetic run (left out, as openpyxl does), an error value, a str result
    '<row r="1"><c r="A1" t="inlineStr"><is><r><t>東</t></r><r><t>京</t></r><rPh sb="0" eb="1"><t>トウ</t></rPh>'
    '</is></c><c r="B1" t="e"><v>#N/A</v></c><c r="C1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c></row>',
    # a date serial out of range in a date-formatted cell
    '<row r="1"><c r="A1" s="1"><v>99999999</v></c><c r="B1" s="1"><v>45382</v></c></row>',
    # an empty formula, an array formula, a blank styled cell
    '<row r="3"><c r="A3"><f/></c><c r="B3"><f t="array" ref="B3">SUM(A1:A2)</f><v>3</v></c><c r="C3" s="1"/></row>',
    # one child that does not fit the cell's type: a v in an inline string cell, an is in a number cell,
    # an extension list alone; then the same children with a formula beside them
    '<row r="1"><c r="A1" t="inlineStr"><v>5</v></c><c r="B1"><is><t>x</t></is></c><c r="C1"><extLst/></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><f>1+1</f><v>5</v></c><c r="B2"><is><t>x</t></is><f>1</f></c></row>',
])
def test_sheet_features_match_openpyxl(tmp_path, rows):
    path = _rewrite_sheet(_base(tmp_path), tmp_path / "case.xlsx", sheet(rows))
    fast, slow = both_readers(path)
    assert fast is not None and fast == slow


def test_dates_in_the_1904_calendar(tmp_path):
    path = _rewrite_sheet(_base(tmp_path), tmp_path / "mac.xlsx",
                          sheet('<row r="1"><c r="A1" s="1"><v>1</v></c></row>'),
                          workbook_pr='<workbookPr date1904="1"/>')
    fast, slow = both_readers(path)
    assert fast == slow
    assert fast[0][0].cells[(1, 1)].value == datetime.datetime(1904, 1, 2)  # day 1 of the 1904 calendar


def test_out_of_range_date_is_a_finding(tmp_path):
    path = _rewrite_sheet(_base(tmp_path), tmp_path / "date.xlsx",
                          sheet('<row r="1"><c r="A1" s="1"><v>99999999</v></c></row>'))
    sub = read_submission(path)
    assert [(f.code, f.cell) for f in sub.findings] == [("cell-date-out-of-range", "A1")]


def test_row_limit_and_empty_run_as_openpyxl(tmp_path):
    limits = IntakeLimits(max_rows=5, max_empty_run=3)
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in (1, 2, 3, 9, 10))
    path = _rewrite_sheet(_base(tmp_path), tmp_path / "gap.xlsx", sheet(rows))
    data = path.read_bytes()
    with intake.check_zip(data, limits, path.name) as archive:
        fast = read_cells_fast(archive, "xl/workbook.xml", limits, path.name)
    slow = read_cells(data, limits, path.name)
    assert fast == slow
    assert sorted(fast[0][0].cells) == [(1, 1), (2, 1), (3, 1)]  # stopped after three empty rows
    many = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 9))
    path = _rewrite_sheet(_base(tmp_path), tmp_path / "long.xlsx", sheet(many))
    data = path.read_bytes()
    with intake.check_zip(data, limits, path.name) as archive:
        fast = read_cells_fast(archive, "xl/workbook.xml", limits, path.name)
    assert fast == read_cells(data, limits, path.name)
    assert [f.code for f in fast[1]] == ["file-too-large"]


def test_unexpected_content_goes_to_openpyxl(tmp_path, monkeypatch):
    """A cell type the fast reader does not know: the file is read by openpyxl, nothing is lost."""
    path = _rewrite_sheet(_base(tmp_path), tmp_path / "odd.xlsx",
                          sheet('<row r="1"><c r="A1" t="zz"><v>1</v></c></row>'))
    fast, slow = both_readers(path)
    assert fast is None
    calls = []
    real = intake.read_cells
    monkeypatch.setattr(intake, "read_cells", lambda *a, **k: calls.append(1) or real(*a, **k))
    read_submission(path)
    assert calls == [1]
