"""Import earlier years' actuals once from the office's old records (a workbook with 指標ID, 年度, 実績値)."""
from __future__ import annotations

from pathlib import Path

from kpireport.history.store import History
from kpireport.intake.reader import read_submission
from kpireport.messages import finding
from kpireport.model import Finding, Kpi, Plan, RawSheet, Value
from kpireport.values import format_value, format_year, in_unit, parse_value, parse_year

HEADERS = ("指標ID", "年度", "実績値")


# one imported actual: KPI, year, value in the KPI's unit, where it was read (シート!セル)
_Row = tuple[str, int, Value, str]


def import_actuals(plan: Plan, path: Path, history: History) -> tuple[int, list[Finding]]:
    """Import every readable row of a past year; each row not imported is a finding (unreadable, a year not
    yet past, a year whose accepted submission gives the value). Returns (rows imported, findings)."""
    submission = read_submission(path)
    if not submission.readable:
        return 0, list(submission.findings)
    findings: list[Finding] = []
    kpis = {k.id: k for k in plan.kpis}
    rows: list[_Row] = []
    for sheet in submission.sheets:
        columns = _columns(sheet)
        if sheet.state != "visible" or columns is None:
            continue
        for r in range(2, sheet.max_row + 1):
            read = _read_row(sheet, r, columns, kpis, submission.name)
            if isinstance(read, Finding):
                findings.append(read)
            elif read is not None:
                rows.append(read)
    if not rows and not findings:
        findings.append(finding("import-no-table", file=submission.name))
    rows = [row for row in rows if not _refused(plan, row, history, submission.name, findings)]
    with history.transaction():
        for kpi_id, year, value, where in rows:
            history.import_actual(kpi_id, year, value, submission.name, where)
    return len(rows), findings


def _refused(plan: Plan, row: _Row, history: History, file: str, findings: list[Finding]) -> bool:
    """A row that would import nothing the office can use, said as a finding: a year being reported or later
    (its actual comes with the departments' forms), or a past year whose accepted submission gives the value
    (a submission stands before an imported record)."""
    kpi_id, year, value, where = row
    sheet, cell = where.split("!", 1)
    kpi = plan.kpi(kpi_id)
    place = dict(file=file, sheet=sheet, cell=cell, value=value.raw, name=kpi.name, year=_year(year, kpi))
    actual = plan.settings.actual_year
    if actual is not None and year >= actual:
        findings.append(finding("import-year-not-past", actual=_year(actual, kpi),
                                when="集計する年度" if year == actual else "集計する年度より後", **place))
        return True
    submitted = [v for v in history.kpi_values(str(year)).get(kpi_id, []) if v.value.is_number]
    if submitted:
        findings.append(finding("import-year-submitted", submitted=format_value(submitted[-1].value),
                                source=submitted[-1].file_name, **place))
        return True
    return False


def _year(year: int, kpi: Kpi) -> str:
    """「令和6年度」, or 「令和6年」 for a KPI counted by calendar year."""
    return format_year(year, fiscal=not kpi.calendar)


def _columns(sheet: RawSheet) -> dict[str, int] | None:
    """The columns of the headers in the first row, or None when the sheet is not such a table."""
    columns = {str(sheet.value(1, c)).strip(): c for c in range(1, 30) if sheet.value(1, c) is not None}
    return columns if all(h in columns for h in HEADERS) else None


def _read_row(sheet: RawSheet, r: int, columns: dict[str, int], kpis: dict[str, Kpi], file: str) -> _Row | Finding | None:
    """One row as an actual to import, a finding saying why it cannot be, or None for an empty row."""
    kpi_id, year_raw, cell = (sheet.value(r, columns["指標ID"]), sheet.value(r, columns["年度"]),
                              sheet.cell(r, columns["実績値"]))
    if kpi_id is None and year_raw is None and cell is None:
        return None
    place = dict(file=file, sheet=sheet.name)
    kpi = kpis.get(str(kpi_id).strip() if kpi_id is not None else "")
    period = parse_year(year_raw) if year_raw is not None else None
    if kpi is None:
        return finding("import-unknown-kpi", cell=f"A{r}", value=kpi_id, **place)
    if period is None or period.end is not None:
        return finding("import-year-unreadable", cell=f"B{r}", value=year_raw, **place)
    if cell is None:
        return finding("import-value-unreadable", cell=f"C{r}", value="", name=kpi.name, **place)
    value = parse_value(cell.value, cell.number_format)
    if not value.is_number:
        return finding("import-value-unreadable", cell=cell.coordinate, value=cell.value, name=kpi.name, **place)
    converted = in_unit(value, kpi.unit)
    if converted is None:
        return finding("import-unit-mismatch", cell=cell.coordinate, value=cell.value,
                       name=kpi.name, unit=value.display_unit, expected=kpi.unit or "なし", **place)
    return kpi.id, period.start, converted, f"{sheet.name}!{cell.coordinate}"
