"""Choosing the grade: the plan's grades walked in order, the first whose rule matches the facts is taken,
with the Japanese sentence saying why (and which earlier grades did not match)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kpireport.evaluate.arithmetic import decimal
from kpireport.model import Grade
from kpireport.values import format_number

RULES = ("final_reached", "on_pace", "improved", "worsened", "not_evaluable")
# the plan's Japanese rule names, accepted as well (plan.py maps them, a hand-built Grade may not)
_RULE_ALIASES = {"最終目標達成": "final_reached", "ペース": "on_pace", "基準値より改善": "improved",
                 "基準値より悪化": "worsened", "評価不能": "not_evaluable"}
FALLBACK_NOT_EVALUABLE = Grade("−", "評価不能", "not_evaluable")
_DEFAULT_THRESHOLD = Decimal(100)  # final_reached / on_pace without a threshold


def rule_of(grade: Any) -> str:
    rule = getattr(grade, "rule", "")
    return _RULE_ALIASES.get(rule, rule) if isinstance(rule, str) else ""


def grade_name(g: Grade) -> str:
    code, label = str(getattr(g, "code", "")), str(getattr(g, "label", ""))
    return code if not label or label == code else f"{code} {label}" if code else label


def not_evaluable_grade(grades: Sequence[Grade]) -> Grade:
    try:
        return next((g for g in grades if rule_of(g) == "not_evaluable"), FALLBACK_NOT_EVALUABLE)
    except Exception:
        return FALLBACK_NOT_EVALUABLE


def grade_rank(grades: Sequence[Grade], code: str) -> int:
    """Position of ``code`` from best (0): the plan's order, with not_evaluable grades moved last.

    An unknown code ranks after every grade.
    """
    try:
        ordered = [g for g in grades if rule_of(g) != "not_evaluable"] + \
                  [g for g in grades if rule_of(g) == "not_evaluable"]
        return next((i for i, g in enumerate(ordered) if g.code == code), len(ordered))
    except Exception:
        return 0 if code is None else 10 ** 6


def _threshold(g: Grade) -> Decimal:
    t = decimal(getattr(g, "threshold", None))
    return _DEFAULT_THRESHOLD if t is None else t


@dataclass
class Facts:
    """What the rules look at."""

    actual: Decimal
    reached: bool
    rate: Decimal | None
    pace: Decimal | None
    better_or_equal: bool | None  # actual not worse than the baseline; None without a baseline
    equal: bool
    nobase_threshold: Decimal | None = None  # target-only single-year: on pace when rate reaches this


# A rule's verdict on one grade: why it matches (the start of the sentence), or what failed ("" when the
# failure needs no words, e.g. no pace: the pace sentence already says why).
Verdict = tuple[str | None, str]


def _final_reached(g: Grade, f: Facts) -> Verdict:
    th = _threshold(g)
    if f.rate is not None and f.rate >= th:
        return f"達成率{format_number(th)}%以上の", ""
    if f.reached:
        return "目標値に達している", ""
    return None, f"達成率{format_number(th)}%未満" if f.rate is not None else "目標値に未達"


def _on_pace(g: Grade, f: Facts) -> Verdict:
    if f.pace is None and f.rate is not None and f.better_or_equal is None:
        return _on_target_share(g, f.rate, f.nobase_threshold)
    th = _threshold(g)
    if f.pace is not None and f.pace >= th:
        return f"ペース{format_number(th)}%以上の", ""
    return None, f"ペース{format_number(th)}%未満" if f.pace is not None else ""


def _on_target_share(g: Grade, rate: Decimal, nobase_threshold: Decimal | None) -> Verdict:
    """A single-year KPI without a baseline is on pace when r reaches the city's threshold for them."""
    th = nobase_threshold if nobase_threshold is not None else _threshold(g)
    if rate >= th:
        return f"基準値がないため目標値に対する割合で見て、{format_number(th)}%以上の", ""
    return None, f"目標値に対する割合が{format_number(th)}%未満"


def _improved(g: Grade, f: Facts) -> Verdict:
    if f.better_or_equal is None:
        return "基準値がないため改善・悪化は判定できず、目標に届いていない", ""
    if f.better_or_equal:
        return ("実績が基準値と同じ（悪化していない）" if f.equal else "基準値より改善している"), ""
    return None, "基準値より悪化"


def _worsened(g: Grade, f: Facts) -> Verdict:
    return ("基準値より悪化している" if f.better_or_equal is False else None), ""


_CHECKS: dict[str, Callable[[Grade, Facts], Verdict]] = {
    "final_reached": _final_reached, "on_pace": _on_pace, "improved": _improved, "worsened": _worsened}


def walk(grades: Sequence[Grade], f: Facts) -> tuple[Grade | None, str]:
    """The first grade whose rule matches, and the Japanese sentence saying why."""
    failed: dict[str, str] = {}
    for g in grades:
        rule = rule_of(g)
        check = _CHECKS.get(rule)
        if check is None:
            continue
        why, failure = check(g, f)
        if why is not None:
            if rule == "worsened":  # "worse than the baseline" already says improved did not match
                failed.pop("improved", None)
            return g, _because(failed, why, g)
        if failure:
            failed[rule] = failure
    head = "、".join(failed.values())
    return None, (f"{head}で、" if head else "") + "どの評価区分の条件にも当てはまらないため"


def _because(failed: dict[str, str], why: str, g: Grade) -> str:
    head = "、".join(failed.values())
    return (f"{head}で、" if head else "") + f"{why}ため「{grade_name(g)}」。"
