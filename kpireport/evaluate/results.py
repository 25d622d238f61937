"""A period's results: every KPI's value in force and its evaluation, the initiatives, narratives and
submission statuses, assembled from the plan and the history.

Plain data only; the master workbook (kpireport.master) and the council report (kpireport.council)
both show it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from kpireport import labels
from kpireport.evaluate.rules import evaluate_kpi
from kpireport.forms import layout as fl
from kpireport.history.merge import Change, initiatives_in_force, values_in_force
from kpireport.history.store import History, StoredKpiValue, SubmissionRecord
from kpireport.model import Evaluation, Finding, Initiative, InitiativeEntry, Kpi, NarrativeEntry, Plan
from kpireport.periods import ReportPeriod


@dataclass(frozen=True)
class KpiRow:
    """A KPI at one place it is listed (the same KPI appears again where it is 【再掲】)."""

    kpi: Kpi
    node_id: str
    reposted: bool
    path: str


@dataclass(frozen=True)
class DepartmentStatus:
    department: str
    state: str  # 提出済 / 未提出 / 要再提出 / 提出済（新しい提出を差し戻し）
    current: Optional[SubmissionRecord]  # the accepted submission in force
    rejected: Optional[SubmissionRecord]  # the newest rejected submission after it, if any


@dataclass
class PeriodResults:
    plan: Plan
    period: ReportPeriod
    merged_at: str
    kpi_rows: list[KpiRow]
    evaluations: dict[str, Evaluation]
    values: dict[str, StoredKpiValue]  # the value in force per KPI for this period
    conflicts: dict[str, list[StoredKpiValue]]  # jointly owned KPIs whose owners gave different values
    history: dict[str, dict[int, StoredKpiValue]]
    years: list[int]
    initiatives: list[tuple[Initiative, Optional[InitiativeEntry]]]
    narratives: dict[str, NarrativeEntry]
    statuses: list[DepartmentStatus]
    submissions: list[SubmissionRecord]
    findings: list[Finding] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    first_merge: bool = True
    memo: dict = field(default_factory=dict, repr=False, compare=False)  # derived tallies, computed once


def kpi_rows(plan: Plan) -> list[KpiRow]:
    """Every KPI once per place it is listed, in tree order (plans, then nodes, then KPI order)."""
    placements: dict[str, list[tuple[Kpi, bool]]] = {}
    for kpi in plan.kpis:
        placements.setdefault(kpi.node, []).append((kpi, False))
        for node_id in kpi.reposted_under:
            placements.setdefault(node_id, []).append((kpi, True))
    rows = []
    for node in _tree_order(plan):
        for kpi, reposted in placements.get(node.id, []):
            rows.append(KpiRow(kpi, node.id, reposted, labels.node_path(plan, node.id)))
    return rows


def _tree_order(plan: Plan):
    result = []

    def walk(parent):
        for child in sorted((n for n in plan.nodes if n.parent == parent), key=lambda n: n.order):
            result.append(child)
            walk(child.id)

    for info in plan.plans:
        for top in sorted((n for n in plan.nodes if n.parent is None and n.plan == info.id), key=lambda n: n.order):
            result.append(top)
            walk(top.id)
    return result


def department_statuses(plan: Plan, submissions: list[SubmissionRecord]) -> list[DepartmentStatus]:
    statuses = []
    for department in fl.departments_with_forms(plan):
        own = [s for s in submissions if s.department == department]
        current = next((s for s in reversed(own) if s.accepted and s.superseded_by is None), None)
        later = [s for s in own if not s.accepted and (current is None or s.id > current.id)]
        rejected = later[-1] if later else None
        if current and rejected:
            state = "提出済（新しい提出を差し戻し）"
        elif current:
            state = "提出済"
        elif rejected:
            state = "要再提出"
        else:
            state = "未提出"
        statuses.append(DepartmentStatus(department, state, current, rejected))
    return statuses


def build(plan: Plan, period: ReportPeriod, history: History, merged_at: str) -> PeriodResults:
    values, conflicts = values_in_force(history, period)
    overrides = history.overrides(period.key)
    evaluations = {}
    for kpi in plan.kpis:
        stored = values.get(kpi.id)
        actual = stored.value if stored else None
        evaluations[kpi.id] = evaluate_kpi(kpi, actual, period.fiscal_year, plan.grades, plan.settings,
                                           provisional=bool(stored and stored.provisional),
                                           override=overrides.get(kpi.id))
    annual = history.annual_actuals()
    years = sorted({y for per_kpi in annual.values() for y in per_kpi if y < period.fiscal_year})  # earlier years
    entries = initiatives_in_force(history, period)
    initiatives = [(i, entries.get(i.id)) for i in plan.initiatives]
    narratives = {node: given[-1] for node, given in history.narratives(period.key).items()}
    submissions = history.submissions(period.key)
    return PeriodResults(plan=plan, period=period, merged_at=merged_at, kpi_rows=kpi_rows(plan),
                         evaluations=evaluations, values=values, conflicts=conflicts, history=annual, years=years,
                         initiatives=initiatives, narratives=narratives,
                         statuses=department_statuses(plan, submissions), submissions=submissions)


def grade_tally(data: PeriodResults) -> str:
    """「A 達成 19件、B 順調 37件、…」 in the plan's grade order (each KPI once)."""
    counts = {g.code: 0 for g in data.plan.grades}
    for evaluation in data.evaluations.values():
        counts[evaluation.grade] = counts.get(evaluation.grade, 0) + 1
    labels_by_code = {g.code: g.label for g in data.plan.grades}
    return "、".join(f"{code} {labels_by_code.get(code, '')} {n}件" for code, n in counts.items())


def grade_counts(data: PeriodResults, plan_id: str, top_id: Optional[str] = None) -> dict[str, int]:
    """Grades of the KPIs listed under a top-level node (each KPI once), or in the whole plan."""
    if "grade_rows" not in data.memo:  # (plan, top node, KPI, grade) per listed KPI row, computed once
        data.memo["grade_rows"] = [(top.plan, top.id, row.kpi.id, data.evaluations[row.kpi.id].grade)
                                   for row in data.kpi_rows for top in (data.plan.top(row.node_id),)]
    seen: dict[str, str] = {}
    for row_plan, row_top, kpi_id, grade in data.memo["grade_rows"]:
        if row_plan == plan_id and (top_id is None or row_top == top_id):
            seen[kpi_id] = grade
    counts: dict[str, int] = {}
    for grade in seen.values():
        counts[grade] = counts.get(grade, 0) + 1
    return counts
