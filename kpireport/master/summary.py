"""The master's sheet 概要: per plan, its KPIs by grade under each top-level node with a chart of the
shares, then its initiatives by status. Each plan's part starts a printed page of its own."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from kpireport import labels
from kpireport.evaluate.display import CHART_COLOURS, grade_colours, method_note
from kpireport.evaluate.figures import PlanSummary, summary_columns
from kpireport.evaluate.results import each_once, initiative_rows
from kpireport.evaluate.tally import PlanTally, optional_columns, plan_tally, status_count
from kpireport.master import page
from kpireport.master.sheet_writer import SheetWriter
from kpireport.model import Grade, Node, PlanInfo

SHEET = "概要"
NAME_WIDTH = 48  # the first column: the names of a plan's top level (重点戦略 names run to 40 characters)
CHART_ROWS = 18  # the rows a grade chart covers below its table


def add(writer: SheetWriter) -> None:
    ws = writer.wb.add_worksheet(SHEET)
    ws.activate()
    settings = writer.plan.settings
    last_col = 1 + 2 * len(writer.plan.grades)
    ws.write_string(0, 0, f"{settings.city}　{writer.data.period.label}　KPIの達成状況", writer.f["title"])
    ws.merge_range(1, 0, 1, last_col, f"集計日時: {writer.data.merged_at.replace('T', ' ')}　評価の方法: "
                   f"{method_note(writer.plan)}", writer.f["note_wrap"])
    ws.set_row(1, 30)
    ws.set_column(0, 0, NAME_WIDTH)
    ws.set_column(1, 20, 9)
    page.print_one_page_wide(ws, settings.master_paper)
    ws.repeat_rows(0, 1)
    row, breaks = 3, []
    for info in writer.plan.plans:
        if row > 3:
            breaks.append(row)  # each plan's table, chart and counts on a page of its own: no chart is split
        row = _plan_part(writer, ws, info, row)
    ws.set_h_pagebreaks(breaks)


def _plan_part(writer: SheetWriter, ws: Worksheet, info: PlanInfo, row: int) -> int:
    """One plan's KPI table, chart and initiative counts from ``row``; returns the row after them."""
    grades = list(writer.plan.grades)
    ws.write_string(row, 0, f"{info.name}（{info.short_name}）", writer.f["sub"])
    row += 1
    header = row
    _grade_header(writer, ws, row, info, grades)
    tally = plan_tally(writer.data, info.id)
    row = _grade_rows(writer, ws, row, tally, grades)
    for note in tally.notes:
        row += 1
        ws.write_string(row, 0, note, writer.f["note"])
    if info.id in writer.data.summaries:
        row = _summary_figures(writer, ws, writer.data.summaries[info.id], row + 2)
    charted = bool(tally.rows and tally.total.total)
    if charted:
        _grade_chart(writer, ws, info.short_name, header, header + 1, header + len(tally.rows), grades, row)
    row += CHART_ROWS if charted else 2
    tops = [n for n in writer.plan.nodes if n.plan == info.id and n.parent is None]
    return _initiative_counts(writer, ws, info.id, tops, row) + 2


def _grade_header(writer: SheetWriter, ws: Worksheet, row: int, info: PlanInfo, grades: list[Grade]) -> None:
    header = writer.f["header"]
    writer.put(ws, row, 0, info.levels[0], header)
    for i, g in enumerate(grades):
        writer.put(ws, row, 1 + i, f"{g.code} {g.label}", header)
    writer.put(ws, row, 1 + len(grades), "計", header)
    for i, g in enumerate(grades):
        writer.put(ws, row, 2 + len(grades) + i, f"{g.code} 割合", header)
    writer.put(ws, row, 2 + 2 * len(grades), "うち再掲", header)


def _grade_rows(writer: SheetWriter, ws: Worksheet, row: int, tally: PlanTally, grades: list[Grade]) -> int:
    """KPIs by grade, counts then shares, for each top-level node and the total; returns the last row."""
    count = writer.f["count"]
    for line in tally.rows + [tally.total]:
        row += 1
        writer.put(ws, row, 0, line.label, writer.f["wrap"])
        writer.fit_row(ws, row, [(line.label, NAME_WIDTH)])  # long names wrap rather than being cut
        for i, g in enumerate(grades):
            writer.put(ws, row, 1 + i, line.counts.get(g.code, 0), count)
            writer.put(ws, row, 2 + len(grades) + i, line.counts.get(g.code, 0) / line.total if line.total else 0,
                       writer.f["share"])
        writer.put(ws, row, 1 + len(grades), line.total, count)
        writer.put(ws, row, 2 + 2 * len(grades), line.reposted, count)
    return row


