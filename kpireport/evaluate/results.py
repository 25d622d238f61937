"""A period's results: every KPI's value in force and its evaluation, the initiatives, narratives and
submission statuses, assembled from the plan and the history.

Plain data only; the master workbook (kpireport.master) and the council report (kpireport.council)
both show it.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from kpireport import labels
from kpireport.evaluate import figures, tally
from kpireport.evaluate.data_year import data_year, working_lead
from kpireport.evaluate.figures import PlanSummary
from kpireport.evaluate.rules import evaluate_kpi
from kpireport.evaluate.series import YearGrade, past_years, previous, with_lead
from kpireport.evaluate.tally import PlanTally
from kpireport.forms import layout as fl
from kpireport.history.duplicates import duplicate_findings
from kpireport.history.in_force import InForce, KpiInForce, annual_actuals, in_force
from kpireport.history.merge import Change, changes
from kpireport.history.overrides import stale_overrides
from kpireport.history.store import History, StoredKpiValue, SubmissionRecord
from kpireport.model import (
    LEAD,
    Evaluation,
    Finding,
    Initiative,
    InitiativeEntry,
    Kpi,
    NarrativeEntry,
    Override,
    Plan,
)
from kpireport.periods import ReportPeriod


@dataclass(frozen=True)
class KpiRow:
    """A KPI at one place it is listed (the same KPI appears again where it is 【再掲】)."""

    kpi: Kpi
    node_id: str
    reposted: bool
    path: str


@dataclass(frozen=True)
class InitiativeRow:
    """An initiative at one place it is listed (again, marked 【再掲】, where the plan reposts it)."""

    initiative: Initiative
    node_id: str
    reposted: bool


@dataclass(frozen=True)
class DepartmentStatus:
    department: str
    state: str  # 提出済 / 未提出 / 要再提出 / 提出済（新しい提出を差し戻し）
    current: SubmissionRecord | None  # the accepted submission in force
    rejected: SubmissionRecord | None  # the newest rejected submission after it, if any
    # rows the plan now gives the department to report that its file in force lacks (a KPI moved to it, an ID
    # changed after its form was made): (ID, name), to be sent again on a new form
    owes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PeriodResults:
    """Everything a period's master and report show, built once by ``build`` from the plan and the history,
    counting included (the writers only lay it out)."""

    plan: Plan
    period: ReportPeriod
    merged_at: str
    kpi_rows: list[KpiRow]
    evaluations: dict[str, Evaluation]
    values: dict[str, StoredKpiValue]  # the value in force per KPI for this period (a shared KPI's, by its rule)
    shared: dict[str, KpiInForce]  # KPIs several departments own: every department's entry and the working
    history: dict[str, dict[int, StoredKpiValue]]
    years: list[int]
    initiatives: list[tuple[Initiative, InitiativeEntry | None]]
    initiative_others: dict[str, tuple[tuple[str, InitiativeEntry], ...]]  # with 併記: the other departments'
    narratives: dict[str, NarrativeEntry]  # every department's bullets for a node
    statuses: list[DepartmentStatus]
    submissions: list[SubmissionRecord]
    attention: list[Finding] = field(default_factory=list)  # shared entries that disagree or are incomplete
    findings: list[Finding] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    first_merge: bool = True
    tallies: dict[str, PlanTally] = field(default_factory=dict)  # per plan: KPIs by grade per top-level node
    grade_counts: dict[str, int] = field(default_factory=dict)  # every graded KPI in force once, by grade
    summaries: dict[str, PlanSummary] = field(default_factory=dict)  # per plan: the figures 設定 asks for
    # over the years: the fiscal year each KPI's data is of when earlier than the period's (graded at that year),
    # and every year's actual and grade, this period's last (past years graded with the rules of their time)
    data_years: dict[str, int] = field(default_factory=dict)
    series: dict[str, tuple[YearGrade, ...]] = field(default_factory=dict)
    # each initiative's place in the status counts: its status, tally.BLANK (sent, left blank) or
    # tally.UNREPORTED (the department that reports it, a shared one's lead, sent nothing)
    initiative_states: dict[str, str | None] = field(default_factory=dict)

    @property
    def submitted(self) -> set[str]:
        """The departments whose submission stands for the period."""
        return submitted_of(self.statuses)

    def previous(self, kpi_id: str) -> YearGrade | None:
        """The KPI's grade of the fiscal year before this period's, as it was graded then."""
        return previous(self.series.get(kpi_id, ()), self.period.fiscal_year)


def kpi_rows(plan: Plan, year: int | None = None) -> list[KpiRow]:
    """Every KPI once per place it is listed, in tree order (plans, each plan's own KGIs first, then nodes, then
    KPI order); with ``year`` only the KPIs in force that fiscal year."""
    placements: dict[str, list[tuple[Kpi, bool]]] = {}
    for kpi in plan.kpis:
        if year is not None and not kpi.in_force(year):
            continue
        placements.setdefault(kpi.node, []).append((kpi, False))
        for node_id in kpi.reposted_under:
            placements.setdefault(node_id, []).append((kpi, True))
    rows = []
    for place in tree_order(plan):
        for kpi, reposted in placements.get(place, []):
            rows.append(KpiRow(kpi, place, reposted, labels.node_path(plan, place)))
    return rows


def initiative_rows(plan: Plan) -> list[InitiativeRow]:
    """Every initiative once per place it is listed, in tree order (computed once per plan)."""
    def make() -> list[InitiativeRow]:
        placements: dict[str, list[InitiativeRow]] = {}
        for initiative in plan.initiatives:
            placements.setdefault(initiative.node, []).append(InitiativeRow(initiative, initiative.node, False))
            for node_id in initiative.reposted_under:
                placements.setdefault(node_id, []).append(InitiativeRow(initiative, node_id, True))
        return [row for place in tree_order(plan) for row in placements.get(place, [])]

    return plan.memo("initiative_rows", make)


Row = TypeVar("Row", KpiRow, InitiativeRow)


def each_once(rows: Iterable[Row]) -> list[Row]:
    """Rows (KPI or initiative placements) with each item once: its own place if listed there, else its first
    repost (an item posted twice under one node is shown once)."""
    chosen: dict[str, Row] = {}
    for row in rows:
        ident = row.kpi.id if isinstance(row, KpiRow) else row.initiative.id
        if ident not in chosen or (chosen[ident].reposted and not row.reposted):
            chosen[ident] = row
    return list(chosen.values())


def tree_order(plan: Plan) -> list[str]:
    """Each plan's ID (where its plan-level KGIs sit), then its nodes depth first."""
    result = []

    def walk(parent):
        for child in sorted((n for n in plan.nodes if n.parent == parent), key=lambda n: n.order):
            result.append(child.id)
            walk(child.id)

    for info in plan.plans:
        result.append(info.id)
        for top in sorted((n for n in plan.nodes if n.parent is None and n.plan == info.id), key=lambda n: n.order):
            result.append(top.id)
            walk(top.id)
    return result


