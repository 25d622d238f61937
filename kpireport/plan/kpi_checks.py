"""Cross-checks within one KPI row: its years, its target against its baseline, how it is reported and
combined. Each check reports through the PlanReader and returns what the KPI keeps."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kpireport.model import COMBINE_RULES, LEAD, PARTS, REPORTING_RULES, Value
from kpireport.plan.records import PlanReader

TargetType = Literal["値", "以上", "以下", "維持"]
TARGET_TYPES: tuple[TargetType, ...] = ("値", "以上", "以下", "維持")


@dataclass(frozen=True)
class KpiFigures:
    """A KPI row's unit, values and years as read (values in the KPI's unit)."""

    unit: str | None
    baseline: Value
    target: Value
    baseline_year: int | None
    target_year: int | None
    valid_from: int | None
    valid_until: int | None


@dataclass(frozen=True)
class Interim:
    """An interim target (中間目標) as read, with its row for findings."""

    year: int
    value: Value
    index: int


def check_figures(reader: PlanReader, index: int, r: dict, figures: KpiFigures) -> TargetType:
    """Check the row's years and values against each other; returns the target type the KPI keeps."""
    if figures.valid_from and figures.valid_until and figures.valid_until < figures.valid_from:
        reader.report("plan-valid-range", "kpis", index, "valid_until", r.get("valid_until"))
    if (figures.target.gross or figures.baseline.gross) and not r.get("aggregation"):
        reader.report("plan-gross-aggregation", "kpis", index, "aggregation",
                      r.get("target") if figures.target.gross else r.get("baseline"))
    if figures.baseline_year and figures.target_year and figures.target_year < figures.baseline_year:
        reader.report("plan-target-before-baseline", "kpis", index, "target_year", r.get("target_year"),
                      target=r.get("target_year"), baseline=r.get("baseline_year"))
    target_type = _target_type(reader, index, r, figures.baseline, figures.target)
    _check_direction(reader, index, r, target_type, figures.baseline, figures.target)
    return target_type


def check_interim_years(reader: PlanReader, figures: KpiFigures, interim: tuple[Interim, ...]) -> None:
    """Each interim target falls after the baseline year and by the target year."""
    if not (figures.baseline_year and figures.target_year):
        return
    for t in interim:
        if not figures.baseline_year < t.year <= figures.target_year:
            reader.report("plan-interim-outside", "interim_targets", t.index, "year", t.year, year=t.year)


def _as_target_type(given: object) -> TargetType | None:
    return next((t for t in TARGET_TYPES if t == given), None)


def _target_type(reader: PlanReader, index: int, r: dict, baseline: Value, target: Value) -> TargetType:
    derived: TargetType = target.bound or ("維持" if target.status == "maintain" or target.maintain else "値")
    given = _as_target_type(r.get("target_type"))
    if given is not None and derived != "値" and given != derived:
        reader.report("plan-target-type-conflict", "kpis", index, "target_type", r.get("target"),
                      given=given, derived=derived)
    result = given or derived
    if result == "維持" and not baseline.is_number:
        reader.report("plan-maintain-no-baseline", "kpis", index, "baseline", r.get("baseline"))
    return result


def _check_direction(reader: PlanReader, index: int, r: dict, target_type: str, baseline: Value,
                     target: Value) -> None:
    if target_type != "値" or not (baseline.is_number and target.is_number):
        return
    if target.number is None or baseline.number is None:
        return  # a number always has one; this tells the type checker
    if target.number == baseline.number:
        if target.cumulative == baseline.cumulative:  # 2社 → 2社 (5年間累計) is growth, not 維持
            reader.report("plan-target-equals-baseline", "kpis", index, "target", r.get("target"))
        return
    direction = r.get("direction")
    if (direction == "増加" and target.number < baseline.number) or (
            direction == "減少" and target.number > baseline.number):
        reader.report("plan-direction-conflict", "kpis", index, "direction", direction, direction=direction,
                      target=r.get("target"), baseline=r.get("baseline"),
                      side="小さい" if direction == "増加" else "大きい")


def reporting(reader: PlanReader, key: str, index: int, r: dict, departments: tuple[str, ...]) -> str:
    """The 報告方法 (主担当 when left empty); a rule for a single department is noted, and ignored."""
    given = r.get("reporting")
    if given not in REPORTING_RULES:
        return LEAD  # not one of the choices: the schema check says so
    if given != LEAD and len(departments) < 2:
        reader.report("plan-reporting-single", key, index, "reporting", given)
    return str(given)


def combine(reader: PlanReader, index: int, r: dict, unit: str | None) -> str:
    """How the departments' parts of a 合算 KPI are combined (合計 unless the plan says otherwise)."""
    given = r.get("combine")
    if given is None:
        return "合計"
    if r.get("reporting") != PARTS:
        reader.report("plan-combine-without-parts", "kpis", index, "combine", given)
    elif given == "合計" and unit == "%":
        reader.report("plan-combine-rate", "kpis", index, "combine", given)
    return str(given) if given in COMBINE_RULES else "合計"
