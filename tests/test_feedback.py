"""Feedback copies: the department's own workbook, marked, still the same form."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path, PurePosixPath

import openpyxl
import pytest
import xlsxwriter
from office import pdf_text, to_pdf

from kpireport.model import Finding
from kpireport.validate.feedback import AUTHOR, ERROR_RGB, FEEDBACK_SHEET, WARNING_RGB, display_width, write_feedback

MAIN = "KPI実績"
META = "_meta"
INPUT_RGB = "FFF2CC"  # the form's own shading of input cells
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def build_form(path: Path) -> Path:
    """A small form like the ones kpireport sends: locked headers, unlocked shaded inputs,
    a drop-down, sheet protection, a hidden metadata sheet, number formats, a comment."""
    wb = xlsxwriter.Workbook(str(path))
    header = wb.add_format({"bold": True, "locked": True, "bg_color": "#D9D9D9", "border": 1})
    label = wb.add_format({"locked": True, "border": 1})
    number_in = wb.add_format({"locked": False, "bg_color": "#" + INPUT_RGB, "num_format": "#,##0.0", "border": 1})
    percent_in = wb.add_format({"locked": False, "bg_color": "#" + INPUT_RGB, "num_format": "0.0%", "border": 1})
    text_in = wb.add_format({"locked": False, "bg_color": "#" + INPUT_RGB, "border": 1})
    note_column = wb.add_format({"locked": False, "num_format": "@"})

    ws = wb.add_worksheet(MAIN)
    ws.set_column("A:A", 30)
    ws.set_column("B:D", 12)
    ws.set_column("E:E", 20, note_column)  # 備考: unlocked by its column format, cells absent
    for col, text in enumerate(["KPI名", "実績値", "達成率", "評価", "備考"]):
        ws.write(0, col, text, header)
    rows = [("観光入込客数", 1234.5, 0.5), ("市民満足度", 67.0, 0.875), ("待機児童数", 3.0, 1.0)]
    for r, (name, actual, rate) in enumerate(rows, start=1):
        ws.write(r, 0, name, label)
        ws.write_number(r, 1, actual, number_in)
        ws.write_number(r, 2, rate, percent_in)
        ws.write_blank(r, 3, None, text_in)
    ws.write_string(1, 3, "A", text_in)
    ws.data_validation("D2:D4", {"validate": "list", "source": ["A", "B", "C", "D"]})
    ws.write_comment("A2", "前年度から定義変更あり", {"author": "企画課"})
    ws.protect("secret")

    meta = wb.add_worksheet(META)
    for r, (key, value) in enumerate([("form_id", "kpi-2024"), ("department", "企画課"), ("version", 3)]):
        meta.write(r, 0, key)
        meta.write(r, 1, value)
    meta.hide()
    meta.protect("secret")
    ws.activate()
    wb.close()
    return path


@pytest.fixture
def form(tmp_path) -> Path:
    return build_form(tmp_path / "企画課_KPI実績.xlsx")


def _findings(file: str) -> list[Finding]:
    return [
        Finding("kpi-value-unreadable", "error", "実績値が数値として読めません。数値だけを入力してください。",
                file, MAIN, "B2", "1234.5"),
        Finding("kpi-jump", "warning", "前年度から3倍以上増えています。単位を確認してください。", file, MAIN, "B2", "1234.5"),
        Finding("grade-missing", "warning", "評価が空欄です。一覧から選んでください。", file, MAIN, "D3", ""),
        Finding("form-version-old", "warning", "古い様式です。最新の様式で提出してください。", file),
    ]


def _snapshot(ws) -> dict:
    return {
        c.coordinate: (c.value, c.number_format, c.protection.locked, c.fill.fgColor.rgb, c.fill.fill_type,
                       c.font.b, c.border.left.style, c.comment.text if c.comment else None)
        for row in ws.iter_rows() for c in row
    }


def _sheet_xml(path: Path, sheet_name: str) -> ET.Element:
    """The XML root of a worksheet part, found through workbook.xml and its relationships."""
    with zipfile.ZipFile(path) as z:
        workbook = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        sheet = next(s for s in workbook.find("m:sheets", NS) if s.get("name") == sheet_name)
        rid = sheet.get(f"{{{REL_NS}}}id")
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        return ET.fromstring(z.read(part))


def _fill_xml(cell) -> bytes:
    return ET.tostring(cell.fill.to_tree())


def _comment_box_sizes(path: Path) -> list[tuple[int, int]]:
    """(width, height) in px of every comment box in the legacy drawing parts."""
    sizes = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".vml"):
                text = z.read(name).decode("utf-8")
                sizes += [(int(w), int(h)) for w, h in re.findall(r"width:(\d+)px;\s*height:(\d+)px", text)]
    return sizes


def _is_fill(cell, rgb: str) -> bool:
    return cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb[-6:] == rgb


# ----------------------------------------------------------------------------------------------


def test_display_width_counts_wide_characters_as_two():
    assert display_width("abc") == 3
    assert display_width("検証") == 4
    assert display_width("ＫＰＩ1") == 7


def test_feedback_marks_cells_and_keeps_the_form(form, tmp_path):
    target = tmp_path / "out" / "返送" / "企画課_KPI実績_検証結果.xlsx"
    findings = _findings(form.name)
    assert write_feedback(form, findings, target) == target
    assert target.exists()
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]  # no temp files left

    source = openpyxl.load_workbook(form)
    result = openpyxl.load_workbook(target)
    # sheets: the new one first, the others in their order, with their names and states
    assert result.sheetnames == [FEEDBACK_SHEET, MAIN, META]
    assert result.active.title == FEEDBACK_SHEET
    assert [ws.sheet_view.tabSelected for ws in result.worksheets] == [True, False, False]
    assert result[META].sheet_state == "hidden"
    assert result[MAIN].sheet_state == "visible"
    # protection and drop-downs
    for name in (MAIN, META):
        assert result[name].protection.sheet
        assert result[name].protection.password == source[name].protection.password
    validations = result[MAIN].data_validations.dataValidation
    assert len(validations) == 1
    assert validations[0].type == "list"
    assert str(validations[0].sqref) == "D2:D4"
    assert validations[0].formula1 == '"A,B,C,D"'

    # values, number formats, locks unchanged everywhere; fills/comments only where marked
    before, after = _snapshot(source[MAIN]), _snapshot(result[MAIN])
    marked = {"B2", "D3"}
    for coordinate, old in before.items():
        new = after[coordinate]
        assert new[:3] == old[:3], coordinate  # value, number format, locked
        assert new[5:7] == old[5:7], coordinate  # font, border
        if coordinate not in marked:
            assert new == old, coordinate
    assert _snapshot(result[META]) == _snapshot(source[META])

    b2, d3 = result[MAIN]["B2"], result[MAIN]["D3"]
    assert _is_fill(b2, ERROR_RGB)  # error wins over the warning on the same cell
    assert _is_fill(d3, WARNING_RGB)
    assert b2.number_format == "#,##0.0" and b2.protection.locked is False
    assert b2.comment.author == AUTHOR
    assert b2.comment.text == ("【エラー】実績値が数値として読めません。数値だけを入力してください。\n"
                               "【警告】前年度から3倍以上増えています。単位を確認してください。")
    assert d3.comment.text == "【警告】評価が空欄です。一覧から選んでください。"
    sizes = sorted(s for s in _comment_box_sizes(target) if s != (144, 79))  # not the form's own
    assert len(sizes) == 2 and all(w >= 300 for w, _ in sizes)
    assert sizes[1][1] > sizes[0][1]  # two findings: a taller box
    # the form's own comment stays as it was
    assert result[MAIN]["A2"].comment.text == source[MAIN]["A2"].comment.text
    assert result[MAIN]["A2"].comment.author == "企画課"

    # the 検証結果 sheet
    sheet = result[FEEDBACK_SHEET]
    assert sheet["A1"].value == f"検証結果: {form.name}"
    assert sheet["A2"].value == "エラー 1件、警告 3件"
    assert "赤色・橙色のセルにコメントで直し方を書いています。" in sheet["A3"].value
    # the legend: each mark colour in a cell of that colour, what it asks, and that yellow is the form's input
    assert [c.value for c in sheet[5][:3]] == ["凡例", "エラー", "警告"]
    assert [sheet.cell(5, c).fill.fgColor.rgb[-6:] for c in (2, 3)] == [ERROR_RGB, WARNING_RGB]
    assert "直さないと受け付けられません" in sheet["E5"].value and "黄色は様式の入力欄" in sheet["E5"].value
    assert [c.value for c in sheet[6][:7]] == ["No", "重要度", "場所", "指摘", "内容", "入力値", "コード"]
    table = [[c.value for c in row[:7]] for row in sheet.iter_rows(min_row=7, max_row=10)]
    assert table == [
        [1, "エラー", "KPI実績!B2", "数値として読めない", findings[0].message, "1234.5", "kpi-value-unreadable"],
        [2, "警告", "KPI実績!B2", "前回から大きく変化", findings[1].message, "1234.5", "kpi-jump"],
        [3, "警告", "KPI実績!D3", "grade-missing", findings[2].message, None, "grade-missing"],
        [4, "警告", "ファイル全体", "form-version-old", findings[3].message, None, "form-version-old"],
    ]
    # a catalogued finding shows its title; these two hand-made codes are in no catalogue: the code stands in
    assert sheet["G7"].font.color.rgb[-6:] == "808080" and sheet.column_dimensions["G"].width <= 8
    assert sheet.max_row == 10 or all(c.value is None for c in sheet[11][:7])
    links = {c.coordinate: c.hyperlink for row in sheet.iter_rows(min_row=7, max_row=10) for c in row if c.hyperlink}
    assert {k: v.location for k, v in links.items()} == {
        "C7": "'KPI実績'!B2", "C8": "'KPI実績'!B2", "C9": "'KPI実績'!D3"}
    assert sheet.freeze_panes == "A7"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$6:$6"
    assert sheet["D7"].alignment.wrap_text
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["B"].width


def test_empty_cell_keeps_its_column_format_when_marked(form, tmp_path):
    """E3 has no cell record: Excel shows it unlocked by its column's format; it must stay so."""
    target = tmp_path / "fb.xlsx"
    finding = Finding("note-too-long", "warning", "備考が長すぎます。", form.name, MAIN, "E3", "")
    write_feedback(form, [finding], target)
    cell = openpyxl.load_workbook(target)[MAIN]["E3"]
    assert _is_fill(cell, WARNING_RGB)
    assert cell.protection.locked is False
    assert cell.number_format == "@"
    assert cell.value is None


