"""Check a submitted form against the plan: every problem in one pass, as located Findings.

Order: is it readable (intake) → is it a form of this plan (metadata) → is its structure intact
(sheets, headers, rows, locked cells) → are the inputs right (values, lists, consistency). The
clean values of the rows are returned with the findings; the caller accepts them only when there
is no error.
"""
from __future__ import annotations

import datetime as dt
import hmac
import re
from collections.abc import Mapping
from typing import Any

from openpyxl.utils import get_column_letter

from kpireport import labels
from kpireport.forms import layout as fl
from kpireport.messages import finding
from kpireport.model import (
    BESIDE,
    Finding,
    InitiativeEntry,
    Kpi,
    KpiEntry,
    NarrativeEntry,
    Plan,
    RawCell,
    RawSheet,
    Submission,
    ValidationResult,
    Value,
)
from kpireport.periods import ReportPeriod, as_of_date, parse_period
from kpireport.values import format_value, in_unit, parse_value

EXCEL_TEXT_LIMIT = labels.EXCEL_TEXT_LIMIT
UNREAD_SHEETS = frozenset({fl.GUIDE_SHEET, fl.FEEDBACK_SHEET})  # their cells are never looked at: intake may skip them
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
RATE_WORDS = ("率", "割合")


def validate_submission(plan: Plan, submission: Submission, period: ReportPeriod | None = None,
                        previous: Mapping[str, Value] | None = None, key: bytes | None = None) -> ValidationResult:
    """Validate one submission. ``period`` is the period being collected (None: accept the form's).

    ``previous`` maps KPI IDs to the last accepted values (for 累計 and jump checks). ``key`` is the
    workspace's secret the forms were signed with; without it (a library caller) the signature is not checked.
    """
    check = _Check(plan, submission, period, previous or {}, key)
    check.run()
    return ValidationResult(file=submission.name, sha256=submission.sha256, department=check.department,
                            period=check.form_period.key if check.form_period else "",
                            findings=tuple(check.findings), kpis=tuple(check.kpis),
                            initiatives=tuple(check.initiatives), narratives=tuple(check.narratives))


def read_meta(sheet: RawSheet) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The metadata sheet: key/value items, then the row identities (sheet name, ID) in form order."""
    items: dict[str, str] = {}
    rows: list[tuple[str, str]] = []
    in_rows = False
    for r in range(1, sheet.max_row + 1):
        key, value = sheet.value(r, 1), sheet.value(r, 2)
        if key is None:
            continue
        if key == "行":
            in_rows = True
        elif in_rows:
            rows.append((str(key), "" if value is None else str(value)))
        else:
            items[str(key)] = "" if value is None else str(value)
    return items, rows


def _text(value: Any) -> str:
    """A cell as text for comparisons: no surrounding space, Excel's CR LF as LF."""
    if value.__class__ is str and "\r" not in value:  # the usual cell: called for most cells of a form
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


