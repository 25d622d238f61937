"""指標の推移 (on request: --sections 指標の推移): for each KPI, about two to a page, every year's actual (with the year its data is
of), expected value, rate and grade, each past year as it was graded then, and a line chart of the actuals
against the target line and the expected path."""
from __future__ import annotations

from decimal import Decimal

from docx.text.paragraph import Paragraph

from kpireport.council import content, texts
from kpireport.council.document import ReportDocument, heading, page_break, paragraph, picture, table
from kpireport.council.series_chart import LineChart, line_chart_png
from kpireport.evaluate.arithmetic import display_unit, number, percent_text, year_of
from kpireport.evaluate.data_year import shown_year
from kpireport.evaluate.display import RULE_COLOURS
from kpireport.evaluate.results import KpiRow, PeriodResults, each_once
from kpireport.evaluate.rules import expected_value
from kpireport.evaluate.series import TODAYS_KPI, TODAYS_RULES, YearGrade, definition_notes
from kpireport.labels import value_text
from kpireport.model import Kpi
from kpireport.values import format_value, format_year

TITLE = "指標の推移"
HEADERS = ["年度", "実績値", "想定値", "達成率", "評価"]


def chart_note(chart: LineChart) -> str:
    """What the chart's marks are, only those it draws."""
    parts = ["点は実績値（データの年度の位置）"]
    parts += ["点線は基準値から目標値への想定の推移"] if chart.path else []
    parts += ["四角は基準値"] if chart.baseline else []
    parts += ["赤の線は目標値"] if chart.target else []
    return "グラフ: " + "、".join(parts) + "。"


def add(doc: ReportDocument, data: PeriodResults) -> None:
    rows = each_once(data.kpi_rows)
    if not rows:
        return
    heading(doc, TITLE, 1)
    paragraph(doc, "各指標の年度ごとの実績と評価です。過去の年度は、その年度の集計のときの評価区分と基準値・目標値で評価しています。"
                   "統計の公表が遅れる指標は、データの年度（実績値の後ろの括弧）の想定値と比べて評価しています。", "注記")
    for row in rows:  # one after another, about two to a page: a page of one KPI would be mostly empty
        kpi_page(doc, data, row)
    page_break(doc)


def kpi_page(doc: ReportDocument, data: PeriodResults, row: KpiRow) -> None:
    kpi = row.kpi
    # the KPI's heading, line, table and notes keep with its chart: a chart never opens a page on its own
    heading(doc, f"{kpi.id}　{content.indicator_name(row, 1, data.plan)}", 2)
    _kept(paragraph(doc, f"基準値 {_with_year(value_text(kpi.baseline), kpi.baseline_year, kpi)}　"
                   f"目標値 {_with_year(value_text(kpi.target), kpi.target_year, kpi)}　{row.path}", "注記"))
    points = data.series.get(kpi.id, ())
    grades = {g.code: g for g in data.plan.grades}
    cells, shading = [], {}
    actuals = content.aligned_actuals([value_text(kpi.baseline), value_text(kpi.target)],
                                      [_actual(kpi, p) for p in points])  # 43.0% beside a baseline 42.5%
    for r, (point, actual) in enumerate(zip(points, actuals)):
        ev = point.evaluation
        cells.append([format_year(point.year, fiscal=not kpi.calendar), actual, _expected(kpi, point), _rate(point),
                      f"{ev.grade} {ev.label}" if kpi.graded else texts.REFERENCE_GRADE_TEXT])
        grade = grades.get(ev.grade)
        if grade is not None and kpi.graded:
            shading[(r, 4)] = RULE_COLOURS.get(grade.rule, "#FFFFFF").lstrip("#")
    headers = ["年", *HEADERS[1:]] if kpi.calendar else HEADERS  # a calendar-year KPI's rows are years
    table(doc, headers, cells, [30, 45, 35, 25, 35], ["left", "right", "right", "right", "center"], shading=shading,
          keep_rows=len(cells))
    for unrecorded, note in (([p for p in points if not p.rules_then], TODAYS_RULES),
                             ([p for p in points if p.rules_then and not p.kpi_then], TODAYS_KPI)):
        if unrecorded:
            _kept(paragraph(doc, f"※{_years(kpi, unrecorded)}は、{note}", "注記"))
    for note in definition_notes(kpi, points):  # a past grade against a target the office has since changed
        _kept(paragraph(doc, f"{texts.NOTE_MARK}{note}", "注記"))
    chart = line_chart(kpi, points)
    _kept(paragraph(doc, chart_note(chart), "注記"))  # also keeps the picture clear of the table's last row
    picture(doc, line_chart_png(chart), 125)


def _years(kpi: Kpi, points: list[YearGrade]) -> str:
    return "、".join(format_year(p.year, fiscal=not kpi.calendar) for p in points)


def _kept(para: Paragraph) -> None:
    para.paragraph_format.keep_with_next = True


def _with_year(text: str, year: int | None, kpi: Kpi) -> str:
    return f"{text}（{format_year(year, fiscal=not kpi.calendar)}）" if year else text


def _actual(kpi: Kpi, point: YearGrade) -> str:
    if point.stored is None or not point.stored.value.is_number:
        return texts.NO_VALUE
    text = format_value(point.stored.value)
    return text + shown_year(point.stored, point.year, kpi.calendar)


def _expected(kpi: Kpi, point: YearGrade) -> str:
    expected = point.evaluation.expected
    return display_unit(kpi).full(expected) if expected is not None else texts.NO_VALUE


def _rate(point: YearGrade) -> str:
    rate = point.evaluation.rate
    return texts.NO_VALUE if rate is None else percent_text(rate)


def line_chart(kpi: Kpi, points: tuple[YearGrade, ...]) -> LineChart:
    """The chart's lines in the KPI's display unit: actuals at the year their data is of, the expected path
    year by year from the baseline year to the target year, the target."""
    unit = display_unit(kpi)
    scale = Decimal(10) ** unit.power
    actuals = [(p.data_year or p.year, float(n / scale)) for p in points
               if p.stored is not None and (n := number(p.stored.value)) is not None]
    path = [(y, float(v / scale)) for y, v in _path(kpi)]
    target, target_year = number(kpi.target), year_of(kpi.target_year)
    goal = (target_year, float(target / scale)) if target is not None and target_year is not None else None
    base, base_year = number(kpi.baseline), year_of(kpi.baseline_year)
    baseline = (base_year, float(base / scale)) if len(path) < 2 and base is not None and base_year else None
    # every year from the first shown to the target year on the axis, none skipped (a direction-only target
    # such as 延伸 has its year but no line)
    shown = {y for y, _ in actuals + path} | {y for y in (target_year,) if y} | ({baseline[0]} if baseline else set())
    years = range(min(shown), max(shown) + 1) if shown else range(0)
    return LineChart(kpi.name, unit.scale + unit.unit, actuals, path if len(path) > 1 else [], goal,
                     {y: format_year(y, "short") for y in years}, baseline)


def _path(kpi: Kpi) -> list[tuple[int, Decimal]]:
    """The expected path in base units: the baseline, then each year's expected value up to the target year."""
    base, base_year, target_year = number(kpi.baseline), year_of(kpi.baseline_year), year_of(kpi.target_year)
    if base is None or base_year is None or target_year is None or target_year <= base_year:
        return []
    return [(base_year, base)] + [(y, e) for y in range(base_year + 1, target_year + 1)
                                  if (e := expected_value(kpi, y)) is not None]
