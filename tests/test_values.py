"""Values as Japanese municipal staff write them (DOMAIN.md "Values as people actually write them")."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpireport.model import Period, Value
from kpireport.values import (
    SCALES,
    format_number,
    format_period,
    format_value,
    format_year,
    parse_value,
    parse_year,
    period_of,
    split_scale,
    to_western,
    units_compatible,
    with_written_words,
    year_of,
)


def num(raw, number, unit="", scale="", **qualifiers) -> Value:
    """The Value expected for a number cell."""
    return Value("number", raw, number=Decimal(number), unit=unit, scale=scale, **qualifiers)


H25, H26, H28 = Period(2013), Period(2014), Period(2016)

# (cell, number_format, expected Value): every form listed in DOMAIN.md, then Excel realities.
PARSE_CASES = [
    ("8企業(H26)", None, num("8企業(H26)", "8", "企業", period=H26)),
    ("22.7% (H25)", None, num("22.7% (H25)", "22.7", "%", period=H25)),
    ("38,039人 (H25)", None, num("38,039人 (H25)", "38039", "人", period=H25)),
    ("124万人 (H25)", None, num("124万人 (H25)", "1240000", "人", "万", period=H25)),
    ("2.4億円 (H25)", None, num("2.4億円 (H25)", "240000000", "円", "億", period=H25)),
    ("5.3点(H26)", None, num("5.3点(H26)", "5.3", "点", period=H26)),
    ("3.42%(H26)", None, num("3.42%(H26)", "3.42", "%", period=H26)),
    ("8.72人(H26.12)", None, num("8.72人(H26.12)", "8.72", "人", period=Period(2014, month=12))),
    ("年平均3.4件 (H22~H26)", None,
     num("年平均3.4件 (H22~H26)", "3.4", "件", annual_average=True, period=Period(2010, 2014))),
    ("年平均14人 (H27・28)", None,
     num("年平均14人 (H27・28)", "14", "人", annual_average=True, period=Period(2015, 2016))),
    ("138人(累計)", None, num("138人(累計)", "138", "人", cumulative=True)),
    ("2社 (5年間累計)", None, num("2社 (5年間累計)", "2", "社", cumulative=True, cumulative_years=5)),
    ("4回(累計)", None, num("4回(累計)", "4", "回", cumulative=True)),
    ("維持", None, Value("maintain", "維持", maintain=True)),
    ("△244人", None, num("△244人", "-244", "人")),
    ("△160人", None, num("△160人", "-160", "人")),
    ("50%以上", None, num("50%以上", "50", "%", bound="以上")),
    ("80%以上", None, num("80%以上", "80", "%", bound="以上")),
    ("22,718百万円", None, num("22,718百万円", "22718000000", "円", "百万")),
    ("329千万円", None, num("329千万円", "3290000000", "円", "千万")),
    ("57.19ha", None, num("57.19ha", "57.19", "ha")),
    ("3.65ポイント", None, num("3.65ポイント", "3.65", "ポイント")),
    ("1.17", None, num("1.17", "1.17")),
    ("100%", None, num("100%", "100", "%")),
    ("-", None, Value("none", "-")),
    ("—", None, Value("none", "—")),
    # the note keeps its words; the year in it is the figure's (never this year's: findings p2 #3)
    ("19.7% (H28年度卒業生)", None,
     num("19.7% (H28年度卒業生)", "19.7", "%", note="H28年度卒業生", period=Period(2016, fiscal=True))),
    ("進出協定締結数 平成28年度 1社 平成29年度 1社", None,
     Value("unreadable", "進出協定締結数 平成28年度 1社 平成29年度 1社")),
    ("のべ 50 件", None, num("のべ 50 件", "50", "件", gross=True)),
    ("335千人", None, num("335千人", "335000", "人", "千")),
    # what people type in Excel
    ("１２３，４５６人", None, num("１２３，４５６人", "123456", "人")),
    ("５０％", None, num("５０％", "50", "%")),
    ("▲12", None, num("▲12", "-12")),
    ("-12", None, num("-12", "-12")),
    ("−3.5%", None, num("−3.5%", "-3.5", "%")),
    ("1,234", None, num("1,234", "1234")),
    (0.5, "0%", num("0.5", "50", "%")),
    (0.227, "0.0%", num("0.227", "22.7", "%")),
    (22.7, '0.0"%"', num("22.7", "22.7", "%")),  # a quoted % is only a label: no ×100
    (38039.0, None, num("38039.0", "38039")),
    (38039, "#,##0", num("38039", "38039")),
    (0.1, None, num("0.1", "0.1")),
    (0.1 + 0.2, None, num("0.30000000000000004", "0.3")),  # Excel's 15 significant digits
    (Decimal("22.70"), None, num("22.70", "22.7")),
    (" 22.7 % ", None, num(" 22.7 % ", "22.7", "%")),
    ("120人（見込み）", None, num("120人（見込み）", "120", "人", provisional=True)),
    ("120人 (見込)", None, num("120人 (見込)", "120", "人", provisional=True)),
    ("120人見込み", None, num("120人見込み", "120", "人", provisional=True)),
    # 速報値 and 暫定 are provisional like 見込み, bracketed or not, before or after the number; their word is kept
    ("3.72ポイント (速報値)", None,
     num("3.72ポイント (速報値)", "3.72", "ポイント", provisional=True, provisional_word="速報値")),
    ("11事業者（暫定）", None, num("11事業者（暫定）", "11", "事業者", provisional=True, provisional_word="暫定")),
    ("260人 速報値", None, num("260人 速報値", "260", "人", provisional=True, provisional_word="速報値")),
    ("速報値 65%", None, num("速報値 65%", "65", "%", provisional=True, provisional_word="速報値")),
    ("12件 (暫定値)", None, num("12件 (暫定値)", "12", "件", provisional=True, provisional_word="暫定値")),
    ("3件(R5速報)", None, num("3件(R5速報)", "3", "件", provisional=True, provisional_word="速報", period=Period(2023))),
    ("9地区 ※速報値", None, Value("unreadable", "9地区 ※速報値")),  # a mark before it: a person looks
    ("8人（R6.3.31現在）", None,
     num("8人（R6.3.31現在）", "8", "人", note="R6.3.31現在", period=Period(2024, month=3))),
    ("5件 (n=2016)", None, num("5件 (n=2016)", "5", "件", note="n=2016")),  # a bare 4-digit figure is no year
    ("約120人", None, num("約120人", "120", "人", approximate=True)),
    ("延べ 1,200人", None, num("延べ 1,200人", "1200", "人", gross=True)),
    ("30%以下", None, num("30%以下", "30", "%", bound="以下")),
    ("80%維持", None, num("80%維持", "80", "%", maintain=True)),
    ("現状維持", None, Value("maintain", "現状維持", maintain=True)),
    ("2,000人 R5", None, num("2,000人 R5", "2000", "人", period=Period(2023))),
    ("51.5% (H28年度)", None, num("51.5% (H28年度)", "51.5", "%", period=Period(2016, fiscal=True))),
    ("年平均5件 （Ｈ２７～Ｈ３１）", None,
     num("年平均5件 （Ｈ２７～Ｈ３１）", "5", "件", annual_average=True, period=Period(2015, 2019))),
    ("10事業者(R2-R6)", None, num("10事業者(R2-R6)", "10", "事業者", period=Period(2020, 2024))),
    ("5万", None, num("5万", "5", "万")),  # a bare 万 stays the unit, no scale
    (None, None, Value("none", "")),
    ("", None, Value("none", "")),
    ("   ", None, Value("none", "   ")),
    ("　", None, Value("none", "　")),
    ("－", None, Value("none", "－")),
    ("―", None, Value("none", "―")),
    ("ー", None, Value("none", "ー")),
    ("−", None, Value("none", "−")),
    ("‐", None, Value("none", "‐")),
    (True, None, Value("unreadable", "True")),
    (datetime.datetime(2024, 3, 31, 0, 0), None, Value("unreadable", "2024-03-31 00:00:00")),
    (float("nan"), None, Value("unreadable", "nan")),
    (float("inf"), "0%", Value("unreadable", "inf")),
    (Decimal("NaN"), None, Value("unreadable", "NaN")),
    ("未定", None, Value("unreadable", "未定")),
    ("abc", None, Value("unreadable", "abc")),
    ("12人と15人", None, Value("unreadable", "12人と15人")),
    ("12人 15人", None, Value("unreadable", "12人 15人")),
    ("(H28)", None, Value("unreadable", "(H28)")),
    ("1,23人", None, Value("unreadable", "1,23人")),
    ("50%未満", None, Value("unreadable", "50%未満")),
    ("5人 (H26) (H27)", None, Value("unreadable", "5人 (H26) (H27)")),
    ("1億2,000万円", None, Value("unreadable", "1億2,000万円")),
]


@pytest.mark.parametrize("cell, number_format, expected", PARSE_CASES, ids=[repr(c[0]) for c in PARSE_CASES])
def test_parse_value(cell, number_format, expected):
    got = parse_value(cell, number_format)
    assert got == expected
    if expected.number is not None:
        assert str(got.number) == str(expected.number)  # canonical form: no trailing zeros, no exponent


@pytest.mark.parametrize(
    "text, period",
    [
        (2023, Period(2023)),
        ("2023", Period(2023)),
        ("2023年度", Period(2023, fiscal=True)),
        ("H26", Period(2014)),
        ("h26", Period(2014)),
        ("H.26", Period(2014)),
        ("Ｈ２６", Period(2014)),
        ("平成28年度", Period(2016, fiscal=True)),
        ("平成28年", Period(2016)),
        ("R5", Period(2023)),
        ("令和5年度", Period(2023, fiscal=True)),
        ("令和元年", Period(2019)),
        ("R元", Period(2019)),
        ("H31", Period(2019)),
        ("S64", Period(1989)),
        ("H26.12", Period(2014, month=12)),
        ("H27~H31", Period(2015, 2019)),
        ("H22～H26", Period(2010, 2014)),
        ("H22〜H26", Period(2010, 2014)),
        ("H27・28", Period(2015, 2016)),
        ("R2-R6", Period(2020, 2024)),
        ("令和2年度～令和6年度", Period(2020, 2024, fiscal=True)),
        ("平成27年度～令和元年度", Period(2015, 2019, fiscal=True)),
        ("H30~R2", Period(2018, 2020)),
        ("ｒ５", Period(2023)),
        ("", None),
        ("H", None),
        ("平成", None),
        ("26", None),
        ("H26.13", None),
        ("H31~H27", None),
        ("来年度", None),
        (True, None),
        (None, None),
        (12.5, None),
    ],
)
def test_parse_year(text, period):
    assert parse_year(text) == period


@pytest.mark.parametrize(
    "year, style, fiscal, text",
    [
        (2023, "long", True, "令和5年度"),
        (2019, "long", True, "令和元年度"),
        (2018, "long", True, "平成30年度"),
        (2016, "long", True, "平成28年度"),
        (2023, "long", False, "令和5年"),
        (2019, "long", False, "令和元年"),
        (1989, "long", True, "平成元年度"),
        (2014, "short", True, "H26"),
        (2019, "short", True, "R1"),
        (2023, "short", True, "R5"),
        (1988, "short", True, "S63"),
    ],
)
def test_format_year(year, style, fiscal, text):
    assert format_year(year, style, fiscal) == text
    assert year_of(text) == year


@pytest.mark.parametrize(
    "period, style, text",
    [
        (Period(2014), "short", "H26"),
        (Period(2014, month=12), "short", "H26.12"),
        (Period(2010, 2014), "short", "H22~H26"),
        (Period(2016, fiscal=True), "long", "平成28年度"),
        (Period(2020, 2024, fiscal=True), "long", "令和2年度～令和6年度"),
    ],
)
def test_format_period(period, style, text):
    assert format_period(period, style) == text
    assert parse_year(text).start == period.start
    assert parse_year(text).end == period.end


def test_to_western():
    assert to_western("平成", 26) == 2014
    assert to_western("H", 26) == 2014
    assert to_western("h", 31) == to_western("R", 1) == 2019
    assert to_western("令和", 5) == 2023
    assert to_western("昭和", 64) == 1989
    assert to_western("X", 5) is None
    assert to_western("平成", 0) is None


@pytest.mark.parametrize(
    "number, unit, scale, text",
    [
        (Decimal("38039"), "人", "", "38,039人"),
        (Decimal("-244"), "人", "", "△244人"),
        (Decimal("1240000"), "人", "万", "124万人"),
        (Decimal("22.7"), "%", "", "22.7%"),
        (Decimal("22.70"), "%", "", "22.7%"),
        (Decimal("240000000"), "円", "億", "2.4億円"),
        (Decimal("22718000000"), "円", "百万", "22,718百万円"),
        (Decimal("3290000000"), "円", "千万", "329千万円"),
        (Decimal("1E+7"), "", "", "10,000,000"),
        (Decimal("1E-7"), "", "", "0.0000001"),
        (Decimal("-0"), "件", "", "0件"),
        (Decimal("1.17"), "", "", "1.17"),
        (Decimal("100.0"), "", "", "100"),
        (Decimal("2.5E+25"), "円", "億", "250,000,000,000,000,000億円"),
        # more digits than Decimal's default context holds: written in full, never rounded
        (Decimal("1.23456789012345678901234567890123456789"), "", "", "1.23456789012345678901234567890123456789"),
    ],
)
def test_format_number(number, unit, scale, text):
    assert format_number(number, unit, scale) == text


@pytest.mark.parametrize("raw, number, unit, shown", [
    ("約25人", "25", "人", "約25人"),
    ("15,000人 (暫定値)", "15000", "人", "15,000人（暫定値）"),  # written as 見込み is, with its own word
    ("138人（累計）", "138", "人", "138人(累計)"),
    ("5,121人", "5121", "人", "5,121人"),
    ("29373", "29373", "人", "29,373人"),  # a number cell: its text is the number
])
def test_a_value_read_back_from_the_history_keeps_what_its_text_says(raw, number, unit, shown):
    """The history keeps a value's text, number, unit and scale; 約, a note or 累計 come back from the text."""
    stored = Value("number", raw, Decimal(number), unit, "")
    assert format_value(with_written_words(stored)) == shown


