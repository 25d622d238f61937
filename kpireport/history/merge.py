"""Record a merge in the history: every validated submission, accepted or sent back, in one transaction,
and what changed since the period's previous merge (変更点).

The snapshot of displayed values stored with each merge is what the next merge compares with.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kpireport.history.in_force import InForce, in_force
from kpireport.history.rules_record import record_rules, rules_record
from kpireport.history.store import History
from kpireport.model import Plan, ValidationResult
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
    merge_id: int
    recorded: list[tuple[ValidationResult, str]]  # (result, 受理 / 差し戻し / 変更なし), in the order recorded
    changes: list[Change]
    first_merge: bool  # no earlier merge of the period to compare with
    current: InForce  # what stands after the merge (read once: the results are built from it too)


def record_merge(history: History, plan: Plan, period: ReportPeriod, results: Iterable[ValidationResult],
                 received: str) -> MergeRecord:
    """Record ``results`` in their order (a department's later submission replaces its earlier one) and
    the merge's snapshot, all in one transaction: a merge is in the history entirely or not at all."""
    with history.transaction():
        merge_id = history.start_merge(period.key, plan.content_hash)
        record_rules(history, merge_id, rules_record(plan.grades, plan.settings))
        recorded = []
        for result in results:
            if history.known(result.sha256, result.department, result.period or period.key):
                recorded.append((result, UNCHANGED))
                continue
            history.record(merge_id, result, received)
            recorded.append((result, ACCEPTED if result.valid else SENT_BACK))
        current = in_force(history, plan, period)
        after = snapshot(current)
        before = history.previous_snapshot(period.key, merge_id)
        history.finish_merge(merge_id, after)
    return MergeRecord(merge_id, recorded, changes(plan, before, after), before is None, current)


def master_written(history_file: Path, merge_id: int) -> None:
    """Note in the history that the merge's master workbook was written."""
    history = History(history_file)
    try:
        history.master_written(merge_id)
    finally:
        history.close()


def snapshot(current: InForce) -> dict:
    """What the change list compares between merges: the displayed values and statuses (with the departments'
    entries of a shared item, so that a change of one part shows)."""
    kpis = {}
    for kpi_id, standing in current.kpis.items():
        shown = standing.value or (standing.entries[0] if standing.entries else None)
        if shown is None:
            continue
        if standing.working:
            text = standing.working
        else:
            text = format_value(shown.value) if shown.value.is_number else f"（未記入: {shown.reason}）"
        kpis[kpi_id] = {"value": text, "department": shown.department,
                        "source": f"{shown.file_name} {shown.sheet}!{shown.cell}" if shown.sheet else shown.file_name}
    initiatives = {}
    for ident, held in current.initiatives.items():
        given = ([("", held.entry)] if held.entry else []) + list(held.others)
        if given:
            text = "、".join((f"{d}: " if d else "") + f"{e.status}／{e.next_step}" for d, e in given)
            initiatives[ident] = {"value": text, "department": "", "source": given[0][1].sheet}
    return {"kpis": kpis, "initiatives": initiatives}


def changes(plan: Plan, before: dict | None, after: dict) -> list[Change]:
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
