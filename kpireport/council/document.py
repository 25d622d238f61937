"""Helpers the report sections call to write the council report on the base document.

Fonts, sizes and spacing come from the base document's styles (see template_builder); these helpers only
pick a style. Text from departments always goes in as literal run text: python-docx escapes it, and
nothing here ever turns text into a field, hyperlink or instruction. XML-illegal control characters are
replaced with '?' before writing.
"""
from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape as xml_escape
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable, Optional, Union

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.parts.document import DocumentPart
from docx.shared import Mm
from docx.text.paragraph import Paragraph
from lxml import etree

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
_HEX_FILL = re.compile(r"^[0-9A-Fa-f]{6}$")
_TOC_LEVELS = re.compile(r"^[1-9]-[1-9]$")


def template_path(workspace_root: Optional[Path]) -> Path:
    """The workspace's own base document (templates/報告書ひな形.docx) if there is one, else the packaged one."""
    if workspace_root is not None:
        candidate = Path(workspace_root) / WORKSPACE_TEMPLATE
        if candidate.is_file():
            return candidate
    return PACKAGED_TEMPLATE


def new_document(template: Path) -> DocumentObject:
    """The base document with its body emptied; the final sectPr (page setup, footer) stays."""
    doc = Document(str(template))
    body = doc.element.body
    children = list(body)
    final_sectpr = children[-1] if children and children[-1].tag == qn("w:sectPr") else None
    for child in children:
        if child is not final_sectpr:
            body.remove(child)
    return doc


def clean_text(text: object) -> str:
    """Text as it will be written: str, CRLF/CR normalised to LF, XML-illegal characters replaced with '?'."""
    value = "" if text is None else str(text)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("?", value)


def _add_text(paragraph: Paragraph, text: object) -> None:
    value = clean_text(text)
    if value:
        paragraph.add_run(value)   # run.text escapes; "\n" becomes a line break, "\t" a tab


def _append_block(doc: DocumentObject, element) -> None:
    """Add a paragraph or table at the end of the body, before the final sectPr. python-docx looks for
    the sectPr among all the body's children at every addition, which is quadratic in a long report."""
    body = doc.element.body
    cache = doc.part.__dict__
    end = cache.get("_kpireport_body_end")
    if end is None or end.getparent() is not body:
        last = body[-1] if len(body) else None
        end = last if last is not None and last.tag == qn("w:sectPr") else None
        cache["_kpireport_body_end"] = end
    if end is None:
        body.append(element)
    else:
        end.addprevious(element)


def add_paragraph(doc: DocumentObject) -> Paragraph:
    """An empty paragraph at the end of the body (as doc.add_paragraph(), in constant time)."""
    p = OxmlElement("w:p")
    _append_block(doc, p)
    return Paragraph(p, doc._body)


def heading(doc: DocumentObject, text: str, level: int) -> Paragraph:
    """A heading in the built-in style 'Heading {level}' (navigation pane, table of contents)."""
    if level not in (1, 2, 3):
        raise ValueError(f"heading level must be 1, 2 or 3, not {level!r}")
    para = add_paragraph(doc)
    para._p.style = _style_ids(doc)[f"Heading {level}"]  # python-docx's para.style= rescans all styles
    _add_text(para, text)
    return para


def paragraph(doc: DocumentObject, text: str, style: Optional[str] = None) -> Paragraph:
    para = add_paragraph(doc)
    if style:
        para._p.style = _style_ids(doc)[style]
    _add_text(para, text)
    return para


def bullets(doc: DocumentObject, items: Iterable[str], style: str = "List Bullet") -> list[Paragraph]:
    """One paragraph per item in the bullet style (the base document draws the 「・」)."""
    return [paragraph(doc, item, style) for item in items]


def page_break(doc: DocumentObject) -> None:
    """A paragraph holding only a page break (see remove_trailing_break for the end of the report)."""
    add_paragraph(doc).add_run().add_break(WD_BREAK.PAGE)


def _is_page_break_only(element) -> bool:
    if element.tag != qn("w:p"):
        return False
    breaks = element.findall(f".//{qn('w:br')}")
    if not breaks or any(br.get(qn("w:type")) != "page" for br in breaks):
        return False
    content = (qn("w:t"), qn("w:tab"), qn("w:drawing"), qn("w:pict"), qn("w:object"), qn("w:fldChar"),
               qn("w:instrText"), qn("w:fldSimple"), qn("w:sym"))
    return not any(el.tag in content for el in element.iter())


