"""An xlsxwriter worksheet with a quicker path for plain formatted cells (the master's 100,000 cells).

xlsxwriter's general cell path checks the cell reference notation, builds attribute lists and escapes
each attribute, for every cell. The master only writes text, numbers and formatted blanks by row and
column: ``put_text``/``put_number``/``put_blank`` store them as xlsxwriter's own ``write_*`` would, and
``_write_cell`` writes such cells' XML in one formatted string. The XML is byte for byte what xlsxwriter
writes (tests/test_xlsx_quick.py compares whole workbooks written both ways), every other cell goes
through xlsxwriter's own code, and the workbook keeps everything else (formats, shared strings, charts,
print settings) to xlsxwriter. On the large benchmark's master (104,000 cells) it took the CPU time of
write_master from 2.0–2.5 s to about 1.6 s (medians of alternating runs).
"""
from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

__all__ = ["QuickSheet"]


class QuickSheet(Worksheet):
    """Pass as ``worksheet_class`` to ``Workbook.add_worksheet``."""

    def __init__(self):
        super().__init__()
        self._letters: list[str] = []  # column index -> letters

    # -- storing (what write_string / write_number / write_blank do for a row and column) -----------

    def put_text(self, row: int, col: int, text: str, cell_format=None) -> int:
        return self._write_string(row, col, text, cell_format)

    def put_number(self, row: int, col: int, number: float, cell_format=None) -> int:
        return self._write_number(row, col, number, cell_format)

    def put_blank(self, row: int, col: int, cell_format=None) -> int:
        return self._write_blank(row, col, None, cell_format)

    # -- writing ---------------------------------------------------------------------------------

    def _write_cell(self, row: int, col: int, cell) -> None:
        kind = _QUICK.get(type(cell).__name__)
        cell_format = cell.format if kind else None
        if cell_format is None or cell_format.xf_index is None or self.constant_memory:
            super()._write_cell(row, col, cell)
            return
        letters = self._letters
        while len(letters) <= col:
            letters.append(xl_col_to_name(len(letters)))
        where = f'<c r="{letters[col]}{row + 1}" s="{cell_format.xf_index}"'
        if kind == "text":
            self.fh.write(f'{where} t="s"><v>{cell.string}</v></c>')
        elif kind == "number":
            self.fh.write(f"{where}><v>{cell.number:.16G}</v></c>")
        else:
            self.fh.write(f"{where}/>")


# xlsxwriter's cell records by their class names, as its own _write_cell tells them apart (the names of
# the classes' variables changed between versions, these did not)
_QUICK = {"String": "text", "Number": "number", "Blank": "blank"}
