"""The plan workbook (計画体系.xlsx): read it into a plan document, and write a document as one.

Sheet names and column headers are the schema titles (see plan_layout). The office edits this
workbook in Excel; the reader accepts what people type (numbers as text, lists separated by 、,
dates, percentages stored as 0.5 with a % format) and keeps every cell's position for findings.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet as XlsxWorksheet

from kpireport.messages import finding
from kpireport.model import Finding
from kpireport.plan import layout as plan_layout
from kpireport.plan.layout import Column, Sheet
from kpireport.plan.locator import Source, WorkbookLocator, short_error
from kpireport.runtime.atomic import atomic_write
from kpireport.text_layout import display_width
from kpireport.values import format_value, parse_value

GUIDE_SHEET = "使い方"
SETTINGS_HEADERS = ("項目", "値", "説明")
MAX_ROWS = 100_000  # a plan has hundreds of rows; stop reading runaway sheets


# ----------------------------------------------------------------------------------------------
# reading


def read_plan_workbook(path: Path) -> Source:
    name = Path(path).name
    locator = WorkbookLocator(name)
    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files; all mean "unreadable"
        return Source({}, locator, [finding("plan-file-unreadable", file=name, detail=short_error(exc))])
    document: dict[str, Any] = {}
    findings: list[Finding] = []
    for sheet in plan_layout.sheets():
        if sheet.title not in workbook.sheetnames:
            continue  # a missing required sheet is reported by the schema check, once
        worksheet = workbook[sheet.title]
        if not isinstance(worksheet, Worksheet):
            continue  # a chart sheet under a plan sheet's name holds no rows: reported as missing, like no sheet
        if sheet.is_settings:
            document[sheet.key] = _read_settings(worksheet, sheet, locator, findings)
        else:
            document[sheet.key] = _read_table(worksheet, sheet, locator, findings)
        findings += _merged_cells(worksheet, sheet, locator)
    findings += _unknown_sheets(workbook.sheetnames, locator)
    workbook.close()
    return Source(document, locator, findings)


def _unknown_sheets(names: list[str], locator: WorkbookLocator) -> list[Finding]:
    """A sheet the reader does not read (a copy 「指標 (2)」 made to prepare a revision, a memo): said, so that an
    edit made there is not believed to be in the plan."""
    known = {s.title for s in plan_layout.sheets()} | {GUIDE_SHEET}
    findings = []
    for name in names:
        if name in known:
            continue
        text = unicodedata.normalize("NFKC", name)
        like = next((s.title for s in plan_layout.sheets() if unicodedata.normalize("NFKC", s.title) in text), None)
        hint = (f"計画の変更はシート「{like}」に書いてください（このシートに書いた内容は使われません）。"
                "控えのために残すなら、別のファイルに移してください。" if like else
                "計画の内容ならシート名を計画体系のシート名にし、メモなどならこのままでかまいません。")
        findings.append(finding("plan-sheet-unknown", file=locator.file, sheet=name, value=name, hint=hint))
    return findings


def _merged_cells(ws: Worksheet, sheet: Sheet, locator: WorkbookLocator) -> list[Finding]:
    """Merged ranges over the cells the reader reads. openpyxl gives a merge's value to its top-left cell only, so
    the other rows under a merge (参考指標 typed once over three rows, a 担当課 merged down a block) would be read
    as blank: an error where the range covers rows with entries, a warning over rows still empty."""
    if not ws.merged_cells.ranges:
        return []
    read_columns = ({1, 2} if sheet.is_settings else
                    {column_index_from_string(letter) for (key, _), letter in locator.columns.items() if key == sheet.key})
    entry_rows = {row for (key, _), row in locator.rows.items() if key == sheet.key}
    findings = []
    for merged in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        columns = set(range(merged.min_col, merged.max_col + 1))
        if merged.max_row < 2 or not columns & read_columns:
            continue  # the header row (a merged header is reported as a missing or unknown column) or unread columns
        rows = set(range(max(merged.min_row, 2), merged.max_row + 1))
        if rows & entry_rows:
            what, each = ("行", "各行") if merged.max_row > merged.min_row else ("セル", "各セル")
            findings.append(finding("plan-merged-cells", file=locator.file, sheet=sheet.title, cell=merged.coord,
                                    value=merged.coord, what=what, each=each))
        else:
            findings.append(finding("plan-merged-cells-empty", file=locator.file, sheet=sheet.title,
                                    cell=merged.coord, value=merged.coord))
    return findings


def _header_text(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""


def _read_settings(ws: Worksheet, sheet: Sheet, locator: WorkbookLocator, findings: list[Finding]) -> dict:
    by_title = {unicodedata.normalize("NFKC", t): c for t, c in sheet.by_title().items()}
    settings: dict[str, Any] = {}
    for r, row in enumerate(ws.iter_rows(min_row=2, max_row=min(ws.max_row, MAX_ROWS), max_col=2), start=2):
        label = _header_text(row[0].value)
        if not label:
            continue
        column = by_title.get(label)
        if column is None:
            findings.append(finding("plan-setting-unknown", file=locator.file, sheet=sheet.title,
                                    cell=row[0].coordinate, value=label, column=label))
            continue
        locator.rows[(sheet.key, column.key)] = r
        value = _cell_value(row[1], column) if len(row) > 1 else None
        if value is not None:
            settings[column.key] = value
    return settings


def _read_table(ws: Worksheet, sheet: Sheet, locator: WorkbookLocator, findings: list[Finding]) -> list[dict]:
    by_title = {unicodedata.normalize("NFKC", t): c for t, c in sheet.by_title().items()}
    positions: dict[int, Column] = {}
    header = next(ws.iter_rows(min_row=1, max_row=1), ())
    for col, cell in enumerate(header, start=1):  # rows from iter_rows start at column A
        text = _header_text(cell.value)
        if not text:
            continue
        column = by_title.get(text)
        if column is None:
            findings.append(finding("plan-column-unknown", file=locator.file, sheet=sheet.title,
                                    cell=cell.coordinate, value=text, column=text))
            continue
        positions[col] = column
        locator.columns[(sheet.key, column.key)] = get_column_letter(col)
    present = {c.key for c in positions.values()}
    for column in sheet.columns:
        if column.required and column.key not in present:
            locator.missing_columns.add((sheet.key, column.key))
            findings.append(finding("plan-column-missing", file=locator.file, sheet=sheet.title,
                                    column=column.title))
    records: list[dict] = []
    empty_run = 0
    for r, row in enumerate(ws.iter_rows(min_row=2, max_row=min(ws.max_row, MAX_ROWS)), start=2):
        record = {}
        for col, cell in enumerate(row, start=1):
            column = positions.get(col)
            if column is None:
                continue
            value = _cell_value(cell, column)
            if value is not None:
                record[column.key] = value
        if not record:
            empty_run += 1
            if empty_run > 1000:  # long runs of empty rows: the table has ended
                break
            continue
        empty_run = 0
        locator.rows[(sheet.key, len(records))] = r
        records.append(record)
    return records


def _cell_value(cell: Cell | MergedCell, column: Column) -> Any:
    """The cell as the schema expects it; None for an empty cell."""
    value = cell.value
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        return plan_layout.split_list(text) if column.is_list else text
    if isinstance(value, bool):
        return value
    if isinstance(value, (dt.datetime, dt.date)):
        text = value.date().isoformat() if isinstance(value, dt.datetime) else value.isoformat()
        return [text] if column.is_list else text
    if isinstance(value, (int, float, Decimal)):
        fmt = cell.number_format or ""
        if "%" in fmt and "string" in column.types:
            return format_value(parse_value(value, fmt))  # 0.227 shown as 22.7% is 22.7%
        number = _plain_number(value)
        if column.is_list:
            return [str(number)]
        if "number" in column.types or "integer" in column.types:
            return number
        return str(number)  # an ID typed as 12 is the text "12"
    return str(value)


def _plain_number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# ----------------------------------------------------------------------------------------------
# writing


def write_plan_workbook(document: dict, path: Path) -> None:
    """Write ``document`` as a plan workbook the office can edit; atomic."""
    with atomic_write(Path(path), "計画体系") as handle:
        workbook = xlsxwriter.Workbook(handle, {"in_memory": True})  # no temporary files a killed run would leave
        styles = _styles(workbook)
        _write_guide(workbook, styles)
        for sheet in plan_layout.sheets():
            if sheet.is_settings:
                _write_settings(workbook, sheet, document.get(sheet.key) or {}, styles)
            else:
                _write_table(workbook, sheet, document.get(sheet.key) or [], styles)
        workbook.close()


def _styles(workbook: Workbook) -> dict[str, Format]:
    base = {"font_name": "游ゴシック", "font_size": 10, "valign": "top"}
    return {
        "header": workbook.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
        "cell": workbook.add_format({**base, "text_wrap": True}),
        "title": workbook.add_format({**base, "bold": True, "font_size": 14}),
        "note": workbook.add_format({**base, "text_wrap": True, "font_color": "#555555"}),
    }


def _print_setup(ws: XlsxWorksheet) -> None:
    """A4 landscape, fit to the page width, header row repeated on every page."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_footer("&C&P / &N")


