"""The rate r towards the final target and the pace p against the expected value, each with the sentences
of the working that show the arithmetic."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from kpireport.evaluate.arithmetic import Unit, pct, percent, percent_text, round_half_up, short_year, shown_percent, tidy
from kpireport.evaluate.inputs import Setup, path
from kpireport.model import RATIO_FORMULA, Kpi
from kpireport.values import format_number, year_of

# sentences, whether the final target is reached, and r (None when it is not computed)
RateResult = tuple[list[str], bool, Decimal | None]


def rate_sentences(s: Setup, unit: Unit, a: Decimal) -> RateResult:
    """Sentences about the progress towards the final target, whether it is reached, and r."""
    if s.mode == "direction":
        return [f"目標が「{_direction_word(s)}」（方向のみ）のため、達成率は算出せず、基準値からの変化で判定します。"], \
            False, None
    if s.mode != "nobase" and s.formula == RATIO_FORMULA:
        sentences, reached, r = _ratio_rate(s, unit, a, f"達成率の式「{RATIO_FORMULA}」により")
        return sentences + _within_tolerance(s, unit, a, reached), reached, r
    if s.mode == "gap":
        return _gap_rate(s, unit, a)
    if s.mode in ("level", "reverse"):
        return _level_rate(s, unit, a)
    return _ratio_rate(s, unit, a)


def _direction_word(s: Setup) -> str:
    return s.target_word or ("増加" if s.sign > 0 else "減少")


def change_sentence(s: Setup, unit: Unit, a: Decimal) -> tuple[str, Decimal | None]:
    """The change from the baseline in percent of it (+ is better), and the sentence that shows it."""
    b = s.base
    if b == 0:
        same = "同じ" if a == b else "異なり"
        return f"基準値が0のため変化率は算出せず、実績は基準値と{same}です。", None
    change = s.sign * percent(a - b, abs(b))
    shown = shown_percent(percent(a - b, abs(b)), s.change_edges)
    signed = ("+" if shown > 0 else "" if shown < 0 else "±") + percent_text(shown)
    return f"基準値からの変化 =（{unit.plain(a)}−{unit.plain(b)}）÷{unit.plain(abs(b))} = {signed}。", change


def _good(s: Setup) -> str:
    return "以上" if s.sign > 0 else "以下"


def _gap_rate(s: Setup, unit: Unit, a: Decimal) -> RateResult:
    """Target better than the baseline: r = (actual − baseline) ÷ (target − baseline)."""
    b, t = s.base, s.target
    r = percent(a - b, t - b)
    sentences = [f"達成率 =（{unit.plain(a)}−{unit.plain(b)}）÷（{unit.plain(t)}−{unit.plain(b)}）= {pct(r, s.rate_edges)}。"]
    reached = s.sign * (a - t) >= -s.tolerance
    if s.target_type in ("以上", "以下") and reached:
        sentences.append(f"実績が目標値 {unit.full(t)} {_good(s)}のため、目標に達しています。")
    else:
        sentences += _within_tolerance(s, unit, a, reached)
    return sentences, reached, r


def _within_tolerance(s: Setup, unit: Unit, a: Decimal, reached: bool) -> list[str]:
    """The sentence for an actual short of the target that the tolerance (維持目標の許容幅) counts as reached."""
    if s.tolerance and reached and s.sign * (a - s.target) < 0:
        return [f"実績は目標値に許容幅（{tolerance_text(s, unit)}）の範囲で届いているため、達成とみなします。"]
    return []


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


def _ratio_rate(s: Setup, unit: Unit, a: Decimal, why: str = "基準値がないため") -> RateResult:
    """r = actual ÷ target (higher is better) or target ÷ actual (lower is better): without a baseline, or
    when the city's 達成率の式 says so (``why``)."""
    t = s.target
    reached = s.sign * (a - t) >= -s.tolerance
    lead = "基準値がなく、" if why == "基準値がないため" else f"{why}ますが、"
    if s.sign > 0:
        if t > 0:
            r = percent(a, t)
            return [f"{why}、達成率 = 実績 ÷ 目標値 = {unit.plain(a)} ÷ {unit.plain(t)} = {pct(r, s.rate_edges)}。"], reached, r
        return [f"{lead}目標値が0以下のため達成率は算出できません。実績が目標値 {unit.full(t)} 以上かで判定します。"], \
            reached, None
    if a == 0 and t >= 0:
        return [f"{lead}実績が0のため、目標値に達したものとみなします（達成率100%以上）。"], True, None
    if a > 0 and t >= 0:
        r = percent(t, a)
        return [f"{why}、達成率 = 目標値 ÷ 実績 = {unit.plain(t)} ÷ {unit.plain(a)} = {pct(r, s.rate_edges)}。"], reached, r
    return [f"{lead}実績または目標値が0未満のため達成率は算出できません。実績が目標値 {unit.full(t)} 以下かで判定します。"], \
        reached, None


def tolerance_text(s: Setup, unit: Unit) -> str:
    amount = s.tolerance.scaleb(-unit.power)
    if unit.unit == "%" and not unit.scale:
        return f"{format_number(amount)}ポイント"
    return unit.full(s.tolerance)


AHEAD_AT_BASE = "想定値はこの年度まで基準値のままのため、基準値より改善した実績は想定の進み方より先にあるものとします。"


def ahead_at_base(s: Setup, year: Any, a: Decimal) -> bool:
    """The value is of the base year (or before), where the expected path has not left the baseline, and is better
    than the baseline: ahead of the path (p would be infinite), so an improvement never grades below no change."""
    t = year_of(year)
    return (s.mode == "gap" and s.baseline is not None and s.baseline_year is not None and t is not None
            and t <= s.baseline_year and s.sign * (a - s.baseline) > 0)


def pace_sentences(kpi: Kpi, s: Setup, unit: Unit, a: Decimal, year: Any) -> tuple[list[str], Decimal | None, Decimal | None]:
    """Sentences about the pace, p and the expected value (rounded for display)."""
    if s.mode in ("level", "nobase", "direction"):
        return [], None, None  # nobase: judged on r against the threshold for target-only KPIs (see grades)
    found = path(kpi, s, year)
    if found.expected is None:
        ahead = [AHEAD_AT_BASE] if ahead_at_base(s, year, a) else []
        return found.notes + [found.reason + "。"] + ahead, None, None
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
    if s.formula == RATIO_FORMULA:  # r is 実績÷目標, the pace is still the gap (DOMAIN: p defined once)
        sentences.append("ペースは達成率の式によらず、基準値から想定値までの伸びに対する実績の伸びで見ます。")
    sentences.append(f"{short_year(year)} の想定値 {unit.full(shown)} に対する進捗 ="
                     f"（{unit.plain(a)}−{unit.plain(s.base)}）÷（{unit.plain(shown)}−{unit.plain(s.base)}）"
                     f"= {pct(p, s.pace_edges)}。")
    return sentences, p, shown
