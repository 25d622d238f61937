"""Helpers the report sections call to write the council report on the base document.

Fonts, sizes and spacing come from the base document's styles (see template_builder); these helpers only
pick a style. Text from departments always goes in as literal run text: python-docx escapes it, and
nothing here ever turns text into a field, hyperlink or instruction. XML-illegal control characters are
replaced with '?' before writing.
"""
from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import BinaryIO, cast
from xml.sax.saxutils import escape as xml_escape

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import nsdecls, qn
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm
from docx.text.paragraph import Paragraph
from lxml import etree

from kpireport.errors import KpireportError
from kpireport.text_layout import display_width

PACKAGED_TEMPLATE = Path(str(resources.files("kpireport").joinpath("templates/report_base.docx")))
WORKSPACE_TEMPLATE = Path("templates") / "報告書ひな形.docx"

TOC_PLACEHOLDER = "（目次はWordで開くと更新されます）"

_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}
# XML 1.0 forbids C0 controls except tab/newline/CR, lone surrogates and U+FFFE/U+FFFF
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_FULL_PERCENT = re.compile(r"(?<=[0-9])％")
_HEX_FILL = re.compile(r"^[0-9A-Fa-f]{6}$")
_TOC_LEVELS = re.compile(r"^[1-9]-[1-9]$")
_HOLDER = "kpireport-table-"
GROUP_FILL = "F2F2F2"  # grouping rows of a table (a level of the plan)
# fit_widths: table text is 9 pt (表 本文): a half-width unit is 4.5 pt; Table Grid's cell margins are 1.9 mm a side
_HALF_WIDTH_MM = 4.5 * 25.4 / 72
_CELL_MARGINS_MM = 2 * 1.9 + 0.8
_BOLD = 1.06
_SHORT_HEADER = 16  # header lines up to 8 full-width characters are labels: never broken
_SHORT_LABEL = 10   # body lines up to 5 full-width characters (「評価不能」「○継続推進」) neither
_MIN_WIDTH = int(Mm(8))
_SAFETY = 1.08  # the estimate is of the nominal widths; a face's digits and brackets run a little wider
# a number with its sign and unit: 「94,821百万円」「△4.9%」「1,240万人」 (up to four characters of unit)
# and a year with its era and 年度, in its brackets: 「（令和10年度）」「(H25)」
_UNBROKEN = re.compile(r"[（(]?(?:令和|平成|昭和|[RHS])\s*[0-9元]+(?:年度?)?[）)]?|[△▲−\-+]?[0-9][0-9,.]*[^\s0-9（）()「」、。・,]{0,4}")
_DIGIT = re.compile(r"[0-9元]")
_HOLDER_XML = re.compile(rb"<(\w+):tbl><!--" + _HOLDER.encode() + rb"(\d+)--></\1:tbl>")
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def template_path(workspace_root: Path | None) -> Path:
    """The workspace's own base document (templates/報告書ひな形.docx) if there is one, else the packaged one."""
    if workspace_root is not None:
        candidate = Path(workspace_root) / WORKSPACE_TEMPLATE
        if candidate.is_file():
            return candidate
    return PACKAGED_TEMPLATE


