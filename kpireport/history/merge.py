"""Record a merge in the history: every validated submission, accepted or sent back, in one transaction,
and what changed since the period's previous merge (変更点).

The snapshot of displayed values stored with each merge is what the next merge compares with.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Optional

from kpireport.history.store import History, StoredKpiValue
from kpireport.model import InitiativeEntry, Plan, ValidationResult
from kpireport.periods import ReportPeriod
from kpireport.values import format_value

ACCEPTED, SENT_BACK, UNCHANGED = "受理", "差し戻し", "変更なし"


@dataclass(frozen=True)
class Change:
    kind: str  # 変更 / 追加 / 取り下げ
    item: str  # 指標 / 取組
    ident: str
    name: str
    before: str
    after: str
    department: str
    source: str


@dataclass
class MergeRecord:
    recorded: list[tuple[ValidationResult, str]]  # (result, 受理 / 差し戻し / 変更なし), in the order recorded
    changes: list[Change]
    first_merge: bool  # no earlier merge of the period to compare with


def record_merge(history: History, plan: Plan, period: ReportPeriod, results: Iterable[ValidationResult],
                 received: str) -> MergeRecord:
    """Record ``results`` in their order (a department's later submission replaces its earlier one) and
    the merge's snapshot, all in one transaction: a merge is in the history entirely or not at all."""
    with history.transaction():
        merge_id = history.start_merge(period.key, plan.content_hash)
        recorded = []
        for result in results:
            if history.known(result.sha256, result.department, result.period or period.key):
                recorded.append((result, UNCHANGED))
                continue
            history.record(merge_id, result, received)
            recorded.append((result, ACCEPTED if result.valid else SENT_BACK))
        after = snapshot(history, plan, period)
        before = history.previous_snapshot(period.key, merge_id)
        history.finish_merge(merge_id, after)
    return MergeRecord(recorded, changes(plan, before, after), before is None)


def values_in_force(history: History, period: ReportPeriod) -> tuple[dict[str, StoredKpiValue],
                                                                      dict[str, list[StoredKpiValue]]]:
    """The value for each KPI in ``period`` (latest submission wins) and the joint-owner conflicts.

    For a fiscal year with no final 実績 yet, the latest monthly 見込み of that year stands in.
    """
    final = history.kpi_values(period.key)
    by_kpi = dict(final)
    if not period.is_monthly:
        for month in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3):  # later months replace earlier ones
            for kpi_id, values in history.kpi_values(ReportPeriod(period.fiscal_year, month).key).items():
                if kpi_id not in final:
                    by_kpi[kpi_id] = [replace(v, provisional=True) for v in values]
    chosen, conflicts = {}, {}
    for kpi_id, values in by_kpi.items():
        chosen[kpi_id] = values[-1]
        if len(values) > 1 and len({format_value(v.value) for v in values if v.value.is_number}) > 1:
            conflicts[kpi_id] = values
    return chosen, conflicts


def initiatives_in_force(history: History, period: ReportPeriod) -> dict[str, InitiativeEntry]:
    """The latest entry of each initiative in ``period``."""
    return {ident: entries[-1] for ident, entries in history.initiative_values(period.key).items() if entries}


def snapshot(history: History, plan: Plan, period: ReportPeriod) -> dict:
    """What the change list compares between merges: displayed values and statuses."""
    values, _ = values_in_force(history, period)
    kpis = {k: {"value": format_value(v.value) if v.value.is_number else f"（未記入: {v.reason}）",
                "department": v.department, "source": f"{v.file_name} {v.sheet}!{v.cell}"}
            for k, v in values.items()}
    entries = initiatives_in_force(history, period)
    initiatives = {i.id: {"value": f"{e.status}／{e.next_step}", "department": "", "source": e.sheet}
                   for i in plan.initiatives if (e := entries.get(i.id)) is not None}
    return {"kpis": kpis, "initiatives": initiatives}


def changes(plan: Plan, before: Optional[dict], after: dict) -> list[Change]:
    """What differs between two snapshots: values changed, added, withdrawn."""
    if before is None:
        before = {"kpis": {}, "initiatives": {}}
    names = {k.id: k.name for k in plan.kpis} | {i.id: i.content[:40] for i in plan.initiatives}
    owners = {k.id: "、".join(k.departments) for k in plan.kpis} | {
        i.id: "、".join(i.departments) for i in plan.initiatives}
    order = {ident: index for index, ident in enumerate(names)}
    result = []
    for group, item in (("kpis", "指標"), ("initiatives", "取組")):
        old, new = before.get(group, {}), after.get(group, {})
        for ident in sorted(set(old) | set(new), key=lambda x: order.get(x, 10**6)):
            o, n = old.get(ident), new.get(ident)
            if o and n and o["value"] == n["value"]:
                continue
            kind = "追加" if o is None else "取り下げ" if n is None else "変更"
            result.append(Change(kind, item, ident, names.get(ident, ident), o["value"] if o else "",
                                 n["value"] if n else "", (n or o).get("department") or owners.get(ident, ""),
                                 (n or o).get("source", "")))
    return result
