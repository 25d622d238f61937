"""Read and write values the way Japanese municipal staff write them.

A KPI cell may hold ``38,039人 (H25)``, ``年平均3.4件 (H22~H26)``, ``2社 (5年間累計)``, ``維持``,
``－`` or a float with a ``0.0%`` number format. :func:`parse_value` turns any of these into a
:class:`~kpireport.model.Value`; :func:`format_value` and :func:`format_number` write them back.
Era years (H26, 令和元年度, H27・28) are read by :func:`parse_year` and written by
:func:`format_year` / :func:`format_period`.

Nothing here raises on data: what cannot be read is returned as ``status="unreadable"`` (or
``None`` for years) and kept verbatim for a person to look at.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from japanera import ERA_DATA_GENERAL

from kpireport.model import Period, Value

__all__ = [
    "SCALES",
    "parse_value",
    "period_of",
    "format_number",
    "format_value",
    "split_scale",
    "units_compatible",
    "parse_year",
    "note_year",
    "fiscal_year_of",
    "to_western",
    "year_of",
    "format_year",
    "format_period",
]

# ---------------------------------------------------------------------------
# Scales and units
# ---------------------------------------------------------------------------

SCALES: dict[str, int] = {"千": 3, "万": 4, "百万": 6, "千万": 7, "億": 8}
"""Scale prefixes of units and their powers of ten (124万人 -> 124 × 10^4 人)."""

_SCALES_LONGEST_FIRST = sorted(SCALES, key=len, reverse=True)

# minus-like characters read as '-' (NFKC already turns '－' into '-'), and the wave dash as '~'
_DASH_MAP = str.maketrans({"−": "-", "‐": "-", "‑": "-", "‒": "-", "–": "-", "﹣": "-", "〜": "~"})


def split_scale(unit_text: str) -> tuple[str, str]:
    """Split a leading scale off a unit: '百万円' -> ('百万', '円'); '万' -> ('', '万')."""
    if not isinstance(unit_text, str):
        return "", ""
    text = unicodedata.normalize("NFKC", unit_text).strip()
    for scale in _SCALES_LONGEST_FIRST:
        if text.startswith(scale):
            rest = text[len(scale):]
            return (scale, rest) if rest else ("", text)
    return "", text


def units_compatible(a: str, b: str) -> bool:
    """True when both units have the same base unit ('百万円' and '円'; '' and 'なし')."""

    def base(unit: str) -> str:
        found = split_scale(unit)[1]
        return "" if found == "なし" else found

    return base(a) == base(b)


# ---------------------------------------------------------------------------
# Era years
# ---------------------------------------------------------------------------


def _modern_eras() -> list:
    """Eras from 明治 onward, oldest first, taken from japanera."""
    meiji = next(e for e in ERA_DATA_GENERAL if e.kanji == "明治")
    return sorted((e for e in ERA_DATA_GENERAL if e.since >= meiji.since), key=lambda e: e.since)


_ERAS = _modern_eras()
_ERA_BY_NAME = {e.kanji: e for e in _ERAS} | {e.english_head.upper(): e for e in _ERAS}
ERA_PATTERN = "|".join(e.kanji for e in _ERAS) + "|[" + "".join(e.english_head for e in _ERAS) + "]"  # 令和, R, …
_SINGLE_YEAR_RE = re.compile(
    rf"(?:(?P<era>{ERA_PATTERN})\.?(?P<ey>[0-9]{{1,2}}|元)|(?P<wy>[0-9]{{4}}))"
    r"(?P<suffix>年度|年)?"
    r"(?:[./](?P<m1>[0-9]{1,2})月?|(?P<m2>[0-9]{1,2})月)?"
    r"末?",
    re.IGNORECASE,
)
_BARE_ERA_YEAR_RE = re.compile(r"(?P<ey>[0-9]{1,2}|元)(?P<suffix>年度|年)?末?")
_SPAN_SEPARATORS_RE = re.compile(r"[~\-・]")
_WESTERN_YEAR_RANGE = range(1000, 10000)


def to_western(era: str, year: int) -> int | None:
    """Western year of an era year: ('平成', 26) -> 2014, ('R', 1) -> 2019; None if unknown."""
    try:
        found = _ERA_BY_NAME.get(unicodedata.normalize("NFKC", era).strip().upper())
        year = int(year)
    except Exception:
        return None
    if found is None or year < 1:
        return None
    return found.relative_year_to_absolute_year(year)


def _normalise_year_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_DASH_MAP)
    return re.sub(r"\s+", "", text)


def _single_year(text: str) -> tuple[int, int | None, bool, str | None] | None:
    """(western year, month, fiscal, era kanji) of one year such as 'H26.12' or '2023年度'."""
    m = _SINGLE_YEAR_RE.fullmatch(text)
    if not m:
        return None
    era = None
    if m["era"]:
        era = _ERA_BY_NAME[m["era"].upper()]
        year = to_western(era.kanji, 1 if m["ey"] == "元" else int(m["ey"]))
    else:
        year = int(m["wy"])
    month_text = m["m1"] or m["m2"]
    month = int(month_text) if month_text else None
    if year is None or (month is not None and not 1 <= month <= 12):
        return None
    return year, month, m["suffix"] == "年度", era.kanji if era else None


def _span_end(text: str, era: str | None) -> tuple[int, bool] | None:
    """(western year, fiscal) of a span's second part; 'H27・28' lets it omit the era."""
    single = _single_year(text)
    if single is not None:
        return (single[0], single[2]) if single[1] is None else None
    m = _BARE_ERA_YEAR_RE.fullmatch(text)
    if m and era is not None:
        year = to_western(era, 1 if m["ey"] == "元" else int(m["ey"]))
        return (year, m["suffix"] == "年度") if year is not None else None
    return None


