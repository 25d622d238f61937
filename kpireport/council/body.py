"""4. Body: for each top-level → second-level node, the measures line, this year's 主な取組内容／実績,
next year's 主な取組／今後の方向性, and the KPI table of that node."""
from __future__ import annotations

from kpireport.council import content, texts
from kpireport.council.document import bullets, heading, page_break, paragraph, table
from kpireport.evaluate.display import RULE_COLOURS
from kpireport.evaluate.results import PeriodResults
from kpireport.labels import node_heading, value_text
from kpireport.values import format_year


def add(doc, data: PeriodResults) -> None:
    plan = data.plan
    for info in plan.plans:
        if not any(n.plan == info.id and n.departments for n in plan.nodes):
            continue  # a plan with no narratives has no body; its KPIs are in the status and measure sheets
        for top in (n for n in plan.nodes if n.plan == info.id and n.parent is None):
            heading(doc, node_heading(plan, top), 1)
            policies = plan.children(top.id) or [top]  # a plan with a single level: the node is its own block
            for policy in policies:
                if policy is not top:
                    heading(doc, node_heading(plan, policy), 2)
                block(doc, data, policy)
            page_break(doc)


def block(doc, data: PeriodResults, node) -> None:
    year, next_year = content.year_labels(data)
    line = content.measures_line(data, node)
    if line:
        paragraph(doc, line, "見出し 施策")
    entry = data.narratives.get(node.id)
    submitted = content.submitted_departments(data)
    missing = texts.NO_TEXT if any(d in submitted for d in node.departments) or not node.departments else texts.NOT_SUBMITTED
    paragraph(doc, texts.achievements_heading(year), "見出し 施策")
    _bullets_or(doc, entry.achievements if entry else (), missing)
    paragraph(doc, texts.next_steps_heading(next_year), "見出し 施策")
    _bullets_or(doc, entry.next_steps if entry else (), missing)
    kpi_table(doc, data, content.kpis_under(data, node.id))


def _bullets_or(doc, items, placeholder: str) -> None:
    if items:
        bullets(doc, list(items))
    else:
        paragraph(doc, placeholder)


def kpi_table(doc, data: PeriodResults, rows) -> None:
    if not rows:
        paragraph(doc, texts.NO_KPI, "注記")
        return
    cells, shading = [], {}
    grades = {g.code: g for g in data.plan.grades}
    for r, row in enumerate(rows):
        kpi = row.kpi
        evaluation = data.evaluations[kpi.id]
        baseline, actual, target = content.same_precision([value_text(kpi.baseline),
                                                           content.actual_text(data, kpi.id, kpi.departments),
                                                           value_text(kpi.target)])
        cells.append([(texts.REPOST if row.reposted else "") + kpi.name, _with_year(baseline, kpi.baseline, kpi.baseline_year),
                      actual, _with_year(target, kpi.target, kpi.target_year),
                      content.rate_text(data, kpi.id), content.grade_text(data, kpi.id)])
        grade = grades.get(evaluation.grade)
        if grade is not None:
            shading[(r, 5)] = RULE_COLOURS.get(grade.rule, "#FFFFFF").lstrip("#")
    paragraph(doc, texts.KPI_LABEL, "見出し 施策")  # keeps with the table (the style's keep with next)
    table(doc, ["指標名", "基準値", "実績値", "目標値", "達成率", "評価"], cells, [52, 27, 25, 27, 16, 23],
          ["left", "right", "right", "right", "right", "center"], shading=shading)
    for note in content.override_notes(data, rows) + content.rate_notes(data, rows) + content.shared_notes(data, rows):
        paragraph(doc, note, "注記")


def _with_year(text: str, value, year) -> str:
    """The value's text with its year under it (labels.value_with_year, on a text already given its decimals)."""
    return f"{text}\n（{format_year(year)}）" if year and value.status != "none" else text
