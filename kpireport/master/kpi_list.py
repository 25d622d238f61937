"""The master's sheet KPI一覧: one row per place a KPI is listed, with its plan figures, its values by year,
this period's value, rate, pace and grade; at the right, folded, the working and where the value was read.
A KPI replaced mid-plan keeps its row (its history stays), marked as ended."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from kpireport import labels
from kpireport.evaluate.data_year import shown_year
from kpireport.evaluate.display import second_grade_text, second_scale_title
from kpireport.evaluate.results import KpiRow
from kpireport.evaluate.series import definition_notes
from kpireport.history.store import StoredKpiValue
from kpireport.master.sheet_writer import Headers, SheetWriter
from kpireport.model import Evaluation, Kpi, Plan, Value
from kpireport.values import SCALES, format_value, format_year

SHEET = "KPI一覧"
FOLDED: Headers = [("計算の根拠", 60), ("数値（単位どおり）", 14), ("提出ファイル", 30), ("セル", 12)]

Cell = tuple[Any, str]  # a value and its style (a format name, or a grade code for the grade's colour)


def add(writer: SheetWriter) -> None:
    unordered = _headers(writer)
    order = printed_first(len(writer.data.years), len(unordered))
    headers = [unordered[i] for i in order]
    ws = writer.sheet(SHEET, headers + FOLDED, keys=2, folded=len(FOLDED), printed=len(PRINTED))
    sizes = [size for _, size in headers]
    row = 2
    breaks, top = [], None
    for r in writer.data.kpi_rows + _ended_rows(writer):
        row += 1
        here = top_of(writer.plan, r.node_id)
        if top is not None and here != top and row > 3:
            breaks.append(row)  # each top-level node starts a printed page
        top = here
        stored = writer.data.values.get(r.kpi.id)
        writer.row_source = f"指標 {r.kpi.id}" + (f"、提出ファイル {stored.file_name} の {stored.sheet}!{stored.cell}"
                                                 if stored and stored.sheet else "")
        cells = _cells(writer, r, stored)
        cells = [cells[i] for i in order] + cells[len(order):]
        for col, (value, style) in enumerate(cells):
            writer.put(ws, row, col, value, writer.style(style, value))
        # sized by what prints: the folded columns are left out (zip stops at the shown sizes)
        writer.fit_row(ws, row, [(v, size) for (v, style), size in zip(cells, sizes) if style == "wrap"])
    ws.set_h_pagebreaks(breaks)
    writer.finish_table(ws, 2, row, len(headers) + len(FOLDED))


# what the paper shows, in this order (indices in _headers before the years: 0 ID, 1 name, 4 再掲, 5 担当課,
# 7 基準値, 8 目標値; after them, from the period's column: 0 this period, 1 見込み, 2 達成率, 4 評価, 7 備考)
PRINTED = (("head", 0), ("head", 1), ("head", 4), ("head", 5), ("head", 7), ("head", 8),
           ("tail", 0), ("tail", 1), ("tail", 2), ("tail", 4), ("tail", 7))
_HEAD = 9  # columns before the years


def printed_first(years: int, columns: int) -> list[int]:
    """The columns' order: those a reader of the paper needs first (PRINTED), then the others as they were."""
    chosen = [index if part == "head" else _HEAD + years + index for part, index in PRINTED]
    return chosen + [i for i in range(columns) if i not in chosen]


def top_of(plan: Plan, place: str) -> str:
    """The top-level node a row is listed under (a plan's own KGIs: the plan)."""
    return place if plan.is_plan_id(place) else plan.top(place).id


def _headers(writer: SheetWriter) -> Headers:
    # 体系 and 担当課ごとの値 are not printed: wide on the screen, so that their lines do not make printed rows tall
    headers = [("指標ID", 10), ("指標名", 28), ("計画", 10), ("体系", 60), ("再掲", 6), ("担当課", 12), ("単位", 6),
               ("基準値（年度）", 17), ("目標値（年度）", 17)]
    headers += [(f"{format_year(y)} 実績", 11) for y in writer.data.years]
    headers += [(f"{writer.data.period.label}", 12), ("見込み", 6), ("達成率", 8), ("進捗（ペース）", 10), ("評価", 9),
                ("前年度の評価", 9)]
    headers += [(second_scale_title(writer.plan), 9)] if writer.plan.second_grades else []  # 評価区分2
    headers += [("手動評価", 7), ("手動評価の理由", 14), ("備考・未記入の理由", 20), ("担当課ごとの値", 60)]
    return headers


def _past_actual(kpi: Kpi, stored: StoredKpiValue, year: int) -> str:
    """An earlier year's actual, with the year its data is of when that is earlier still."""
    return format_value(stored.value) + shown_year(stored, year, kpi.calendar)


def _ended_rows(writer: SheetWriter) -> list[KpiRow]:
    """KPIs no longer in force this year that have values: replaced mid-plan, their history stays."""
    plan, year = writer.plan, writer.data.period.fiscal_year
    return [KpiRow(k, k.node, False, labels.node_path(plan, k.node)) for k in plan.kpis
            if not k.in_force(year) and writer.data.history.get(k.id)]


