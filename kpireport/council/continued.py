"""Continued tables: a table whose first row names its node (document.table's ``caption``) and that runs on to a
next page is split where the page ends, so that the next page opens with 「基本方針1 観光の振興（続き）」 and the
column headings. A repeated header row cannot say it: Word and LibreOffice print it the same on every page, the
first one too.

Where a page ends comes from the report's own estimate (pagefill), which errs on the large side; the split leaves
SAFETY_MM of the page unused, and a captioned table that would start in that margin starts a new page, so a first
part never runs on to a page of its own (a slightly short page is better than a continued page without its
caption). The caption rows still repeat, as a safety net for a break the estimate did not foresee."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph

from kpireport.council import pagefill, texts
from kpireport.council.document import ReportDocument

SAFETY_MM = 14.0  # about three table rows: what the estimate of a page's content may miss
# the rows as LibreOffice draws them (a line of 9 pt text is 4.6 mm, a row's borders and padding 0.2 mm): the
# estimate's own padding (pagefill) is for deciding whether a section shares a page, on the large side
_ROW_PADDING_MM = 0.5
# a line is taken to hold a little less than its width in full-width characters: Japanese line breaking
# (no 「、」 or 「）」 at a line's start) and digits wider than half a character wrap a cell's text sooner
_LINE_FILL = 0.93
_PAGE_SLACK_MM = 2.0  # a page's last line ends this much above the bottom margin at most
_HEADER = b"<w:tblHeader/>"
_SPAN = re.compile(rb'<w:tcW w:type="dxa" w:w="\d+"/><w:gridSpan w:val="\d+"/>')
_GRID_COLUMN = re.compile(rb'<w:gridCol w:w="(\d+)"/>')
_LAST_PARAGRAPH_END = re.compile(rb"</w:p>(?!.*</w:p>)", re.S)
# the paragraph between two parts: it starts the new page and is 1 pt high (an empty paragraph would leave a line)
_SEPARATOR = (f'<w:p {nsdecls("w")}><w:pPr><w:pageBreakBefore/><w:spacing w:before="0" w:after="0" w:line="20" '
              'w:lineRule="exact"/><w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>')


@dataclass
class _Group:
    """Tables that touch (no paragraph between) and are drawn as one: the first one's caption row, if any, and
    the height of the rows repeated at the top of each page the group goes on to."""
    first_table: int
    caption: bytes | None
    repeated_mm: float


@dataclass
class _Item:
    """A paragraph or a table row, in the order of the body."""
    height: float
    element: BaseOxmlElement
    keep_next: bool = False
    break_before: bool = False
    table: int | None = None  # the table's number in ReportDocument.tables, for a row
    row: int = 0
    group: _Group | None = None


@dataclass
class _Plan:
    """Where the report's tables continue (their rows that start a continued page) and which items are made to
    start a new page (a captioned table that would begin in the page's last SAFETY_MM)."""
    splits: list[_Item] = field(default_factory=list)
    breaks: list[_Item] = field(default_factory=list)


def continue_tables(doc: ReportDocument) -> None:
    """Split the captioned tables where the estimated page ends (call once the body is complete)."""
    items = list(_items(doc))
    plan = _plan(items, _page_mm(doc))
    for item in plan.breaks:
        if item.table is None:
            Paragraph(cast(CT_P, item.element), doc.docx).paragraph_format.page_break_before = True
        else:
            item.element.addprevious(parse_xml(_SEPARATOR))
    by_table: dict[int, list[_Item]] = {}
    for item in plan.splits:
        by_table.setdefault(item.table or 0, []).append(item)
    for number, splits in by_table.items():
        _split(doc, number, splits)


def _page_mm(doc: ReportDocument) -> float:
    """The height the body text has on a page of the report's last section (its page size less its margins)."""
    section = doc.docx.sections[-1]
    height, top, bottom = section.page_height, section.top_margin, section.bottom_margin
    if height is None or top is None or bottom is None:
        return pagefill.PAGE_MM
    return (height - abs(top) - bottom) / 36_000 - _PAGE_SLACK_MM


def _items(doc: ReportDocument) -> Iterator[_Item]:
    keep_styles = {style.style_id for style in doc.docx.styles
                   if getattr(style, "paragraph_format", None) is not None and style.paragraph_format.keep_with_next}
    group: _Group | None = None
    body = list(doc.body)[:doc.size()]
    for element in body:
        number = doc.table_number(element) if element.tag == qn("w:tbl") else None
        if number is None:
            group = None
            if element.tag == qn("w:p"):
                yield _paragraph(element, keep_styles, body)
            continue
        rows = pagefill.table_rows(doc.tables[number])
        if group is None:
            caption = rows[0] if rows and _HEADER in rows[0] and b"<w:gridSpan" in rows[0] else None
            group = _Group(number, caption, sum(_row_mm(row) for row in _header_rows(rows)))
        for index, row in enumerate(rows):
            yield _Item(_row_mm(row), element, keep_next=b"<w:keepNext/>" in row, table=number, row=index,
                        group=group)


def _paragraph(element: BaseOxmlElement, keep_styles: set[str], body: list[BaseOxmlElement]) -> _Item:
    properties = element.find(qn("w:pPr"))
    style = properties.find(qn("w:pStyle")) if properties is not None else None
    breaks = [br for br in element.iter(qn("w:br")) if br.get(qn("w:type")) == "page"]
    keep = (properties is not None and properties.find(qn("w:keepNext")) is not None) or (
        style is not None and style.get(qn("w:val")) in keep_styles)
    before = bool(breaks) or (properties is not None and properties.find(qn("w:pageBreakBefore")) is not None)
    height = _contents_mm(element, body) if element.find(f".//{qn('w:instrText')}") is not None \
        else pagefill.paragraph_mm(element)
    return _Item(height, element, keep_next=keep, break_before=before)


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


def _row_mm(row: bytes) -> float:
    return pagefill.row_mm(row, _ROW_PADDING_MM, _LINE_FILL)


def _header_rows(rows: list[bytes]) -> list[bytes]:
    """The rows a table repeats on each page: its leading rows marked as header rows."""
    count = 0
    while count < len(rows) and _HEADER in rows[count]:
        count += 1
    return rows[:count]


def _units(items: list[_Item]) -> Iterator[list[_Item]]:
    """Runs of items kept together: each keeps with the next (a heading, a header row), up to a page break."""
    unit: list[_Item] = []
    for item in items:
        if unit and (item.break_before or not unit[-1].keep_next):
            yield unit
            unit = []
        unit.append(item)
    if unit:
        yield unit


def _plan(items: list[_Item], page: float, safety: float = SAFETY_MM) -> _Plan:
    """Lay the items out on pages of ``page`` mm, a unit that does not fit going to the next: a captioned table
    continues on a new page where less than ``safety`` would be left, and starts one where its first rows would
    reach into that margin."""
    plan = _Plan()
    used = 0.0
    for unit in _units(items):
        first = unit[0]
        height = sum(item.height for item in unit)
        if first.break_before:
            used = 0.0
        elif used and used + height > page - safety:
            group = first.group
            if group is not None and group.caption is not None and not _starts(first):
                plan.splits.append(first)
                used = group.repeated_mm
            elif any(item.group is not None and item.group.caption is not None and _starts(item) for item in unit):
                plan.breaks.append(first)
                used = 0.0
            elif used + height > page:
                used = group.repeated_mm if group is not None and not _starts(first) else 0.0
        used = (used + height) % page if used + height > page else used + height
    return plan


def _starts(item: _Item) -> bool:
    """The first row of a group's first table (a group is one table or more that touch)."""
    return item.group is not None and item.table == item.group.first_table and item.row == 0


def _split(doc: ReportDocument, number: int, splits: list[_Item]) -> None:
    """Table ``number`` in parts at the rows of ``splits``, each part after the first on a new page (a separator
    before it) opening with the group's caption and 「（続き）」, then the table's own column headings."""
    xml = doc.tables[number]
    rows = pagefill.table_rows(xml)
    prefix = xml[:xml.index(rows[0])]
    suffix = xml[xml.rindex(rows[-1]) + len(rows[-1]):]
    group = splits[0].group
    assert group is not None and group.caption is not None  # _plan splits only captioned groups
    headers = [row for row in _header_rows(rows) if row is not rows[0] or number != group.first_table]
    skip = len(_header_rows(rows))  # a part that starts after the column headings repeats them
    caption = _continued(group.caption, prefix)
    bounds = [item.row for item in splits] + [len(rows)]
    holder = splits[0].element
    if bounds[0]:
        doc.tables[number] = prefix + b"".join(rows[:bounds[0]]) + suffix
    for start, end in zip(bounds, bounds[1:]):
        part = prefix + caption + (b"".join(headers) if start >= skip else b"") + b"".join(rows[start:end]) + suffix
        if start == 0:  # the table's first row starts a page: the table itself is the part
            doc.tables[number] = part
            holder.addprevious(parse_xml(_SEPARATOR))
            continue
        separator = parse_xml(_SEPARATOR)
        holder.addnext(separator)
        holder = doc.table_holder(part.decode("utf-8"))
        separator.addnext(holder)


def _continued(caption: bytes, table_start: bytes) -> bytes:
    """The caption row with 「（続き）」 after its text, spanning the columns of the table that opens with
    ``table_start`` (a table after the first of a group has its own columns)."""
    widths = [int(width) for width in _GRID_COLUMN.findall(table_start)]
    span = f'<w:tcW w:type="dxa" w:w="{sum(widths)}"/><w:gridSpan w:val="{len(widths)}"/>'.encode()
    text = f"<w:r><w:t>{texts.CONTINUED}</w:t></w:r></w:p>".encode()
    return _LAST_PARAGRAPH_END.sub(lambda _: text, _SPAN.sub(lambda _: span, caption, count=1), count=1)