def test_format_number_negative_sign():
    assert format_number(Decimal("-244"), "人", negative="▲") == "▲244人"
    assert format_number(Decimal("-1234.5"), negative="-") == "-1,234.5"


@pytest.mark.parametrize(
    "text, written",
    [
        ("38,039人 (H25)", "38,039人(H25)"),
        ("△244人", "△244人"),
        ("124万人 (H25)", "124万人(H25)"),
        ("22.7% (H25)", "22.7%(H25)"),
        ("2.4億円 (H25)", "2.4億円(H25)"),
        ("22,718百万円", "22,718百万円"),
        ("年平均3.4件 (H22~H26)", "年平均3.4件(H22~H26)"),
        ("138人(累計)", "138人(累計)"),
        ("のべ 50 件", "のべ50件"),
        ("2社 (5年間累計)", "2社(5年間累計)"),
        ("50%以上", "50%以上"),
        ("80%維持", "80%維持"),
        ("120人(見込み)", "120人（見込み）"),
        ("3.72ポイント (速報値)", "3.72ポイント（速報値）"),
        ("260人 速報値", "260人（速報値）"),
        ("約120人", "約120人"),
        ("8.72人(H26.12)", "8.72人(H26.12)"),
        ("19.7% (H28年度卒業生)", "19.7%(H28年度卒業生)"),
        ("維持", "維持"),
        ("—", "－"),
        (None, "－"),
        ("進出協定締結数 平成28年度 1社 平成29年度 1社", "進出協定締結数 平成28年度 1社 平成29年度 1社"),
    ],
)
def test_format_value(text, written):
    value = parse_value(text)
    assert format_value(value) == written
    reread = parse_value(written)
    assert (reread.status, reread.number, reread.unit, reread.scale) == (
        value.status, value.number, value.unit, value.scale)


