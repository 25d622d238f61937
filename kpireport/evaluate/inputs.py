"""The grading's inputs: a KPI definition read once (baseline, target, years, direction, mode) and the
expected value on the path from the baseline to the target."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Any

from kpireport.evaluate.arithmetic import PRECISION, decimal, display_unit, number, short_year, year_of
from kpireport.model import GAP_FORMULA, Kpi, Settings

TARGET_TYPES = ("値", "以上", "以下", "維持", "方向")


@dataclass
class Setup:
    """What the KPI definition gives: baseline, target, years, the effective direction, mode and formula.

    mode: gap (target better than baseline: r and pace), level (target = baseline: reached or worse),
    reverse (target worse than baseline, e.g. an accepted decline: reached or worse), nobase (no baseline),
    direction (the target is a direction only: the change from the baseline, no rate).
    """

    sign: int  # +1 higher is better, -1 lower is better
    target_type: str  # 値 以上 以下 維持 方向 (維持 also when the target value says 維持)
    baseline: Decimal | None
    baseline_zero: bool  # 累計 without a baseline: 0 at the baseline year
    baseline_year: int | None
    target: Decimal  # the baseline for a direction-only target (there is no target figure)
    target_year: int | None
    tolerance: Decimal  # in base units
    mode: str
    formula: str = GAP_FORMULA  # 達成率の式 in force for this KPI
    target_word: str = ""  # a direction-only target as the plan wrote it (延伸)
    notes: list[str] = field(default_factory=list)  # Japanese sentences about the definition
    # the thresholds the rate, the pace and the change from the baseline are compared with: each is shown with
    # enough decimals to stay on its side of them (arithmetic.shown_percent); set by the grading from the bands
    rate_edges: tuple[Decimal, ...] = ()
    pace_edges: tuple[Decimal, ...] = ()
    change_edges: tuple[Decimal, ...] = ()

    @property
    def base(self) -> Decimal:
        """The baseline in the modes that have one (gap, level, reverse, direction)."""
        if self.baseline is None:
            raise ValueError(f"no baseline in mode {self.mode}")
        return self.baseline


def rate_formula(kpi: Kpi, settings: Settings | None) -> str:
    """The KPI's own 達成率の式, else the settings', else the gap from the baseline."""
    return kpi.rate_formula or (settings.rate_formula if settings is not None else GAP_FORMULA)


def read_setup(kpi: Kpi, settings: Settings | None) -> tuple[Setup | None, list[str]]:
    """The arithmetic inputs of a KPI, or None and the Japanese reasons it cannot be evaluated."""
    notes: list[str] = []
    target_type = _target_type(kpi, notes)
    sign = _sign(kpi, target_type, notes)
    if sign is None:
        return None, ["指標の方向（増加／減少）が設定されていないため、良し悪しを判定できません"]
    baseline, target = _baseline_and_target(kpi, target_type, notes)
    if target_type == "方向":
        if baseline is None:
            return None, [f"目標が「{kpi.target.raw}」（方向のみ）で基準値がないため、変化を判定できません"]
        target = baseline
    if target is None:
        if target_type == "維持":
            return None, ["目標値がありません（維持目標ですが、保つべき基準値がありません）"]
        return None, ["目標値がありません"]
    baseline_year = year_of(kpi.baseline_year)
    baseline_zero = baseline is None and kpi.aggregation == "累計"
    if baseline_zero:
        baseline = Decimal(0)
        plan_start = year_of(kpi.plan_start_year)
        if baseline_year is None and plan_start is not None:
            baseline_year = plan_start - 1  # the straight line from 0 before the plan's first year
    mode = "direction" if target_type == "方向" else _mode(sign, baseline, target)
    return Setup(sign, target_type, baseline, baseline_zero, baseline_year, target, year_of(kpi.target_year),
                 _tolerance(kpi, settings, target_type, mode), mode, rate_formula(kpi, settings),
                 kpi.target.raw if mode == "direction" else "", notes), []


def _target_type(kpi: Kpi, notes: list[str]) -> str:
    target_type: str = kpi.target_type
    if kpi.target.status == "maintain" or kpi.target.maintain:
        target_type = "維持"
    if target_type not in TARGET_TYPES:
        notes.append(f"目標の種類「{target_type}」は不明のため、値として扱います。")
        target_type = "値"
    return target_type


def _sign(kpi: Kpi, target_type: str, notes: list[str]) -> int | None:
    """+1 when higher is better, -1 when lower is; a 以上 / 以下 target decides over the direction."""
    direction_sign = {"増加": 1, "減少": -1}.get(kpi.direction)
    sign = {"以上": 1, "以下": -1}.get(target_type, direction_sign)
    if sign is not None and direction_sign is not None and direction_sign != sign:
        notes.append(f"目標が「{target_type}」のため、指標の方向「{kpi.direction}」ではなく、"
                     f"{'大きい' if sign > 0 else '小さい'}ほど良いものとして判定します。")
    return sign


def _baseline_and_target(kpi: Kpi, target_type: str, notes: list[str]) -> tuple[Decimal | None, Decimal | None]:
    """The two numbers; a 維持 target keeps the baseline, and without a baseline its target is the level kept."""
    baseline = number(kpi.baseline)
    target = number(kpi.target)
    if target_type == "維持":
        if target is None:
            target = baseline
        elif baseline is None:
            baseline = target
            notes.append("基準値がないため、目標値を保つべき水準（基準）とします。")
    return baseline, target


def _mode(sign: int, baseline: Decimal | None, target: Decimal) -> str:
    if baseline is None:
        return "nobase"
    gap = sign * (target - baseline)
    return "gap" if gap > 0 else "level" if gap == 0 else "reverse"


def _tolerance(kpi: Kpi, settings: Settings | None, target_type: str, mode: str) -> Decimal:
    """The city's tolerance (維持目標の許容幅) for 維持 targets and every target equal to the baseline (80% → 80%,
    80% → 80%以上), in base units."""
    if not (target_type == "維持" or mode == "level"):
        return Decimal(0)
    raw_tolerance = decimal(settings.maintain_tolerance) if settings is not None else None
    if not raw_tolerance:
        return Decimal(0)
    return abs(raw_tolerance).scaleb(display_unit(kpi).power)


@dataclass
class PathResult:
    expected: Decimal | None
    reason: str = ""  # why there is no expected value (Japanese), "" when there is one
    notes: list[str] = field(default_factory=list)


def interim_points(kpi: Kpi, first: int, last: int) -> tuple[list[tuple[int, Decimal]], list[str]]:
    """Interim targets usable on the path (strictly between ``first`` and ``last``), and notes on the rest."""
    points: dict[int, Decimal] = {}
    notes = []
    for t in kpi.interim_targets:
        year = year_of(t.year)
        value = number(t.value)
        if year is None or value is None:
            notes.append(f"中間目標（{short_year(t.year)}）は数値がないため使いません。")
            continue
        if not (first < year < last):
            notes.append(f"中間目標（{short_year(year)}）は基準年度と目標年度の間にないため使いません。")
            continue
        points.setdefault(year, value)
    return sorted(points.items()), notes


def _no_path_reason(s: Setup, t: int | None) -> str:
    """Why there is no expected value for year ``t``, or "" when there is one."""
    if s.baseline is None:
        return "基準値がないため、ペースは算出しません"
    if s.baseline_year is None:
        return "基準年度がないため、ペースは算出しません"
    if s.target_year is None:
        return "目標年度がないため、ペースは算出しません"
    if s.target_year <= s.baseline_year:
        return "目標年度が基準年度より後ではないため、ペースは算出しません"
    if t is None:
        return "評価年度が不明なため、ペースは算出しません"
    if t <= s.baseline_year:
        return f"評価年度（{short_year(t)}）が基準年度（{short_year(s.baseline_year)}）以前のため、ペースは算出しません"
    return ""


def path(kpi: Kpi, s: Setup, year: Any) -> PathResult:
    """The expected value for ``year`` on the (broken) line from the baseline to the target."""
    t = year_of(year)
    reason = _no_path_reason(s, t)
    if reason or t is None or s.baseline is None or s.baseline_year is None or s.target_year is None:
        return PathResult(None, reason)
    interim, notes = interim_points(kpi, s.baseline_year, s.target_year)
    if t >= s.target_year:
        if t > s.target_year:
            notes.append("評価年度が目標年度を過ぎているため、想定値は目標値とします。")
        return PathResult(s.target, "", notes)
    points = [(s.baseline_year, s.baseline)] + interim + [(s.target_year, s.target)]
    for (y0, v0), (y1, v1) in zip(points, points[1:]):
        if y0 <= t <= y1:
            with localcontext() as ctx:
                ctx.prec = PRECISION
                expected = v0 + (v1 - v0) * (t - y0) / (y1 - y0)
            if interim:
                shown = "、".join(f"{short_year(y)} {display_unit(kpi).full(v)}" for y, v in interim)
                notes.append(f"想定値は中間目標（{shown}）を通る折れ線で求めます。")
            return PathResult(expected, "", notes)
    return PathResult(None, "想定値を求められないため、ペースは算出しません", notes)