def _write_guide(workbook: Workbook, styles: dict[str, Format]) -> None:
    ws = workbook.add_worksheet(GUIDE_SHEET)
    _print_setup(ws)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 90)
    ws.write_string(0, 0, "計画体系の使い方", styles["title"])
    lines = [
        ("このファイル", "総合計画・総合戦略の体系、指標（KPI）、取組、担当課、評価の設定をまとめたものです。"),
        ("確認", "編集したら「kpireport plan check」で確認してください。問題はシート名とセル番地つきで表示されます。"),
        ("ID", "各行のIDは重複しないように付けます。ほかのシートからはIDで参照します。"),
        ("複数の入力", "担当課や再掲先など複数あるときは「、」で区切ります。階層名は「／」で区切ります。"),
        ("年度", "「令和5年度」「R5」「H26」「2023」のどれでも入力できます。"),
        ("値", "基準値・目標値は計画書の表記のまま入力できます（例: 22,718百万円、△244人、50%以上、維持）。"),
    ]
    lines += [(s.title, s.description or "") for s in plan_layout.sheets()]
    for row, (label, text) in enumerate(lines, start=2):
        ws.write_string(row, 0, label, styles["header"])
        ws.write_string(row, 1, text, styles["cell"])


def _write_settings(workbook: Workbook, sheet: Sheet, settings: dict, styles: dict[str, Format]) -> None:
    ws = workbook.add_worksheet(sheet.title)
    _print_setup(ws)
    for col, text in enumerate(SETTINGS_HEADERS):
        ws.write_string(0, col, text, styles["header"])
    for row, column in enumerate(sheet.columns, start=1):
        ws.write_string(row, 0, column.title, styles["cell"])
        _write_value(ws, row, 1, settings.get(column.key), column, styles["cell"])
        ws.write_string(row, 2, column.description, styles["note"])
        if column.enum:
            _dropdown(ws, row, 1, row, column)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 50)
    ws.set_column(2, 2, 70)
    ws.freeze_panes(1, 0)


