"""Grade charts for the council report: horizontal stacked bars rendered to PNG bytes.

The chart counts the KPIs in each achievement grade per top-level node (基本目標1…5) of a plan.
Japanese text is drawn with IPAexGothic, the font file shipped inside the ``matplotlib-fontja``
package, so a machine without Japanese system fonts shows no tofu.

Nothing here touches global matplotlib state:

* ``matplotlib_fontja`` is never imported (its ``__init__`` calls ``japanize()``, which registers
  the font and rewrites ``rcParams['font.family']`` for the whole process); the font file is
  located through the package's import spec instead.
* No pyplot and no ``matplotlib.use``: the figure is a plain ``matplotlib.figure.Figure`` drawn by
  ``FigureCanvasAgg``.
* Every text artist gets an explicit ``FontProperties(fname=...)``, and the figure is built
  inside ``matplotlib.style.context("default")`` so rcParams that other code may have changed
  (style sheets, font sizes, colours) do not leak into the chart; the context restores them.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib.image
import matplotlib.style
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

FONT_PACKAGE = "matplotlib_fontja"
FONT_DISTRIBUTION = "matplotlib-fontja"
FONT_FILE = "ipaexg.ttf"

MM_PER_INCH = 25.4
BAR_MM = 9.0            # height per category bar
MARGIN_MM = 32.0        # title, x axis, legend and padding
LABEL_WIDTH = 18.0      # category label line width in full-width characters
LABEL_LINES = 2
MIN_LABELED_SHARE = 8.0  # segments at least this wide (% of the axis) show their count

TITLE_PT = 11.0
MIN_TITLE_PT = 7.0
LABEL_PT = 8.5
LABEL_GAP_PT = 5.0
TICK_PT = 8.0
SEGMENT_PT = 8.0
LEGEND_PT = 8.5
MIN_LEGEND_PT = 6.0

EMPTY_TEXT = "対象なし"
EMPTY_COLOUR = "#7F7F7F"
GRID_COLOUR = "#D9D9D9"
AXIS_COLOUR = "#595959"

# Characters that must not start a line (closing brackets, punctuation, small kana, prolonged sound)
# and that must not end one (opening brackets), after JIS X 4051 kinsoku rules.
_NO_LINE_START = set("、。，．,.：；:;！？!?)）]］}｝〕〉》」』】〙〗〟’”・ー‐–—〜～々ゝゞヽヾ"
                     "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ…‥%％")
_NO_LINE_END = set("(（[［{｛〔〈《「『【〘〖〝‘“")
_SPACES = (" ", "\u3000")
_OPENING = set("「『（(【〈《")
_CLOSING = set("」』）)】〉》、，,")


# --- font -------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def font_path() -> Path:
    """The IPAexGothic font file shipped by ``matplotlib-fontja`` (found without importing it)."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    if spec is not None:
        for folder in spec.submodule_search_locations or []:
            candidate = Path(folder) / "fonts" / FONT_FILE
            if candidate.is_file():
                return candidate
    try:
        files = importlib.metadata.files(FONT_DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for file in files:
        if file.name == FONT_FILE:
            candidate = Path(file.locate())
            if candidate.is_file():
                return candidate
    raise FileNotFoundError(
        f"the Japanese font {FONT_FILE} was not found: install the package {FONT_DISTRIBUTION}")


def _font(size: float) -> FontProperties:
    return FontProperties(fname=str(font_path()), size=size)


# --- labels -----------------------------------------------------------------------------------------

def _char_width(ch: str) -> float:
    """Width in full-width characters: wide and ambiguous (Japanese) characters 1, others 0.5."""
    return 1.0 if unicodedata.east_asian_width(ch) in ("F", "W", "A") else 0.5


def _text_width(text: str) -> float:
    return sum(_char_width(ch) for ch in text)


def _fit(text: str, limit: float) -> int:
    """How many leading characters of text fit in limit full-width characters."""
    used = 0.0
    for i, ch in enumerate(text):
        used += _char_width(ch)
        if used > limit:
            return i
    return len(text)


def _shorten(text: str, limit: float) -> str:
    """text cut to limit full-width characters, ending with 「…」 when something was dropped."""
    if _text_width(text) <= limit:
        return text
    return text[:_fit(text, limit - 1)].rstrip() + "…"


def wrap_label(text: str, width: float = LABEL_WIDTH) -> str:
    """A category label on at most two lines of about ``width`` full-width characters.

    Breaks at a space, before an opening bracket or after a closing bracket or comma when both
    parts then fit (「重点戦略3 「結婚・産み育てたい！」」 / 「願いが叶う環境の充実」), otherwise
    fills the first line, moving the break so that a closing bracket or punctuation mark
    does not start the second line. A second line that is still too long ends in 「…」; the
    first line, which holds the goal's number, is never shortened.
    """
    text = " ".join(text.split())
    if _text_width(text) <= width:
        return text
    # Natural break points: at a space (dropped), before an opening bracket, after a closing
    # bracket or a comma; the latest one at which both lines fit wins.
    breaks: list[tuple[int, int]] = []  # (end of the first line, start of the second)
    for i in range(1, len(text)):
        if text[i] in _SPACES:
            breaks.append((i, i + 1))
        elif text[i] in _OPENING or text[i - 1] in _CLOSING:
            breaks.append((i, i))
    for end, start in reversed(breaks):
        first, rest = text[:end].rstrip(), text[start:].lstrip()
        if first and rest and _text_width(first) <= width and _text_width(rest) <= width:
            return f"{first}\n{rest}"
    cut = _fit(text, width)
    while cut > 1 and (text[cut] in _NO_LINE_START or text[cut - 1] in _NO_LINE_END):
        cut -= 1
    first, rest = text[:cut].rstrip(), text[cut:].lstrip()
    lines = [first]
    while rest and len(lines) < LABEL_LINES - 1:  # room for more lines if LABEL_LINES grows
        n = _fit(rest, width)
        lines.append(rest[:n])
        rest = rest[n:]
    lines.append(_shorten(rest, width))
    return "\n".join(line for line in lines if line)


# --- chart ------------------------------------------------------------------------------------------

def _text_colour(fill: str) -> str:
    """Black or white, whichever reads better on the fill colour."""
    r, g, b = to_rgb(fill)
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "#FFFFFF"


def _check(categories: list[str], series: list[tuple[str, str, list[int]]]) -> None:
    if not categories:
        raise ValueError("a grade chart needs at least one category")
    if not series:
        raise ValueError("a grade chart needs at least one series")
    for label, colour, counts in series:
        if len(counts) != len(categories):
            raise ValueError(f"series {label!r} has {len(counts)} counts for {len(categories)} categories")
        if any(c < 0 for c in counts):
            raise ValueError(f"series {label!r} has a negative count")
        to_rgb(colour)  # raises ValueError for a colour matplotlib does not know


def _build_figure(title: str, categories: list[str], series: list[tuple[str, str, list[int]]],
                  percent: bool = True, width_mm: float = 160, dpi: int = 200) -> Figure:
    """The chart as a Figure with an Agg canvas, laid out and drawn once (used by grade_chart_png)."""
    _check(categories, series)
    with matplotlib.style.context("default"):
        return _draw(title, categories, series, percent, width_mm, dpi)


def _draw(title: str, categories: list[str], series: list[tuple[str, str, list[int]]],
          percent: bool, width_mm: float, dpi: int) -> Figure:
    height_mm = MARGIN_MM + BAR_MM * len(categories)
    layout = ConstrainedLayoutEngine(w_pad=2 / 72, h_pad=4 / 72, hspace=0, wspace=0)
    fig = Figure(figsize=(width_mm / MM_PER_INCH, height_mm / MM_PER_INCH), dpi=dpi,
                 layout=layout, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    totals = [sum(s[2][i] for s in series) for i in range(len(categories))]
    span, ticks, tick_labels = _scale(totals, percent)
    handles = _bars(ax, series, totals, span, percent)
    _category_labels(ax, canvas, categories)
    _x_axis(ax, span, ticks, tick_labels)
    _title_and_legend(fig, canvas, title, handles)
    canvas.draw()  # once, after the sizes are settled: the canvas then holds the image
    return fig


def _scale(totals: list[int], percent: bool) -> tuple[float, list[int], list[str]]:
    """The x axis: its length, its ticks and their labels (0–100% for shares, else counts)."""
    if percent:
        ticks = list(range(0, 101, 20))
        return 100.0, ticks, [f"{t}%" for t in ticks]
    ticks = [int(t) for t in MaxNLocator(nbins=6, integer=True).tick_values(0, max(max(totals), 1)) if t >= 0]
    return float(max(ticks[-1], max(totals), 1)), ticks, [str(t) for t in ticks]


def _bars(ax: Axes, series: list[tuple[str, str, list[int]]], totals: list[int], span: float,
          percent: bool) -> list[Patch]:
    """The stacked segments with their counts, 対象なし on empty bars; the legend's handles."""
    n = len(totals)
    left = [0.0] * n
    handles = []
    for label, colour, counts in series:
        widths = [(c / totals[i] * 100.0 if totals[i] else 0.0) if percent else float(c)
                  for i, c in enumerate(counts)]
        ax.barh(list(range(n)), widths, left=left, height=0.62, color=colour, edgecolor="white",
                linewidth=0.6, zorder=2)
        ink = _text_colour(colour)
        for i, (count, w) in enumerate(zip(counts, widths)):
            if count and w / span * 100.0 >= MIN_LABELED_SHARE:
                ax.text(left[i] + w / 2, i, str(count), ha="center", va="center", color=ink,
                        fontproperties=_font(SEGMENT_PT), zorder=3)
        left = [a + b for a, b in zip(left, widths)]
        handles.append(Patch(facecolor=colour, edgecolor="none", label=label))
    for i, total in enumerate(totals):
        if not total:
            ax.text(span * 0.01, i, EMPTY_TEXT, ha="left", va="center", color=EMPTY_COLOUR,
                    fontproperties=_font(SEGMENT_PT), zorder=3)
    return handles


def _category_labels(ax: Axes, canvas: FigureCanvasAgg, categories: list[str]) -> None:
    """Labels left-aligned in one column: pad the ticks by the widest label and anchor them left."""
    n = len(categories)
    ax.set_ylim(n - 0.5, -0.5)  # first category at the top
    ax.set_yticks(list(range(n)), [wrap_label(c) for c in categories], fontproperties=_font(LABEL_PT),
                  linespacing=1.15)
    renderer = canvas.get_renderer()
    widest = max(t.get_window_extent(renderer).width for t in ax.get_yticklabels())
    for t in ax.get_yticklabels():
        t.set_horizontalalignment("left")
    ax.tick_params(axis="y", length=0, pad=widest * 72 / canvas.figure.dpi + LABEL_GAP_PT)


def _x_axis(ax: Axes, span: float, ticks: list[int], tick_labels: list[str]) -> None:
    ax.set_xticks(ticks, tick_labels, fontproperties=_font(TICK_PT), color=AXIS_COLOUR)
    ax.tick_params(axis="x", length=3, color=AXIS_COLOUR)
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlim(0, span)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(AXIS_COLOUR)
        ax.spines[side].set_linewidth(0.8)


def _title_and_legend(fig: Figure, canvas: FigureCanvasAgg, title: str, handles: list[Patch]) -> None:
    """Title at the top and legend below (one row, series order), both centred on the figure and
    shrunk step by step while wider than it."""
    limit = fig.bbox.width * 0.98
    renderer = canvas.get_renderer()
    if title:
        size = TITLE_PT
        while True:
            heading = fig.suptitle(title, fontproperties=_font(size))
            if heading.get_window_extent(renderer).width <= limit or size <= MIN_TITLE_PT:
                break
            size -= 0.5
    size = LEGEND_PT
    while True:
        legend = fig.legend(handles=handles, loc="outside lower center", ncols=len(handles),
                            frameon=False, prop=_font(size), handlelength=1.4, handleheight=1.0,
                            handletextpad=0.5, columnspacing=1.4 * size / LEGEND_PT,
                            borderaxespad=0.2)
        if legend.get_window_extent(renderer).width <= limit or size <= MIN_LEGEND_PT:
            break
        legend.remove()
        size -= 0.5


def grade_chart_png(title: str, categories: list[str], series: list[tuple[str, str, list[int]]],
                    percent: bool = True, width_mm: float = 160, dpi: int = 200) -> bytes:
    """Horizontal stacked bars of grade counts per category, as deterministic PNG bytes.

    categories: bar labels, top to bottom (long ones wrapped onto two lines).
    series: (legend label, colour, counts per category) in grade order, stacked left to right.
    percent: bars show shares (0–100%, counts inside segments of 8% or more); else raw counts.
    The image is width_mm wide at dpi, about 9 mm per bar high plus margins for title,
    axis and legend. The same input gives the same bytes (no software or date metadata).
    """
    with matplotlib.style.context("default"):
        fig = _build_figure(title, categories, series, percent=percent, width_mm=width_mm, dpi=dpi)
        canvas = fig.canvas
        if not isinstance(canvas, FigureCanvasAgg):  # _build_figure attaches one; nothing else replaces it
            raise TypeError("the chart's figure has lost its Agg canvas")
        return png_bytes(canvas, dpi)


# zlib level 3: in half the time of Pillow's default level 6; a bar chart comes out as small, a line chart
# a fifth larger (tens of KB in a report)
_PNG_OPTIONS: dict[str, Any] = {"compress_level": 3}


def png_bytes(canvas: FigureCanvasAgg, dpi: int) -> bytes:
    """The drawn canvas as PNG bytes without software or date metadata (savefig would lay out and draw it all
    again)."""
    buf = io.BytesIO()
    no_software: dict[str, Any] = {"Software": None}  # None leaves the key out (Pillow's PNG writer)
    matplotlib.image.imsave(buf, canvas.buffer_rgba(), format="png", origin="upper", dpi=dpi,
                            metadata=no_software, pil_kwargs=_PNG_OPTIONS)
    return buf.getvalue()
