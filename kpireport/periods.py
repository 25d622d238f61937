"""Reporting periods: a fiscal year's final 実績, or a month's progress update (見込み) during the year."""
from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kpireport.model import Period, Value
from kpireport.values import ERA_PATTERN, fiscal_year_of, format_year, parse_year, period_of

_ISO_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")


@dataclass(frozen=True, order=True)
class ReportPeriod:
    """``fiscal_year`` is western (2023 = 令和5年度). ``month`` (1–12) marks a monthly update."""

    fiscal_year: int
    month: int | None = None

    @property
    def is_monthly(self) -> bool:
        return self.month is not None

    @property
    def calendar_year(self) -> int:
        """The calendar year of a monthly update (January–March fall in the next calendar year)."""
        if self.month is None:
            return self.fiscal_year
        return self.fiscal_year if self.month >= 4 else self.fiscal_year + 1

    @property
    def position(self) -> tuple[int, int]:
        """Where the period falls in time: by fiscal year, April's update first and the annual 実績 after March's."""
        return self.fiscal_year, 12 if self.month is None else (self.month - 4) % 12

    @property
    def key(self) -> str:
        """Stable text key: "2023" for 令和5年度 実績, "2023-09" for 令和5年9月."""
        return str(self.fiscal_year) if self.month is None else f"{self.calendar_year}-{self.month:02d}"

    @property
    def label(self) -> str:
        """Japanese label: 「令和5年度 実績」 or 「令和5年9月 進捗（見込み）」."""
        if self.month is None:
            return f"{format_year(self.fiscal_year)} 実績"
        return f"{format_year(self.calendar_year, fiscal=False)}{self.month}月 進捗（見込み）"

    @property
    def file_label(self) -> str:
        """For file and folder names: 「令和5年度_実績」 or 「令和5年9月_進捗」."""
        if self.month is None:
            return f"{format_year(self.fiscal_year)}_実績"
        return f"{format_year(self.calendar_year, fiscal=False)}{self.month}月_進捗"


def parse_period(text: Any) -> ReportPeriod | None:
    """Read 2023, "R5", "令和5年度" (annual) or "2023-09", "R5.9", "令和5年9月" (monthly). None if unreadable."""
    if text is None:
        return None
    normal = unicodedata.normalize("NFKC", str(text)).strip()
    match = _ISO_MONTH.match(normal)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        return _monthly(year, month)
    period = parse_year(normal)
    if period is None or period.end is not None:
        return None
    if period.month is not None:
        return _monthly(period.start, period.month)
    return ReportPeriod(period.start)


def _monthly(calendar_year: int, month: int) -> ReportPeriod | None:
    if not 1 <= month <= 12:
        return None
    return ReportPeriod(calendar_year if month >= 4 else calendar_year - 1, month)


# --- 時点: the date a value was taken, as people write it --------------------------------------------

_YEAR = rf"(?P<year>(?:{ERA_PATTERN})\.?(?:[0-9]{{1,2}}|元)(?:年度|年)?|[0-9]{{4}}(?:年度|年)?)"
_THEN = r"(?:(?<=年)|(?<=度)|[./\-])"  # between a year and its month: 年, or a separator (H31.3 is not H3 1.3)
_AS_OF_FORMS = [re.compile(pattern, re.IGNORECASE) for pattern in (
    _YEAR + _THEN + r"(?P<month>[0-9]{1,2})[./\-月](?P<day>[0-9]{1,2})日?",  # R6.3.31 2024/3/31 令和6年3月31日
    _YEAR + _THEN + r"(?P<month>[0-9]{1,2})月?",  # R6.3 2024/3 令和6年3月
    _YEAR,  # 令和5年度 2024年
    r"(?P<month>[0-9]{1,2})[./月](?P<day>[0-9]{1,2})日?",  # 3/31 3月31日: the year of the period
    r"(?P<month>[0-9]{1,2})月",  # 3月
)]
_AS_OF_WORDS = re.compile(r"(時点|現在|の値|見込み|速報値?)$")


@lru_cache(maxsize=4096)  # a form's 時点 texts repeat on every row
def as_of_date(text: str, period: ReportPeriod | None = None) -> dt.date | None:
    """The date a 時点 names: 「令和6年3月末」「2024年3月末」「R6.3.31」「2024/3/31」「令和5年度末」「3/31」.
    A month without a day is its last day, a year its end (a fiscal year's: 31 March); a month and day
    without a year fall in ``period``'s fiscal year. None when the text is not such a date."""
    normal = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))
    normal = _AS_OF_WORDS.sub("", normal)
    normal = normal[:-1] if normal.endswith("末") else normal
    for form in _AS_OF_FORMS:
        match = form.fullmatch(normal)
        if match:
            return _date_of(match.groupdict(), period)
    return None


def data_year_of(value: Value, as_of: str) -> int | None:
    """The fiscal year a value's data is of: the year its text names (「7,612千円（平成27年度）」), else the year of
    the 時点 the department typed (「R6.3末」 is the end of 令和5年度); None when neither says. A bare year in the
    text (「11事業者(R5)」) may be the calendar year, whose January to March close the fiscal year before: when the
    時点 fits it (「R5.3末」), the 時点's fiscal year is the data's, the more precise of the two."""
    period = period_of(value)
    if period is None:
        return as_of_fiscal_year(as_of)
    as_of_year = as_of_fiscal_year(as_of) if as_of else None
    return as_of_year if as_of_year is not None and as_of_year in years_meant(period) else fiscal_year_of(period)


def years_meant(written: Period) -> set[int]:
    """The fiscal years a value's written year may mean: exactly one with 年度 or a month (R5年度, H26.12); a bare
    「R6」 may be the calendar year, whose January to March close the fiscal year before (令和6年3月: 令和5年度)."""
    year = fiscal_year_of(written)
    return {year} if written.fiscal or written.month is not None else {year - 1, year}


def as_of_fiscal_year(text: str, period: ReportPeriod | None = None) -> int | None:
    """The fiscal year (April to March) a typed 時点 falls in: 「R6.3末」 is the end of 令和5年度; None when the text
    is not a date (as_of_date)."""
    date = as_of_date(text, period)
    if date is None:
        return None
    return date.year if date.month >= 4 else date.year - 1


def _date_of(parts: dict[str, str | None], period: ReportPeriod | None) -> dt.date | None:
    month_text, day_text, year_text = parts.get("month"), parts.get("day"), parts.get("year")
    month = int(month_text) if month_text else None
    day = int(day_text) if day_text else None
    if month is not None and not 1 <= month <= 12:
        return None
    if year_text:
        written = parse_year(year_text)
        if written is None:
            return None
        year, fiscal = written.start, written.fiscal
        if month is None:
            return dt.date(year + 1, 3, 31) if fiscal else dt.date(year, 12, 31)
        if fiscal and month <= 3:  # 令和5年度3月: the March of that fiscal year
            year += 1
    elif period is not None and month is not None:  # the forms without a year all have a month
        year = period.fiscal_year + 1 if month <= 3 else period.fiscal_year
    else:
        return None
    last = calendar.monthrange(year, month)[1]
    if day is not None and not 1 <= day <= last:
        return None
    return dt.date(year, month, day or last)
