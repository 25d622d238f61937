"""The opening of the working (what kind of KPI, its baseline, target and actual) and the reasons an
actual cannot be graded."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from kpireport.evaluate.arithmetic import Unit, number, short_year, value_text, year_of
from kpireport.evaluate.inputs import Setup
from kpireport.model import Kpi, Value
from kpireport.values import fiscal_year_of, format_period, format_year, period_of, units_compatible

_TARGET_KINDS = {"以上": "目標は下限（以上）", "以下": "目標は上限（以下）", "維持": "目標は現状維持",
                 "方向": "目標は方向のみ"}
_AGGREGATIONS = {"累計": "累計の指標のため実績・目標とも累計値で比較",
                 "年平均": "年平均の指標のため実績・目標とも年平均値で比較"}


REASON_NOTE = "（未記入の理由: {reason}）"  # the department's reason in the working (kept internal where published)
REASON_IN_WORKING = re.compile(r"（未記入の理由: [^）]*）")


def describe_kpi(kpi: Kpi, s: Setup, unit: Unit, actual: Value | None, year: Any) -> list[str]:
    """The opening sentences: kind of KPI, inputs."""
    parts = [_kind(kpi, s), *s.notes]
    baseline_text, target_text = _baseline_text(kpi, s, unit), _target_text(kpi, s)
    arrow = "→ " if baseline_text.endswith("）") else " → "
    if actual is None:  # the reason that follows says what is wrong with the actual
        parts.append(f"{baseline_text}{arrow}{target_text}。")
        return parts
    parts.append(f"{baseline_text}{arrow}{target_text}、実績 {value_text(actual, year)}。")
    period = period_of(actual)  # also for a value read back from the history, which keeps its text only
    # a later year is graded as the report year's and says so first (data_year.working_lead), a bare year its 時点
    # reads as the fiscal year before is graded at that year: only an earlier year graded later is told here
    if period is not None and year_of(year) is not None and fiscal_year_of(period) < year:
        parts.append(f"（実績の時点 {format_period(period)} は評価年度 {short_year(year)} と異なります。）")
    return parts


def _kind(kpi: Kpi, s: Setup) -> str:
    """「増加が望ましい指標（目標は下限（以上）、累計の指標のため…）。」"""
    kind = "増加が望ましい指標" if s.sign > 0 else "減少が望ましい指標"
    extras = [_TARGET_KINDS.get(s.target_type, ""), _AGGREGATIONS.get(kpi.aggregation, "")]
    extra = "、".join(e for e in extras if e)
    return f"{kind}（{extra}）。" if extra else f"{kind}。"


def _baseline_text(kpi: Kpi, s: Setup, unit: Unit) -> str:
    zero = unit.full(Decimal(0))
    if s.baseline_zero and s.baseline_year is not None:
        if year_of(kpi.baseline_year) is None:
            return f"基準値 なし（累計のため、計画開始前の {short_year(s.baseline_year)} を {zero} とします）"
        return f"基準値 なし（累計のため {short_year(s.baseline_year)} を {zero} とします）"
    if s.baseline_zero:
        return f"基準値 なし（累計のため {zero} とします）"
    if number(kpi.baseline) is not None:
        return f"基準値 {value_text(kpi.baseline, s.baseline_year)}"
    return "基準値 なし"


def _target_text(kpi: Kpi, s: Setup) -> str:
    if s.target_type == "維持" and number(kpi.target) is None:
        return f"目標値 維持（{short_year(s.target_year)}）" if s.target_year else "目標値 維持"
    return f"目標値 {value_text(kpi.target, s.target_year)}"


def before_base(s: Setup, year: Any) -> str:
    """Why a figure of a year before the plan's base year is not graded (the path starts at the base year: an H26
    figure says nothing about a plan whose baseline is of R4), or "" for a later year."""
    t = year_of(year)
    if t is None or s.baseline_year is None or t >= s.baseline_year:
        return ""
    return (f"実績は{format_year(t)}のデータで、計画の基準年度（{format_year(s.baseline_year)}）より前のため評価しません。")


def reason_missing(kpi: Kpi, actual: Value | None, reason: str = "") -> list[str]:
    """Why the actual cannot be used: missing (with the department's 未記入の理由), not a number, or in
    another unit."""
    if reason and (actual is None or actual.status != "number"):
        return [f"実績値がありません{REASON_NOTE.format(reason=reason)}"]
    if actual is None:
        return ["実績値がありません（未入力）"]
    status = actual.status
    if status == "none":
        return ["実績値がありません（－）"]
    if status == "unreadable":
        return [f"実績値がありません（「{actual.raw}」は数値として読めないため、担当課への確認が必要です）"]
    if status == "maintain":
        return ["実績値がありません（「維持」は実績の数値ではありません）"]
    if number(actual) is None:
        return ["実績値がありません（数値として扱えません）"]
    actual_unit = actual.scale + actual.unit
    reference = _reference_unit(kpi)
    if actual.unit and reference and reference != "なし" and not units_compatible(actual_unit, reference):
        return [f"実績値の単位（{actual_unit}）が指標の単位（{reference}）と異なるため、比較できません"]
    return []


def _reference_unit(kpi: Kpi) -> str:
    """The KPI's unit as the plan writes it, else the target's."""
    reference = kpi.unit
    if not reference:
        reference = kpi.target.display_unit if number(kpi.target) is not None else ""
    return reference
