"""Achievement of one KPI for one year: the grade, the rate, the pace and the working shown.

The rules are the defaults of ``shared/DOMAIN.md`` ("Achievement: the rules municipalities use"):

* progress r = (actual − baseline) ÷ (target − baseline), in percent (both directions, zero targets);
  without a baseline r = actual ÷ target (増加) or target ÷ actual (減少, an actual of 0 is reached);
  a 累計 KPI without a baseline starts from 0 at its baseline year, or, with none, at the year before its plan
  starts (the plan-start line); a single-year KPI without a baseline is on pace when r reaches the city's
  threshold for target-only KPIs (``Settings.nobase_threshold``, else the on_pace grade's own);
* a target equal to the baseline (維持, 80% → 80%以上) is reached when the actual is on the good side
  of it (within ``Settings.maintain_tolerance`` for 維持), otherwise the actual is worse than the baseline;
  以上 / 以下 targets are reached when the actual is at or beyond the bound;
* the expected value for year t lies on the straight line from (base year, baseline) to
  (target year, target), or on the broken line through the interim targets; pace
  p = (actual − baseline) ÷ (expected − baseline);
* the grades are walked in the plan's order and the first whose rule matches is taken
  (final_reached, on_pace, improved, worsened; not_evaluable only when nothing else matched).

Everything here is pure and never raises: odd input gives the not_evaluable grade with a working
(in Japanese) that says why. Comparisons use unrounded Decimals; the Evaluation carries the rate
and pace rounded to 0.1 (ROUND_HALF_UP).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from kpireport.model import REFERENCE_KIND, Evaluation, Grade, Kpi, Override, Period, Settings, Value
from kpireport.values import (
    SCALES,
    format_number,
    format_period,
    format_value,
    format_year,
    split_scale,
    units_compatible,
)

__all__ = ["evaluate_kpi", "expected_value", "grade_rank"]

RULES = ("final_reached", "on_pace", "improved", "worsened", "not_evaluable")
REFERENCE_RULE, REFERENCE_GRADE = "reference", "参考"  # a 参考指標: shown, never graded or counted
# the plan's Japanese rule names, accepted as well (plan.py maps them, a hand-built Grade may not)
_RULE_ALIASES = {"最終目標達成": "final_reached", "ペース": "on_pace", "基準値より改善": "improved",
                 "基準値より悪化": "worsened", "評価不能": "not_evaluable"}
_FALLBACK_NOT_EVALUABLE = Grade("−", "評価不能", "not_evaluable")
_DEFAULT_THRESHOLD = Decimal(100)  # final_reached / on_pace without a threshold
_PRECISION = 60  # digits for the arithmetic (values are at most ~10^30, see values._MAX_EXPONENT)
_PROVISIONAL_NOTE = "（見込み値による暫定評価）"
_LINEAR_METHODS = ("線形", "linear", "")


# ---------------------------------------------------------------------------
# Small helpers (none of them raises)
# ---------------------------------------------------------------------------


def _rule(grade: Any) -> str:
    rule = getattr(grade, "rule", "")
    return _RULE_ALIASES.get(rule, rule) if isinstance(rule, str) else ""


def _decimal(raw: Any) -> Decimal | None:
    """A finite Decimal from a Decimal, int or numeric string; None otherwise (bool and NaN too)."""
    try:
        if raw is None or isinstance(raw, bool):
            return None
        d = raw if isinstance(raw, Decimal) else Decimal(str(raw))
        return d if d.is_finite() else None
    except Exception:
        return None


def _number(v: Any) -> Decimal | None:
    """The number of a Value with status number, or None."""
    try:
        if v is None or getattr(v, "status", None) != "number":
            return None
        return _decimal(v.number)
    except Exception:
        return None


def _year(y: Any) -> int | None:
    """A usable western year, or None (None, 0, bool, out of range)."""
    if isinstance(y, bool) or not isinstance(y, int):
        return None
    return y if 1000 <= y <= 9999 else None


def _short_year(y: Any) -> str:
    year = _year(y)
    return format_year(year, style="short") if year is not None else "年度不明"


def _tidy(d: Decimal) -> Decimal:
    """22.700 -> 22.7, 1E+3 -> 1000 (same number, plain form)."""
    try:
        if d == 0:
            return Decimal(0)
        with localcontext() as ctx:
            ctx.prec = max(_PRECISION, len(d.as_tuple().digits) + max(d.as_tuple().exponent, 0) + 2)
            return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()
    except Exception:
        return d


def _round(d: Decimal | None, places: int = 1) -> Decimal | None:
    """Rounded half up to ``places`` decimals; None stays None; absurd magnitudes are left as they are."""
    if d is None:
        return None
    try:
        with localcontext() as ctx:
            ctx.prec = max(_PRECISION, d.adjusted() + places + 5)
            return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except Exception:
        return d


def _percent(a: Decimal, b: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        result = a / b * 100
    return Decimal(0) if result == 0 else result  # no '-0.0%'




def _pct(d: Decimal) -> str:
    """A rate for the working: one decimal, △ for negatives (57.3%, △41.1%)."""
    shown = _round(d)
    return ("△" if shown < 0 else "") + f"{abs(shown)}%"


@dataclass(frozen=True)
class _Unit:
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
            return max(0, -_tidy(n.scaleb(-self.power)).as_tuple().exponent)
        except Exception:
            return 0


def _display_unit(kpi: Kpi) -> _Unit:
    unit = getattr(kpi, "unit", "")
    if isinstance(unit, str) and unit and unit != "なし":
        scale, base = split_scale(unit)
        return _Unit(scale, base)
    for v in (getattr(kpi, "target", None), getattr(kpi, "baseline", None)):
        if _number(v) is not None and (getattr(v, "unit", "") or getattr(v, "scale", "")):
            return _Unit(v.scale if v.scale in SCALES else "", v.unit or "")
    return _Unit("", "")


def _value_text(v: Any, year: int | None) -> str:
    """'38,039人（H25）': format_value without its period, then the value's own period or ``year``."""
    try:
        plain = v if v.period is None and not v.provisional else dataclasses.replace(v, period=None, provisional=False)
        body = format_value(plain)
        period = v.period if isinstance(v.period, Period) else (Period(year) if _year(year) else None)
        text = format_period(period) if period is not None else ""
        return body + (f"（{text}）" if text else "")
    except Exception:
        return str(getattr(v, "raw", "") or "－")


