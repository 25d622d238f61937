"""The plan's indicator rows (KPIs, KGIs, reference figures), their interim targets, and its initiatives."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from kpireport.model import DIRECTION_TARGETS, INDICATOR_KINDS, KPI_KIND, Initiative, InterimTarget, Kpi, PlanInfo, Value
from kpireport.plan.kpi_checks import (
    Interim,
    KpiFigures,
    TargetType,
    check_figures,
    check_interim_years,
    check_plan_years,
    combine,
    is_direction_target,
    reporting,
)
from kpireport.plan.records import PlanReader, unit_of
from kpireport.plan.references import Departments, check_replacements, check_reposts


@dataclass(frozen=True)
class Places:
    """Where indicators and initiatives may sit: the nodes (ID -> row) and the plans."""

    nodes: dict[str, int]
    plans: dict[str, PlanInfo]
    plan_of_node: dict[str, str]


def build_kpis(reader: PlanReader, places: Places, departments: Departments) -> list[Kpi]:
    ids = reader.unique_ids("kpis", "id")
    interim = build_interim_targets(reader, ids)
    homes = {**places.nodes, **{p: -1 for p in places.plans}}  # a KPI sits on a node, or on a plan (its KGIs)
    result = []
    for index, r in reader.records("kpis"):
        node = r.get("node")
        if isinstance(node, str) and node not in homes:
            reader.report("plan-unknown-node", "kpis", index, "node", node)
        reposts = check_reposts(reader, "kpis", index, r, homes)
        depts = departments.listed(reader, "kpis", index, r.get("departments"))
        figures = _read_figures(reader, index, r)
        target_type = check_figures(reader, index, r, figures)
        if isinstance(node, str):
            home = node if node in places.plans else places.plan_of_node.get(node, "")
            check_plan_years(reader, index, r, figures, places.plans.get(home), _calendar(r.get("target_year")))
        ident = r.get("id")
        if not isinstance(ident, str) or ids.get(ident) != index or not isinstance(node, str):
            continue
        kpi_interim = tuple(sorted(interim.get(ident, []), key=lambda t: t.year))
        check_interim_years(reader, figures, kpi_interim)
        result.append(_kpi(reader, index, r, figures, target_type, places, departments,
                           ident=ident, node=node, reposts=reposts, depts=depts, interim=kpi_interim))
    check_replacements(reader, result, ids)
    if not departments.groups:
        return result
    return [dataclasses.replace(k, departments=departments.expand(k.departments)) for k in result]


def _read_figures(reader: PlanReader, index: int, r: dict) -> KpiFigures:
    unit = unit_of(r)
    return KpiFigures(
        unit=unit,
        baseline=reader.value("kpis", index, "baseline", r.get("baseline"), unit),
        target=_direction_target(r.get("target")) or reader.value("kpis", index, "target", r.get("target"), unit),
        baseline_year=reader.year("kpis", index, "baseline_year", r.get("baseline_year")),
        target_year=reader.year("kpis", index, "target_year", r.get("target_year")),
        valid_from=reader.year("kpis", index, "valid_from", r.get("valid_from")),
        valid_until=reader.year("kpis", index, "valid_until", r.get("valid_until")))


def _direction_target(raw: Any) -> Value | None:
    """A target that is a direction only (延伸 増加 減少 向上): kept as its word, graded by the change."""
    word = raw.strip() if isinstance(raw, str) else None
    return Value("unreadable", raw=word) if word in DIRECTION_TARGETS else None


def _direction(reader: PlanReader, index: int, r: dict, figures: KpiFigures) -> Any:
    """The 方向; a direction-only target (減少, 延伸…) decides it, and a different 方向 is reported."""
    given = r.get("direction", "増加")
    if not is_direction_target(figures.target):
        return str(given)
    derived = DIRECTION_TARGETS[figures.target.raw]
    if r.get("direction") not in (None, derived):
        reader.report("plan-direction-target", "kpis", index, "direction", figures.target.raw,
                      derived=derived, direction=given)
    return derived


def _kpi(reader: PlanReader, index: int, r: dict, figures: KpiFigures, target_type: TargetType, places: Places,
         departments: Departments, *, ident: str, node: str, reposts: tuple[str, ...], depts: tuple[str, ...],
         interim: tuple[Interim, ...]) -> Kpi:
    plan_id = node if node in places.plans else places.plan_of_node.get(node, "")
    kind = r.get("kind")
    return Kpi(
        id=ident, name=str(r.get("name", "")), unit=figures.unit or "", direction=_direction(reader, index, r, figures),
        target_type=target_type, aggregation=r.get("aggregation", "単年度"), baseline=figures.baseline,
        baseline_year=figures.baseline_year, target=figures.target, target_year=figures.target_year or 0,
        node=node, reposted_under=reposts, departments=depts,
        interim_targets=tuple(InterimTarget(t.year, t.value) for t in interim),
        markers=tuple(r.get("markers") or ()), note=str(r.get("note", "")), order=index,
        reporting=reporting(reader, "kpis", index, r, departments.expand(depts)),
        combine=combine(reader, index, r, figures.unit),
        kind=kind if isinstance(kind, str) and kind in INDICATOR_KINDS else KPI_KIND, plan=plan_id,
        plan_start_year=places.plans[plan_id].start_year if plan_id in places.plans else 0,
        calendar=_calendar(r.get("target_year")), valid_from=figures.valid_from, valid_until=figures.valid_until,
        replaces=str(r.get("replaces") or ""), listed_as=depts, rate_formula=str(r.get("rate_formula") or ""),
        public=r.get("public") != "非公開")


def _calendar(raw: Any) -> bool:
    """A target year written as a calendar year (令和10年, 2028年), not a fiscal one (令和10年度)."""
    return isinstance(raw, str) and raw.strip().endswith("年") and not raw.strip().endswith("年度")


def build_interim_targets(reader: PlanReader, kpi_ids: dict[str, int]) -> dict[str, list[Interim]]:
    kpis = reader.doc.get("kpis")
    by_kpi: dict[str, list[Interim]] = {}
    for index, r in reader.records("interim_targets"):
        kpi_id = r.get("kpi")
        if not isinstance(kpi_id, str):
            continue
        if kpi_id not in kpi_ids or not isinstance(kpis, list):
            reader.report("plan-unknown-kpi", "interim_targets", index, "kpi", kpi_id)
            continue
        year = reader.year("interim_targets", index, "year", r.get("year"))
        value = reader.value("interim_targets", index, "value", r.get("value"), unit_of(kpis[kpi_ids[kpi_id]]))
        if year is None:
            continue
        if any(t.year == year for t in by_kpi.get(kpi_id, [])):
            reader.report("plan-interim-duplicate", "interim_targets", index, "year", r.get("year"),
                          kpi=kpi_id, year=r.get("year"))
            continue
        by_kpi.setdefault(kpi_id, []).append(Interim(year, value, index))
    return by_kpi


def build_initiatives(reader: PlanReader, nodes: dict[str, int], departments: Departments) -> list[Initiative]:
    ids = reader.unique_ids("initiatives", "id")
    result = []
    for index, r in reader.records("initiatives"):
        node = r.get("node")
        if isinstance(node, str) and node not in nodes:
            reader.report("plan-unknown-node", "initiatives", index, "node", node)
        reposts = check_reposts(reader, "initiatives", index, r, nodes)
        depts = departments.listed(reader, "initiatives", index, r.get("departments"))
        ident = r.get("id")
        if isinstance(ident, str) and ids.get(ident) == index and isinstance(node, str):
            expanded = departments.expand(depts)
            result.append(Initiative(ident, str(r.get("content", "")), node, reposts, expanded,
                                     tuple(r.get("markers") or ()), str(r.get("note", "")), index,
                                     reporting(reader, "initiatives", index, r, expanded),
                                     str(r.get("name") or "").strip(), listed_as=depts,
                                     public=r.get("public") != "非公開"))
    return result