def _cells(writer: SheetWriter, r: KpiRow, stored: StoredKpiValue | None) -> list[Cell]:
    """A row: the plan's figures, the values by year, this period's evaluation, then the folded working."""
    plan, kpi = writer.plan, r.kpi
    ev = writer.data.evaluations[kpi.id]
    cells: list[Cell] = [
        (kpi.id, "text"), (kpi.name, "wrap"), (plan.plan_of(r.node_id).short_name, "wrap"), (r.path, "wrap"),
        (labels.REPOST if r.reposted else "", "wrap"), (labels.owners_text(plan, kpi), "wrap"),
        (labels.kpi_unit(kpi), "wrap"), (labels.kpi_baseline(kpi), "wrap"), (labels.kpi_target(kpi), "wrap")]
    history = writer.data.history.get(kpi.id, {})
    cells += [(_past_actual(kpi, history[y], y) if y in history else "", "wrap") for y in writer.data.years]
    cells += _evaluation_cells(writer, kpi, ev, stored)
    # folded: the working, the number in the KPI's unit, where it was read
    cells += [(ev.working + _changed_definition(writer, kpi), "wrap"),
              (_in_unit(stored.value) if stored and stored.value.is_number else None, "number"),
              (stored.file_name if stored else "", "wrap"),
              (f"{stored.sheet}!{stored.cell}" if stored and stored.sheet else "", "text")]
    return cells


def _evaluation_cells(writer: SheetWriter, kpi: Kpi, ev: Evaluation, stored: StoredKpiValue | None) -> list[Cell]:
    shown = ""
    if stored is not None:
        shown = format_value(stored.value) if stored.value.is_number else "（未記入）"
    # the year the figure is of when not the period's (lagging data, graded at that year), or the span it was
    # written with: as the report and the site show it
    shown += shown_year(stored, writer.data.period.fiscal_year, kpi.calendar)
    grade: Cell = (f"{ev.grade} {ev.label}", ev.grade) if kpi.graded else ("参考指標（評価しない）", "text")
    if not kpi.in_force(writer.data.period.fiscal_year):
        grade = (_ended_text(writer.plan, kpi), "wrap")
    override = ev.override
    second: list[Cell] = [(second_grade_text(kpi, ev), "text")] if writer.plan.second_grades else []  # 評価区分2
    return [(shown, "wrap"), ("見込み" if ev.provisional else "", "text"), (ev.rate, "percent"),
            (ev.pace, "percent"), grade, _previous_grade(writer, kpi), *second,
            (override.grade if override else "", "text"), (override.reason if override else "", "wrap"),
            (remarks(stored), "wrap"), (_shared_note(writer, kpi.id), "wrap")]


def _previous_grade(writer: SheetWriter, kpi: Kpi) -> Cell:
    """The grade of the year before, as it was graded then (coloured when the code is still one of the grades)."""
    before = writer.data.previous(kpi.id)
    if before is None or not kpi.graded:
        return "", "text"
    ev = before.evaluation
    return f"{ev.grade} {ev.label}", ev.grade if ev.grade in writer.grade_format else "text"


def _changed_definition(writer: SheetWriter, kpi: Kpi) -> str:
    """After the working: a baseline or target the office changed since an earlier year was graded (that year's
    grade, beside this one as 前年度の評価, was graded with the figure of its time)."""
    notes = definition_notes(kpi, writer.data.series.get(kpi.id, ()))
    return f"\n過去の年度の評価: {''.join(notes)}" if notes else ""


def _shared_note(writer: SheetWriter, kpi_id: str) -> str:
    """A shared KPI: each department's entry (its remarks and reasons too) and what was made of them."""
    standing = writer.data.shared.get(kpi_id)
    if standing is None:
        return ""
    shown = writer.data.values.get(kpi_id)  # its remarks are in the remarks column already
    notes = [f"{e.department}: {remarks(e)}" for e in standing.entries if remarks(e) and e is not shown]
    return "\n".join([standing.working] + notes)


def _in_unit(value: Value) -> Decimal | None:
    """The number in the KPI's display unit (150万人 → 150)."""
    if value.number is None:
        return None
    return value.number / (Decimal(10) ** SCALES.get(value.scale, 0)) if value.scale else value.number


def _ended_text(plan: Plan, kpi: Kpi) -> str:
    """「令和5年度で終了（K1-3-2に差し替え）」 for a KPI no longer reported."""
    successor = next((k.id for k in plan.kpis if k.replaces == kpi.id), "")
    last_year = kpi.valid_until or (kpi.valid_from - 1 if kpi.valid_from else None)
    until = format_year(last_year) if last_year else ""
    return f"{until}で終了" + (f"（{successor}に差し替え）" if successor else "")


def remarks(stored: StoredKpiValue | None) -> str:
    """A value's remarks and reason as the master shows them."""
    return labels.remarks_text(stored.remarks, stored.reason) if stored is not None else ""
