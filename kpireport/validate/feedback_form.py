"""Feedback copies written anew (xlsxwriter): the cost grows with the form and its marks, never with the file.

A sound form of this workspace is written again from the form's definition (forms.layout, the same styles,
drop-downs, protection and guide as forms.writer), with what the department entered in the form's rows and
columns (as intake read them), the submitted identity sheet as it was (the copy is resubmittable as the same
form), a red or orange fill and a comment on each cell with a finding, and the 検証結果 sheet first. Nothing
outside the form's rows and columns is read or written, whatever the file declares.

A file that is not such a form gets a copy made only of the 検証結果 sheet (``write_findings_only``).
"""
from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from kpireport.errors import KpireportError
from kpireport.forms import layout as fl
from kpireport.forms import writer as fw
from kpireport.model import Finding, Plan, RawCell, RawSheet, Submission
from kpireport.periods import ReportPeriod
from kpireport.runtime.atomic import atomic_write
from kpireport.text_layout import row_height
from kpireport.validate import feedback_table as ft

ADDED_ROWS = 20  # rows below the form's last row still written (a department's added row gets its mark)
POINTS_PER_PIXEL = 0.75
FIT_LINE_HEIGHT = 14.0  # points per line at 10pt 游ゴシック, as the form writer sizes rows
_WORKBOOK_OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
                     "in_memory": True}  # no temporary file per part


@dataclass(frozen=True)
class FormIdentity:
    """What a submitted file is as a form of this workspace: its department, period and 様式版."""

    department: str
    period: ReportPeriod
    version: str


# --- the copy of a form ----------------------------------------------------------------------------

def write_form_copy(plan: Plan, form: FormIdentity, submission: Submission, findings: list[Finding],
                    target: Path) -> Path:
    """The department's form written again with its entries and ``findings`` marked, to ``target``."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, _WORKBOOK_OPTIONS)
    book.set_properties({"title": f"{form.period.label} {form.department} 検証結果", "author": ft.AUTHOR})
    styles = _Styles(book)
    sheets = fl.data_sheets(plan, form.department, form.period, form.version)
    marks = _Marks(findings, {s.name: (_last_row(s), len(s.columns)) for s in sheets})
    feedback = book.add_worksheet(fl.FEEDBACK_SHEET)
    fw.write_guide(book, styles.formats, plan, form.department, form.period, sheets)
    book.get_worksheet_by_name(fl.GUIDE_SHEET).selected = 0  # one selected tab (several would be a group)
    for sheet in sheets:
        raw = submission.sheet(sheet.name) or _EMPTY
        _write_data_sheet(book.add_worksheet(sheet.name), styles, marks, plan, form.period, sheet, raw)
    _copy_identity(book.add_worksheet(fl.META_SHEET), plan, submission.sheet(fl.META_SHEET) or _EMPTY,
                   _meta_rows(sheets))
    write_findings_sheet(feedback, book, submission.name, marks.located)
    book.close()
    _save(target, fw.structure_locked(output.getvalue(), plan.settings.form_password))
    return target


def write_findings_only(file_name: str, findings: list[Finding], target: Path) -> Path:
    """A copy made only of the 検証結果 sheet, for a file that is not a sound form (the file is not rewritten)."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, _WORKBOOK_OPTIONS)
    located = [(f, ft.Place(_place_text(f))) for f in findings]
    write_findings_sheet(book.add_worksheet(fl.FEEDBACK_SHEET), book, file_name, located, ft.NOT_A_FORM)
    book.close()
    _save(target, output.getvalue())
    return target


def _save(target: Path, data: bytes) -> None:
    try:
        with atomic_write(target, "控え") as handle:
            handle.write(data)
    except OSError as exc:
        raise KpireportError(f"控え {target} に書き込めません（{exc.strerror or exc}）。"
                             "フォルダの書き込み権限と空き容量を確認してください。") from exc


_EMPTY = RawSheet(name="", state="visible", cells={})


def _last_row(sheet: fl.DataSheet) -> int:
    """The last row of the form's sheet that the copy writes: the form's rows and a few added below."""
    return fl.FIRST_ROW + len(sheet.rows) - 1 + ADDED_ROWS


def _meta_rows(sheets: list[fl.DataSheet]) -> int:
    """Rows of the identity sheet: its items, a blank, 行, and one row per form row (with room for more)."""
    return 20 + sum(len(s.rows) for s in sheets) * 2


