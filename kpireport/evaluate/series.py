"""Over the years: every year's actual, rate and grade of each KPI, each past year graded with the rules stored
with that year's last merge (never silently regraded with today's). A year whose rules were not stored (a
history from before they were, a year known only from imported records) is graded with today's rules and
says so."""
from __future__ import annotations

from dataclasses import dataclass, replace

from kpireport.evaluate.data_year import data_year, working_note
from kpireport.evaluate.rules import evaluate_kpi
from kpireport.history.in_force import KpiInForce, year_standing
from kpireport.history.rules_record import rules_from_record, rules_of
from kpireport.history.store import History, StoredKpiValue
from kpireport.model import Evaluation, Grade, Kpi, Override, Plan, Settings

TODAYS_RULES = "当時の評価基準の記録がないため、現在の評価区分で評価しています。"


@dataclass(frozen=True)
class YearGrade:
    """One year of a KPI's series: the actual in force, the year its data is of (when earlier) and the grade."""

    year: int  # the report's fiscal year
    evaluation: Evaluation
    stored: StoredKpiValue | None
    data_year: int | None = None  # the fiscal year the data is of, when earlier than ``year``
    rules_then: bool = True  # graded with the rules stored then (False: today's, no record)


@dataclass(frozen=True)
class _Rules:
    grades: tuple[Grade, ...]
    settings: Settings
    then: bool


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
    return _Rules(grades, settings, True)


def _grade_year(kpi: Kpi, year: int, standing: KpiInForce, rules: _Rules, override: Override | None) -> YearGrade:
    stored = standing.value  # None: a shared KPI's year with nothing that stood (its parts incomplete)
    lag = data_year(stored, year)
    evaluation = evaluate_kpi(kpi, stored.value if stored else None, lag or year, rules.grades, rules.settings,
                              provisional=bool(stored and stored.provisional), override=override,
                              reason=stored.reason if stored else "")
    evaluation = with_lead(evaluation, working_note(lag, year) if lag else "")
    if standing.working:  # how a shared KPI's value was arrived at comes first, as in the year's own report
        evaluation = with_lead(evaluation, f"{standing.working}。")
    if not rules.then:
        evaluation = replace(evaluation, working=evaluation.working + TODAYS_RULES)
    return YearGrade(year, evaluation, stored, lag, rules.then)


def with_lead(evaluation: Evaluation, lead: str) -> Evaluation:
    """The evaluation with ``lead`` before its working (how the value was arrived at, the data's year)."""
    return replace(evaluation, working=lead + evaluation.working) if lead else evaluation


def previous(series: tuple[YearGrade, ...], fiscal_year: int) -> YearGrade | None:
    """The year before ``fiscal_year`` in a KPI's series, if it has one."""
    return next((point for point in series if point.year == fiscal_year - 1), None)
