"""Plain data passed between the pipeline stages. Frozen dataclasses, no behaviour beyond lookups."""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, NamedTuple

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Period:
    """When a value refers to: one year, a span of years, or a year and month (H26.12).

    Years are western (2014 for H26). ``fiscal`` is True when the text said 年度.
    """

    start: int
    end: int | None = None
    month: int | None = None
    fiscal: bool = False


ValueStatus = Literal["number", "maintain", "none", "unreadable"]


@dataclass(frozen=True)
class Value:
    """A value as a person wrote it, and what it means.

    ``number`` is in the base unit with the scale applied (124万人 -> 1240000, unit 人, scale 万);
    ``scale`` is kept so the value is displayed the way it was written.
    status: number | maintain (維持, no number) | none (－, 空欄) | unreadable (kept verbatim in raw).
    """

    status: ValueStatus
    raw: str = ""
    number: Decimal | None = None
    unit: str = ""
    scale: str = ""
    period: Period | None = None
    cumulative: bool = False
    cumulative_years: int | None = None
    gross: bool = False  # のべ / 延べ: a gross count; whether over a year or the plan is the KPI's 集計方法
    annual_average: bool = False
    bound: Literal["", "以上", "以下"] = ""
    maintain: bool = False
    provisional: bool = False
    approximate: bool = False
    note: str = ""
    # the word that made it provisional when it is not 見込み (速報値, 暫定): written back as the department wrote it
    provisional_word: str = ""

    @property
    def display_unit(self) -> str:
        return self.scale + self.unit

    @property
    def is_number(self) -> bool:
        return self.status == "number"


@dataclass(frozen=True)
class Finding:
    """One problem found in an input, located as a person would look for it."""

    code: str
    severity: Severity
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    value: str = ""

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "value": self.value,
            "message": self.message,
        }


@dataclass(frozen=True)
class FormerName:
    """A department's name before a reorganisation, and the day the change took effect (None: not given)."""

    name: str
    changed: dt.date | None = None


@dataclass(frozen=True)
class Department:
    name: str
    division: str = ""
    contact: str = ""
    email: str = ""
    note: str = ""
    members: tuple[str, ...] = ()  # a group (関係各課, 全部局): the departments it stands for; it gets no form itself
    former_names: tuple[FormerName, ...] = ()  # its names before a reorganisation (機構改革)

    @property
    def is_group(self) -> bool:
        return bool(self.members)


@dataclass(frozen=True)
class PlanInfo:
    """One plan of the workspace (総合計画 基本計画, 総合戦略, …) and its level labels."""

    id: str
    name: str
    short_name: str
    kind: str
    start_year: int
    end_year: int
    levels: tuple[str, ...]


@dataclass(frozen=True)
class Node:
    """A node of a plan tree: 基本目標, 基本方針, 施策, 重点戦略, 戦略方針, …"""

    id: str
    plan: str
    parent: str | None
    depth: int  # 1 = top level
    number: str  # as displayed: "1", "1-1", "①"
    title: str
    description: str = ""
    markers: tuple[str, ...] = ()
    order: int = 0
    departments: tuple[str, ...] = ()  # who writes this node's narratives (主な取組内容／実績, 今後の方向性)

    def label(self, plan: PlanInfo) -> str:
        """The level label of this node in its plan (基本目標, 戦略方針, …)."""
        return plan.levels[self.depth - 1]


@dataclass(frozen=True)
class InterimTarget:
    year: int
    value: Value


# How the departments of a shared KPI or initiative report it (the plan's 報告方法)
LEAD = "主担当"  # the first department reports; the others see the row in their forms, read-only
PARTS = "合算"  # each department reports its own part; the parts are combined (KPIs only)
BESIDE = "併記"  # each department reports; the first one's stands, the others' are shown beside it
REPORTING_RULES = (LEAD, PARTS, BESIDE)
COMBINE_RULES = ("合計", "平均", "最大", "最小")


