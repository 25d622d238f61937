"""The master's sheets 推移（<plan>）: one per plan, every year of each of its KPIs that has more than one (the
actual with the year its data is of, the expected value, rate, pace and grade), each past year as it was graded
then; at the right, folded, the working."""
from __future__ import annotations

import re

from kpireport.evaluate.arithmetic import display_unit
from kpireport.evaluate.data_year import year_note
from kpireport.evaluate.results import each_once
from kpireport.evaluate.series import YearGrade
from kpireport.master.sheet_writer import Headers, SheetWriter
from kpireport.model import Kpi, PlanInfo
from kpireport.values import format_value, format_year

HEADERS: Headers = [("指標ID", 10), ("指標名", 30), ("年度", 10), ("実績", 16), ("想定値", 14), ("達成率", 8),
                    ("進捗（ペース）", 10), ("評価", 9), ("評価の基準", 16)]
FOLDED: Headers = [("計算の根拠", 60)]
ONE_YEAR = "計画の期間で前年度以前の実績のある指標はまだありません（各指標のこの報告期間の値と評価は「KPI一覧」にあります）。"
RULES_THEN, RULES_TODAY = "当時の評価区分", "現在の評価区分（当時の記録なし）"
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def sheet_name(info: PlanInfo) -> str:
    """「推移（総合戦略）」: Excel allows 31 characters and none of []:*?/\\."""
    return _NOT_IN_SHEET_NAME.sub("", f"推移（{info.short_name or info.name}）")[:31]


def add(writer: SheetWriter) -> None:
    rows = each_once(writer.data.kpi_rows)
    for info in writer.plan.plans:
        kpis = [r.kpi for r in rows if writer.plan.plan_of(r.node_id).id == info.id]
        if kpis:
            _add_plan(writer, info, kpis)


def _add_plan(writer: SheetWriter, info: PlanInfo, kpis: list[Kpi]) -> None:
    """The plan's KPIs that have an earlier year (this period's alone is KPI一覧)."""
    ws = writer.sheet(sheet_name(info), HEADERS + FOLDED, keys=2, folded=len(FOLDED))
    row = 2
    for kpi in kpis:
        points = writer.data.series.get(kpi.id, ())
        if len(points) < 2:
            continue
        writer.row_source = f"指標 {kpi.id}"
        for point in points:
            row += 1
            for col, (value, style) in enumerate(_cells(writer, kpi, point)):
                writer.put(ws, row, col, value, writer.grade_format.get(style) or writer.f[style])
    if row == 2:
        writer.put(ws, 3, 0, ONE_YEAR, writer.f["note"])
    writer.finish_table(ws, 2, row, len(HEADERS) + len(FOLDED))


def _cells(writer: SheetWriter, kpi: Kpi, point: YearGrade) -> list[tuple[object, str]]:
    ev = point.evaluation
    actual = format_value(point.stored.value) if point.stored and point.stored.value.is_number else "－"
    if point.data_year is not None:
        actual += year_note(point.data_year, kpi.calendar)
    expected = display_unit(kpi).full(ev.expected) if ev.expected is not None else ""
    grade = (f"{ev.grade} {ev.label}", ev.grade) if kpi.graded else ("参考指標（評価しない）", "text")
    return [(kpi.id, "text"), (kpi.name, "wrap"), (format_year(point.year), "text"), (actual, "wrap"),
            (expected, "wrap"), (ev.rate, "percent"), (ev.pace, "percent"), grade,
            (RULES_THEN if point.rules_then else RULES_TODAY, "wrap"), (ev.working, "wrap")]
