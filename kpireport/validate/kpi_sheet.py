"""The KPI実績 sheet: each KPI's value read in the KPI's unit, checked for what cannot be (negative counts,
rates over 100%) and against the last accepted value, with its 時点, reason and remarks."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from kpireport import labels
from kpireport.model import Kpi, KpiEntry, RawCell, Value
from kpireport.periods import as_of_date
from kpireport.validate.context import Cells, FormCheck, date_text, text
from kpireport.values import format_value, in_unit, parse_value

RATE_WORDS = ("率", "割合")


def check_kpi(check: FormCheck, sheet: str, kpi: Kpi, cells: Cells, places: dict[str, str]) -> None:
    word = "見込み値" if check.monthly else "実績値"
    actual_cell = cells["actual"]
    where = dict(sheet=sheet, cell=places["actual"])
    label = f"「{kpi.name}」"
    raw_value = check.cell_value(sheet, actual_cell)
    if raw_value is None and actual_cell is not None and actual_cell.formula:
        return  # reported as a formula without a saved result
    reason = check.free_text(sheet, cells["reason"], "未記入の理由")
    texts = {"reason": reason, "remarks": check.free_text(sheet, cells["remarks"], "備考"),
             "as_of": _as_of(check, sheet, cells["as_of"])}
    value = Value("none") if raw_value is None else parse_value(
        raw_value, actual_cell.number_format if actual_cell else None)
    if value.status == "none":
        if not reason:
            written = text(raw_value)  # 「－」 typed, or nothing
            check.add("kpi-value-missing", **where, value=written, name=label, word=word,
                      typed=f"「{written}」（値なし）" if written else "空欄")
        check.kpis.append(_entry(check, kpi, Value("none", raw=text(raw_value)), cells, texts, check.monthly, where))
        return
    if value.status != "number":
        check.add("kpi-value-unreadable", **where, value=_as_shown(raw_value, value), name=label)
        return
    converted = in_unit(value, kpi.unit, unit_scale=True)
    if converted is None or converted.number is None:
        check.add("kpi-unit-mismatch", **where, value=_as_shown(raw_value, value), name=label,
                  unit=value.display_unit, expected=kpi.unit or "なし")
        return
    if isinstance(raw_value, str):
        check.add("kpi-value-text", **where, value=raw_value, name=label, read=format_value(converted))
    if reason:  # both given: the value counts, the reason is kept beside it as a remark
        check.add("kpi-value-with-reason", sheet=sheet, cell=places["reason"], value=reason, name=label,
                  word=word, actual=text(raw_value))
    if _impossible(check, kpi, converted, converted.number, where, label, text(raw_value)):
        return
    _percent_typed_as_fraction(check, kpi, value, converted, where, label, text(raw_value))
    _against_previous(check, kpi, converted.number, where, label, text(raw_value))
    if converted.provisional and not check.monthly:
        check.add("kpi-provisional", **where, value=text(raw_value), name=label)
    _check_as_of(check, sheet, cells["as_of"], texts["as_of"])
    check.kpis.append(_entry(check, kpi, converted, cells, texts, check.monthly or converted.provisional, where))


def _as_shown(raw: object, value: Value) -> str:
    """A cell as the department sees it in the spreadsheet: 50% for 0.5 in a % cell, 2024-03-31 for a date cell."""
    if isinstance(raw, (dt.date, dt.datetime)):
        return date_text(raw)
    if not isinstance(raw, str) and value.is_number:
        return format_value(value)
    return text(raw)


def _entry(check: FormCheck, kpi: Kpi, value: Value, cells: Cells, texts: dict[str, str], provisional: bool,
           where: dict[str, str]) -> KpiEntry:
    check.fits_the_master(labels.remarks_text(texts["remarks"], texts["reason"]), "備考と未記入の理由",
                          where["sheet"], (cells["remarks"] or cells["reason"] or cells["actual"]))
    return KpiEntry(kpi_id=kpi.id, value=value, as_of=texts["as_of"], remarks=texts["remarks"],
                    reason=texts["reason"], provisional=provisional, sheet=where["sheet"], cell=where["cell"])


def _as_of(check: FormCheck, sheet: str, cell: RawCell | None) -> str:
    """The 時点 as text (a date cell as its date)."""
    value = check.cell_value(sheet, cell)
    return date_text(value) if isinstance(value, (dt.date, dt.datetime)) else text(value)


def _impossible(check: FormCheck, kpi: Kpi, value: Value, number: Decimal, where: dict[str, str], label: str,
                raw: str) -> bool:
    """A negative value for a KPI whose plan figures are not, or a rate over 100%: reported, not kept."""
    signed_kpi = any(v.is_number and v.number is not None and v.number < 0 for v in (kpi.baseline, kpi.target))
    if number < 0 and not signed_kpi:
        check.add("kpi-value-negative", **where, value=raw, name=label)
        return True
    if value.unit == "%" and any(w in kpi.name for w in RATE_WORDS) and number > 100:
        check.add("kpi-rate-over-100", **where, value=raw, name=label)
        return True
    return False


def _percent_typed_as_fraction(check: FormCheck, kpi: Kpi, typed: Value, converted: Value, where: dict[str, str],
                               label: str, raw: str) -> None:
    """「0.65」 typed for a KPI in % whose plan figures are whole percents (63%, 70%): most likely 65% meant, the
    way Excel shows 0.65 in a % cell. Read as written (0.65%), and the department asked to look again."""
    number = converted.number
    if typed.unit or converted.unit != "%" or number is None or not 0 < abs(number) < 1:
        return
    if any(v.is_number and v.number is not None and abs(v.number) >= 1 for v in (kpi.baseline, kpi.target)):
        meant = format_value(dataclasses.replace(converted, number=number * 100))
        check.add("kpi-percent-as-fraction", **where, value=raw, name=label, read=format_value(converted),
                  meant=meant)


def _against_previous(check: FormCheck, kpi: Kpi, number: Decimal, where: dict[str, str], label: str,
                      raw: str) -> None:
    """A 累計 that went down, or a value many times the last accepted one, is worth a second look."""
    before = check.previous_value(kpi.id)
    if before is None or not before.is_number or before.number is None:
        return
    shown = format_value(before)
    if kpi.aggregation == "累計" and number < before.number:
        check.add("kpi-cumulative-decrease", **where, value=raw, name=label, previous=shown)
        return
    ratio = check.plan.settings.jump_warning_ratio
    old, new = abs(before.number), abs(number)
    if old and new and (new / old > ratio or old / new > ratio):
        check.add("kpi-jump", **where, value=raw, name=label, previous=shown, ratio=ratio)


def _check_as_of(check: FormCheck, sheet: str, cell: RawCell | None, as_of: str) -> None:
    """A 時点 must name a date (as people write it); one that is a date cell later than the period's next
    year is what a spreadsheet made of 「3/31」 typed without a year: the PC's current year."""
    if cell is None or not as_of:
        return
    period = check.form_period or check.period
    if isinstance(cell.value, (dt.date, dt.datetime)):
        if period is not None and cell.value.year > period.fiscal_year + 1:
            check.add("kpi-asof-converted", sheet=sheet, cell=cell.coordinate, value=as_of)
        return
    if as_of_date(as_of, period) is None:
        check.add("kpi-asof-unreadable", sheet=sheet, cell=cell.coordinate, value=as_of)