# --- styles ------------------------------------------------------------------------------------------

class _Recorder:
    """Stands in for a workbook while forms.writer makes its styles: keeps each style's properties."""

    @staticmethod
    def add_format(properties: dict) -> dict:
        return dict(properties)


class _Styles:
    """The form writer's styles, and each one again with a mark's fill or a date's number format (made once,
    when first asked)."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self.properties: dict[str, dict] = fw.form_styles(_Recorder())
        self.formats = {name: book.add_format(properties) for name, properties in self.properties.items()}
        self.variants: dict[tuple[str, str, str], Format] = {}

    def get(self, name: str, mark: str = "", number_format: str = "") -> Format:
        if not mark and not number_format:
            return self.formats[name]
        key = (name, mark, number_format)
        if key not in self.variants:
            properties = dict(self.properties[name])
            if mark:
                properties.update(bg_color="#" + mark, pattern=1)
            if number_format:
                properties["num_format"] = number_format
            self.variants[key] = self.book.add_format(properties)
        return self.variants[key]


# --- marks -------------------------------------------------------------------------------------------

class _Marks:
    """The findings by the cell they mark (within the form's rows and columns), and each one's place."""

    def __init__(self, findings: list[Finding], bounds: dict[str, tuple[int, int]]):
        self.cells: dict[tuple[str, int, int], list[Finding]] = {}
        self.rows: set[tuple[str, int]] = set()
        self.located: list[tuple[Finding, ft.Place]] = []
        for found in findings:
            sheet, cell = ft.clean(found.sheet).strip(), ft.clean(found.cell).strip()
            position = ft.parse_cell(cell) if sheet in bounds and cell else None
            inside = position is not None and position[0] <= bounds[sheet][0] and position[1] <= bounds[sheet][1]
            if position is not None and inside:
                self.cells.setdefault((sheet, *position), []).append(found)
                self.rows.add((sheet, position[0]))
                reference = _coordinate(*position)
                place = ft.Place(f"{sheet}!{reference}", f"{ft.quoted_sheet(sheet)}!{reference}")
            else:
                place = ft.Place(_place_text(found))
            self.located.append((found, place))

    def fill(self, sheet: str, row: int, column: int) -> str:
        found = self.cells.get((sheet, row, column))
        if not found:
            return ""
        return ft.ERROR_RGB if any(f.severity == "error" for f in found) else ft.WARNING_RGB

    def comments(self, sheet: str) -> Iterable[tuple[int, int, str]]:
        for (name, row, column), found in self.cells.items():
            if name == sheet:
                yield row, column, ft.comment_text(found)


def _place_text(found: Finding) -> str:
    sheet, cell = ft.clean(found.sheet).strip(), ft.clean(found.cell).strip()
    if not sheet:
        return ft.WHOLE_FILE
    return f"{sheet}!{cell}" if cell else sheet


def _coordinate(row: int, column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


# --- the data sheets -----------------------------------------------------------------------------------

def _write_data_sheet(ws: Worksheet, styles: _Styles, marks: _Marks, plan: Plan, period: ReportPeriod, sheet: fl.DataSheet,
                      raw: RawSheet) -> None:
    """The form's sheet as forms.writer makes it, holding the submitted cells of its rows and columns."""
    columns = sheet.columns
    for col, column in enumerate(columns):
        ws.set_column(col, col, sheet.width(column))
    ws.set_row(fl.HEADER_ROW - 1, 30)
    locked = {row["id"]: row for row in sheet.rows}
    input_lines = fw.input_lines(plan, sheet.name)
    form_last = fl.FIRST_ROW + len(sheet.rows) - 1
    for r in range(1, _last_row(sheet) + 1):
        if r > form_last and not _has_cells(raw, r, len(columns)) and (sheet.name, r) not in marks.rows:
            continue  # below the form's rows: written only where the department added something
        ident = _text(raw.value(r, 1)) if r >= fl.FIRST_ROW else ""
        if r >= fl.FIRST_ROW:
            ws.set_row(r - 1, _data_row_height(columns, locked.get(ident), raw, r, input_lines))
        _write_row(ws, styles, marks, sheet, raw, r, ident)
    for mark_row, mark_column, text in marks.comments(sheet.name):
        width, height = ft.comment_size(text)
        ws.write_comment(mark_row - 1, mark_column - 1, text, {"author": ft.AUTHOR, "width": width, "height": height})
    fw.add_validations(ws, sheet, plan, period)
    ws.freeze_panes(fl.FIRST_ROW - 1, 1)
    fw.print_setup(ws, fl.HEADER_ROW - 1)
    fw.protect_sheet(ws, plan)


def _write_row(ws: Worksheet, styles: _Styles, marks: _Marks, sheet: fl.DataSheet, raw: RawSheet, r: int,
               ident: str) -> None:
    """Row ``r``, whose ID cell says ``ident``: styled as the form styles that row (a row another department
    reports, a 【再掲】 row: only what is open there is an input)."""
    cells, fill = raw.cells, marks.fill
    for c, column in enumerate(sheet.columns, start=1):
        name = _style_name(r, column, sheet.is_open(ident, column))
        mark = fill(sheet.name, r, c)
        cell = cells.get((r, c))
        if name is None and not mark and cell is None:
            continue  # the form writes nothing here
        number_format = cell.number_format if cell is not None and isinstance(cell.value, _DATES) else ""
        _write_cell(ws, r, c, cell, styles.get(name or "plain", mark, number_format))


def _style_name(row: int, column: fl.FormColumn, is_open: bool) -> str | None:
    """The form writer's style of a cell by its place (None: the form writes no style there)."""
    if row == fl.TITLE_ROW:
        return "title" if column.key == "id" else None
    if row < fl.HEADER_ROW:
        return "plain" if column.key == "id" else None
    if row == fl.HEADER_ROW:
        return "input_header" if column.is_input else "header"
    if is_open:
        return "input_number" if column.numeric else "input_wrap" if column.wrap else "input"
    return "locked_wrap" if column.wrap else "locked"


def _has_cells(raw: RawSheet, row: int, width: int) -> bool:
    return any(raw.cell(row, c) is not None for c in range(1, width + 1))


def _data_row_height(columns: tuple[fl.FormColumn, ...], locked: dict | None, raw: RawSheet, row: int,
                     input_lines: int) -> float:
    """Room for the form's own texts (as the writer sizes the row) and for every wrapped text entered."""
    form_height = fw.form_row_height(columns, locked, input_lines=input_lines) if locked else 0.0
    typed = [(value, column.width) for c, column in enumerate(columns, start=1)
             if column.wrap and isinstance(value := raw.value(row, c), str) and value]
    needed = max(form_height, row_height(typed, FIT_LINE_HEIGHT) if typed else 0.0)
    return math.ceil(needed / POINTS_PER_PIXEL) * POINTS_PER_PIXEL  # xlsxwriter stores whole pixels, rounded down


_DATES = (dt.date, dt.time, dt.timedelta)


def _write_cell(ws: Worksheet, row: int, column: int, cell: RawCell | None, fmt: Format | None) -> None:
    """A submitted cell as it was entered (its formula kept with its saved result), or a blank of the style;
    a date comes with a format holding its number format."""
    r, c = row - 1, column - 1
    if cell is None:
        ws.write_blank(r, c, None, fmt)
        return
    value = cell.value
    if cell.formula:
        ws.write_formula(r, c, cell.formula, fmt, "" if value is None else value)
    elif isinstance(value, str):
        ws.write_string(r, c, ft.clean(value), fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fmt)
    elif isinstance(value, _DATES):
        ws.write_datetime(r, c, value, fmt)
    else:
        ws.write_string(r, c, ft.clean(value), fmt)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value).strip()


