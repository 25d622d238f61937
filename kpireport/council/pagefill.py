"""How much of an A4 page a run of the report fills, estimated from what was written (the styles' sizes, the
text's width, the tables' rows): enough to let small sections share a page, not to typeset.

The estimate errs on the large side: a section thought too big to share a page starts its own, as before."""
from __future__ import annotations

import math
import re

from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from kpireport.council.document import ReportDocument
from kpireport.text_layout import display_width

PAGE_MM = 250.0  # A4 less the margins (20 + 18 mm) and the footer
TEXT_MM = 170.0
# the height of a line and the space around a paragraph, by style ID (mm): Noto CJK lines are about 1.45 em
_LINE_MM = {"Heading1": 8.2, "Heading2": 6.7, "Heading3": 5.9}
_SPACE_MM = {"Heading1": 8.5, "Heading2": 5.6, "Heading3": 4.2}
_BODY_LINE_MM, _NOTE_LINE_MM, _TABLE_LINE_MM, _ROW_PADDING_MM = 5.8, 4.7, 4.7, 1.4
_FULL_WIDTH_MM = {"body": 10.5 * 25.4 / 72, "table": 9 * 25.4 / 72}
_CELL_MARGINS_MM = 4.6
_ROW = re.compile(rb"<w:tr>.*?</w:tr>", re.S)
_CELL = re.compile(rb'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="(\d+)"/>.*?</w:tc>', re.S)
_PARAGRAPH = re.compile(rb"<w:p>.*?</w:p>", re.S)
_TEXT = re.compile(rb"<w:t(?: [^>]*)?>([^<]*)</w:t>")


def height_mm(doc: ReportDocument, start: int) -> float:
    """The estimated height of the body's elements from index ``start`` to the end."""
    total = 0.0
    for element in list(doc.body)[start:doc.size()]:
        if element.tag == qn("w:p"):
            total += paragraph_mm(element)
        elif element.tag == qn("w:tbl"):
            total += table_mm(doc.table_xml(element))
    return total


def paragraph_mm(element: BaseOxmlElement) -> float:
    """A paragraph's lines at its style's height and its spacing; a picture's own height."""
    extent = element.find(f".//{qn('wp:extent')}")
    if extent is not None:  # a chart: its height (EMU) and a line's spacing
        return int(extent.get("cy", "0")) / 36_000 + _BODY_LINE_MM
    style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    style_id = (style.get(qn("w:val")) if style is not None else None) or ""
    text = "".join(t.text or "" for t in element.iter(qn("w:t")))
    line = _LINE_MM.get(style_id, _NOTE_LINE_MM if style_id == "Note" else _BODY_LINE_MM)
    per_line = 2 * TEXT_MM / _FULL_WIDTH_MM["body"]  # half-width units a line holds
    return _SPACE_MM.get(style_id, 1.0) + line * max(1, math.ceil(display_width(text) / per_line))


def table_mm(xml: bytes) -> float:
    """Each row as tall as its tallest cell: the cell's lines, each wrapped at the cell's width."""
    return sum(row_mm(row) for row in table_rows(xml))


def table_rows(xml: bytes) -> list[bytes]:
    """The w:tr elements of a table's XML text (document.table's), in order."""
    return _ROW.findall(xml)


def row_mm(row: bytes, padding: float = _ROW_PADDING_MM) -> float:
    """A row's height: its tallest cell's lines, each wrapped at the cell's width, and the row's ``padding``."""
    lines = 1
    for cell in _CELL.finditer(row):
        width = int(cell.group(1)) * 25.4 / 1440 - _CELL_MARGINS_MM
        per_line = max(1.0, 2 * width / _FULL_WIDTH_MM["table"])
        texts = [b"".join(_TEXT.findall(p)).decode("utf-8") for p in _PARAGRAPH.findall(cell.group(0))]
        lines = max(lines, sum(max(1, math.ceil(display_width(t) / per_line)) for t in texts))
    return lines * _TABLE_LINE_MM + padding
