"""A KPI's series as an inline SVG line chart, made at publish time: the actuals, the expected path from the
baseline to the target, and the target. The chart carries its own text alternative (title and desc); the page
shows the same figures as a table."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from kpireport.values import format_number, format_year

WIDTH, HEIGHT = 400, 240
LEFT, RIGHT, TOP, BOTTOM = 60, 14, 12, 30
ACTUAL, PATH, TARGET, GRID, INK = "#1f5fa8", "#595959", "#a14a00", "#d0d0d0", "#1a1a1a"


@dataclass(frozen=True)
class ChartPoint:
    year: int
    number: Decimal
    provisional: bool = False


@dataclass(frozen=True)
class ChartData:
    ident: str  # unique in the page: the ids of the title and desc
    title: str
    unit: str
    actuals: tuple[ChartPoint, ...]
    path: tuple[ChartPoint, ...]  # the expected path: baseline, interim targets, target
    target: ChartPoint | None
    calendar: bool = False


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering low..high (steps of 1, 2 or 5 times a power of ten)."""
    if high == low:
        high, low = high + (abs(high) or 1) / 2, low - (abs(low) or 1) / 2
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _year(year: int, calendar: bool) -> str:
    return format_year(year, "short", fiscal=not calendar)


def _number(value: float | Decimal, unit: str = "") -> str:
    return format_number(Decimal(str(value)), unit, negative="−")


def description(chart: ChartData) -> str:
    """The chart in words (its text alternative)."""
    def listed(points: tuple[ChartPoint, ...]) -> str:
        return "、".join(f"{format_year(p.year, fiscal=not chart.calendar)} {_number(p.number, chart.unit)}"
                        + ("（見込み）" if p.provisional else "") for p in points)

    parts = [f"実績: {listed(chart.actuals)}" if chart.actuals else "実績: まだありません"]
    if chart.path:
        parts.append(f"想定の道筋: {listed(chart.path)}")
    if chart.target:
        parts.append(f"目標: {listed((chart.target,))}")
    return "。".join(parts) + "。"


def line_chart(chart: ChartData) -> Markup:
    """The chart as SVG markup, ready to place in the page."""
    everything = chart.actuals + chart.path + ((chart.target,) if chart.target else ())
    if not everything:
        return Markup("")
    years = [p.year for p in everything]
    first, last = min(years), max(years)
    if first == last:
        first, last = first - 1, last + 1
    ticks = nice_ticks(float(min(p.number for p in everything)), float(max(p.number for p in everything)))
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(year: int) -> float:
        return round(LEFT + (year - first) / (last - first) * plot_w, 1)

    def y(number: float | Decimal) -> float:
        return round(TOP + plot_h - (float(number) - low) / ((high - low) or 1) * plot_h, 1)

    out = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
           f'aria-labelledby="{chart.ident}-t {chart.ident}-d" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="{chart.ident}-t">{escape(chart.title)}</title>',
           f'<desc id="{chart.ident}-d">{escape(description(chart))}</desc>',
           f'<g font-size="12" fill="{INK}">']
    for tick in ticks:
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick)}" y2="{y(tick)}" stroke="{GRID}"/>'
                   f'<text x="{LEFT - 6}" y="{y(tick) + 4}" text-anchor="end">{escape(_number(tick))}</text>')
    for year in range(first, last + 1):
        out.append(f'<text x="{x(year)}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">'
                   f'{escape(_year(year, chart.calendar))}</text>')
    out.append("</g>")
    if len(chart.path) > 1:
        out.append(_polyline(chart.path, x, y, PATH, ' stroke-dasharray="6 4"'))
    if chart.target:
        tx, ty = x(chart.target.year), y(chart.target.number)
        out.append(f'<path class="target" d="M{tx} {ty - 7}L{tx + 7} {ty}L{tx} {ty + 7}L{tx - 7} {ty}Z" '
                   f'fill="{TARGET}"/>')
    if len(chart.actuals) > 1:
        out.append(_polyline(chart.actuals, x, y, ACTUAL, ""))
    for p in chart.actuals:
        fill = "#ffffff" if p.provisional else ACTUAL
        out.append(f'<circle class="actual" cx="{x(p.year)}" cy="{y(p.number)}" r="5" fill="{fill}" '
                   f'stroke="{ACTUAL}" stroke-width="2"/>')
    out.append("</svg>")
    return Markup("".join(out))


def _polyline(points: tuple[ChartPoint, ...], x: Callable[[int], float], y: Callable[[Decimal], float], colour: str,
              extra: str) -> str:
    coords = " ".join(f"{x(p.year)},{y(p.number)}" for p in points)
    return f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5"{extra}/>'


def grade_bar(ident: str, label: str, parts: list[tuple[str, str, int]]) -> Markup:
    """A small stacked bar of grade counts: (text, colour, count) per grade; the counts are also written out
    beside it, so the bar is decoration for sighted readers and named as an image for the rest."""
    total = sum(n for _, _, n in parts)
    if total == 0:
        return Markup("")
    out = [f'<svg class="bar" viewBox="0 0 200 14" preserveAspectRatio="none" role="img" '
           f'aria-labelledby="{ident}-t" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="{ident}-t">{escape(label + ": " + "、".join(f"{text} {n}件" for text, _, n in parts if n))}'
           "</title>"]
    left = 0.0
    for _, colour, n in parts:
        if n:
            width = round(n / total * 200, 2)
            out.append(f'<rect x="{round(left, 2)}" y="0" width="{width}" height="14" fill="{colour}"/>')
            left += width
    out.append("</svg>")
    return Markup("".join(out))
