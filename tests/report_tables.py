"""Reading the report's tables back: a table whose first row is a caption across it (the node's name, repeated
with the header on each page the table goes on to) is read from the header row under it."""
from __future__ import annotations

from docx.oxml.ns import qn
from docx.table import Table, _Row


def is_caption(row: _Row) -> bool:
    """A row of one cell spanning the whole table, its gridSpan written even over a single column (a header cell
    has none)."""
    cells = row._tr.tc_lst
    return len(cells) == 1 and cells[0].find(qn("w:tcPr") + "/" + qn("w:gridSpan")) is not None


def table_rows(table: Table) -> list[_Row]:
    """The header row and the rows under it, without the caption row above them."""
    rows = list(table.rows)
    return rows[1:] if rows and is_caption(rows[0]) else rows


def caption(table: Table) -> str:
    """The caption row's text, or "" for a table without one."""
    rows = list(table.rows)
    return rows[0].cells[0].text if rows and is_caption(rows[0]) else ""
