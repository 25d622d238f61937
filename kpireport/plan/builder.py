"""Build the Plan from a plan document, sheet by sheet, cross-checking as it goes.

Tolerates a document with schema errors: what cannot be read is reported and left out. The order of the
sheets is the order of the findings (settings, plans, departments, grades, nodes, KPIs, initiatives).
"""
from __future__ import annotations

import hashlib
import json

from kpireport.model import Finding, Plan
from kpireport.plan.indicators import Places, build_initiatives, build_kpis
from kpireport.plan.locator import Locator
from kpireport.plan.records import PlanReader
from kpireport.plan.references import build_departments, build_nodes, check_plans_used
from kpireport.plan.repost_rows import check_repost_rows
from kpireport.plan.settings_rows import build_grades, build_plans, build_settings, check_on_track


def build_plan(document: dict, locator: Locator) -> tuple[Plan | None, list[Finding]]:
    """The Plan (None without settings) and the cross-check findings."""
    reader = PlanReader(document, locator)
    settings = build_settings(reader)
    plans = build_plans(reader)
    departments, names = build_departments(reader)
    grades = build_grades(reader)
    second_grades = build_grades(reader, "second_grades")
    plans_by_id = {p.id: p for p in plans}
    nodes = build_nodes(reader, plans_by_id, names)
    node_ids = {r["id"]: i for i, r in reader.records("nodes") if isinstance(r.get("id"), str)}
    kpis = build_kpis(reader, Places(node_ids, plans_by_id, {n.id: n.plan for n in nodes}), names)
    initiatives = build_initiatives(reader, node_ids, names)
    check_repost_rows(reader)
    check_plans_used(reader, plans, nodes)
    check_on_track(reader, grades)
    if settings is None:
        return None, reader.findings
    return Plan(settings=settings, plans=tuple(plans), nodes=tuple(nodes), kpis=tuple(kpis),
                initiatives=tuple(initiatives), departments=tuple(departments), grades=tuple(grades),
                content_hash=content_hash(document), second_grades=tuple(second_grades)), reader.findings


def content_hash(document: dict) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
