"""The council report as Word users expect it (no working notes, a title page, document properties, tables
that do not break numbers or labels, one minus sign, one precision) and the check list that replaces the
cover's working notes (printed by `report`, a sheet in the master)."""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from types import SimpleNamespace

import docx
import openpyxl
import pytest
from docx.shared import Mm
from lxml import etree
from test_report import small_data

from kpireport.cli.printing import checklist_lines
from kpireport.council import content, pagefill
from kpireport.council.document import ReportDocument, fit_widths, table, template_path
from kpireport.council.report import write_report
from kpireport.evaluate.missing import KINDS, NOT_SUBMITTED, missing_rows
from kpireport.forms.layout import STATUSES
from kpireport.master.checklist import SHEET
from kpireport.master.writer import write_master
from kpireport.model import Value

NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
W_VAL = f"{{{NS['w']}}}val"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    data = small_data(folder)
    return data, write_report(data, template_path(None), folder / "report.docx")


def document_xml(path: Path):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("word/document.xml"))


def cell_texts(tbl) -> list[list[str]]:
    return [["".join(tc.itertext()) for tc in tr.findall("w:tc", NS)] for tr in tbl.findall("w:tr", NS)]


def test_document_properties_name_the_report_and_the_city(small):
    data, path = small
    props = docx.Document(str(path)).core_properties
    assert props.title == data.plan.settings.report_title and props.author == data.plan.settings.city
    assert props.last_modified_by == data.plan.settings.city
    created = props.created.replace(tzinfo=None)  # python-docx reads it back in UTC
    assert abs(created - dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)) < dt.timedelta(minutes=5)
    assert props.modified == props.created and "python-docx" not in props.comments


def settings_xml(path: Path):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("word/settings.xml"))


def test_word_keeps_a_number_with_its_unit_by_the_documents_own_line_breaking_lists(small):
    """Word reads custom 禁則 lists from the settings: Word's standard lists plus digits, △ and 令平昭 (no line ends
    with them) and 度円人件回万 (none starts with them), in the schema's place (before savePreviewPicture)."""
    _, path = small
    root = settings_xml(path)
    names = [etree.QName(child).localname for child in root]
    after, before = (root.find(f"w:{name}", NS) for name in ("noLineBreaksAfter", "noLineBreaksBefore"))
    w = f"{{{NS['w']}}}"
    assert after.get(w + "lang") == before.get(w + "lang") == "ja-JP"
    assert after.get(w + "val").startswith("$([") and after.get(w + "val").endswith("0123456789△▲令平昭")
    assert all(ch in before.get(w + "val") for ch in "」。、）")
    assert before.get(w + "val").endswith("度円人件回万")
    assert names.index("noLineBreaksAfter") + 1 == names.index("noLineBreaksBefore")
    assert names.index("characterSpacingControl") < names.index("noLineBreaksAfter")
    assert names.index("noLineBreaksBefore") < min(names.index(n) for n in ("savePreviewPicture", "updateFields",
                                                                             "compat"))


def test_a_base_document_with_its_own_line_breaking_lists_keeps_them_with_the_reports_characters(tmp_path):
    from kpireport.council import kinsoku

    doc = ReportDocument(template_path(None))
    kinsoku.keep_numbers_whole(doc.docx)  # as a base document saved with custom lists would have them ...
    own = doc.docx.settings.element.find("w:noLineBreaksBefore", NS)
    own.set(W_VAL, "」。")  # ... its own (shorter) list
    kinsoku.keep_numbers_whole(doc.docx)
    lists = doc.docx.settings.element.findall("w:noLineBreaksBefore", NS)
    assert [e.get(W_VAL) for e in lists] == ["」。度円人件回万"]


def test_the_cover_is_a_title_page_without_page_number(small):
    _, path = small
    assert docx.Document(str(path)).sections[0].different_first_page_header_footer
    assert document_xml(path).xpath("//w:sectPr/w:titlePg", namespaces=NS)