def _grade_name(g: Grade) -> str:
    code, label = str(getattr(g, "code", "")), str(getattr(g, "label", ""))
    return code if not label or label == code else f"{code} {label}" if code else label


def _not_evaluable_grade(grades: Sequence[Grade]) -> Grade:
    try:
        return next((g for g in grades if _rule(g) == "not_evaluable"), _FALLBACK_NOT_EVALUABLE)
    except Exception:
        return _FALLBACK_NOT_EVALUABLE


def _threshold(g: Grade) -> Decimal:
    t = _decimal(getattr(g, "threshold", None))
    return _DEFAULT_THRESHOLD if t is None else t


# ---------------------------------------------------------------------------
# The KPI definition, read once for the arithmetic
# ---------------------------------------------------------------------------


@dataclass
class _Setup:
    """What the KPI definition gives: baseline, target, years, the effective direction and mode.

    mode: gap (target better than baseline: r and pace), level (target = baseline: reached or worse),
    reverse (target worse than baseline, e.g. an accepted decline: reached or worse), nobase (no baseline).
    """

    sign: int  # +1 higher is better, -1 lower is better
    target_type: str  # 値 以上 以下 維持 (維持 also when the target value says 維持)
    baseline: Decimal | None
    baseline_known: bool  # improved / worsened can be judged
    baseline_zero: bool  # 累計 without a baseline: 0 at the baseline year
    baseline_year: int | None
    target: Decimal
    target_year: int | None
    tolerance: Decimal  # in base units
    mode: str
    notes: list = field(default_factory=list)  # Japanese sentences about the definition


