"""2. KPI achievement status: per plan, grade counts and shares per top-level node, with a chart."""
from __future__ import annotations

from kpireport.council.charts import grade_chart_png
from kpireport.council.document import heading, page_break, paragraph, picture, table
from kpireport.evaluate.display import CHART_COLOURS, RULE_COLOURS, method_note
from kpireport.evaluate.results import PeriodResults, grade_counts
from kpireport.labels import node_heading


def chart_jobs(data: PeriodResults) -> dict[str, tuple]:
    """Per plan with top-level nodes: the arguments of its grade chart (grade_chart_png)."""
    plan = data.plan
    jobs = {}
    for info in plan.plans:
        tops = [n for n in plan.nodes if n.plan == info.id and n.parent is None]
        if tops:
            series = [(f"{g.code} {g.label}", CHART_COLOURS.get(g.rule, "#999999"),
                       [grade_counts(data, info.id, t.id).get(g.code, 0) for t in tops]) for g in plan.grades]
            jobs[info.id] = (f"{info.short_name}　評価の内訳（件数の割合）", [node_heading(plan, t) for t in tops],
                             series)
    return jobs


def add(doc, data: PeriodResults) -> None:
    plan = data.plan
    pictures = {plan_id: grade_chart_png(*args) for plan_id, args in chart_jobs(data).items()}
    heading(doc, plan.settings.status_title, 1)
    grades = list(plan.grades)
    for info in plan.plans:
        tops = [n for n in plan.nodes if n.plan == info.id and n.parent is None]
        heading(doc, info.short_name, 2)
        rows, shading = [], {}
        for r, top in enumerate(tops + [None]):
            counts = grade_counts(data, info.id, top.id if top else None)
            total = sum(counts.values())
            cells = [node_heading(plan, top) if top else "合計"]
            for c, g in enumerate(grades, start=1):
                n = counts.get(g.code, 0)
                cells.append(f"{n}\n{n / total * 100:.1f}%" if total else "0")
                if n:
                    shading[(r, c)] = RULE_COLOURS.get(g.rule, "#FFFFFF").lstrip("#")
            cells.append(str(total))
            rows.append(cells)
        headers = [info.levels[0]] + [f"{g.code} {g.label}" for g in grades] + ["計"]
        # the grade columns as narrow as 「12 / 48.0%」 allows (fit_widths widens one whose label needs it),
        # so the names in the first column do not wrap into three lines
        widths = [170 - 17 * len(grades) - 12] + [17] * len(grades) + [12]
        table(doc, headers, rows, widths, ["left"] + ["center"] * (len(grades) + 1), shading=shading)
        if info.id in pictures:
            picture(doc, pictures[info.id], 160)
        paragraph(doc, f"評価の方法: {method_note(plan)}", "注記")
    page_break(doc)
