"""The plan's own settings: the 設定 sheet, the per-period titles and deadlines, the grades, the plans."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from kpireport.model import Grade, PeriodSettings, PlanInfo, Settings
from kpireport.periods import parse_period
from kpireport.plan.records import PlanReader, decimal_or, int_or, optional_decimal

GRADE_RULES = {"最終目標達成": "final_reached", "ペース": "on_pace", "基準値より改善": "improved",
               "基準値より悪化": "worsened", "評価不能": "not_evaluable"}
RULES_NEEDING_THRESHOLD = ("最終目標達成", "ペース")
RULES_REQUIRED = ("最終目標達成", "評価不能")


def build_settings(reader: PlanReader) -> Settings | None:
    raw = reader.doc.get("settings")
    if not isinstance(raw, dict):
        return None
    report_year = reader.year("settings", None, "report_year", raw.get("report_year"))
    actual_year = reader.year("settings", None, "actual_year", raw.get("actual_year"))
    if report_year and actual_year and actual_year > report_year:
        reader.report("plan-actual-after-report", "settings", None, "actual_year", raw.get("actual_year"),
                      actual=raw.get("actual_year"), report=raw.get("report_year"))
    return Settings(
        city=str(raw.get("city", "")), report_title=str(raw.get("report_title", "")),
        meeting_name=str(raw.get("meeting_name", "")), meeting_date=str(raw.get("meeting_date", "")),
        report_year=report_year, actual_year=actual_year,
        deadline=str(raw.get("deadline", "")), planning_office=str(raw.get("planning_office", "")),
        narrative_max_lines=int_or(raw.get("narrative_max_lines"), 6),
        narrative_max_chars=int_or(raw.get("narrative_max_chars"), 80),
        report_sections=tuple(x for x in raw.get("report_sections") or () if isinstance(x, str)),
        status_title=_title(raw, "status_title", Settings.status_title),
        legend_title=_title(raw, "legend_title", Settings.legend_title),
        measures_title=_title(raw, "measures_title", Settings.measures_title),
        appendix_title=_title(raw, "appendix_title", Settings.appendix_title),
        appendix_style=_title(raw, "appendix_style", Settings.appendix_style),
        master_paper=_title(raw, "master_paper", Settings.master_paper),
        evaluation_method=str(raw.get("evaluation_method", "線形")),
        maintain_tolerance=decimal_or(raw.get("maintain_tolerance"), Decimal(0)),
        jump_warning_ratio=decimal_or(raw.get("jump_warning_ratio"), Decimal(3)),
        nobase_threshold=optional_decimal(raw.get("nobase_threshold")), periods=build_periods(reader),
        form_password=str(raw.get("form_password", "")), note=str(raw.get("note", "")),
        status_labels=_status_labels(raw.get("status_labels")),
        intake_max_file_mb=decimal_or(raw.get("intake_max_file_mb"), Decimal(20)),
        intake_max_expanded_mb=decimal_or(raw.get("intake_max_expanded_mb"), Decimal(300)),
        intake_max_rows=int_or(raw.get("intake_max_rows"), 20_000))


def _title(raw: dict, key: str, default: str) -> str:
    """A heading the city may rename; left empty, the built-in one."""
    given = raw.get(key)
    return given if isinstance(given, str) and given.strip() else default


def _status_labels(raw: Any) -> tuple[str, ...]:
    """The four 実施状況 labels as the city writes them; anything but four, the built-in ones."""
    if isinstance(raw, list) and len(raw) == 4:
        return tuple(str(x).strip() for x in raw)
    return Settings.status_labels


def build_periods(reader: PlanReader) -> tuple[PeriodSettings, ...]:
    result: dict[str, PeriodSettings] = {}
    for index, r in reader.records("periods"):
        period = parse_period(r.get("period"))
        if period is None:
            reader.report("plan-period-unreadable", "periods", index, "period", r.get("period"))
            continue
        if period.key in result:
            reader.report("plan-duplicate-id", "periods", index, "period", r.get("period"), first=period.label)
            continue
        result[period.key] = PeriodSettings(period.key, *(str(r.get(name) or "") for name in (
            "report_title", "deadline", "meeting_name", "meeting_date")))
    return tuple(result.values())


def build_plans(reader: PlanReader) -> list[PlanInfo]:
    reader.unique_ids("plans", "id")
    result = []
    for index, r in reader.records("plans"):
        start = reader.year("plans", index, "start_year", r.get("start_year"))
        end = reader.year("plans", index, "end_year", r.get("end_year"))
        if start and end and end < start:
            reader.report("plan-end-before-start", "plans", index, "end_year", r.get("end_year"),
                          start=r.get("start_year"), end=r.get("end_year"))
        levels = tuple(str(x) for x in r.get("levels", []) if isinstance(x, str)) if isinstance(
            r.get("levels"), list) else ()
        if isinstance(r.get("id"), str):
            result.append(PlanInfo(r["id"], str(r.get("name", "")), str(r.get("short_name", r["id"])),
                                   str(r.get("kind", "")), start or 0, end or 0, levels))
    return result


def build_grades(reader: PlanReader) -> list[Grade]:
    reader.unique_ids("grades", "code")
    result, rules = [], set()
    for index, r in reader.records("grades"):
        rule = r.get("rule")
        rules.add(rule)
        if rule in RULES_NEEDING_THRESHOLD and not isinstance(r.get("threshold"), (int, float)):
            reader.report("plan-grade-threshold", "grades", index, "threshold", r.get("threshold"), rule=rule)
        if rule in GRADE_RULES and isinstance(r.get("code"), str):
            threshold = r.get("threshold")
            result.append(Grade(r["code"], str(r.get("label", "")), GRADE_RULES[rule],
                                optional_decimal(threshold) if threshold is not None else None))
    if reader.records("grades"):
        for rule in RULES_REQUIRED:
            if rule not in rules:
                reader.report("plan-grade-missing-rule", "grades", None, None, rule=rule)
    return result
