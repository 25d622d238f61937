"""The site's tree: each plan, its nodes with their KPIs, grade counts and initiatives, each KPI once."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from kpireport import labels
from kpireport.evaluate.display import method_note
from kpireport.evaluate.results import InitiativeRow, KpiRow, PeriodResults, each_once, initiative_rows, tree_order
from kpireport.evaluate.tally import StatusCount, status_count
from kpireport.model import Plan
from kpireport.publish import chart
from kpireport.publish.content import (
    NOT_REPORTED,
    GradeView,
    InitiativeView,
    KpiView,
    Link,
    NodeView,
    PlanView,
    Site,
    grade_view,
    initiative_view,
    japanese_date,
    kpi_view,
)
from kpireport.publish.names import INDEX, node_file
from kpireport.publish.policy import Policy

TOP = "トップ"


def build_site(data: PeriodResults, policy: Policy, today: dt.date) -> Site:
    """Everything the pages and the data show, with only what the office publishes."""
    plan = data.plan
    nodes = node_views(data)
    rows = [r for r in data.kpi_rows if r.kpi.public]
    kpis: dict[str, KpiView] = {}
    for row in each_once(rows):
        kpis[row.kpi.id] = kpi_view(data, row.kpi, [r for r in rows if r.kpi.id == row.kpi.id], policy, nodes)
    entries = {i.id: entry for i, entry in data.initiatives}
    initiatives = {r: initiative_view(data, r, entries.get(r.initiative.id), policy)
                   for r in initiative_rows(plan) if r.initiative.public}
    for view in nodes.values():
        fill_node(data, view, rows, kpis, initiatives)
    plans = [PlanView(info, [nodes[n.id] for n in plan.children(None, info.id)], nodes[info.id])
             for info in plan.plans]
    grades = [grade_view(plan, g.code) for g in plan.grades]
    settings = plan.settings_for(data.period.key)
    return Site(city=settings.city, title=settings.report_title, period_label=data.period.label,
                period_key=data.period.key, monthly=data.period.is_monthly, merged=last_merge(data),
                published=japanese_date(today), plans=plans,
                nodes=[nodes[i] for i in tree_order(plan) if not plan.is_plan_id(i)],
                kpis=list(kpis.values()), grades=grades, method=method_note(plan),
                status_labels=settings.status_labels, provisional_shown=policy.provisional, policy=policy, data=data)


def last_merge(data: PeriodResults) -> str:
    """The date the period's accepted files were last merged, as the history records it."""
    received = [s.received_at for s in data.submissions if s.accepted]
    return japanese_date(dt.date.fromisoformat(max(received)[:10])) if received else "未集計"


def node_views(data: PeriodResults) -> dict[str, NodeView]:
    """Every node, and each plan as a whole (where its own KGIs sit, on the top page), by ID."""
    plan = data.plan
    views: dict[str, NodeView] = {}
    for info in plan.plans:
        views[info.id] = NodeView(info.id, f"{info.name}（計画全体）", f"{INDEX}#plan-{info.id}", info, None)
    for ident in tree_order(plan):
        if plan.is_plan_id(ident):
            continue
        node = plan.node(ident)
        info = plan.plan(node.plan)
        views[ident] = NodeView(ident, labels.node_heading(plan, node), node_file(ident), info, node)
    for view in views.values():
        if view.node is not None:
            view.breadcrumbs = [Link(TOP, INDEX)] + [Link(views[n.id].heading, views[n.id].href)
                                                    for n in plan.path(view.ident)[:-1]]
            view.children = [views[c.id] for c in plan.children(view.ident)]
    return views


def fill_node(data: PeriodResults, view: NodeView, rows: list[KpiRow], kpis: dict[str, KpiView],
              initiatives: dict[InitiativeRow, InitiativeView]) -> None:
    """A node's KPIs and initiatives, and the counts of everything under it."""
    below = data.plan.descendants(view.ident)
    view.kpis = [(kpis[r.kpi.id], r.reposted) for r in rows if r.node_id == view.ident]
    graded = [kpis[r.kpi.id].current for r in each_once(r for r in rows if r.node_id in below) if r.kpi.graded]
    view.counts = grade_counts(data.plan, [p.grade.code for p in graded if p is not None])
    view.bar = chart.grade_bar("b-" + re.sub(r"[^A-Za-z0-9_-]", "-", view.href), f"{view.heading}の評価の件数",
                               [(g.text, g.colour, n) for g, n in view.counts])
    view.initiatives = [v for r, v in initiatives.items() if r.node_id == view.ident]
    under = each_once(r for r in initiatives if r.node_id in below)
    counted = status_count((data.initiative_states.get(r.initiative.id) for r in under), data.plan.settings.status_labels)
    view.status_counts = status_counts(data.plan.settings.status_labels, counted)


def grade_counts(plan: Plan, codes: list[str]) -> list[tuple[GradeView, int]]:
    """Every grade of the plan with how many of ``codes`` it has (none left out, so the legend is the same)."""
    counted = Counter(codes)
    return [(grade_view(plan, g.code), counted[g.code]) for g in plan.grades]


def status_counts(labels: tuple[str, ...], counted: StatusCount) -> list[tuple[str, int]]:
    """The city's 実施状況 in its order, then 未報告 (a blank one included: the site has no 未記入), then the
    statuses the labels no longer name, as counted by evaluate.tally."""
    return [*zip(labels, counted.per_status), (NOT_REPORTED, counted.blank + counted.unreported),
            *([("その他", counted.other)] if counted.other else [])]
