"""The site's content: the period's results as the public sees them. Items the plan marks 非公開 and the texts
the office keeps internal are left out here, once, so the pages and the data cannot show them; 見込み values
go out only when asked for, labelled as such."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from markupsafe import Markup

from kpireport import labels
from kpireport.evaluate.arithmetic import percent_text
from kpireport.evaluate.data_year import graded_year, shown_year
from kpireport.evaluate.display import CHART_COLOURS
from kpireport.evaluate.results import InitiativeRow, KpiRow, PeriodResults
from kpireport.evaluate.rules import REFERENCE_GRADE, evaluate_kpi
from kpireport.evaluate.series import YearGrade, definition_notes
from kpireport.evaluate.working import REASON_IN_WORKING
from kpireport.model import Evaluation, Initiative, InitiativeEntry, Kpi, Node, Plan, PlanInfo, Value
from kpireport.publish import chart
from kpireport.publish.names import kpi_file
from kpireport.publish.policy import CONTACTS, NOTES, OVERRIDE_WORKING, REASONS, Policy
from kpireport.publish.series import kpi_series, provisional
from kpireport.values import SCALES, format_number, format_value, format_year, in_unit, split_scale

NOT_REPORTED = "未報告"
NO_GRADE_COLOUR = CHART_COLOURS["not_evaluable"]


@dataclass(frozen=True)
class Link:
    text: str
    href: str


@dataclass(frozen=True)
class Place(Link):
    """Where a KPI is listed: its own place in the plan, or a 【再掲】."""

    reposted: bool


@dataclass(frozen=True)
class GradeView:
    code: str
    label: str
    colour: str

    @property
    def text(self) -> str:
        return f"{self.code} {self.label}" if self.code != self.label else self.label


@dataclass(frozen=True)
class PointView:
    year: int
    year_text: str
    value_text: str  # as the master shows it: with the year the figure is of when not ``year`` (「25人（H26年度）」)
    data_year: int  # the fiscal year (calendar year for a calendar-year KPI) the figure is of: ``year`` unless it says
    number: Decimal | None  # in the KPI's own unit (百万円: 29875)
    expected: Decimal | None  # the expected path's value for the year, in the KPI's unit
    rate: Decimal | None  # achievement towards the target, %
    unit: str
    grade: GradeView
    provisional: bool
    remarks: str  # "" when the office keeps it internal
    reason: str

    @property
    def expected_text(self) -> str:
        return format_number(self.expected, self.unit) if self.expected is not None else labels.NO_VALUE

    @property
    def rate_text(self) -> str:
        return percent_text(self.rate) if self.rate is not None else labels.NO_VALUE  # as the report writes it


@dataclass
class KpiView:
    kpi: Kpi
    href: str
    path: str
    places: list[Place]  # its own place first (the plan's, never the first in tree order), then its 【再掲】
    points: list[PointView]
    current: PointView | None  # the period's own point (None: a 見込み not published)
    working: str
    departments: str
    contacts: list[str]
    note: str
    chart: Markup
    chart_text: str
    baseline: str
    target: str
    changes: list[str] = field(default_factory=list)  # a baseline or target changed since a past year was graded

    @property
    def latest(self) -> PointView | None:
        """The newest point with a number."""
        return next((p for p in reversed(self.points) if p.number is not None), None)


@dataclass
class InitiativeView:
    initiative: Initiative
    place: str  # the node it is listed at here
    name: str
    status: str
    next_step: str
    verification: str  # the lead's, at the initiative's own place
    summary: str
    plan_text: str
    departments: str
    note: str
    reposted: bool
    # as the report prints them at ``place``: the 検証内容 written for that place, and with 併記 every department's
    # text marked with its department
    shown_verification: str = ""
    shown_summary: str = ""
    shown_plan: str = ""
    others: tuple[str, ...] = ()  # 併記: each other department's entry, as the master shows it beside the lead's
    repost_verifications: tuple[str, ...] = ()  # 「P2-1: …」 (「P2-1（学校教育課）: …」): the 検証内容 written for a 【再掲】


@dataclass
class NodeView:
    ident: str
    heading: str
    href: str
    plan: PlanInfo
    node: Node | None  # None: the plan as a whole (its own KGIs)
    breadcrumbs: list[Link] = field(default_factory=list)
    children: list[NodeView] = field(default_factory=list)
    kpis: list[tuple[KpiView, bool]] = field(default_factory=list)  # (KPI, reposted here)
    counts: list[tuple[GradeView, int]] = field(default_factory=list)  # the KPIs under it, each once
    bar: Markup = Markup("")
    initiatives: list[InitiativeView] = field(default_factory=list)
    status_counts: list[tuple[str, int]] = field(default_factory=list)  # the initiatives under it


@dataclass
class PlanView:
    info: PlanInfo
    tops: list[NodeView]
    whole: NodeView  # the plan's own KGIs


@dataclass
class Site:
    city: str
    title: str
    period_label: str
    period_key: str
    monthly: bool
    merged: str  # the date of the last merge, from the history
    published: str  # today: the one thing a rebuild changes
    plans: list[PlanView]
    nodes: list[NodeView]
    kpis: list[KpiView]
    grades: list[GradeView]
    method: str
    status_labels: tuple[str, ...]
    provisional_shown: bool
    policy: Policy
    data: PeriodResults = field(repr=False)


def japanese_date(day: dt.date) -> str:
    return f"{format_year(day.year, fiscal=False)}{day.month}月{day.day}日"


def grade_view(plan: Plan, code: str, label: str = "") -> GradeView:
    """A grade by its code, with the city's label and colour."""
    found = next((g for g in plan.grades if g.code == code), None)
    if found is None:  # 参考指標, or a code the plan no longer has
        return GradeView(code, label or REFERENCE_GRADE, NO_GRADE_COLOUR)
    return GradeView(found.code, found.label, CHART_COLOURS.get(found.rule, NO_GRADE_COLOUR))


