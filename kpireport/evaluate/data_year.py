"""The data's own year: much official data lags (the 2025 report carries the 2023 figure). When the 時点 in the
value (「7,612千円（平成27年度）」) or the 時点 the department typed (「R5年度末」) is an earlier fiscal year than the
report's, the KPI is graded against the expected value of that year and shown with it (「7,612千円（H27年度）」).
A figure of a year before the plan's base year says nothing about the plan's path: it is not graded (rules)."""
from __future__ import annotations

from kpireport.history.store import StoredKpiValue
from kpireport.periods import data_year_of
from kpireport.values import fiscal_year_of, format_period, format_year, note_year, period_of, with_written_words


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
    year's: the span it was written with (「（R3~R5）」), else the year its data is of when earlier (「（H26年度）」);
    a figure of a later year is graded as the report year's, so it shows its year or 時点 as written, never as a later
    year's data (「15人(R6)」「60人（R6.4.1時点）」); "" for the report year's own figure. The master, the report and
    the site so say the same about one cell. (Their value texts are read back from the history without the year.)"""
    return kept_year(stored, fiscal_year) + data_year_note(stored, fiscal_year, calendar)


def kept_year(stored: StoredKpiValue | None, fiscal_year: int) -> str:
    """The year written in the value, as written (「(R5)」), where the year shown is not simply the one it names: a
    bare year its 時点 reads as another fiscal year (「11事業者(R5)」 with 「R5.3末」 is 令和4年度's), or a later year
    graded as the report year's; "" otherwise (a span is shown by data_year_note)."""
    if stored is None or not stored.value.is_number:
        return ""
    period = period_of(stored.value)
    if period is None or (period.end is not None and period.end != period.start):
        return ""
    if period == note_year(with_written_words(stored.value).note):
        return ""  # its note says the year itself, as shown: 「19.7%(H28年度卒業生)」
    year = figure_year(stored)
    own = fiscal_year_of(period)
    if year is not None and (year != own or own > fiscal_year):
        return f"({format_period(period)}{'年度' if period.fiscal and period.month is None else ''})"  # as format_value writes it
    return ""


def data_year_note(stored: StoredKpiValue | None, fiscal_year: int, calendar: bool = False) -> str:
    """The span or the data's year after an actual (shown_year without the year written in the value): for a text
    that keeps its written year (the report prints 「11事業者(R5)」 as typed) only what the grading adds to it."""
    if stored is None or not stored.value.is_number:
        return ""
    period = period_of(stored.value)
    if period is not None and period == note_year(with_written_words(stored.value).note):
        return ""
    if period is not None and period.end is not None and period.end != period.start:
        return f"（{format_period(period)}）"
    year = figure_year(stored)
    if year is None or year == fiscal_year:
        return ""
    if year < fiscal_year:
        return year_note(year, calendar)
    # later: graded as the report year's (kpi-data-after / kpi-asof-after); its 時点 as written, the year in the value
    # being shown by kept_year
    return "" if period is not None else f"（{_as_of_text(stored.as_of)}）"


def _as_of_text(as_of: str) -> str:
    """「R6.4.1時点」 for a typed 時点 (「R6.4.1現在」 kept as typed)."""
    typed = as_of.strip()
    return typed if typed.endswith(("時点", "現在")) else f"{typed}時点"


def graded_year(stored: StoredKpiValue | None, fiscal_year: int) -> int:
    """The fiscal year the figure was graded at (its data's, when earlier; else the report's): open data's データの年度."""
    return data_year(stored, fiscal_year) or fiscal_year


def working_lead(stored: StoredKpiValue | None, fiscal_year: int, base_year: int | None = None) -> str:
    """The working's first sentence when the figure is not the report year's: lagging data is graded at its year
    (working_note); a later year's figure as the report year's, said in the same words whether the later year was
    written in the value (「15人(R6)」) or in the 時点 (「R6.4.1」)."""
    lag = data_year(stored, fiscal_year)
    if lag is not None:
        return working_note(lag, fiscal_year, base_year)
    year = figure_year(stored)
    if stored is None or year is None or year <= fiscal_year:
        return ""
    period = period_of(stored.value)
    said = f"値の年（{format_period(period)}）" if period is not None else f"時点（{stored.as_of.strip()}）"
    return (f"実績の{said}は{format_year(year)}ですが、報告は{format_year(fiscal_year)}のため、"
            f"{format_year(fiscal_year)}の値として評価します。")


def working_note(year: int, fiscal_year: int, base_year: int | None = None) -> str:
    """The working's first sentence for lagging data ("" for data before the base year: the grading says why it is
    not graded)."""
    if base_year is not None and year < base_year:
        return ""
    return (f"実績は{format_year(year)}のデータのため、{format_year(year)}の想定値と比べて評価します"
            f"（報告は{format_year(fiscal_year)}）。")
