"""Everything the master workbook shows, assembled from the plan and the history.

Plain data only; master.py writes it. The snapshot of values taken here is stored with each merge
so the next merge can list what changed (変更点).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from kpireport import form_layout as fl, labels
from kpireport.evaluate import evaluate_kpi
from kpireport.model import Evaluation, Finding, Initiative, InitiativeEntry, Kpi, NarrativeEntry, Plan
from kpireport.period import ReportPeriod
from kpireport.store import History, StoredKpiValue, SubmissionRecord
from kpireport.values import format_value


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


@dataclass(frozen=True)
class Change:
    kind: str  # 変更 / 追加 / 取り下げ
    item: str  # 指標 / 取組
    ident: str
    name: str
    before: str
    after: str
    department: str
    source: str


@dataclass
class MasterData:
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

    def snapshot(self) -> dict:
        """What changed-detection compares between merges: displayed values and statuses."""
        kpis = {k: {"value": format_value(v.value) if v.value.is_number else f"（未記入: {v.reason}）",
                    "department": v.department, "source": f"{v.file_name} {v.sheet}!{v.cell}"}
                for k, v in self.values.items()}
        initiatives = {i.id: {"value": f"{e.status}／{e.next_step}", "department": "", "source": e.sheet}
                       for i, e in self.initiatives if e is not None}
        return {"kpis": kpis, "initiatives": initiatives}


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


def value_in_force(history: History, period: ReportPeriod) -> tuple[dict[str, StoredKpiValue],
                                                                     dict[str, list[StoredKpiValue]]]:
    """The value for each KPI in ``period`` (latest submission wins) and the joint-owner conflicts.

    For a fiscal year with no final 実績 yet, the latest monthly 見込み of that year stands in.
    """
    final = history.kpi_values(period.key)
    by_kpi = dict(final)
    if not period.is_monthly:
        for month in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3):  # later months replace earlier ones
            for kpi_id, values in history.kpi_values(ReportPeriod(period.fiscal_year, month).key).items():
                if kpi_id not in final:
                    by_kpi[kpi_id] = [_provisional(v) for v in values]
    chosen, conflicts = {}, {}
    for kpi_id, values in by_kpi.items():
        chosen[kpi_id] = values[-1]
        if len(values) > 1 and len({format_value(v.value) for v in values if v.value.is_number}) > 1:
            conflicts[kpi_id] = values
    return chosen, conflicts


def _provisional(value: StoredKpiValue) -> StoredKpiValue:
    from dataclasses import replace

    return replace(value, provisional=True)


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


def build(plan: Plan, period: ReportPeriod, history: History, merged_at: str) -> MasterData:
    values, conflicts = value_in_force(history, period)
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
    initiative_values = history.initiative_values(period.key)
    initiatives = [(i, (initiative_values.get(i.id) or [None])[-1]) for i in plan.initiatives]
    narratives = {node: entries[-1] for node, entries in history.narratives(period.key).items()}
    submissions = history.submissions(period.key)
    return MasterData(plan=plan, period=period, merged_at=merged_at, kpi_rows=kpi_rows(plan),
                      evaluations=evaluations, values=values, conflicts=conflicts, history=annual, years=years,
                      initiatives=initiatives, narratives=narratives,
                      statuses=department_statuses(plan, submissions), submissions=submissions)


def changes(plan: Plan, before: Optional[dict], after: dict) -> list[Change]:
    """What differs between two snapshots: values changed, added, withdrawn."""
    if before is None:
        before = {"kpis": {}, "initiatives": {}}
    names = {k.id: k.name for k in plan.kpis} | {i.id: i.content[:40] for i in plan.initiatives}
    owners = {k.id: "、".join(k.departments) for k in plan.kpis} | {
        i.id: "、".join(i.departments) for i in plan.initiatives}
    order = {ident: index for index, ident in enumerate(names)}
    result = []
    for group, item in (("kpis", "指標"), ("initiatives", "取組")):
        old, new = before.get(group, {}), after.get(group, {})
        for ident in sorted(set(old) | set(new), key=lambda x: order.get(x, 10**6)):
            o, n = old.get(ident), new.get(ident)
            if o and n and o["value"] == n["value"]:
                continue
            kind = "追加" if o is None else "取り下げ" if n is None else "変更"
            result.append(Change(kind, item, ident, names.get(ident, ident), o["value"] if o else "",
                                 n["value"] if n else "", (n or o).get("department") or owners.get(ident, ""),
                                 (n or o).get("source", "")))
    return result


def grade_tally(data: MasterData) -> str:
    """「A 達成 19件、B 順調 37件、…」 in the plan's grade order (each KPI once)."""
    counts = {g.code: 0 for g in data.plan.grades}
    for evaluation in data.evaluations.values():
        counts[evaluation.grade] = counts.get(evaluation.grade, 0) + 1
    labels_by_code = {g.code: g.label for g in data.plan.grades}
    return "、".join(f"{code} {labels_by_code.get(code, '')} {n}件" for code, n in counts.items())


def grade_counts(data: MasterData, plan_id: str, top_id: Optional[str] = None) -> dict[str, int]:
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