def _setup(kpi: Kpi, settings: Settings | None) -> tuple[_Setup | None, list[str]]:
    """The arithmetic inputs of a KPI, or None and the Japanese reasons it cannot be evaluated."""
    notes: list[str] = []
    target_value = getattr(kpi, "target", None)
    target_type = getattr(kpi, "target_type", "値")
    if getattr(target_value, "status", "") == "maintain" or getattr(target_value, "maintain", False) is True:
        target_type = "維持"
    if target_type not in ("値", "以上", "以下", "維持"):
        notes.append(f"目標の種類「{target_type}」は不明のため、値として扱います。")
        target_type = "値"
    direction = getattr(kpi, "direction", None)
    direction_sign = {"増加": 1, "減少": -1}.get(direction) if isinstance(direction, str) else None
    sign = {"以上": 1, "以下": -1}.get(target_type, direction_sign)
    if sign is None:
        return None, ["指標の方向（増加／減少）が設定されていないため、良し悪しを判定できません"]
    if direction_sign is not None and direction_sign != sign:
        notes.append(f"目標が「{target_type}」のため、指標の方向「{direction}」ではなく、"
                     f"{'大きい' if sign > 0 else '小さい'}ほど良いものとして判定します。")

    baseline = _number(getattr(kpi, "baseline", None))
    target = _number(target_value)
    baseline_year = _year(getattr(kpi, "baseline_year", None))
    target_year = _year(getattr(kpi, "target_year", None))
    baseline_known, baseline_zero = baseline is not None, False
    if target_type == "維持":
        if target is None:
            target = baseline  # 維持: keep the baseline
        elif baseline is None:
            baseline, baseline_known = target, True
            notes.append("基準値がないため、目標値を保つべき水準（基準）とします。")
    if target is None:
        if target_type == "維持":
            return None, ["目標値がありません（維持目標ですが、保つべき基準値がありません）"]
        return None, ["目標値がありません"]
    if baseline is None and getattr(kpi, "aggregation", "") == "累計":
        baseline, baseline_known, baseline_zero = Decimal(0), True, True
        plan_start = _year(getattr(kpi, "plan_start_year", None))
        if baseline_year is None and plan_start is not None:
            baseline_year = plan_start - 1  # the straight line from 0 before the plan's first year

    if baseline is None:
        mode = "nobase"
    else:
        gap = sign * (target - baseline)
        mode = "gap" if gap > 0 else "level" if gap == 0 else "reverse"

    tolerance = Decimal(0)
    if target_type == "維持" or (target_type == "値" and mode == "level"):
        raw_tolerance = _decimal(getattr(settings, "maintain_tolerance", None)) if settings is not None else None
        if raw_tolerance:
            tolerance = abs(raw_tolerance).scaleb(_display_unit(kpi).power)
    return _Setup(sign, target_type, baseline, baseline_known, baseline_zero, baseline_year, target,
                  target_year, tolerance, mode, notes), []


@dataclass
class _PathResult:
    expected: Decimal | None
    reason: str = ""  # why there is no expected value (Japanese), "" when there is one
    notes: list = field(default_factory=list)


def _interim_points(kpi: Kpi, s: _Setup) -> tuple[list[tuple[int, Decimal]], list[str]]:
    """Interim targets usable on the path (strictly between base and target year), and notes on the rest."""
    points: dict[int, Decimal] = {}
    notes = []
    try:
        interim = list(getattr(kpi, "interim_targets", ()) or ())
    except Exception:
        interim = []
    for t in interim:
        year = _year(getattr(t, "year", None))
        number = _number(getattr(t, "value", None))
        if year is None or number is None:
            notes.append(f"中間目標（{_short_year(getattr(t, 'year', None))}）は数値がないため使いません。")
            continue
        if not (s.baseline_year < year < s.target_year):
            notes.append(f"中間目標（{_short_year(year)}）は基準年度と目標年度の間にないため使いません。")
            continue
        points.setdefault(year, number)
    return sorted(points.items()), notes


