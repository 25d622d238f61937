"""Helpers for tests that generate, fill and tamper with department forms."""
from __future__ import annotations

from pathlib import Path

import openpyxl

from kpireport import labels
from kpireport.demo.fill import fill_form
from kpireport.forms import layout as fl
from kpireport.forms.writer import write_form
from kpireport.model import Plan
from kpireport.periods import ReportPeriod

TEST_KEY = b"kpireport-test"  # signs forms that no workspace checks (a workspace has its own: form_key_in)


def filled_form(plan: Plan, department: str, period: ReportPeriod, folder: Path, name: str = "",
                key: bytes = TEST_KEY) -> Path:
    path = Path(folder) / (name or fl.form_file_name(period, department))
    write_form(plan, department, period, path, key)
    return fill_form(path, plan, department, period)


def column(sheet_name: str, key: str, period: ReportPeriod) -> int:
    columns = {fl.KPI_SHEET: fl.kpi_columns(period), fl.INITIATIVE_SHEET: fl.INITIATIVE_COLUMNS,
               fl.NARRATIVE_SHEET: fl.narrative_columns(period)}[sheet_name]
    return next(i for i, c in enumerate(columns, start=1) if c.key == key)


def row_of(ws, ident: str) -> int:
    return next(c.row for c in ws["A"] if c.value == ident)


def edit(path: Path, change) -> Path:
    workbook = openpyxl.load_workbook(path)
    change(workbook)
    workbook.save(path)
    return path


def as_made_before_repost_rows(workbook) -> None:
    """The 取組状況 sheet and the row list as forms before 様式版 4 had them: no 【再掲】 rows (their places named
    in the initiative's 施策 cell instead)."""
    if fl.INITIATIVE_SHEET in workbook.sheetnames:
        sheet = workbook[fl.INITIATIVE_SHEET]
        item = None
        for r in range(fl.FIRST_ROW, sheet.max_row + 1):
            if labels.REPOST in str(sheet.cell(r, 1).value):
                item.value += "\n" + sheet.cell(r, 2).value  # the place, 【再掲】 first, as 様式版 3 listed it
            else:
                item = sheet.cell(r, 2)
        for r in range(sheet.max_row, fl.FIRST_ROW - 1, -1):
            if labels.REPOST in str(sheet.cell(r, 1).value):
                sheet.delete_rows(r)
    meta = workbook[fl.META_SHEET]
    for r in range(meta.max_row, 0, -1):
        if labels.REPOST in str(meta.cell(r, 2).value):
            meta.delete_rows(r)


def set_version(workbook, version: str, key: bytes | None = TEST_KEY) -> None:
    """The identity sheet's 様式版 set to ``version`` and signed again with ``key`` (as the workspace that issued
    the form would have signed it)."""
    meta = workbook[fl.META_SHEET]
    values = [(row[0].value, row[1].value) for row in meta.iter_rows(max_col=2)]
    start = next(n for n, (name, _) in enumerate(values) if name == "行")
    items = [(str(k), "" if v is None else str(v)) for k, v in values[:start] if k not in (None, fl.SIGNATURE_KEY)]
    items = [(k, version if k == "様式版" else v) for k, v in items]
    rows = [(str(k), str(v)) for k, v in values[start + 1:] if k is not None]
    for row in meta.iter_rows(max_col=2):
        if row[0].value == "様式版":
            row[1].value = version
        elif row[0].value == fl.SIGNATURE_KEY and key is not None:
            row[1].value = fl.signature(key, items, rows)


def as_made_before_short_names(workbook) -> None:
    """The data sheets as forms before 様式版 3 had them: no 事業名 column, and only an item's own place in its
    体系/施策 cell (no 【再掲】 places, no 【再掲】 rows)."""
    as_made_before_repost_rows(workbook)
    if fl.INITIATIVE_SHEET in workbook.sheetnames:
        workbook[fl.INITIATIVE_SHEET].delete_cols(column(fl.INITIATIVE_SHEET, "name", ReportPeriod(2023)))
    for sheet in (fl.KPI_SHEET, fl.INITIATIVE_SHEET):
        if sheet in workbook.sheetnames:
            for (cell,) in workbook[sheet].iter_rows(min_row=fl.FIRST_ROW, min_col=2, max_col=2):
                if isinstance(cell.value, str):
                    cell.value = cell.value.split("\n【再掲】")[0]