def submitted_of(statuses: list[DepartmentStatus]) -> set[str]:
    return {s.department for s in statuses if s.current is not None}


def department_statuses(plan: Plan, submissions: list[SubmissionRecord],
                        settled: set[int] | frozenset[int] = frozenset()) -> list[DepartmentStatus]:
    """Each department's standing in the period; ``settled``: files sent back as another period's form and since
    recorded for their own period (History.filed_for_own_period), which ask nothing more of the department."""
    submissions = [s for s in submissions if s.id not in settled]
    statuses = []
    for department in fl.departments_with_forms(plan):
        # its own files, and those sent under a former name of it (a form made before a reorganisation)
        own = [s for s in submissions if s.department == department or department in plan.successors(s.department)]
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


def with_owed_rows(statuses: list[DepartmentStatus], plan: Plan, period: ReportPeriod,
                   current: InForce) -> list[DepartmentStatus]:
    """``statuses`` with what each department whose file is in force still owes. A file accepted once holds every
    row its form had (a blank one is refused), so a row the department reports but has no entry for is a row its
    form did not have: the plan gave it to the department after the form was made. Not so for initiatives in a
    monthly form, which may be left empty mid-year: there a missing status is never read as a row the form lacked."""
    submitted = {s.department for s in statuses if s.current is not None}
    owed: dict[str, list[tuple[str, str]]] = {}
    for kpi in plan.kpis:
        if not kpi.in_force(period.fiscal_year):
            continue
        reporters = (kpi.lead,) if kpi.shared and kpi.reporting == LEAD else kpi.departments
        for department in current.kpis[kpi.id].missing:
            if department in reporters and department in submitted:
                owed.setdefault(department, []).append((kpi.id, kpi.name))
    for initiative in () if period.is_monthly else plan.initiatives:
        if current.initiatives[initiative.id].entry is None and initiative.lead in submitted:
            owed.setdefault(initiative.lead, []).append((initiative.id, initiative.content))
    return [dataclasses.replace(s, owes=tuple(owed.get(s.department, ()))) for s in statuses]


