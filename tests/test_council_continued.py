"""Continued tables (council/continued.py): a captioned table longer than its page is split where the estimated
page ends, each later part on a new page under its caption with 「（続き）」 and its column headings; nothing else
changes. Read back from the saved .docx with lxml (the PDFs are checked in test_report_pdf/test_examples_pdf)."""
from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from kpireport.council import continued, texts
from kpireport.council.document import ReportDocument, heading, paragraph, table, template_path

NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
CAPTION = "基本方針1 観光の振興　重要業績評価指標（KPI）"


def saved_body(doc: ReportDocument, path: Path):
    doc.save(path)
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("word/document.xml")).find("w:body", NS)


def rows_text(tbl) -> list[str]:
    return ["|".join("".join(tc.itertext()) for tc in tr.findall("w:tc", NS)) for tr in tbl.findall("w:tr", NS)]


def kpi_rows(count: int) -> list[list[str]]:
    return [[f"指標{n}", f"{n}件"] for n in range(count)]


def test_a_long_captioned_table_goes_on_under_its_caption_with_continued(tmp_path):
    doc = ReportDocument(template_path(None))
    heading(doc, "基本方針1 観光の振興", 2)
    table(doc, ["指標名", "実績値"], kpi_rows(100), [120, 50], caption=CAPTION)
    paragraph(doc, "表の後の段落")
    continued.continue_tables(doc)
    body = saved_body(doc, tmp_path / "t.docx")
    tables = body.findall("w:tbl", NS)
    assert len(tables) >= 3  # a hundred one-line rows: about 45 to a page
    first, *rest = [rows_text(tbl) for tbl in tables]
    assert first[:2] == [CAPTION, "指標名|実績値"]
    for part in rest:
        assert part[:2] == [CAPTION + texts.CONTINUED, "指標名|実績値"]
    data = [row for part in [first] + rest for row in part[2:]]
    assert data == [f"指標{n}|{n}件" for n in range(100)]  # every row once, in order
    for tbl in tables[1:]:  # each part after the first starts a page: a 1 pt paragraph with a page break before it
        separator = tbl.getprevious()
        assert separator.tag == f"{{{NS['w']}}}p" and separator.find("w:pPr/w:pageBreakBefore", NS) is not None
        assert not "".join(separator.itertext())
        # its caption and headings repeat on any page it still goes on to
        assert [bool(tr.find("w:trPr/w:tblHeader", NS) is not None) for tr in tbl.findall("w:tr", NS)[:3]] == \
            [True, True, False]
    assert len(rest[-1]) - 2 >= continued.MIN_CONTINUED  # a last part is never a row or two
    assert "".join(body.findall("w:p", NS)[-1].itertext()) == "表の後の段落"


def test_a_table_that_fits_its_page_and_a_table_without_caption_are_left_alone(tmp_path):
    doc = ReportDocument(template_path(None))
    table(doc, ["指標名", "実績値"], kpi_rows(10), [120, 50], caption=CAPTION)
    paragraph(doc, "間の段落")
    table(doc, ["名称", "計"], kpi_rows(100), [120, 50])  # a status table: no caption, nothing to say 続き of
    before = list(doc.tables)
    continued.continue_tables(doc)
    assert doc.tables == before
    assert not saved_body(doc, tmp_path / "t.docx").xpath(".//w:pageBreakBefore", namespaces=NS)


def test_a_captioned_table_whose_first_rows_do_not_fit_starts_the_next_page_with_its_heading(tmp_path):
    """The break is made, not left to Word or LibreOffice: where the table's page begins is then known, and so are
    the splits after it."""
    doc = ReportDocument(template_path(None))
    for number in range(44):  # one-line paragraphs down to the foot of the page
        paragraph(doc, f"段落{number}")
    heading(doc, "基本方針2 交流の拡大", 2)
    table(doc, ["指標名", "実績値"], kpi_rows(12), [120, 50], caption=CAPTION)
    continued.continue_tables(doc)
    body = saved_body(doc, tmp_path / "t.docx")
    title = body.xpath("w:p[w:pPr/w:pStyle/@w:val='Heading2']", namespaces=NS)[0]
    assert title.find("w:pPr/w:pageBreakBefore", NS) is not None
    assert len(body.findall("w:tbl", NS)) == 1  # all of it on the new page


def test_a_sheet_of_touching_tables_goes_on_with_the_sheets_caption_across_the_later_tables_columns(tmp_path):
    """A measure sheet: 内容, KPI and 事業 tables touching (drawn as one), the sheet's name the first table's caption.
    Split in the 事業 table, its part opens with the sheet's name and 「（続き）」 across the 事業 table's columns."""
    doc = ReportDocument(template_path(None))
    table(doc, ["内容"], [["施策の説明。" * 30]], [170], caption="戦略方針 1-1 多様な雇用の場づくり")
    table(doc, ["名称", "現状値", "末値", "目標値"], [[f"指標{n}", "1", "2", "3"] for n in range(5)], [70, 33, 33, 34])
    table(doc, ["取り組んだ事業", ""], [[f"事業{n}", "実施した内容の説明。" * 6] for n in range(40)], [60, 110])
    continued.continue_tables(doc)
    tables = saved_body(doc, tmp_path / "t.docx").findall("w:tbl", NS)
    later = tables[3]  # the 事業 table's second part
    caption = later.find("w:tr", NS)
    assert rows_text(later)[:2] == ["戦略方針 1-1 多様な雇用の場づくり（続き）", "取り組んだ事業|"]
    assert caption.find("w:tc/w:tcPr/w:gridSpan", NS).get(f"{{{NS['w']}}}val") == "2"
    widths = [int(col.get(f"{{{NS['w']}}}w")) for col in later.findall("w:tblGrid/w:gridCol", NS)]
    assert int(caption.find("w:tc/w:tcPr/w:tcW", NS).get(f"{{{NS['w']}}}w")) == sum(widths)


def test_whatever_the_length_every_row_is_written_once_in_order_and_a_last_part_is_no_row_or_two(tmp_path):
    for lines, counts in ((1, range(30, 140, 4)), (6, range(3, 30, 2)), (16, range(3, 14))):  # short rows, tall rows
        for count in counts:  # one, two and three page ends, at every place in a page's last rows
            doc = ReportDocument(template_path(None))
            rows = [[f"指標{n}", "説明の文章です。" * (4 * lines) if lines > 1 else f"{n}件"] for n in range(count)]
            table(doc, ["指標名", "実績値"], rows, [120, 50], caption=CAPTION)
            continued.continue_tables(doc)
            parts = [rows_text(tbl) for tbl in saved_body(doc, tmp_path / "t.docx").findall("w:tbl", NS)]
            assert [row.split("|")[0] for part in parts for row in part[2:]] == [f"指標{n}" for n in range(count)]
            if lines == 1:  # rows a page holds dozens of (a part of tall rows holds what its page can)
                assert all(len(part) - 2 >= continued.MIN_CONTINUED for part in parts[1:]), count
