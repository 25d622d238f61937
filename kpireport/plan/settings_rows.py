"""The plan's own settings: the 設定 sheet, the per-period titles and deadlines, the grades, the plans."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from kpireport.bands import RULE_NAMES as GRADE_RULES
from kpireport.bands import RULES_NEEDING_THRESHOLD, band_problems
from kpireport.model import GAP_FORMULA, RATE_FORMULAS, SUMMARY_FIGURES, Grade, PeriodSettings, PlanInfo, Settings
from kpireport.periods import parse_period
from kpireport.plan.records import PlanReader, decimal_or, int_or, optional_decimal

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
        **_grading_settings(reader, raw),
        form_password=str(raw.get("form_password", "")), note=str(raw.get("note", "")),
        status_labels=_status_labels(raw.get("status_labels")),
        intake_max_file_mb=decimal_or(raw.get("intake_max_file_mb"), Decimal(20)),
        intake_max_expanded_mb=decimal_or(raw.get("intake_max_expanded_mb"), Decimal(300)),
        intake_max_rows=int_or(raw.get("intake_max_rows"), 20_000),
        **_publish_settings(raw))


def _publish_settings(raw: dict) -> dict[str, Any]:
    """The public site's settings as given (公開しない項目: empty keeps the default list, なし publishes all)."""
    result: dict[str, Any] = {"publish_with_run": raw.get("publish_with_run") == "する",
                              "publish_provisional": raw.get("publish_provisional") == "する"}
    internal = [x for x in raw.get("publish_internal") or () if isinstance(x, str)]
    if internal:
        result["publish_internal"] = tuple(x for x in internal if x != "なし")
    return result


def _grading_settings(reader: PlanReader, raw: dict) -> dict[str, Any]:
    """達成率の式, the second scale's name and the summary figures the 概要 shows."""
    formula = raw.get("rate_formula")
    bands = []
    for given in raw.get("rate_bands") or ():
        bound = optional_decimal(str(given).strip().rstrip("%％"))
        if bound is None or not bound.is_finite():
            reader.report("plan-value-unreadable", "settings", None, "rate_bands", given)
        else:
            bands.append(bound)
    return dict(
        rate_formula=formula if formula in RATE_FORMULAS else GAP_FORMULA,
        second_scale=str(raw.get("second_scale") or ""),
        summary_figures=tuple(x for x in raw.get("summary_figures") or () if x in SUMMARY_FIGURES),
        on_track_grade=str(raw.get("on_track_grade") or ""),
        rate_bands=tuple(sorted(set(bands), reverse=True)) or Settings.rate_bands)


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


def build_grades(reader: PlanReader, key: str = "grades") -> list[Grade]:
    """The bands of 評価区分 (or of the second scale, ``key`` second_grades), checked for a gap and for bands
    that can never be taken."""
    reader.unique_ids(key, "code")
    result, rules, rows = [], set(), []
    for index, r in reader.records(key):
        rule = r.get("rule")
        rules.add(rule)
        if isinstance(rule, str) and GRADE_RULES.get(rule, "") in RULES_NEEDING_THRESHOLD and not isinstance(r.get("threshold"), (int, float)):
            reader.report("plan-grade-threshold", key, index, "threshold", r.get("threshold"), rule=rule)
        if rule in GRADE_RULES and isinstance(r.get("code"), str):
            threshold = r.get("threshold")
            result.append(Grade(r["code"], str(r.get("label", "")), GRADE_RULES[rule],
                                optional_decimal(threshold) if threshold is not None else None,
                                str(r.get("reason") or "").strip()))
            rows.append(index)
    if key == "grades" and reader.records(key):
        for rule in RULES_REQUIRED:
            if rule not in rules:
                reader.report("plan-grade-missing-rule", key, None, None, rule=rule)
    _general_not_evaluable(reader, key, result, rows)
    graded = [row for row, g in zip(rows, result) if g.rule != "not_evaluable"]
    for problem in band_problems(result):
        if problem.kind == "gap":  # said at the last band: a band below it would take the KPI
            reader.report("plan-grade-gap", key, graded[-1], "rule", "", kpi=problem.text)
        elif problem.index is not None:
            reader.report("plan-grade-unreachable", key, rows[problem.index], "rule", result[problem.index].code,
                          earlier=problem.text)
    return result


GENERAL_NOT_EVALUABLE_CODES = ("−", "－", "-", "評価不能")  # the code of the general kind, one the plan does not use
GENERAL_NOT_EVALUABLE_LABEL = "評価不能（その他）"  # never the label of a kind the plan names (「評価不能」 often is)


def _general_not_evaluable(reader: PlanReader, key: str, grades: list[Grade], rows: list[int]) -> None:
    """When every kind of 評価不能 is chosen by a 未記入の理由 (統計未公表, 事業終了), a KPI without a value for another
    reason (not submitted, 集計中) is none of them: it gets a general 「− 評価不能」, counted apart, and the plan
    check says so (the first kind would call a missing submission 統計未公表)."""
    kinds = [(row, g) for row, g in zip(rows, grades) if g.rule == "not_evaluable"]
    if not kinds or not all(g.reason for _, g in kinds):
        return
    used = {g.code for g in grades}
    code = next(c for c in GENERAL_NOT_EVALUABLE_CODES if c not in used)
    grades.append(Grade(code, GENERAL_NOT_EVALUABLE_LABEL, "not_evaluable"))
    reader.report("plan-grade-no-general-not-evaluable", key, kinds[-1][0], "reason", kinds[-1][1].reason,
                  general=code, reasons="、".join(g.reason for _, g in kinds))


def not_evaluable_reasons(grades: list[Grade]) -> tuple[str, ...]:
    """The 未記入の理由 that choose a kind of 評価不能, in the plan's order."""
    return tuple(dict.fromkeys(g.reason for g in grades if g.rule == "not_evaluable" and g.reason))


def check_on_track(reader: PlanReader, grades: list[Grade]) -> None:
    """順調とする評価 names one of the grades."""
    raw = reader.doc.get("settings")
    given = raw.get("on_track_grade") if isinstance(raw, dict) else None
    if isinstance(given, str) and given and given not in {g.code for g in grades}:
        reader.report("plan-on-track-unknown", "settings", None, "on_track_grade", given)
