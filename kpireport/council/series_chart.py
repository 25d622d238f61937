"""A KPI's line chart for the series page: the actuals by the year their data is of, against the target line
and the expected path from the baseline to the target, as deterministic PNG bytes.

Drawn like council.charts: a plain Figure on the Agg canvas inside matplotlib.style.context("default"), every
text with the IPAexGothic font file of matplotlib-fontja, no global matplotlib state touched."""
from __future__ import annotations

from dataclasses import dataclass

import matplotlib.style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FixedLocator

from kpireport.council.charts import AXIS_COLOUR, GRID_COLOUR, MM_PER_INCH, font_path, png_bytes

ACTUAL_COLOUR, PATH_COLOUR, TARGET_COLOUR = "#1F4E79", "#7F7F7F", "#C00000"


@dataclass(frozen=True)
class LineChart:
    """What one KPI's chart shows, in the KPI's display unit; years are western fiscal years."""

    title: str
    unit: str  # 「人」「百万円」: the y axis' label
    actuals: list[tuple[int, float]]
    path: list[tuple[int, float]]  # the expected path: baseline, interim targets, target
    target: tuple[int, float] | None
    year_label: dict[int, str]  # 「R5」 by year, for the x axis
    baseline: tuple[int, float] | None = None  # drawn as a point where there is no expected path to start it


def _font(size: float) -> FontProperties:
    return FontProperties(fname=str(font_path()), size=size)


def line_chart_png(chart: LineChart, width_mm: float = 150, height_mm: float = 80, dpi: int = 200) -> bytes:
    """The chart as PNG bytes (the same input gives the same bytes)."""
    with matplotlib.style.context("default"):
        fig = Figure(figsize=(width_mm / MM_PER_INCH, height_mm / MM_PER_INCH), dpi=dpi, layout="constrained")
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        if chart.path:
            ax.plot(*zip(*chart.path), linestyle="--", color=PATH_COLOUR, linewidth=1.2, label="想定の推移")
        if chart.baseline is not None:
            ax.plot(*chart.baseline, marker="s", linestyle="none", color=PATH_COLOUR, label="基準値")
        if chart.target is not None:
            ax.axhline(chart.target[1], color=TARGET_COLOUR, linewidth=1.0, label="目標値")
        if chart.actuals:
            ax.plot(*zip(*chart.actuals), marker="o", color=ACTUAL_COLOUR, linewidth=1.8, label="実績値")
        years = sorted(chart.year_label)
        ax.xaxis.set_major_locator(FixedLocator(years))
        ax.set_xticklabels([chart.year_label[y] for y in years], fontproperties=_font(8))
        if years:  # the axis spans every labelled year, also those without a point (up to the target year)
            ax.set_xlim(years[0] - 0.3, years[-1] + 0.3)
        ax.set_title(f"（{chart.unit}）" if chart.unit else "", fontproperties=_font(8), color=AXIS_COLOUR, loc="left")
        ax.grid(True, color=GRID_COLOUR, linewidth=0.6)
        ax.set_title(chart.title, fontproperties=_font(10), loc="center")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(prop=_font(8), frameon=False, loc="best")
        canvas.draw()
        return png_bytes(canvas, dpi)
