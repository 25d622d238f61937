"""Load a plan definition (workbook, JSON or YAML), check it, and build the Plan.

Checks run in one pass and are all reported: first the JSON Schema (plan_schema_check), then the
cross-checks below (IDs, references, departments, values, years). A Plan is built only when no
error remains; warnings do not stop it.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from kpireport.messages import finding
from kpireport.model import (
    COMBINE_RULES,
    INDICATOR_KINDS,
    KPI_KIND,
    LEAD,
    PARTS,
    REPORTING_RULES,
    Department,
    Finding,
    Grade,
    Initiative,
    InterimTarget,
    Kpi,
    Node,
    PeriodSettings,
    Plan,
    PlanInfo,
    Settings,
    Value,
)
from kpireport.periods import parse_period
from kpireport.plan import layout as plan_layout
from kpireport.plan.locator import Locator, Source
from kpireport.plan.schema_check import check_schema
from kpireport.plan.source import read_source
from kpireport.values import in_unit, parse_value, parse_year

NO_UNIT = "なし"
GRADE_RULES = {"最終目標達成": "final_reached", "ペース": "on_pace", "基準値より改善": "improved",
               "基準値より悪化": "worsened", "評価不能": "not_evaluable"}
RULES_NEEDING_THRESHOLD = ("最終目標達成", "ペース")
RULES_REQUIRED = ("最終目標達成", "評価不能")


@dataclass
class PlanCheck:
    """The result of loading a plan: the Plan (None when there are errors) and every finding."""

    plan: Plan | None
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


def load_plan(path: Path) -> PlanCheck:
    return check_source(read_source(Path(path)))


def example_path() -> Path:
    """The embedded example plan (package data)."""
    return Path(str(resources.files("kpireport").joinpath("example/plan.yaml")))


def check_source(source: Source) -> PlanCheck:
    findings = list(source.findings)
    if not source.document:
        return PlanCheck(None, findings)
    findings += check_schema(source.document, source.locator)
    builder = _Builder(source.document, source.locator)
    plan = builder.build()
    findings += builder.findings
    has_errors = any(f.severity == "error" for f in findings)
    return PlanCheck(None if has_errors else plan, findings)


def content_hash(document: dict) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _Builder:
    """Cross-checks the document and builds the model. Tolerates a document with schema errors."""

    def __init__(self, document: dict, locator: Locator):
        self.doc = document
        self.locator = locator
        self.findings: list[Finding] = []
        self.groups: dict[str, tuple[str, ...]] = {}  # 関係各課 -> its member departments

    # -- helpers ---------------------------------------------------------------------------------

    def report(self, code: str, key: str, index: int | None, field: str | None, value: Any = "", **fields):
        sheet, cell = self.locator.where(key, index, field)
        if field is not None and "field" not in fields:
            column = next((c for c in plan_layout.sheet(key).columns if c.key == field), None)
            fields["field"] = column.title if column else field
        self.findings.append(finding(code, file=self.locator.file, sheet=sheet, cell=cell,
                                     value="" if value is None else value, **fields))

    def records(self, key: str) -> list[tuple[int, dict]]:
        items = self.doc.get(key)
        if not isinstance(items, list):
            return []
        return [(i, r) for i, r in enumerate(items) if isinstance(r, dict)]

    def year(self, key: str, index: int | None, field: str, raw: Any) -> int | None:
        if raw is None or isinstance(raw, bool):
            return None
        period = parse_year(raw)
        if period is None or period.end is not None or period.month is not None:
            self.report("plan-year-unreadable", key, index, field, raw)
            return None
        return period.start

    def unique_ids(self, key: str, field: str) -> dict[str, int]:
        seen: dict[str, int] = {}
        for index, record in self.records(key):
            ident = record.get(field)
            if not isinstance(ident, str):
                continue
            if ident in seen:
                first_sheet, first_cell = self.locator.where(key, seen[ident], field)
                self.report("plan-duplicate-id", key, index, field, ident, first=first_cell or f"{seen[ident] + 1}件目")
            else:
                seen[ident] = index
        return seen

    def check_departments(self, key: str, index: int, names: Any, known: dict[str, int]) -> tuple[str, ...]:
        """The departments as written (a group's name kept; ``expand`` gives its members)."""
        names = names if isinstance(names, list) else []
        for name in names:
            if isinstance(name, str) and name not in known:
                self.report("plan-unknown-department", key, index, "departments", name)
        return tuple(n for n in names if isinstance(n, str))

    def expand(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """Departments with each group (関係各課) replaced by its members, each department once, in order."""
        result: list[str] = []
        for name in names:
            for member in self.groups.get(name, (name,)):
                if member not in result:
                    result.append(member)
        return tuple(result)

    def check_reposts(self, key: str, index: int, record: dict, nodes: dict[str, int]) -> tuple[str, ...]:
        reposts = record.get("reposted_under") if isinstance(record.get("reposted_under"), list) else []
        for target in reposts:
            if target not in nodes:
                self.report("plan-repost-unknown", key, index, "reposted_under", target)
            elif target == record.get("node"):
                self.report("plan-repost-self", key, index, "reposted_under", target)
        return tuple(t for t in reposts if isinstance(t, str))

    # -- build -----------------------------------------------------------------------------------

    def build(self) -> Plan | None:
        settings = self.build_settings()
        plans = self.build_plans()
        departments = self.build_departments()
        grades = self.build_grades()
        dept_ids = {d.name: i for i, d in enumerate(departments)}
        nodes = self.build_nodes({p.id: p for p in plans}, dept_ids)
        node_ids = {r["id"]: i for i, r in self.records("nodes") if isinstance(r.get("id"), str)}
        kpis = self.build_kpis(node_ids, dept_ids, {p.id: p for p in plans}, {n.id: n.plan for n in nodes})
        initiatives = self.build_initiatives(node_ids, dept_ids)
        for plan in plans:
            if not any(n.plan == plan.id for n in nodes):
                index = next(i for i, r in self.records("plans") if r.get("id") == plan.id)
                self.report("plan-empty-plan", "plans", index, "id", plan.id)
        if settings is None:
            return None
        return Plan(settings=settings, plans=tuple(plans), nodes=tuple(nodes), kpis=tuple(kpis),
                    initiatives=tuple(initiatives), departments=tuple(departments), grades=tuple(grades),
                    content_hash=content_hash(self.doc))

    def build_settings(self) -> Settings | None:
        raw = self.doc.get("settings")
        if not isinstance(raw, dict):
            return None
        report_year = self.year("settings", None, "report_year", raw.get("report_year"))
        actual_year = self.year("settings", None, "actual_year", raw.get("actual_year"))
        if report_year and actual_year and actual_year > report_year:
            self.report("plan-actual-after-report", "settings", None, "actual_year", raw.get("actual_year"),
                        actual=raw.get("actual_year"), report=raw.get("report_year"))
        return Settings(
            city=str(raw.get("city", "")), report_title=str(raw.get("report_title", "")),
            meeting_name=str(raw.get("meeting_name", "")), meeting_date=str(raw.get("meeting_date", "")),
            report_year=report_year, actual_year=actual_year,
            deadline=str(raw.get("deadline", "")), planning_office=str(raw.get("planning_office", "")),
            narrative_max_lines=_int(raw.get("narrative_max_lines"), 6),
            narrative_max_chars=_int(raw.get("narrative_max_chars"), 80),
            report_sections=tuple(x for x in raw.get("report_sections") or () if isinstance(x, str)),
            **{key: str(raw[key]) for key in ("status_title", "legend_title", "measures_title", "appendix_title")
               if isinstance(raw.get(key), str) and raw[key].strip()},
            evaluation_method=str(raw.get("evaluation_method", "線形")),
            maintain_tolerance=_decimal(raw.get("maintain_tolerance"), Decimal(0)),
            jump_warning_ratio=_decimal(raw.get("jump_warning_ratio"), Decimal(3)),
            nobase_threshold=_decimal(raw.get("nobase_threshold"), None), periods=self.build_periods(),
            form_password=str(raw.get("form_password", "")), note=str(raw.get("note", "")),
            **({"status_labels": tuple(str(x).strip() for x in raw["status_labels"])}
               if isinstance(raw.get("status_labels"), list) and len(raw["status_labels"]) == 4 else {}),
            intake_max_file_mb=_decimal(raw.get("intake_max_file_mb"), Decimal(20)),
            intake_max_expanded_mb=_decimal(raw.get("intake_max_expanded_mb"), Decimal(300)),
            intake_max_rows=_int(raw.get("intake_max_rows"), 20_000),
            **_publish_settings(raw))

    def build_periods(self) -> tuple[PeriodSettings, ...]:
        result: dict[str, PeriodSettings] = {}
        for index, r in self.records("periods"):
            period = parse_period(r.get("period"))
            if period is None:
                self.report("plan-period-unreadable", "periods", index, "period", r.get("period"))
                continue
            if period.key in result:
                self.report("plan-duplicate-id", "periods", index, "period", r.get("period"), first=period.label)
                continue
            result[period.key] = PeriodSettings(period.key, *(str(r.get(name) or "") for name in (
                "report_title", "deadline", "meeting_name", "meeting_date")))
        return tuple(result.values())

    def build_plans(self) -> list[PlanInfo]:
        self.unique_ids("plans", "id")
        result = []
        for index, r in self.records("plans"):
            start = self.year("plans", index, "start_year", r.get("start_year"))
            end = self.year("plans", index, "end_year", r.get("end_year"))
            if start and end and end < start:
                self.report("plan-end-before-start", "plans", index, "end_year", r.get("end_year"),
                            start=r.get("start_year"), end=r.get("end_year"))
            levels = tuple(str(x) for x in r.get("levels", []) if isinstance(x, str)) if isinstance(
                r.get("levels"), list) else ()
            if isinstance(r.get("id"), str):
                result.append(PlanInfo(r["id"], str(r.get("name", "")), str(r.get("short_name", r["id"])),
                                       str(r.get("kind", "")), start or 0, end or 0, levels))
        return result

    def build_departments(self) -> list[Department]:
        self.unique_ids("departments", "name")
        seen, result = set(), []
        names = {r.get("name") for _, r in self.records("departments")}
        for index, r in self.records("departments"):
            name = r.get("name")
            if isinstance(name, str) and name not in seen:
                seen.add(name)
                members = tuple(m for m in r.get("members") or () if isinstance(m, str) and m != name)
                for member in members:
                    if member not in names:
                        self.report("plan-group-member", "departments", index, "members", member, group=name)
                members = tuple(m for m in members if m in names)
                if members:
                    self.groups[name] = members
                result.append(Department(name, str(r.get("division", "")), str(r.get("contact", "")),
                                         str(r.get("email", "")), str(r.get("note", "")), members))
        return result

    def build_grades(self) -> list[Grade]:
        self.unique_ids("grades", "code")
        result, rules = [], set()
        for index, r in self.records("grades"):
            rule = r.get("rule")
            rules.add(rule)
            if rule in RULES_NEEDING_THRESHOLD and not isinstance(r.get("threshold"), (int, float)):
                self.report("plan-grade-threshold", "grades", index, "threshold", r.get("threshold"), rule=rule)
            if rule in GRADE_RULES and isinstance(r.get("code"), str):
                threshold = r.get("threshold")
                result.append(Grade(r["code"], str(r.get("label", "")), GRADE_RULES[rule],
                                    _decimal(threshold, None) if threshold is not None else None))
        if self.records("grades"):
            for rule in RULES_REQUIRED:
                if rule not in rules:
                    self.report("plan-grade-missing-rule", "grades", None, None, rule=rule)
        return result

    def build_nodes(self, plans: dict[str, PlanInfo], departments: dict[str, int]) -> list[Node]:
        ids = self.unique_ids("nodes", "id")
        records = dict(self.records("nodes"))
        depth_of: dict[str, int] = {}

        def depth(ident: str) -> tuple[int | None, bool]:
            """Depth of ``ident``, or (None, in_cycle) when its parent chain is broken."""
            chain, current = [], ident
            while current is not None:
                if current in chain:
                    return None, ident in chain[chain.index(current):]
                chain.append(current)
                parent_index = ids.get(current)
                if parent_index is None:
                    return None, False
                current = records[parent_index].get("parent")
            return len(chain), False

        result = []
        for index, r in records.items():
            ident, plan_id, parent = r.get("id"), r.get("plan"), r.get("parent")
            if not isinstance(ident, str) or ids.get(ident) != index:
                continue  # a duplicate is reported and skipped
            plan = plans.get(plan_id) if isinstance(plan_id, str) else None
            depts = self.check_departments("nodes", index, r.get("departments"), departments)
            if isinstance(plan_id, str) and plan is None:
                self.report("plan-unknown-plan", "nodes", index, "plan", plan_id)
            if isinstance(parent, str):
                if parent not in ids:
                    self.report("plan-unknown-node", "nodes", index, "parent", parent)
                    continue
                parent_plan = records[ids[parent]].get("plan")
                if parent_plan != plan_id:
                    self.report("plan-parent-other-plan", "nodes", index, "parent", parent, other=parent_plan)
            d, in_cycle = depth(ident)
            if d is None:
                if in_cycle:
                    self.report("plan-parent-cycle", "nodes", index, "parent", ident)
                continue  # below a cycle: the cycle is the one finding
            if plan is not None and d > len(plan.levels):
                self.report("plan-too-deep", "nodes", index, "parent", parent, depth=d, plan=plan.short_name,
                            levels=len(plan.levels))
            depth_of[ident] = d
            result.append(Node(ident, str(plan_id), parent if isinstance(parent, str) else None, d,
                               str(r.get("number", "")), str(r.get("title", "")), str(r.get("description", "")),
                               tuple(r.get("markers") or ()), index, self.expand(depts)))
        return result

    def build_kpis(self, nodes: dict[str, int], departments: dict[str, int], plans: dict[str, PlanInfo],
                   plan_of_node: dict[str, str]) -> list[Kpi]:
        ids = self.unique_ids("kpis", "id")
        interim = self.build_interim_targets(ids)
        places = {**nodes, **{p: -1 for p in plans}}  # a KPI sits on a node, or on a plan as a whole (its KGIs)
        result = []
        for index, r in self.records("kpis"):
            ident = r.get("id")
            node = r.get("node")
            if isinstance(node, str) and node not in places:
                self.report("plan-unknown-node", "kpis", index, "node", node)
            reposts = self.check_reposts("kpis", index, r, places)
            depts = self.check_departments("kpis", index, r.get("departments"), departments)
            unit = r.get("unit") if isinstance(r.get("unit"), str) else None
            unit = "" if unit == NO_UNIT else unit
            baseline = self.value("kpis", index, "baseline", r.get("baseline"), unit)
            target = self.value("kpis", index, "target", r.get("target"), unit)
            baseline_year = self.year("kpis", index, "baseline_year", r.get("baseline_year"))
            target_year = self.year("kpis", index, "target_year", r.get("target_year"))
            valid_from = self.year("kpis", index, "valid_from", r.get("valid_from"))
            valid_until = self.year("kpis", index, "valid_until", r.get("valid_until"))
            if valid_from and valid_until and valid_until < valid_from:
                self.report("plan-valid-range", "kpis", index, "valid_until", r.get("valid_until"))
            if (target.gross or baseline.gross) and not r.get("aggregation"):
                self.report("plan-gross-aggregation", "kpis", index, "aggregation",
                            r.get("target") if target.gross else r.get("baseline"))
            if baseline_year and target_year and target_year < baseline_year:
                self.report("plan-target-before-baseline", "kpis", index, "target_year", r.get("target_year"),
                            target=r.get("target_year"), baseline=r.get("baseline_year"))
            target_type = self.target_type(index, r, baseline, target)
            self.check_direction(index, r, target_type, baseline, target)
            if not isinstance(ident, str) or ids.get(ident) != index or not isinstance(node, str):
                continue
            plan_id = node if node in plans else plan_of_node.get(node, "")
            kpi_interim = tuple(sorted(interim.get(ident, []), key=lambda t: t.year))
            for t in kpi_interim:
                if baseline_year and target_year and not baseline_year < t.year <= target_year:
                    self.report("plan-interim-outside", "interim_targets", t.index, "year", t.year, year=t.year)
            result.append(Kpi(
                id=ident, name=str(r.get("name", "")), unit=unit or "", direction=r.get("direction", "増加"),
                target_type=target_type, aggregation=r.get("aggregation", "単年度"), baseline=baseline,
                baseline_year=baseline_year, target=target, target_year=target_year or 0, node=node,
                reposted_under=reposts, departments=depts,
                interim_targets=tuple(InterimTarget(t.year, t.value) for t in kpi_interim),
                markers=tuple(r.get("markers") or ()), note=str(r.get("note", "")), order=index,
                reporting=self.reporting("kpis", index, r, self.expand(depts)), combine=self.combine(index, r, unit),
                kind=r.get("kind") if r.get("kind") in INDICATOR_KINDS else KPI_KIND, plan=plan_id,
                plan_start_year=plans[plan_id].start_year if plan_id in plans else 0,
                calendar=_calendar(r.get("target_year")), valid_from=valid_from, valid_until=valid_until,
                replaces=str(r.get("replaces") or ""), listed_as=depts, public=r.get("public") != "非公開"))
        self.check_replacements(result, ids)
        return [dataclasses.replace(k, departments=self.expand(k.departments)) if self.groups else k for k in result]

    def check_replacements(self, kpis: list[Kpi], ids: dict[str, int]) -> None:
        """A KPI replaced mid-plan: the old one is named, and says when it ends (its history stays)."""
        by_id = {k.id: k for k in kpis}
        for kpi in kpis:
            if not kpi.replaces:
                continue
            old = by_id.get(kpi.replaces)
            if kpi.replaces not in ids:
                self.report("plan-replaces-unknown", "kpis", ids[kpi.id], "replaces", kpi.replaces)
            elif old is not None and old.valid_until is None:
                self.report("plan-replaced-open", "kpis", ids[old.id], "valid_until", old.id, successor=kpi.id)

    def reporting(self, key: str, index: int, r: dict, departments: tuple[str, ...]) -> str:
        """The 報告方法 (主担当 when left empty); a rule for a single department is noted, and ignored."""
        given = r.get("reporting")
        if given not in REPORTING_RULES:
            return LEAD  # not one of the choices: the schema check says so
        if given != LEAD and len(departments) < 2:
            self.report("plan-reporting-single", key, index, "reporting", given)
        return given

    def combine(self, index: int, r: dict, unit: str | None) -> str:
        given = r.get("combine")
        if given is None:
            return "合計"
        if r.get("reporting") != PARTS:
            self.report("plan-combine-without-parts", "kpis", index, "combine", given)
        elif given == "合計" and unit == "%":
            self.report("plan-combine-rate", "kpis", index, "combine", given)
        return given if given in COMBINE_RULES else "合計"

    def build_interim_targets(self, kpi_ids: dict[str, int]) -> dict[str, list]:
        kpis = self.doc.get("kpis") if isinstance(self.doc.get("kpis"), list) else []
        by_kpi: dict[str, list] = {}
        for index, r in self.records("interim_targets"):
            kpi_id = r.get("kpi")
            if not isinstance(kpi_id, str):
                continue
            if kpi_id not in kpi_ids:
                self.report("plan-unknown-kpi", "interim_targets", index, "kpi", kpi_id)
                continue
            kpi = kpis[kpi_ids[kpi_id]]
            unit = kpi.get("unit") if isinstance(kpi.get("unit"), str) else None
            year = self.year("interim_targets", index, "year", r.get("year"))
            value = self.value("interim_targets", index, "value", r.get("value"), "" if unit == NO_UNIT else unit)
            if year is None:
                continue
            if any(t.year == year for t in by_kpi.get(kpi_id, [])):
                self.report("plan-interim-duplicate", "interim_targets", index, "year", r.get("year"),
                            kpi=kpi_id, year=r.get("year"))
                continue
            by_kpi.setdefault(kpi_id, []).append(_Interim(year, value, index))
        return by_kpi

    def build_initiatives(self, nodes: dict[str, int], departments: dict[str, int]) -> list[Initiative]:
        ids = self.unique_ids("initiatives", "id")
        result = []
        for index, r in self.records("initiatives"):
            node = r.get("node")
            if isinstance(node, str) and node not in nodes:
                self.report("plan-unknown-node", "initiatives", index, "node", node)
            reposts = self.check_reposts("initiatives", index, r, nodes)
            depts = self.check_departments("initiatives", index, r.get("departments"), departments)
            ident = r.get("id")
            if isinstance(ident, str) and ids.get(ident) == index and isinstance(node, str):
                expanded = self.expand(depts)
                result.append(Initiative(ident, str(r.get("content", "")), node, reposts, expanded,
                                         tuple(r.get("markers") or ()), str(r.get("note", "")), index,
                                         self.reporting("initiatives", index, r, expanded),
                                         str(r.get("name") or "").strip(), listed_as=depts,
                                         public=r.get("public") != "非公開"))
        return result

    # -- values ----------------------------------------------------------------------------------

    def value(self, key: str, index: int, field: str, raw: Any, unit: str | None) -> Value:
        """Parse a plan value; a bare number takes the KPI's unit and scale (22718 in 百万円).

        ``unit`` None means the KPI's unit is itself missing (reported once, not per value).
        """
        if raw is None:
            return Value("none")
        value = parse_value(raw)
        if value.status == "unreadable":
            self.report("plan-value-unreadable", key, index, field, raw)
            return value
        if value.note:
            self.report("plan-value-note", key, index, field, raw, note=value.note)
        if value.status != "number" or unit is None:
            return value
        converted = in_unit(value, unit)
        if converted is None:
            self.report("plan-unit-mismatch", key, index, field, raw, unit=value.display_unit,
                        expected=unit or NO_UNIT)
            return dataclasses.replace(value, status="unreadable")  # reported; not compared further
        return converted

    def target_type(self, index: int, r: dict, baseline: Value, target: Value) -> str:
        derived = target.bound or ("維持" if target.status == "maintain" or target.maintain else "値")
        given = r.get("target_type")
        if given in ("値", "以上", "以下", "維持") and derived != "値" and given != derived:
            self.report("plan-target-type-conflict", "kpis", index, "target_type", r.get("target"),
                        given=given, derived=derived)
        result = given if given in ("値", "以上", "以下", "維持") else derived
        if result == "維持" and not baseline.is_number:
            self.report("plan-maintain-no-baseline", "kpis", index, "baseline", r.get("baseline"))
        return result

    def check_direction(self, index: int, r: dict, target_type: str, baseline: Value, target: Value) -> None:
        if target_type != "値" or not (baseline.is_number and target.is_number):
            return
        if target.number == baseline.number:
            if target.cumulative == baseline.cumulative:  # 2社 → 2社 (5年間累計) is growth, not 維持
                self.report("plan-target-equals-baseline", "kpis", index, "target", r.get("target"))
            return
        direction = r.get("direction")
        if (direction == "増加" and target.number < baseline.number) or (
                direction == "減少" and target.number > baseline.number):
            self.report("plan-direction-conflict", "kpis", index, "direction", direction, direction=direction,
                        target=r.get("target"), baseline=r.get("baseline"),
                        side="小さい" if direction == "増加" else "大きい")


@dataclass(frozen=True)
class _Interim:
    year: int
    value: Value
    index: int


def _calendar(raw: Any) -> bool:
    """A target year written as a calendar year (令和10年, 2028年), not a fiscal one (令和10年度)."""
    return isinstance(raw, str) and raw.strip().endswith("年") and not raw.strip().endswith("年度")


def _int(raw: Any, default: int) -> int:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else default


def _decimal(raw: Any, default: Decimal | None) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str, Decimal)):
        return default
    try:
        return Decimal(str(raw))
    except ArithmeticError:
        return default


