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

import re
from dataclasses import dataclass, field
from typing import cast

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.oxml.text.paragraph import CT_P
from docx.text.paragraph import Paragraph

from kpireport.council import flow, pagefill, texts
from kpireport.council.document import ReportDocument
from kpireport.council.flow import Group, Item, header_rows, page_mm, units

SAFETY_MM = 10.0  # two table rows: what the estimate of a page's content may miss
_SPAN = re.compile(rb'<w:tcW w:type="dxa" w:w="\d+"/><w:gridSpan w:val="\d+"/>')
_GRID_COLUMN = re.compile(rb'<w:gridCol w:w="(\d+)"/>')
_LAST_PARAGRAPH_END = re.compile(rb"</w:p>(?!.*</w:p>)", re.S)
# the paragraph between two parts: it starts the new page and is 1 pt high (an empty paragraph would leave a line)
_SEPARATOR = (f'<w:p {nsdecls("w")}><w:pPr><w:pageBreakBefore/><w:spacing w:before="0" w:after="0" w:line="20" '
              'w:lineRule="exact"/><w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>')


@dataclass
class _Plan:
    """Where the report's tables continue (their rows that start a continued page) and which items are made to
    start a new page (a captioned table's heading where its first rows do not fit; where the page a captioned
    table starts on begins)."""
    splits: list[Item] = field(default_factory=list)
    breaks: list[Item] = field(default_factory=list)


def continue_tables(doc: ReportDocument) -> None:
    """Split the captioned tables where the estimated page ends (call once the body is complete)."""
    plan = _plan(list(flow.items(doc)), page_mm(doc))
    for item in plan.breaks:
        if item.table is None:
            Paragraph(cast(CT_P, item.element), doc.docx).paragraph_format.page_break_before = True
        else:
            item.element.addprevious(parse_xml(_SEPARATOR))
    by_table: dict[int, list[Item]] = {}
    for item in plan.splits:
        by_table.setdefault(item.table or 0, []).append(item)
    for number, splits in by_table.items():
        _split(doc, number, splits)


def _plan(items: list[Item], page: float, safety: float = SAFETY_MM) -> _Plan:
    """Lay the items out on pages of ``page`` mm (see _Layout)."""
    tail = 0.0
    for item in reversed(items):  # what follows each item up to the next page break
        tail = 0.0 if item.break_before else tail + item.height
        item.tail_mm = tail
    layout = _Layout(page, safety)
    for unit in units(items):
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
        self.opened: Item | None = None  # the paragraph that began this page by running over
        self.started: dict[int, tuple[Item, float, int]] = {}  # per group: the unit it starts in, used before, page
        self.floors: dict[int, int] = {}  # per group split already: the first of its rows a next split may take

    def place(self, unit: list[Item]) -> None:
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

    def _run_over(self, unit: list[Item], height: float) -> None:
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

    def _split(self, first: Item, group: Group) -> None:
        """Split before ``first``, or earlier so that MIN_CONTINUED rows go on (never into the table's first rows);
        or move the table whole to the next page when it fits one and either it is short or what would go on is."""
        self._fix_start()
        position = group.items.index(first)
        floor = self.floors.get(id(group), group.head)  # never before the part this page opened with
        target = max(min(position, len(group.items) - MIN_CONTINUED), floor)
        while target > floor and group.items[target - 1].keep_next:
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
        self.floors[id(group)] = target + 1
        self._new_page(group.repeated_mm + sum(item.height for item in group.items[target:position]))


MIN_CONTINUED = 4  # rows: a continued page with fewer would hold little more than its caption
SHORT_PAGE_MM = 80.0  # a continued page holding less before the next page break would look empty
SHORT_TABLE_MM = 60.0  # a table this short is moved whole rather than split (a row or two on each page)


def _opens(item: Item) -> bool:
    """The first row of a captioned group."""
    return _starts(item) and item.group is not None and item.group.caption is not None


def _whole(item: Item, unit: list[Item]) -> bool:
    """Whether the unit holds all of the item's group: a table kept together moves as a whole, never split."""
    group = item.group
    return group is not None and sum(other.group is group for other in unit) == len(group.items)


def _starts(item: Item) -> bool:
    """The first row of a group's first table (a group is one table or more that touch)."""
    return item.group is not None and item.table == item.group.first_table and item.row == 0


def _split(doc: ReportDocument, number: int, splits: list[Item]) -> None:
    """Table ``number`` in parts at the rows of ``splits``, each part after the first on a new page (a separator
    before it) opening with the group's caption and 「（続き）」, then the table's own column headings."""
    xml = doc.tables[number]
    rows = pagefill.table_rows(xml)
    prefix = xml[:xml.index(rows[0])]
    suffix = xml[xml.rindex(rows[-1]) + len(rows[-1]):]
    group = splits[0].group
    assert group is not None and group.caption is not None  # _plan splits only captioned groups
    headers = [row for row in header_rows(rows) if row is not rows[0] or number != group.first_table]
    skip = len(header_rows(rows))  # a part that starts after the column headings repeats them
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
