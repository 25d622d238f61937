"""How much room Japanese text takes: in terminals, and in spreadsheet cells that wrap.

Spreadsheet programs do not refit row heights when opening a generated file, so writers size
rows from these estimates.
"""
from __future__ import annotations

import math
import unicodedata
from functools import cache, lru_cache

# Japanese line breaking (禁則) may part a number from its unit, a year from 年度 and 令 from 和 ("3 / 人",
# "令和10年 / 度"): no line ends with these, and none starts with the next. Added to the word processor's own
# lists (the Word report's settings, the PDF conversion's in LibreOffice).
NO_LINE_END = "0123456789△▲令平昭"
NO_LINE_START = "度円人件回万"


@lru_cache(maxsize=65_536)  # the same texts (statuses, department names, headings) recur in every table
def display_width(text: str) -> int:
    """Width in half-width units: East Asian wide, full-width and ambiguous characters count 2."""
    if text.isascii():
        return len(text)
    return sum(map(_char_width, text))


@cache
def _char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WFA" else 1


@lru_cache(maxsize=16_384)  # paths, department names and statuses recur on every row
def wrapped_lines(text: str, width: int) -> int:
    """Lines ``text`` takes when wrapped at ``width`` half-width units (each newline starts a line)."""
    width = max(width, 1)
    return sum(max(1, math.ceil(display_width(line) / width)) for line in str(text).split("\n"))


def row_height(cells: list[tuple[str, int]], line_height: float = 14.0, minimum_lines: int = 1) -> float:
    """Row height in points that shows every (text, column width) pair of a wrapped row."""
    lines = max([minimum_lines] + [wrapped_lines(text, size - 1) for text, size in cells if text])
    return line_height * lines + 2