def test_findings_on_unknown_places_are_listed_without_marks(form, tmp_path):
    target = tmp_path / "fb.xlsx"
    findings = [
        Finding("x", "error", "シートがありません。", form.name, "存在しないシート", "A1", ""),
        Finding("y", "warning", "セル番地が読めません。", form.name, MAIN, "行5", ""),
        Finding("z", "error", "範囲の問題です。", form.name, MAIN, "$C$2:$C$4", ""),
    ]
    write_feedback(form, findings, target)
    wb = openpyxl.load_workbook(target)
    sheet = wb[FEEDBACK_SHEET]
    assert [sheet.cell(row=r, column=3).value for r in (7, 8, 9)] == ["存在しないシート!A1", "KPI実績!行5", "KPI実績!C2"]
    assert sheet["C7"].hyperlink is None and sheet["C8"].hyperlink is None
    assert sheet["C9"].hyperlink.location == "'KPI実績'!C2"
    assert _is_fill(wb[MAIN]["C2"], ERROR_RGB)
    assert wb.sheetnames == [FEEDBACK_SHEET, MAIN, META]


def test_feedback_on_a_feedback_copy_replaces_the_old_marks(form, tmp_path):
    first = tmp_path / "first.xlsx"
    second = tmp_path / "second.xlsx"
    write_feedback(form, _findings(form.name) + [
        Finding("c", "warning", "コメント付きのセルです。", form.name, MAIN, "A2", "観光入込客数")], first)
    marked = openpyxl.load_workbook(first)[MAIN]
    assert marked["A2"].comment.author == AUTHOR and "前年度から定義変更あり" in marked["A2"].comment.text

    new = Finding("rate-over", "error", "達成率が100%を超えています。", "first.xlsx", MAIN, "C4", "1")
    assert write_feedback(first, [new], second) == second

    source = openpyxl.load_workbook(form)[MAIN]
    wb = openpyxl.load_workbook(second)
    assert wb.sheetnames == [FEEDBACK_SHEET, MAIN, META]
    assert wb[META].sheet_state == "hidden"
    ws = wb[MAIN]
    # stale marks are gone and the cells look exactly as in the original form
    for coordinate in ("B2", "D3", "A2"):
        assert _fill_xml(ws[coordinate]) == _fill_xml(source[coordinate]), coordinate
    assert ws["B2"].comment is None and ws["D3"].comment is None
    assert ws["A2"].comment.text == source["A2"].comment.text and ws["A2"].comment.author == "企画課"
    assert _is_fill(ws["C4"], ERROR_RGB) and ws["C4"].comment.text == "【エラー】達成率が100%を超えています。"
    comments = [c.coordinate for row in ws.iter_rows() for c in row if c.comment and c.comment.author == AUTHOR]
    assert comments == ["C4"]
    sheet = wb[FEEDBACK_SHEET]
    assert sheet["A2"].value == "エラー 1件、警告 0件"
    assert sheet["C7"].value == "KPI実績!C4" and sheet["C8"].value is None
    for row in ws.iter_rows():
        for c in row:
            assert c.value == source[c.coordinate].value