def _parse_year_text(text: str) -> Period | None:
    parts = _SPAN_SEPARATORS_RE.split(_normalise_year_text(text))
    if len(parts) == 1:
        single = _single_year(parts[0])
        return Period(single[0], month=single[1], fiscal=single[2]) if single else None
    if len(parts) != 2:
        return None
    first, second = _single_year(parts[0]), None
    if first is None or first[1] is not None:
        return None
    second = _span_end(parts[1], first[3])
    if second is None or second[0] < first[0]:
        return None
    fiscal = first[2] or second[1]
    if second[0] == first[0]:
        return Period(first[0], fiscal=fiscal)
    return Period(first[0], second[0], fiscal=fiscal)


def parse_year(text_or_int: Any) -> Period | None:
    """Read a year as written: 2023, 'H26', '令和元年度', 'H26.12', 'H22～H26', 'H27・28'.

    Returns None when the input is not a year. Never raises.
    """
    try:
        if isinstance(text_or_int, bool):
            return None
        if isinstance(text_or_int, (int, float, Decimal)):
            number = Decimal(repr(text_or_int)) if isinstance(text_or_int, float) else Decimal(text_or_int)
            if not number.is_finite() or not 3 <= number.adjusted() <= 3:
                return None
            if number != number.to_integral_value():
                return None
            year = int(number)
            return Period(year) if year in _WESTERN_YEAR_RANGE else None
        if isinstance(text_or_int, str):
            return _parse_year_text(text_or_int)
    except Exception:
        return None
    return None


def year_of(text_or_int: Any) -> int | None:
    """The (start) western year of a written year, or None: 'H26' -> 2014."""
    period = parse_year(text_or_int)
    return period.start if period else None


def fiscal_year_of(period: Period) -> int:
    """The fiscal year (April to March) a written period's figure is of: a span's last year (年平均 over H27~H28 is
    known after H28), a month in the fiscal year it falls in (H26.12 -> H26年度, R6.3 -> R5年度), else its year."""
    if period.month is not None:
        return period.start if period.month >= 4 else period.start - 1
    return period.end or period.start


def _era_of(year: int) -> Any:  # a japanera Era (the library has no type hints)
    """The newest era that had begun by ``year`` (2019 -> 令和), or None before 明治."""
    for era in reversed(_ERAS):
        if era.since.year <= year:
            return era
    return None


