"""What every sheet of the master is written with: the formats, a list sheet's title and header, and the
writing of one value (typed, text always as text, shortened and told where Excel cannot hold it).

The sheets themselves are one module each (master.summary, master.kpi_list, …); each has ``add(writer)``.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from kpireport import labels
from kpireport.errors import KpireportError
from kpireport.evaluate.display import RULE_COLOURS, grade_colours
from kpireport.evaluate.results import PeriodResults
from kpireport.master import page
from kpireport.model import Plan
from kpireport.text_layout import row_height

FONT = {"font_name": "游ゴシック", "font_size": 10}
CELL = {**FONT, "valign": "top", "border": 1, "border_color": "#A6A6A6"}  # a list sheet's cell
ACTIVE_STARTS = ("=", "+", "-", "@", "\t", "\r")  # text Excel would read as a formula once edited
SHORTENED = "…（Excelの1セルの上限のため、以下省略）"

Headers = list[tuple[str, int]]  # (column title, width) of a list sheet


class SheetWriter:
    """The workbook being written, the period's results, the formats, and what had to be shortened."""

    def __init__(self, workbook: Workbook, data: PeriodResults) -> None:
        self.wb = workbook
        self.data = data
        self.plan: Plan = data.plan
        self.props: dict[int, dict] = {}  # format id -> its properties, to derive the quote-prefix variant
        self.quoted: dict[int, Format] = {}
        self.notes: list[str] = []  # texts that had to be shortened to fit a cell
        self.row_source = ""  # where the row being written came from, for those notes
        self.shown: dict[str, int] = {}  # sheet name -> its columns before the folded ones
        base = CELL
        recorder = _Recorder(workbook, self.props)
        self.f = {
            "title": recorder.add_format({**FONT, "bold": True, "font_size": 14}),
            "sub": recorder.add_format({**FONT, "bold": True, "font_size": 11}),
            "note": recorder.add_format({**FONT}),
            "note_wrap": recorder.add_format({**FONT, "text_wrap": True, "valign": "top"}),
            "header": recorder.add_format({**base, "bold": True, "bg_color": "#D9D9D9", "text_wrap": True,
                                           "align": "center", "valign": "vcenter"}),
            "text": recorder.add_format({**base}),
            "wrap": recorder.add_format({**base, "text_wrap": True}),
            "number": recorder.add_format({**base, "num_format": "#,##0.###"}),
            "percent": recorder.add_format({**base, "num_format": '0.0"%"'}),
            "share": recorder.add_format({**base, "num_format": "0.0%"}),
            "count": recorder.add_format({**base, "num_format": "0"}),
        }
        fills = grade_colours(self.plan.grades, RULE_COLOURS)
        self.grade_format = {g.code: recorder.add_format({**base, "bold": True, "align": "center",
                                                          "bg_color": fills[g.code]})
                             for g in self.plan.grades}

    def style(self, style: str, value: Any = None) -> Format:
        """The format of a cell written as ``style`` (a grade code: its colour); a percentage with more than one
        decimal (shown so because one would cross a threshold, evaluate.arithmetic.shown_percent) gets as many."""
        if style in self.grade_format:
            return self.grade_format[style]
        if style == "percent" and isinstance(value, Decimal):
            exponent = value.as_tuple().exponent
            places = -exponent if isinstance(exponent, int) else 1
            if places > 1:
                key = f"percent{places}"
                if key not in self.f:
                    self.f[key] = _Recorder(self.wb, self.props).add_format(
                        {**CELL, "num_format": "0." + "0" * places + '"%"'})
                return self.f[key]
        return self.f[style]

    def sheet(self, name: str, headers: Headers, keys: int = 1, folded: int = 0, first_row: int = 2,
              printed: int | None = None) -> Worksheet:
        """A list sheet: title, time of the merge, header row. ``keys``: the ID and name columns at the left
        (frozen, repeated); ``folded``: the technical columns at the right (grouped and folded); ``printed``:
        the leading columns the paper shows (None: every shown one)."""
        ws = self.wb.add_worksheet(name)
        ws.write_string(0, 0, f"{self.plan.settings.city}　{self.data.period.label}　{name}", self.f["title"])
        note = f"集計日時: {self.data.merged_at.replace('T', ' ')}"
        if folded:
            note += "　" + page.folded_note([title for title, _ in headers[-folded:]])
        ws.write_string(1, 0, note, self.f["note"])
        for col, (title, _) in enumerate(headers):
            self.put(ws, first_row, col, title, self.f["header"])
        ws.set_row(first_row, 32)
        page.list_page(ws, first_row, [size for _, size in headers], keys, folded, printed,
                       self.plan.settings.master_paper)
        self.shown[name] = len(headers) - folded
        return ws

    def put(self, ws: Worksheet, row: int, col: int, value: Any, fmt: Format | None = None) -> None:
        """Write with the typed method; text always as text, shortened (and told) where Excel cannot hold it."""
        if value is None or value == "":
            code = ws.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            code = ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, (int, float, Decimal)):
            code = ws.write_number(row, col, float(value), fmt)
        else:
            text = str(value)
            if len(text) > labels.EXCEL_TEXT_LIMIT:
                text = self.shortened(ws, row, col, text)
            if text.startswith(ACTIVE_STARTS):
                fmt = self.quote_prefixed(fmt)
            code = ws.write_string(row, col, text, fmt)
        if code:
            raise KpireportError(f"台帳のシート「{ws.name}」に書き込めませんでした（{row + 1}行目、コード {code}）。")

    def shortened(self, ws: Worksheet, row: int, col: int, text: str) -> str:
        """Validation keeps department text within a cell; what still does not fit (texts of several departments
        together) is cut with a mark, and told, rather than stopping the master."""
        source = f"（{self.row_source}）" if self.row_source else ""
        self.notes.append(f"台帳の「{ws.name}」{xl_rowcol_to_cell(row, col)}{source}の文字が Excel の上限"
                          f"（{labels.EXCEL_TEXT_LIMIT:,}字）を超えるため、末尾を省略して書きました。")
        return text[:labels.EXCEL_TEXT_LIMIT - len(SHORTENED)] + SHORTENED

    def quote_prefixed(self, fmt: Format | None) -> Format:
        """The same format with Excel's quote prefix: the text stays text even after editing."""
        if id(fmt) not in self.quoted:
            self.quoted[id(fmt)] = self.wb.add_format({**self.props.get(id(fmt), {}), "quote_prefix": True})
        return self.quoted[id(fmt)]

    @staticmethod
    def fit_row(ws: Worksheet, row: int, wrapped: list[tuple[str, int]]) -> None:
        """Spreadsheet programs do not refit rows on open: size the row for its wrapped (text, column
        width) pairs."""
        ws.set_row(row, row_height(wrapped))

    def table_rows(self, ws: Worksheet, headers: Headers, rows: list[list], first_row: int = 3,
                   sources: list[str] | None = None) -> int:
        """Write rows of values (wrapped text, counts as numbers); return the last row index. ``sources``: what
        each row is (取組 T-…), named if a text has to be shortened."""
        row = first_row - 1
        for index, values in enumerate(rows):
            row += 1
            self.row_source = sources[index] if sources else ""
            for col, value in enumerate(values):
                self.put(ws, row, col, value, self.f["count"] if isinstance(value, int) else self.f["wrap"])
            shown = zip(values[:self.shown[ws.name]], headers)  # folded columns do not size the row
            self.fit_row(ws, row, [(str(v), size) for v, (_, size) in shown])
        return row

    def finish_table(self, ws: Worksheet, first_row: int, last_row: int, columns: int) -> None:
        ws.autofilter(first_row, 0, max(last_row, first_row), columns - 1)


class _Recorder:
    """Creates formats on the workbook and remembers each one's properties."""

    def __init__(self, workbook: Workbook, props: dict[int, dict]) -> None:
        self.workbook = workbook
        self.props = props

    def add_format(self, properties: dict) -> Format:
        fmt = self.workbook.add_format(properties)
        self.props[id(fmt)] = dict(properties)
        return fmt