def summary(plan: Plan) -> str:
    """One line counting what the plan holds, in Japanese."""
    parts = []
    for info in plan.plans:
        levels = []
        for depth, label in enumerate(info.levels, start=1):
            count = sum(1 for n in plan.nodes if n.plan == info.id and n.depth == depth)
            levels.append(f"{label}{count}")
        parts.append(f"{info.short_name}: {'・'.join(levels)}")
    placements = sum(1 + len(k.reposted_under) for k in plan.kpis)
    return (f"計画 {len(plan.plans)}件（{'／'.join(parts)}）、体系 {len(plan.nodes)}件、"
            f"指標 {len(plan.kpis)}件（掲載 {placements}か所、うち再掲 {placements - len(plan.kpis)}）、"
            f"取組 {len(plan.initiatives)}件、担当課 {sum(not d.is_group for d in plan.departments)}課"
            + (f"（ほかに課のまとまり {groups}）" if (groups := sum(d.is_group for d in plan.departments)) else ""))


def _publish_settings(raw: dict) -> dict[str, Any]:
    """The public site's settings as given (公開しない項目: empty keeps the default list, なし publishes all)."""
    result: dict[str, Any] = {"publish_with_run": raw.get("publish_with_run") == "する",
                              "publish_provisional": raw.get("publish_provisional") == "する"}
    internal = [x for x in raw.get("publish_internal") or () if isinstance(x, str)]
    if internal:
        result["publish_internal"] = tuple(x for x in internal if x != "なし")
    return result