class ReportDocument:
    """The report being written: the base document with its body emptied (the final sectPr, with the
    page setup and footer, stays), and what the helpers look up once."""

    def __init__(self, template: Path):
        self.docx = Document(str(template))
        self.body = self.docx.element.body
        children = list(self.body)
        self.end = children[-1] if children and children[-1].tag == qn("w:sectPr") else None
        for child in children:
            if child is not self.end:
                self.body.remove(child)
        # style name -> ID once: python-docx searches every style at each lookup by name
        self.style_ids = {style.name: style.style_id for style in self.docx.styles}
        self.tables: list[bytes] = []  # the tables' XML text, put in place at save()
        # per table written by table(): the lines of text of each of its rows, in order (the page layout's heights)
        self.row_lines: dict[int, list[int]] = {}
        self.section: str | None = None  # the section being written (its English alias), set by report.py
        # section bookmark -> index of the body element after the contents field limited to it (see toc)
        self.bookmarks: dict[str, int] = {}
        # heading levels the report's contents lists (2 in a short report: its chapters' contents need no page)
        self.contents_depth = 1

    def append(self, element: BaseOxmlElement) -> None:
        """Add a paragraph or table at the end of the body, before the final sectPr (python-docx's own
        add_paragraph looks for the sectPr among all the body's children each time: quadratic)."""
        if self.end is None:
            self.body.append(element)
        else:
            self.end.addprevious(element)

    def size(self) -> int:
        """How many elements the body holds, not counting the final sectPr (the index of the next one appended)."""
        return len(self.body) - (self.end is not None)

    def text_width(self) -> int:
        section = self.docx.sections[-1]
        width, left, right = section.page_width, section.left_margin, section.right_margin
        if width is None or left is None or right is None:  # Word always writes them; a hand-made file may not
            raise KpireportError("報告書のひな形の最後のセクションに用紙の幅または余白がありません。"
                                 "Wordでひな形を開き、ページ設定を保存し直してください。")
        return int(width - left - right)

    def add_table_xml(self, xml: str) -> None:
        """Add a table given as XML text (w: prefix). The body holds an empty w:tbl with a numbered comment in
        its place (so the sequence of paragraphs and tables stays visible); save() puts the text there."""
        self.append(self.table_holder(xml))

    def table_holder(self, xml: str) -> BaseOxmlElement:
        """The placeholder of a table given as XML text, not yet in the body (add_table_xml appends it)."""
        holder = cast(CT_Tbl, OxmlElement("w:tbl"))  # python-docx makes a w:tbl element a CT_Tbl
        holder.append(etree.Comment(f"{_HOLDER}{len(self.tables)}"))
        if self.docx.element.nsmap.get("w") != _W:  # a base document naming the namespace otherwise
            xml = xml.replace("<w:tbl>", f"<w:tbl {nsdecls('w')}>", 1)
        self.tables.append(xml.encode("utf-8"))
        return holder

    def table_number(self, holder: BaseOxmlElement) -> int | None:
        """The number in ``tables`` of the table whose placeholder is ``holder`` (None for another element)."""
        comment = next(iter(holder), None)
        text = comment.text if comment is not None and comment.text else ""
        return int(text[len(_HOLDER):]) if text.startswith(_HOLDER) else None

    def table_xml(self, holder: BaseOxmlElement) -> bytes:
        """The XML text of the table whose placeholder (add_table_xml) is ``holder``."""
        number = self.table_number(holder)
        return self.tables[number] if number is not None else b""

    def save(self, target: str | Path | BinaryIO) -> None:
        """Save through python-docx, then put each table's text in its place in the saved document part.

        Parsing the tables into python-docx's element tree and serialising them again took about a quarter
        of a large city's report time and most of its memory; the text goes straight into the package.
        Department text cannot make a placeholder: it is escaped when the table text is built and when
        python-docx writes the body."""
        saved = io.BytesIO()
        self.docx.save(saved)
        with zipfile.ZipFile(saved) as package, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info in package.infolist():
                data = package.read(info)
                if info.filename == self.docx.part.partname.lstrip("/"):
                    data, count = _HOLDER_XML.subn(lambda match: self.tables[int(match.group(2))], data)
                    if count != len(self.tables):  # never a document with a table missing
                        raise RuntimeError(f"{count} of {len(self.tables)} table placeholders found in the saved document")
                out.writestr(info, data)


def clean_text(text: object) -> str:
    """Text as it will be written: str, CRLF/CR normalised to LF, XML-illegal characters replaced with '?', and
    full-width digits in the report's style (a department's 「５０％」「２０３人」 as 「50%」「203人」)."""
    return _clean("" if text is None else str(text))