def remove_trailing_break(doc: DocumentObject) -> None:
    """Drop page-break-only paragraphs at the end of the body, so the report never ends on an empty page."""
    body = doc.element.body
    while True:
        children = [c for c in body if c.tag != qn("w:sectPr")]
        if not children or not _is_page_break_only(children[-1]):
            return
        body.remove(children[-1])


def finish_page_breaks(doc: DocumentObject) -> None:
    """Turn each page-break paragraph into 'page break before' on the paragraph that follows it.

    A break paragraph after content that fills its page exactly would start an empty page; a
    paragraph that starts a page with 'page break before' never does. A break before a table is
    kept (a table cannot carry the property); breaks at the end are dropped.
    """
    remove_trailing_break(doc)
    body = doc.element.body
    children = [c for c in body if c.tag != qn("w:sectPr")]
    for element, following in zip(children, children[1:]):
        if _is_page_break_only(element) and following.tag == qn("w:p") and not _is_page_break_only(following):
            Paragraph(following, doc._body).paragraph_format.page_break_before = True
            body.remove(element)


def _text_width(doc: DocumentObject) -> int:
    section = doc.sections[-1]
    return int(section.page_width - section.left_margin - section.right_margin)


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


def _cell_xml(text: object, tc_open: str, p_open: str, fill: Optional[str]) -> str:
    """One w:tc: ``tc_open`` (the cell's start and width), optional fill, one paragraph per line of text,
    each opened by ``p_open`` (its style and alignment)."""
    shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill.upper()}"/>' if fill else ""
    paragraphs = "".join(f"{p_open}{_run_xml(line) if line else ''}</w:p>" for line in clean_text(text).split("\n"))
    return f"{tc_open}{shading}</w:tcPr>{paragraphs}</w:tc>"


