"""Continued tables: a table whose first row names its node (document.table's ``caption``) and that runs on to a
next page is split where the page ends, so that the next page opens with 「基本方針1 観光の振興（続き）」 and the
column headings. A repeated header row cannot say it: Word and LibreOffice print it the same on every page, the
first one too.

Where a page ends comes from an estimate of the report's layout (paragraphs by their styles, rows by pagefill), made
true where it matters: each part after the first starts a page (a 1 pt paragraph with a page break before it), a
captioned table whose first rows do not fit starts one with its heading, and the page a captioned table starts on
is made to begin where the estimate began it. A first part ends SAFETY_MM short of the estimated page end, so it
never runs on to the next page (a slightly short page is better than a continued page without its caption); the
caption rows still repeat, as a safety net for a break the estimate did not foresee. Word and LibreOffice lay the
rest out as before."""
from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph

from kpireport.council import pagefill, texts
from kpireport.council.document import ReportDocument
from kpireport.text_layout import display_width

SAFETY_MM = 10.0  # two table rows: what the estimate of a page's content may miss
# the rows as LibreOffice draws them (a line of 9 pt text is 4.6 mm, a row's borders and padding 0.2 mm): the
# estimate's own padding (pagefill) is for deciding whether a section shares a page, on the large side
_ROW_PADDING_MM = 0.5
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
    items: list[_Item] = field(default_factory=list)  # its rows, in order

    @property
    def head(self) -> int:
        """How many of its rows its first unit holds (kept with each other: caption, headings, a first row)."""
        return next((number + 1 for number, item in enumerate(self.items) if not item.keep_next), len(self.items))


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
    tail_mm: float = 0.0  # the height of this item and those after it up to the next page break


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
    styles = _styles(doc)
    group: _Group | None = None
    body = list(doc.body)[:doc.size()]
    for element in body:
        number = doc.table_number(element) if element.tag == qn("w:tbl") else None
        if number is None:
            group = None
            if element.tag == qn("w:p"):
                yield _paragraph(element, styles, body)
            continue
        rows = pagefill.table_rows(doc.tables[number])
        if group is None:
            caption = rows[0] if rows and _HEADER in rows[0] and b"<w:gridSpan" in rows[0] else None
            group = _Group(number, caption, sum(_row_mm(row) for row in _header_rows(rows)))
        for index, row in enumerate(rows):
            group.items.append(_Item(_row_mm(row), element, keep_next=b"<w:keepNext/>" in row, table=number,
                                     row=index, group=group))
            yield group.items[-1]


def _paragraph(element: BaseOxmlElement, styles: dict[str, _Style], body: list[BaseOxmlElement]) -> _Item:
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
    return _Item(height, element, keep_next=keep, break_before=before)


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


def _row_mm(row: bytes) -> float:
    return pagefill.row_mm(row, _ROW_PADDING_MM)


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
    """Lay the items out on pages of ``page`` mm (see _Layout)."""
    tail = 0.0
    for item in reversed(items):  # what follows each item up to the next page break
        tail = 0.0 if item.break_before else tail + item.height
        item.tail_mm = tail
    layout = _Layout(page, safety)
    for unit in _units(items):
        layout.place(unit)
    return layout.plan


class _Layout:
    """The items laid out unit by unit, a unit that does not fit going to the next page. A captioned table continues
    on a new page where less than ``safety`` would be left (at least MIN_CONTINUED rows go on), and starts one
    where its first rows do not fit; a short table, or one whose continued page would hold little before the next
    page break, starts a new page instead, whole. A page that began where the estimate ran over (not at a page break) is made
    to begin there when a captioned table starts on it: where the table's page begins is then known, not estimated.

    A table's first rows placed at the foot of a page that Word or LibreOffice moves to the next cost a short page,
    never a wrong caption: the split after them still starts the page after that with 「（続き）」."""

    def __init__(self, page: float, safety: float):
        self.page, self.safety = page, safety
        self.plan = _Plan()
        self.used = 0.0
        self.number = 0  # of the page
        self.opened: _Item | None = None  # the paragraph that began this page by running over
        self.started: dict[int, tuple[_Item, float, int]] = {}  # per group: the unit it starts in, used before, page

    def place(self, unit: list[_Item]) -> None:
        first = unit[0]
        height = sum(item.height for item in unit)
        if first.break_before:
            self._new_page(0.0)
        elif self.used and self.used + height > self.page - self.safety:
            self._run_over(unit, height)
        for item in unit:
            if _opens(item):  # where a captioned table starts depends on where its page began
                self._fix_start()
                self.started[id(item.group)] = (first, self.used, self.number)
        self.used += height
        while self.used > self.page:  # a unit taller than a page
            self.used -= self.page
            self.number += 1

    def _run_over(self, unit: list[_Item], height: float) -> None:
        first, group = unit[0], unit[0].group
        if group is not None and group.caption is not None and not _starts(first):
            self._split(first, group)
        elif self.used + height > self.page and any(_opens(item) and not _whole(item, unit) for item in unit):
            self._fix_start()
            self.plan.breaks.append(first)
            self._new_page(0.0)
        elif first.table is None and self.used + height > self.page - self.safety / 2 or self.used + height > self.page:
            self._new_page(group.repeated_mm if group is not None and not _starts(first) else 0.0)
            self.opened = first if first.table is None else None

    def _new_page(self, used: float) -> None:
        self.used, self.opened = used, None
        self.number += 1

    def _fix_start(self) -> None:
        if self.opened is not None:
            self.plan.breaks.append(self.opened)
            self.opened = None

    def _split(self, first: _Item, group: _Group) -> None:
        """Split before ``first``, or earlier so that MIN_CONTINUED rows go on (never into the table's first rows);
        or move the table whole to the next page when it fits one and either it is short or what would go on is."""
        self._fix_start()
        position = group.items.index(first)
        target = max(min(position, len(group.items) - MIN_CONTINUED), group.head)
        while target > group.head and group.items[target - 1].keep_next:
            target -= 1
        split = group.items[target] if target < len(group.items) else first
        unit_first, before, number = self.started.get(id(group), (first, 0.0, -1))
        height = sum(item.height for item in group.items)
        if number == self.number and (split.tail_mm < SHORT_PAGE_MM or height < SHORT_TABLE_MM) \
                and height < self.page - self.safety:
            self.plan.breaks.append(unit_first)
            self._new_page(self.used - before)
            return
        self.plan.splits.append(split)
        self._new_page(group.repeated_mm + sum(item.height for item in group.items[target:position]))


MIN_CONTINUED = 4  # rows: a continued page with fewer would hold little more than its caption
SHORT_PAGE_MM = 80.0  # a continued page holding less before the next page break would look empty
SHORT_TABLE_MM = 60.0  # a table this short is moved whole rather than split (a row or two on each page)


def _opens(item: _Item) -> bool:
    """The first row of a captioned group."""
    return _starts(item) and item.group is not None and item.group.caption is not None


def _whole(item: _Item, unit: list[_Item]) -> bool:
    """Whether the unit holds all of the item's group: a table kept together moves as a whole, never split."""
    group = item.group
    return group is not None and sum(other.group is group for other in unit) == len(group.items)


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
