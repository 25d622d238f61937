"""A KPI's series as the site shows it: every year's actual and grade up to the period, exactly as the results
hold it (earlier years graded with the rules stored with their merges, never regraded here; the period's own
year last, with a shared KPI's combined value and an override applied)."""
from __future__ import annotations

from kpireport.evaluate.results import PeriodResults
from kpireport.evaluate.series import YearGrade
from kpireport.model import Kpi


def kpi_series(kpi: Kpi, data: PeriodResults) -> tuple[YearGrade, ...]:
    return data.series.get(kpi.id, ())


def provisional(point: YearGrade) -> bool:
    """A 見込み value: marked so by the department, or graded as one."""
    return point.evaluation.provisional or bool(point.stored and point.stored.provisional)
