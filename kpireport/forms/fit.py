"""Rows of a filled form grown to show what was typed (openpyxl).

Excel and Calc do not grow a row whose height the file sets, so text typed beyond the room the form
gives is hidden on screen and in print. The demo's filling and the feedback copies grow such rows
with the same estimate of wrapped Japanese text the form writer uses; a row is never made shorter.

Only the form's rows and columns are looked at, whatever the sheet declares: the caller says how far
they go (``bounds``), else they end at the header row's last column and the last row holding a value.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from kpireport.forms import layout as fl
from kpireport.text_layout import row_height

LINE_HEIGHT = 14.0  # points per line at 10pt 游ゴシック, as the form writer sizes rows
DEFAULT_WIDTH = 8.43  # Excel's width of a column the file does not size
MAX_COLUMNS = 64  # a form's data sheet has at most a few tens of columns
MAX_ROWS = 20_000  # and fewer rows than intake reads


def fit_rows(workbook: Workbook, bounds: Mapping[str, tuple[int, int]] | None = None) -> None:
    """Grow each data row of the form's data sheets to show every wrapped cell's text. ``bounds``: per sheet
    name, the last row and column to look at (a sheet not named is not looked at)."""
    for name in (fl.KPI_SHEET, fl.INITIATIVE_SHEET, fl.NARRATIVE_SHEET):
        if name not in workbook.sheetnames:
            continue
        ws = workbook[name]
        if bounds is None:
            fit_sheet_rows(ws, *form_extent(ws))
        elif name in bounds:
            fit_sheet_rows(ws, *bounds[name])


def form_extent(ws: Worksheet) -> tuple[int, int]:
    """(last row, last column) of a form's data sheet as openpyxl holds it: the header row's width, and the
    last row with a value in the ID column (read down from the first data row, stopping at the first gap)."""
    header = next(ws.iter_rows(min_row=fl.HEADER_ROW, max_row=fl.HEADER_ROW, max_col=MAX_COLUMNS))
    last_column = max((cell.column for cell in header if cell.value not in (None, "")), default=0)
    last_row = fl.FIRST_ROW - 1
    while last_row < MAX_ROWS and ws.cell(last_row + 1, 1).value not in (None, ""):
        last_row += 1
    return last_row, last_column


def column_widths(ws: Worksheet) -> dict[int, int]:
    """Width of each sized column by number (a file may size several columns in one range, A:C)."""
    widths = {}
    for dimension in ws.column_dimensions.values():
        if dimension.width and dimension.min and dimension.max:
            for number in range(dimension.min, min(dimension.max, MAX_COLUMNS) + 1):
                widths[number] = int(dimension.width)
    return widths


def wrapped_cells(ws: Worksheet, row: Sequence[Any], widths: dict[int, int] | None = None) -> list[tuple[str, int]]:
    """(text, column width) of each wrapped cell with text in ``row`` (a tuple of cells)."""
    widths = column_widths(ws) if widths is None else widths
    return [(cell.value, widths.get(cell.column, int(DEFAULT_WIDTH))) for cell in row
            if isinstance(cell.value, str) and cell.value and cell.alignment is not None and cell.alignment.wrap_text]


def fit_sheet_rows(ws: Worksheet, last_row: int | None = None, last_column: int | None = None) -> None:
    """Grow the rows from the first data row to ``last_row``, looking at columns up to ``last_column``."""
    if last_row is None or last_column is None:
        last_row, last_column = form_extent(ws)
    if last_row < fl.FIRST_ROW or last_column < 1:
        return
    widths = column_widths(ws)  # once per sheet, not per row
    for r, row in enumerate(ws.iter_rows(min_row=fl.FIRST_ROW, max_row=last_row, max_col=last_column),
                            start=fl.FIRST_ROW):
        cells = wrapped_cells(ws, row, widths)
        if not cells:
            continue
        needed = row_height(cells, LINE_HEIGHT)
        current = ws.row_dimensions[r].height
        if current is None or current < needed:
            ws.row_dimensions[r].height = needed