class _Shared:
    """The reporting of an item that several departments may own."""

    departments: tuple[str, ...]
    reporting: str

    @property
    def lead(self) -> str:
        """The department whose entry stands (the first in the plan's 担当課)."""
        return self.departments[0] if self.departments else ""

    @property
    def shared(self) -> bool:
        return len(self.departments) > 1

    def reported_by(self, department: str) -> bool:
        """Whether ``department`` enters this item in its form (else its form shows the row read-only)."""
        return department == self.lead or (self.reporting != LEAD and department in self.departments)


# The 区分 of an indicator: KPI (the usual), KGI (重要目標達成指標: a goal's or the plan's own figure),
# 参考指標 (a reference figure: reported and shown, never graded or counted)
KPI_KIND, KGI_KIND, REFERENCE_KIND = "KPI", "KGI", "参考指標"
# 達成率の式 (設定, or a KPI's own): the gap from the baseline (the default), or the actual over the target
GAP_FORMULA, RATIO_FORMULA = "(実績−基準)÷(目標−基準)", "実績÷目標"
RATE_FORMULAS = (GAP_FORMULA, RATIO_FORMULA)
# targets that are a direction only: graded by the change from the baseline, never by a rate (維持 is a level)
DIRECTION_TARGETS = {"延伸": "増加", "増加": "増加", "向上": "増加", "減少": "減少"}
# the summary figures a city may ask for (設定 › 概要の集計)
ON_TRACK_SHARE, AVERAGE_RATE, RATE_BAND_COUNTS = "順調以上の割合", "平均達成率", "達成率の区分別件数"
SUMMARY_FIGURES = (ON_TRACK_SHARE, AVERAGE_RATE, RATE_BAND_COUNTS)
INDICATOR_KINDS = (KPI_KIND, KGI_KIND, REFERENCE_KIND)


@dataclass(frozen=True)
class Kpi(_Shared):
    id: str
    name: str
    unit: str  # display unit as the plan writes it (百万円, %, 人); "" for none (なし)
    direction: Literal["増加", "減少"]
    target_type: Literal["値", "以上", "以下", "維持", "方向"]  # 方向: a direction only (延伸 増加 減少 向上)
    aggregation: Literal["単年度", "累計", "年平均"]
    baseline: Value
    baseline_year: int | None
    target: Value
    target_year: int
    node: str
    reposted_under: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    interim_targets: tuple[InterimTarget, ...] = ()
    markers: tuple[str, ...] = ()
    note: str = ""
    order: int = 0
    reporting: str = LEAD
    combine: str = "合計"  # with 合算: how the parts are combined
    kind: str = KPI_KIND
    plan: str = ""  # the plan it belongs to (``node`` is a node of it, or the plan's own ID for a plan-level KGI)
    plan_start_year: int = 0  # the plan's first year: a 累計 KPI without a baseline starts from 0 before it
    calendar: bool = False  # its years are calendar years (令和10年), not fiscal years (令和10年度)
    valid_from: int | None = None  # 適用開始年度: a KPI that replaced another mid-plan
    valid_until: int | None = None  # 適用終了年度: a KPI replaced mid-plan (its history stays)
    replaces: str = ""  # the ID of the KPI this one replaced
    listed_as: tuple[str, ...] = ()  # 担当課 as the plan wrote it, groups unexpanded (shown in the report)
    rate_formula: str = ""  # 達成率の式 for this KPI ("" = the settings'): one of RATE_FORMULAS
    public: bool = True  # False: the plan's 公開 says 非公開 (kept off the public site and open data)

    @property
    def has_baseline(self) -> bool:
        return self.baseline.is_number

    @property
    def base_year(self) -> int | None:
        """The year the plan's path starts from: the baseline year, or for a 累計 KPI without a baseline the year
        before its plan starts (where it counts from 0, as the grading does); None when the plan gives neither."""
        if self.baseline_year:
            return self.baseline_year
        if not self.has_baseline and self.aggregation == "累計" and self.plan_start_year:
            return self.plan_start_year - 1
        return None

    @property
    def graded(self) -> bool:
        return self.kind != REFERENCE_KIND

    def in_force(self, year: int) -> bool:
        """Whether the KPI is reported for fiscal ``year`` (a replaced one until its last year, its successor from
        its first)."""
        return (self.valid_from is None or year >= self.valid_from) and (
            self.valid_until is None or year <= self.valid_until)