def _rows_xml(headers: list[str], rows: list[list[str]], widths: list[int], head_id: str, body_id: str,
              align: Optional[list[str]], fills: dict[tuple[int, int], str]) -> str:
    """All rows of a table as XML text (spliced into the saved document, see _TableSplicingPart).

    Built as text because python-docx makes each cell element by element (about 0.5 ms a cell: most of
    a large city's report time); the XML is the same as python-docx writes (see the golden test).
    """
    tc_open = [f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{round(width / 635)}"/>' for width in widths]
    head_p = f'<w:p><w:pPr><w:pStyle w:val="{head_id}"/></w:pPr>'
    jcs = [f'<w:jc w:val="{a}"/>' if a else "" for a in (align or [None] * len(widths))]
    body_p = [f'<w:p><w:pPr><w:pStyle w:val="{body_id}"/>{jc}</w:pPr>' for jc in jcs]
    out = ['<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>']
    out.extend(_cell_xml(value, start, head_p, None) for value, start in zip(headers, tc_open))
    out.append("</w:tr>")
    for number, row in enumerate(rows):
        out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        for column, value in enumerate(row[:len(widths)]):
            fill = fills.get((number, column)) if fills else None
            if fill and not _HEX_FILL.match(fill):
                raise ValueError(f"shading fill must be 6 hex digits like 'C6EFCE', not {fill!r}")
            out.append(_cell_xml(value, tc_open[column], body_p[column], fill))
        out.append("</w:tr>")
    return "".join(out)


def _style_ids(doc: DocumentObject) -> dict[str, str]:
    """Style name -> style ID, looked up once per document (python-docx searches all styles per lookup)."""
    cache = doc.part.__dict__.setdefault("_kpireport_style_ids", {})
    if not cache:
        cache.update((style.name, style.style_id) for style in doc.styles)
    return cache


def table(doc: DocumentObject, headers: list[str], rows: list[list[str]],
          widths_mm: Optional[list[float]] = None, align: Optional[list[str]] = None,
          header_style: str = "表 見出し", body_style: str = "表 本文",
          shading: Optional[dict[tuple[int, int], str]] = None) -> None:
    """A 'Table Grid' table: header row repeated on every page, no row split across pages, widths on every
    cell, per-column alignment ('left'|'center'|'right'), fills keyed by (row index in `rows`, column)."""
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
        total = _text_width(doc)
        widths = [total // columns] * columns

    style_ids = _style_ids(doc)
    grid = "".join(f'<w:gridCol w:w="{round(w / 635)}"/>' for w in widths)
    rows_xml = _rows_xml(headers, rows, widths, style_ids[header_style], style_ids[body_style], align, shading or {})
    # the table properties python-docx writes for a 'Table Grid' table, centred, fixed layout
    _append_table_xml(doc, (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{style_ids["Table Grid"]}"/>'
        f'<w:tblW w:type="dxa" w:w="{sum(widths) // 635}"/><w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
        f'<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" '
        f'w:noVBand="1" w:val="04A0"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{rows_xml}</w:tbl>'))


_HOLDER = "kpireport-table-"
_HOLDER_XML = re.compile(rb"<w:tbl><!--" + _HOLDER.encode() + rb"(\d+)--></w:tbl>")
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


class _TableSplicingPart(DocumentPart):
    """The main document part, its tables kept as XML text until it is saved.

    Parsing the tables into the element tree and serialising them again took 0.8 of the 3.2 s that a large
    city's body, measures and appendix took under cProfile, and the tree was most of the report's memory
    (the large report's peak fell from 312 to about 190 MB, the prefecture's from 1.4 GB to 0.5 GB). A table is an empty w:tbl holding a numbered comment in the tree (so the
    body's sequence of paragraphs and tables stays visible) and its text replaces that placeholder in
    the saved part. Department text cannot make a comment: it is escaped when the table text is built.
    """

    @property
    def blob(self) -> bytes:
        xml = super().blob
        tables = self.__dict__.get("_kpireport_tables")
        if not tables:
            return xml
        spliced, count = _HOLDER_XML.subn(lambda match: tables[int(match.group(1))], xml)
        if count != len(tables):  # never a document with a table missing
            raise RuntimeError(f"{count} of {len(tables)} table placeholders found in the saved document part")
        return spliced


def _append_table_xml(doc: DocumentObject, xml: str) -> None:
    """Add a table given as XML text with the w: prefix (see _TableSplicingPart)."""
    if doc.element.nsmap.get("w") != _W:  # a base document naming the namespace otherwise: into the tree
        _append_block(doc, parse_xml(xml.replace("<w:tbl>", f"<w:tbl {nsdecls('w')}>", 1)))
        return
    part = doc.part
    if not isinstance(part, _TableSplicingPart):
        part.__class__ = _TableSplicingPart  # same object and state, with the splicing blob
    tables = part.__dict__.setdefault("_kpireport_tables", [])
    holder = OxmlElement("w:tbl")
    holder.append(etree.Comment(f"{_HOLDER}{len(tables)}"))
    tables.append(xml.encode("utf-8"))
    _append_block(doc, holder)


def _field_char(paragraph_: Paragraph, kind: str, dirty: bool = False) -> None:
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    if dirty:
        el.set(qn("w:dirty"), "true")
    paragraph_.add_run()._r.append(el)


def toc(doc: DocumentObject, levels: str = "1-2", title: str = "目次") -> None:
    """A title (style 'TOC Heading': no outline level, so not listed in itself) and a TOC field that Word
    fills when it opens the file (updateFields in the base document; the field is also marked dirty)."""
    if not _TOC_LEVELS.match(levels):
        raise ValueError(f"levels must look like '1-2', not {levels!r}")
    try:
        title_style = doc.styles["TOC Heading"]
    except KeyError:
        title_style = None
    paragraph(doc, title, title_style.name if title_style is not None else None)
    para = add_paragraph(doc)
    _field_char(para, "begin", dirty=True)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f' TOC \\o "{levels}" \\h \\z \\u '
    para.add_run()._r.append(instr)
    _field_char(para, "separate")
    para.add_run(TOC_PLACEHOLDER)
    _field_char(para, "end")


def picture(doc: DocumentObject, png: Union[bytes, Callable[[], bytes]], width_mm: float) -> None:
    """A picture in a centred paragraph of its own. Given a wait() (a chart still being drawn in another
    process), the paragraph is placed now and the picture goes in at place_pictures()."""
    para = add_paragraph(doc)
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if callable(png):
        doc.part.__dict__.setdefault("_kpireport_pending", []).append((para, png, width_mm))
    else:
        para.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))


def place_pictures(doc: DocumentObject) -> None:
    """Put in the pictures that were still being drawn when their paragraphs were placed."""
    pending = doc.part.__dict__.pop("_kpireport_pending", [])
    for para, wait, width_mm in pending:
        para.add_run().add_picture(io.BytesIO(wait()), width=Mm(width_mm))

