"""The grade bands of a plan (評価区分): which band a KPI's facts fall in, with the Japanese sentence saying
why, and whether a band set leaves a gap or a band that can never be taken.

Shared vocabulary: the plan check (kpireport.plan) and the grading (kpireport.evaluate) both use it, so
the check and the grading can never disagree about what a band matches.

The bands are an ordered list; the first whose rule matches is taken, except that a 基準値と同水準 band
that matches is taken before any 基準値より改善 / 悪化 band (cities list it between them).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from kpireport.model import Grade
from kpireport.values import format_number

# the plan's Japanese rule names (評価区分 › 判定) and the codes the grading uses
RULE_NAMES = {"最終目標達成": "final_reached", "達成率": "rate_band", "ペース": "on_pace",
              "基準値と同水準": "same_level", "基準値より改善": "improved", "基準値より悪化": "worsened",
              "上記以外": "otherwise", "評価不能": "not_evaluable"}
RULES = tuple(RULE_NAMES.values())
RULES_NEEDING_THRESHOLD = ("final_reached", "rate_band", "on_pace", "same_level")
DEFAULT_THRESHOLD = Decimal(100)  # final_reached / on_pace written without a threshold (a hand-built Grade)


@dataclass(frozen=True)
class Facts:
    """What the bands look at, for one evaluable KPI."""

    reached: bool  # the final target is reached
    rate: Decimal | None  # achievement rate r in percent; None when not computed
    pace: Decimal | None  # progress against the expected path in percent; None when not computed
    better_or_equal: bool | None  # actual not worse than the baseline; None without a baseline
    equal: bool = False  # actual equal to the baseline
    change: Decimal | None = None  # change from the baseline in percent of it, + is better; None without one
    nobase_threshold: Decimal | None = None  # target-only single-year: on pace when the rate reaches this
    direction_only: bool = False  # the target is a direction (延伸 増加 減少 向上): no rate, no pace
    level: Decimal | None = None  # direction-only: the widest same-level band it must pass to be reached (walk)
    ahead: bool = False  # better than the baseline in the base year (or before): ahead of a path not yet begun


def grade_name(g: Grade) -> str:
    return g.code if not g.label or g.label == g.code else f"{g.code} {g.label}" if g.code else g.label


def threshold(g: Grade) -> Decimal:
    return DEFAULT_THRESHOLD if g.threshold is None else g.threshold


# A rule's verdict on one band: why it matches (the start of the sentence), or what failed ("" when the
# failure needs no words, e.g. no pace: the pace sentence already says why).
Verdict = tuple[str | None, str]


def _final_reached(g: Grade, f: Facts) -> Verdict:
    if f.direction_only:  # reached: improved beyond the same-level band (walk sets f.reached)
        if f.reached:
            beyond = f"（同水準の±{format_number(f.level)}%を超える）" if f.level is not None else ""
            return f"基準値より改善し{beyond}、方向のみの目標に達している", ""
        return None, "基準値より悪化" if f.better_or_equal is False else ""
    th = threshold(g)
    if f.rate is not None and f.rate >= th:
        return f"達成率{format_number(th)}%以上の", ""
    if f.reached:
        return "目標値に達している", ""
    return None, f"達成率{format_number(th)}%未満" if f.rate is not None else "目標値に未達"


def _rate_band(g: Grade, f: Facts) -> Verdict:
    if f.rate is None:
        return None, ""
    th = threshold(g)
    return (f"達成率{format_number(th)}%以上の", "") if f.rate >= th else (None, f"達成率{format_number(th)}%未満")


def _on_pace(g: Grade, f: Facts) -> Verdict:
    if f.direction_only:
        return None, ""
    if f.pace is None and f.rate is not None and f.better_or_equal is None:
        return _on_target_share(g, f.rate, f.nobase_threshold)
    th = threshold(g)
    if f.ahead:
        return "評価年度が基準年度以前で、基準値より改善している（想定の進み方より先にある）", ""
    if f.pace is not None and f.pace >= th:
        return f"ペース{format_number(th)}%以上の", ""
    return None, f"ペース{format_number(th)}%未満" if f.pace is not None else ""


def _on_target_share(g: Grade, rate: Decimal, nobase_threshold: Decimal | None) -> Verdict:
    """A single-year KPI without a baseline is on pace when r reaches the city's threshold for them."""
    th = nobase_threshold if nobase_threshold is not None else threshold(g)
    if rate >= th:
        return f"基準値がないため目標値に対する割合で見て、{format_number(th)}%以上の", ""
    return None, f"目標値に対する割合が{format_number(th)}%未満"