@dataclass(frozen=True)
class Initiative(_Shared):
    id: str
    content: str  # 推進内容
    node: str
    reposted_under: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()  # 新, 変更
    note: str = ""
    order: int = 0
    reporting: str = LEAD  # 主担当 or 併記
    name: str = ""  # 事業名: the short name the measure sheets print (seed 001's 事業); "" = the department writes it
    listed_as: tuple[str, ...] = ()  # 担当課 as the plan wrote it, groups unexpanded (shown in the report)
    public: bool = True  # False: the plan's 公開 says 非公開 (kept off the public site and open data)


@dataclass(frozen=True)
class Grade:
    code: str
    label: str
    rule: str  # one of kpireport.bands.RULES: final_reached rate_band on_pace same_level improved worsened otherwise not_evaluable
    threshold: Decimal | None = None  # percent: of the rate, the pace, or ± of the baseline (same_level)
    reason: str = ""  # not_evaluable only: the 未記入の理由 that chooses this kind of 評価不能 ("" = any other)


@dataclass(frozen=True)
class PeriodSettings:
    """A reporting period's own title, deadline and meeting (the plan's 報告期間 sheet)."""

    key: str  # ReportPeriod.key: "2025-09", "2024"
    report_title: str = ""
    deadline: str = ""
    meeting_name: str = ""
    meeting_date: str = ""


@dataclass(frozen=True)
class Settings:
    city: str
    report_title: str
    meeting_name: str = ""
    meeting_date: str = ""
    report_year: int | None = None
    actual_year: int | None = None
    deadline: str = ""
    planning_office: str = ""
    evaluation_method: str = "linear"
    maintain_tolerance: Decimal = Decimal(0)
    jump_warning_ratio: Decimal = Decimal(3)
    nobase_threshold: Decimal | None = None  # target-only single-year KPIs: on pace at this % of the target
    rate_formula: str = GAP_FORMULA  # 達成率の式: one of RATE_FORMULAS
    second_scale: str = ""  # the heading of the second grade's column (評価区分2), e.g. 改善・悪化
    summary_figures: tuple[str, ...] = ()  # which of SUMMARY_FIGURES the 概要 and the report show
    on_track_grade: str = ""  # 順調とする評価: the grade code at or above which a KPI counts as on track
    rate_bands: tuple[Decimal, ...] = (Decimal(80), Decimal(50))  # 達成率の区分: lower bounds, highest first
    periods: tuple[PeriodSettings, ...] = ()
    narrative_max_lines: int = 6
    narrative_max_chars: int = 80
    report_sections: tuple[str, ...] = ()  # () = every section
    status_title: str = ""  # "" = from the plans' own short names (「基本計画と総合戦略の指標（KPI）の達成状況」)
    legend_title: str = "次ページからの記載事項"
    measures_title: str = "具体的施策の取組状況"
    appendix_title: str = "取組の実施状況"
    appendix_style: str = "一覧"  # 一覧, or 検証表 (the verification table of the next plan's 資料編)
    master_paper: str = "A4"  # the master's list sheets print on A4 landscape, or A3
    form_password: str = ""
    # 実施状況 as the city writes it, in the order ◎ ○ △ × (done, continuing, partly, not done); the symbol is
    # each label's first character, and a form accepts the symbol, the label or the words alone
    status_labels: tuple[str, ...] = ("◎実施済", "○継続推進", "△一部実施", "×未実施")
    intake_max_file_mb: Decimal = Decimal(20)
    intake_max_expanded_mb: Decimal = Decimal(300)
    intake_max_rows: int = 20_000
    # the public site (kpireport publish): what stays internal (公開しない項目), whether `run` writes it too, and
    # whether 見込み values are published (labelled as such)
    publish_internal: tuple[str, ...] = ("備考", "未記入の理由", "連絡先", "手動評価の理由")
    publish_with_run: bool = False
    publish_provisional: bool = False
    note: str = ""