@lru_cache(maxsize=65_536)  # each cell's text is cleaned to size its column and again to write it; labels recur
def _clean(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n").translate(_DIGITS)
    return _ILLEGAL.sub("?", _FULL_PERCENT.sub("%", value))


def _add_text(paragraph: Paragraph, text: object) -> None:
    value = clean_text(text)
    if value:
        paragraph.add_run(value)   # run.text escapes; "\n" becomes a line break, "\t" a tab


def add_paragraph(doc: ReportDocument, style: str | None = None) -> Paragraph:
    """An empty paragraph at the end of the body, in the named style."""
    p = cast(CT_P, OxmlElement("w:p"))  # python-docx makes a w:p element a CT_P
    if style:
        p.style = doc.style_ids[style]
    doc.append(p)
    return Paragraph(p, doc.docx)


def heading(doc: ReportDocument, text: str, level: int) -> Paragraph:
    """A heading in the built-in style 'Heading {level}' (navigation pane, table of contents)."""
    if level not in (1, 2, 3):
        raise ValueError(f"heading level must be 1, 2 or 3, not {level!r}")
    para = add_paragraph(doc, f"Heading {level}")
    _add_text(para, text)
    return para


def paragraph(doc: ReportDocument, text: str, style: str | None = None) -> Paragraph:
    para = add_paragraph(doc, style)
    _add_text(para, text)
    return para


def bullets(doc: ReportDocument, items: Iterable[str], style: str = "List Bullet") -> list[Paragraph]:
    """One paragraph per item in the bullet style (the base document draws the 「・」)."""
    return [paragraph(doc, item, style) for item in items]


def page_break(doc: ReportDocument) -> None:
    """A paragraph holding only a page break (see remove_trailing_break for the end of the report)."""
    add_paragraph(doc).add_run().add_break(WD_BREAK.PAGE)


def _is_page_break_only(element: BaseOxmlElement) -> bool:
    if element.tag != qn("w:p"):
        return False
    breaks = element.findall(f".//{qn('w:br')}")
    if not breaks or any(br.get(qn("w:type")) != "page" for br in breaks):
        return False
    content = (qn("w:t"), qn("w:tab"), qn("w:drawing"), qn("w:pict"), qn("w:object"), qn("w:fldChar"),
               qn("w:instrText"), qn("w:fldSimple"), qn("w:sym"))
    return not any(el.tag in content for el in element.iter())


def remove_trailing_break(doc: ReportDocument) -> None:
    """Drop page-break-only paragraphs at the end of the body, so the report never ends on an empty page."""
    body = doc.body
    while True:
        children = [c for c in body if c.tag != qn("w:sectPr")]
        if not children or not _is_page_break_only(children[-1]):
            return
        body.remove(children[-1])


def finish_page_breaks(doc: ReportDocument) -> None:
    """Turn each page-break paragraph into 'page break before' on the paragraph that follows it.

    A break paragraph after content that fills its page exactly would start an empty page; a
    paragraph that starts a page with 'page break before' never does. A break before a table is
    kept (a table cannot carry the property); breaks at the end are dropped.
    """
    remove_trailing_break(doc)
    body = doc.body
    children = [c for c in body if c.tag != qn("w:sectPr")]
    for element, following in zip(children, children[1:]):
        if _is_page_break_only(element) and following.tag == qn("w:p") and not _is_page_break_only(following):
            Paragraph(following, doc.docx).paragraph_format.page_break_before = True
            body.remove(element)


def _run_xml(line: str) -> str:
    """A line as w:r content the way python-docx writes run.text: a tab becomes w:tab, the rest w:t."""
    if "\t" not in line:  # the usual case
        space = ' xml:space="preserve"' if line[0].isspace() or line[-1].isspace() else ""
        return f"<w:r><w:t{space}>{xml_escape(line)}</w:t></w:r>"
    parts = []
    for index, piece in enumerate(line.split("\t")):
        if index:
            parts.append("<w:tab/>")
        if piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            parts.append(f"<w:t{space}>{xml_escape(piece)}</w:t>")
    return f"<w:r>{''.join(parts)}</w:r>"


def _cell_xml(text: object, tc_open: str, p_open: str, fill: str | None) -> str:
    """One w:tc: ``tc_open`` (the cell's start and width), optional fill, one paragraph per line of text,
    each opened by ``p_open`` (its style and alignment)."""
    return _cell_xml_of(clean_text(text), tc_open, p_open, fill)


# the same cells recur, in a column and from table to table (「（令和4年度）」, grades, departments): on the large
# city's report two in three of a table's cells (their text, width and style) had been written before
@lru_cache(maxsize=65_536)
def _cell_xml_of(text: str, tc_open: str, p_open: str, fill: str | None) -> str:
    shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill.upper()}"/>' if fill else ""
    paragraphs = "".join(f"{p_open}{_run_xml(line) if line else ''}</w:p>" for line in text.split("\n"))
    return f"{tc_open}{shading}</w:tcPr>{paragraphs}</w:tc>"