def build(plan: Plan, period: ReportPeriod, history: History, merged_at: str,
          current: InForce | None = None, in_inbox: Callable[[str], bool] | None = None) -> PeriodResults:
    """The period's results; ``current``: what stands, when the caller has just read it (a merge); ``in_inbox``:
    whether a file (its shown name) is still in the inbox (a notice of two files ends once one is taken out)."""
    current = current or in_force(history, plan, period)
    values = {kpi_id: standing.value for kpi_id, standing in current.kpis.items() if standing.value is not None}
    year = period.fiscal_year
    data_years = {kpi_id: y for kpi_id, stored in values.items() if (y := data_year(stored, year)) is not None}
    evaluations = _evaluations(plan, period, history.overrides(period.key), current, values, data_years)
    entries = history.annual_entries()
    annual = annual_actuals(history, plan)  # what stood each year (a shared KPI's by its 報告方法)
    years = sorted({y for per_kpi in entries.values() for y in per_kpi if y < period.fiscal_year})  # earlier years
    series = past_years(plan, year, history, entries)
    for kpi in plan.kpis:  # this period closes each series
        here = YearGrade(year, evaluations[kpi.id], values.get(kpi.id), data_years.get(kpi.id))
        series[kpi.id] = series.get(kpi.id, ()) + (here,)
    initiatives = [(i, current.initiatives[i.id].entry) for i in plan.initiatives]
    others = {ident: standing.others for ident, standing in current.initiatives.items() if standing.others}
    submissions = history.submissions(period.key)
    statuses = with_owed_rows(department_statuses(plan, submissions, history.filed_for_own_period(submissions)),
                              plan, period, current)
    changed, first_merge = merge_changes(plan, period, history)
    rows = kpi_rows(plan, period.fiscal_year)
    submitted = submitted_of(statuses)
    states = {i.id: tally.initiative_state(entry, i, submitted) for i, entry in initiatives}
    graded = tally.Graded(plan, rows, evaluations, period.fiscal_year)
    plan_tallies = tally.tallies(graded)
    return PeriodResults(plan=plan, period=period, merged_at=merged_at, kpi_rows=rows,
                         evaluations=evaluations, values=values,
                         shared={k.id: current.kpis[k.id] for k in plan.kpis if k.shared}, history=annual,
                         years=years, initiatives=initiatives, initiative_others=others,
                         narratives=current.narratives, statuses=statuses, submissions=submissions,
                         attention=(current.attention + duplicate_findings(submissions, in_inbox)
                                    + stale_overrides(plan, history, period.key, current)),
                         findings=standing_findings(statuses, submissions),
                         changes=changed, first_merge=first_merge, tallies=plan_tallies,
                         grade_counts=tally.grade_counts(graded), summaries=figures.summaries(graded, plan_tallies),
                         data_years=data_years, series=series, initiative_states=states)


def _evaluations(plan: Plan, period: ReportPeriod, overrides: dict[str, Override], current: InForce,
                 values: dict[str, StoredKpiValue], data_years: dict[str, int]) -> dict[str, Evaluation]:
    """Each KPI graded for the period, lagging data at its own year (data_years), with how a shared KPI's value
    was arrived at and the data's year at the head of the working."""
    year = period.fiscal_year
    evaluations = {}
    for kpi in plan.kpis:
        stored = values.get(kpi.id)
        evaluation = evaluate_kpi(kpi, stored.value if stored else None, data_years.get(kpi.id, year), plan.grades,
                                  plan.settings, provisional=bool(stored and stored.provisional),
                                  override=overrides.get(kpi.id), reason=stored.reason if stored else "",
                                  second=plan.second_grades)
        evaluation = with_lead(evaluation, working_lead(stored, year, kpi.base_year))
        if kpi.shared and current.kpis[kpi.id].working:  # how the value was arrived at comes first
            evaluation = with_lead(evaluation, f"{current.kpis[kpi.id].working}。")
        evaluations[kpi.id] = evaluation
    return evaluations


def merge_changes(plan: Plan, period: ReportPeriod, history: History) -> tuple[list[Change], bool]:
    """What the period's last merge changed since the last merge whose master was written, and whether there
    was none to compare with (the first merge): the same list the merge printed."""
    latest = history.latest_merge(period.key)
    if latest is None:
        return [], True
    merge_id, after = latest
    before = history.previous_snapshot(period.key, merge_id)
    return changes(plan, before, after), before is None


def standing_findings(statuses: list[DepartmentStatus], submissions: list[SubmissionRecord]) -> list[Finding]:
    """The findings of the files that stand for the period, by file name: each department's accepted file and
    the newer file sent back, and the files of the last merge that no department's form could be told from."""
    latest = max((s.merge_id for s in submissions), default=0)
    standing = {s.id: s for status in statuses for s in (status.current, status.rejected) if s is not None}
    standing |= {s.id: s for s in submissions if not s.department and s.merge_id == latest}
    ordered = sorted(standing.values(), key=lambda s: (s.file_name, s.id))
    return [finding for s in ordered for finding in s.findings]
