"""Numbers for the grading: reading Decimals defensively, rounding, percentages and how the working writes them.

Nothing here raises on odd input: a value that is not a usable number reads as None.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from kpireport.model import Kpi, Period
from kpireport.values import SCALES, format_number, format_period, format_value, format_year, split_scale

PRECISION = 60  # digits for the arithmetic (values are at most ~10^30, see values._MAX_EXPONENT)


def decimal(raw: Any) -> Decimal | None:
    """A finite Decimal from a Decimal, int or numeric string; None otherwise (bool and NaN too)."""
    try:
        if raw is None or isinstance(raw, bool):
            return None
        d = raw if isinstance(raw, Decimal) else Decimal(str(raw))
        return d if d.is_finite() else None
    except Exception:
        return None


def number(v: Any) -> Decimal | None:
    """The number of a Value with status number, or None."""
    try:
        if v is None or getattr(v, "status", None) != "number":
            return None
        return decimal(v.number)
    except Exception:
        return None


def year_of(y: Any) -> int | None:
    """A usable western year, or None (None, 0, bool, out of range)."""
    if isinstance(y, bool) or not isinstance(y, int):
        return None
    return y if 1000 <= y <= 9999 else None


def short_year(y: Any) -> str:
    year = year_of(y)
    return format_year(year, style="short") if year is not None else "年度不明"


def tidy(d: Decimal) -> Decimal:
    """22.700 -> 22.7, 1E+3 -> 1000 (same number, plain form)."""
    try:
        if d == 0:
            return Decimal(0)
        digits, exponent = d.as_tuple().digits, d.as_tuple().exponent
        if not isinstance(exponent, int):  # NaN or infinity: nothing to tidy
            return d
        with localcontext() as ctx:
            ctx.prec = max(PRECISION, len(digits) + max(exponent, 0) + 2)
            return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()
    except Exception:
        return d


def round_half_up(d: Decimal, places: int = 1) -> Decimal:
    """Rounded half up to ``places`` decimals; absurd magnitudes are left as they are."""
    try:
        with localcontext() as ctx:
            ctx.prec = max(PRECISION, d.adjusted() + places + 5)
            return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except Exception:
        return d


def round_optional(d: Decimal | None) -> Decimal | None:
    """A rate or pace as the Evaluation carries it: rounded to 0.1, None stays None."""
    return None if d is None else round_half_up(d)


def percent(a: Decimal, b: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        result = a / b * 100
    return Decimal(0) if result == 0 else result  # no '-0.0%'


def pct(d: Decimal) -> str:
    """A rate for the working: one decimal, △ for negatives (57.3%, △41.1%)."""
    shown = round_half_up(d)
    return ("△" if shown < 0 else "") + f"{abs(shown)}%"


@dataclass(frozen=True)
class Unit:
    """How numbers are written in the working: the KPI's display scale and base unit."""

    scale: str
    unit: str

    @property
    def power(self) -> int:
        return SCALES.get(self.scale, 0)

    def plain(self, n: Decimal) -> str:
        """The number in the display scale, no unit: 1240000 (万人) -> '124'."""
        return format_number(n.scaleb(-self.power))

    def full(self, n: Decimal) -> str:
        return format_number(n, self.unit, self.scale)

    def decimals(self, n: Decimal | None) -> int:
        if n is None:
            return 0
        try:
            exponent = tidy(n.scaleb(-self.power)).as_tuple().exponent
            return max(0, -exponent) if isinstance(exponent, int) else 0
        except Exception:
            return 0


def display_unit(kpi: Kpi) -> Unit:
    unit = getattr(kpi, "unit", "")
    if isinstance(unit, str) and unit and unit != "なし":
        scale, base = split_scale(unit)
        return Unit(scale, base)
    for v in (getattr(kpi, "target", None), getattr(kpi, "baseline", None)):
        scale, base = str(getattr(v, "scale", "") or ""), str(getattr(v, "unit", "") or "")
        if number(v) is not None and (base or scale):
            return Unit(scale if scale in SCALES else "", base)
    return Unit("", "")


def value_text(v: Any, year: int | None) -> str:
    """'38,039人（H25）': format_value without its period, then the value's own period or ``year``."""
    try:
        plain = v if v.period is None and not v.provisional else dataclasses.replace(v, period=None, provisional=False)
        body = format_value(plain)
        period = v.period if isinstance(v.period, Period) else (Period(year) if year is not None and year_of(year) else None)
        text = format_period(period) if period is not None else ""
        return body + (f"（{text}）" if text else "")
    except Exception:
        return str(getattr(v, "raw", "") or "－")