def _summary_figures(writer: SheetWriter, ws: Worksheet, summary: PlanSummary, row: int) -> int:
    """The figures the settings ask for (順調以上の割合, 平均達成率, counts per rate band) per top-level node and
    the total, from ``row``; returns the last row written."""
    columns = summary_columns(writer.plan.settings.summary_figures, summary)
    writer.put(ws, row, 0, "集計", writer.f["header"])
    for col, (title, _) in enumerate(columns, start=1):
        writer.put(ws, row, col, title, writer.f["header"])
    for line in summary.rows:
        row += 1
        writer.put(ws, row, 0, line.label, writer.f["wrap"])
        for col, (_, value) in enumerate(columns, start=1):
            shown = value(line)
            writer.put(ws, row, col, shown if shown is not None else "－", writer.f["count"])
    return row


def _grade_chart(writer: SheetWriter, ws: Worksheet, name: str, header: int, first: int, last: int,
                 grades: list[Grade], after: int) -> None:
    chart = writer.wb.add_chart({"type": "bar", "subtype": "percent_stacked"})
    colours = grade_colours(grades, CHART_COLOURS)
    for i, g in enumerate(grades):
        chart.add_series({
            "name": [SHEET, header, 1 + i],
            "categories": [SHEET, first, 0, last, 0],
            "values": [SHEET, first, 1 + i, last, 1 + i],
            "fill": {"color": colours[g.code]},
            "gap": 60,
        })
    chart.set_title({"name": f"{name}　評価の内訳", "name_font": {"name": "游ゴシック", "size": 11}})
    chart.set_x_axis({"num_font": {"name": "游ゴシック"}})
    chart.set_y_axis({"reverse": True, "num_font": {"name": "游ゴシック", "size": 10}})  # 8 pt or more printed
    chart.set_legend({"position": "bottom", "font": {"name": "游ゴシック"}})
    chart.set_size({"width": 760, "height": 320})
    ws.insert_chart(after + 2, 0, chart)


def _initiative_counts(writer: SheetWriter, ws: Worksheet, plan_id: str, tops: list[Node], row: int) -> int:
    """Initiatives by status per top-level node; a 【再掲】 initiative counts at each node it is posted under."""
    plan = writer.plan
    placed = [r for r in initiative_rows(plan) if plan.plan_of(r.node_id).id == plan_id]
    if not placed:
        return row
    ws.write_string(row, 0, "取組の実施状況", writer.f["sub"])
    row += 1
    statuses = plan.settings.status_labels  # the city's own, as the forms store them
    states = writer.data.initiative_states
    rows = [(top, under) for top in tops
            if (under := each_once(r for r in placed if r.node_id in plan.descendants(top.id)))]
    counts = [status_count((states[r.initiative.id] for r in under), statuses) for _, under in rows]
    extra = optional_columns(counts)
    for col, text in enumerate(["", *statuses, *extra, "未報告", "計", "うち再掲"]):
        writer.put(ws, row, col, text or "", writer.f["header"])
    reposts = 0
    for index, ((top, under), counted) in enumerate(zip(rows, counts)):
        row += 1
        reposts += sum(r.reposted for r in under)
        writer.put(ws, row, 0, labels.node_heading(plan, top), writer.f["wrap"])
        writer.fit_row(ws, row, [(labels.node_heading(plan, top), NAME_WIDTH)])
        numbers = [*counted.per_status, *(figures[index] for figures in extra.values()), counted.unreported,
                   counted.total, sum(r.reposted for r in under)]
        for col, n in enumerate(numbers, start=1):
            writer.put(ws, row, col, n, writer.f["count"])
    if reposts:
        row += 1
        ws.write_string(row, 0, f"再掲の取組（{reposts}件）は掲載先ごとに数えています。", writer.f["note"])
    return row + 1