def in_kpi_unit(kpi: Kpi, value: Value | None) -> Value | None:
    """``value`` in the KPI's unit and scale, or None without a number (or in another unit)."""
    if value is None or not value.is_number:
        return None
    return in_unit(value, kpi.unit, unit_scale=True)


def unit_number(kpi: Kpi, number: Decimal | None) -> Decimal | None:
    """A base-unit number (29875000000 円) in the KPI's unit (29875 百万円)."""
    if number is None:
        return None
    return number.scaleb(-SCALES.get(split_scale(kpi.unit)[0], 0)).normalize()


def point_view(plan: Plan, kpi: Kpi, point: YearGrade, policy: Policy) -> PointView:
    evaluation = point.evaluation
    shown = in_kpi_unit(kpi, point.stored.value if point.stored else None)
    value_text = format_value(shown).removesuffix("（見込み）") if shown else labels.NO_VALUE
    expected = unit_number(kpi, evaluation.expected)
    stored = point.stored
    if shown:  # the figure's own year or span, as the master and the report show it (never an H26 figure as R5's)
        value_text += shown_year(stored, point.year, kpi.calendar)
    return PointView(
        year=point.year, year_text=format_year(point.year, fiscal=not kpi.calendar), value_text=value_text,
        data_year=graded_year(stored, point.year) if shown else point.year,  # as graded: a later year's is this one's
        number=unit_number(kpi, shown.number) if shown else None,
        expected=expected, rate=evaluation.rate, unit=kpi.unit,
        grade=grade_view(plan, evaluation.grade, evaluation.label), provisional=provisional(point),
        remarks=stored.remarks if stored and policy.shows(NOTES) else "",
        reason=stored.reason if stored and policy.shows(REASONS) else "")


def public_working(data: PeriodResults, kpi: Kpi, evaluation: Evaluation, policy: Policy) -> str:
    """The grade's working; without the department's 未記入の理由, and a grade set by hand without its reason,
    when the office keeps those internal."""
    working = evaluation.working if policy.shows(REASONS) else REASON_IN_WORKING.sub("", evaluation.working)
    if evaluation.override is None or policy.shows(OVERRIDE_WORKING):
        return working
    plain = evaluate_kpi(kpi, evaluation.actual, evaluation.year, data.plan.grades, data.plan.settings,
                         provisional=evaluation.provisional)
    shown = plain.working if policy.shows(REASONS) else REASON_IN_WORKING.sub("", plain.working)
    return f"{shown}評価は、計画担当課の判断で「{evaluation.grade} {evaluation.label}」としました。"


