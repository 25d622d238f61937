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


def fit_sheet_rows(ws) -> None:
    widths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=fl.FIRST_ROW):
        cells = []
        for cell in row:
            if isinstance(cell.value, str) and cell.value and cell.alignment is not None and cell.alignment.wrap_text:
                if cell.column not in widths:
                    dimension = ws.column_dimensions.get(cell.column_letter)
                    widths[cell.column] = int((dimension.width if dimension and dimension.width else DEFAULT_WIDTH))
                cells.append((cell.value, widths[cell.column]))
        if not cells:
            continue
        r = row[0].row
        needed = row_height(cells, LINE_HEIGHT)
        current = ws.row_dimensions[r].height
        if current is None or current < needed:
            ws.row_dimensions[r].height = needed
