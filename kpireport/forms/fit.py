"""Rows of a filled form grown to show what was typed (openpyxl).

Excel and Calc do not grow a row whose height the file sets, so text typed beyond the room the form
gives is hidden on screen and in print. The demo's filling and the feedback copies grow such rows
with the same estimate of wrapped Japanese text the form writer uses; a row is never made shorter.
"""
from __future__ import annotations

from kpireport.forms import layout as fl
from kpireport.text_layout import row_height

LINE_HEIGHT = 14.0  # points per line at 10pt 游ゴシック, as the form writer sizes rows
DEFAULT_WIDTH = 8.43  # Excel's width of a column the file does not size


def fit_rows(workbook) -> None:
    """Grow each data row of the form's data sheets to show every wrapped cell's text."""
    for name in (fl.KPI_SHEET, fl.INITIATIVE_SHEET, fl.NARRATIVE_SHEET):
        if name in workbook.sheetnames:
            fit_sheet_rows(workbook[name])


def column_widths(ws) -> dict[int, int]:
    """Width of each sized column by number (a file may size several columns in one range, A:C)."""
    widths = {}
    for dimension in ws.column_dimensions.values():
        if dimension.width and dimension.min and dimension.max:
            for number in range(dimension.min, dimension.max + 1):
                widths[number] = int(dimension.width)
    return widths


def wrapped_cells(ws, row, widths: dict[int, int] | None = None) -> list[tuple[str, int]]:
    """(text, column width) of each wrapped cell with text in ``row`` (a tuple of cells)."""
    widths = column_widths(ws) if widths is None else widths
    return [(cell.value, widths.get(cell.column, int(DEFAULT_WIDTH))) for cell in row
            if isinstance(cell.value, str) and cell.value and cell.alignment is not None and cell.alignment.wrap_text]


def fit_sheet_rows(ws) -> None:
    widths = column_widths(ws)  # once per sheet, not per row
    for row in ws.iter_rows(min_row=fl.FIRST_ROW):
        cells = wrapped_cells(ws, row, widths)
        if not cells:
            continue
        r = row[0].row
        needed = row_height(cells, LINE_HEIGHT)
        current = ws.row_dimensions[r].height
        if current is None or current < needed:
            ws.row_dimensions[r].height = needed
