"""The master's sheets 推移（<plan>）: one per plan, a row for each of its KPIs that has an earlier year, with every
year's actual (and the year its data is of), rate and grade side by side, each past year as it was graded then.
This period's figures and working are in KPI一覧; an earlier year's working was in that year's own master."""
from __future__ import annotations

import re

from kpireport.evaluate.data_year import shown_year
from kpireport.evaluate.results import each_once
from kpireport.evaluate.series import YearGrade, definition_notes
from kpireport.master.sheet_writer import Headers, SheetWriter
from kpireport.model import Kpi, PlanInfo
from kpireport.values import format_value, format_year

ONE_YEAR = "計画の期間で前年度以前の実績のある指標はまだありません（各指標のこの報告期間の値と評価は「KPI一覧」にあります）。"
TODAYS_MARK = "※"
TODAYS_NOTE = f"{TODAYS_MARK}の評価は、当時の評価区分の記録がないため、現在の評価区分で評価しています。"
TODAYS_KPI_NOTE = f"{TODAYS_MARK}の評価は、当時の基準値・目標値の記録がないため、現在の計画の基準値・目標値で評価しています。"
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def sheet_name(info: PlanInfo) -> str:
    """「推移（総合戦略）」: Excel allows 31 characters and none of []:*?/\\."""
    return _NOT_IN_SHEET_NAME.sub("", f"推移（{info.short_name or info.name}）")[:31]


def add(writer: SheetWriter) -> None:
    rows = each_once(writer.data.kpi_rows)
    for info in writer.plan.plans:
        kpis = [r.kpi for r in rows if writer.plan.plan_of(r.node_id).id == info.id]
        if kpis:
            _add_plan(writer, info, [k for k in kpis if len(writer.data.series.get(k.id, ())) > 1])


def _add_plan(writer: SheetWriter, info: PlanInfo, kpis: list[Kpi]) -> None:
    years = sorted({p.year for k in kpis for p in writer.data.series[k.id]})
    headers: Headers = [("指標ID", 10), ("指標名", 30)]
    for y in years:
        headers += [(f"{format_year(y)} 実績", 16), (f"{format_year(y)} 達成率", 8), (f"{format_year(y)} 評価", 9)]
    ws = writer.sheet(sheet_name(info), headers, keys=2)
    row = 2
    for kpi in kpis:
        row += 1
        writer.row_source = f"指標 {kpi.id}"
        by_year = {p.year: p for p in writer.data.series[kpi.id]}
        cells: list[tuple[object, str]] = [(kpi.id, "text"), (kpi.name, "wrap")]
        for y in years:
            cells += _year_cells(kpi, by_year.get(y))
        for col, (value, style) in enumerate(cells):
            writer.put(ws, row, col, value, writer.style(style, value))
    if not kpis:
        writer.put(ws, 3, 0, ONE_YEAR, writer.f["note"])
    notes = [TODAYS_NOTE] if any(not p.rules_then for k in kpis for p in writer.data.series[k.id]) else []
    notes += [TODAYS_KPI_NOTE] if any(p.rules_then and not p.kpi_then for k in kpis
                                      for p in writer.data.series[k.id]) else []
    # a past year graded against a baseline or target the office has since changed: said under the table
    notes += [f"{k.id} {k.name}: {note}" for k in kpis for note in definition_notes(k, writer.data.series[k.id])]
    for offset, note in enumerate(notes):
        writer.put(ws, row + 2 + offset, 0, note, writer.f["note"])
    writer.finish_table(ws, 2, row, len(headers))


def _year_cells(kpi: Kpi, point: YearGrade | None) -> list[tuple[object, str]]:
    if point is None:
        return [("", "text"), (None, "percent"), ("", "text")]
    ev = point.evaluation
    actual = format_value(point.stored.value) if point.stored and point.stored.value.is_number else "－"
    actual += shown_year(point.stored, point.year, kpi.calendar)
    if not kpi.graded:
        return [(actual, "wrap"), (ev.rate, "percent"), ("参考指標", "text")]
    mark = "" if point.rules_then and point.kpi_then else TODAYS_MARK
    return [(actual, "wrap"), (ev.rate, "percent"), (f"{ev.grade} {ev.label}{mark}", ev.grade)]