def format_year(year: int, style: str = "long", fiscal: bool = True, era_of_year: int | None = None) -> str:
    """Write a western year as an era year: 2023 -> '令和5年度'; style='short': 2014 -> 'H26'.

    ``era_of_year``: keep the era of that year while the year still began in it, as documents
    written in that era do (a plan of 2015 writes its 2019 target as 'H31', not 'R1').
    """
    try:
        year = int(year)
    except Exception:
        return str(year)
    era = _era_of(year)
    base = _era_of(era_of_year) if era_of_year is not None else None
    if base is not None and base.since.year <= year and (base.until is None or _dt.date(year, 1, 1) < base.until):
        era = base
    suffix = "年度" if fiscal else "年"
    if era is None:
        return str(year) if style == "short" else f"{year}{suffix}"
    relative = year - era.since.year + 1
    if style == "short":
        return f"{era.english_head}{relative}"
    return f"{era.kanji}{'元' if relative == 1 else relative}{suffix}"


def format_period(p: Period, style: str = "short") -> str:
    """Write a period: 'H26', 'H26.12', 'H22~H26'; style='long': '平成28年度', '令和2年度～令和6年度'."""
    try:
        if p.end is not None and p.end != p.start:
            separator = "~" if style == "short" else "～"
            return (
                format_year(p.start, style, p.fiscal) + separator + format_year(p.end, style, p.fiscal)
            )
        if p.month is not None:
            if style == "short":
                return f"{format_year(p.start, 'short')}.{p.month}"
            return f"{format_year(p.start, 'long', fiscal=False)}{p.month}月"
        return format_year(p.start, style, p.fiscal)
    except Exception:
        return ""


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------

_MAX_EXPONENT = 30  # |number| beyond 10^30 (or a non-zero one below 10^-30) is not a KPI value
_EXCEL_DIGITS = 15  # Excel keeps 15 significant digits; float noise beyond that is dropped


def _tidy(d: Decimal) -> Decimal:
    """The same number without trailing fractional zeros or exponent: 22.700 -> 22.7, 1E+3 -> 1000."""
    exponent = d.as_tuple().exponent
    if not isinstance(exponent, int):  # NaN and infinity: their exponent is a letter
        return d
    if d == 0:
        return Decimal(0)
    digits = len(d.as_tuple().digits)
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, digits + max(exponent, 0) + 2)
        if d == d.to_integral_value():
            return d.quantize(Decimal(1))
        return d.normalize()


def _plausible(d: Decimal) -> bool:
    return d.is_finite() and (d == 0 or -_MAX_EXPONENT <= d.adjusted() <= _MAX_EXPONENT)


def format_number(number: Decimal, unit: str = "", scale: str = "", negative: str = "△") -> str:
    """Write a number in Japanese style: (Decimal('1240000'), '人', '万') -> '124万人'.

    Thousands separators, the number's own decimals, the scale divided out, ``negative`` (△)
    instead of a minus sign, never scientific notation.
    """
    try:
        d = number if isinstance(number, Decimal) else Decimal(str(number))
        if not d.is_finite():
            return f"{d}{scale}{unit}"
        return _format_finite(d, unit, scale, negative)
    except Exception:
        return f"{number}{scale}{unit}"


@functools.lru_cache(maxsize=65_536)  # equal Decimals format alike (trailing zeros are tidied away)
def _format_finite(d: Decimal, unit: str, scale: str, negative: str) -> str:
    with localcontext() as ctx:  # exact: the scale moves the exponent only, normalize drops trailing zeros
        ctx.prec = max(ctx.prec, len(d.as_tuple().digits) + 2)
        d = d.scaleb(-SCALES.get(scale, 0)).normalize()
    text = format(d.copy_abs(), ",f")  # every digit, never an exponent: 1E+3 -> 1,000
    return f"{negative if d < 0 else ''}{text}{scale}{unit}"


# ---------------------------------------------------------------------------
# Reading a cell
# ---------------------------------------------------------------------------

