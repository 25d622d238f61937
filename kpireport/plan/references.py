"""References between the plan's sheets, resolved and checked: departments and their groups (関係各課),
the plan each node belongs to, each node's parent chain, reposts (再掲) and replaced KPIs."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kpireport.model import Department, Kpi, Node, PlanInfo
from kpireport.plan.records import PlanReader


@dataclass
class Departments:
    """The departments a plan names, and each group (関係各課) with its member departments."""

    known: dict[str, int]
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def listed(self, reader: PlanReader, key: str, index: int, names: Any) -> tuple[str, ...]:
        """The departments as written (a group's name kept; ``expand`` gives its members)."""
        names = names if isinstance(names, list) else []
        for name in names:
            if isinstance(name, str) and name not in self.known:
                reader.report("plan-unknown-department", key, index, "departments", name)
        return tuple(n for n in names if isinstance(n, str))

    def expand(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """Departments with each group replaced by its members, each department once, in order."""
        result: list[str] = []
        for name in names:
            for member in self.groups.get(name, (name,)):
                if member not in result:
                    result.append(member)
        return tuple(result)


def build_departments(reader: PlanReader) -> tuple[list[Department], Departments]:
    reader.unique_ids("departments", "name")
    seen: set[str] = set()
    result: list[Department] = []
    groups: dict[str, tuple[str, ...]] = {}
    names = {r.get("name") for _, r in reader.records("departments")}
    for index, r in reader.records("departments"):
        name = r.get("name")
        if not isinstance(name, str) or name in seen:
            continue
        seen.add(name)
        members = tuple(m for m in r.get("members") or () if isinstance(m, str) and m != name)
        for member in members:
            if member not in names:
                reader.report("plan-group-member", "departments", index, "members", member, group=name)
        members = tuple(m for m in members if m in names)
        if members:
            groups[name] = members
        result.append(Department(name, str(r.get("division", "")), str(r.get("contact", "")),
                                 str(r.get("email", "")), str(r.get("note", "")), members))
    return result, Departments({d.name: i for i, d in enumerate(result)}, groups)


def check_reposts(reader: PlanReader, key: str, index: int, record: dict, places: dict[str, int]) -> tuple[str, ...]:
    """The places a KPI or initiative is reposted under (再掲); unknown ones and itself are reported."""
    given = record.get("reposted_under")
    reposts = given if isinstance(given, list) else []
    for target in reposts:
        if target not in places:
            reader.report("plan-repost-unknown", key, index, "reposted_under", target)
        elif target == record.get("node"):
            reader.report("plan-repost-self", key, index, "reposted_under", target)
    return tuple(t for t in reposts if isinstance(t, str))


class _ParentChains:
    """The depth of each node by following its parents; a broken or circular chain has none."""

    def __init__(self, ids: dict[str, int], records: dict[int, dict]) -> None:
        self.ids = ids
        self.records = records

    def depth(self, ident: str) -> tuple[int | None, bool]:
        """Depth of ``ident``, or (None, in_cycle) when its parent chain is broken."""
        chain: list[str] = []
        current: Any = ident
        while current is not None:
            if current in chain:
                return None, ident in chain[chain.index(current):]
            chain.append(current)
            parent_index = self.ids.get(current)
            if parent_index is None:
                return None, False
            current = self.records[parent_index].get("parent")
        return len(chain), False


def build_nodes(reader: PlanReader, plans: dict[str, PlanInfo], departments: Departments) -> list[Node]:
    ids = reader.unique_ids("nodes", "id")
    records = dict(reader.records("nodes"))
    chains = _ParentChains(ids, records)
    result = []
    for index, r in records.items():
        ident = r.get("id")
        if not isinstance(ident, str) or ids.get(ident) != index:
            continue  # a duplicate is reported and skipped
        depts = departments.listed(reader, "nodes", index, r.get("departments"))
        plan = _plan_of(reader, index, r, plans)
        if not _parent_known(reader, index, r, ids, records):
            continue
        depth, in_cycle = chains.depth(ident)
        if depth is None:
            if in_cycle:
                reader.report("plan-parent-cycle", "nodes", index, "parent", ident)
            continue  # below a cycle: the cycle is the one finding
        if plan is not None and depth > len(plan.levels):
            reader.report("plan-too-deep", "nodes", index, "parent", r.get("parent"), depth=depth,
                          plan=plan.short_name, levels=len(plan.levels))
        parent = r.get("parent")
        result.append(Node(ident, str(r.get("plan")), parent if isinstance(parent, str) else None, depth,
                           str(r.get("number", "")), str(r.get("title", "")), str(r.get("description", "")),
                           tuple(r.get("markers") or ()), index, departments.expand(depts)))
    return result


def _plan_of(reader: PlanReader, index: int, record: dict, plans: dict[str, PlanInfo]) -> PlanInfo | None:
    plan_id = record.get("plan")
    plan = plans.get(plan_id) if isinstance(plan_id, str) else None
    if isinstance(plan_id, str) and plan is None:
        reader.report("plan-unknown-plan", "nodes", index, "plan", plan_id)
    return plan


def _parent_known(reader: PlanReader, index: int, record: dict, ids: dict[str, int],
                  records: dict[int, dict]) -> bool:
    """False when the node's parent is not a node (reported); a parent in another plan is reported too."""
    parent = record.get("parent")
    if not isinstance(parent, str):
        return True
    if parent not in ids:
        reader.report("plan-unknown-node", "nodes", index, "parent", parent)
        return False
    parent_plan = records[ids[parent]].get("plan")
    if parent_plan != record.get("plan"):
        reader.report("plan-parent-other-plan", "nodes", index, "parent", parent, other=parent_plan)
    return True


def check_replacements(reader: PlanReader, kpis: list[Kpi], ids: dict[str, int]) -> None:
    """A KPI replaced mid-plan: the old one is named, and says when it ends (its history stays)."""
    by_id = {k.id: k for k in kpis}
    for kpi in kpis:
        if not kpi.replaces:
            continue
        old = by_id.get(kpi.replaces)
        if kpi.replaces not in ids:
            reader.report("plan-replaces-unknown", "kpis", ids[kpi.id], "replaces", kpi.replaces)
        elif old is not None and old.valid_until is None:
            reader.report("plan-replaced-open", "kpis", ids[old.id], "valid_until", old.id, successor=kpi.id)


def check_plans_used(reader: PlanReader, plans: list[PlanInfo], nodes: list[Node]) -> None:
    """A plan with no node in it is reported (its sheet rows were probably given another plan ID)."""
    for plan in plans:
        if not any(n.plan == plan.id for n in nodes):
            index = next(i for i, r in reader.records("plans") if r.get("id") == plan.id)
            reader.report("plan-empty-plan", "plans", index, "id", plan.id)