@dataclass(frozen=True)
class Plan:
    """The whole plan definition of a workspace: every plan, its tree, KPIs, initiatives."""

    settings: Settings
    plans: tuple[PlanInfo, ...]
    nodes: tuple[Node, ...]
    kpis: tuple[Kpi, ...]
    initiatives: tuple[Initiative, ...]
    departments: tuple[Department, ...]
    grades: tuple[Grade, ...]
    content_hash: str = ""
    second_grades: tuple[Grade, ...] = ()  # 評価区分2: an optional second scale shown in its own column
    _index: dict = field(default_factory=dict, init=False, compare=False, repr=False)  # a replace() starts afresh

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """A value derived from the plan, made by ``make()`` the first time it is asked for (a plan never
        changes: indexes that every row of a large city's forms and master would otherwise rebuild)."""
        if key not in self._index:
            self._index[key] = make()
        return self._index[key]

    def settings_for(self, period_key: str) -> Settings:
        """The settings as one period sees them: the deadline and meeting of the settings belong to the annual
        report of 実績年度 only (a monthly form must not show the annual deadline); a period's own row in 報告期間
        gives its title, deadline and meeting."""
        s = self.settings
        if period_key != str(s.actual_year):
            s = dataclasses.replace(s, deadline="", meeting_name="", meeting_date="")
        own = next((p for p in s.periods if p.key == period_key), None)
        if own is not None:
            s = dataclasses.replace(s, **{name: getattr(own, name) for name in
                                          ("report_title", "deadline", "meeting_name", "meeting_date")
                                          if getattr(own, name)})
        return s

    def plan(self, plan_id: str) -> PlanInfo:
        return self.memo("plans", lambda: {p.id: p for p in self.plans})[plan_id]

    def successors(self, department: str) -> tuple[str, ...]:
        """The current departments a name stands for: itself when current; after a reorganisation the
        departments that list it as a former name (one for a rename or a merge, several for a split)."""
        def index() -> dict[str, tuple[str, ...]]:
            found: dict[str, list[str]] = {}
            for d in self.departments:
                for former in d.former_names:
                    found.setdefault(former.name, []).append(d.name)
            found.update({d.name: [d.name] for d in self.departments})
            return {name: tuple(names) for name, names in found.items()}
        return self.memo("successors", index).get(department, ())

    def owner_of(self, department: str, owners: tuple[str, ...]) -> str:
        """The name an entry of ``department`` counts under for an item ``owners`` report: its successor among
        them when the department has been renamed, merged or split; otherwise as it was recorded."""
        if department in owners:
            return department
        return next((s for s in self.successors(department) if s in owners), department)

    def is_plan_id(self, place: str) -> bool:
        """Whether ``place`` (where a KPI is posted) is a plan as a whole rather than a node of it."""
        return place in self.memo("plan_ids", lambda: {p.id for p in self.plans})

    def plan_of(self, place: str) -> PlanInfo:
        """The plan of a place: a node, or a plan's own ID (its plan-level KGIs)."""
        return self.plan(place) if self.is_plan_id(place) else self.plan(self.node(place).plan)

    def node(self, node_id: str) -> Node:
        if "nodes" not in self._index:
            self._index["nodes"] = {n.id: n for n in self.nodes}
        return self._index["nodes"][node_id]

    def kpi(self, kpi_id: str) -> Kpi:
        if "kpis" not in self._index:
            self._index["kpis"] = {k.id: k for k in self.kpis}
        return self._index["kpis"][kpi_id]

    def initiative(self, initiative_id: str) -> Initiative:
        return self.memo("initiatives", lambda: {i.id: i for i in self.initiatives})[initiative_id]

    def children(self, node_id: str | None, plan_id: str | None = None) -> list[Node]:
        if "children" not in self._index:
            index: dict = {}
            for n in self.nodes:
                index.setdefault(n.parent, []).append(n)
            self._index["children"] = index
        return [n for n in self._index["children"].get(node_id, ()) if plan_id is None or n.plan == plan_id]

    def descendants(self, node_id: str) -> frozenset[str]:
        """``node_id`` and the IDs of every node below it (a plan's ID: the plan and all its nodes)."""
        below = self._index.setdefault("descendants", {})
        if node_id not in below:
            found = {node_id}
            children = self.children(None, node_id) if self.is_plan_id(node_id) else self.children(node_id)
            for child in children:
                found |= self.descendants(child.id)
            below[node_id] = frozenset(found)
        return below[node_id]

    def top(self, node_id: str) -> Node:
        """The top-level node above (or at) ``node_id``."""
        tops = self._index.setdefault("tops", {})
        if node_id not in tops:
            tops[node_id] = self.path(node_id)[0]
        return tops[node_id]

    def path(self, node_id: str) -> list[Node]:
        """Nodes from the top level down to ``node_id`` (none for a plan's own ID)."""
        chain: list[Node] = []
        if self.is_plan_id(node_id):
            return chain
        current: str | None = node_id
        while current is not None:
            n = self.node(current)
            chain.append(n)
            current = n.parent
        return list(reversed(chain))