def chart_of(kpi: Kpi, points: list[PointView]) -> chart.ChartData:
    def plan_point(value: Value, year: int | None) -> chart.ChartPoint | None:
        number = unit_number(kpi, (in_kpi_unit(kpi, value) or Value("none")).number)
        return chart.ChartPoint(year, number) if number is not None and year else None

    path = [plan_point(kpi.baseline, kpi.baseline_year),
            *(plan_point(t.value, t.year) for t in kpi.interim_targets),
            plan_point(kpi.target, kpi.target_year)]
    actuals = [chart.ChartPoint(p.year, p.number, p.provisional) for p in points if p.number is not None]
    return chart.ChartData(f"c-{kpi_file(kpi.id)[4:-5]}", f"{kpi.name}の推移", kpi.unit, tuple(actuals),
                           tuple(p for p in path if p is not None), plan_point(kpi.target, kpi.target_year),
                           kpi.calendar)


def places(rows: list[KpiRow], nodes: dict[str, NodeView]) -> list[Place]:
    """A KPI's places: the one the plan gives it first, then its 【再掲】 in tree order, each node once."""
    shown: dict[str, Place] = {}
    for row in sorted(rows, key=lambda r: r.reposted):
        if row.node_id in nodes and row.node_id not in shown:
            shown[row.node_id] = Place(nodes[row.node_id].heading, nodes[row.node_id].href, row.reposted)
    return list(shown.values())


def kpi_view(data: PeriodResults, kpi: Kpi, rows: list[KpiRow], policy: Policy, nodes: dict[str, NodeView]) -> KpiView:
    plan = data.plan
    series = [p for p in kpi_series(kpi, data) if policy.provisional or not provisional(p)]
    points = [point_view(plan, kpi, p, policy) for p in series]
    current = points[-1] if points and points[-1].year == data.period.fiscal_year else None
    working = public_working(data, kpi, series[-1].evaluation, policy) if current else ""
    departments = {d.name: d for d in plan.departments}
    contacts = [f"{name}: {'、'.join(x for x in (departments[name].contact, departments[name].email) if x)}"
                for name in kpi.departments if name in departments and policy.shows(CONTACTS)
                and (departments[name].contact or departments[name].email)]
    data_chart = chart_of(kpi, points)
    return KpiView(kpi=kpi, href=kpi_file(kpi.id), path=labels.node_path(plan, kpi.node),
                   places=places(rows, nodes),
                   points=points, current=current, working=working, departments=labels.owners_text(plan, kpi),
                   contacts=contacts, note=kpi.note if policy.shows(NOTES) else "",
                   chart=chart.line_chart(data_chart), chart_text=chart.description(data_chart),
                   baseline=labels.kpi_baseline(kpi), target=labels.kpi_target(kpi),
                   changes=definition_notes(kpi, kpi_series(kpi, data)))


def initiative_view(data: PeriodResults, row: InitiativeRow, entry: InitiativeEntry | None,
                    policy: Policy) -> InitiativeView:
    """An initiative where ``row`` lists it: the lead's entry, and the texts the report prints there (the 検証内容
    written for a 【再掲】 place, the other departments' of a 併記 one)."""
    initiative, place = row.initiative, row.node_id
    others = data.initiative_others.get(initiative.id, ())
    reposts = [(node, "", text) for node, text in (entry.repost_verifications if entry else ()) if text]
    reposts += [(node, department, text) for department, other in others
                for node, text in other.repost_verifications if text]
    return InitiativeView(
        initiative=initiative, place=place, name=(entry.name if entry and entry.name else initiative.name),
        status=entry.status if entry and entry.status else NOT_REPORTED,
        next_step=entry.next_step if entry else "", verification=entry.verification if entry else "",
        summary=(entry.summary or "") if entry else "", plan_text=(entry.plan or "") if entry else "",
        departments=labels.owners_text(data.plan, initiative), note=initiative.note if policy.shows(NOTES) else "",
        reposted=row.reposted,
        shown_verification=labels.initiative_text(initiative, entry, others, "verification", place),
        shown_summary=labels.initiative_text(initiative, entry, others, "summary"),
        shown_plan=labels.initiative_text(initiative, entry, others, "plan"),
        others=tuple(labels.beside_text(department, other) for department, other in others),
        repost_verifications=tuple(f"{node}{f'（{department}）' if department else ''}: {text}"
                                   for node, department, text in reposts))
