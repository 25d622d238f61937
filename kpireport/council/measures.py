"""5. Measure sheets in the layout of seed 001: per measure, its 内容, a KPI table
(名称 / 現状値 / <year>年度末値 / 目標値(<year>)), the 事業 done this year and the 事業 planned next."""
from __future__ import annotations

from collections import Counter

from kpireport.council import content, texts
from kpireport.council.document import heading, page_break, table, toc
from kpireport.evaluate.results import PeriodResults, initiative_rows, tree_order
from kpireport.labels import markers_text, value_text
from kpireport.values import format_year


def measure_nodes(data: PeriodResults) -> list:
    """Nodes of any level that list KPIs or initiatives, their own or 【再掲】 (a measure sheet each), tree order."""
    plan = data.plan
    listed = {row.node_id for row in data.kpi_rows} | {row.node_id for row in initiative_rows(plan)}
    return [plan.node(place) for place in tree_order(plan) if place in listed and not plan.is_plan_id(place)]


def add(doc, data: PeriodResults) -> None:
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
        self.kpis: dict[str, list] = {}
        for row in sorted(data.kpi_rows, key=lambda r: r.reposted):  # stable: own rows first, in plan order
            self.kpis.setdefault(row.node_id, []).append(row)
        self.initiatives: dict[str, list] = {}
        for row in sorted(initiative_rows(data.plan), key=lambda r: r.reposted):
            self.initiatives.setdefault(row.node_id, []).append(row)
        self.entries = {i.id: e for i, e in data.initiatives}


def sheet(doc, data: PeriodResults, node, index: _Index) -> None:
    plan = data.plan
    info = plan.plan(node.plan)
    era = info.start_year or None
    heading(doc, " ".join(f"{node.label(info)} {node.number} {node.title}".split()) + markers_text(node.markers), 2)
    table(doc, ["内容"], [[node.description or texts.NO_TEXT]], [170])
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
            rows.append([content.indicator_name(row, len({k.kind for k in kpis})), value_text(kpi.baseline),
                         content.actual_text(data, kpi.id, kpi.departments), target])
        table(doc, ["名称", "現状値", f"{format_year(year, era_of_year=era)}末値", target_head], rows, [70, 33, 33, 34])
    else:
        table(doc, ["名称"], [[texts.NO_KPI]], [170])
    entries = index.entries
    placed = index.initiatives.get(node.id, [])
    initiatives = [row.initiative for row in placed]
    reposted = {row.initiative.id for row in placed if row.reposted}
    done = [(i, entries[i.id]) for i in initiatives if entries.get(i.id) and entries[i.id].summary is not None]
    planned = [(i, entries[i.id]) for i in initiatives if entries.get(i.id) and entries[i.id].plan is not None]
    year_label = format_year(year, era_of_year=era)
    next_label = format_year(year + 1, era_of_year=era)
    _works(doc, data, texts.measures_done_title(year_label), done, initiatives, "summary", reposted)
    _works(doc, data, texts.measures_next_title(next_label), planned, initiatives, "plan", reposted)


def _works(doc, data: PeriodResults, title: str, with_text, initiatives, field: str, reposted: set) -> None:
    def name(i) -> str:
        return (texts.REPOST if i.id in reposted else "") + i.content

    if with_text:
        rows = [[name(i), content.initiative_text(data, i, e, field) or texts.NO_TEXT] for i, e in with_text]
    elif initiatives:
        rows = [[name(i), texts.NO_TEXT] for i in initiatives]
    else:
        rows = [[texts.NO_INITIATIVE, ""]]
    table(doc, [title, ""], rows, [60, 110])
