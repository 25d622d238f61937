"""The council report's base document and the helpers that write on it, read back as XML and as a PDF."""
from __future__ import annotations

import re
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
from docx import Document
from lxml import etree
from office import pdf_pages, pdf_text, require, to_pdf

from kpireport.council import document as D
from kpireport.council.template_builder import STYLE_NAMES, build_template

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
TWIPS_PER_MM = 1440 / 25.4

TRICKY = ['=HYPERLINK("http://x","y")', "{ PAGE }", '<w:fldSimple w:instr=" PAGE "/>']


def tiny_png(width: int = 40, height: int = 20) -> bytes:
    """A solid-colour RGB PNG written by hand (no image library needed)."""
    raw = b"".join(b"\x00" + bytes((200, 80, 80)) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def part_xml(docx: Path, name: str):
    with zipfile.ZipFile(docx) as z:
        return etree.fromstring(z.read(name))


def part_bytes(docx: Path, name: str) -> bytes:
    with zipfile.ZipFile(docx) as z:
        return z.read(name)


def squeeze(text: str) -> str:
    """pdftotext puts spaces between Japanese and Latin runs and lays out columns: compare without spaces."""
    return re.sub(r"\s+", "", text)


def style_element(styles, name: str):
    found = styles.xpath("w:style[w:name/@w:val=$n]", namespaces=NS, n=name)
    assert found, f"style {name!r} missing"
    return found[0]


# --- the packaged base document ---------------------------------------------------------------------------

def test_packaged_template_page_setup_footer_and_settings():
    template = D.PACKAGED_TEMPLATE
    assert template.is_file()
    Document(str(template))   # opens

    body = part_xml(template, "word/document.xml").find("w:body", NS)
    sect = body.find("w:sectPr", NS)
    size = sect.find("w:pgSz", NS)
    assert (int(size.get(f"{{{W}}}w")), int(size.get(f"{{{W}}}h"))) == (11906, 16838)   # A4 in twips
    margins = sect.find("w:pgMar", NS)
    for side, mm in (("left", 20), ("right", 20), ("top", 20), ("bottom", 18)):
        assert abs(int(margins.get(f"{{{W}}}{side}")) - mm * TWIPS_PER_MM) < 2

    footer_ref = sect.find("w:footerReference", NS)
    assert footer_ref is not None and footer_ref.get(f"{{{W}}}type") == "default"
    footers = [n for n in zipfile.ZipFile(template).namelist() if re.match(r"word/footer\d*\.xml$", n)]
    assert footers
    footer = part_xml(template, footers[0])
    instr = " ".join(footer.xpath(".//w:instrText/text()", namespaces=NS))
    simple = footer.xpath(".//w:fldSimple/@w:instr", namespaces=NS)
    assert "PAGE" in instr.split() or any("PAGE" in s.split() for s in simple)
    if instr:
        kinds = footer.xpath(".//w:fldChar/@w:fldCharType", namespaces=NS)
        assert kinds == ["begin", "separate", "end"]
    assert footer.xpath(".//w:p/w:pPr/w:jc/@w:val", namespaces=NS) == ["center"]

    settings = part_xml(template, "word/settings.xml")
    assert settings.xpath("w:updateFields/@w:val", namespaces=NS) == ["true"]


@pytest.mark.parametrize("name", STYLE_NAMES)
def test_packaged_template_styles_have_east_asian_font(name):
    styles = part_xml(D.PACKAGED_TEMPLATE, "word/styles.xml")
    internal = {"Heading 1": "heading 1", "Heading 2": "heading 2", "Heading 3": "heading 3",
                "Caption": "caption", "Footer": "footer"}.get(name, name)
    style = style_element(styles, internal)
    fonts = style.find("w:rPr/w:rFonts", NS)
    assert fonts is not None, f"{name}: no rFonts"
    assert fonts.get(f"{{{W}}}eastAsia"), f"{name}: no eastAsia font"
    assert fonts.get(f"{{{W}}}hint") == "eastAsia"
    assert not any(attr.endswith("Theme") or attr.endswith("theme") for attr in fonts.attrib), name


def test_packaged_template_style_details():
    doc = Document(str(D.PACKAGED_TEMPLATE))
    styles = doc.styles
    expected = {   # name: (points, bold, East Asian font family)
        "Normal": (10.5, None, "明朝"), "Title": (20, True, "ゴシック"), "表紙 副題": (14, None, "ゴシック"),
        "Heading 1": (16, True, "ゴシック"), "Heading 2": (13, True, "ゴシック"), "Heading 3": (11.5, True, "ゴシック"),
        "見出し 施策": (11, True, "ゴシック"), "表 本文": (9, None, "ゴシック"), "表 見出し": (9, True, "ゴシック"),
        "注記": (9, None, "明朝"),
    }
    for name, (points, bold, family) in expected.items():
        style = styles[name]
        assert style.font.size.pt == points, name
        assert style.font.bold == bold, name
        east = style.element.find(f"{{{W}}}rPr/{{{W}}}rFonts").get(f"{{{W}}}eastAsia")
        assert family in east, (name, east)
    for level in (1, 2, 3):
        style = styles[f"Heading {level}"]
        assert style.paragraph_format.keep_with_next
        assert style.element.xpath("w:pPr/w:outlineLvl/@w:val") == [str(level - 1)]
        assert style.element.get(f"{{{W}}}customStyle") is None   # built-in: Word localises the name
    assert styles["Title"].paragraph_format.alignment == 1   # centre
    assert styles["表 見出し"].paragraph_format.alignment == 1
    assert styles["表紙 副題"].paragraph_format.alignment == 1
    # List Bullet draws 「・」 through the built-in numbering
    num_id = styles["List Bullet"].element.xpath("w:pPr/w:numPr/w:numId/@w:val")
    assert num_id and num_id[0].isdigit()
    numbering = part_xml(D.PACKAGED_TEMPLATE, "word/numbering.xml")
    abstract = numbering.xpath("w:num[@w:numId=$n]/w:abstractNumId/@w:val", namespaces=NS, n=num_id[0])[0]
    lvl = numbering.xpath("w:abstractNum[@w:abstractNumId=$a]/w:lvl[@w:ilvl='0']", namespaces=NS, a=abstract)[0]
    assert lvl.xpath("w:numFmt/@w:val", namespaces=NS) == ["bullet"]
    assert lvl.xpath("w:lvlText/@w:val", namespaces=NS) == ["・"]


def test_builder_is_deterministic_and_packaged_file_is_current(tmp_path):
    first = build_template(tmp_path / "a.docx")
    second = build_template(tmp_path / "b.docx")
    parts = ["word/styles.xml", "word/numbering.xml", "word/settings.xml", "word/document.xml",
             "word/footer1.xml", "word/_rels/document.xml.rels", "[Content_Types].xml"]
    for name in parts:
        assert part_bytes(first, name) == part_bytes(second, name), name
        assert part_bytes(first, name) == part_bytes(D.PACKAGED_TEMPLATE, name), \
            f"{name} differs: run python3 -m kpireport.council.template_builder"


def test_template_path_prefers_the_workspace_copy(tmp_path):
    assert D.template_path(None) == D.PACKAGED_TEMPLATE
    assert D.template_path(tmp_path) == D.PACKAGED_TEMPLATE
    own = tmp_path / "templates" / "報告書ひな形.docx"
    own.parent.mkdir()
    own.write_bytes(D.PACKAGED_TEMPLATE.read_bytes())
    assert D.template_path(tmp_path) == own


# --- the helpers --------------------------------------------------------------------------------------------

FINAL_TEXT = "以上のとおり報告します。"


def build_sample(path: Path) -> Path:
    doc = D.ReportDocument(D.PACKAGED_TEMPLATE)
    D.paragraph(doc, "第3期総合計画 進捗状況報告書", "Title")
    D.paragraph(doc, "令和5年度実績", "表紙 副題")
    D.page_break(doc)
    D.toc(doc)
    D.page_break(doc)
    D.heading(doc, "第1章 計画の概要", 1)
    D.paragraph(doc, "本報告書は、総合計画に掲げた重要業績評価指標の進捗状況をとりまとめたものです。")
    D.heading(doc, "基本目標1 にぎわいのあるまち", 2)
    D.heading(doc, "施策分野 観光振興", 3)
    D.paragraph(doc, "①観光の振興", "見出し 施策")
    D.bullets(doc, ["観光案内所の来訪者数が増加しました。", "外国語パンフレットを作成しました。"])
    D.paragraph(doc, "表1 KPIの達成状況", "Caption")
    D.table(doc, ["指標名", "基準値", "目標値", "実績値", "評価"],
            [["観光入込客数", "120", "150", "138", "B"], ["宿泊者数", "45,000", "60,000", "61,200", "A"],
             ["案内所来訪者数\n（速報値）", "1,000", "1,500", "1,620", "A"]],
            widths_mm=[60, 25, 25, 25, 15], align=["left", "right", "right", "right", "center"],
            shading={(1, 4): "C6EFCE"})
    D.paragraph(doc, "注：実績値は速報値を含みます。", "注記")
    D.picture(doc, tiny_png(), 40)
    D.paragraph(doc, FINAL_TEXT)
    D.page_break(doc)   # a section function may end with a break: the report must not end on an empty page
    D.remove_trailing_break(doc)
    doc.save(str(path))
    return path


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return build_sample(tmp_path_factory.mktemp("council") / "sample.docx")


def test_new_document_empties_body_and_keeps_page_setup():
    doc = D.ReportDocument(D.PACKAGED_TEMPLATE)
    body = doc.body
    assert [child.tag for child in body] == [f"{{{W}}}sectPr"]
    section = doc.docx.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert section.footer.paragraphs and not section.footer.is_linked_to_previous


def test_helpers_write_styles_table_toc_and_picture(sample):
    doc = Document(str(sample))
    styled = [(p.style.name, p.text) for p in doc.paragraphs]
    assert ("Heading 1", "第1章 計画の概要") in styled
    assert ("Heading 2", "基本目標1 にぎわいのあるまち") in styled
    assert ("Heading 3", "施策分野 観光振興") in styled
    assert ("List Bullet", "観光案内所の来訪者数が増加しました。") in styled
    assert ("見出し 施策", "①観光の振興") in styled

    root = part_xml(sample, "word/document.xml")
    body = root.find("w:body", NS)
    # the report ends with its last paragraph, then the section properties: no trailing page break
    children = list(body)
    assert children[-1].tag == f"{{{W}}}sectPr"
    assert "".join(children[-2].xpath(".//w:t/text()", namespaces=NS)) == FINAL_TEXT
    assert not children[-2].xpath(".//w:br[@w:type='page']", namespaces=NS)

    tbl = body.find("w:tbl", NS)
    assert tbl.xpath("w:tblPr/w:tblStyle/@w:val", namespaces=NS) == ["TableGrid"]
    rows = tbl.findall("w:tr", NS)
    assert len(rows) == 4
    assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
    assert all(row.find("w:trPr/w:tblHeader", NS) is None for row in rows[1:])
    assert all(row.find("w:trPr/w:cantSplit", NS) is not None for row in rows)
    widths_twips = [round(mm * TWIPS_PER_MM) for mm in (60, 25, 25, 25, 15)]
    for row in rows:
        cells = row.findall("w:tc", NS)
        got = [int(c.find("w:tcPr/w:tcW", NS).get(f"{{{W}}}w")) for c in cells]
        assert all(abs(g - w) <= 1 for g, w in zip(got, widths_twips)), got
        assert all(c.find("w:tcPr/w:tcW", NS).get(f"{{{W}}}type") == "dxa" for c in cells)
    grid = [int(v) for v in tbl.xpath("w:tblGrid/w:gridCol/@w:w", namespaces=NS)]
    assert all(abs(g - w) <= 1 for g, w in zip(grid, widths_twips))
    assert tbl.xpath("w:tblPr/w:tblLayout/@w:type", namespaces=NS) == ["fixed"]
    # header cells in 表 見出し, body cells in 表 本文, per-column alignment, shading, "\n" -> paragraphs
    assert set(rows[0].xpath(".//w:pStyle/@w:val", namespaces=NS)) == {"TableHeading"}
    assert set(rows[1].xpath(".//w:pStyle/@w:val", namespaces=NS)) == {"TableText"}
    assert rows[1].xpath("w:tc[2]/w:p/w:pPr/w:jc/@w:val", namespaces=NS) == ["right"]
    assert rows[1].xpath("w:tc[5]/w:p/w:pPr/w:jc/@w:val", namespaces=NS) == ["center"]
    assert rows[2].xpath("w:tc[5]/w:tcPr/w:shd/@w:fill", namespaces=NS) == ["C6EFCE"]
    assert not rows[1].xpath("w:tc/w:tcPr/w:shd", namespaces=NS)
    multi = rows[3].find("w:tc", NS).findall("w:p", NS)
    assert ["".join(p.xpath(".//w:t/text()", namespaces=NS)) for p in multi] == ["案内所来訪者数", "（速報値）"]

    # the table of contents: a field Word fills on opening, after a title that is not a heading
    instr = root.xpath(".//w:instrText/text()", namespaces=NS)
    assert [s.strip() for s in instr] == ['TOC \\o "1-2" \\h \\z \\u']
    toc_para = root.xpath(".//w:p[.//w:instrText]", namespaces=NS)[0]
    kinds = toc_para.xpath(".//w:fldChar/@w:fldCharType", namespaces=NS)
    assert kinds == ["begin", "separate", "end"]
    assert D.TOC_PLACEHOLDER in "".join(toc_para.xpath(".//w:t/text()", namespaces=NS))
    title = toc_para.getprevious()
    assert title.xpath("w:pPr/w:pStyle/@w:val", namespaces=NS) == ["TOCHeading"]
    assert "".join(title.xpath(".//w:t/text()", namespaces=NS)) == "目次"

    # the picture: an inline drawing in a centred paragraph, the PNG in the package
    drawing_para = root.xpath(".//w:p[.//w:drawing]", namespaces=NS)
    assert len(drawing_para) == 1
    assert drawing_para[0].xpath("w:pPr/w:jc/@w:val", namespaces=NS) == ["center"]
    assert any(n.startswith("word/media/") and n.endswith(".png") for n in zipfile.ZipFile(sample).namelist())


def test_text_stays_literal_and_never_becomes_a_field(tmp_path):
    doc = D.ReportDocument(D.PACKAGED_TEMPLATE)
    for text in TRICKY:
        D.paragraph(doc, text)
    D.bullets(doc, TRICKY)
    D.table(doc, ["列A", "列B", "列C"], [TRICKY, list(reversed(TRICKY))])
    D.heading(doc, TRICKY[0], 2)
    D.paragraph(doc, "制御\x01文字\x0bと\x1f\ufffe")
    path = tmp_path / "safety.docx"
    doc.save(str(path))

    raw = part_bytes(path, "word/document.xml")
    assert b"<w:fldSimple" not in raw and b"<w:instrText" not in raw and b"<w:hyperlink" not in raw
    assert b"&lt;w:fldSimple" in raw
    root = etree.fromstring(raw)
    assert not root.xpath(".//w:fldSimple | .//w:instrText | .//w:fldChar | .//w:hyperlink", namespaces=NS)
    texts = root.xpath(".//w:t/text()", namespaces=NS)
    for index, text in enumerate(TRICKY):
        # a paragraph, a bullet, two cells each, and the first one also as a heading
        assert texts.count(text) == (5 if index == 0 else 4), (text, texts)
    assert "制御?文字?と??" in texts
    rels = part_bytes(path, "word/_rels/document.xml.rels")
    assert b"http://x" not in rels


def test_page_break_and_remove_trailing_break():
    doc = D.ReportDocument(D.PACKAGED_TEMPLATE)
    D.paragraph(doc, "本文")
    D.page_break(doc)
    D.paragraph(doc, "次のページ")
    D.page_break(doc)
    D.page_break(doc)
    D.remove_trailing_break(doc)
    body = doc.body
    paras = body.findall(f"{{{W}}}p")
    assert [("".join(p.xpath(".//w:t/text()")), bool(p.xpath(".//w:br[@w:type='page']"))) for p in paras] == [
        ("本文", False), ("", True), ("次のページ", False)]
    D.remove_trailing_break(doc)   # nothing more to remove
    assert len(body.findall(f"{{{W}}}p")) == 3


def test_argument_checks():
    doc = D.ReportDocument(D.PACKAGED_TEMPLATE)
    with pytest.raises(ValueError):
        D.heading(doc, "見出し", 4)
    with pytest.raises(ValueError):
        D.table(doc, ["A", "B"], [["1"]])
    with pytest.raises(ValueError):
        D.table(doc, ["A"], [["1"]], align=["middle"])
    with pytest.raises(ValueError):
        D.table(doc, ["A"], [["1"]], shading={(0, 0): "red"})
    with pytest.raises(ValueError):
        D.toc(doc, levels='1-2" \\f x')


# --- opened by a real client --------------------------------------------------------------------------------

@pytest.mark.slow  # LibreOffice
def test_sample_converts_to_pdf_with_japanese_text(sample, tmp_path):
    pdf = to_pdf(sample, tmp_path)
    text = pdf_text(pdf)
    flat = squeeze(text)
    for expected in ("第3期総合計画進捗状況報告書", "目次", "第1章計画の概要", "基本目標1にぎわいのあるまち",
                     "施策分野観光振興", "①観光の振興", "観光案内所の来訪者数が増加しました。", "指標名",
                     "観光入込客数", "61,200", "案内所来訪者数", "（速報値）", "注：実績値は速報値を含みます。",
                     FINAL_TEXT, D.TOC_PLACEHOLDER):
        assert expected in flat, expected
    # cover, table of contents, body: three pages and no empty one at the end
    assert pdf_pages(pdf) == 3
    pages = text.split("\f")
    assert FINAL_TEXT in squeeze(pages[2])
    assert "-3-" in squeeze(pages[2])   # page number in the footer
    # Japanese fonts embedded (no tofu boxes from a missing font)
    fonts = subprocess.run([require("pdffonts"), str(pdf)], check=True, capture_output=True, timeout=60)
    assert "CJK" in fonts.stdout.decode()


@pytest.mark.slow  # LibreOffice
def test_long_table_repeats_header_on_every_page(tmp_path):
    doc = D.ReportDocument(D.PACKAGED_TEMPLATE)
    D.heading(doc, "KPI一覧", 1)
    rows = [[f"指標{n:03d}", "説明文が入ります。\n2行目の説明", f"{n * 10:,}"] for n in range(1, 91)]
    D.table(doc, ["指標名", "内容", "実績値"], rows, widths_mm=[40, 100, 30], align=["left", "left", "right"])
    D.paragraph(doc, FINAL_TEXT)
    path = tmp_path / "long.docx"
    doc.save(str(path))
    pdf = to_pdf(path, tmp_path)
    pages = [p for p in pdf_text(pdf).split("\f")]
    count = pdf_pages(pdf)
    assert count >= 2
    for number, page in enumerate(pages[:count], start=1):
        flat = squeeze(page)
        assert "指標名" in flat and "実績値" in flat, f"page {number} lacks the repeated header row"
        assert f"-{number}-" in flat
    assert FINAL_TEXT in squeeze(pages[count - 1])
    # no row split across pages: every page holds as many second lines as rows
    flats = [squeeze(page) for page in pages[:count]]
    for n in range(1, 91):
        assert sum(f"指標{n:03d}" in flat for flat in flats) == 1, n
    for flat in flats:
        assert len(re.findall(r"指標\d{3}", flat)) == flat.count("2行目の説明")


def _template_naming_w_otherwise(tmp_path: Path) -> Path:
    """The packaged base document with its main part's WordprocessingML prefix 'w' renamed to 'x'
    (valid XML; other writers than Word may name it so)."""
    source, target = zipfile.ZipFile(D.PACKAGED_TEMPLATE), tmp_path / "prefix_x.docx"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = re.sub(rb"([<\s/])w:", rb"\1x:", data.replace(b"xmlns:w=", b"xmlns:x="))
                assert b"<x:body" in data and b"xmlns:w=" not in data
            out.writestr(item, data)
    return target


def test_tables_stay_whole_when_the_base_document_names_the_namespace_otherwise(tmp_path):
    doc = D.ReportDocument(_template_naming_w_otherwise(tmp_path))
    D.paragraph(doc, "前")
    D.table(doc, ["指標名", "実績値"], [["観光入込客数", "138"]], widths_mm=[60, 30])
    D.paragraph(doc, "後")
    path = tmp_path / "prefix.docx"
    doc.save(str(path))
    reopened = Document(str(path))
    assert [p.text for p in reopened.paragraphs] == ["前", "後"]
    assert [[c.text for c in row.cells] for row in reopened.tables[0].rows] == [["指標名", "実績値"],
                                                                                ["観光入込客数", "138"]]


def test_a_table_placeholder_gone_from_the_body_stops_the_save(tmp_path):
    doc = D.ReportDocument(D.PACKAGED_TEMPLATE)
    D.table(doc, ["A"], [["1"]])
    D.table(doc, ["B"], [["2"]])
    holder = doc.body.find(f"{{{W}}}tbl")
    holder.getparent().remove(holder)  # something removed a table from the tree: its text has no place
    with pytest.raises(RuntimeError, match="1 of 2 table placeholders"):
        doc.save(tmp_path / "broken.docx")