def test_stale_marks_are_recognised_without_the_old_sheet(form, tmp_path):
    """The department deleted 検証結果 but kept the marks: they are still recognised and removed."""
    first = tmp_path / "first.xlsx"
    write_feedback(form, _findings(form.name), first)
    wb = openpyxl.load_workbook(first)
    del wb[FEEDBACK_SHEET]
    wb.save(first)

    second = tmp_path / "second.xlsx"
    write_feedback(first, [], second)
    result = openpyxl.load_workbook(second)
    assert result.sheetnames == [FEEDBACK_SHEET, MAIN, META]
    ws = result[MAIN]
    for coordinate in ("B2", "D3"):
        assert not _is_fill(ws[coordinate], ERROR_RGB) and not _is_fill(ws[coordinate], WARNING_RGB)
        assert ws[coordinate].comment is None
    assert result[FEEDBACK_SHEET]["A2"].value == "エラー 0件、警告 0件"


def test_texts_are_never_written_as_formulas(tmp_path):
    form = build_form(tmp_path / "=HYPERLINK(1).xlsx")
    target = tmp_path / "fb.xlsx"
    nasty = ['=HYPERLINK("http://example.com","x")', "+1", "-1", "@SUM(A1)", "=1+1"]
    findings = [Finding(text if i % 2 else "code", "error", text, form.name, MAIN, "B3", nasty[(i + 1) % len(nasty)])
                for i, text in enumerate(nasty)]
    findings.append(Finding("ctl", "warning", "制御\x01文字\x1fと\x7f\r\n改行\tタブ", "", "", "", "a\x00b\ud800c"))
    assert write_feedback(form, findings, target) == target

    root = _sheet_xml(target, FEEDBACK_SHEET)
    assert root.findall(".//m:f", NS) == []
    texts = ["".join(t.itertext()) for t in root.iter(f"{{{NS['m']}}}is")]
    for text in nasty:
        assert text in texts
    assert "検証結果: =HYPERLINK(1).xlsx" in texts
    assert "制御?文字?と?\n改行\tタブ" in texts
    assert "a?b?c" in texts
    # the form itself still has no formulas either, and the comment holds the text literally
    assert _sheet_xml(target, MAIN).findall(".//m:f", NS) == []
    comment = openpyxl.load_workbook(target)[MAIN]["B3"].comment.text
    assert '【エラー】=HYPERLINK("http://example.com","x")' in comment


