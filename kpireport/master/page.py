"""How the master's sheets print and scroll (xlsxwriter page setup).

A planning officer prints the master on A4 and reads it on a laptop: every sheet prints one page wide in
landscape, with its title rows repeated on each page; a list keeps its ID and name columns in view (frozen,
and repeated should a reader widen the print to several pages), and its technical columns (hashes, file
cells, the working) sit at the far right, grouped and folded, so they stay in the file without crowding
what the office reads.
"""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

MARGIN_SIDE = 0.4  # inches: narrow margins leave the list a larger print scale
MARGIN_TOP = 0.6
FOLDED_NOTE = "右端の列（{names}）は折りたたんでいます。列番号の上の［+］で開けます。"


def print_one_page_wide(ws: Worksheet) -> None:
    """A4 landscape, one page wide and as many pages down as needed, numbered in the footer."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=MARGIN_SIDE, right=MARGIN_SIDE, top=MARGIN_TOP, bottom=MARGIN_TOP)
    ws.set_footer("&C&P / &N")


def list_page(ws: Worksheet, header_row: int, widths: list[float], keys: int, folded: int) -> None:
    """A list sheet: column widths; the first ``keys`` columns (ID and name) frozen and repeated; the last
    ``folded`` columns grouped and folded away (hidden columns do not print)."""
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
    print_one_page_wide(ws)


def folded_note(titles: list[str]) -> str:
    """The line under a list's title that says where its folded columns are."""
    return FOLDED_NOTE.format(names="・".join(titles))