class RawCell(NamedTuple):
    """One non-empty cell of a submitted workbook, as stored in the file. A named tuple, not a frozen
    dataclass: intake makes one per cell, and a tuple is made three times as fast."""

    row: int
    column: int
    value: object  # what openpyxl reads with data_only=True (the saved result of a formula)
    number_format: str = "General"
    formula: str | None = None  # the formula text when the cell holds one

    @property
    def coordinate(self) -> str:
        from openpyxl.utils import get_column_letter

        return f"{get_column_letter(self.column)}{self.row}"


@dataclass(frozen=True)
class RawSheet:
    name: str
    state: str  # visible | hidden | veryHidden
    cells: dict  # (row, column) -> RawCell; empty cells are absent
    cells_read: bool = True  # False: the reader was asked to skip this sheet's cells (``cells`` is empty)

    def value(self, row: int, column: int) -> object:
        cell = self.cells.get((row, column))
        return None if cell is None else cell.value

    def cell(self, row: int, column: int) -> RawCell | None:
        return self.cells.get((row, column))

    @property
    def max_row(self) -> int:
        return max(self.cells)[0] if self.cells else 0  # the largest (row, column) key has the largest row


@dataclass(frozen=True)
class Submission:
    """A submitted file as intake read it: identity, sheets in order, and file-level findings.

    ``readable`` is False when the file could not be read as a workbook at all; then ``sheets``
    is empty and ``findings`` says why.
    """

    path: str
    name: str
    sha256: str
    size: int
    sheets: tuple  # RawSheet, in workbook order
    findings: tuple  # Finding
    readable: bool

    def sheet(self, name: str) -> RawSheet | None:
        return next((s for s in self.sheets if s.name == name), None)


@dataclass(frozen=True)
class KpiEntry:
    """A KPI value a department gave, with where it came from (file and cell)."""

    kpi_id: str
    value: Value  # status none when the department gave a reason instead of a value
    as_of: str = ""
    remarks: str = ""
    reason: str = ""
    provisional: bool = False  # 見込み: a monthly update, or marked 見込み
    sheet: str = ""
    cell: str = ""