def test_split_scale_and_units():
    assert split_scale("百万円") == ("百万", "円")
    assert split_scale("千万円") == ("千万", "円")
    assert split_scale("万人") == ("万", "人")
    assert split_scale("人") == ("", "人")
    assert split_scale("万") == ("", "万")
    assert split_scale("") == ("", "")
    assert SCALES == {"千": 3, "万": 4, "百万": 6, "千万": 7, "億": 8}
    assert units_compatible("百万円", "円")
    assert units_compatible("千人", "万人")
    assert units_compatible("", "")
    assert not units_compatible("人", "%")
    assert not units_compatible("円", "")


# --- properties -------------------------------------------------------------

NUMBER_FORMATS = st.sampled_from([None, "General", "0", "#,##0", "0%", "0.0%", '0.0"%"', "yyyy/m/d"])
CELLS = st.one_of(st.none(), st.integers(), st.floats(), st.decimals(), st.booleans(), st.datetimes())


@pytest.mark.slow  # property test (hypothesis)
@settings(deadline=None)
@given(st.text())
def test_parse_value_never_raises_on_text(text):
    value = parse_value(text)
    assert value.raw == text
    assert value.status in ("number", "maintain", "none", "unreadable")


@pytest.mark.slow  # property test (hypothesis)
@settings(deadline=None)
@given(CELLS, NUMBER_FORMATS)
def test_parse_value_never_raises_on_cells(cell, number_format):
    value = parse_value(cell, number_format)
    assert value.status in ("number", "maintain", "none", "unreadable")
    if value.status == "number":
        assert value.number.is_finite()
        format_value(value)


