"""Grade counts per plan and per top-level node, as the master's 概要 and the report's status tables show them.

One counting for both: a row counts every graded KPI listed under its node, 【再掲】 ones included (each KPI
once per row); the total row is the sum of the rows, and a note says how many of them are reposts and how many
KPIs there are once each. KGIs posted on the plan as a whole get a row of their own. 参考指標 are never counted:
the note says how many were left out.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from kpireport.evaluate.grades import grade_rank
from kpireport.labels import node_heading
from kpireport.model import AVERAGE_RATE, ON_TRACK_SHARE, RATE_BAND_COUNTS, Evaluation, Grade, InitiativeEntry, Plan
from kpireport.values import format_number

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
class _Listing:
    """Where a plan lists its graded KPIs, before counting."""

    per_place: dict[str | None, dict[str, bool]] = field(default_factory=dict)  # top node (None: the plan) -> KPI -> reposted
    reference: set[str] = field(default_factory=set)  # 参考指標 listed, not counted
    foreign: dict[str, set[str]] = field(default_factory=dict)  # another plan's short name -> its KPIs listed here


def _tally(data: Graded, plan_id: str) -> PlanTally:
    listing = _listing(data, plan_id)
    rows = _rows(data, plan_id, listing)
    codes = list(dict.fromkeys(code for r in rows for code in r.counts))  # the plan's grades, then any other
    total_counts = {code: sum(r.counts.get(code, 0) for r in rows) for code in codes}
    total = TallyRow(TOTAL_LABEL, total_counts, sum(r.reposted for r in rows))
    distinct = len({kpi_id for listed in listing.per_place.values() for kpi_id in listed})
    return PlanTally(plan_id, rows, total, distinct, len(listing.reference), _notes(listing, total, distinct))


def _listing(data: Graded, plan_id: str) -> _Listing:
    plan, listing = data.plan, _Listing()
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


def _rows(data: Graded, plan_id: str, listing: _Listing) -> list[TallyRow]:
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


def _notes(listing: _Listing, total: TallyRow, distinct: int) -> list[str]:
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
# Summary figures (設定 › 概要の集計): 順調以上の割合, 平均達成率, counts per rate band
# ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SummaryRow:
    label: str
    evaluated: int  # KPIs with a grade that is not a kind of 評価不能
    on_track: int  # of them, at or above the on-track grade
    rates: tuple[Decimal, ...]  # the achievement rates computed (KPIs without one are left out)
    band_counts: tuple[int, ...]  # KPIs per rate band, highest band first, the last is below every bound

    @property
    def on_track_share(self) -> Decimal | None:
        """Percent of the evaluated KPIs at or above the on-track grade, to 0.1."""
        return _one_place(Decimal(self.on_track) * 100 / self.evaluated) if self.evaluated else None

    @property
    def average_rate(self) -> Decimal | None:
        return _one_place(sum(self.rates, Decimal(0)) / len(self.rates)) if self.rates else None


@dataclass(frozen=True)
class PlanSummary:
    plan_id: str
    on_track_grade: Grade | None  # the grade at or above which a KPI counts as on track
    band_labels: tuple[str, ...]  # 80%以上 / 50〜80% / 50%未満
    rows: tuple[SummaryRow, ...]  # one per top-level node with graded KPIs (and the plan's own), then the total


def _one_place(d: Decimal) -> Decimal:
    return d.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def on_track_grade(plan: Plan) -> Grade | None:
    """The settings' 順調とする評価, else the first ペース band, else the first 達成率 band."""
    code = plan.settings.on_track_grade
    chosen = next((g for g in plan.grades if g.code == code), None) if code else None
    return chosen or next((g for g in plan.grades if g.rule == "on_pace"), None) or next(
        (g for g in plan.grades if g.rule == "rate_band"), None)


def band_labels(bounds: Sequence[Decimal]) -> tuple[str, ...]:
    """(80, 50) → 80%以上, 50〜80%, 50%未満."""
    if not bounds:
        return ()
    shown = [format_number(b) for b in bounds]
    middle = [f"{low}〜{high}%" for high, low in zip(shown, shown[1:])]
    return (f"{shown[0]}%以上", *middle, f"{shown[-1]}%未満")


def summaries(graded: Graded, plan_tallies: Mapping[str, PlanTally]) -> dict[str, PlanSummary]:
    """Every plan's summary figures, by the rows of its grade tally; none when the settings ask for none."""
    plan = graded.plan
    if not plan.settings.summary_figures:
        return {}
    result = {}
    for info in plan.plans:
        listing = _listing(graded, info.id)
        rows = [_summary_row(graded, row.label, listing.per_place.get(row.node_id, {}))
                for row in plan_tallies[info.id].rows if row.node_id in listing.per_place]
        everything = {kpi_id: False for listed in listing.per_place.values() for kpi_id in listed}
        rows.append(_summary_row(graded, TOTAL_LABEL, everything))
        result[info.id] = PlanSummary(info.id, on_track_grade(plan), band_labels(plan.settings.rate_bands), tuple(rows))
    return result


def summary_columns(figures: Sequence[str], summary: PlanSummary) -> list[tuple[str, Callable[[SummaryRow], object]]]:
    """The columns the master and the report show for the figures asked for: (heading, the row's value)."""
    columns: list[tuple[str, Callable[[SummaryRow], object]]] = []
    if ON_TRACK_SHARE in figures:
        name = f"（{summary.on_track_grade.code} {summary.on_track_grade.label}以上）" if summary.on_track_grade else ""
        columns.append((f"{ON_TRACK_SHARE}{name}", lambda r: _percent_text(r.on_track_share)))
    if AVERAGE_RATE in figures:
        columns.append((AVERAGE_RATE, lambda r: _percent_text(r.average_rate)))
    if RATE_BAND_COUNTS in figures:
        columns += [(f"達成率{label}", _band(i)) for i, label in enumerate(summary.band_labels)]
    return columns


def _band(i: int) -> Callable[[SummaryRow], object]:
    return lambda r: r.band_counts[i]


def _percent_text(d: Decimal | None) -> str | None:
    return None if d is None else f"{d}%"


def _summary_row(graded: Graded, label: str, kpi_ids: Iterable[str]) -> SummaryRow:
    plan = graded.plan
    target = on_track_grade(plan)
    limit = grade_rank(plan.grades, target.code) if target else -1
    evaluations = [graded.evaluations[k] for k in kpi_ids]
    gradable = {g.code for g in plan.grades if g.rule != "not_evaluable"}
    evaluated = [e for e in evaluations if e.grade in gradable]
    rates = tuple(e.rate for e in evaluations if e.rate is not None)
    bounds = plan.settings.rate_bands
    bands = [0] * (len(bounds) + 1)
    for rate in rates:
        bands[next((i for i, bound in enumerate(bounds) if rate >= bound), len(bounds))] += 1
    return SummaryRow(label, len(evaluated), sum(grade_rank(plan.grades, e.grade) <= limit for e in evaluated),
                      rates, tuple(bands))


# ---------------------------------------------------------------------------------------------------------
# Initiatives by status
# ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StatusCount:
    per_status: tuple[int, ...]  # in the order of the city's status labels
    unreported: int
    total: int


def status_count(entries: Iterable[InitiativeEntry | None], statuses: Sequence[str]) -> StatusCount:
    """How many initiatives are in each of the city's statuses, and how many are not reported yet."""
    given = [entry.status if entry else None for entry in entries]
    return StatusCount(tuple(given.count(status) for status in statuses), given.count(None), len(given))
