"""The report's body as the page layout sees it (continued.py): paragraphs and table rows in order, each with its
estimated height, whether it keeps with the next and whether a page break comes before it; touching tables as one
group with its caption row. Paragraphs are measured by their styles (size, spacing, width), rows by pagefill with
the padding LibreOffice draws (pagefill's own is on the large side, to decide whether sections share a page)."""
from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from kpireport.council import pagefill
from kpireport.council.document import ReportDocument
from kpireport.text_layout import display_width

# the rows as LibreOffice draws them (a line of 9 pt text is 4.6 mm, a row's borders and padding 0.2 mm)
_ROW_PADDING_MM = 0.5
_PAGE_SLACK_MM = 2.0  # a page's last line ends this much above the bottom margin at most
_HEADER = b"<w:tblHeader/>"


@dataclass(eq=False)  # one group is itself only
class Group:
    """Tables that touch (no paragraph between) and are drawn as one: the first one's caption row, if any, and
    the height of the rows repeated at the top of each page the group goes on to."""
    first_table: int
    caption: bytes | None
    repeated_mm: float
    items: list[Item] = field(default_factory=list)  # its rows, in order

    @property
    def head(self) -> int:
        """How many of its rows its first unit holds (kept with each other: caption, headings, a first row)."""
        return next((number + 1 for number, item in enumerate(self.items) if not item.keep_next), len(self.items))


@dataclass(eq=False)  # found in lists by identity
class Item:
    """A paragraph or a table row, in the order of the body."""
    height: float
    element: BaseOxmlElement
    keep_next: bool = False
    break_before: bool = False
    table: int | None = None  # the table's number in ReportDocument.tables, for a row
    row: int = 0
    group: Group | None = None
    tail_mm: float = 0.0  # the height of this item and those after it up to the next page break


def page_mm(doc: ReportDocument) -> float:
    """The height the body text has on a page of the report's last section (its page size less its margins)."""
    section = doc.docx.sections[-1]
    height, top, bottom = section.page_height, section.top_margin, section.bottom_margin
    if height is None or top is None or bottom is None:
        return pagefill.PAGE_MM
    return (height - abs(top) - bottom) / 36_000 - _PAGE_SLACK_MM


def items(doc: ReportDocument) -> Iterator[Item]:
    styles = _styles(doc)
    group: Group | None = None
    body = list(doc.body)[:doc.size()]
    for element in body:
        number = doc.table_number(element) if element.tag == qn("w:tbl") else None
        if number is None:
            group = None
            if element.tag == qn("w:p"):
                yield _paragraph(element, styles, body)
            continue
        rows = pagefill.table_rows(doc.tables[number])
        heights = pagefill.written_rows_mm(doc, number, rows, _ROW_PADDING_MM)
        if group is None:
            caption = rows[0] if rows and _HEADER in rows[0] and b"<w:gridSpan" in rows[0] else None
            group = Group(number, caption, sum(heights[:len(header_rows(rows))]))
        for index, (row, height) in enumerate(zip(rows, heights)):
            group.items.append(Item(height, element, keep_next=b"<w:keepNext/>" in row, table=number, row=index,
                                    group=group))
            yield group.items[-1]


def _paragraph(element: BaseOxmlElement, styles: dict[str, _Style], body: list[BaseOxmlElement]) -> Item:
    properties = element.find(qn("w:pPr"))
    style = properties.find(qn("w:pStyle")) if properties is not None else None
    look = styles.get((style.get(qn("w:val")) if style is not None else None) or "", _Style())
    breaks = [br for br in element.iter(qn("w:br")) if br.get(qn("w:type")) == "page"]
    keep = look.keep_next or (properties is not None and properties.find(qn("w:keepNext")) is not None)
    before = bool(breaks) or (properties is not None and properties.find(qn("w:pageBreakBefore")) is not None)
    if element.find(f".//{qn('w:instrText')}") is not None:
        height = _contents_mm(element, body)
    elif element.find(f".//{qn('wp:extent')}") is not None:
        height = pagefill.paragraph_mm(element)
    else:
        text = "".join(t.text or "" for t in element.iter(qn("w:t")))
        per_line = 2 * look.width_mm / (look.size_pt * _PT_MM)  # half-width units a line holds
        lines = sum(max(1, math.ceil(display_width(line) / per_line)) for line in text.split("\n"))
        height = look.space_mm + lines * look.size_pt * look.line_em * _PT_MM
    return Item(height, element, keep_next=keep, break_before=before)


