"""The data's own year: much official data lags (the 2025 report carries the 2023 figure). When the 時点 in the
value (「7,612千円（平成27年度）」) or the 時点 the department typed (「R5年度末」) is an earlier fiscal year than the
report's, the KPI is graded against the expected value of that year and shown with it (「7,612千円（H27年度）」)."""
from __future__ import annotations

from kpireport.history.store import StoredKpiValue
from kpireport.periods import data_year_of
from kpireport.values import format_year


def data_year(stored: StoredKpiValue | None, fiscal_year: int) -> int | None:
    """The fiscal year the value is of, when earlier than ``fiscal_year``; None when it is the report's own year
    (or says nothing). The year in the value comes first, then the typed 時点."""
    if stored is None or not stored.value.is_number:
        return None
    year = data_year_of(stored.value, stored.as_of)
    return year if year is not None and year < fiscal_year else None


def year_note(year: int, calendar: bool = False) -> str:
    """「（H27年度）」 after an actual, 「（H27年）」 for a calendar-year KPI."""
    return f"（{format_year(year, 'short')}{'年' if calendar else '年度'}）"


def working_note(year: int, fiscal_year: int) -> str:
    """The working's first sentence for lagging data."""
    return (f"実績は{format_year(year)}のデータのため、{format_year(year)}の想定値と比べて評価します"
            f"（報告は{format_year(fiscal_year)}）。")
