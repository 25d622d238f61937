"""Is the form's structure intact: its sheets, headers and rows as made, its locked (plan) cells unchanged,
and the rows another department reports left alone."""
from __future__ import annotations

from kpireport.forms import layout as fl
from kpireport.model import RawSheet
from kpireport.validate.context import Cells, FormCheck, coordinate, text


def check_sheets(check: FormCheck, expected: list[fl.DataSheet]) -> None:
    known = {s.name for s in expected} | {fl.GUIDE_SHEET, fl.META_SHEET, fl.FEEDBACK_SHEET}
    for sheet in check.sub.sheets:
        if sheet.name == fl.META_SHEET:
            continue
        if sheet.state != "visible":
            check.add("form-hidden-sheet", sheet=sheet.name)
        elif sheet.name not in known:
            check.add("form-extra-sheet", sheet=sheet.name)


SHEET_KINDS = {fl.KPI_SHEET: "指標", fl.INITIATIVE_SHEET: "取組", fl.NARRATIVE_SHEET: "主な取組と方向性の記述"}


def sheet_missing(check: FormCheck, sheet: fl.DataSheet, made_with: list[tuple[str, str]]) -> None:
    """A data sheet the form lacks. A form made before the plan last changed, whose identity lists no row of the
    sheet, was made without it (the department then had no rows of the kind): the office's change gave them,
    and only a new form can take them, as with a row the change added (form-plan-item-missing, a warning: the
    rows stay owed, listed by `status`). Otherwise the department renamed or deleted it."""
    if check.stale_plan and not any(name == sheet.name for name, _ in made_with):
        names = row_names(sheet)
        ids = [str(row["id"]) for row in sheet.rows]
        rows = [ident for ident in ids if ident not in sheet.reported_elsewhere] or ids  # what it reports, first
        shown = "、".join(f"{ident} {names.get(ident, '')}".strip() for ident in rows[:3])
        more = f" ほか{len(rows) - 3}件" if len(rows) > 3 else ""
        check.add("form-plan-sheet-added", sheet=sheet.name, kind=SHEET_KINDS.get(sheet.name, "行"),
                  rows=shown + more)
        return
    check.add("form-sheet-missing", sheet=sheet.name)


def headers_intact(check: FormCheck, raw: RawSheet, sheet: fl.DataSheet) -> bool:
    for col, column in enumerate(sheet.columns, start=1):
        seen = text(raw.value(fl.HEADER_ROW, col))
        if seen != column.header:
            check.add("form-header-changed", sheet=raw.name, cell=coordinate(fl.HEADER_ROW, col),
                      value=seen or "（空欄）", expected=column.header)
            return False
    return True


def match_rows(check: FormCheck, raw: RawSheet, sheet: fl.DataSheet, meta_ids: list[str]) -> dict[str, int]:
    """Map each row ID to its row number; report added, deleted, moved and stale rows."""
    known = set(meta_ids)
    found = _filled_rows(check, raw, len(sheet.columns), known)
    names = row_names(sheet)
    present = {ident for _, ident in found}
    for ident in meta_ids:
        if ident not in present:
            check.add("form-row-deleted", sheet=raw.name, value=ident, name=names.get(ident, ident))
    plan_order = [row["id"] for row in sheet.rows]
    plan_ids = set(plan_order)
    for ident in plan_order:
        if ident not in known:
            check.add("form-plan-item-missing", sheet=raw.name, value=ident, name=names.get(ident, ident))
    rows = {}
    moved: dict[str, str] | None = None
    for r, ident in found:
        if ident in plan_ids:
            rows[ident] = r
            continue
        moved = _rows_of_others(check, sheet.name) if moved is None else moved
        if ident in moved:  # the plan now puts the row on another department's form: its entry is not this form's
            check.add("form-plan-item-moved", sheet=raw.name, cell=f"A{r}", value=ident, department=moved[ident])
        else:
            check.add("form-plan-item-removed", sheet=raw.name, cell=f"A{r}", value=ident)
    return rows


def _rows_of_others(check: FormCheck, sheet_name: str) -> dict[str, str]:
    """Row ID -> the department whose form now has it on ``sheet_name``, for the other departments' forms."""
    if check.form_period is None:
        return {}
    owners: dict[str, str] = {}
    for department in fl.departments_with_forms(check.plan):
        if department == check.department:
            continue
        for other in fl.data_sheets(check.plan, department, check.form_period, check.version):
            if other.name == sheet_name:
                for ident in (str(row["id"]) for row in other.rows):
                    if ident not in other.reported_elsewhere:  # read-only there: another department reports it
                        owners.setdefault(ident, department)
    return owners


