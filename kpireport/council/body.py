"""4. Body: for each top-level → second-level node, the measures line, this year's 主な取組内容／実績,
next year's 主な取組／今後の方向性, and the KPI table of that node."""
from __future__ import annotations

from collections.abc import Sequence

from docx.oxml.xmlchemy import BaseOxmlElement

from kpireport.council import content, pagefill, texts
from kpireport.council.document import ReportDocument, bullets, heading, page_break, paragraph, table
from kpireport.evaluate.display import RULE_COLOURS, grade_colours, second_grade_text, second_scale_title
from kpireport.evaluate.results import KpiRow, PeriodResults
from kpireport.evaluate.tally import plan_level_label
from kpireport.labels import node_heading, value_text
from kpireport.model import Kpi, Node, Plan, Value
from kpireport.values import format_year


def add(doc: ReportDocument, data: PeriodResults) -> None:
    plan = data.plan
    with_body = {info.id for info in content.body_plans(data)}
    for info in plan.plans:
        start = doc.size()
        own = content.kpis_at(data, info.id)  # the plan's own KGIs (重要目標達成指標): first, in every plan
        if own:
            heading(doc, plan_level_label(plan, info.id), 1)
            kpi_table(doc, data, own, plan_level_label(plan, info.id))
            if info.id not in with_body:
                page_break(doc)
        if info.id not in with_body:
            continue  # a plan with no narratives has no body; its KPIs are in the status and measure sheets
        used = pagefill.height_mm(doc, start)  # of the page the next top node would share
        for number, top in enumerate(n for n in plan.nodes if n.plan == info.id and n.parent is None):
            start = doc.size()
            _top_section(doc, data, top, info.levels[0])
            height = pagefill.height_mm(doc, start)
            # each top node starts a page, but one that fits in what the page before leaves shares it
            if number and used + height > pagefill.PAGE_MM * _SHARED_PAGE:
                doc.body[start].addprevious(_break_paragraph(doc))
                used = 0.0
            used = (used + height) % pagefill.PAGE_MM
        page_break(doc)


_SHARED_PAGE = 0.85  # of the page: a top node is put after the one before only when the estimate leaves this room


def _break_paragraph(doc: ReportDocument) -> BaseOxmlElement:
    """A page-break paragraph (page_break's), taken from the end of the body to be put in place."""
    page_break(doc)
    element = doc.body[doc.size() - 1]
    doc.body.remove(element)
    return element


def _top_section(doc: ReportDocument, data: PeriodResults, top: Node, level: str) -> None:
    """A top-level node: its heading and description, its own figures (基本目標の数値目標), its blocks."""
    plan = data.plan
    heading(doc, node_heading(plan, top), 1)
    if top.description:
        paragraph(doc, top.description, "注記")
    policies = blocks_of(plan, top)
    own_figures = content.kpis_at(data, top.id) if policies != [top] else []
    if own_figures:
        paragraph(doc, f"{level}の指標", "見出し 施策")
        kpi_table(doc, data, own_figures, node_heading(plan, top))
    for policy in policies:
        if policy is not top:
            heading(doc, node_heading(plan, policy), 2)
        block(doc, data, policy)


def blocks_of(plan: Plan, top: Node) -> list[Node]:
    """The body's blocks under a top-level node: its children; or the node itself in a plan with a single level,
    or one whose departments write of the top level (基本施策 with its KPIs, the levels below only listing)."""
    children = plan.children(top.id)
    if children and (any(c.departments for c in children) or not top.departments):
        return children
    return [top]


def block(doc: ReportDocument, data: PeriodResults, node: Node) -> None:
    year, next_year = content.year_labels(data)
    line = content.measures_line(data, node)
    if line:
        paragraph(doc, line, "見出し 施策")
    entry = data.narratives.get(node.id)
    submitted = data.submitted
    missing = texts.NO_TEXT if any(d in submitted for d in node.departments) or not node.departments else texts.NOT_SUBMITTED
    paragraph(doc, texts.achievements_heading(year), "見出し 施策")
    _bullets_or(doc, entry.achievements if entry else (), missing)
    paragraph(doc, texts.next_steps_heading(next_year), "見出し 施策")
    _bullets_or(doc, entry.next_steps if entry else (), missing)
    kpi_table(doc, data, content.kpis_under(data, node.id), node_heading(data.plan, node))


