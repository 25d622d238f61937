"""How the master's sheets print and scroll (xlsxwriter page setup).

A planning officer prints the master on A4 (A3 when the plan's 設定 says so) and reads it on a laptop: every
sheet prints one page wide in landscape, with its title rows repeated on each page; a list keeps its ID and
name columns in view (frozen, and repeated should a reader widen the print to several pages), and its
technical columns (hashes, file cells, the working) sit at the far right, grouped and folded, so they stay in
the file without crowding what the office reads. A list prints only its leading columns, those a reader of
the paper needs, so that one page wide is still 8 pt or larger; the others are on screen.
"""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

MARGIN_SIDE = 0.4  # inches: narrow margins leave the list a larger print scale
MARGIN_TOP = 0.6
MAX_ROW = 1_048_574  # a print area down to the sheet's last rows but one (whole columns, written $A:$H, are not read back by every program)
FOLDED_NOTE = "右端の列（{names}）は折りたたんでいます。列番号の上の［+］で開けます。"


PAPERS = {"A4": 9, "A3": 8}  # Excel's paper codes


def print_one_page_wide(ws: Worksheet, paper: str = "A4") -> None:
    """A4 (or A3) landscape, one page wide and as many pages down as needed, numbered in the footer."""
    ws.set_paper(PAPERS.get(paper, PAPERS["A4"]))
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=MARGIN_SIDE, right=MARGIN_SIDE, top=MARGIN_TOP, bottom=MARGIN_TOP)
    ws.set_footer("&C&P / &N")


def list_page(ws: Worksheet, header_row: int, widths: list[float], keys: int, folded: int, printed: int | None = None,
              paper: str = "A4") -> None:
    """A list sheet: column widths; the first ``keys`` columns (ID and name) frozen and repeated; the last
    ``folded`` columns grouped and folded away (hidden columns do not print); only the first ``printed``
    columns printed (all shown ones when None)."""
    shown = len(widths) - folded
    for col, width in enumerate(widths):
        ws.set_column(col, col, width, None, {"level": 1, "hidden": True} if col >= shown else {})
    if folded:
        # the group's [+] button sits on the column after it
        ws.set_column(len(widths), len(widths), None, None, {"collapsed": True})
    ws.freeze_panes(header_row + 1, keys)
    ws.repeat_rows(0, header_row)
    if keys:
        ws.repeat_columns(0, keys - 1)
    if printed is not None and printed < shown:
        ws.print_area(0, 0, MAX_ROW, printed - 1)
    print_one_page_wide(ws, paper)


def folded_note(titles: list[str]) -> str:
    """The line under a list's title that says where its folded columns are."""
    return FOLDED_NOTE.format(names="・".join(titles))