@pytest.mark.slow  # property test (hypothesis)
@settings(deadline=None)
@given(
    st.decimals(min_value=-10**9, max_value=10**9, places=3, allow_nan=False, allow_infinity=False),
    st.sampled_from(["人", "%", "件", "円", "企業", "ha", "ポイント", ""]),
    st.sampled_from([""] + list(SCALES)),
)
def test_format_then_parse_round_trip(mantissa, unit, scale):
    if unit == "":
        scale = ""  # a bare scale ('124万') reads back as the unit 万
    number = mantissa.scaleb(SCALES.get(scale, 0))
    value = parse_value(format_number(number, unit, scale))
    assert (value.status, value.number, value.unit, value.scale) == ("number", number, unit, scale)


@pytest.mark.slow  # property test (hypothesis)
@settings(deadline=None)
@given(st.integers(min_value=1900, max_value=2100), st.sampled_from(["long", "short"]), st.booleans())
def test_format_then_parse_year(year, style, fiscal):
    period = parse_year(format_year(year, style, fiscal))
    assert period is not None and period.start == year and period.end is None


@pytest.mark.parametrize("text, unit, unit_scale, expected", [
    ("22718", "百万円", False, ("22718000000", "円", "百万")),  # a bare number takes the KPI's unit and scale
    ("22,718百万円", "百万円", False, ("22718000000", "円", "百万")),
    ("1,190,000人", "万人", False, ("1190000", "人", "")),  # as written: its own scale kept
    ("1,190,000人", "万人", True, ("1190000", "人", "万")),  # as submitted: shown in the KPI's scale
    ("1.17", "", False, ("1.17", "", "")),
])
def test_in_unit(text, unit, unit_scale, expected):
    from kpireport.values import in_unit
    value = in_unit(parse_value(text), unit, unit_scale=unit_scale)
    assert (str(value.number), value.unit, value.scale) == expected