def test_unreadable_source_gives_none_and_writes_nothing(tmp_path):
    source = tmp_path / "壊れた.xlsx"
    source.write_bytes(b"not a workbook")
    out = tmp_path / "out"
    target = out / "fb.xlsx"
    assert write_feedback(source, [Finding("x", "error", "読めません。", source.name)], target) is None
    assert not target.exists()
    assert not out.exists() or not list(out.iterdir())


@pytest.mark.slow  # LibreOffice
def test_libreoffice_opens_the_feedback_copy(form, tmp_path):
    target = tmp_path / "feedback.xlsx"
    write_feedback(form, _findings(form.name), target)
    pdf = to_pdf(target, tmp_path)
    assert pdf.stat().st_size > 1000
    assert "検証結果" in pdf_text(pdf)


def _hue_and_distance(a: str, b: str) -> tuple[float, float]:
    import colorsys
    rgb_a, rgb_b = ([int(c[i:i + 2], 16) / 255 for i in (0, 2, 4)] for c in (a, b))
    hue_a, hue_b = colorsys.rgb_to_hls(*rgb_a)[0] * 360, colorsys.rgb_to_hls(*rgb_b)[0] * 360
    hue = min(abs(hue_a - hue_b), 360 - abs(hue_a - hue_b))
    return hue, sum((x - y) ** 2 for x, y in zip(rgb_a, rgb_b)) ** 0.5 * 255


