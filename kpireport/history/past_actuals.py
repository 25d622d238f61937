"""Import earlier years' actuals once from the office's old records (a workbook with 指標ID, 年度, 実績値)."""
from __future__ import annotations

from pathlib import Path

from kpireport.history.store import History
from kpireport.intake.reader import read_submission
from kpireport.messages import finding
from kpireport.model import Finding, Plan, Value
from kpireport.values import in_unit, parse_value, parse_year

HEADERS = ("指標ID", "年度", "実績値")


def import_actuals(plan: Plan, path: Path, history: History) -> tuple[int, list[Finding]]:
    """Import every readable row; each unreadable row is a finding. Returns (rows imported, findings)."""
    submission = read_submission(path)
    if not submission.readable:
        return 0, list(submission.findings)
    findings: list[Finding] = []
    kpis = {k.id: k for k in plan.kpis}
    rows = []
    for sheet in submission.sheets:
        if sheet.state != "visible":
            continue
        columns = {str(sheet.value(1, c)).strip(): c for c in range(1, 30) if sheet.value(1, c) is not None}
        if not all(h in columns for h in HEADERS):
            continue
        for r in range(2, sheet.max_row + 1):
            kpi_id, year_raw, cell = (sheet.value(r, columns["指標ID"]), sheet.value(r, columns["年度"]),
                                      sheet.cell(r, columns["実績値"]))
            if kpi_id is None and year_raw is None and cell is None:
                continue
            place = dict(file=submission.name, sheet=sheet.name)
            kpi = kpis.get(str(kpi_id).strip() if kpi_id is not None else "")
            period = parse_year(year_raw) if year_raw is not None else None
            if kpi is None:
                findings.append(finding("import-unknown-kpi", cell=f"A{r}", value=kpi_id, **place))
                continue
            if period is None or period.end is not None:
                findings.append(finding("import-year-unreadable", cell=f"B{r}", value=year_raw, **place))
                continue
            value = parse_value(cell.value, cell.number_format) if cell else Value("none")
            if not value.is_number:
                findings.append(finding("import-value-unreadable", cell=cell.coordinate if cell else f"C{r}",
                                        value=cell.value if cell else "", name=kpi.name, **place))
                continue
            converted = in_unit(value, kpi.unit)
            if converted is None:
                findings.append(finding("import-unit-mismatch", cell=cell.coordinate, value=cell.value,
                                        name=kpi.name, unit=value.display_unit, expected=kpi.unit or "なし", **place))
                continue
            rows.append((kpi.id, period.start, converted, f"{sheet.name}!{cell.coordinate}"))
    if not rows and not findings:
        findings.append(finding("import-no-table", file=submission.name))
    with history.transaction():
        for kpi_id, year, value, where in rows:
            history.import_actual(kpi_id, year, value, submission.name, where)
    return len(rows), findings