def same_level(g: Grade, f: Facts) -> bool:
    """Within ±threshold % of the baseline (an actual equal to a zero baseline too)."""
    if f.better_or_equal is None:
        return False
    return f.equal or (f.change is not None and abs(f.change) <= threshold(g))


def _same_level(g: Grade, f: Facts) -> Verdict:
    if f.better_or_equal is None:
        return None, ""
    if same_level(g, f):
        return f"基準値と同水準（±{format_number(threshold(g))}%以内）の", ""
    return None, f"基準値の±{format_number(threshold(g))}%を超えて変化"


def _improved(g: Grade, f: Facts) -> Verdict:
    if f.better_or_equal is None:
        return "基準値がないため改善・悪化は判定できず、目標に届いていない", ""
    if f.better_or_equal:
        return ("実績が基準値と同じ（悪化していない）" if f.equal else "基準値より改善している"), ""
    return None, "基準値より悪化"


def _worsened(g: Grade, f: Facts) -> Verdict:
    return ("基準値より悪化している" if f.better_or_equal is False else None), ""


def _otherwise(g: Grade, f: Facts) -> Verdict:
    return "上記のいずれにも当てはまらない", ""


_CHECKS: dict[str, Callable[[Grade, Facts], Verdict]] = {
    "final_reached": _final_reached, "rate_band": _rate_band, "on_pace": _on_pace, "same_level": _same_level,
    "improved": _improved, "worsened": _worsened, "otherwise": _otherwise}
_AGAINST_BASELINE = ("improved", "worsened")


def walk(grades: Sequence[Grade], f: Facts) -> tuple[Grade | None, str]:
    """The band taken, and the Japanese sentence saying why (None and the failures when none matches)."""
    level = next((g for g in grades if g.rule == "same_level" and same_level(g, f)), None)
    if f.direction_only:
        levels = [threshold(g) for g in grades if g.rule == "same_level"]
        f = dataclasses.replace(f, reached=direction_reached(grades, f), level=max(levels) if levels else None)
    failed: dict[str, str] = {}
    for g in grades:
        check = _CHECKS.get(g.rule)
        if check is None or (level is not None and g.rule in _AGAINST_BASELINE):
            continue  # a matching same-level band comes before improved / worsened
        why, failure = check(g, f)
        if why is not None:
            if g.rule == "worsened":  # "worse than the baseline" already says improved (or 延伸) did not match
                failed.pop("improved", None)
                if f.direction_only:
                    failed.pop("final_reached", None)
            return g, _because(failed, why, g)
        if failure:
            failed[g.rule] = failure
    head = "、".join(failed.values())
    return None, (f"{head}で、" if head else "") + "どの評価区分の条件にも当てはまらないため"


def direction_reached(grades: Sequence[Grade], f: Facts) -> bool:
    """A direction-only target (延伸 増加 減少) is reached when the actual has improved on the baseline beyond every
    same-level band of ``grades`` (基準値と同水準), or at all when there is none: an improvement never grades below
    no change."""
    improved = bool(f.better_or_equal) and not f.equal and (f.change is None or f.change > 0)
    return improved and not any(g.rule == "same_level" and same_level(g, f) for g in grades)