def _path(kpi: Kpi, s: _Setup, year: Any) -> _PathResult:
    """The expected value for ``year`` on the (broken) line from the baseline to the target."""
    t = _year(year)
    if s.baseline is None:
        return _PathResult(None, "基準値がないため、ペースは算出しません")
    if s.baseline_year is None:
        return _PathResult(None, "基準年度がないため、ペースは算出しません")
    if s.target_year is None:
        return _PathResult(None, "目標年度がないため、ペースは算出しません")
    if s.target_year <= s.baseline_year:
        return _PathResult(None, "目標年度が基準年度より後ではないため、ペースは算出しません")
    if t is None:
        return _PathResult(None, "評価年度が不明なため、ペースは算出しません")
    if t <= s.baseline_year:
        return _PathResult(None, f"評価年度（{_short_year(t)}）が基準年度（{_short_year(s.baseline_year)}）"
                                 "以前のため、ペースは算出しません")
    interim, notes = _interim_points(kpi, s)
    if t >= s.target_year:
        if t > s.target_year:
            notes.append("評価年度が目標年度を過ぎているため、想定値は目標値とします。")
        return _PathResult(s.target, "", notes)
    points = [(s.baseline_year, s.baseline)] + interim + [(s.target_year, s.target)]
    for (y0, v0), (y1, v1) in zip(points, points[1:]):
        if y0 <= t <= y1:
            with localcontext() as ctx:
                ctx.prec = _PRECISION
                expected = v0 + (v1 - v0) * (t - y0) / (y1 - y0)
            if interim:
                shown = "、".join(f"{_short_year(y)} {_display_unit(kpi).full(v)}" for y, v in interim)
                notes.append(f"想定値は中間目標（{shown}）を通る折れ線で求めます。")
            return _PathResult(expected, "", notes)
    return _PathResult(None, "想定値を求められないため、ペースは算出しません", notes)


def expected_value(kpi: Kpi, year: int) -> Decimal | None:
    """The expected value for ``year`` on the path from the baseline to the target (base units).

    Straight line from (baseline year, baseline) to (target year, target), broken at the interim
    targets; the target itself after the target year. None when there is no path: no baseline
    (a 累計 KPI starts from 0 at its baseline year), no usable years, or ``year`` not after the
    baseline year. Never raises.
    """
    try:
        s, _ = _setup(kpi, None)
        return None if s is None else _path(kpi, s, year).expected
    except Exception:
        return None


def grade_rank(grades: Sequence[Grade], code: str) -> int:
    """Position of ``code`` from best (0): the plan's order, with not_evaluable grades moved last.

    An unknown code ranks after every grade.
    """
    try:
        ordered = [g for g in grades if _rule(g) != "not_evaluable"] + \
                  [g for g in grades if _rule(g) == "not_evaluable"]
        return next((i for i, g in enumerate(ordered) if g.code == code), len(ordered))
    except Exception:
        return 0 if code is None else 10 ** 6


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------


@dataclass
class _Facts:
    """What the rules look at."""

    actual: Decimal
    reached: bool
    rate: Decimal | None
    pace: Decimal | None
    better_or_equal: bool | None  # actual not worse than the baseline; None without a baseline
    equal: bool
    nobase_threshold: Decimal | None = None  # target-only single-year: on pace when rate reaches this