# a cell holding only these means "no value" (not yet collected / not applicable)
_NONE_MARKS = set("-—―‐−ーｰ–‒﹣")
_NUMBER_RE = re.compile(
    r"(?P<sign>[-+△▲])?\s*"
    r"(?P<digits>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
)
_NEGATIVE_SIGNS = "-△▲"
_PAREN_RE = re.compile(r"\(([^()]*)\)")
_CUMULATIVE_YEARS_RE = re.compile(r"([0-9]+)年間?の?累計")
# a unit is letters (any script) and a few symbols; 'm2', 'km3' may end in 2 or 3
_UNIT_RE = re.compile(r"(?:[^\W\d_]|[%‰/°])+(?:(?<=[A-Za-z])[23])?")
# words that must not end up inside a unit: a qualifier in an unexpected place
_NOT_IN_UNIT = ("以上", "以下", "未満", "超", "見込", "速報", "暫定", "維持", "累計", "年平均", "程度", "約", "のべ", "延べ")

# a figure not yet final: 見込み, and the 速報値 / 暫定値 of statistics (each is provisional alike: flagged, graded
# with a note, kept off the public site unless the office publishes them); longest first, so that 「速報値」 is
# never read as 「速報」 and a stray 「値」
_PROVISIONAL_WORDS = ("見込み", "見込", "速報値", "速報", "暫定値", "暫定")
_ESTIMATE_WORDS = ("見込み", "見込")  # written back as （見込み）; the others as the department wrote them

# qualifier written before the number -> field set on the value
# のべ/延べ is a gross count (each visit counted): within one year or over the plan period, as the plan's
# 集計方法 says, so it is kept apart from 累計
_LEADING = (("年平均", "annual_average"), ("のべ", "gross"), ("延べ", "gross"),
            ("延", "gross"), ("累計", "cumulative"), ("約", "approximate"),
            *((word, "provisional") for word in _PROVISIONAL_WORDS))
# qualifier written after the unit -> field set on the value
_TRAILING = (("以上", "bound"), ("以下", "bound"),
             *((word, "provisional") for word in _PROVISIONAL_WORDS),
             ("維持", "maintain"), ("累計", "cumulative"), ("程度", "approximate"))


class _Unreadable(Exception):
    """Internal: the text cannot be read without guessing."""


@dataclass
class _Parts:
    """What has been read so far from one text cell."""

    period: Period | None = None
    cumulative: bool = False
    cumulative_years: int | None = None
    gross: bool = False
    annual_average: bool = False
    bound: str = ""
    maintain: bool = False
    provisional: bool = False
    provisional_word: str = ""
    approximate: bool = False
    notes: tuple[str, ...] = ()
    note_period: Period | None = None  # a year inside a note (「H28年度卒業生」): the period when none is written apart

    def set_period(self, period: Period) -> None:
        if self.period is not None and self.period != period:
            raise _Unreadable("two different periods")
        self.period = period

    def set_bound(self, bound: str) -> None:
        if self.bound and self.bound != bound:
            raise _Unreadable("both 以上 and 以下")
        self.bound = bound

    def set_provisional(self, word: str) -> None:
        self.provisional = True
        if word not in _ESTIMATE_WORDS:
            self.provisional_word = word

    def fields(self) -> dict:
        return {
            "period": self.period or self.note_period,
            "cumulative": self.cumulative,
            "cumulative_years": self.cumulative_years,
            "gross": self.gross,
            "annual_average": self.annual_average,
            "bound": self.bound,
            "maintain": self.maintain,
            "provisional": self.provisional,
            "provisional_word": self.provisional_word,
            "approximate": self.approximate,
            "note": " ".join(self.notes),
        }