def _rows_xml(headers: list[str], rows: list[list[str]], widths: list[int], head_id: str, body_id: str,
              align: list[str] | None, fills: dict[tuple[int, int], str], groups: dict[int, str],
              repeat_header: bool, keep_rows: int = 0, caption: str = "", keep_last: int = 0) -> str:
    """All rows of a table as XML text, parsed by lxml in one go.

    Built as text because python-docx makes each cell element by element (about 0.5 ms a cell: most of
    a large city's report time); the XML is the same as python-docx writes (see the golden test).
    The header paragraphs keep with the next row, so a header never ends a page without a row under it.
    """
    tc_open = [f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{round(width / 635)}"/>' for width in widths]
    head_p = f'<w:p><w:pPr><w:pStyle w:val="{head_id}"/><w:keepNext/></w:pPr>'
    aligns: list[str | None] = list(align) if align else [None] * len(widths)
    jcs = [f'<w:jc w:val="{a}"/>' if a else "" for a in aligns]
    body_p = [f'<w:p><w:pPr><w:pStyle w:val="{body_id}"/>{jc}</w:pPr>' for jc in jcs]
    kept_p = [f'<w:p><w:pPr><w:pStyle w:val="{body_id}"/><w:keepNext/>{jc}</w:pPr>' for jc in jcs]
    repeat = "<w:tblHeader/>" if repeat_header else ""
    # the caption repeats even over a single row: tables that touch are drawn as one (a measure sheet), whose
    # first rows are the ones repeated
    span = (f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{round(sum(widths) / 635)}"/>'
            f'<w:gridSpan w:val="{len(widths)}"/>')
    out = []
    if caption:  # a header row across the table: on each page the table goes on to, it says whose table it is
        out.append('<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>')
        out.append(_cell_xml(caption, span, head_p.replace("<w:keepNext/>", '<w:keepNext/><w:jc w:val="left"/>'), None))
        out.append("</w:tr>")
    out.append(f'<w:tr><w:trPr><w:cantSplit/>{repeat}</w:trPr>')
    out.extend(_cell_xml(value, start, head_p, None) for value, start in zip(headers, tc_open))
    out.append("</w:tr>")
    for number, row in enumerate(rows):
        if number in groups:  # a grouping row across the table, kept with the row under it
            out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
            out.append(_cell_xml(groups[number], span, head_p.replace("<w:keepNext/>", '<w:keepNext/><w:jc w:val="left"/>'),
                                 GROUP_FILL))
            out.append("</w:tr>")
        out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        for column, value in enumerate(row[:len(widths)]):
            fill = fills.get((number, column)) if fills else None
            if fill and not _HEX_FILL.match(fill):
                raise ValueError(f"shading fill must be 6 hex digits like 'C6EFCE', not {fill!r}")
            kept = number < keep_rows or len(rows) - keep_last <= number < len(rows) - 1
            opening = kept_p[column] if kept else body_p[column]
            out.append(_cell_xml(value, tc_open[column], opening, fill))
        out.append("</w:tr>")
    return "".join(out)


def fit_widths(headers: list[str], rows: list[list[str]], widths: list[int]) -> list[int]:
    """Column widths (EMU) widened where a short label or a number with its unit would otherwise break
    (「評価不/能」「94,821百万/円」), taking the room from the columns with the most to spare; the total
    stays the same. Estimated from the table text's size: cell margins and bold headers included."""
    needed = [0] * len(widths)
    for column, header in enumerate(headers):
        lines = [line for line in clean_text(header).split("\n") if display_width(line) <= _SHORT_HEADER]
        needed[column] = max([round(_emu(line) * _BOLD) for line in lines] + [0])
    for row in rows:
        for column, value in enumerate(row[:len(widths)]):
            needed[column] = max(needed[column], _unbroken_emu(clean_text(value)))
    widths = list(widths)
    for column in range(len(widths)):
        while widths[column] < needed[column]:
            donor = max(range(len(widths)), key=lambda c: widths[c] - max(needed[c], _MIN_WIDTH))
            spare = widths[donor] - max(needed[donor], _MIN_WIDTH)
            if donor == column or spare <= 0:
                break
            moved = min(spare, needed[column] - widths[column])
            widths[donor] -= moved
            widths[column] += moved
    return widths


def _row_lines(headers: list[str], rows: list[list[str]], widths: list[int], groups: dict[int, str],
               caption: str) -> list[int]:
    """The lines of text of each row _rows_xml writes (caption, headings, grouping rows, rows), each cell's text
    wrapped at its width less the cell margins: its tallest cell's."""
    units = [max(1, (round(width / 635) * 25.4 / 1440 - _CELL_MARGINS_MM) / _HALF_WIDTH_MM) for width in widths]
    across = max(1, (round(sum(widths) / 635) * 25.4 / 1440 - _CELL_MARGINS_MM) / _HALF_WIDTH_MM)
    found = [_lines(caption, across)] if caption else []
    found.append(max(_lines(header, unit) for header, unit in zip(headers, units)))
    for number, row in enumerate(rows):
        if number in groups:
            found.append(_lines(groups[number], across))
        found.append(max(_lines(value, unit) for value, unit in zip(row, units)))
    return found


def _lines(text: object, units: float) -> int:
    return _lines_of(clean_text(text), units)


@lru_cache(maxsize=65_536)  # as _cell_xml_of: two in three recur
def _lines_of(text: str, units: float) -> int:
    return sum(max(1, math.ceil(display_width(line) / units)) for line in text.split("\n"))


@lru_cache(maxsize=65_536)  # as _cell_xml_of: two in three recur
def _unbroken_emu(text: str) -> int:
    """The width a cell's text needs so that none of its lines breaks where it must not (0: no such part)."""
    found = [widest for line in text.split("\n") if (widest := _widest_unbroken(line)) is not None]
    return round(_emu_of(max(found)) * _SAFETY) if found else 0


def _widest_unbroken(line: str) -> int | None:
    """The width (half-width units) of the widest part of a body line that must not break: the whole line when
    it is a short label, else its widest number with its unit or year with its era; None when it has neither."""
    width = display_width(line)
    if width <= _SHORT_LABEL:
        return width
    if not _DIGIT.search(line):  # every unbroken part holds a digit (or 元 of 令和元年)
        return None
    return max((display_width(token) for token in _UNBROKEN.findall(line)), default=None)


def _emu(text: str) -> int:
    """The width a line of table text takes (half-width units at the table's 9 pt) plus the cell margins."""
    return _emu_of(display_width(text))


def _emu_of(width: int) -> int:
    return int(Mm(width * _HALF_WIDTH_MM + _CELL_MARGINS_MM))


def table(doc: ReportDocument, headers: list[str], rows: list[list[str]],
          widths_mm: Sequence[float] | None = None, align: list[str] | None = None,
          header_style: str = "表 見出し", body_style: str = "表 本文",
          shading: dict[tuple[int, int], str] | None = None, groups: dict[int, str] | None = None,
          repeat_header: bool | None = None, keep_rows: int = 0, caption: str = "", keep_last: int = 0) -> None:
    """A 'Table Grid' table: no row split across pages, widths on every cell (widened where a number with its
    unit or a short label would break: fit_widths), per-column alignment ('left'|'center'|'right'), fills keyed
    by (row index in `rows`, column), grouping rows across the table before the rows indexed in ``groups``.
    The header row repeats on every page when the table has more than one row (``repeat_header`` to choose):
    over a single long row, such as a measure's 「内容」, a repeated header says nothing. The first ``keep_rows``
    rows keep with what follows them (a small block that should not be split across pages), the last ``keep_last``
    rows with each other (a total never goes to the next page with only a row or two above it). A ``caption`` is a
    first header row across the table, repeated with the header (the node's name; continued.py splits the table
    where a page ends, so that each page it goes on to says 「（続き）」 after it). The rows' lines of text are
    counted for the page layout (``row_lines``)."""
    columns = len(headers)
    if columns == 0:
        raise ValueError("a table needs at least one column")
    for number, row in enumerate(rows):
        if len(row) != columns:
            raise ValueError(f"row {number} has {len(row)} cells, the header has {columns}")
    if align is not None:
        if len(align) != columns or any(a not in _ALIGN for a in align):
            raise ValueError(f"align must give one of {sorted(_ALIGN)} for each of the {columns} columns")
    if widths_mm is not None:
        if len(widths_mm) != columns:
            raise ValueError(f"widths_mm must give {columns} widths")
        widths = [int(Mm(w)) for w in widths_mm]
    else:
        total = doc.text_width()
        widths = [total // columns] * columns
    widths = fit_widths(headers, rows, widths)
    repeat = len(rows) > 1 if repeat_header is None else repeat_header

    doc.row_lines[len(doc.tables)] = _row_lines(headers, rows, widths, groups or {}, caption)
    style_ids = doc.style_ids
    grid = "".join(f'<w:gridCol w:w="{round(w / 635)}"/>' for w in widths)
    rows_xml = _rows_xml(headers, rows, widths, style_ids[header_style], style_ids[body_style], align, shading or {},
                         groups or {}, repeat, keep_rows, caption, keep_last)
    # the table properties python-docx writes for a 'Table Grid' table, centred, fixed layout
    doc.add_table_xml(
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{style_ids["Table Grid"]}"/>'
        f'<w:tblW w:type="dxa" w:w="{sum(widths) // 635}"/><w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
        f'<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" '
        f'w:noVBand="1" w:val="04A0"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{rows_xml}</w:tbl>')


def _field_char(paragraph_: Paragraph, kind: str, dirty: bool = False) -> None:
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    if dirty:
        el.set(qn("w:dirty"), "true")
    paragraph_.add_run().element.append(el)


def section_bookmark(name: str) -> str:
    """The bookmark around a section: hidden in Word's list (leading underscore), ASCII, at most 40 characters."""
    return f"_kpireport_{name}"[:40]


def toc(doc: ReportDocument, levels: str = "1-2", title: str = "目次", whole: bool = False) -> None:
    """A title (style 'TOC Heading': no outline level, so not listed in itself) and a TOC field that Word
    fills when it opens the file (updateFields in the base document; the field is also marked dirty).

    Unless ``whole``, the field lists only the headings of the section being written that follow it: ``\\b``
    limits it to the section's bookmark, which report.py puts around them once the section is written
    (mark_section). The bookmark starts after the field: LibreOffice drops a bookmark that holds a contents
    field, and runtime/office.py finds the field to limit as the one just before such a bookmark."""
    if not _TOC_LEVELS.match(levels):
        raise ValueError(f"levels must look like '1-2', not {levels!r}")
    name = section_bookmark(doc.section) if not whole and doc.section else None
    scope = f"\\b {name} " if name is not None else ""
    paragraph(doc, title, "TOC Heading" if "TOC Heading" in doc.style_ids else None)
    para = add_paragraph(doc)
    _field_char(para, "begin", dirty=True)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f' TOC \\o "{levels}" {scope}\\h \\z \\u '
    para.add_run().element.append(instr)
    _field_char(para, "separate")
    para.add_run(TOC_PLACEHOLDER)
    _field_char(para, "end")
    if name is not None:
        doc.bookmarks[name] = doc.size()


def mark_section(doc: ReportDocument) -> None:
    """Put the current section's bookmark around what follows its contents field, if it has one: the start in
    the first paragraph after the field, the end after the section's last element that is not a page break
    (finish_page_breaks drops those)."""
    name = section_bookmark(doc.section) if doc.section else None
    if name not in doc.bookmarks:
        return
    after = [c for c in list(doc.body)[doc.bookmarks[name]:] if c.tag != qn("w:sectPr") and not _is_page_break_only(c)]
    paragraphs = [c for c in after if c.tag == qn("w:p")]
    if not paragraphs:
        return
    number = str(list(doc.bookmarks).index(name) + 1)
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), number)
    start.set(qn("w:name"), name)
    pPr = paragraphs[0].find(qn("w:pPr"))
    if pPr is not None:
        pPr.addnext(start)
    else:
        paragraphs[0].insert(0, start)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), number)
    after[-1].addnext(end)


def picture(doc: ReportDocument, png: bytes, width_mm: float) -> None:
    """A picture in a centred paragraph of its own."""
    para = add_paragraph(doc)
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
