"""Load a plan definition (workbook, JSON or YAML), check it, and build the Plan.

Checks run in one pass and are all reported: first the JSON Schema (plan.schema_check), then the
cross-checks made while building (plan.builder: IDs, references, departments, values, years). A Plan is
built only when no error remains; warnings do not stop it.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from kpireport.model import Finding, Plan
from kpireport.plan.builder import build_plan
from kpireport.plan.locator import Source
from kpireport.plan.schema_check import check_schema
from kpireport.plan.source import read_source


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
    plan, cross_checks = build_plan(source.document, source.locator)
    findings += cross_checks
    has_errors = any(f.severity == "error" for f in findings)
    return PlanCheck(None if has_errors else plan, findings)


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