def _normalise(text: str) -> str:
    """NFKC (full-width digits, ％, ，, （）, spaces), minus-like signs to '-', single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_DASH_MAP)
    return re.sub(r"\s+", " ", text).strip()


def _is_none_mark(text: str) -> bool:
    return bool(text) and all(c in _NONE_MARKS for c in text.replace(" ", ""))


def _read_annotation(content: str, parts: _Parts) -> bool:
    """Apply a parenthesised annotation ('H25', '累計', '5年間累計', '見込み'); False if not understood."""
    text = content.replace(" ", "")
    if text == "累計":
        parts.cumulative = True
        return True
    if text in ("のべ", "延べ"):
        parts.gross = True
        return True
    m = _CUMULATIVE_YEARS_RE.fullmatch(text)
    if m:
        parts.cumulative, parts.cumulative_years = True, int(m[1])
        return True
    if text == "年平均":
        parts.annual_average = True
        return True
    for word in _PROVISIONAL_WORDS:  # '見込み', '速報値', also 'R5見込み'
        if text.endswith(word):
            year_text = text[: -len(word)]
            period = parse_year(year_text) if year_text else None
            if year_text and period is None:
                return False
            if period is not None:
                parts.set_period(period)
            parts.set_provisional(word)
            return True
    period = parse_year(text)
    if period is None:
        return False
    parts.set_period(period)
    return True


# a year written inside a note: an era year (H28, 平成28年度, R6.3), or a western one with 年 or a month (2016年度);
# not a letter or figure of a longer word before it, nor a figure after it
_YEAR_IN_NOTE_RE = re.compile(
    rf"(?<![A-Za-z0-9])(?:(?:{ERA_PATTERN})\.?(?:[0-9]{{1,2}}|元)|[0-9]{{4}}(?=年|[./][0-9]))"
    r"(?:年度|年)?(?:[./][0-9]{1,2}月?|[0-9]{1,2}月)?末?(?![0-9])",
    re.IGNORECASE,
)


def note_year(note: str) -> Period | None:
    """The first year a note names (「H28年度卒業生」 -> H28, 「R6.3.31現在」 -> R6.3): the figure is of that year, so
    it is never taken for the report year's (None when the note names none)."""
    for m in _YEAR_IN_NOTE_RE.finditer(_normalise_year_text(note)):
        period = parse_year(m[0])
        if period is not None:
            return period
    return None


def _take_annotations(text: str, parts: _Parts) -> str:
    """Remove every '(…)' group, applying those understood and keeping the rest as notes."""

    def apply(m: re.Match) -> str:
        content = m[1].strip()
        if content and not _read_annotation(content, parts):
            parts.notes += (content,)
            parts.note_period = parts.note_period or note_year(content)
        return " "

    return _PAREN_RE.sub(apply, text).strip()


def _take_trailing_year(text: str, parts: _Parts) -> str:
    """'2,000人 R5' -> '2,000人' with period 2023 (an era or 年 is required, not a bare 2023)."""
    head, _, tail = text.rpartition(" ")
    if not head or tail.isdigit():
        return text
    period = parse_year(tail)
    if period is None:
        return text
    parts.set_period(period)
    return head.strip()


def _apply_qualifier(word: str, field: str, parts: _Parts) -> None:
    if field == "bound":
        parts.set_bound(word)
    elif field == "provisional":
        parts.set_provisional(word)
    else:
        setattr(parts, field, True)


def _take_qualifiers(text: str, parts: _Parts) -> str:
    """Strip 年平均/のべ/延べ/約/速報値 in front and 以上/以下/見込み/速報値/暫定/維持/累計 behind."""
    changed = True
    while changed:
        changed = False
        for word, field in _LEADING:
            if text.startswith(word):
                _apply_qualifier(word, field, parts)
                text, changed = text[len(word):].strip(), True
        for word, field in _TRAILING:
            if text.endswith(word):
                _apply_qualifier(word, field, parts)
                text, changed = text[: -len(word)].strip(), True
    return text


def _take_number(text: str) -> tuple[Decimal, str]:
    """The number at the start ('△1,234.5') and the text after it."""
    m = _NUMBER_RE.match(text)
    if not m:
        raise _Unreadable("no number")
    rest = text[m.end():]
    if rest[:1] in (",", "."):
        raise _Unreadable("malformed number")
    number = Decimal(m["digits"].replace(",", ""))
    negative = m["sign"] is not None and m["sign"] in _NEGATIVE_SIGNS
    return (number.copy_negate() if negative else number), rest.strip()


def _check_unit(text: str) -> str:
    """The unit text after the number, if it is one word without digits or qualifiers."""
    if text and (not _UNIT_RE.fullmatch(text) or any(w in text for w in _NOT_IN_UNIT)):
        raise _Unreadable("not a unit")
    return text


def _with_scale(number: Decimal, scale: str | int) -> Decimal:
    """``number`` × 10^scale, exactly (scale is a key of SCALES or a power of ten)."""
    power = scale if isinstance(scale, int) else SCALES.get(scale, 0)
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, len(number.as_tuple().digits) + 2)
        return _tidy(number.scaleb(power))


