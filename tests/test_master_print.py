"""The master as a planning officer prints and reads it: A4 landscape one page wide, title rows and ID/name
columns repeated and frozen, charts kept on one page, long names wrapped, technical columns folded away."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from office import pdf_text, to_pdf
from openpyxl.utils import column_index_from_string, get_column_letter

from kpireport.workspace import run_demo

pytestmark = pytest.mark.slow  # end to end: the demo's master (the whole demo), read as printed

MASTER = "master_令和5年度_実績.xlsx"
# sheet -> (frozen cell, repeated columns, folded column titles)
LISTS = {
    "KPI一覧": ("C4", "$A:$B", ["計算の根拠", "数値（単位どおり）", "提出ファイル", "セル"]),
    "取組一覧": ("C4", "$A:$B", []),
    "主な取組と方向性": ("B4", "$A:$A", []),
    "提出状況": ("B4", "$A:$A", ["SHA-256（ファイルの指紋）"]),
    "要確認": ("B4", "$A:$A", ["コード"]),
    "検証結果": ("B4", "$A:$A", ["コード"]),
    "変更点": ("E4", "$A:$D", []),
}


@pytest.fixture(scope="module")
def master(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "kpireport_demo"
    run_demo(root)
    return root / "output" / MASTER


@pytest.fixture(scope="module")
def book(master):
    return openpyxl.load_workbook(master)


def test_every_sheet_prints_a4_landscape_one_page_wide(book):
    for ws in book.worksheets:
        setup = ws.page_setup
        assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        width = 1 if setup.fitToWidth is None else int(setup.fitToWidth)  # absent: 1, the file format's default
        assert (width, int(setup.fitToHeight)) == (1, 0), ws.title
    assert book["概要"].print_title_rows == "$1:$2"


def test_columns_left_off_the_paper_do_not_make_the_printed_kpi_rows_tall(book):
    """体系 and 担当課ごとの値 are on the screen only: wide there, so their lines do not stretch the printed rows
    (the demo's KPI一覧 printed on 27 pages when they did)."""
    ws = book["KPI一覧"]
    printed_to = column_index_from_string(ws.print_area.split(":")[-1].strip("0123456789$"))  # the last printed
    headers = {cell.value: cell.column for cell in ws[3]}
    assert headers["体系"] > printed_to and headers["担当課ごとの値"] > printed_to  # not printed
    assert ws.column_dimensions[get_column_letter(headers["体系"])].width >= 60
    heights = [ws.row_dimensions[r].height for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value]
    assert sum(heights) / len(heights) < 40 and max(heights) < 75  # about two lines a row, at most four


@pytest.mark.parametrize("name", LISTS)
def test_lists_repeat_title_rows_and_keep_id_and_name_columns_in_view(book, name):
    frozen, columns, _ = LISTS[name]
    ws = book[name]
    assert ws.print_title_rows == "$1:$3"  # title, time of the merge, header
    assert ws.print_title_cols == columns
    assert ws.freeze_panes == frozen


@pytest.mark.parametrize("name", LISTS)
def test_technical_columns_are_folded_at_the_far_right_and_kept(book, name):
    ws = book[name]
    titles = [c.value for c in ws[3]]
    folded = LISTS[name][2]
    hidden = [t for i, t in enumerate(titles, start=1)
              if ws.column_dimensions[openpyxl.utils.get_column_letter(i)].hidden]
    assert hidden == folded
    assert titles[len(titles) - len(folded):] == folded  # at the far right
    for title in folded:
        letter = openpyxl.utils.get_column_letter(titles.index(title) + 1)
        assert ws.column_dimensions[letter].outline_level == 1  # a group the officer can open with [+]
    if folded:
        assert "折りたたんでいます" in ws["A2"].value and folded[0] in ws["A2"].value


def test_hashes_stay_in_the_file_but_out_of_sight(book):
    ws = book["提出状況"]
    titles = [c.value for c in ws[3]]
    hashes = [r[titles.index("SHA-256（ファイルの指紋）")] for r in ws.iter_rows(min_row=4, values_only=True)]
    assert len(hashes) == 19 and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)


def test_long_names_on_the_summary_wrap_in_a_taller_row(book):
    ws = book["概要"]
    names = [c for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("重点戦略2")]
    assert names and all(c.alignment.wrap_text for c in names)
    assert all(ws.row_dimensions[c.row].height >= 2 * 13 for c in names)  # two lines at least


def test_each_chart_sits_between_page_breaks(master, book):
    breaks = sorted(b.id for b in book["概要"].row_breaks.brk)  # a break after row id (1-based)
    assert len(breaks) == 1  # the second plan starts a page
    with zipfile.ZipFile(master) as z:
        drawing = etree.fromstring(z.read("xl/drawings/drawing1.xml"))
    ns = {"xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"}
    spans = [(int(a.findtext("xdr:from/xdr:row", namespaces=ns)) + 1, int(a.findtext("xdr:to/xdr:row", namespaces=ns)) + 1)
             for a in drawing.findall("xdr:twoCellAnchor", ns)]
    assert len(spans) == 2
    for top, bottom in spans:
        assert not any(top <= b < bottom for b in breaks), (top, bottom, breaks)


def test_printed_master_repeats_the_kpi_header_on_every_page(master, book, tmp_path):
    pages = pdf_text(to_pdf(master, tmp_path)).split("\f")
    starts = {name: next(i for i, p in enumerate(pages) if f"実績　{name}" in p.replace(" ", "　")
                         or re.search(rf"実績\s+{name}\b", p)) for name in ("KPI一覧", "取組一覧")}
    kpi_pages = pages[starts["KPI一覧"]:starts["取組一覧"]]
    assert len(kpi_pages) >= 5
    for number, text in enumerate(kpi_pages, start=starts["KPI一覧"] + 1):
        assert "指標ID" in text and "指標名" in text, f"page {number} has no ID/指標名 header"
    # one page wide: every KPI's ID is printed, each on one page, and nothing folded is printed
    ids = [r[0] for r in book["KPI一覧"].iter_rows(min_row=4, values_only=True) if r[0]]
    printed = "\n".join(kpi_pages)
    assert all(i in printed for i in ids)
    titles = [c.value for c in book["KPI一覧"][3]]
    files = {r[titles.index("提出ファイル")] for r in book["KPI一覧"].iter_rows(min_row=4, values_only=True)} - {None}
    assert files and not any(f in printed for f in files)  # the folded columns do not print
    hashes = [r[-1] for r in book["提出状況"].iter_rows(min_row=4, values_only=True)]
    assert not any(h[:16] in "".join(pages) for h in hashes)
    # each chart prints whole: its title and its legend on the same page
    for page in pages[:starts["KPI一覧"]]:
        for title in re.findall(r"(\S+)\s+評価の内訳", page):
            after = page[page.index(title):]
            assert re.search(r"^\s*A 達成\s+B 順調\s+C 遅れ\s+D 悪化\s+− 評価不能\s*$", after, re.M), title
