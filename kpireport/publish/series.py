"""A KPI's series: every year's actual and grade up to the period.

Earlier years are graded again here from the history's annual actuals; the period's own year is what the
results hold (a shared KPI's combined value, an override applied). Kept to this one function so that a stored
per-year series can take its place.
"""
from __future__ import annotations

from dataclasses import dataclass

from kpireport.evaluate.results import PeriodResults
from kpireport.evaluate.rules import evaluate_kpi
from kpireport.history.store import StoredKpiValue
from kpireport.model import Evaluation, Kpi


@dataclass(frozen=True)
class YearPoint:
    year: int
    stored: StoredKpiValue | None  # None: nothing reported for the year
    evaluation: Evaluation

    @property
    def provisional(self) -> bool:
        return self.evaluation.provisional or bool(self.stored and self.stored.provisional)


def kpi_series(kpi: Kpi, data: PeriodResults) -> list[YearPoint]:
    """Every year the history holds for ``kpi`` before the period, then the period's own, oldest first."""
    plan, year = data.plan, data.period.fiscal_year
    points = [YearPoint(y, stored, evaluate_kpi(kpi, stored.value, y, plan.grades, plan.settings,
                                                provisional=stored.provisional))
              for y, stored in sorted(data.history.get(kpi.id, {}).items()) if y < year]
    points.append(YearPoint(year, data.values.get(kpi.id), data.evaluations[kpi.id]))
    return points