def _because(failed: dict[str, str], why: str, g: Grade) -> str:
    head = "、".join(dict.fromkeys(failed.values()))  # two bands may fail for one reason (基準値より悪化): said once
    return (f"{head}で、" if head else "") + f"{why}ため「{grade_name(g)}」。"


# ---------------------------------------------------------------------------------------------------------
# Gaps and unreachable bands
# ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BandProblem:
    kind: str  # "gap": some KPI matches no band; "unreachable": a band no KPI can take
    index: int | None  # the band's position (unreachable), None for a gap
    text: str  # the KPI that matches nothing, in words (gap); the band that takes its place (unreachable)


def band_problems(grades: Sequence[Grade]) -> list[BandProblem]:
    """The first kind of KPI that no band takes, and each band that no KPI can ever take."""
    graded = [g for g in grades if g.rule != "not_evaluable"]
    if not graded:
        return []
    taken: set[int] = set()
    problems: list[BandProblem] = []
    for facts, text in sample_facts(graded):
        band, _ = walk(graded, facts)
        if band is None:
            if not any(p.kind == "gap" for p in problems):
                problems.append(BandProblem("gap", None, text))
        else:
            taken.add(next(i for i, g in enumerate(grades) if g is band))
    for i, g in enumerate(grades):
        if g.rule != "not_evaluable" and i not in taken:
            earlier = [grade_name(e) for e in grades[:i] if e.rule != "not_evaluable"]
            problems.append(BandProblem("unreachable", i, "、".join(earlier)))
    return problems


def _points(grades: Sequence[Grade], rules: tuple[str, ...], both_ways: bool = False) -> list[Decimal]:
    """The percentages around every threshold of ``rules`` (and its negative, ``both_ways``): just under, at,
    just over."""
    edges = {threshold(g) for g in grades if g.rule in rules} | {Decimal(0), Decimal(100)}
    edges |= {-e for e in edges} if both_ways else set()
    step = Decimal("0.1")
    found = {e + d for e in edges for d in (-step, Decimal(0), step)} | {Decimal(-50), Decimal(250)}
    return sorted(found)


def sample_facts(grades: Sequence[Grade]) -> Iterator[tuple[Facts, str]]:
    """Every kind of evaluable KPI the bands must take, each with its description in words: rates, paces and
    changes around each threshold, with and without a baseline, a 維持 target, a direction-only target."""
    rates = _points(grades, ("final_reached", "rate_band"))
    paces = _points(grades, ("on_pace",))
    changes = _points(grades, ("same_level",), both_ways=True)
    for r in reversed(rates):  # gap formula: rate, pace and change share their sign; from the highest rate down
        for p in [None] + [x for x in paces if (x > 0) == (r > 0) and (x == 0) == (r == 0)]:
            for c in [x for x in changes if (x > 0) == (r > 0) and (x == 0) == (r == 0)]:
                yield (Facts(r >= 100, r, p, r >= 0, r == 0, c),
                       f"達成率{format_number(r)}%" + (f"・ペース{format_number(p)}%" if p is not None else "") + "の指標")
    for r in [x for x in reversed(rates) if x >= 0]:  # 実績÷目標 with a baseline: the rate says nothing of the change
        for c in changes:
            yield (Facts(r >= 100, r, None, c >= 0, c == 0, c),
                   f"達成率{format_number(r)}%で基準値から{format_number(c)}%変化した指標")
        yield Facts(r >= 100, r, None, None), f"基準値がなく達成率{format_number(r)}%の指標"
    for c in changes:  # 維持 targets and direction-only targets: no rate
        yield Facts(c >= 0, None, None, c >= 0, c == 0, c), f"目標が維持で基準値から{format_number(c)}%変化した指標"
        yield (Facts(False, None, None, c >= 0, c == 0, c, direction_only=True),
               f"目標が方向のみで基準値から{format_number(c)}%変化した指標")