def _describe_kpi(kpi: Kpi, s: _Setup, unit: _Unit, actual: Value | None, year: Any) -> list[str]:
    """The opening sentences: kind of KPI, inputs."""
    parts = []
    kind = "増加が望ましい指標" if s.sign > 0 else "減少が望ましい指標"
    extra = {"以上": "目標は下限（以上）", "以下": "目標は上限（以下）", "維持": "目標は現状維持"}.get(s.target_type)
    aggregation = getattr(kpi, "aggregation", "単年度")
    if aggregation == "累計":
        extra = (extra + "、" if extra else "") + "累計の指標のため実績・目標とも累計値で比較"
    elif aggregation == "年平均":
        extra = (extra + "、" if extra else "") + "年平均の指標のため実績・目標とも年平均値で比較"
    parts.append(f"{kind}（{extra}）。" if extra else f"{kind}。")
    parts.extend(s.notes)

    if s.baseline_zero and _year(getattr(kpi, "baseline_year", None)) is None and s.baseline_year is not None:
        baseline_text = (f"基準値 なし（累計のため、計画開始前の {_short_year(s.baseline_year)} を "
                         f"{unit.full(Decimal(0))} とします）")
    elif s.baseline_zero:
        baseline_text = (f"基準値 なし（累計のため {_short_year(s.baseline_year)} を {unit.full(Decimal(0))} とします）"
                         if s.baseline_year is not None else f"基準値 なし（累計のため {unit.full(Decimal(0))} とします）")
    elif _number(kpi.baseline) is not None:
        baseline_text = f"基準値 {_value_text(kpi.baseline, s.baseline_year)}"
    else:
        baseline_text = "基準値 なし"
    if s.target_type == "維持" and _number(kpi.target) is None:
        target_text = f"目標値 維持（{_short_year(s.target_year)}）" if s.target_year else "目標値 維持"
    else:
        target_text = f"目標値 {_value_text(kpi.target, s.target_year)}"
    arrow = "→ " if baseline_text.endswith("）") else " → "
    if actual is None:  # the reason that follows says what is wrong with the actual
        parts.append(f"{baseline_text}{arrow}{target_text}。")
        return parts
    parts.append(f"{baseline_text}{arrow}{target_text}、実績 {_value_text(actual, year)}。")
    period = getattr(actual, "period", None)
    if isinstance(period, Period) and _year(year) is not None and (period.end or period.start) != year:
        parts.append(f"（実績の時点 {format_period(period)} は評価年度 {_short_year(year)} と異なります。）")
    return parts


def _rate_sentences(s: _Setup, unit: _Unit, a: Decimal) -> tuple[list[str], bool, Decimal | None]:
    """Sentences about the progress towards the final target, whether it is reached, and r."""
    b, t = s.baseline, s.target
    good = "以上" if s.sign > 0 else "以下"
    if s.mode == "gap":
        r = _percent(a - b, t - b)
        text = (f"達成率 =（{unit.plain(a)}−{unit.plain(b)}）÷（{unit.plain(t)}−{unit.plain(b)}）"
                f"= {_pct(r)}。")
        reached = s.sign * (a - t) >= -s.tolerance
        sentences = [text]
        if s.target_type in ("以上", "以下") and reached:
            sentences.append(f"実績が目標値 {unit.full(t)} {good}のため、目標に達しています。")
        elif s.tolerance and reached and s.sign * (a - t) < 0:
            sentences.append(f"実績は目標値に許容幅（{_tolerance_text(s, unit)}）の範囲で届いているため、"
                             "達成とみなします。")
        return sentences, reached, r
    if s.mode in ("level", "reverse"):
        limit = t - s.sign * s.tolerance
        if s.mode == "level":
            why = ("目標値が基準値と同じ（維持）のため" if s.target_type == "維持"
                   else "目標値が基準値と同じため")
        else:
            why = "目標値が基準値より悪い方向にある（悪化を見込んだ目標）ため"
        if s.tolerance:
            rule = (f"{why}達成率は算出せず、実績が目標値 {unit.full(t)} から許容幅 {_tolerance_text(s, unit)} を"
                    f"{'引いた' if s.sign > 0 else '足した'} {unit.full(limit)} {good}なら達成とします。")
        else:
            rule = f"{why}達成率は算出せず、実績が目標値 {unit.full(t)} {good}なら達成とします。"
        reached = s.sign * (a - limit) >= 0
        if reached:
            result = f"実績 {unit.full(a)} は {unit.full(limit)} {good}のため、目標に達しています。"
        else:
            result = (f"実績 {unit.full(a)} は {unit.full(limit)} に届かず、"
                      f"基準値 {unit.full(b)} より{'低い' if s.sign > 0 else '高い'}ため、基準値より悪化しています。")
        return [rule, result], reached, None
    # nobase: ratios
    reached = s.sign * (a - t) >= 0
    if s.sign > 0:
        if t > 0:
            r = _percent(a, t)
            return [f"基準値がないため、達成率 = 実績 ÷ 目標値 = {unit.plain(a)} ÷ {unit.plain(t)} = {_pct(r)}。"], \
                reached, r
        return [f"基準値がなく、目標値が0以下のため達成率は算出できません。実績が目標値 {unit.full(t)} 以上かで判定します。"], \
            reached, None
    if a == 0 and t >= 0:
        return ["基準値がなく、実績が0のため、目標値に達したものとみなします（達成率100%以上）。"], True, None
    if a > 0 and t >= 0:
        r = _percent(t, a)
        return [f"基準値がないため、達成率 = 目標値 ÷ 実績 = {unit.plain(t)} ÷ {unit.plain(a)} = {_pct(r)}。"], \
            reached, r
    return [f"基準値がなく、実績または目標値が0未満のため達成率は算出できません。実績が目標値 {unit.full(t)} 以下かで判定します。"], \
        reached, None


