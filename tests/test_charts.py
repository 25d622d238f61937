"""Grade charts for the council report: bundled Japanese font, valid deterministic PNG, layout."""
from __future__ import annotations

import struct
import sys
import warnings
import zlib

import matplotlib
import pytest
from fontTools.ttLib import TTFont
from matplotlib.font_manager import FontProperties

from kpireport.council import charts
from kpireport.council.charts import font_path, grade_chart_png, wrap_label

CATEGORIES = [
    "基本目標1 「魅力の創出・交流」の拡大",
    "基本目標2 強みを活かした「産業の振興」",
    "基本目標3 市の宝となる「ひとの育成」",
    "基本目標4 安全・安心な「まちづくり」",
    "基本目標5 「行財政運営」の強化",
]
LONG_CATEGORIES = [
    "重点戦略1 「働きたい！」希望を実現させる産業の振興",
    "重点戦略2 「訪れたい、参加したい、住んでみたい！」新たな人の流れの創出",
    "重点戦略3 「結婚・産み育てたい！」願いが叶う環境の充実",
    "重点戦略4 「ずっと住み続けたい！」持続可能なまちの形成",
]
SERIES = [
    ("A 達成", "#4E9A52", [3, 5, 2, 0, 1]),
    ("B 順調", "#5B9BD5", [4, 2, 3, 0, 2]),
    ("C 遅れ", "#F2C14E", [2, 1, 4, 0, 1]),
    ("D 悪化", "#D9534F", [1, 3, 1, 0, 0]),
    ("− 評価不能", "#A6A6A6", [1, 0, 2, 0, 1]),
]
TITLE = "基本計画　評価の内訳"
FIXED_TEXT = "対象なし…0123456789%"


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, payload) of every chunk, checking each CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.append((kind, body))
        pos += 12 + length
    return chunks