def test_mark_colours_stand_apart_from_the_input_yellow_and_each_other():
    """A warning once was light yellow (FFEB9C), beside the input yellow (FFF2CC): the same hue, hard to tell
    apart on screen and in print. Each mark must differ in hue and in colour from the input and the other mark."""
    assert _hue_and_distance("FFEB9C", INPUT_RGB)[0] < 15  # what the test guards against
    for a, b in ((WARNING_RGB, INPUT_RGB), (ERROR_RGB, INPUT_RGB), (ERROR_RGB, WARNING_RGB)):
        hue, distance = _hue_and_distance(a, b)
        assert hue >= 15 and distance >= 80, (a, b, hue, distance)


# --- copies of a form of this workspace, written anew from the form's definition ---------------------------

R5_PERIOD = "2023"
DEPT = "観光政策課"


@pytest.fixture(scope="module")
def example_plan():
    from kpireport.plan.load import example_path, load_plan
    return load_plan(example_path()).plan


def _planted_form(plan, folder: Path) -> Path:
    """A genuine signed form with one value typed as words (an error) and one long remark (its row must grow)."""
    from forms_helpers import edit, filled_form

    from kpireport.forms import layout as fl
    from kpireport.periods import ReportPeriod

    path = filled_form(plan, DEPT, ReportPeriod(2023), folder)

    def mistakes(workbook):
        workbook[fl.KPI_SHEET].cell(fl.FIRST_ROW, 10).value = "たくさん"
        workbook[fl.KPI_SHEET].cell(fl.FIRST_ROW + 1, 12).value = "とても長い備考の文章です。" * 8
    return edit(path, mistakes)


def _check(plan, path: Path):
    from forms_helpers import TEST_KEY

    from kpireport.intake.reader import read_submission
    from kpireport.periods import ReportPeriod
    from kpireport.validate.rules import UNREAD_SHEETS, validate_submission

    submission = read_submission(path, skip_cells=UNREAD_SHEETS)
    return submission, validate_submission(plan, submission, ReportPeriod(2023), None, TEST_KEY)


def _entries(submission) -> dict:
    """Every cell of the data sheets as intake read it: what the department's copy must carry unchanged."""
    from kpireport.forms import layout as fl
    return {(sheet.name, key): cell.value for sheet in submission.sheets
            if sheet.name in (fl.KPI_SHEET, fl.INITIATIVE_SHEET, fl.NARRATIVE_SHEET)
            for key, cell in sheet.cells.items()}


def test_form_copy_is_the_form_again_with_the_entries_and_the_marks(example_plan, tmp_path):
    from kpireport.forms import layout as fl
    from kpireport.forms.fit import column_widths, wrapped_cells
    from kpireport.text_layout import row_height

    form = _planted_form(example_plan, tmp_path)
    submission, result = _check(example_plan, form)
    assert [(f.cell, f.code) for f in result.findings] == [(f"J{fl.FIRST_ROW}", "kpi-value-unreadable")]
    copy = write_feedback(form, list(result.findings), tmp_path / "fb" / form.name, plan=example_plan,
                          submission=submission)

    again, checked = _check(example_plan, copy)
    assert _entries(again) == _entries(submission)  # every entry as it was
    assert [(f.cell, f.code) for f in checked.findings] == [(f"J{fl.FIRST_ROW}", "kpi-value-unreadable")]
    book = openpyxl.load_workbook(copy)
    assert book.sheetnames == [FEEDBACK_SHEET, fl.GUIDE_SHEET, fl.KPI_SHEET, fl.INITIATIVE_SHEET,
                               fl.NARRATIVE_SHEET, fl.META_SHEET]
    assert book.active.title == FEEDBACK_SHEET
    assert [bool(ws.sheet_view.tabSelected) for ws in book.worksheets] == [True] + [False] * 5
    assert book[fl.META_SHEET].sheet_state == "veryHidden"
    kpis = book[fl.KPI_SHEET]
    assert kpis.protection.sheet and kpis.data_validations.dataValidation
    marked = kpis.cell(fl.FIRST_ROW, 10)
    assert _is_fill(marked, ERROR_RGB) and marked.protection.locked is False
    assert marked.comment.author == AUTHOR and marked.comment.text.startswith("【エラー】")
    unmarked = kpis.cell(fl.FIRST_ROW + 1, 10)
    assert _is_fill(unmarked, INPUT_RGB) and unmarked.protection.locked is False
    assert kpis.cell(fl.FIRST_ROW, 1).protection.locked is not False  # plan cells stay locked
    widths = column_widths(kpis)
    for r in range(fl.FIRST_ROW, kpis.max_row + 1):  # every typed line shows
        needed = row_height(wrapped_cells(kpis, kpis[r], widths), 14.0)
        assert kpis.row_dimensions[r].height >= needed, r
    sheet = book[FEEDBACK_SHEET]
    assert sheet["A1"].value == f"検証結果: {form.name}" and sheet["A2"].value == "エラー 1件、警告 0件"
    assert [c.value for c in sheet[5][:3]] == ["凡例", "エラー", "警告"]
    assert [sheet.cell(5, c).fill.fgColor.rgb[-6:] for c in (2, 3)] == [ERROR_RGB, WARNING_RGB]
    assert [c.value for c in sheet[6][:7]] == ["No", "重要度", "場所", "指摘", "内容", "入力値", "コード"]
    assert [c.value for c in sheet[7][:7]] == [1, "エラー", f"KPI実績!J{fl.FIRST_ROW}", "数値として読めない",
                                                result.findings[0].message, "たくさん", "kpi-value-unreadable"]
    assert sheet["C7"].hyperlink.location == f"'KPI実績'!J{fl.FIRST_ROW}"
    assert sheet.freeze_panes == "A7" and sheet.print_title_rows == "$6:$6"