def test_numbers_with_units_and_short_labels_get_room_and_the_total_stays():
    widths = [int(Mm(w)) for w in (70, 15, 15, 70)]
    fitted = fit_widths(["名称", "今後の取扱い", "値", "内容"], [["x", "完了", "94,821百万円", "長い説明" * 10]], widths)
    assert sum(fitted) == sum(widths)
    assert fitted[1] > widths[1] and fitted[2] > widths[2]  # 「今後の取扱い」 and 「94,821百万円」 on one line
    assert fitted[1] >= Mm(6 * 9 * 25.4 / 72) and fitted[2] >= Mm(6 * 9 * 25.4 / 72)
    assert fit_widths(["a"], [["1"]], [int(Mm(20))]) == [int(Mm(20))]  # nothing to do


def test_the_header_row_repeats_only_over_several_rows(tmp_path):
    doc = ReportDocument(template_path(None))
    table(doc, ["内容"], [["一つの長い行"]], [170])
    table(doc, ["名称", "値"], [["a", "1"], ["b", "2"]], [100, 70])
    doc.save(tmp_path / "t.docx")
    first, second = document_xml(tmp_path / "t.docx").findall(".//w:tbl", NS)
    assert not first.xpath(".//w:tblHeader", namespaces=NS)
    assert second.xpath("w:tr[1]/w:trPr/w:tblHeader", namespaces=NS)
    assert second.xpath("w:tr[1]//w:pPr/w:keepNext", namespaces=NS)  # the header keeps with the first row


def test_small_top_level_nodes_share_a_page_and_a_large_one_starts_its_own(small, tmp_path):
    """The small plan's two 基本目標 fill a page together; a 基本目標 estimated at more than what is left starts a
    page (pagefill: the text and tables written, measured against an A4 page)."""
    data, path = small
    tops = [p for p in docx.Document(str(path)).paragraphs if p.style.name == "Heading 1" and p.text.startswith("基本目標")]
    assert len(tops) == 2 and not tops[1].paragraph_format.page_break_before
    doc = ReportDocument(template_path(None))
    table(doc, ["名称", "内容"], [[f"事業{n}", "長い説明の文章です。" * 8] for n in range(12)], [60, 110])
    assert pagefill.height_mm(doc, 0) > pagefill.PAGE_MM * 0.5  # twelve rows of three lines: over half a page


def test_a_caption_row_repeats_even_over_a_single_row(tmp_path):
    """A measure sheet's tables touch and are drawn as one: its first table's caption (the sheet's name) is the row
    repeated on each page the sheet goes on to, even when that first table (内容) is a single row."""
    doc = ReportDocument(template_path(None))
    table(doc, ["内容"], [["一つの長い行"]], [170], caption="戦略方針 1-1 多様な雇用の場づくり")
    doc.save(tmp_path / "t.docx")
    (tbl,) = document_xml(tmp_path / "t.docx").findall(".//w:tbl", NS)
    caption, header = tbl.findall("w:tr", NS)[:2]
    assert caption.xpath("w:trPr/w:tblHeader", namespaces=NS) and "".join(caption.itertext()) == "戦略方針 1-1 多様な雇用の場づくり"
    assert not header.xpath("w:trPr/w:tblHeader", namespaces=NS)  # 「内容」 over one row says nothing on the next page


def test_a_total_never_goes_to_the_next_page_with_only_a_row_or_two(tmp_path):
    """keep_last: the last rows keep with each other (H28's grade table: a quarter of its rows go on with 合計)."""
    doc = ReportDocument(template_path(None))
    table(doc, ["名称", "計"], [[f"行{n}", str(n)] for n in range(8)] + [["合計", "28"]], [100, 70], keep_last=3)
    doc.save(tmp_path / "t.docx")
    (tbl,) = document_xml(tmp_path / "t.docx").findall(".//w:tbl", NS)
    kept = [bool(row.xpath(".//w:pPr/w:keepNext", namespaces=NS)) for row in tbl.findall("w:tr", NS)[1:]]
    assert kept == [False] * 6 + [True, True, False]  # 行6 and 行7 keep with 合計, which keeps with nothing


