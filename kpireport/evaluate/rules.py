"""Achievement of one KPI for one year: the grade, the rate, the pace and the working shown.

The rules are the defaults of ``shared/DOMAIN.md`` ("Achievement: the rules municipalities use"):

* progress r = (actual − baseline) ÷ (target − baseline), in percent (both directions, zero targets);
  without a baseline r = actual ÷ target (増加) or target ÷ actual (減少, an actual of 0 is reached);
  a 累計 KPI without a baseline starts from 0 at its baseline year, or, with none, at the year before its plan
  starts (the plan-start line); a single-year KPI without a baseline is on pace when r reaches the city's
  threshold for target-only KPIs (``Settings.nobase_threshold``, else the on_pace grade's own);
* a target equal to the baseline (維持, 80% → 80%以上) is reached when the actual is on the good side
  of it, within ``Settings.maintain_tolerance`` (維持目標の許容幅: 維持, 以上, 以下 and 値 alike), otherwise the
  actual is worse than the baseline;
  以上 / 以下 targets are reached when the actual is at or beyond the bound;
* the expected value for year t lies on the straight line from (base year, baseline) to
  (target year, target), or on the broken line through the interim targets; pace
  p = (actual − baseline) ÷ (expected − baseline);
* 達成率の式 「実績÷目標」 (the settings', or the KPI's own) makes r = actual ÷ target (target ÷ actual when
  lower is better) even with a baseline; the pace stays p = (actual − baseline) ÷ (expected − baseline), the
  one definition of DOMAIN (a ratio against the expected value would call a KPI worse than its baseline on pace);
* a direction-only target (延伸 増加 減少 向上) has no rate: only the change from the baseline counts; it is
  reached (最終目標達成) when the actual has improved beyond the plan's same-level bands, or at all without one
  (kpireport.bands.direction_reached), so an improvement never grades below no change;
* the grades are walked in the plan's order and the first whose rule matches is taken (kpireport.bands:
  final_reached, rate_band, on_pace, same_level, improved, worsened, otherwise; a matching same_level band
  before improved / worsened; not_evaluable only when nothing else matched).

A data problem (no actual, no target, an actual in another unit, a figure of a year before the plan's base year:
nothing on the plan's path to compare it with) gives the not_evaluable grade — the kind the
department's 未記入の理由 chooses — with a working (in Japanese) that says why; a bug raises. Comparisons use
unrounded Decimals; the Evaluation carries the rate and pace as shown: rounded to 0.1 (ROUND_HALF_UP), or to more
decimals where 0.1 would put them across a threshold they are compared with (arithmetic.shown_percent).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

from kpireport.bands import threshold
from kpireport.evaluate.arithmetic import Unit, display_unit, number, shown_percent
from kpireport.evaluate.grades import Facts, canonical, grade_name, grade_rank, not_evaluable_grade, walk
from kpireport.evaluate.inputs import Setup, path, read_setup
from kpireport.evaluate.rate import ahead_at_base, change_sentence, pace_sentences, rate_sentences
from kpireport.evaluate.working import before_base, describe_kpi, reason_missing
from kpireport.model import REFERENCE_KIND, Evaluation, Grade, Kpi, Override, Settings, Value

__all__ = ["evaluate_kpi", "expected_value", "grade_rank"]

REFERENCE_RULE, REFERENCE_GRADE = "reference", "参考"  # a 参考指標: shown, never graded or counted
_PROVISIONAL_NOTE = "（見込み値による暫定評価）"
_LINEAR_METHODS = ("線形", "linear", "")
SECOND_SCALE = "評価2"  # the second scale's name when the settings give none


def expected_value(kpi: Kpi, year: int) -> Decimal | None:
    """The expected value for ``year`` on the path from the baseline to the target (base units).

    Straight line from (baseline year, baseline) to (target year, target), broken at the interim
    targets; the target itself after the target year. None when there is no path: no baseline
    (a 累計 KPI starts from 0 at its baseline year), a direction-only target, no usable years, or ``year``
    not after the baseline year.
    """
    s, _ = read_setup(kpi, None)
    return None if s is None or s.mode == "direction" else path(kpi, s, year).expected


def evaluate_kpi(kpi: Kpi, actual: Value | None, year: int, grades: Sequence[Grade], settings: Settings,
                 provisional: bool = False, override: Override | None = None, reason: str = "",
                 second: Sequence[Grade] = ()) -> Evaluation:
    """Grade one KPI's actual for ``year`` and explain it in Japanese (``Evaluation.working``).

    ``provisional`` (見込み) values are graded and marked. ``override`` replaces the grade when its code
    is one of ``grades`` (the computed grade is kept in ``computed_grade``); an unknown code is ignored
    and the working says so. ``reason``: the department's 未記入の理由, which chooses the kind of 評価不能.
    ``second``: the plan's second scale (評価区分2), graded on the same facts.
    """
    grades, second = canonical(grades), canonical(second)
    provisional = provisional or (actual is not None and actual.provisional)
    if kpi.kind == REFERENCE_KIND:
        return _reference(kpi, actual, year, provisional)
    unit = display_unit(kpi)
    s, reasons = read_setup(kpi, settings)
    if s is not None:
        s = _with_edges(s, grades + second, settings)
    missing = reason_missing(kpi, actual, reason)
    a = number(actual)
    outcome = _Outcome(kpi, actual, year, grades, second, settings, provisional, override, reason)
    if missing or s is None or a is None:
        lead = describe_kpi(kpi, s, unit, None, year) if s else []
        return outcome.not_evaluable("".join(lead) + "。".join(missing + reasons) + "。")
    early = before_base(s, year)
    if early:
        return outcome.not_evaluable("".join(describe_kpi(kpi, s, unit, actual, year)) + early)

    sentences = describe_kpi(kpi, s, unit, actual, year)
    if settings.evaluation_method not in _LINEAR_METHODS:
        sentences.append(f"評価方法「{settings.evaluation_method}」には対応していないため、線形で評価します。")
    rate_text, reached, r = rate_sentences(s, unit, a)
    pace_text, p, shown_expected = pace_sentences(kpi, s, unit, a, year)
    change_text, facts = _facts(s, unit, a, reached, r, p, settings, uses_change=(
        s.mode == "direction" or any(g.rule == "same_level" for g in grades + second)))
    facts = dataclasses.replace(facts, ahead=ahead_at_base(s, year, a))
    return outcome.graded("".join(sentences + rate_text + pace_text + change_text), facts,
                          None if r is None else shown_percent(r, s.rate_edges),
                          None if p is None else shown_percent(p, s.pace_edges), shown_expected)


def _with_edges(s: Setup, grades: tuple[Grade, ...], settings: Settings) -> Setup:
    """The Setup with the thresholds its rate, pace and change are compared with, so that each is shown on its
    side of them: the bands' (達成率 and 最終目標達成 for the rate, ペース for the pace, 基準値と同水準 ± for the
    change), 0 and 100, the summary's rate bands (達成率の区分), and for a KPI without a baseline the threshold
    its rate is on pace at."""
    def of(*rules: str) -> set[Decimal]:
        return {threshold(g) for g in grades if g.rule in rules}

    rate = of("final_reached", "rate_band") | set(settings.rate_bands) | {Decimal(0), Decimal(100)}
    if s.mode == "nobase":
        rate |= of("on_pace") | ({settings.nobase_threshold} if settings.nobase_threshold is not None else set())
    pace = of("on_pace") | {Decimal(0), Decimal(100)}
    change = {e for t in of("same_level") for e in (t, -t)} | {Decimal(0)}
    return dataclasses.replace(s, rate_edges=tuple(sorted(rate)), pace_edges=tuple(sorted(pace)),
                               change_edges=tuple(sorted(change)))


def _facts(s: Setup, unit: Unit, a: Decimal, reached: bool, r: Decimal | None, p: Decimal | None,
           settings: Settings, uses_change: bool) -> tuple[list[str], Facts]:
    """What the bands look at, and the sentence on the change from the baseline when a band uses it."""
    if s.baseline is None:
        return [], Facts(reached, r, p, None, nobase_threshold=settings.nobase_threshold)
    difference = s.sign * (a - s.baseline)
    text, change = change_sentence(s, unit, a)
    return ([text] if uses_change else []), Facts(
        reached, r, p, difference >= 0, difference == 0, change, settings.nobase_threshold,
        direction_only=s.mode == "direction")


class _Outcome:
    """The Evaluation of one KPI once its working is written: graded, or not evaluable."""

    def __init__(self, kpi: Kpi, actual: Value | None, year: int, grades: tuple[Grade, ...],
                 second: tuple[Grade, ...], settings: Settings, provisional: bool, override: Override | None,
                 reason: str) -> None:
        self.kpi, self.actual, self.year, self.grades, self.second = kpi, actual, year, grades, second
        self.settings, self.provisional, self.override, self.reason = settings, provisional, override, reason

    def not_evaluable(self, text: str) -> Evaluation:
        g = not_evaluable_grade(self.grades, self.reason)
        second = not_evaluable_grade(self.second, self.reason) if self.second else None
        return self._finish(g, text + f"そのため「{grade_name(g)}」。", second)

    def graded(self, text: str, facts: Facts, r: Decimal | None, p: Decimal | None,
               expected: Decimal | None) -> Evaluation:
        """``r`` and ``p`` as shown (arithmetic.shown_percent); the bands look at the exact ones in ``facts``."""
        grade, decision = walk(self.grades, facts)
        if grade is None:
            grade = not_evaluable_grade(self.grades)
            decision += f"「{grade_name(grade)}」。"
        text += decision
        second = None
        if self.second:
            second, second_decision = walk(self.second, facts)
            if second is None:
                second = not_evaluable_grade(self.second)
                second_decision += f"「{grade_name(second)}」。"
            text += f"{self.settings.second_scale or SECOND_SCALE}は、{second_decision}"
        return self._finish(grade, text, second, r, p, expected)

    def _finish(self, computed: Grade, text: str, second: Grade | None, rate: Decimal | None = None,
                pace: Decimal | None = None, expected: Decimal | None = None) -> Evaluation:
        """The Evaluation, with a manual override applied (or the working saying why it was ignored)."""
        final, applied, tail = computed, None, ""
        if self.override is not None:
            code = self.override.grade
            chosen = next((g for g in self.grades if g.code == code), None)
            if chosen is None:
                text += f"手動で指定された評価「{code}」は評価区分にないため、無視しました。"
            else:
                final, applied = chosen, self.override
                reason = self.override.reason.strip() or "記載なし"
                tail = f"手動で変更: {chosen.label or chosen.code}（理由: {reason}）"
        if self.provisional:
            text += _PROVISIONAL_NOTE
        text += tail
        return Evaluation(
            kpi_id=self.kpi.id, year=self.year, grade=final.code, label=final.label, computed_grade=computed.code,
            rule=computed.rule, working=text, rate=rate, pace=pace,
            expected=expected, actual=self.actual, provisional=self.provisional, override=applied,
            second_grade=second.code if second else "", second_label=second.label if second else "")


def _reference(kpi: Kpi, actual: Value | None, year: int, provisional: bool) -> Evaluation:
    text = "参考指標のため、評価しません（評価の件数にも数えません）。"
    return Evaluation(kpi_id=kpi.id, year=year, grade=REFERENCE_GRADE, label=REFERENCE_KIND,
                      computed_grade=REFERENCE_GRADE, rule=REFERENCE_RULE, working=text, actual=actual,
                      provisional=provisional)