# --- the identity sheet ----------------------------------------------------------------------------------

def _copy_identity(ws: Worksheet, plan: Plan, raw: RawSheet, rows: int) -> None:
    """The submitted identity sheet's two columns as they were (its signature stays valid), very hidden."""
    for (r, c), cell in sorted(raw.cells.items()):
        if r > rows:
            break
        if c <= 2:
            _write_cell(ws, r, c, cell, None)
    ws.very_hidden()
    fw.protect_sheet(ws, plan)


# --- the 検証結果 sheet ------------------------------------------------------------------------------------

def write_findings_sheet(ws: Worksheet, book: xlsxwriter.Workbook, file_name: str, located: list[tuple[Finding, ft.Place]], note: str = "") -> None:
    """The findings table with links to the marked cells, the counts, the instruction and the colour legend."""
    table = ft.findings_table(located)
    f = _SheetFormats(book)
    ws.write_string(ft.TITLE_ROW - 1, 0, ft.clean(f"検証結果: {file_name}"), f.title)
    ws.write_string(ft.COUNT_ROW - 1, 0, table.count_text, f.count_error if table.errors else f.count)
    first = note or (ft.INSTRUCTION if located else ft.NO_FINDINGS)
    ws.write_string(ft.INSTRUCTION_ROW - 1, 0, first, f.base)
    if located and not note:
        ws.write_string(ft.NOTE_ROW - 1, 0, ft.NOTE, f.base)
    for column, width in enumerate(table.widths):
        ws.set_column(column, column, width)
    if located and not note:
        _write_legend(ws, f, table.widths[ft.MESSAGE_COLUMN])
    for column, text in enumerate(ft.HEADERS):
        ws.write_string(ft.HEADER_ROW - 1, column, text, f.header)
    for offset, values in enumerate(table.rows):
        _write_table_row(ws, f, ft.FIRST_DATA_ROW - 1 + offset, values, table, offset)
    ws.freeze_panes(ft.FIRST_DATA_ROW - 1, 0)
    ws.repeat_rows(ft.HEADER_ROW - 1)
    ws.print_area(0, 0, table.last_row - 1, len(ft.HEADERS) - 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.activate()
    ws.set_first_sheet()


def _write_table_row(ws: Worksheet, f: _SheetFormats, row: int, values: tuple, table: ft.Table, offset: int) -> None:
    for column, value in enumerate(values):
        if column == 0:
            ws.write_number(row, column, value, f.number)
        elif column == 1:
            ws.write_string(row, column, value, f.error if table.severities[offset] == "error" else f.warning)
        elif column == 2 and table.links[offset]:
            ws.write_url(row, column, "internal:" + table.links[offset], f.link, string=value,
                         tip=ft.clean(f"{value} へ移動")[:255])
        elif column == ft.CODE_COLUMN:
            ws.write_string(row, column, value, f.code)
        else:
            ws.write_string(row, column, value, f.wrapped if ft.COLUMN_LIMITS[column][2] else f.plain)
    ws.set_row(row, table.heights[offset])


def _write_legend(ws: Worksheet, f: _SheetFormats, width: int) -> None:
    """凡例: each mark colour in a cell of that colour, and what each asks of the department."""
    row = ft.LEGEND_ROW - 1
    ws.write_string(row, 0, "凡例", f.legend)
    ws.write_string(row, 1, "エラー", f.legend_error)
    ws.write_string(row, 2, "警告", f.legend_warning)
    ws.write_string(row, ft.MESSAGE_COLUMN, ft.LEGEND, f.legend_note)
    ws.set_row(row, ft.legend_height(width))


class _SheetFormats:
    """The 検証結果 sheet's formats."""

    def __init__(self, book: xlsxwriter.Workbook):
        font = {"font_name": ft.FONT_NAME, "font_size": 10}
        cell = {**font, "border": 1, "border_color": "#999999", "valign": "top"}
        self.title = book.add_format({"font_name": ft.FONT_NAME, "font_size": 14, "bold": True})
        self.count = book.add_format({"font_name": ft.FONT_NAME, "font_size": 11, "bold": True})
        self.count_error = book.add_format({"font_name": ft.FONT_NAME, "font_size": 11, "bold": True,
                                            "font_color": "#9C0006"})
        self.base = book.add_format(font)
        self.header = book.add_format({**cell, "bold": True, "bg_color": "#D9D9D9", "align": "center",
                                       "valign": "vcenter"})
        self.number = book.add_format({**cell, "align": "center"})
        self.error = book.add_format({**cell, "align": "center", "bg_color": "#" + ft.ERROR_RGB})
        self.warning = book.add_format({**cell, "align": "center", "bg_color": "#" + ft.WARNING_RGB})
        self.link = book.add_format({**cell, "text_wrap": True, "font_color": "#0563C1", "underline": 1})
        self.wrapped = book.add_format({**cell, "text_wrap": True})
        self.plain = book.add_format(cell)
        self.code = book.add_format({**cell, "font_size": 8, "font_color": "#" + ft.CODE_RGB})
        self.legend = book.add_format({**font, "valign": "top"})
        self.legend_error = book.add_format({**cell, "align": "center", "bg_color": "#" + ft.ERROR_RGB})
        self.legend_warning = book.add_format({**cell, "align": "center", "bg_color": "#" + ft.WARNING_RGB})
        self.legend_note = book.add_format({**font, "valign": "top", "text_wrap": True})