_PARSED: dict[str, Value] = {}  # raw text -> its Value: Values are immutable, plan texts recur everywhere
_PARSED_MAX = 100_000


def _parse_text(raw: str) -> Value:
    """_read_text, remembered (a text that cannot be read raises each time)."""
    found = _PARSED.get(raw)
    if found is None:
        found = _read_text(raw)
        if len(_PARSED) < _PARSED_MAX:
            _PARSED[raw] = found
    return found


def parsed_texts() -> dict[str, Value]:
    """The texts read so far and their Values (the plan cache keeps them with the plan)."""
    return dict(_PARSED)


def remember_parsed(parsed: dict[str, Value]) -> None:
    """Take texts read by an earlier process of the same code (see plan.cache)."""
    for raw, value in parsed.items():
        if len(_PARSED) >= _PARSED_MAX:
            break
        if isinstance(raw, str) and isinstance(value, Value):
            _PARSED.setdefault(raw, value)


def _read_text(raw: str) -> Value:
    """normalise -> annotations -> qualifiers -> number -> unit and scale."""
    text = _normalise(raw)
    if not text or _is_none_mark(text):
        return Value("none", raw)
    parts = _Parts()
    text = _take_annotations(text, parts)
    text = _take_trailing_year(text, parts)
    if _is_none_mark(text):
        return Value("none", raw, **parts.fields())
    text = _take_qualifiers(text, parts)
    if parts.maintain and text in ("", "現状"):  # 維持, 現状維持: keep the baseline, no number
        return Value("maintain", raw, **parts.fields())
    number, unit_text = _take_number(text)
    scale, unit = split_scale(_check_unit(unit_text))
    number = _with_scale(number, scale)
    if not _plausible(number):
        raise _Unreadable("implausible magnitude")
    return Value("number", raw, number=number, unit=unit, scale=scale, **parts.fields())


def _percent_kind(number_format: str | None) -> str:
    """'scaled' for a real % format ('0.0%'), 'literal' for a quoted/escaped one ('0"%"'), else ''."""
    if not isinstance(number_format, str) or "%" not in number_format:
        return ""
    unquoted = re.sub(r'"[^"]*"|\\.', "", number_format)
    return "scaled" if "%" in unquoted else "literal"


def _parse_number(cell: int | float | Decimal, number_format: str | None) -> Value:
    """A numeric cell; a % number format multiplies by 100 (0.227 with '0.0%' -> 22.7 %)."""
    raw = str(cell)
    if isinstance(cell, float):
        if not math.isfinite(cell):
            return Value("unreadable", raw)
        number = Decimal(repr(cell))
        with localcontext() as ctx:
            ctx.prec = _EXCEL_DIGITS
            number = +number
    else:
        number = Decimal(cell)
    if not _plausible(number):
        return Value("unreadable", raw)
    kind = _percent_kind(number_format)
    if kind == "scaled":
        number = _with_scale(number, 2)
    return Value("number", raw, number=_tidy(number), unit="%" if kind else "")


def _raw_text(cell: Any) -> str:
    try:
        return str(cell)
    except Exception:
        return ""


# a text that names a period has 年, a bracket or an era (a bare 2023 is never read as one): see _read_annotation,
# _take_trailing_year and parse_year
_MAY_NAME_A_PERIOD = re.compile(rf"年|[(（]|{ERA_PATTERN}", re.IGNORECASE)


def period_of(value: Value) -> Period | None:
    """The period a value's text names (「7,612千円（平成27年度）」), also for a value read back from the history,
    which keeps the text and not its period. A text that cannot name one is not read again: a long history's
    values are mostly plain numbers."""
    if value.period is not None or not value.raw:
        return value.period
    if not _MAY_NAME_A_PERIOD.search(unicodedata.normalize("NFKC", value.raw)):
        return None
    return parse_value(value.raw).period


# what a text says about its number beyond the number, unit and scale that the history keeps in columns of
# their own: the period is read when asked (period_of), and 見込み is the record's own flag
# (a 速報値 or 暫定 keeps its word, shown as written beside the flag)
_WORDS = ("cumulative", "cumulative_years", "gross", "annual_average", "bound", "maintain", "approximate", "note",
          "provisional_word")
