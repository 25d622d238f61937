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

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from kpireport.evaluate.arithmetic import decimal, display_unit, number, round_optional
from kpireport.evaluate.grades import Facts, grade_name, grade_rank, not_evaluable_grade, rule_of, walk
from kpireport.evaluate.inputs import path, read_setup
from kpireport.evaluate.rate import pace_sentences, rate_sentences
from kpireport.evaluate.working import describe_kpi, reason_missing
from kpireport.model import REFERENCE_KIND, Evaluation, Grade, Kpi, Override, Settings, Value

__all__ = ["evaluate_kpi", "expected_value", "grade_rank"]

REFERENCE_RULE, REFERENCE_GRADE = "reference", "参考"  # a 参考指標: shown, never graded or counted
_PROVISIONAL_NOTE = "（見込み値による暫定評価）"
_LINEAR_METHODS = ("線形", "linear", "")


def expected_value(kpi: Kpi, year: int) -> Decimal | None:
    """The expected value for ``year`` on the path from the baseline to the target (base units).

    Straight line from (baseline year, baseline) to (target year, target), broken at the interim
    targets; the target itself after the target year. None when there is no path: no baseline
    (a 累計 KPI starts from 0 at its baseline year), no usable years, or ``year`` not after the
    baseline year. Never raises.
    """
    try:
        s, _ = read_setup(kpi, None)
        return None if s is None else path(kpi, s, year).expected
    except Exception:
        return None


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
            g = not_evaluable_grade(grades)
            text = f"評価中に想定外の問題（{type(exc).__name__}）が起きたため評価できません。そのため「{grade_name(g)}」。"
            if provisional:
                text += _PROVISIONAL_NOTE
            return Evaluation(kpi_id=str(getattr(kpi, "id", "")), year=year, grade=g.code, label=g.label,
                              computed_grade=g.code, rule="not_evaluable", working=text, actual=actual,
                              provisional=bool(provisional))
        except Exception:
            return Evaluation(kpi_id="", year=year, grade="−", label="評価不能", computed_grade="−",
                              rule="not_evaluable", working="評価できません。", provisional=False)


def _evaluate(kpi: Kpi, actual: Value | None, year: Any, grades: Sequence[Grade], settings: Settings,
              provisional: bool, override: Override | None) -> Evaluation:
    """Inputs → rate and pace → grade → working."""
    grades = tuple(grades or ())
    provisional = bool(provisional) or getattr(actual, "provisional", False) is True
    if getattr(kpi, "kind", "") == REFERENCE_KIND:
        return _reference(kpi, actual, year, provisional)
    unit = display_unit(kpi)
    s, reasons = read_setup(kpi, settings)
    missing = reason_missing(kpi, actual)
    a = number(actual)
    if missing or s is None or a is None:
        lead = describe_kpi(kpi, s, unit, None, year) if s else []
        return _not_evaluable(kpi, actual, year, grades, missing + reasons, provisional, override, lead)

    sentences = describe_kpi(kpi, s, unit, actual, year)
    method = getattr(settings, "evaluation_method", "線形")
    if method not in _LINEAR_METHODS:
        sentences.append(f"評価方法「{method}」には対応していないため、線形で評価します。")
    rate_text, reached, r = rate_sentences(s, unit, a)
    pace_text, p, shown_expected = pace_sentences(kpi, s, unit, a, year)
    if s.baseline is not None:
        difference = s.sign * (a - s.baseline)
        better_or_equal, equal = difference >= 0, difference == 0
    else:
        better_or_equal, equal = None, False
    nobase_threshold = decimal(getattr(settings, "nobase_threshold", None)) if settings is not None else None
    grade, decision = walk(grades, Facts(a, reached, r, p, better_or_equal, equal, nobase_threshold))
    text = "".join(sentences + rate_text + pace_text)
    if grade is None:
        g = not_evaluable_grade(grades)
        return _finish(kpi, actual, year, grades, g, text + decision + f"「{grade_name(g)}」。", provisional,
                       override, r, p, shown_expected)
    return _finish(kpi, actual, year, grades, grade, text + decision, provisional, override, r, p, shown_expected)


def _reference(kpi: Kpi, actual: Value | None, year: Any, provisional: bool) -> Evaluation:
    text = "参考指標のため、評価しません（評価の件数にも数えません）。"
    return Evaluation(kpi_id=str(getattr(kpi, "id", "")), year=year, grade=REFERENCE_GRADE, label=REFERENCE_KIND,
                      computed_grade=REFERENCE_GRADE, rule=REFERENCE_RULE, working=text, actual=actual,
                      provisional=provisional)


def _not_evaluable(kpi: Kpi, actual: Value | None, year: Any, grades: Sequence[Grade], reasons: list[str],
                   provisional: bool, override: Override | None, lead: Sequence[str] = ()) -> Evaluation:
    g = not_evaluable_grade(grades)
    text = "".join(lead) + "。".join(reasons) + f"。そのため「{grade_name(g)}」。"
    return _finish(kpi, actual, year, grades, g, text, provisional, override)


def _finish(kpi: Kpi, actual: Value | None, year: Any, grades: Sequence[Grade], computed: Grade, text: str,
            provisional: bool, override: Override | None, rate: Decimal | None = None,
            pace: Decimal | None = None, expected: Decimal | None = None) -> Evaluation:
    """The Evaluation, with a manual override applied (or the working saying why it was ignored)."""
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
        computed_grade=computed.code, rule=rule_of(computed), working=text,
        rate=round_optional(rate), pace=round_optional(pace), expected=expected, actual=actual,
        provisional=provisional, override=applied)
