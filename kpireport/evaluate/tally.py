"""Grade counts per plan and per top-level node, as the master's 概要 and the report's status tables show them.

One counting for both: a row counts every graded KPI listed under its node, 【再掲】 ones included (each KPI
once per row); the total row is the sum of the rows, and a note says how many of them are reposts and how many
KPIs there are once each. KGIs posted on the plan as a whole get a row of their own. 参考指標 are never counted:
the note says how many were left out.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kpireport.labels import node_heading
from kpireport.model import Evaluation, Initiative, InitiativeEntry, Plan

if TYPE_CHECKING:  # results builds the tallies: the types only, no import at run time
    from kpireport.evaluate.results import KpiRow, PeriodResults

TOTAL_LABEL = "合計"


@dataclass(frozen=True)
class TallyRow:
    label: str
    counts: dict[str, int]  # grade code -> KPIs
    reposted: int = 0  # of them, listed here as 【再掲】
    node_id: str | None = None  # the top-level node (None: the plan's own KGIs, or the total)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class PlanTally:
    plan_id: str
    rows: list[TallyRow]  # one per top-level node with KPIs or not, then the plan's own KGIs if any
    total: TallyRow
    distinct: int  # graded KPIs of the plan, each once
    reference: int  # 参考指標 listed in the plan, not counted
    notes: list[str] = field(default_factory=list)


def plan_level_label(plan: Plan, plan_id: str) -> str:
    return f"{plan.plan(plan_id).short_name}全体の指標"


def plan_tally(data: PeriodResults, plan_id: str) -> PlanTally:
    return data.tallies[plan_id]


@dataclass(frozen=True)
class Graded:
    """What the counting reads: the plan, its KPI placements in force and their evaluations."""

    plan: Plan
    kpi_rows: Sequence[KpiRow]
    evaluations: Mapping[str, Evaluation]
    fiscal_year: int


def tallies(graded: Graded) -> dict[str, PlanTally]:
    """Every plan's grade counts (computed once, when the period's results are built)."""
    return {info.id: _tally(graded, info.id) for info in graded.plan.plans}


@dataclass
class Listing:
    """Where a plan lists its graded KPIs, before counting."""

    per_place: dict[str | None, dict[str, bool]] = field(default_factory=dict)  # top node (None: the plan) -> KPI -> reposted
    reference: set[str] = field(default_factory=set)  # 参考指標 listed, not counted
    foreign: dict[str, set[str]] = field(default_factory=dict)  # another plan's short name -> its KPIs listed here


def _tally(data: Graded, plan_id: str) -> PlanTally:
    listing = list_kpis(data, plan_id)
    rows = _rows(data, plan_id, listing)
    codes = list(dict.fromkeys(code for r in rows for code in r.counts))  # the plan's grades, then any other
    total_counts = {code: sum(r.counts.get(code, 0) for r in rows) for code in codes}
    total = TallyRow(TOTAL_LABEL, total_counts, sum(r.reposted for r in rows))
    distinct = len({kpi_id for listed in listing.per_place.values() for kpi_id in listed})
    return PlanTally(plan_id, rows, total, distinct, len(listing.reference), _notes(listing, total, distinct))


def list_kpis(data: Graded, plan_id: str) -> Listing:
    """Where the plan lists its graded KPIs (each top-level node, the plan itself), before counting."""
    plan, listing = data.plan, Listing()
    for row in data.kpi_rows:
        if plan.plan_of(row.node_id).id != plan_id:
            continue
        if not row.kpi.graded:
            listing.reference.add(row.kpi.id)
            continue
        home = plan.plan_of(row.kpi.node)
        if home.id != plan_id:
            listing.foreign.setdefault(home.short_name, set()).add(row.kpi.id)
        place = None if plan.is_plan_id(row.node_id) else plan.top(row.node_id).id
        listed = listing.per_place.setdefault(place, {})
        listed[row.kpi.id] = listed.get(row.kpi.id, True) and row.reposted  # own place anywhere in it: not a repost
    return listing


def _rows(data: Graded, plan_id: str, listing: Listing) -> list[TallyRow]:
    """One row per top-level node of the plan, then one for the plan's own KGIs if it has any."""
    plan = data.plan
    tops = [n.id for n in plan.nodes if n.plan == plan_id and n.parent is None]
    rows = []
    for place in tops + ([None] if None in listing.per_place else []):
        listed = listing.per_place.get(place, {})
        counts = {g.code: 0 for g in plan.grades}
        for kpi_id in listed:
            code = data.evaluations[kpi_id].grade
            counts[code] = counts.get(code, 0) + 1
        label = node_heading(plan, plan.node(place)) if place else plan_level_label(plan, plan_id)
        rows.append(TallyRow(label, counts, sum(listed.values()), place))
    return rows


