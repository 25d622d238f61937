"""Reading the report's tables back: a table whose first row is a caption across it (the node's name, repeated
with the header on each page the table goes on to) is read from the header row under it; a table split where a
page ends (its later parts under the caption and 「（続き）」) is read whole with whole_tables."""
from __future__ import annotations

from dataclasses import dataclass

from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table, _Row

from kpireport.council import texts


def is_caption(row: _Row) -> bool:
    """A row of one cell spanning the whole table, its gridSpan written even over a single column (a header cell
    has none)."""
    cells = row._tr.tc_lst
    return len(cells) == 1 and cells[0].find(qn("w:tcPr") + "/" + qn("w:gridSpan")) is not None


def table_rows(table: Table | WholeTable) -> list[_Row]:
    """The header row and the rows under it, without the caption row above them."""
    rows = list(table.rows)
    return rows[1:] if rows and is_caption(rows[0]) else rows


def caption(table: Table | WholeTable) -> str:
    """The caption row's text, or "" for a table without one."""
    rows = list(table.rows)
    return rows[0].cells[0].text if rows and is_caption(rows[0]) else ""


@dataclass
class WholeTable:
    """A table of the report as written, its continued parts joined (see whole_tables)."""
    rows: list[_Row]


def whole_tables(document: Document) -> list[WholeTable]:
    """The document's tables with each continued part (council/continued.py: a caption row ending 「（続き）」 on a
    new page, then the column headings again) joined to the table it goes on from; a part that opens a touching
    table of its own (a measure sheet's 事業 table) is that table, under no caption."""
    found: list[WholeTable] = []
    for table in document.tables:
        rows = list(table.rows)
        if not (found and rows and is_caption(rows[0]) and rows[0].cells[0].text.endswith(texts.CONTINUED)):
            found.append(WholeTable(rows))
            continue
        rows = rows[1:]
        before = table_rows(found[-1])
        if rows and before and _texts(rows[0]) == _texts(before[0]):  # the column headings again
            found[-1].rows.extend(rows[1:])
        else:
            found.append(WholeTable(rows))
    return found


def _texts(row: _Row) -> list[str]:
    return [cell.text for cell in row.cells]
