"""Numbers for the grading: the usable Decimals of values and settings, rounding, percentages and how the
working writes them. A value that is not a usable number (not a number, NaN, infinite) reads as None."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from kpireport.model import Kpi, Period, Value
from kpireport.values import SCALES, format_number, format_period, format_value, format_year, period_of, split_scale

PRECISION = 60  # digits for the arithmetic (values are at most ~10^30, see values._MAX_EXPONENT)


def decimal(raw: Decimal | None) -> Decimal | None:
    """The Decimal when it is finite; None for None, NaN and infinities."""
    return raw if raw is not None and raw.is_finite() else None


def number(v: Value | None) -> Decimal | None:
    """The number of a Value with status number, or None."""
    return decimal(v.number) if v is not None and v.status == "number" else None


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
    if d == 0:
        return Decimal(0)
    digits, exponent = d.as_tuple().digits, d.as_tuple().exponent
    if not isinstance(exponent, int):  # NaN or infinity: nothing to tidy
        return d
    with localcontext() as ctx:
        ctx.prec = max(PRECISION, len(digits) + max(exponent, 0) + 2)
        return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def round_half_up(d: Decimal, places: int = 1) -> Decimal:
    """Rounded half up to ``places`` decimals (the precision grows with the number's magnitude)."""
    with localcontext() as ctx:
        ctx.prec = max(PRECISION, d.adjusted() + places + 5)
        return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(a: Decimal, b: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        result = a / b * 100
    return Decimal(0) if result == 0 else result  # no '-0.0%'


MAX_SHOWN_PLACES = 6  # decimals a percentage may need to stay on its side of a threshold


def shown_percent(d: Decimal, edges: Iterable[Decimal] = ()) -> Decimal:
    """A percentage as it is shown everywhere (working, master, report): rounded half up to one decimal, or to as
    many more as it takes to stay on the same side of every threshold in ``edges`` that it is compared with, and
    to print a threshold only when it is exactly that (89.97%, not 90.0%, for a rate below a 90% band; 10.04%, not
    10.0%, for a change beyond ±10%; △0.04%, not 0.0%, for a rate just below 0)."""
    edges = tuple(edges)
    shown = d
    for places in range(1, MAX_SHOWN_PLACES + 1):
        shown = round_half_up(d, places)
        if all(_side(shown, e) == _side(d, e) for e in edges):
            return shown
    below = any(d < e <= shown for e in edges)  # still across: round towards the side the exact value is on
    with localcontext() as ctx:
        ctx.prec = max(PRECISION, d.adjusted() + MAX_SHOWN_PLACES + 5)
        return d.quantize(Decimal(1).scaleb(-MAX_SHOWN_PLACES), rounding=ROUND_FLOOR if below else ROUND_CEILING)


def _side(d: Decimal, edge: Decimal) -> int:
    return (d > edge) - (d < edge)


def percent_text(shown: Decimal) -> str:
    """A percentage as ``shown_percent`` gives it: its own decimals (at least one), △ for negatives (57.3%,
    △41.1%, 89.97%)."""
    exponent = shown.as_tuple().exponent
    digits = abs(shown) if isinstance(exponent, int) and exponent < 0 else round_half_up(abs(shown))
    return ("△" if shown < 0 else "") + f"{digits}%"


def pct(d: Decimal, edges: Iterable[Decimal] = ()) -> str:
    """A rate for the working: ``shown_percent`` written by ``percent_text``."""
    return percent_text(shown_percent(d, edges))


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
        exponent = tidy(n.scaleb(-self.power)).as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0


def display_unit(kpi: Kpi) -> Unit:
    if kpi.unit and kpi.unit != "なし":
        scale, base = split_scale(kpi.unit)
        return Unit(scale, base)
    for v in (kpi.target, kpi.baseline):
        scale, base = v.scale, v.unit
        if number(v) is not None and (base or scale):
            return Unit(scale if scale in SCALES else "", base)
    return Unit("", "")


def value_text(v: Value, year: int | None) -> str:
    """'38,039人（H25）': format_value without its period, then the value's own period or ``year``."""
    plain = v if v.period is None and not v.provisional else dataclasses.replace(v, period=None, provisional=False)
    body = format_value(plain)
    usable_year = year_of(year)
    written = period_of(v)  # a value read back from the history keeps the period in its text only
    period = written if written is not None else (Period(usable_year) if usable_year is not None else None)
    text = format_period(period) if period is not None else ""
    return body + (f"（{text}）" if text else "")