def test_one_minus_sign_and_the_plans_figures_as_written():
    """An actual is aligned to the decimals the plan writes its figures with; the plan's figures are never
    padded, and an actual keeps the decimals it was typed with (seen padded by an outside tester: 145百万円 and
    200百万円 printed 「145.0百万円」「200.0百万円」 beside 158.7; 90.0%以下 printed 「90.00%以下」 beside 92.35%)."""
    assert content.aligned_actuals(["48.0%", "58%"], ["49%"]) == ["49.0%"]
    assert content.aligned_actuals(["2社", "（未提出）"], ["5社"]) == ["5社"]
    assert content.aligned_actuals(["1,240.25万人", "－"], ["1,300万人（見込み）"]) == ["1,300.00万人（見込み）"]
    assert content.aligned_actuals(["145百万円", "200百万円"], ["158.7百万円"]) == ["158.7百万円"]
    assert content.aligned_actuals(["95.2%", "90.0%以下"], ["92.35%"]) == ["92.35%"]
    # full-width figures are a department's own words: printed as written, never padded into 「１２.0．５」
    assert content.aligned_actuals(["63%", "70.5%"], ["１２．５（速報）"]) == ["１２．５（速報）"]


@pytest.mark.parametrize("reason, shown", [("調査未実施", "－（調査未実施）"), ("－（該当事業なし）", "－（該当事業なし）")])
def test_a_value_left_out_shows_its_reason_once(reason, shown):
    stored = SimpleNamespace(value=Value("none", "－"), reason=reason, provisional=False)
    data = SimpleNamespace(values={"K1": stored}, data_years={}, submitted=set())
    assert content.actual_text(data, "K1", ("総務課",)) == shown


def test_kpi_tables_carry_the_label_rates_and_signs(small):
    data, path = small
    tables = [cell_texts(tbl) for tbl in document_xml(path).findall(".//w:tbl", NS)]
    captioned = [rows for rows in tables if len(rows) > 1 and rows[1][0] == "指標名" and rows[1][4] == "達成率"]
    # the caption row names the block and the kind: 「基本方針1 観光の振興　重要業績評価指標（KPI）」
    assert captioned and all(len(rows[0]) == 1 and rows[0][0].startswith("基本") for rows in captioned)
    assert any(rows[0][0].endswith("　重要業績評価指標（KPI）") for rows in captioned)
    kpi_tables = [rows[1:] for rows in captioned]
    rates = [cells[4] for rows in kpi_tables for cells in rows[1:]]
    assert rates and all(r == "－" or (r.endswith("%") and "-" not in r and "." in r) for r in rates)


def test_the_appendix_groups_by_level_and_counts_by_status_label(small):
    data, path = small
    tables = document_xml(path).findall(".//w:tbl", NS)
    counts = [t for t in tables if cell_texts(t)[0][1:2] == ["取組数"]]
    assert counts and all(cell_texts(t)[0][2:6] == list(STATUSES) for t in counts)  # no 「完了」 column
    lists = [t for t in tables if cell_texts(t)[1][:2] == ["NO", "推進内容"]]  # under the caption row
    assert all("".join(t.find("w:tr", NS).itertext()).startswith("基本目標") for t in lists)  # whose table it is
    grouping = [tr for t in lists for tr in t.findall("w:tr", NS)[2:] if tr.xpath("w:tc/w:tcPr/w:gridSpan", namespaces=NS)]
    assert grouping and all("".join(tr.itertext()).startswith("基本方針") for tr in grouping)


def test_the_check_list_is_printed_and_is_a_master_sheet(small, tmp_path):
    data, _ = small
    rows = missing_rows(data)
    assert {r.kind for r in rows} <= set(KINDS)
    lines = checklist_lines(rows)
    assert lines[0].startswith("未提出・未記入") and any("未提出の課: 2課" in line for line in lines)
    "\n".join(lines).encode("cp932")  # a Windows console takes it
    master = tmp_path / "master.xlsx"
    write_master(data, master)
    sheet = openpyxl.load_workbook(master)[SHEET]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert [v[0] for v in values if v[0] == NOT_SUBMITTED] == [NOT_SUBMITTED, NOT_SUBMITTED]
    assert [v[2:4] for v in values if v[0] == "実績値のない指標"] == [["K3", "見守り協力員数"]]
    assert len(values) == len(rows)
    assert checklist_lines([]) == ["未提出・未記入: ありません。"]
