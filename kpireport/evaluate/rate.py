"""The rate r towards the final target and the pace p against the expected value, each with the sentences
of the working that show the arithmetic."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from kpireport.evaluate.arithmetic import Unit, pct, percent, round_half_up, short_year, tidy
from kpireport.evaluate.inputs import Setup, path
from kpireport.model import Kpi
from kpireport.values import format_number

# sentences, whether the final target is reached, and r (None when it is not computed)
RateResult = tuple[list[str], bool, Decimal | None]


def rate_sentences(s: Setup, unit: Unit, a: Decimal) -> RateResult:
    """Sentences about the progress towards the final target, whether it is reached, and r."""
    if s.mode == "gap":
        return _gap_rate(s, unit, a)
    if s.mode in ("level", "reverse"):
        return _level_rate(s, unit, a)
    return _ratio_rate(s, unit, a)


def _good(s: Setup) -> str:
    return "以上" if s.sign > 0 else "以下"


def _gap_rate(s: Setup, unit: Unit, a: Decimal) -> RateResult:
    """Target better than the baseline: r = (actual − baseline) ÷ (target − baseline)."""
    b, t = s.base, s.target
    r = percent(a - b, t - b)
    sentences = [f"達成率 =（{unit.plain(a)}−{unit.plain(b)}）÷（{unit.plain(t)}−{unit.plain(b)}）= {pct(r)}。"]
    reached = s.sign * (a - t) >= -s.tolerance
    if s.target_type in ("以上", "以下") and reached:
        sentences.append(f"実績が目標値 {unit.full(t)} {_good(s)}のため、目標に達しています。")
    elif s.tolerance and reached and s.sign * (a - t) < 0:
        sentences.append(f"実績は目標値に許容幅（{tolerance_text(s, unit)}）の範囲で届いているため、"
                         "達成とみなします。")
    return sentences, reached, r


def _level_rate(s: Setup, unit: Unit, a: Decimal) -> RateResult:
    """Target equal to or worse than the baseline: no r, reached when the actual is on the good side."""
    b, t, good = s.base, s.target, _good(s)
    limit = t - s.sign * s.tolerance
    if s.mode == "level":
        why = "目標値が基準値と同じ（維持）のため" if s.target_type == "維持" else "目標値が基準値と同じため"
    else:
        why = "目標値が基準値より悪い方向にある（悪化を見込んだ目標）ため"
    if s.tolerance:
        rule = (f"{why}達成率は算出せず、実績が目標値 {unit.full(t)} から許容幅 {tolerance_text(s, unit)} を"
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


def _ratio_rate(s: Setup, unit: Unit, a: Decimal) -> RateResult:
    """No baseline: r = actual ÷ target (higher is better) or target ÷ actual (lower is better)."""
    t = s.target
    reached = s.sign * (a - t) >= 0
    if s.sign > 0:
        if t > 0:
            r = percent(a, t)
            return [f"基準値がないため、達成率 = 実績 ÷ 目標値 = {unit.plain(a)} ÷ {unit.plain(t)} = {pct(r)}。"], \
                reached, r
        return [f"基準値がなく、目標値が0以下のため達成率は算出できません。実績が目標値 {unit.full(t)} 以上かで判定します。"], \
            reached, None
    if a == 0 and t >= 0:
        return ["基準値がなく、実績が0のため、目標値に達したものとみなします（達成率100%以上）。"], True, None
    if a > 0 and t >= 0:
        r = percent(t, a)
        return [f"基準値がないため、達成率 = 目標値 ÷ 実績 = {unit.plain(t)} ÷ {unit.plain(a)} = {pct(r)}。"], \
            reached, r
    return [f"基準値がなく、実績または目標値が0未満のため達成率は算出できません。実績が目標値 {unit.full(t)} 以下かで判定します。"], \
        reached, None


def tolerance_text(s: Setup, unit: Unit) -> str:
    amount = s.tolerance.scaleb(-unit.power)
    if unit.unit == "%" and not unit.scale:
        return f"{format_number(amount)}ポイント"
    return unit.full(s.tolerance)


def pace_sentences(kpi: Kpi, s: Setup, unit: Unit, a: Decimal, year: Any) -> tuple[list[str], Decimal | None, Decimal | None]:
    """Sentences about the pace, p and the expected value (rounded for display)."""
    if s.mode in ("level", "nobase"):
        return [], None, None  # nobase: judged on r against the threshold for target-only KPIs (see grades)
    found = path(kpi, s, year)
    if found.expected is None:
        return found.notes + [found.reason + "。"], None, None
    e = found.expected
    places = max(unit.decimals(x) for x in (s.baseline, s.target, a)) + 1
    shown = tidy(round_half_up(e.scaleb(-unit.power), min(places, 10)).scaleb(unit.power))
    sentences = list(found.notes)
    if s.mode == "reverse":
        return sentences, None, shown
    denominator = e - s.base
    if s.sign * denominator <= 0:
        sentences.append(f"{short_year(year)} の想定値 {unit.full(shown)} が基準値から改善していないため、"
                         "ペースは算出しません。")
        return sentences, None, shown
    p = percent(a - s.base, denominator)
    sentences.append(f"{short_year(year)} の想定値 {unit.full(shown)} に対する進捗 ="
                     f"（{unit.plain(a)}−{unit.plain(s.base)}）÷（{unit.plain(shown)}−{unit.plain(s.base)}）"
                     f"= {pct(p)}。")
    return sentences, p, shown