@dataclass(frozen=True)
class PreviousActuals:
    """The last accepted actual of each KPI before a period, with the period key it belongs to: what the forms
    show as 前回までの実績 and a department's figures are checked against (累計, jumps). ``stood``: the value that
    stood (a shared KPI's lead's); ``parts``: for a KPI whose departments each report their part (合算), each
    department's own part by its current name, which alone is shown to and compared with that department (the
    total or another department's part is no earlier figure of its own)."""

    stood: dict[str, tuple[str, Value]] = field(default_factory=dict)
    parts: dict[str, dict[str, tuple[str, Value]]] = field(default_factory=dict)

    def of(self, kpi_id: str, names: tuple[str, ...]) -> tuple[str, Value] | None:
        """What the form of a department (``names``: its name and the current names it stands for) shows for a
        KPI: a 合算 KPI's own part (None when it gave none), any other KPI's value that stood."""
        if kpi_id not in self.parts:
            return self.stood.get(kpi_id)
        return next((self.parts[kpi_id][n] for n in names if n in self.parts[kpi_id]), None)


@dataclass(frozen=True)
class InitiativeEntry:
    initiative_id: str
    status: str = ""  # one of the city's Settings.status_labels (◎実施済 ○継続推進 △一部実施 ×未実施); "" = none yet
    next_step: str = ""  # 継続 完了 廃止 変更
    verification: str = ""
    sheet: str = ""
    row: int = 0
    summary: str | None = None  # 取り組んだ事業の概要（実績）; None = not reported, "" = reported empty
    plan: str | None = None  # 以降の取組内容とその理由
    name: str | None = None  # 事業名 as the form gave it (the plan's, or the department's own)
    # the 検証内容 the department wrote for a place the initiative is reposted to (【再掲】): (node ID, text), form order
    repost_verifications: tuple[tuple[str, str], ...] = ()

    def verification_at(self, node_id: str) -> str:
        """The 検証内容 shown where the initiative is listed at ``node_id``: the department's own for that 【再掲】
        place when it wrote one, else the initiative's."""
        return next((text for node, text in self.repost_verifications if node == node_id and text), self.verification)


@dataclass(frozen=True)
class NarrativeEntry:
    node_id: str
    achievements: tuple[str, ...] = ()
    next_steps: tuple[str, ...] = ()
    sheet: str = ""
    row: int = 0


@dataclass(frozen=True)
class ValidationResult:
    """One submitted file checked against the plan: its findings and, when valid, its clean values."""

    file: str
    sha256: str
    department: str  # "" when the file is not recognised as a form
    period: str  # the form's period key ("2023", "2023-09"), "" when unknown
    findings: tuple  # Finding
    kpis: tuple = ()  # KpiEntry
    initiatives: tuple = ()  # InitiativeEntry
    narratives: tuple = ()  # NarrativeEntry

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    @property
    def valid(self) -> bool:
        return self.errors == 0


@dataclass(frozen=True)
class Override:
    """A grade set by hand by the planning office, with its reason."""

    grade: str
    reason: str


@dataclass(frozen=True)
class Evaluation:
    """The achievement of one KPI for one year, with its working shown.

    ``rate`` is progress towards the final target and ``pace`` progress against the expected path,
    both in percent as shown (0.1, or more decimals where 0.1 would cross a threshold they are graded by). ``working`` explains, in Japanese, the inputs, the formula, the figures and the
    rule that fired; ``rule`` is that rule's code. ``grade``/``label`` are the final grade (after any
    override); ``computed_grade`` is what the rules gave.
    """

    kpi_id: str
    year: int
    grade: str
    label: str
    computed_grade: str
    rule: str
    working: str
    rate: Decimal | None = None
    pace: Decimal | None = None
    expected: Decimal | None = None  # the expected value on the path for ``year``
    actual: Value | None = None
    provisional: bool = False
    override: Override | None = None
    second_grade: str = ""  # the grade on the plan's second scale (評価区分2), "" without one
    second_label: str = ""
