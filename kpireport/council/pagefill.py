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
# in a row's XML text: a cell's width, a run's text, a paragraph's end
_ROW_TOKEN = re.compile(rb'<w:tcW w:type="dxa" w:w="(\d+)"/>|<w:t(?: [^>]*)?>([^<]*)</w:t>|(</w:p>)')


def height_mm(doc: ReportDocument, start: int) -> float:
    """The estimated height of the body's elements from index ``start`` to the end."""
    total = 0.0
    for element in list(doc.body)[start:doc.size()]:
        if element.tag == qn("w:p"):
            total += paragraph_mm(element)
        elif element.tag == qn("w:tbl"):
            total += sum(written_rows_mm(doc, doc.table_number(element), table_rows(doc.table_xml(element))))
    return total


def written_rows_mm(doc: ReportDocument, number: int | None, rows: list[bytes],
                    padding: float = _ROW_PADDING_MM) -> list[float]:
    """The heights of table ``number``'s rows: from the lines document.table counted as it wrote the table, else
    (a table split since) from their XML text."""
    lines = doc.row_lines.get(number) if number is not None else None
    if lines is not None and len(lines) == len(rows):
        return [lines_mm(count, padding) for count in lines]
    return [row_mm(row, padding) for row in rows]


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


def table_rows(xml: bytes) -> list[bytes]:
    """The w:tr elements of a table's XML text (document.table's: its rows follow each other), in order."""
    start = xml.find(b"<w:tr>")
    return [] if start < 0 else [row + b"</w:tr>" for row in xml[start:].split(b"</w:tr>")[:-1]]


def row_mm(row: bytes, padding: float = _ROW_PADDING_MM) -> float:
    """A row's height: its tallest cell's lines, each wrapped at the cell's width, and the row's ``padding``.
    One pass over the row's XML text (a cell's width, its paragraphs' text): a large report has tens of thousands."""
    lines, cell_lines, per_line, text = 1, 0, 1.0, []
    for width, piece, end in _ROW_TOKEN.findall(row):
        if width:  # a cell starts
            lines, cell_lines = max(lines, cell_lines), 0
            per_line = max(1.0, 2 * (int(width) * 25.4 / 1440 - _CELL_MARGINS_MM) / _FULL_WIDTH_MM["table"])
        elif piece or not end:
            text.append(piece)
        else:  # a paragraph ends
            cell_lines += max(1, math.ceil(display_width(b"".join(text).decode("utf-8")) / per_line))
            text = []
    return lines_mm(max(lines, cell_lines), padding)


def lines_mm(lines: int, padding: float = _ROW_PADDING_MM) -> float:
    """The height of a row of ``lines`` lines of table text and ``padding``."""
    return lines * _TABLE_LINE_MM + padding
