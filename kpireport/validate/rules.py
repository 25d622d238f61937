"""Check a submitted form against the plan: every problem in one pass, as located Findings.

Order: is it readable (intake) → is it a form of this plan (validate.identity) → is its structure intact
(validate.structure: sheets, headers, rows, locked cells) → are the inputs right (one module per sheet:
validate.kpi_sheet, validate.initiative_sheet, validate.narrative_sheet). The clean values of the rows
are returned with the findings; the caller accepts them only when there is no error.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from openpyxl.utils import get_column_letter

from kpireport.forms import layout as fl
from kpireport.model import Plan, PreviousActuals, RawSheet, Submission, ValidationResult, Value
from kpireport.periods import ReportPeriod
from kpireport.validate.context import FormCheck, text
from kpireport.validate.identity import FormIdentity, department_named, read_meta, recognise
from kpireport.validate.initiative_sheet import check_initiative, check_repost
from kpireport.validate.issued import IssuedForms
from kpireport.validate.kpi_sheet import check_kpi
from kpireport.validate.narrative_sheet import check_narrative
from kpireport.validate.previous_shown import check_previous_shown
from kpireport.validate.structure import (
    check_locked,
    check_made_read_only,
    check_reported_elsewhere,
    check_sheets,
    headers_intact,
    match_rows,
    sheet_missing,
)

__all__ = ["UNREAD_SHEETS", "read_meta", "validate_submission"]  # read_meta: the feedback copy reads it too

UNREAD_SHEETS = frozenset({fl.GUIDE_SHEET, fl.FEEDBACK_SHEET})  # their cells are never looked at: intake may skip them


def validate_submission(plan: Plan, submission: Submission, period: ReportPeriod | None = None,
                        previous: Mapping[str, Value] | PreviousActuals | None = None, key: bytes | None = None,
                        issued: IssuedForms | None = None) -> ValidationResult:
    """Validate one submission. ``period`` is the period being collected (None: accept the form's).

    ``previous`` maps KPI IDs to the last accepted values (for 累計 and jump checks); a PreviousActuals also
    gives each department its own part of a 合算 KPI. ``key`` is the workspace's secret the forms were signed
    with; without it (a library caller) the signature is not checked.
    ``issued`` is the workspace's register of the forms it issued; without it, any form the key signed (and an
    unsigned version-1 form, with a warning) is taken.
    """
    check = FormCheck(plan, submission, period, previous or {}, key, issued)
    _run(check)
    # a file that is no usable form may still name its department (its identity sheet, its file name)
    department = check.department or department_named(plan, submission.name)
    return ValidationResult(file=submission.name, sha256=submission.sha256, department=department,
                            period=check.form_period.key if check.form_period else "",
                            findings=tuple(check.findings), kpis=tuple(check.kpis),
                            initiatives=tuple(check.initiatives), narratives=tuple(check.narratives))


def _run(check: FormCheck) -> None:
    check.findings.extend(check.sub.findings)
    if not check.sub.readable:
        return
    identity = recognise(check)
    if identity is None:
        return
    expected = expected_sheets(check.plan, identity, check.version)
    check_sheets(check, expected)
    for sheet in expected:
        raw = check.sub.sheet(sheet.name)
        if raw is None:
            sheet_missing(check, sheet, identity.rows)
            continue
        if not headers_intact(check, raw, sheet):
            continue
        ids = [ident for name, ident in identity.rows if name == sheet.name]
        rows = match_rows(check, raw, sheet, ids)
        if check.plan.successors(identity.department) != (identity.department,):
            sheet = read_only_as_made(sheet, raw, rows)
        _check_rows(check, raw, sheet, rows)
        check_previous_shown(check, raw, sheet, rows)


def expected_sheets(plan: Plan, identity: FormIdentity, version: str) -> list[fl.DataSheet]:
    """The data sheets the form should have. A form made under a department's former name (before a
    reorganisation) has the rows its successors now report that it was made with (its signed row list)."""
    successors = plan.successors(identity.department)
    if successors == (identity.department,):
        return fl.data_sheets(plan, identity.department, identity.period, version)
    made_with = set(identity.rows)
    sheets: dict[str, fl.DataSheet] = {}
    for successor in successors:
        for sheet in fl.data_sheets(plan, successor, identity.period, version):
            rows = [row for row in sheet.rows if (sheet.name, row["id"]) in made_with]
            if sheet.name in sheets:
                held = sheets[sheet.name]
                seen = {row["id"] for row in held.rows}
                rows = list(held.rows) + [row for row in rows if row["id"] not in seen]
                sheet = dataclasses.replace(sheet, reported_elsewhere={**held.reported_elsewhere,
                                                                       **sheet.reported_elsewhere},
                                            reposts={**held.reposts, **sheet.reposts})
            sheets[sheet.name] = dataclasses.replace(sheet, rows=tuple(rows))
    return [sheet for sheet in sheets.values() if sheet.rows]


def read_only_as_made(sheet: fl.DataSheet, raw: RawSheet, rows: dict[str, int]) -> fl.DataSheet:
    """A form made before a reorganisation: the rows it was made read-only (another department reported them
    then) stay read-only, though the merged department now reports them itself."""
    first = next(i for i, c in enumerate(sheet.columns, start=1) if c.is_input)
    made = {ident: named for ident, r in rows.items()
            if (named := sheet.reporter_named(text(raw.value(r, first)))) and ident not in sheet.reported_elsewhere}
    return dataclasses.replace(sheet, reported_elsewhere={**sheet.reported_elsewhere, **made}) if made else sheet


def _check_rows(check: FormCheck, raw: RawSheet, sheet: fl.DataSheet, rows: dict[str, int]) -> None:
    """Each row: its locked cells, then its inputs by the sheet's own rules."""
    expected = {row["id"]: row for row in sheet.rows}
    inputs = [(i, c.key) for i, c in enumerate(sheet.columns, start=1) if c.is_input]
    letters = [(c.key, get_column_letter(i)) for i, c in enumerate(sheet.columns, start=1)]
    locked = [(i, c) for i, c in enumerate(sheet.columns, start=1)
              if not c.is_input and c.key not in ("id", "previous")]
    # 【再掲】 rows first (wherever the department moved them): their 検証内容 go with the initiative's entry;
    # their findings are then listed in the sheet's row order, as the department reads the sheet
    start, rows_of = len(check.findings), []
    for ident, r in sorted(rows.items(), key=lambda row: row[0] not in sheet.reposts):
        before = len(check.findings)
        _check_row(check, raw, sheet, ident, r, expected[ident], inputs, letters, locked)
        rows_of += [_row_of(finding.cell, r) for finding in check.findings[before:]]
    check.findings[start:] = [f for _, f in sorted(zip(rows_of, check.findings[start:]), key=lambda pair: pair[0])]