def test_a_copy_of_a_copy_has_only_the_new_marks(example_plan, tmp_path):
    from kpireport.forms import layout as fl

    form = _planted_form(example_plan, tmp_path)
    submission, result = _check(example_plan, form)
    first = write_feedback(form, list(result.findings), tmp_path / "first.xlsx", plan=example_plan,
                           submission=submission)
    book = openpyxl.load_workbook(first)
    book[fl.KPI_SHEET].cell(fl.FIRST_ROW, 10).value = 120  # fixed (観光交流人口, 万人), and another mistake made
    book[fl.KPI_SHEET].cell(fl.FIRST_ROW + 2, 10).value = "不明"
    book.save(first)
    submission, result = _check(example_plan, first)
    second = write_feedback(first, list(result.findings), tmp_path / "second.xlsx", plan=example_plan)
    kpis = openpyxl.load_workbook(second)[fl.KPI_SHEET]
    comments = [c.coordinate for row in kpis.iter_rows() for c in row if c.comment is not None]
    assert comments == [f"J{fl.FIRST_ROW + 2}"]
    assert _is_fill(kpis.cell(fl.FIRST_ROW, 10), INPUT_RGB) and kpis.cell(fl.FIRST_ROW, 10).value == 120


def test_a_file_that_is_no_form_of_the_workspace_gets_only_its_findings(example_plan, form, tmp_path):
    finding = Finding("form-not-form", "error", "様式ではありません。", form.name)
    copy = write_feedback(form, [finding], tmp_path / "fb.xlsx", plan=example_plan)
    book = openpyxl.load_workbook(copy)
    assert book.sheetnames == [FEEDBACK_SHEET]  # the file itself is not rewritten
    assert book[FEEDBACK_SHEET]["A2"].value == "エラー 1件、警告 0件"
    assert "控えは作っていません" in book[FEEDBACK_SHEET]["A3"].value
    assert book[FEEDBACK_SHEET]["C7"].value == "ファイル全体"


@pytest.mark.slow
def test_calc_round_trip_of_a_form_copy(example_plan, tmp_path):
    """Open the copy in LibreOffice Calc, correct the marked cell as a person types, save as xlsx: accepted."""
    from calc import calc_available, type_into

    from kpireport.forms import layout as fl

    if not calc_available():
        pytest.skip("LibreOffice Calc and its Python bridge (uno) are not installed")
    form = _planted_form(example_plan, tmp_path)
    submission, result = _check(example_plan, form)
    copy = write_feedback(form, list(result.findings), tmp_path / "fb" / form.name, plan=example_plan,
                          submission=submission)
    fixed = type_into(copy, [(fl.KPI_SHEET, f"J{fl.FIRST_ROW}", "120")], tmp_path / "fixed.xlsx")  # 観光交流人口, 万人
    again, checked = _check(example_plan, fixed)
    assert checked.findings == () and checked.valid and checked.department == DEPT
    entries, before = _entries(again), _entries(submission)
    assert entries.pop((fl.KPI_SHEET, (fl.FIRST_ROW, 10))) == 120
    before.pop((fl.KPI_SHEET, (fl.FIRST_ROW, 10)))
    assert entries == before  # Calc kept every other entry as it was
