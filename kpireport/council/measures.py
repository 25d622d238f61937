"""5. Measure sheets in the layout of seed 001: per measure, its 内容, a KPI table
(名称 / 現状値 / <year>年度末値 / 目標値(<year>)), the 事業 done this year and the 事業 planned next.

Each 事業 is printed by its short name (the department's 事業名, else the plan's, else the plan's 推進内容)
beside the department's result (取組の概要) and next step with its reason (今後の取組内容とその理由)."""
from __future__ import annotations

from collections import Counter

from kpireport.council import content, texts
from kpireport.council.document import ReportDocument, heading, page_break, table, toc
from kpireport.evaluate.results import InitiativeRow, KpiRow, PeriodResults, initiative_rows, tree_order
from kpireport.labels import markers_text, value_text
from kpireport.model import Initiative, InitiativeEntry, Node
from kpireport.values import format_year


def measure_nodes(data: PeriodResults) -> list[Node]:
    """Nodes of any level that list KPIs or initiatives, their own or 【再掲】 (a measure sheet each), tree order;
    in the plans that post KPIs or initiatives of their own (a 基本計画 that only reposts the strategy's KPIs is
    reported in its body, not in measure sheets)."""
    plan = data.plan
    rows = list(data.kpi_rows) + list(initiative_rows(plan))
    listed = {row.node_id for row in rows}
    homes = {plan.plan_of(row.node_id).id for row in rows if not row.reposted}
    return [plan.node(place) for place in tree_order(plan)
            if place in listed and not plan.is_plan_id(place) and plan.node(place).plan in homes]


def add(doc: ReportDocument, data: PeriodResults) -> None:
    nodes = measure_nodes(data)
    if not nodes:
        return
    heading(doc, data.plan.settings.measures_title, 1)
    toc(doc, "2-2", "目次（施策シート）")
    page_break(doc)
    index = _Index(data)
    for node in nodes:
        sheet(doc, data, node, index)
        page_break(doc)


class _Index:
    """Per node: the KPI rows listed on it (own first, then 【再掲】); its initiative rows; each initiative's entry."""

    def __init__(self, data: PeriodResults):
        self.kpis: dict[str, list[KpiRow]] = {}
        for row in sorted(data.kpi_rows, key=lambda r: r.reposted):  # stable: own rows first, in plan order
            self.kpis.setdefault(row.node_id, []).append(row)
        self.initiatives: dict[str, list[InitiativeRow]] = {}
        for placed in sorted(initiative_rows(data.plan), key=lambda r: r.reposted):
            self.initiatives.setdefault(placed.node_id, []).append(placed)
        self.entries = {i.id: e for i, e in data.initiatives}


def sheet(doc: ReportDocument, data: PeriodResults, node: Node, index: _Index) -> None:
    plan = data.plan
    info = plan.plan(node.plan)
    era = info.start_year or None
    heading(doc, " ".join(f"{node.label(info)} {node.number} {node.title}".split()) + markers_text(node.markers), 2)
    placed = index.initiatives.get(node.id, [])
    initiatives = [row.initiative for row in placed]
    about = _about(node, initiatives)
    if about:
        table(doc, ["内容"], [[about]], [170])
    kpi_rows = index.kpis.get(node.id, [])
    kpis = [row.kpi for row in kpi_rows]
    year = data.period.fiscal_year
    if kpis:
        common = Counter(k.target_year for k in kpis).most_common(1)[0][0]
        target_head = f"目標値({format_year(common, 'short', era_of_year=era)})"
        rows = []
        for row in kpi_rows:
            kpi = row.kpi
            target = value_text(kpi.target)
            if kpi.target_year != common:
                target += f"（{format_year(kpi.target_year, 'short', era_of_year=era)}）"
            rows.append([content.indicator_name(row, len({k.kind for k in kpis}), data.plan), value_text(kpi.baseline),
                         content.actual_text(data, kpi.id, kpi.departments), target])
        table(doc, ["名称", "現状値", f"{format_year(year, era_of_year=era)}末値", target_head], rows, [70, 33, 33, 34])
    else:
        table(doc, ["名称"], [[texts.NO_KPI]], [170])
    reposted = {row.initiative.id for row in placed if row.reposted}
    works = [(i, index.entries.get(i.id)) for i in initiatives]
    year_label = format_year(year, era_of_year=era)
    next_label = format_year(year + 1, era_of_year=era)
    _works(doc, data, texts.measures_done_title(year_label), works, "summary", reposted)
    _works(doc, data, texts.measures_next_title(next_label), works, "plan", reposted)


def _about(node: Node, initiatives: list[Initiative]) -> str:
    """The 内容 cell: the measure's description, else what the plan says of its initiatives (推進内容); nothing
    when the plan says neither (the table is left out rather than printed empty)."""
    if node.description:
        return node.description
    return "\n".join(i.content for i in initiatives)


def short_name(initiative: Initiative, entry: InitiativeEntry | None) -> str:
    """The 事業 as seed 001 prints it: the department's 事業名, the plan's, or the plan's 推進内容."""
    return (entry.name if entry is not None else None) or initiative.name or initiative.content


def _works(doc: ReportDocument, data: PeriodResults, title: str, works: list[tuple[Initiative, InitiativeEntry | None]],
           field: str, reposted: set[str]) -> None:
    """The 事業 whose entries give this text (seed 001 lists different 事業 under 実績 and 以降); when no entry
    gives it, every 事業 of the measure with the placeholder. A 事業 listed here as a repost is marked 【再掲】."""
    def name(i: Initiative, e: InitiativeEntry | None) -> str:
        return (texts.REPOST if i.id in reposted else "") + short_name(i, e)

    with_text = [(i, e) for i, e in works if e is not None and getattr(e, field) is not None]
    if with_text:
        rows = [[name(i, e), content.initiative_text(data, i, e, field) or texts.NO_TEXT] for i, e in with_text]
    elif works:
        rows = [[name(i, e), texts.NO_TEXT] for i, e in works]
    else:
        rows = [[texts.NO_INITIATIVE, ""]]
    table(doc, [title, ""], rows, [60, 110])