def _row_of(cell: str, checked: int) -> int:
    """The row a finding names (its cell's), else the row being checked when it was found."""
    digits = cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return int(digits) if digits.isdigit() else checked


def _check_row(check: FormCheck, raw: RawSheet, sheet: fl.DataSheet, ident: str, r: int, expected: dict,
               inputs: list[tuple[int, str]], letters: list[tuple[str, str]],
               locked: list[tuple[int, fl.FormColumn]]) -> None:
    """One row: its locked cells, then its inputs by the sheet's own rules."""
    check_locked(check, raw, locked, expected, r)
    cells = {key: raw.cells.get((r, i)) for i, key in inputs}
    places = {key: f"{letter}{r}" for key, letter in letters}
    if ident in sheet.reported_elsewhere:
        check_reported_elsewhere(check, raw.name, sheet, ident, cells, places)
        return
    if ident in sheet.reposts:
        check_repost(check, raw.name, sheet, expected, cells, places)
        return
    if check_made_read_only(check, raw.name, sheet, ident, cells, places):
        return
    for cell in cells.values():
        if cell is not None:
            check.check_text(raw.name, cell)
    if sheet.name == fl.KPI_SHEET:
        check_kpi(check, raw.name, check.plan.kpi(ident), cells, places)
    elif sheet.name == fl.INITIATIVE_SHEET:
        check_initiative(check, raw.name, ident, expected, cells, places, r)
    else:
        check_narrative(check, raw.name, ident, sheet, cells, places, r)