def _tolerance_text(s: _Setup, unit: _Unit) -> str:
    amount = s.tolerance.scaleb(-unit.power)
    if unit.unit == "%" and not unit.scale:
        return f"{format_number(amount)}ポイント"
    return unit.full(s.tolerance)


def _pace_sentences(kpi: Kpi, s: _Setup, unit: _Unit, a: Decimal, year: Any) -> tuple[list[str], Decimal | None, Decimal | None]:
    """Sentences about the pace, p and the expected value (rounded for display)."""
    if s.mode == "level":
        return [], None, None
    if s.mode == "nobase":
        return [], None, None  # judged on r against the threshold for target-only KPIs (see _walk)
    path = _path(kpi, s, year)
    if path.expected is None:
        return path.notes + [path.reason + "。"], None, None
    e = path.expected
    places = max(unit.decimals(x) for x in (s.baseline, s.target, a)) + 1
    shown = _tidy(_round(e.scaleb(-unit.power), min(places, 10)).scaleb(unit.power))
    sentences = list(path.notes)
    if s.mode == "reverse":
        return sentences, None, shown
    denominator = e - s.baseline
    if s.sign * denominator <= 0:
        sentences.append(f"{_short_year(year)} の想定値 {unit.full(shown)} が基準値から改善していないため、"
                         "ペースは算出しません。")
        return sentences, None, shown
    p = _percent(a - s.baseline, denominator)
    sentences.append(f"{_short_year(year)} の想定値 {unit.full(shown)} に対する進捗 ="
                     f"（{unit.plain(a)}−{unit.plain(s.baseline)}）÷（{unit.plain(shown)}−{unit.plain(s.baseline)}）"
                     f"= {_pct(p)}。")
    return sentences, p, shown