def png_size(data: bytes) -> tuple[int, int]:
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def render(*args, **kwargs) -> bytes:
    """grade_chart_png with every warning an error (a missing glyph would warn)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return grade_chart_png(*args, **kwargs)


# --- font -------------------------------------------------------------------------------------------

def test_font_path_is_the_bundled_japanese_font():
    path = font_path()
    assert path.is_file() and path.suffix == ".ttf"
    assert "matplotlib_fontja" in path.parts
    assert FontProperties(fname=str(path)).get_name() == "IPAexGothic"


def test_font_path_does_not_import_fontja():
    """Importing matplotlib_fontja would run japanize() and rewrite the global rcParams."""
    font_path()
    assert "matplotlib_fontja" not in sys.modules


def test_every_character_used_is_in_the_font():
    with TTFont(str(font_path()), lazy=True) as font:
        cmap = font["cmap"].getBestCmap()
    texts = [TITLE, FIXED_TEXT, "総合戦略　評価の内訳", *CATEGORIES, *LONG_CATEGORIES,
             *(label for label, _, _ in SERIES)]
    texts += [wrap_label(c) for c in CATEGORIES + LONG_CATEGORIES]
    missing = sorted({ch for text in texts for ch in text if ch != "\n" and ord(ch) not in cmap})
    assert not missing, f"not in IPAexGothic: {missing}"


# --- labels -----------------------------------------------------------------------------------------

def test_short_label_stays_on_one_line():
    assert wrap_label("基本目標1 「魅力の創出・交流」の拡大") == "基本目標1 「魅力の創出・交流」の拡大"
    assert wrap_label("  基本目標5   「行財政運営」の強化 ") == "基本目標5 「行財政運営」の強化"


def test_long_label_breaks_at_a_natural_point():
    assert wrap_label(LONG_CATEGORIES[2]) == "重点戦略3 「結婚・産み育てたい！」\n願いが叶う環境の充実"
    assert wrap_label(LONG_CATEGORIES[0]) == "重点戦略1 「働きたい！」\n希望を実現させる産業の振興"


def test_wrapped_lines_fit_and_keep_the_number():
    for label in CATEGORIES + LONG_CATEGORIES:
        lines = wrap_label(label).split("\n")
        assert 1 <= len(lines) <= 2
        assert all(charts._text_width(line) <= charts.LABEL_WIDTH for line in lines)
        assert lines[0].startswith(label.split()[0])


def test_very_long_label_is_shortened_with_the_number_kept():
    text = "基本目標9 " + "とても長い名前の基本目標" * 6
    lines = wrap_label(text).split("\n")
    assert len(lines) == 2
    assert lines[0].startswith("基本目標9")
    assert lines[1].endswith("…")
    assert all(charts._text_width(line) <= charts.LABEL_WIDTH for line in lines)


def test_hard_break_keeps_closing_marks_off_the_line_start():
    text = "あいうえおかきくけこさしすせそたちつ」てとなにぬね"
    first, second = wrap_label(text).split("\n")
    assert first + second == text
    assert not second.startswith("」")


# --- chart ------------------------------------------------------------------------------------------

def test_chart_is_a_valid_png_of_the_requested_size():
    data = render(TITLE, CATEGORIES, SERIES)
    chunks = png_chunks(data)
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height = png_size(data)
    assert abs(width - 160 / 25.4 * 200) <= 1
    expected_height = (charts.MARGIN_MM + charts.BAR_MM * len(CATEGORIES)) / 25.4 * 200
    assert abs(height - expected_height) <= 1
    # no software name or date: nothing that would differ between runs or machines
    assert not {kind for kind, _ in chunks} & {b"tEXt", b"iTXt", b"zTXt", b"tIME"}


def test_height_grows_with_the_number_of_categories():
    series = [(label, colour, counts[:3]) for label, colour, counts in SERIES]
    _, three = png_size(render(TITLE, CATEGORIES[:3], series))
    _, five = png_size(render(TITLE, CATEGORIES, SERIES))
    assert five - three == pytest.approx(2 * charts.BAR_MM / 25.4 * 200, abs=2)


def test_width_and_dpi_are_honoured():
    width, _ = png_size(render(TITLE, CATEGORIES, SERIES, width_mm=120, dpi=100))
    assert abs(width - 120 / 25.4 * 100) <= 1


@pytest.mark.slow  # four charts drawn, compared in pairs (about a second)
def test_same_input_gives_the_same_bytes():
    assert render(TITLE, CATEGORIES, SERIES) == render(TITLE, CATEGORIES, SERIES)
    assert render(TITLE, CATEGORIES, SERIES, percent=False) == render(TITLE, CATEGORIES, SERIES, percent=False)


def test_chart_does_not_depend_on_or_change_global_rcparams():
    expected = render(TITLE, CATEGORIES, SERIES)
    before = dict(matplotlib.rcParams)
    with matplotlib.rc_context({"font.size": 20, "font.family": "serif", "axes.facecolor": "black",
                                "savefig.transparent": True, "savefig.bbox": "tight"}):
        assert render(TITLE, CATEGORIES, SERIES) == expected
    assert dict(matplotlib.rcParams) == before


def test_zero_count_category_shows_its_label_and_no_target_text():
    fig = charts._build_figure(TITLE, CATEGORIES, SERIES)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [wrap_label(c) for c in CATEGORIES]
    empty = [t for t in ax.texts if t.get_text() == charts.EMPTY_TEXT]
    assert len(empty) == 1 and empty[0].get_position()[1] == 3
    # the zero category's bar segments are all empty
    assert all(patch.get_width() == 0 for patch in ax.patches if patch.get_y() < 3 < patch.get_y() + 1)


def test_all_zero_chart_renders():
    series = [(label, colour, [0] * len(CATEGORIES)) for label, colour, _ in SERIES]
    assert png_size(render(TITLE, CATEGORIES, series))[0] > 0
    assert png_size(render(TITLE, CATEGORIES, series, percent=False))[0] > 0


def test_percent_axis_and_segment_labels():
    fig = charts._build_figure(TITLE, CATEGORIES, SERIES)
    ax = fig.axes[0]
    assert ax.get_xlim() == (0, 100)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0%", "20%", "40%", "60%", "80%", "100%"]
    # category 1 (基本目標2): 5, 2, 1, 3, 0 of 11 -> 45%, 18%, 9%, 27%: all shown
    row = sorted((t.get_position()[0], t.get_text()) for t in ax.texts if t.get_position()[1] == 1)
    assert [text for _, text in row] == ["5", "2", "1", "3"]
    # category 0: 3, 4, 2, 1, 1 of 11 -> the 1s are 9.1% each: shown; a 1 of 20 (5%) would not be
    series = [(label, colour, [c * (2 if i == 0 else 1) for i, c in enumerate(counts)])
              for label, colour, counts in SERIES]
    fig = charts._build_figure(TITLE, CATEGORIES, series)
    row0 = [t.get_text() for t in fig.axes[0].texts if t.get_position()[1] == 0]
    assert row0 == ["6", "8", "4", "2", "2"]
    series[3] = ("D 悪化", "#D9534F", [1, 3, 1, 0, 0])
    series[0] = ("A 達成", "#4E9A52", [12, 5, 2, 0, 1])
    fig = charts._build_figure(TITLE, CATEGORIES, series)
    row0 = [t.get_text() for t in fig.axes[0].texts if t.get_position()[1] == 0]
    assert "1" not in row0  # 1 of 28 is 3.6%


def test_bars_stack_in_series_order_with_the_given_colours():
    fig = charts._build_figure(TITLE, CATEGORIES, SERIES)
    ax = fig.axes[0]
    first_row = sorted((p for p in ax.patches if p.get_y() < 0 < p.get_y() + p.get_height()),
                       key=lambda p: p.get_x())
    assert [matplotlib.colors.to_hex(p.get_facecolor()) for p in first_row] == \
        [colour.lower() for _, colour, _ in SERIES]
    assert first_row[-1].get_x() + first_row[-1].get_width() == pytest.approx(100)


def test_counts_mode_uses_raw_counts():
    fig = charts._build_figure(TITLE, CATEGORIES, SERIES, percent=False)
    ax = fig.axes[0]
    low, high = ax.get_xlim()
    assert low == 0 and high >= 11
    assert all(float(t.get_text()).is_integer() for t in ax.get_xticklabels())
    first_row = [p for p in ax.patches if p.get_y() < 0 < p.get_y() + p.get_height()]
    assert sum(p.get_width() for p in first_row) == pytest.approx(11)


def test_legend_is_one_row_below_in_series_order():
    fig = charts._build_figure(TITLE, CATEGORIES, SERIES)
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [label for label, _, _ in SERIES]
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in legend.get_texts()]
    assert len({round(b.y0) for b in boxes}) == 1
    assert legend.get_window_extent(renderer).y1 <= fig.axes[0].get_window_extent(renderer).y0


@pytest.mark.parametrize("categories, width_mm", [(CATEGORIES, 160), (LONG_CATEGORIES, 160),
                                                  (LONG_CATEGORIES, 110)])
def test_no_text_is_cut_off(categories, width_mm):
    """Long labels, a long title and a legend that has to shrink to stay on one row all fit."""
    labels = ["A 最終目標達成", "B 順調に推移", "C 基準値より改善", "D 基準値より悪化", "− 評価不能"]
    series = [(label, colour, counts[:len(categories)])
              for label, (_, colour, counts) in zip(labels, SERIES)]
    fig = charts._build_figure("総合戦略　評価の内訳（令和5年度実績）", categories, series, width_mm=width_mm)
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    (heading,) = [t for t in fig.texts if t.get_text() == "総合戦略　評価の内訳（令和5年度実績）"]
    texts = [heading, *fig.axes[0].get_yticklabels(), *fig.axes[0].get_xticklabels(),
             *fig.legends[0].get_texts()]
    for text in texts:
        box = text.get_window_extent(renderer)
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1, \
            text.get_text()


def test_every_text_uses_the_bundled_font():
    fig = charts._build_figure(TITLE, CATEGORIES, SERIES)
    ax = fig.axes[0]
    assert [t.get_text() for t in fig.texts] == [TITLE]
    texts = [*fig.texts, *ax.get_yticklabels(), *ax.get_xticklabels(), *ax.texts, *fig.legends[0].get_texts()]
    assert all(t.get_fontproperties().get_file() == str(font_path()) for t in texts)


@pytest.mark.parametrize("series", [
    [("A 達成", "#4E9A52", [1, 2])],
    [("A 達成", "#4E9A52", [1, 2, 3, -1, 0])],
    [("A 達成", "not-a-colour", [1, 2, 3, 4, 5])],
    [],
])
def test_bad_input_is_rejected(series):
    with pytest.raises(ValueError):
        grade_chart_png(TITLE, CATEGORIES, series)


def test_sample_chart_for_a_look(tmp_path):
    """Writes the sample that was looked at by eye (also kept in /tmp for a person to open)."""
    data = render(TITLE, CATEGORIES, SERIES)
    (tmp_path / "grade_chart.png").write_bytes(data)
    assert len(data) > 10_000
