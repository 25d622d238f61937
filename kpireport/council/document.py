"""Helpers the report sections call to write the council report on the base document.

Fonts, sizes and spacing come from the base document's styles (see template_builder); these helpers only
pick a style. Text from departments always goes in as literal run text: python-docx escapes it, and
nothing here ever turns text into a field, hyperlink or instruction. XML-illegal control characters are
replaced with '?' before writing.
"""
from __future__ import annotations

import io
import re
from importlib import resources
from pathlib import Path
from typing import Iterable, Optional

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import Table
from docx.text.paragraph import Paragraph

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


def heading(doc: DocumentObject, text: str, level: int) -> Paragraph:
    """A heading in the built-in style 'Heading {level}' (navigation pane, table of contents)."""
    if level not in (1, 2, 3):
        raise ValueError(f"heading level must be 1, 2 or 3, not {level!r}")
    para = doc.add_paragraph()
    para._p.style = doc.styles[f"Heading {level}"].style_id  # fast path, see _fill_cell
    _add_text(para, text)
    return para


def paragraph(doc: DocumentObject, text: str, style: Optional[str] = None) -> Paragraph:
    para = doc.add_paragraph()
    if style:
        para._p.style = doc.styles[style].style_id  # fast path, see _fill_cell
    _add_text(para, text)
    return para


def bullets(doc: DocumentObject, items: Iterable[str], style: str = "List Bullet") -> list[Paragraph]:
    """One paragraph per item in the bullet style (the base document draws the 「・」)."""
    return [paragraph(doc, item, style) for item in items]


def page_break(doc: DocumentObject) -> None:
    """A paragraph holding only a page break (see remove_trailing_break for the end of the report)."""
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


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


def _set_cell_width(cell, width: int) -> None:
    cell.width = width   # w:tcW in dxa; LibreOffice takes widths from the cells


def _shade(cell, fill: str) -> None:
    if not _HEX_FILL.match(fill):
        raise ValueError(f"shading fill must be 6 hex digits like 'C6EFCE', not {fill!r}")
    tcpr = cell._tc.get_or_add_tcPr()
    for old in tcpr.findall(qn("w:shd")):
        tcpr.remove(old)
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill.upper())
    tcpr.insert_element_before(shd, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
                               "w:hideMark", "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge",
                               "w:tcPrChange")


def _row_flags(row, *, header: bool) -> None:
    """Every row: w:cantSplit; the header row also w:tblHeader (repeats on each page)."""
    trpr = row._tr.get_or_add_trPr()
    names = ["w:cantSplit"] + (["w:tblHeader"] if header else [])
    for name in names:
        if trpr.find(qn(name)) is None:
            el = OxmlElement(name)
            successors = {"w:cantSplit": ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden",
                                          "w:ins", "w:del", "w:trPrChange"),
                          "w:tblHeader": ("w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del",
                                          "w:trPrChange")}[name]
            trpr.insert_element_before(el, *successors)


def _fill_cell(cell, text: object, style, alignment) -> None:
    """Cell text in the given style; each "\\n" starts a new paragraph in the cell."""
    lines = clean_text(text).split("\n")
    first = cell.paragraphs[0]
    for index, line in enumerate(lines):
        para = first if index == 0 else cell.add_paragraph()
        # the style's ID straight into w:pStyle: python-docx's `para.style = style` rescans every style
        # on each call (most of the report's time); the XML written is the same
        para._p.style = style.style_id
        if alignment is not None:
            para.alignment = alignment
        if line:
            para.add_run(line)


def table(doc: DocumentObject, headers: list[str], rows: list[list[str]],
          widths_mm: Optional[list[float]] = None, align: Optional[list[str]] = None,
          header_style: str = "表 見出し", body_style: str = "表 本文",
          shading: Optional[dict[tuple[int, int], str]] = None) -> Table:
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

    head_style = doc.styles[header_style]
    cell_style = doc.styles[body_style]
    tbl = doc.add_table(rows=1 + len(rows), cols=columns)
    tbl.style = doc.styles["Table Grid"]
    tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl.autofit = False   # fixed layout: the widths below hold
    for column, width in zip(tbl.columns, widths):
        column.width = width   # w:gridCol
    tblpr = tbl._tbl.tblPr
    tblw = tblpr.find(qn("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        tblpr.insert_element_before(tblw, "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
                                    "w:tblLayout", "w:tblCellMar", "w:tblLook")
    tblw.set(qn("w:w"), str(sum(widths) // 635))   # EMU -> twips
    tblw.set(qn("w:type"), "dxa")

    fills = shading or {}
    for index, row in enumerate(tbl.rows):
        is_header = index == 0
        _row_flags(row, header=is_header)
        values = headers if is_header else rows[index - 1]
        for column, (cell, value) in enumerate(zip(row.cells, values)):
            _set_cell_width(cell, widths[column])
            if is_header:
                _fill_cell(cell, value, head_style, None)
            else:
                _fill_cell(cell, value, cell_style, _ALIGN[align[column]] if align else None)
                fill = fills.get((index - 1, column))
                if fill:
                    _shade(cell, fill)
    return tbl


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
    para = doc.add_paragraph()
    _field_char(para, "begin", dirty=True)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f' TOC \\o "{levels}" \\h \\z \\u '
    para.add_run()._r.append(instr)
    _field_char(para, "separate")
    para.add_run(TOC_PLACEHOLDER)
    _field_char(para, "end")


def picture(doc: DocumentObject, png: bytes, width_mm: float) -> None:
    """A picture in a centred paragraph of its own."""
    para = doc.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))

