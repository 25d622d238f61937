"""Helpers for tests that generate, fill and tamper with department forms."""
from __future__ import annotations

from pathlib import Path

import openpyxl

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


def as_made_before_short_names(workbook) -> None:
    """The data sheets as forms before 様式版 3 had them: no 事業名 column, and only an item's own place in its
    体系/施策 cell (no 【再掲】 places)."""
    if fl.INITIATIVE_SHEET in workbook.sheetnames:
        workbook[fl.INITIATIVE_SHEET].delete_cols(column(fl.INITIATIVE_SHEET, "name", ReportPeriod(2023)))
    for sheet in (fl.KPI_SHEET, fl.INITIATIVE_SHEET):
        if sheet in workbook.sheetnames:
            for (cell,) in workbook[sheet].iter_rows(min_row=fl.FIRST_ROW, min_col=2, max_col=2):
                if isinstance(cell.value, str):
                    cell.value = cell.value.split("\n【再掲】")[0]
