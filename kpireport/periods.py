"""Reporting periods: a fiscal year's final 実績, or a month's progress update (見込み) during the year."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Optional

from kpireport.values import format_year, parse_year

_ISO_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")


@dataclass(frozen=True, order=True)
class ReportPeriod:
    """``fiscal_year`` is western (2023 = 令和5年度). ``month`` (1–12) marks a monthly update."""

    fiscal_year: int
    month: Optional[int] = None

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


def parse_period(text: Any) -> Optional[ReportPeriod]:
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


def _monthly(calendar_year: int, month: int) -> Optional[ReportPeriod]:
    if not 1 <= month <= 12:
        return None
    return ReportPeriod(calendar_year if month >= 4 else calendar_year - 1, month)
