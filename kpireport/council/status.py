"""2. KPI achievement status: per plan, grade counts and shares per top-level node, with a chart."""
from __future__ import annotations

from kpireport.council import texts
from kpireport.council.charts import grade_chart_png
from kpireport.council.document import ReportDocument, heading, page_break, paragraph, picture, table
from kpireport.evaluate.display import CHART_COLOURS, RULE_COLOURS, grade_colours, method_note
from kpireport.evaluate.figures import PlanSummary, summary_columns
from kpireport.evaluate.results import PeriodResults
from kpireport.evaluate.tally import plan_tally


def chart_jobs(data: PeriodResults) -> dict[str, tuple]:
    """Per plan with top-level nodes: the arguments of its grade chart (grade_chart_png)."""
    plan = data.plan
    jobs = {}
    for info in plan.plans:
        rows = [r for r in plan_tally(data, info.id).rows if r.total]
        # a plan (or a period) with no graded KPI gets no empty chart; bars of one or two KPIs each say nothing
        # the table does not (seed 001's 23 measures): the table alone
        if rows and max(r.total for r in rows) > 2:
            colours = grade_colours(plan.grades, CHART_COLOURS)
            series = [(f"{g.code} {g.label}", colours[g.code], [r.counts.get(g.code, 0) for r in rows])
                      for g in plan.grades]
            jobs[info.id] = (f"{info.short_name}　評価の内訳（件数の割合）", [r.label for r in rows], series)
    return jobs


def add(doc: ReportDocument, data: PeriodResults) -> None:
    plan = data.plan
    pictures = {plan_id: grade_chart_png(*args) for plan_id, args in chart_jobs(data).items()}
    heading(doc, plan.settings.status_title or texts.status_title([p.short_name for p in plan.plans]), 1)
    paragraph(doc, f"評価の方法: {method_note(plan)}", "注記")  # once, before the tables it explains
    grades = list(plan.grades)
    fills = grade_colours(grades, RULE_COLOURS)
    for number, info in enumerate(plan.plans):
        tally = plan_tally(data, info.id)
        if number and pictures:  # a plan's table and chart on a page of their own: the chart never alone
            page_break(doc)
        heading(doc, info.short_name, 2)
        if not tally.total.total:
            paragraph(doc, f"{info.short_name}には、評価する指標がありません。" + "".join(tally.notes), "注記")
            continue
        rows, shading = [], {}
        with_reposts = tally.total.reposted > 0
        for r, line in enumerate(tally.rows + [tally.total]):
            cells = [line.label]
            for c, g in enumerate(grades, start=1):
                n = line.counts.get(g.code, 0)
                cells.append(f"{n}\n{n / line.total * 100:.1f}%" if line.total else "0")
                if n:
                    shading[(r, c)] = fills[g.code].lstrip("#")
            cells.append(str(line.total))
            if with_reposts:
                cells.append(str(line.reposted))
            rows.append(cells)
        extra = ["うち\n再掲"] if with_reposts else []
        # each grade's mark over its label (「A」 over 「達成」): the columns as narrow as 「12 / 48.0%」 allows
        # (fit_widths widens one whose label needs it), so the names in the first column wrap into two lines, not
        # three, and a long table (H28's 23 measures) stays on its page instead of leaving its last rows to the next
        headers = [info.levels[0]] + [f"{g.code}\n{g.label}" for g in grades] + ["計"] + extra
        count_columns = len(grades) + 1 + len(extra)
        widths = [170 - 15 * len(grades) - 11 * (1 + len(extra))] + [15] * len(grades) + [11] * (1 + len(extra))
        # a table that runs on to a next page takes a quarter of its rows there with the total, never 合計 alone
        table(doc, headers, rows, widths, ["left"] + ["center"] * count_columns, shading=shading,
              keep_last=max(4, len(rows) // 4))
        for note in tally.notes:
            paragraph(doc, note, "注記")
        if info.id in data.summaries:
            _summary_table(doc, data, data.summaries[info.id], info.levels[0])
        if info.id in pictures:
            picture(doc, pictures[info.id], 160)
    page_break(doc)


def _summary_table(doc: ReportDocument, data: PeriodResults, summary: PlanSummary, level: str) -> None:
    """The summary figures the settings ask for, per top-level node and the total."""
    columns = summary_columns(data.plan.settings.summary_figures, summary)
    rows = [[line.label] + [str(v) if (v := value(line)) is not None else "－" for _, value in columns]
            for line in summary.rows]
    width = 18 if len(columns) > 3 else 24
    table(doc, [level] + [title for title, _ in columns], rows, [170 - width * len(columns)] + [width] * len(columns),
          ["left"] + ["center"] * len(columns))