def _write_table(workbook: Workbook, sheet: Sheet, records: list[dict], styles: dict[str, Format]) -> None:
    ws = workbook.add_worksheet(sheet.title)
    _print_setup(ws)
    last_row = max(len(records), 1) + 200  # room for the office to add rows with the same checks
    for col, column in enumerate(sheet.columns):
        ws.write_string(0, col, column.title, styles["header"])
        widths = [display_width(column.title)]
        for row, record in enumerate(records, start=1):
            text = _write_value(ws, row, col, record.get(column.key), column, styles["cell"])
            widths.append(max((display_width(line) for line in text.splitlines()), default=0))
        ws.set_column(col, col, min(max(max(widths) + 2, 8), 60))
        if column.enum and not column.is_list:
            _dropdown(ws, 1, col, last_row, column)
        elif column.description:
            ws.data_validation(1, col, last_row, col, {
                "validate": "any", "input_title": column.title[:32], "input_message": column.description[:255]})
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(records), 1), len(sheet.columns) - 1)


def _dropdown(ws: XlsxWorksheet, first_row: int, col: int, last_row: int, column: Column) -> None:
    ws.data_validation(first_row, col, last_row, col, {
        "validate": "list", "source": list(column.enum),
        "input_title": column.title[:32], "input_message": (column.description or "一覧から選んでください")[:255],
        "error_title": "入力できない値です", "error_message": f"{'、'.join(column.enum)} から選んでください。"[:255],
    })


def _write_value(ws: XlsxWorksheet, row: int, col: int, value: Any, column: Column, fmt: Format) -> str:
    """Write with the typed method (text stays text, never a formula); return the text shown."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = ("／" if column.key == "levels" else "、").join(str(v) for v in value)
    if isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        ws.write_number(row, col, float(value) if isinstance(value, Decimal) else value, fmt)
        return str(value)
    text = str(value)
    ws.write_string(row, col, text, fmt)
    return text


def empty_document() -> dict:
    """A document with every sheet and nothing in it: the blank plan workbook."""
    return {s.key: ({} if s.is_settings else []) for s in plan_layout.sheets()}

