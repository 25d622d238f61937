"""The data's own year: much official data lags (the 2025 report carries the 2023 figure). When the 時点 in the
value (「7,612千円（平成27年度）」) or the 時点 the department typed (「R5年度末」) is an earlier fiscal year than the
report's, the KPI is graded against the expected value of that year and shown with it (「7,612千円（H27年度）」).
A figure of a year before the plan's base year says nothing about the plan's path: it is not graded (rules)."""
from __future__ import annotations

from kpireport.history.store import StoredKpiValue
from kpireport.periods import data_year_of
from kpireport.values import format_period, format_year, note_year, period_of, with_written_words


def figure_year(stored: StoredKpiValue | None) -> int | None:
    """The fiscal year the figure is of, as its text or its 時点 says (the year in the value comes first, then the
    typed 時点); None when neither names one."""
    if stored is None or not stored.value.is_number:
        return None
    return data_year_of(stored.value, stored.as_of)


def data_year(stored: StoredKpiValue | None, fiscal_year: int) -> int | None:
    """The fiscal year the value is of, when earlier than ``fiscal_year``; None when it is the report's own year
    (or says nothing)."""
    year = figure_year(stored)
    return year if year is not None and year < fiscal_year else None


def year_note(year: int, calendar: bool = False) -> str:
    """「（H27年度）」 after an actual, 「（H27年）」 for a calendar-year KPI."""
    return f"（{format_year(year, 'short')}{'年' if calendar else '年度'}）"


def shown_year(stored: StoredKpiValue | None, fiscal_year: int, calendar: bool = False) -> str:
    """What follows an actual wherever it is shown (master, site, open data) when the figure is not simply the report
    year's: the span it was written with (「（R3~R5）」), else the year its data is of, earlier or later
    (「（H26年度）」「（R6年度）」); "" for the report year's own figure. The master, the report and the site so say
    the same about one cell."""
    if stored is None or not stored.value.is_number:
        return ""
    period = period_of(stored.value)
    if period is not None and period == note_year(with_written_words(stored.value).note):
        return ""  # its note says the year itself, as shown: 「19.7%(H28年度卒業生)」
    if period is not None and period.end is not None and period.end != period.start:
        return f"（{format_period(period)}）"
    year = figure_year(stored)
    return year_note(year, calendar) if year is not None and year != fiscal_year else ""


def working_note(year: int, fiscal_year: int, base_year: int | None = None) -> str:
    """The working's first sentence for lagging data ("" for data before the base year: the grading says why it is
    not graded)."""
    if base_year is not None and year < base_year:
        return ""
    return (f"実績は{format_year(year)}のデータのため、{format_year(year)}の想定値と比べて評価します"
            f"（報告は{format_year(fiscal_year)}）。")