@dataclass(frozen=True)
class _Style:
    """What a paragraph style sets that its height depends on (defaults: the base document's Normal)."""
    size_pt: float = 10.5
    space_mm: float = 0.0
    width_mm: float = pagefill.TEXT_MM
    keep_next: bool = False
    line_em: float = 1.45  # a line of Noto CJK (and of Yu fonts without the document grid), as LibreOffice sets it


def _styles(doc: ReportDocument) -> dict[str, _Style]:
    """Per paragraph style ID: its font size, spacing, text width and keep-with-next, each from the style or the
    style it is based on."""
    found = {}
    text_mm = doc.text_width() / 36_000
    for style in doc.docx.styles:
        if style.type != WD_STYLE_TYPE.PARAGRAPH:
            continue
        chain = [style]
        while chain[-1].base_style is not None and len(chain) < 10:
            chain.append(chain[-1].base_style)
        size = next((s.font.size.pt for s in chain if s.font.size is not None), 10.5)
        before = next((s.paragraph_format.space_before for s in chain if s.paragraph_format.space_before is not None), 0)
        after = next((s.paragraph_format.space_after for s in chain if s.paragraph_format.space_after is not None), 0)
        indent = next((s.paragraph_format.left_indent for s in chain if s.paragraph_format.left_indent is not None), 0)
        bullet = _BULLET_INDENT_MM if style.name.startswith("List") else 0.0
        bold = next((s.font.bold for s in chain if s.font.bold is not None), False)
        found[style.style_id] = _Style(size, (before + after) / 36_000, text_mm - indent / 36_000 - bullet,
                                       bool(style.paragraph_format.keep_with_next), _BOLD_LINE_EM if bold else 1.45)
    return found


_PT_MM = 25.4 / 72
_BOLD_LINE_EM = 1.3  # the headings' bold face sets its lines closer (measured on the examples' PDFs)
_BULLET_INDENT_MM = 7.5  # a bullet's hanging indent (the base document's numbering)


def _contents_mm(element: BaseOxmlElement, body: list[BaseOxmlElement]) -> float:
    """A contents field's height when its pages are filled: a line for each heading it lists (at most those
    before the next chapter, which is where the measure sheets' own contents ends)."""
    instruction = "".join(t.text or "" for t in element.iter(qn("w:instrText")))
    levels = re.search(r'\\o "(\d)-(\d)"', instruction)
    if " TOC " not in f" {instruction} " or levels is None:
        return pagefill.paragraph_mm(element)
    wanted = {f"Heading{n}" for n in range(int(levels.group(1)), int(levels.group(2)) + 1)}
    count = 0
    for following in body[body.index(element) + 1:]:
        style = following.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        name = style.get(qn("w:val")) if style is not None else None
        if name == "Heading1" and "Heading1" not in wanted:
            break
        count += name in wanted
    return max(1, count) * _CONTENTS_LINE_MM


_CONTENTS_LINE_MM = 6.6  # a contents line (10.5 pt, 4 pt apart)


def header_rows(rows: list[bytes]) -> list[bytes]:
    """The rows a table repeats on each page: its leading rows marked as header rows."""
    count = 0
    while count < len(rows) and _HEADER in rows[count]:
        count += 1
    return rows[:count]


def units(sequence: list[Item]) -> Iterator[list[Item]]:
    """Runs of items kept together: each keeps with the next (a heading, a header row), up to a page break."""
    unit: list[Item] = []
    for item in sequence:
        if unit and (item.break_before or not unit[-1].keep_next):
            yield unit
            unit = []
        unit.append(item)
    if unit:
        yield unit
