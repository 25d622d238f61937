"""A KPI's series: every year's actual and grade up to the period, as the results hold it (earlier years graded
with the rules stored with their merges, never regraded here; the period's own year last, with a shared KPI's
combined value and an override applied)."""
from __future__ import annotations

from dataclasses import dataclass

from kpireport.evaluate.results import PeriodResults
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
    """Every year of ``kpi``'s plan up to the period, oldest first: the earlier years as the results' series holds
    them, then the period's own as its evaluation says (the one place a shared value or override is applied)."""
    year = data.period.fiscal_year
    points = [YearPoint(point.year, point.stored, point.evaluation)
              for point in data.series.get(kpi.id, ()) if point.year < year]
    points.append(YearPoint(year, data.values.get(kpi.id), data.evaluations[kpi.id]))
    return points
