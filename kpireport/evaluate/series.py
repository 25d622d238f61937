"""Over the years: every year's actual, rate and grade of each KPI, each past year graded with the rules and the
KPI's baseline and target stored with that year's last merge (never silently regraded with today's). A year whose
rules were not stored (a history from before they were, a year known only from imported records) is graded with
today's rules and says so; so is a year whose rules were stored but not the KPIs' baselines and targets (a history
from before those were). Where a year's baseline or target differs from the next one's, the series says so
(definition_notes)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from kpireport.evaluate.data_year import data_year, working_lead
from kpireport.evaluate.rules import evaluate_kpi
from kpireport.history.in_force import KpiInForce, year_standing
from kpireport.history.rules_record import grading_fields, kpi_as_recorded, rules_from_record, rules_of
from kpireport.history.store import History, StoredKpiValue
from kpireport.labels import value_with_year
from kpireport.model import Evaluation, Grade, Kpi, Override, Plan, Settings
from kpireport.values import format_year

TODAYS_RULES = "当時の評価基準の記録がないため、現在の評価区分で評価しています。"
TODAYS_KPI = "当時の基準値・目標値の記録がないため、現在の計画の基準値・目標値で評価しています。"


@dataclass(frozen=True)
class YearGrade:
    """One year of a KPI's series: the actual in force, the year its data is of (when earlier) and the grade."""

    year: int  # the report's fiscal year
    evaluation: Evaluation
    stored: StoredKpiValue | None
    data_year: int | None = None  # the fiscal year the data is of, when earlier than ``year``
    rules_then: bool = True  # graded with the rules stored then (False: today's, no record)
    graded_as: Kpi | None = None  # the KPI as recorded then, where its baseline, target… differ from today's plan
    kpi_then: bool = True  # graded with the KPI's baseline and target stored then (False: today's, no record)


@dataclass(frozen=True)
class _Rules:
    grades: tuple[Grade, ...]
    settings: Settings
    then: bool
    kpis: dict[str, dict] | None = None  # each KPI's grading fields as recorded (None: not recorded)
    today: dict[str, dict] = field(default_factory=dict)  # the same of today's plan, to compare with


def past_years(plan: Plan, fiscal_year: int, history: History,
               annual: dict[str, dict[int, tuple[StoredKpiValue, ...]]]) -> dict[str, tuple[YearGrade, ...]]:
    """Each KPI's years of its plan before ``fiscal_year`` that have an entry (an actual, or none and the reason),
    oldest first, graded as they were then; ``annual``: History.annual_entries. A shared KPI's year is what stood
    by the plan's 報告方法 (its parts combined, its lead's value), as the year's own report showed it."""
    years = sorted({y for per_kpi in annual.values() for y in per_kpi if y < fiscal_year})
    rules = {y: _rules_of(plan, history, y) for y in years}
    overrides = {y: history.overrides(str(y)) for y in years}
    entries = {y: history.kpi_values(str(y)) for y in years}  # a year's entries without a number (未記入の理由) too
    series: dict[str, tuple[YearGrade, ...]] = {}
    for kpi in plan.kpis:
        own = annual.get(kpi.id, {})
        points = []
        for y in (y for y in years if y >= first_year(kpi)):
            given = own.get(y) or tuple(entries[y].get(kpi.id, ()))
            if given:
                points.append(_grade_year(kpi, y, year_standing(plan, kpi, y, given), rules[y], overrides[y].get(kpi.id)))
        if points:
            series[kpi.id] = tuple(points)
    return series


def first_year(kpi: Kpi) -> int:
    """The first year of a KPI's series: its plan's first year, else the year after its baseline year. The years
    before (old records imported for reference) are the history before the plan, not graded against it."""
    if kpi.plan_start_year:
        return kpi.plan_start_year
    return kpi.baseline_year + 1 if kpi.baseline_year else 0


def _rules_of(plan: Plan, history: History, year: int) -> _Rules:
    record = rules_of(history, str(year))
    if record is None:
        return _Rules(plan.grades, plan.settings, False)
    grades, settings = rules_from_record(record, plan.settings)
    today = plan.memo("grading_fields", lambda: {k.id: grading_fields(k) for k in plan.kpis})
    return _Rules(grades, settings, True, record.get("kpis"), today)