def test_in_unit_refuses_another_unit():
    from kpireport.values import in_unit
    assert in_unit(parse_value("65人"), "%") is None


# value texts built from the pieces a period is written with, and plain ones
_PIECES = ["1", "2", "0", "5", ",", ".", "人", "千円", "%", "％", "件", " ", "　", "(", ")", "（", "）", "年", "年度", "H",
           "h", "Ｈ", "R", "令和", "平成", "元", "見込み", "累計", "末", "2023", "２７", "kWh", "ha", "/", "-", "～"]


@pytest.mark.slow  # property test (hypothesis)
@settings(deadline=None, max_examples=2000)
@given(st.lists(st.sampled_from(_PIECES), max_size=8).map("".join))
def test_period_of_a_stored_value_is_the_period_its_text_names(text):
    """A value read back from the history keeps its text, not its period: period_of reads the same period the
    parser does, whatever the text (its shortcut for texts that cannot name one loses none)."""
    parsed = parse_value(text)
    stored = Value(parsed.status, parsed.raw, parsed.number, parsed.unit, parsed.scale)
    assert period_of(stored) == parsed.period


@pytest.mark.parametrize("text, year", [("7,612千円（平成27年度）", 2015), ("45.0%(H25)", 2013), ("2,000人 R5", 2023),
                                        ("１２３人（Ｒ５）", 2023), ("300人(2023年度)", 2023), ("12,345人", None)])
def test_period_of_written_periods(text, year):
    parsed = parse_value(text)
    period = period_of(Value(parsed.status, parsed.raw, parsed.number, parsed.unit, parsed.scale))
    assert (period.start if period else None) == year