def _walk(grades: Sequence[Grade], f: _Facts) -> tuple[Grade | None, str]:
    """The first grade whose rule matches, and the Japanese sentence saying why."""
    failed: dict[str, str] = {}
    for g in grades:
        rule = _rule(g)
        if rule == "final_reached":
            th = _threshold(g)
            if f.rate is not None and f.rate >= th:
                return g, _because(failed, f"達成率{format_number(th)}%以上の", g)
            if f.reached:
                return g, _because(failed, "目標値に達している", g)
            failed[rule] = f"達成率{format_number(th)}%未満" if f.rate is not None else "目標値に未達"
        elif rule == "on_pace" and f.pace is None and f.rate is not None and f.better_or_equal is None:
            th = f.nobase_threshold if f.nobase_threshold is not None else _threshold(g)
            if f.rate >= th:
                return g, _because(failed, f"基準値がないため目標値に対する割合で見て、{format_number(th)}%以上の", g)
            failed[rule] = f"目標値に対する割合が{format_number(th)}%未満"
        elif rule == "on_pace":
            th = _threshold(g)
            if f.pace is not None and f.pace >= th:
                return g, _because(failed, f"ペース{format_number(th)}%以上の", g)
            if f.pace is not None:  # without a pace the pace sentence already says why
                failed[rule] = f"ペース{format_number(th)}%未満"
        elif rule == "improved":
            if f.better_or_equal is None:
                return g, _because(failed, "基準値がないため改善・悪化は判定できず、目標に届いていない", g)
            if f.better_or_equal:
                why = "実績が基準値と同じ（悪化していない）" if f.equal else "基準値より改善している"
                return g, _because(failed, why, g)
            failed[rule] = "基準値より悪化"
        elif rule == "worsened":
            if f.better_or_equal is False:
                return g, _because({k: v for k, v in failed.items() if k != "improved"},
                                   "基準値より悪化している", g)
    head = "、".join(failed.values())
    return None, (f"{head}で、" if head else "") + "どの評価区分の条件にも当てはまらないため"


def _because(failed: dict[str, str], why: str, g: Grade) -> str:
    head = "、".join(failed.values())
    return (f"{head}で、" if head else "") + f"{why}ため「{_grade_name(g)}」。"


def _reason_missing(kpi: Kpi, actual: Value | None, unit: _Unit) -> list[str]:
    """Why the actual cannot be used: missing, not a number, or in another unit."""
    if actual is None:
        return ["実績値がありません（未入力）"]
    status = getattr(actual, "status", None)
    if status == "none":
        return ["実績値がありません（－）"]
    if status == "unreadable":
        return [f"実績値がありません（「{getattr(actual, 'raw', '')}」は数値として読めないため、担当課への確認が必要です）"]
    if status == "maintain":
        return ["実績値がありません（「維持」は実績の数値ではありません）"]
    if _number(actual) is None:
        return ["実績値がありません（数値として扱えません）"]
    actual_unit = (getattr(actual, "scale", "") or "") + (getattr(actual, "unit", "") or "")
    reference = getattr(kpi, "unit", "") or ""
    if not reference:
        target = getattr(kpi, "target", None)
        reference = getattr(target, "display_unit", "") if _number(target) is not None else ""
    if getattr(actual, "unit", "") and reference and reference != "なし" and not units_compatible(actual_unit,
                                                                                                 reference):
        return [f"実績値の単位（{actual_unit}）が指標の単位（{reference}）と異なるため、比較できません"]
    return []


def _not_evaluable(kpi: Kpi, actual: Value | None, year: Any, grades: Sequence[Grade], reasons: list[str],
                   provisional: bool, override: Override | None, lead: Sequence[str] = ()) -> Evaluation:
    g = _not_evaluable_grade(grades)
    text = "".join(lead) + "。".join(reasons) + f"。そのため「{_grade_name(g)}」。"
    return _finish(kpi, actual, year, grades, g, text, provisional, override)


def _finish(kpi: Kpi, actual: Value | None, year: Any, grades: Sequence[Grade], computed: Grade, text: str,
            provisional: bool, override: Override | None, rate: Decimal | None = None,
            pace: Decimal | None = None, expected: Decimal | None = None) -> Evaluation:
    final, applied, tail = computed, None, ""
    if override is not None:
        code = getattr(override, "grade", None)
        chosen = next((g for g in grades if g.code == code), None)
        if chosen is None:
            text += f"手動で指定された評価「{code}」は評価区分にないため、無視しました。"
        else:
            final, applied = chosen, override
            reason = str(getattr(override, "reason", "") or "").strip() or "記載なし"
            tail = f"手動で変更: {chosen.label or chosen.code}（理由: {reason}）"
    if provisional:
        text += _PROVISIONAL_NOTE
    text += tail
    return Evaluation(
        kpi_id=str(getattr(kpi, "id", "")), year=year, grade=final.code, label=final.label,
        computed_grade=computed.code, rule=_rule(computed), working=text,
        rate=_round(rate), pace=_round(pace), expected=expected, actual=actual,
        provisional=provisional, override=applied)


