"""The KPI実績 sheet: each KPI's value read in the KPI's unit, checked for what cannot be (negative counts,
rates over 100%), for what contradicts the plan (a 累計 on a single-year KPI, a bound for a value), for the year the
figure is of (before the plan's base year, later than the report's, a 時点 that says another year), and against the
last accepted value or the baseline, with its 時点, reason and remarks."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from decimal import Decimal

from kpireport import labels, messages
from kpireport.forms import layout as fl
from kpireport.model import PARTS, Kpi, KpiEntry, Period, RawCell, Value
from kpireport.periods import ReportPeriod, as_of_date, as_of_fiscal_year, data_year_of, years_meant
from kpireport.validate.context import Cells, FormCheck, date_text, text
from kpireport.values import fiscal_year_of, format_period, format_value, format_year, in_unit, parse_value

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
        if not _reason_or_bound_typed(check, kpi, text(raw_value), where, places, label, word):
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
    if _contradicts_plan(check, kpi, converted, where, places, label, word, text(raw_value)):
        return
    if not _percent_typed_as_fraction(check, kpi, value, converted, where, label, text(raw_value)):
        # quoted as the spreadsheet shows it (a float typed 0.000000001 is 「1e-09」 as text)
        _against_previous(check, kpi, converted.number, where, label, _as_shown(raw_value, value))  # else: the same slip, told
    if converted.provisional and not check.monthly:
        check.add("kpi-provisional", **where, value=text(raw_value), name=label,
                  word=converted.provisional_word or "見込み")
    as_of_told = _check_as_of(check, sheet, cells["as_of"], texts["as_of"])
    if _check_years(check, kpi, converted, text(raw_value), "" if as_of_told else texts["as_of"], where,
                    places, label):
        return
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
    if number < 0 and not _signed(kpi):
        check.add("kpi-value-negative", **where, value=raw, name=label)
        return True
    if value.unit == "%" and any(w in kpi.name for w in RATE_WORDS) and number > 100:
        check.add("kpi-rate-over-100", **where, value=raw, name=label)
        return True
    return False


def _percent_typed_as_fraction(check: FormCheck, kpi: Kpi, typed: Value, converted: Value, where: dict[str, str],
                               label: str, raw: str) -> bool:
    """「0.65」 typed for a KPI in % whose plan figures are whole percents (63%, 70%): most likely 65% meant, the
    way Excel shows 0.65 in a % cell. Read as written (0.65%), and the department asked to look again (True)."""
    number = converted.number
    if typed.unit or converted.unit != "%" or number is None or not 0 < abs(number) < 1:
        return False
    if any(v.is_number and v.number is not None and abs(v.number) >= 1 for v in (kpi.baseline, kpi.target)):
        meant = format_value(dataclasses.replace(converted, number=number * 100))
        check.add("kpi-percent-as-fraction", **where, value=raw, name=label, read=format_value(converted),
                  meant=meant)
        return True
    return False


def _against_previous(check: FormCheck, kpi: Kpi, number: Decimal, where: dict[str, str], label: str,
                      raw: str) -> None:
    """A 累計 that went down, or a value many times the last accepted one, is worth a second look. Without an
    accepted value (the plan's first year) the baseline in the same row is the figure to compare with: 「2.4億円」
    against 5,769円 is a slip of scale, not a target reached thousands of times over."""
    before = check.previous_value(kpi.id)
    if before is None or not before.is_number or before.number is None:
        _against_plan(check, kpi, number, where, label, raw)
        return
    shown = format_value(before)
    if kpi.aggregation == "累計" and number < before.number:
        check.add("kpi-cumulative-decrease", **where, value=raw, name=label, previous=shown)
        return
    if _jumped(check, before.number, number) and not _signed(kpi) and _one_sign(before.number, number):
        check.add("kpi-jump", **where, value=raw, name=label, previous=shown,
                  ratio=check.plan.settings.jump_warning_ratio)


def _against_plan(check: FormCheck, kpi: Kpi, number: Decimal, where: dict[str, str], label: str, raw: str) -> None:
    """The first value compared with the plan's own figures: beyond the 急変警告の倍率 from the baseline and from the
    target alike (a figure between them, or near either, is on the plan's scale: 5件 for 1件 → 5件 is no slip)."""
    if kpi.shared and kpi.reporting == PARTS:
        return  # a department's part is not on the scale of the plan's figures, which are the whole's
    baseline, target = kpi.baseline, kpi.target
    if not baseline.is_number or baseline.number is None or not _jumped(check, baseline.number, number):
        return
    if _signed(kpi) or not _one_sign(baseline.number, target.number if target.is_number else None, number):
        return  # a difference that may cross zero (社会増減数 △244 → △160, 12 this year): its ratio says nothing of scale
    shown = labels.kpi_baseline(kpi)
    if target.is_number and target.number is not None:
        if not _jumped(check, target.number, number):
            return
        against = messages.JUMP_AGAINST_BOTH.format(baseline=shown, target=labels.kpi_target(kpi))
    else:
        against = messages.JUMP_AGAINST_BASELINE.format(baseline=shown)
    check.add("kpi-jump-baseline", **where, value=raw, name=label, against=against,
              ratio=check.plan.settings.jump_warning_ratio)


def _signed(kpi: Kpi) -> bool:
    """Whether the KPI's values may be negative: the plan's own baseline or target is (社会増減数 △244人; the plan
    has no other mark for it)."""
    return any(v.is_number and v.number is not None and v.number < 0 for v in (kpi.baseline, kpi.target))


def _one_sign(*numbers: Decimal | None) -> bool:
    """Whether the figures given are all positive or all negative (a zero is neither: no scale to compare with)."""
    given = [n for n in numbers if n is not None]
    return all(n > 0 for n in given) or all(n < 0 for n in given)


def _jumped(check: FormCheck, before: Decimal, number: Decimal) -> bool:
    """The plan's 急変警告の倍率: the new figure more than that many times the earlier one, or less than its share."""
    ratio = check.plan.settings.jump_warning_ratio
    old, new = abs(before), abs(number)
    return bool(old and new and (new / old > ratio or old / new > ratio))


def _reason_or_bound_typed(check: FormCheck, kpi: Kpi, typed: str, where: dict[str, str], places: dict[str, str],
                           label: str, word: str) -> bool:
    """A 未記入の理由 typed where the value goes (「集計中」), or a bound the parser does not read (「8人未満」): told what
    to do instead of 「数値だけを入力してください」, which would invite a made-up figure."""
    key = _plain(typed)
    reason = next((r for r in fl.reasons(check.plan) if _plain(r) == key), None)
    if reason is not None:
        check.add("kpi-value-is-reason", **where, value=typed, name=label, word=word, value_cell=where["cell"],
                  reason_cell=places["reason"])
        return True
    if _BOUND_TEXT.search(key):
        _bound(check, where, places, typed, label, word)
        return True
    return False


def _bound(check: FormCheck, where: dict[str, str], places: dict[str, str], typed: str, label: str, word: str) -> None:
    """An actual written as a bound: blank it, say why in 未記入の理由, and write the bound in 備考."""
    check.add("kpi-value-bound", **where, value=typed, name=label, word=word, value_cell=where["cell"],
              reason_cell=places["reason"], remarks_cell=places["remarks"])


_BOUND_TEXT = re.compile(r"[0-9].*(?:以上|以下|未満|超)$")


def _plain(typed: str) -> str:
    return "".join(unicodedata.normalize("NFKC", typed).split())


def _contradicts_plan(check: FormCheck, kpi: Kpi, value: Value, where: dict[str, str], places: dict[str, str],
                      label: str, word: str, raw: str) -> bool:
    """An actual written as a bound (「8人以下」 is not 8), or with a 累計 / 年平均 that is not what the plan counts
    (集計方法: 「138人(累計)」 for a single-year KPI is another quantity): refused, never graded as if it were."""
    if value.bound:
        _bound(check, where, places, raw, label, word)
        return True
    written = ("年平均" if value.annual_average and kpi.aggregation != "年平均"
               else "累計" if value.cumulative and kpi.aggregation != "累計" else "")
    if not written:
        return False
    period = check.form_period or check.period
    fiscal = format_year(period.fiscal_year) if period is not None else "この年度"
    counted, enter = messages.AGGREGATION_MEANS[kpi.aggregation]
    check.add("kpi-aggregation-conflict", **where, value=raw, name=label, written=written, counted=counted,
              enter=enter.format(year=fiscal))
    return True


def _check_as_of(check: FormCheck, sheet: str, cell: RawCell | None, as_of: str) -> bool:
    """A 時点 must name a date (as people write it); one that is a date cell later than the period's next
    year is what a spreadsheet made of 「3/31」 typed without a year: the PC's current year. True when told."""
    if cell is None or not as_of:
        return False
    period = check.form_period or check.period
    if isinstance(cell.value, (dt.date, dt.datetime)):
        if period is not None and cell.value.year > period.fiscal_year + 1:
            check.add("kpi-asof-converted", sheet=sheet, cell=cell.coordinate, value=as_of)
            return True
        return False
    if as_of_date(as_of, period) is None:
        check.add("kpi-asof-unreadable", sheet=sheet, cell=cell.coordinate, value=as_of)
        return True
    return False


def _check_years(check: FormCheck, kpi: Kpi, value: Value, raw: str, as_of: str, where: dict[str, str],
                 places: dict[str, str], label: str) -> bool:
    """The year the figure is of, read as the grading reads it (periods.data_year_of: the year in the value, unless
    it is a bare year the 時点 narrows to one fiscal year; else the 時点), said back to the department whenever it
    is not the report's: an earlier year is graded at
    that year (or, before the plan's base year, not at all), a later one as the report year's. A value's year that
    its own 時点 contradicts is an error (which is it?). True when refused."""
    period = check.form_period or check.period
    if period is None:
        return False
    written = value.period
    as_of_year = as_of_fiscal_year(as_of) if as_of else None
    if written is not None and as_of_year is not None and as_of_year not in years_meant(written):
        check.add("kpi-year-conflict", **where, value=raw, name=label, year=_years_text(written), as_of=as_of,
                  as_of_cell=places["as_of"], as_of_year=format_year(as_of_year))
        return True
    fiscal = period.fiscal_year
    year = data_year_of(value, as_of)  # the grading's own reading
    if year is None or year == fiscal:
        return False
    if written is None:
        cell, read, shown, written_text = places["as_of"], messages.YEAR_READ_IN_AS_OF, as_of, as_of
    else:  # a bare year the 時点 reads as the fiscal year before (「11事業者(R5)」, 「R5.3末」) is said as read in both
        both = year == as_of_year != fiscal_year_of(written)
        cell, read = where["cell"], messages.YEAR_READ_IN_BOTH if both else messages.YEAR_READ_IN_VALUE
        shown, written_text = raw, format_period(written)
    fields = dict(sheet=where["sheet"], cell=cell, value=shown, name=label, fiscal=format_year(fiscal),
                  year=format_year(year), end=_fiscal_end(period))
    read = read.format(written=written_text, as_of=as_of, as_of_cell=places["as_of"], **fields)
    if year > fiscal and written is not None:
        calendar = year == fiscal + 1 and not written.fiscal and written.month is None and written.end is None
        hint = messages.CALENDAR_HINT.format(written=written_text, calendar=format_year(year, fiscal=False),
                                             **fields) if calendar else ""
        check.add("kpi-data-after", written=written_text, hint=hint, **fields)
    elif year > fiscal:
        check.add("kpi-asof-after", **fields)
    elif kpi.base_year is not None and year < kpi.base_year:
        check.add("kpi-data-before-base", read=read, base=format_year(kpi.base_year), **fields)
    elif year == kpi.base_year:
        check.add("kpi-data-base-year", read=read, base=format_year(year), baseline=labels.kpi_baseline(kpi), **fields)
    else:
        check.add("kpi-data-earlier", read=read, **fields)
    return False


def _years_text(written: Period) -> str:
    return format_period(written, "long")


def _fiscal_end(period: ReportPeriod) -> str:
    """The end of the report's fiscal year as a 時点 is written: 「R6.3末」 for 令和5年度."""
    return f"{format_year(period.fiscal_year + 1, 'short')}.3末"