class _Check:
    def __init__(self, plan: Plan, submission: Submission, period: ReportPeriod | None,
                 previous: Mapping[str, Value], key: bytes | None = None):
        self.plan = plan
        self.key = key
        self.sub = submission
        self.period = period
        self.previous = previous
        self.findings: list[Finding] = []
        self.kpis: list[KpiEntry] = []
        self.initiatives: list[InitiativeEntry] = []
        self.narratives: list[NarrativeEntry] = []
        self.department = ""
        self.form_period: ReportPeriod | None = None
        self.legacy = False  # a form made before shared rows were read-only and identities signed
        self.version = fl.FORM_VERSION  # the form's 様式版: which columns it was made with
        self.too_long: set[str] = set()  # cells already reported for their length

    def add(self, code: str, sheet: str = "", cell: str = "", value: Any = "", **fields) -> None:
        self.findings.append(finding(code, file=self.sub.name, sheet=sheet, cell=cell,
                                     value="" if value is None else value, **fields))

    # -- the file as a whole -------------------------------------------------------------------

    def run(self) -> None:
        if not self.sub.readable:
            self.findings.extend(self.sub.findings)
            return
        self.findings.extend(self.sub.findings)
        meta_rows = self.recognise()
        if meta_rows is None:
            return
        expected = fl.data_sheets(self.plan, self.department, self.form_period or self.period, self.version)
        self.check_sheets(expected)
        for sheet in expected:
            raw = self.sub.sheet(sheet.name)
            if raw is None:
                self.add("form-sheet-missing", sheet=sheet.name)
                continue
            if not self.headers_intact(raw, sheet):
                continue
            ids = [ident for name, ident in meta_rows if name == sheet.name]
            rows = self.match_rows(raw, sheet, ids)
            self.check_rows(raw, sheet, rows)

    def recognise(self) -> list[tuple[str, str]] | None:
        """Read the metadata; None when the file is not a usable form of this plan."""
        meta = self.sub.sheet(fl.META_SHEET)
        if meta is None:
            self.add("form-not-form")
            return None
        items, rows = read_meta(meta)
        if items.get("形式") != fl.FORM_KIND:
            self.add("form-not-form")
            return None
        version = items.get("様式版")
        if version not in (fl.FORM_VERSION, *fl.EARLIER_VERSIONS, *fl.LEGACY_VERSIONS):
            self.add("form-version-unknown", value=items.get("様式版", ""))
            return None
        self.legacy = version in fl.LEGACY_VERSIONS
        self.version = version
        if not self.signed(items, rows):
            return None
        if items.get("市区町村") != self.plan.settings.city:
            self.add("form-other-plan", value=items.get("市区町村", ""), city=self.plan.settings.city)
            return None
        department = items.get("担当課", "")
        if department not in {d.name for d in self.plan.departments}:
            self.add("form-unknown-department", value=department)
            return None
        self.department = department
        self.form_period = parse_period(items.get("報告期間"))
        if self.form_period is None:
            self.add("form-not-form")
            return None
        if self.period is not None and self.form_period != self.period:
            self.add("form-wrong-period", value=self.form_period.key, form_period=self.form_period.label,
                     expected_period=self.period.label)
        if items.get("計画ハッシュ") != self.plan.content_hash:
            self.add("form-stale-plan")
        return rows

    def signed(self, items: dict[str, str], rows: list[tuple[str, str]]) -> bool:
        """The identity was made by this workspace (the signature), or the form is older than signatures."""
        given = items.pop(fl.SIGNATURE_KEY, "")
        if self.legacy:
            self.add("form-unsigned", value=items.get("担当課", ""))
            return True
        if self.key is None:  # not asked to check
            return True
        if not given or not hmac.compare_digest(given, fl.signature(self.key, list(items.items()), rows)):
            self.add("form-signature-invalid", value=items.get("担当課", ""))
            return False
        return True

    def check_sheets(self, expected: list[fl.DataSheet]) -> None:
        known = {s.name for s in expected} | {fl.GUIDE_SHEET, fl.META_SHEET, fl.FEEDBACK_SHEET}
        for sheet in self.sub.sheets:
            if sheet.name == fl.META_SHEET:
                continue
            if sheet.state != "visible":
                self.add("form-hidden-sheet", sheet=sheet.name)
            elif sheet.name not in known:
                self.add("form-extra-sheet", sheet=sheet.name)

    def headers_intact(self, raw: RawSheet, sheet: fl.DataSheet) -> bool:
        for col, column in enumerate(sheet.columns, start=1):
            seen = _text(raw.value(fl.HEADER_ROW, col))
            if seen != column.header:
                self.add("form-header-changed", sheet=raw.name, cell=_coordinate(fl.HEADER_ROW, col), value=seen or "（空欄）",
                         expected=column.header)
                return False
        return True

    # -- rows ----------------------------------------------------------------------------------

    def match_rows(self, raw: RawSheet, sheet: fl.DataSheet, meta_ids: list[str]) -> dict[str, int]:
        """Map each row ID to its row number; report added, deleted, moved and stale rows."""
        width = len(sheet.columns)
        found: list[tuple[int, str]] = []
        known, seen = set(meta_ids), set()
        cells = raw.cells
        for r in range(fl.FIRST_ROW, raw.max_row + 1):
            if not any((cell := cells.get((r, c))) is not None and cell.value not in (None, "")
                       for c in range(1, width + 1)):
                continue
            ident = _text(raw.value(r, 1))
            if not ident or ident not in known or ident in seen:
                self.add("form-row-added", sheet=raw.name, cell=f"A{r}", value=ident or "（IDなし）")
                continue
            found.append((r, ident))
            seen.add(ident)
        names = self.row_names(sheet)
        present = {ident for _, ident in found}
        for ident in meta_ids:
            if ident not in present:
                self.add("form-row-deleted", sheet=raw.name, value=ident, name=names.get(ident, ident))
        plan_order = [row["id"] for row in sheet.rows]
        plan_ids = set(plan_order)
        for ident in plan_order:
            if ident not in known:
                self.add("form-plan-item-missing", sheet=raw.name, value=ident, name=names.get(ident, ident))
        rows = {}
        for r, ident in found:
            if ident in plan_ids:
                rows[ident] = r
            else:
                self.add("form-plan-item-removed", sheet=raw.name, cell=f"A{r}", value=ident)
        return rows

    def row_names(self, sheet: fl.DataSheet) -> dict[str, str]:
        key = {"KPI実績": "name", "取組状況": "content"}.get(sheet.name, "path")
        return {row["id"]: row.get(key, "") for row in sheet.rows}

    def check_rows(self, raw: RawSheet, sheet: fl.DataSheet, rows: dict[str, int]) -> None:
        expected = {row["id"]: row for row in sheet.rows}
        inputs = [(i, c.key) for i, c in enumerate(sheet.columns, start=1) if c.is_input]
        letters = [(c.key, get_column_letter(i)) for i, c in enumerate(sheet.columns, start=1)]
        locked = [(i, c) for i, c in enumerate(sheet.columns, start=1)
                  if not c.is_input and c.key not in ("id", "previous")]
        for ident, r in rows.items():
            self.check_locked(raw, locked, expected[ident], r)
            cells = {key: raw.cells.get((r, i)) for i, key in inputs}
            places = {key: f"{letter}{r}" for key, letter in letters}
            if ident in sheet.reported_elsewhere:
                self.check_reported_elsewhere(raw.name, sheet, ident, cells, places)
                continue
            for _, key in inputs:
                if cells[key] is not None:
                    self.check_text(raw.name, cells[key])
            if sheet.name == fl.KPI_SHEET:
                kpi = self.plan.kpi(ident)
                self.check_kpi(raw.name, kpi, cells, places)
            elif sheet.name == fl.INITIATIVE_SHEET:
                self.check_initiative(raw.name, ident, expected[ident], cells, places, r)
            else:
                self.check_narrative(raw.name, ident, sheet, cells, places, r)

    def check_reported_elsewhere(self, sheet_name: str, sheet: fl.DataSheet, ident: str,
                                 cells: dict[str, RawCell | None], places: dict[str, str]) -> None:
        """A row another department reports: nothing is recorded from it. Its input cells are locked in a
        current form; a form made before (legacy) had them open, and what was typed there is not kept."""
        first = next(c.key for c in sheet.columns if c.is_input)
        for key, cell in cells.items():
            seen = "" if cell is None else _text(cell.value)
            if seen and seen != (sheet.read_only_text(ident) if key == first else ""):
                code = "shared-not-recorded" if self.legacy else "shared-read-only-edited"
                self.add(code, sheet=sheet_name, cell=places[key], value=seen[:40],
                         name=self.row_names(sheet).get(ident, ident), lead=sheet.reported_elsewhere[ident])
                return

    def check_locked(self, raw: RawSheet, locked: list[tuple[int, fl.FormColumn]], expected: dict, r: int) -> None:
        """The row's locked cells (plan text, not to be edited; ``locked``: (column number, column))."""
        cells = raw.cells
        for col, column in locked:
            cell = cells.get((r, col))
            seen = "" if cell is None else _text(cell.value)
            want = expected.get(column.key, "")
            if seen != want:
                self.add("form-locked-edited", sheet=raw.name, cell=_coordinate(r, col),
                         value=seen.replace("\n", "") or "（空欄）", column=column.header,
                         expected=want.replace("\n", ""))

    def check_text(self, sheet: str, cell: RawCell) -> None:
        if not isinstance(cell.value, str):
            return
        if len(cell.value) >= EXCEL_TEXT_LIMIT:
            self.too_long.add(cell.coordinate)
        if len(cell.value) > EXCEL_TEXT_LIMIT:
            self.add("cell-text-too-long", sheet=sheet, cell=cell.coordinate, value=cell.value[:40] + "…",
                     length=f"{len(cell.value):,}")
        elif len(cell.value) == EXCEL_TEXT_LIMIT:  # a writer that cut the text stops exactly here
            self.add("cell-text-at-limit", sheet=sheet, cell=cell.coordinate, value=cell.value[:40] + "…")
        if CONTROL_CHARS.search(cell.value):
            self.add("cell-control-chars", sheet=sheet, cell=cell.coordinate,
                     value=CONTROL_CHARS.sub("?", cell.value[:40]))

    def cell_value(self, sheet: str, cell: RawCell | None) -> Any:
        """The value to use from a cell; formulas are reported (and their saved result used)."""
        if cell is None:
            return None
        if cell.formula:
            if cell.value is None:
                self.add("cell-formula-no-result", sheet=sheet, cell=cell.coordinate, value=cell.formula)
                return None
            self.add("cell-formula", sheet=sheet, cell=cell.coordinate, value=cell.formula, result=cell.value)
        return cell.value

    # -- KPI values ------------------------------------------------------------------------------

    def check_kpi(self, sheet: str, kpi: Kpi, cells: dict[str, RawCell | None], places: dict[str, str]) -> None:
        monthly = bool(self.form_period and self.form_period.is_monthly)
        word = "見込み値" if monthly else "実績値"
        actual_cell = cells["actual"]
        where = dict(sheet=sheet, cell=places["actual"])
        label = f"「{kpi.name}」"
        raw_value = self.cell_value(sheet, actual_cell)
        if raw_value is None and actual_cell is not None and actual_cell.formula:
            return  # reported as a formula without a saved result
        reason = self.free_text(sheet, cells["reason"], "未記入の理由")
        texts = {"reason": reason, "remarks": self.free_text(sheet, cells["remarks"], "備考"),
                 "as_of": self.as_of(sheet, cells["as_of"])}
        value = Value("none") if raw_value is None else parse_value(
            raw_value, actual_cell.number_format if actual_cell else None)
        if value.status == "none":
            if not reason:
                self.add("kpi-value-missing", **where, value=_text(raw_value), name=label, word=word)
            self.kpis.append(self.entry(kpi, Value("none", raw=_text(raw_value)), cells, texts, monthly, where))
            return
        if value.status != "number":
            self.add("kpi-value-unreadable", **where, value=_text(raw_value), name=label)
            return
        value = in_unit(value, kpi.unit, unit_scale=True)
        if value is None:
            shown = parse_value(raw_value)
            self.add("kpi-unit-mismatch", **where, value=_text(raw_value), name=label,
                     unit=shown.display_unit, expected=kpi.unit or "なし")
            return
        if isinstance(raw_value, str):
            self.add("kpi-value-text", **where, value=raw_value, name=label, read=format_value(value))
        if reason:  # both given: the value counts, the reason is kept beside it as a remark
            self.add("kpi-value-with-reason", sheet=sheet, cell=places["reason"], value=reason, name=label,
                     word=word, actual=_text(raw_value))
        if self.impossible(kpi, value, where, label, _text(raw_value)):
            return
        self.against_previous(kpi, value, where, label, _text(raw_value))
        if value.provisional and not monthly:
            self.add("kpi-provisional", **where, value=_text(raw_value), name=label)
        self.check_as_of(sheet, cells["as_of"], texts["as_of"])
        self.kpis.append(self.entry(kpi, value, cells, texts, monthly or value.provisional, where))

    def entry(self, kpi: Kpi, value: Value, cells, texts: dict[str, str], provisional: bool, where: dict) -> KpiEntry:
        self.fits_the_master(labels.remarks_text(texts["remarks"], texts["reason"]), "備考と未記入の理由",
                             where["sheet"], (cells["remarks"] or cells["reason"] or cells["actual"]))
        return KpiEntry(kpi_id=kpi.id, value=value, as_of=texts["as_of"], remarks=texts["remarks"],
                        reason=texts["reason"], provisional=provisional, sheet=where["sheet"], cell=where["cell"])

    def free_text(self, sheet: str, cell: RawCell | None, column: str) -> str:
        """A free-text input as text. A formula is reported (its result used); a date where text was typed is
        what Excel or Calc made of 「1-2」 or 「3/31」 in a cell not formatted as text: kept as the date, and told."""
        value = self.cell_value(sheet, cell)
        if isinstance(value, (dt.date, dt.datetime)):
            shown = _date_text(value)
            self.add("cell-date-in-text", sheet=sheet, cell=cell.coordinate, value=shown, column=column)
            return shown
        return _text(value)

    def as_of(self, sheet: str, cell: RawCell | None) -> str:
        """The 時点 as text (a date cell as its date)."""
        value = self.cell_value(sheet, cell)
        return _date_text(value) if isinstance(value, (dt.date, dt.datetime)) else _text(value)

    def fits_the_master(self, shown: str, what: str, sheet: str, cell: RawCell | None) -> None:
        """Department text as the master shows it (labels: the same texts the writer makes) must fit a cell."""
        if len(shown) > labels.EXCEL_TEXT_LIMIT and cell is not None and cell.coordinate not in self.too_long:
            self.add("text-too-long-for-master", sheet=sheet, cell=cell.coordinate, value=shown[:40] + "…",
                     what=what, length=f"{len(shown):,}", limit=f"{labels.EXCEL_TEXT_LIMIT:,}")

    def impossible(self, kpi: Kpi, value: Value, where: dict, label: str, raw: str) -> bool:
        signed_kpi = any(v.is_number and v.number < 0 for v in (kpi.baseline, kpi.target))
        if value.number < 0 and not signed_kpi:
            self.add("kpi-value-negative", **where, value=raw, name=label)
            return True
        if value.unit == "%" and any(w in kpi.name for w in RATE_WORDS) and value.number > 100:
            self.add("kpi-rate-over-100", **where, value=raw, name=label)
            return True
        return False

    def against_previous(self, kpi: Kpi, value: Value, where: dict, label: str, raw: str) -> None:
        before = self.previous.get(kpi.id)
        if before is None or not before.is_number:
            return
        shown = format_value(before)
        if kpi.aggregation == "累計" and value.number < before.number:
            self.add("kpi-cumulative-decrease", **where, value=raw, name=label, previous=shown)
            return
        ratio = self.plan.settings.jump_warning_ratio
        old, new = abs(before.number), abs(value.number)
        if old and new and (new / old > ratio or old / new > ratio):
            self.add("kpi-jump", **where, value=raw, name=label, previous=shown, ratio=ratio)

    def check_as_of(self, sheet: str, cell: RawCell | None, text: str) -> None:
        """A 時点 must name a date (as people write it); one that is a date cell later than the period's next
        year is what a spreadsheet made of 「3/31」 typed without a year: the PC's current year."""
        if cell is None or not text:
            return
        period = self.form_period or self.period
        if isinstance(cell.value, (dt.date, dt.datetime)):
            if period is not None and cell.value.year > period.fiscal_year + 1:
                self.add("kpi-asof-converted", sheet=sheet, cell=cell.coordinate, value=text)
            return
        if as_of_date(text, period) is None:
            self.add("kpi-asof-unreadable", sheet=sheet, cell=cell.coordinate, value=text)

    # -- initiatives and narratives --------------------------------------------------------------

    def check_initiative(self, sheet: str, ident: str, locked: dict, cells, place: dict[str, str], r: int) -> None:
        content = locked.get("content", ident)
        name = content if len(content) <= 30 else content[:30] + "…"
        statuses = self.plan.settings.status_labels
        typed = _text(self.cell_value(sheet, cells["status"]))
        status = fl.read_status(typed, statuses) or typed  # the city's label for ○, 〇, 継続推進, ○ 継続推進 …
        next_step = _text(self.cell_value(sheet, cells["next_step"]))
        verification = self.free_text(sheet, cells["verification"], "検証内容")
        texts = {key: self.free_text(sheet, cells.get(key), header) for key, header in
                 (("name", "事業名"), ("summary", "取組の概要（実績）"), ("plan", "今後の取組内容とその理由"))}
        # mid-year many initiatives have no status yet: a monthly form may leave both lists empty
        monthly = bool(self.form_period and self.form_period.is_monthly)
        ok = True
        for key, value, choices, code in (("status", status, statuses, "init-status"),
                                          ("next_step", next_step, fl.NEXT_STEPS, "init-next")):
            if not value and monthly:
                continue
            if not value:
                self.add(f"{code}-missing", sheet=sheet, cell=place[key], name=name, choices="、".join(choices))
                ok = False
            elif value not in choices:
                self.add(f"{code}-invalid", sheet=sheet, cell=place[key], value=value, choices="、".join(choices))
                ok = False
        if status == statuses[fl.NOT_DONE] and not verification:
            self.add("init-no-reason", sheet=sheet, cell=place["verification"], name=name, status=status)
        if next_step == "完了" and status in (statuses[fl.PARTLY], statuses[fl.NOT_DONE]):
            self.add("init-inconsistent", sheet=sheet, cell=place["next_step"], value=next_step, status=status)
        if next_step in ("廃止", "変更") and not verification:
            self.add("init-no-explanation", sheet=sheet, cell=place["verification"], value=next_step)
        if ok and status in (statuses[fl.DONE], statuses[fl.CONTINUING]):
            # a 事業名 deleted from the form still has the plan's to print
            asked = [key for key in fl.INITIATIVE_TEXTS if key in cells
                     and (key != "name" or not self.plan.initiative(ident).name)]
            self.measure_texts(sheet, name, status, {key: texts[key] for key in asked}, place)
        if ok and (status or next_step or verification or any(texts.values())):
            entry = InitiativeEntry(ident, status, next_step, verification, sheet, r, texts["summary"] or None,
                                    texts["plan"] or None, texts["name"] or None)
            initiative = self.plan.initiative(ident)  # a row of the form: in the plan (match_rows)
            if initiative.reporting == BESIDE and initiative.lead != self.department:
                self.fits_the_master(labels.beside_text(self.department, entry), "検証内容・取組の概要・今後の取組内容",
                                     sheet, cells["verification"] or cells["status"])
            self.initiatives.append(entry)

    def measure_texts(self, sheet: str, name: str, status: str, texts: dict[str, str], place: dict[str, str]) -> None:
        """An initiative done or continuing is what the measure sheets report: its 事業名, result and next step
        (a blank prints 「（記載なし）」 in the council's document)."""
        for key in fl.INITIATIVE_TEXTS:
            if key in texts and not texts[key]:
                column = next(c.header for c in fl.INITIATIVE_COLUMNS if c.key == key)
                self.add("init-text-missing", sheet=sheet, cell=place[key], name=name, status=status, column=column)

    def check_narrative(self, sheet: str, ident: str, layout: fl.DataSheet, cells, places: dict[str, str],
                        r: int) -> None:
        settings = self.plan.settings
        texts = {}
        for key in ("achievements", "next_steps"):
            column = next(c for c in layout.columns if c.key == key)
            cell = cells[key]
            lines = [ln.strip().lstrip("・-－•●○◦ ").strip() for ln in self.free_text(sheet, cell, column.header).split("\n")]
            lines = [ln for ln in lines if ln]
            where = dict(sheet=sheet, cell=places[key])
            if not lines:
                self.add("narrative-missing", **where, column=column.header)
            longest = max((len(ln) for ln in lines), default=0)
            if len(lines) > settings.narrative_max_lines or longest > settings.narrative_max_chars:
                self.add("narrative-too-long", **where, column=column.header,
                         detail=f"{len(lines)}行、最長{longest}字", max_lines=settings.narrative_max_lines,
                         max_chars=settings.narrative_max_chars)
            texts[key] = tuple(lines)
            self.fits_the_master(labels.bullets_text(lines), column.header, sheet, cell)
        self.narratives.append(NarrativeEntry(ident, texts["achievements"], texts["next_steps"], sheet, r))


def _coordinate(row: int, column: int) -> str:
    return f"{get_column_letter(column)}{row}"


def _date_text(value) -> str:
    """A date cell as a date: 2024-03-31 (not 2024-03-31 00:00:00)."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