def _grade_year(kpi: Kpi, year: int, standing: KpiInForce, rules: _Rules, override: Override | None) -> YearGrade:
    stored = standing.value  # None: a shared KPI's year with nothing that stood (its parts incomplete)
    lag = data_year(stored, year)
    # a KPI the record lacks is one added to the plan since (its year's value imported): today's is all there is
    recorded = rules.kpis.get(kpi.id) if rules.kpis is not None else None
    then = kpi_as_recorded(kpi, recorded, rules.today[kpi.id]) if recorded is not None else kpi
    evaluation = evaluate_kpi(then, stored.value if stored else None, lag or year, rules.grades, rules.settings,
                              provisional=bool(stored and stored.provisional), override=override,
                              reason=stored.reason if stored else "")
    evaluation = with_lead(evaluation, working_lead(stored, year, then.base_year))
    if standing.working:  # how a shared KPI's value was arrived at comes first, as in the year's own report
        evaluation = with_lead(evaluation, f"{standing.working}。")
    if not rules.then:
        evaluation = replace(evaluation, working=evaluation.working + TODAYS_RULES)
    elif rules.kpis is None:
        evaluation = replace(evaluation, working=evaluation.working + TODAYS_KPI)
    return YearGrade(year, evaluation, stored, lag, rules.then, then if then is not kpi else None,
                     rules.kpis is not None)


def with_lead(evaluation: Evaluation, lead: str) -> Evaluation:
    """The evaluation with ``lead`` before its working (how the value was arrived at, the data's year)."""
    return replace(evaluation, working=lead + evaluation.working) if lead else evaluation


def previous(series: tuple[YearGrade, ...], fiscal_year: int) -> YearGrade | None:
    """The year before ``fiscal_year`` in a KPI's series, if it has one."""
    return next((point for point in series if point.year == fiscal_year - 1), None)


# what of a KPI a year may have been graded with otherwise than the next (the plan's words for them)
_DEFINITION: tuple[tuple[str, Callable[[Kpi], str]], ...] = (
    ("基準値", lambda k: value_with_year(k.baseline, k.baseline_year, fiscal=not k.calendar)),
    ("目標値", lambda k: value_with_year(k.target, k.target_year, fiscal=not k.calendar)),
    ("中間目標値", lambda k: "、".join(value_with_year(t.value, t.year, fiscal=not k.calendar)
                                    for t in k.interim_targets) or "なし"),
    ("指標の方向", lambda k: k.direction),
    ("目標の種類", lambda k: k.target_type),
    ("集計方法", lambda k: k.aggregation),
    ("単位", lambda k: k.unit or "なし"),
    ("区分", lambda k: k.kind),
    ("達成率の式", lambda k: k.rate_formula or "設定の式"),
    ("計画の開始年度", lambda k: format_year(k.plan_start_year) if k.plan_start_year else "なし"),
)


def definition_notes(kpi: Kpi, series: tuple[YearGrade, ...]) -> list[str]:
    """Where the office changed a KPI's baseline, target… in the plan after a year was graded, one sentence per
    change, so that a past grade that differs from what today's figures would give is never a surprise:
    「目標値を183万人から250万人に変更（令和6年度）。令和5年度は変更前の目標値で評価しています。」 (the year in brackets:
    the first graded with the new figure). Years with no record of the KPI are left out: they were graded with
    today's."""
    points = [(p.year, p.graded_as or kpi) for p in series if p.kpi_then and p.rules_then]
    notes = []
    for name, shown in _DEFINITION:
        texts = [(year, shown(k)) for year, k in points]
        for i in range(1, len(texts)):
            (_, before), (year, after) = texts[i - 1], texts[i]
            if before == after:
                continue
            # the years just before the change graded with the old figure (not an earlier spell of the same one)
            graded = [y for j, (y, _) in enumerate(texts[:i]) if all(t == before for _, t in texts[j:i])]
            years = "、".join(format_year(y, fiscal=not kpi.calendar) for y in graded)
            before, after = _without_common_year(before, after)
            notes.append(f"{name}を{before}から{after}に変更（{format_year(year, fiscal=not kpi.calendar)}）。"
                         f"{years}は変更前の{name}で評価しています。")
    return notes


def _without_common_year(before: str, after: str) -> tuple[str, str]:
    """「183万人（令和8年度）」 and 「250万人（令和8年度）」 read 183万人 and 250万人: the year only where it changed."""
    year = before[before.rfind("（"):] if before.endswith("）") else ""
    if year and after.endswith(year) and before != year:
        return before.removesuffix(year), after.removesuffix(year)
    return before, after