# a text with none of these says nothing more than its number (the history's texts are mostly 「5,121人」)
_MAY_SAY_MORE = re.compile(r"約|程度|累計|のべ|延|年平均|以上|以下|維持|速報|暫定|[(（]")
_UNSAID = {field.name: field.default for field in dataclasses.fields(Value) if field.name in _WORDS}


def with_written_words(value: Value) -> Value:
    """A value read back from the history with what its text says besides the number (「約25人」, 「15,000人
    (暫定値)」, 「138人（累計）」): the master then writes it as the department did, as the report does."""
    if value.status != "number" or not _MAY_SAY_MORE.search(value.raw):
        return value
    words = _written_words(value.raw)
    return dataclasses.replace(value, **dict(words)) if words else value


@functools.lru_cache(maxsize=16_384)  # a long history holds the same texts year after year
def _written_words(raw: str) -> tuple[tuple[str, Any], ...]:
    again = parse_value(raw)
    if again.status != "number":
        return ()
    return tuple((name, getattr(again, name)) for name in _WORDS if getattr(again, name) != _UNSAID[name])


def parse_value(cell: Any, number_format: str | None = None) -> Value:
    """Read one cell as openpyxl gives it (None, str, int, float, Decimal, datetime, …).

    Returns a Value with status number / maintain / none / unreadable. Never raises: what
    cannot be read without guessing is "unreadable" with the input kept verbatim in ``raw``.
    """
    try:
        if cell is None:
            return Value("none", "")
        if isinstance(cell, str):
            return _parse_text(cell)
        if isinstance(cell, (int, float, Decimal)) and not isinstance(cell, bool):
            return _parse_number(cell, number_format)
        return Value("unreadable", _raw_text(cell))
    except Exception:  # _Unreadable, and anything unforeseen: never raise on data
        return Value("unreadable", cell if isinstance(cell, str) else _raw_text(cell))


# ---------------------------------------------------------------------------
# Writing a value
# ---------------------------------------------------------------------------


def format_value(v: Value, negative: str = "△") -> str:
    """Write a value back in the usual order: '年平均3.4件(H22~H26)', '138人(累計)', '50%以上', '3.72ポイント（速報値）'.

    maintain -> '維持'; none -> '－'; unreadable -> the raw text unchanged.
    """
    try:
        if v.status == "none":
            return "－"
        if v.status == "maintain":
            return "維持"
        if v.status != "number" or v.number is None:
            return v.raw
        text = ("約" if v.approximate else "") + ("年平均" if v.annual_average else "") + ("のべ" if v.gross else "")
        text += format_number(v.number, v.unit, v.scale, negative) + v.bound
        text += "維持" if v.maintain else ""
        if v.cumulative:
            text += f"({v.cumulative_years}年間累計)" if v.cumulative_years else "(累計)"
        if v.period is not None and v.period != note_year(v.note):  # 「(H28年度卒業生)」 says its year itself
            text += f"({format_period(v.period)})"
        if v.provisional_word:
            text += f"（{v.provisional_word}）"
        elif v.provisional:
            text += "（見込み）"
        text += f"({v.note})" if v.note else ""
        return text
    except Exception:
        return getattr(v, "raw", "")


def in_unit(value: Value, unit: str, *, unit_scale: bool = False) -> Value | None:
    """``value`` read in ``unit`` (a KPI's unit; '' when it has none); None when the units differ.

    A bare number takes the unit and its scale (22718 in 百万円 → 22,718百万円). A number written with
    a compatible unit keeps its number, and keeps the scale it was written with unless ``unit_scale``
    asks for the unit's own (as submitted values are shown).
    """
    scale, base = split_scale(unit)
    if not value.unit:
        number = value.number * (Decimal(10) ** SCALES[scale]) if scale and value.number is not None else value.number
        return dataclasses.replace(value, number=number, unit=base, scale=scale)
    if not units_compatible(value.display_unit, unit):
        return None
    return dataclasses.replace(value, unit=base, scale=scale) if unit_scale else value
