"""The summary figures a city may ask for in 設定 › 概要の集計: 順調以上の割合 (the share of the evaluated KPIs at or
above the on-track grade), 平均達成率 (the average of the rates computed) and the counts per rate band (80%以上 /
50〜80% / 50%未満), per top-level node as the grade tally lists its KPIs, and for the whole plan."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from kpireport.evaluate.grades import grade_rank
from kpireport.evaluate.tally import TOTAL_LABEL, Graded, PlanTally, list_kpis
from kpireport.model import AVERAGE_RATE, ON_TRACK_SHARE, RATE_BAND_COUNTS, Grade, Plan
from kpireport.values import format_number


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
        listing = list_kpis(graded, info.id)
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