def _filled_rows(check: FormCheck, raw: RawSheet, width: int, known: set[str]) -> list[tuple[int, str]]:
    """(row number, ID) of each filled row the form was made with; a row added by hand is reported."""
    found: list[tuple[int, str]] = []
    seen: set[str] = set()
    cells = raw.cells
    for r in range(fl.FIRST_ROW, raw.max_row + 1):
        if not any((cell := cells.get((r, c))) is not None and cell.value not in (None, "")
                   for c in range(1, width + 1)):
            continue
        ident = text(raw.value(r, 1))
        if not ident or ident not in known or ident in seen:
            check.add("form-row-added", sheet=raw.name, cell=f"A{r}", value=ident or "（IDなし）")
            continue
        found.append((r, ident))
        seen.add(ident)
    return found


def row_names(sheet: fl.DataSheet) -> dict[str, str]:
    """Each row's name as a person knows it (the KPI's name, the initiative's content, the node's path)."""
    key = {"KPI実績": "name", "取組状況": "content"}.get(sheet.name, "path")
    return {row["id"]: row.get(key, "") for row in sheet.rows}


def check_locked(check: FormCheck, raw: RawSheet, locked: list[tuple[int, fl.FormColumn]], expected: dict,
                 r: int) -> None:
    """The row's locked cells (plan text, not to be edited; ``locked``: (column number, column))."""
    cells = raw.cells
    for col, column in locked:
        cell = cells.get((r, col))
        seen = "" if cell is None else text(cell.value)
        want = expected.get(column.key, "")
        if seen != want:  # after a plan change, the plan's text is what moved (said so, not 元に戻して)
            check.add("form-locked-plan-changed" if check.stale_plan else "form-locked-edited", sheet=raw.name, cell=coordinate(r, col),
                      value=seen.replace("\n", "") or "（空欄）", column=column.header,
                      expected=want.replace("\n", ""))


def check_reported_elsewhere(check: FormCheck, sheet_name: str, sheet: fl.DataSheet, ident: str, cells: Cells,
                             places: dict[str, str]) -> None:
    """A row another department reports: nothing is recorded from it. Its input cells are locked in a
    current form; a form made before (legacy) had them open, and what was typed there is not kept.

    A form made before the plan last changed was made with the plan of then: a row read-only then shows the
    placeholder it was made with, which may name the lead under its former name (機構改革) or the lead of then;
    it is a placeholder, never an entry. A row that shows no placeholder was open when the form was made (the
    office has since changed its 担当課 or 報告方法): what was typed there is not this department's to report
    now, and the office's change is what is said, not a mistake of the department."""
    first = next(c.key for c in sheet.columns if c.is_input)
    seen = {key: "" if cell is None else text(cell.value) for key, cell in cells.items()}
    placeholder = sheet.read_only_text(ident)
    lead = sheet.reported_elsewhere[ident]
    if check.stale_plan and not check.legacy:
        if sheet.reporter_named(seen[first]):
            placeholder = seen[first]
        elif typed := next((key for key, value in seen.items() if value), None):
            check.add("shared-reporting-changed", sheet=sheet_name, cell=places[typed], value=seen[typed][:40],
                      name=row_names(sheet).get(ident, ident), lead=lead)
            return
    for key, value in seen.items():
        if value and value != (placeholder if key == first else ""):
            code = "shared-not-recorded" if check.legacy else "shared-read-only-edited"
            check.add(code, sheet=sheet_name, cell=places[key], value=value[:40],
                      name=row_names(sheet).get(ident, ident), lead=lead)
            return


def check_made_read_only(check: FormCheck, sheet_name: str, sheet: fl.DataSheet, ident: str, cells: Cells,
                         places: dict[str, str]) -> bool:
    """A row the department enters now that its form, made before the plan last changed, has read-only (the
    placeholder naming who reported it then): the office has since made the row this department's to fill, so
    its value is missing and only a new form can give it (the placeholder is never read as a value). Said as
    the office's change; True when so."""
    if not check.stale_plan or sheet.name not in (fl.KPI_SHEET, fl.INITIATIVE_SHEET):
        return False
    first = next(c.key for c in sheet.columns if c.is_input)
    cell = cells.get(first)
    written = "" if cell is None else text(cell.value)
    if not sheet.reporter_named(written):
        return False
    item = check.plan.kpi(ident) if sheet.name == fl.KPI_SHEET else check.plan.initiative(ident)
    check.add("shared-now-reported-here", sheet=sheet_name, cell=places[first], value=written,
              name=row_names(sheet).get(ident, ident), reporting=item.reporting)
    return True