def _bullets_or(doc: ReportDocument, items: Sequence[str], placeholder: str) -> None:
    if items:
        bullets(doc, list(items))
    else:
        paragraph(doc, placeholder)


def kpi_table(doc: ReportDocument, data: PeriodResults, rows: list[KpiRow], caption: str) -> None:
    """The KPI table of a block. Its first row names the block (``caption``) and the kinds of indicator it holds
    (「基本方針1 観光の振興　重要業績評価指標（KPI）」), with 「（続き）」 on each page the table goes on to (continued.py)."""
    if not rows:  # a block with no KPI prints no placeholder: the legend says where the tables are
        return
    cells: list[list[str]] = []
    shading: dict[tuple[int, int], str] = {}
    fills = grade_colours(data.plan.grades, RULE_COLOURS)
    kinds = len({row.kpi.kind for row in rows})
    # the previous year's grade only in a report that has one: a first year's column would say 「－」 in every row
    previous = any(data.previous(kpi.id) is not None for kpi in data.plan.kpis)
    for r, row in enumerate(rows):
        kpi = row.kpi
        evaluation = data.evaluations[kpi.id]
        baseline, target = value_text(kpi.baseline), value_text(kpi.target)  # as the plan wrote them
        (actual,) = content.aligned_actuals([baseline, target], [content.actual_text(data, kpi.id, kpi.departments)])
        cells.append([content.indicator_name(row, kinds, data.plan), _with_year(baseline, kpi.baseline, kpi.baseline_year, kpi),
                      actual, _with_year(target, kpi.target, kpi.target_year, kpi),
                      content.rate_text(data, kpi.id), content.grade_text(data, kpi.id)])
        if evaluation.grade in fills:
            shading[(r, 5)] = fills[evaluation.grade].lstrip("#")
        if previous:
            cells[-1].append(content.previous_grade_text(data, kpi.id))
            before = data.previous(kpi.id)
            if before is not None and kpi.graded and before.evaluation.grade in fills:
                shading[(r, 6)] = fills[before.evaluation.grade].lstrip("#")
    headers, widths, align = ["指標名", "基準値", "実績値", "目標値", "達成率", "評価"], [52, 27, 25, 27, 16, 23], \
        ["left", "right", "right", "right", "right", "center"]
    if previous:
        headers, widths, align = headers + ["前年度評価"], [46, 24, 24, 24, 16, 18, 18], align + ["center"]
    if data.plan.second_grades:  # 評価区分2: its own column after the grades
        headers, widths, align = headers + [second_scale_title(data.plan)], [widths[0] - 14] + widths[1:] + [14], \
            align + ["center"]
        for cells_of_row, row in zip(cells, rows):
            cells_of_row.append(second_grade_text(row.kpi, data.evaluations[row.kpi.id]))
    table(doc, headers, cells, widths, align, shading=shading, caption=f"{caption}　{content.indicator_caption(rows)}")
    changed = content.changed_definition_notes(data, rows) if previous else []  # beside the previous grade
    for note in (content.override_notes(data, rows) + content.rate_notes(data, rows) + changed
                 + content.shared_notes(data, rows)):
        paragraph(doc, note, "注記")


def _with_year(text: str, value: Value, year: int | None, kpi: Kpi) -> str:
    """The value's text with its year under it (labels.kpi_baseline/kpi_target): 「（令和4年度）」, or 「（令和4年）」 for a calendar-year KPI."""
    return f"{text}\n（{format_year(year, fiscal=not kpi.calendar)}）" if year and value.status != "none" else text