def _evaluate(kpi: Kpi, actual: Value | None, year: Any, grades: Sequence[Grade], settings: Settings,
              provisional: bool, override: Override | None) -> Evaluation:
    grades = tuple(grades or ())
    if getattr(kpi, "kind", "") == REFERENCE_KIND:
        text = "参考指標のため、評価しません（評価の件数にも数えません）。"
        return Evaluation(kpi_id=str(getattr(kpi, "id", "")), year=year, grade=REFERENCE_GRADE, label=REFERENCE_KIND,
                          computed_grade=REFERENCE_GRADE, rule=REFERENCE_RULE, working=text, actual=actual,
                          provisional=bool(provisional) or getattr(actual, "provisional", False) is True)
    provisional = bool(provisional) or getattr(actual, "provisional", False) is True
    unit = _display_unit(kpi)
    s, reasons = _setup(kpi, settings)
    missing = _reason_missing(kpi, actual, unit)
    if missing or s is None:
        lead = _describe_kpi(kpi, s, unit, None, year) if s else []
        return _not_evaluable(kpi, actual, year, grades, missing + reasons, provisional, override, lead)

    a = _number(actual)
    sentences = _describe_kpi(kpi, s, unit, actual, year)
    method = getattr(settings, "evaluation_method", "線形")
    if method not in _LINEAR_METHODS:
        sentences.append(f"評価方法「{method}」には対応していないため、線形で評価します。")
    rate_text, reached, r = _rate_sentences(s, unit, a)
    pace_text, p, shown_expected = _pace_sentences(kpi, s, unit, a, year)
    if s.baseline_known:
        difference = s.sign * (a - s.baseline)
        better_or_equal, equal = difference >= 0, difference == 0
    else:
        better_or_equal, equal = None, False
    nobase_threshold = _decimal(getattr(settings, "nobase_threshold", None)) if settings is not None else None
    facts = _Facts(a, reached, r, p, better_or_equal, equal, nobase_threshold)
    grade, decision = _walk(grades, facts)
    text = "".join(sentences + rate_text + pace_text)
    if grade is None:
        g = _not_evaluable_grade(grades)
        return _finish(kpi, actual, year, grades, g, text + decision + f"「{_grade_name(g)}」。", provisional,
                       override, r, p, shown_expected)
    return _finish(kpi, actual, year, grades, grade, text + decision, provisional, override, r, p, shown_expected)


def evaluate_kpi(kpi: Kpi, actual: Value | None, year: int, grades: Sequence[Grade], settings: Settings,
                 provisional: bool = False, override: Override | None = None) -> Evaluation:
    """Grade one KPI's actual for ``year`` and explain it in Japanese (``Evaluation.working``).

    ``provisional`` (見込み) values are graded and marked. ``override`` replaces the grade when its code
    is one of ``grades`` (the computed grade is kept in ``computed_grade``); an unknown code is ignored
    and the working says so. Never raises: at worst the not_evaluable grade with the reason.
    """
    try:
        return _evaluate(kpi, actual, year, grades, settings, provisional, override)
    except Exception as exc:  # never raise on data; say what happened
        try:
            g = _not_evaluable_grade(grades)
            text = f"評価中に想定外の問題（{type(exc).__name__}）が起きたため評価できません。そのため「{_grade_name(g)}」。"
            if provisional:
                text += _PROVISIONAL_NOTE
            return Evaluation(kpi_id=str(getattr(kpi, "id", "")), year=year, grade=g.code, label=g.label,
                              computed_grade=g.code, rule="not_evaluable", working=text, actual=actual,
                              provisional=bool(provisional))
        except Exception:
            return Evaluation(kpi_id="", year=year, grade="−", label="評価不能", computed_grade="−",
                              rule="not_evaluable", working="評価できません。", provisional=False)