def _notes(listing: Listing, total: TallyRow, distinct: int) -> list[str]:
    notes = []
    if total.total != distinct:
        notes.append(f"再掲の指標は掲載先の行ごとに数えています（合計{total.total}件のうち再掲{total.total - distinct}件、"
                     f"指標の実数は{distinct}件）。")
    for name, kpis in listing.foreign.items():
        notes.append(f"各行には、{name}に掲げる指標{len(kpis)}件を含みます（本文の表では【{name}】の印）。")
    if listing.reference:
        notes.append(f"参考指標{len(listing.reference)}件は評価しないため、件数に含めていません。")
    return notes


def grade_counts(data: Graded) -> dict[str, int]:
    """Each graded KPI in force once, by grade, in the plan's grade order (参考指標 and KPIs replaced before this
    period left out)."""
    counts = {g.code: 0 for g in data.plan.grades}
    for kpi in data.plan.kpis:
        evaluation = data.evaluations.get(kpi.id)
        if kpi.graded and kpi.in_force(data.fiscal_year) and evaluation is not None:
            counts[evaluation.grade] = counts.get(evaluation.grade, 0) + 1
    return counts


def grade_tally(data: PeriodResults) -> str:
    """「A 達成 19件、B 順調 37件、…」: the grade counts in words."""
    labels_by_code = {g.code: g.label for g in data.plan.grades}
    return "、".join(f"{code} {labels_by_code.get(code, '')} {n}件" for code, n in data.grade_counts.items())


# ---------------------------------------------------------------------------------------------------------
# Initiatives by status
# ---------------------------------------------------------------------------------------------------------

BLANK = ""  # the department that reports the item sent its form with 実施状況 blank (a monthly report allows it)
UNREPORTED = None  # the department that reports the item (a shared one's lead) has sent nothing
OTHER_LABEL, BLANK_LABEL = "その他", "未記入"  # the columns shown only when some row has them


def initiative_state(entry: InitiativeEntry | None, initiative: Initiative, submitted: Set[str]) -> str | None:
    """An initiative's place in the counts: its status label, BLANK, or UNREPORTED. A shared initiative's state
    follows its lead, whose status stands (主担当: the others' forms only show the row, read-only; 併記: theirs
    are shown beside it): while the lead has sent nothing it is UNREPORTED, as the lead's own initiatives are,
    whoever else has sent a form."""
    if entry is not None and entry.status:
        return entry.status
    reporters = (initiative.lead,) if initiative.shared else initiative.departments
    if entry is not None or any(d in submitted for d in reporters):
        return BLANK
    return UNREPORTED


@dataclass(frozen=True)
class StatusCount:
    per_status: tuple[int, ...]  # in the order of the city's status labels
    other: int  # a status the labels no longer name (a year recorded before the settings changed them)
    blank: int  # sent, 実施状況 left blank
    unreported: int  # nothing sent by the item's departments
    total: int


def status_count(states: Iterable[str | None], statuses: Sequence[str]) -> StatusCount:
    """How many initiatives are in each of the city's statuses, in none of them, left blank, and not reported
    yet: every state lands in exactly one column, so the columns add up to the total."""
    given = list(states)
    per_status = tuple(given.count(status) for status in statuses)
    blank, unreported = given.count(BLANK), given.count(UNREPORTED)
    return StatusCount(per_status, len(given) - sum(per_status) - blank - unreported, blank, unreported, len(given))


def optional_columns(counts: Iterable[StatusCount]) -> dict[str, list[int]]:
    """その他 and 未記入, each with its figure per count, for those some count has: a table of the counts shows
    these columns only then."""
    counts = list(counts)
    columns = {OTHER_LABEL: [c.other for c in counts], BLANK_LABEL: [c.blank for c in counts]}
    return {label: figures for label, figures in columns.items() if any(figures)}
