"""Record a merge in the history: every validated submission, accepted or sent back, in one transaction,
and what changed since the period's previous merge (変更点).

The snapshot of displayed values stored with each merge is what the next merge compares with.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from kpireport import labels
from kpireport.history.in_force import InForce, in_force
from kpireport.history.rules_record import record_rules, rules_record
from kpireport.history.store import History, SubmissionRecord
from kpireport.model import InitiativeEntry, Plan, ValidationResult
from kpireport.periods import ReportPeriod
from kpireport.values import format_value

ACCEPTED, SENT_BACK, UNCHANGED = "受理", "差し戻し", "変更なし"
# accepted, but saved in Excel before the department's file already in force: recorded, not adopted
OLDER = "不採用（すでに採用している提出より前に保存された版）"
VERIFICATION = "verification"  # an initiative's snapshot: each department's 検証内容 by place (_verifications)
SHOWN = 200  # characters of a long 検証内容 the change list shows (a row of the list stays readable)
LEAD_IN = 20  # characters shown before the first difference, when a long text is shown in part
NOT_WRITTEN = "（記載なし）"
WITHDRAWN = "取り下げ"  # the department's value is no longer given (its newer file left it out)
PLAN_CHANGED = "計画の変更で対象外"  # the plan no longer has the item, or the department no longer reports it


@dataclass(frozen=True)
class Change:
    kind: str  # 変更 / 追加 / 取り下げ / 計画の変更で対象外
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
                 received: str, saved: Mapping[str, str] | None = None) -> MergeRecord:
    """Record ``results`` in their order (a department's later submission replaces its earlier one) and
    the merge's snapshot, all in one transaction: a merge is in the history entirely or not at all. ``saved``:
    each file's saved time in Excel by its name; a file saved before the department's one in force is recorded
    but not adopted."""
    saved = saved or {}
    with history.transaction():
        merge_id = history.start_merge(period.key, plan.content_hash)
        record_rules(history, merge_id, rules_record(plan.grades, plan.settings, plan.kpis))
        recorded = []
        for result in results:
            earlier = history.submissions_of(result.department, result.period or period.key)
            if any(r.sha256 == result.sha256 for r in earlier):
                recorded.append((result, _known_file(history, merge_id, result, earlier, received,
                                                     saved.get(result.file))))
                continue
            sub_id = history.record(merge_id, result, received, saved.get(result.file))
            recorded.append((result, SENT_BACK if not result.valid else ACCEPTED if history.adopted(sub_id) else OLDER))
        current = in_force(history, plan, period)
        after = snapshot(current)
        before = history.previous_snapshot(period.key, merge_id)
        history.finish_merge(merge_id, after)
    return MergeRecord(merge_id, recorded, changes(plan, before, after), before is None, current)


def _known_file(history: History, merge_id: int, result: ValidationResult, earlier: list[SubmissionRecord],
                received: str, saved_at: str | None) -> str:
    """A file whose bytes the history already holds for the department and period (``earlier``: its records).
    The bytes in force, a file sent back (the same findings again) or a file lying in the inbox since it was
    recorded under its name: 変更なし. The bytes of a file accepted and replaced since, arriving again under a
    name that held other bytes (a first version forwarded after its correction was accepted): its values are
    not those that stand, so it is taken as any older draft arriving after its correction is, OLDER, recorded
    and superseded at once by the submission in force (whatever the saved times say: it was replaced), so that
    the merge, `status` and 要確認 name both files (history.duplicates)."""
    standing = next((r for r in reversed(earlier) if r.accepted and r.superseded_by is None), None)
    copies = [r for r in earlier if r.sha256 == result.sha256]
    same_name = [r for r in earlier if r.file_name == result.file]
    if (standing is None or standing.sha256 == result.sha256 or not any(r.accepted for r in copies)
            or (same_name and same_name[-1].sha256 == result.sha256)):
        return UNCHANGED
    history.record(merge_id, result, received, saved_at, replaced_by=standing.id)
    return OLDER


def master_written(history_file: Path, merge_id: int) -> None:
    """Note in the history that the merge's master workbook was written."""
    history = History(history_file)
    try:
        history.master_written(merge_id)
    finally:
        history.close()


def snapshot(current: InForce) -> dict:
    """What the change list compares between merges: the displayed values and statuses (with the departments'
    entries of a shared item, so that a change of one part shows), and the initiatives' 検証内容."""
    return {"kpis": _kpi_snapshot(current), "initiatives": _initiative_snapshot(current)}


def _kpi_snapshot(current: InForce) -> dict:
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
    return kpis


def shown_values(current: InForce) -> dict[str, str]:
    """Each KPI's value as the change list shows it (what a grade set by hand was set on)."""
    return {kpi_id: shown["value"] for kpi_id, shown in _kpi_snapshot(current).items()}


def _initiative_snapshot(current: InForce) -> dict:
    """Each initiative's 実施状況／今後の取扱い (the lead's, then the other departments' of a 併記 one) and, under
    VERIFICATION, each department's 検証内容 ("" for the lead or only department)."""
    initiatives = {}
    for ident, held in current.initiatives.items():
        given = ([("", held.entry)] if held.entry else []) + list(held.others)
        if given:
            text = "、".join((f"{d}: " if d else "") + f"{e.status}／{e.next_step}" for d, e in given)
            initiatives[ident] = {"value": text, "department": "", "source": given[0][1].sheet,
                                  VERIFICATION: {d: _verifications(e) for d, e in given}}
    return initiatives


def _verifications(entry: InitiativeEntry) -> dict[str, str]:
    """The 検証内容 by place: "" the initiative's own, a node ID the one written for that 【再掲】 place."""
    return {"": entry.verification} | {node: text for node, text in entry.repost_verifications if text}


def changes(plan: Plan, before: dict | None, after: dict) -> list[Change]:
    """What differs between two snapshots: values changed, added, withdrawn; an initiative's 検証内容 changed
    (after its 実施状況／今後の取扱い)."""
    if before is None:
        before = {"kpis": {}, "initiatives": {}}
    names = _Names(plan)
    result = []
    for group, item in (("kpis", "指標"), ("initiatives", "取組")):
        old, new = before.get(group, {}), after.get(group, {})
        for ident in sorted(set(old) | set(new), key=lambda i: (names.position(i), i)):  # IDs left out of the plan: by ID
            o, n = old.get(ident), new.get(ident)
            if not (o and n and o["value"] == n["value"]):
                result.append(names.change(item, ident, o, n))
            if group == "initiatives" and o and n:
                result += _verification_changes(names, ident, o, n)
    return result


class _Names:
    """The plan's names, owners and order of the KPIs and initiatives a change list names."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.initiatives = {i.id: i for i in plan.initiatives}
        self.names = {k.id: k.name for k in plan.kpis} | {i.id: i.content[:40] for i in plan.initiatives}
        self.owners = {k.id: "、".join(k.departments) for k in plan.kpis} | {
            i.id: "、".join(i.departments) for i in plan.initiatives}
        self.order = {ident: index for index, ident in enumerate(self.names)}

    def gone(self, ident: str, o: dict) -> str:
        """Why a value shown before is no longer shown."""
        if ident not in self.names:
            return PLAN_CHANGED
        owners = set(filter(None, self.owners.get(ident, "").split("、")))
        # a combined value names every department (「A課、B課」): each (or what it is now called) must still own it
        given = [d for d in (o.get("department") or "").split("、") if d]
        if owners and any(not ({d} | set(self.plan.successors(d))) & owners for d in given):
            return PLAN_CHANGED
        return WITHDRAWN

    def position(self, ident: str) -> int:
        return self.order.get(ident, 10**6)

    def lead(self, ident: str) -> str:
        initiative = self.initiatives.get(ident)
        return initiative.lead if initiative else self.owners.get(ident, "")

    def in_order(self, ident: str, departments: set[str]) -> list[str]:
        """The departments of an initiative's snapshot: the lead's ("") first, then the others in the plan's order."""
        initiative = self.initiatives.get(ident)
        owners = list(initiative.departments) if initiative else []
        return sorted(departments, key=lambda d: (d != "", owners.index(d) if d in owners else len(owners), d))

    def place_name(self, ident: str, place: str) -> str:
        """The initiative's name; for a 【再掲】 place, with the place as the form's 【再掲】 row names it."""
        name = self.names.get(ident, ident)
        return f"{name}\n{labels.reposted_path(self.plan, place)}" if place else name

    def change(self, item: str, ident: str, o: dict | None, n: dict | None) -> Change:
        """A value changed (both given), added (no ``o``) or gone (no ``n``): withdrawn by its department, or left
        out because the plan changed (the ID is no longer in it, or the department no longer reports it), which
        is the office's edit, not the department's doing."""
        kind = "追加" if o is None else (self.gone(ident, o) if n is None else "変更")
        shown = n or o or {}
        return Change(kind, item, ident, self.names.get(ident, ident), o["value"] if o else "",
                      n["value"] if n else "", shown.get("department") or self.owners.get(ident, ""),
                      shown.get("source", ""))


def _verification_changes(names: _Names, ident: str, o: dict, n: dict) -> list[Change]:
    """An initiative's 検証内容 that a department changed, department by department in the plan's order."""
    # A snapshot stored before the 検証内容 were part of it has none: compared with it, every initiative's text
    # would seem new on the first merge after the upgrade. Nothing is said until both snapshots have them (that
    # merge stores them; the next one compares).
    if VERIFICATION not in o or VERIFICATION not in n:
        return []
    old, new = o[VERIFICATION], n[VERIFICATION]
    initiative = names.initiatives.get(ident)
    places = ("",) + (initiative.reposted_under if initiative else ())  # a place no longer in the plan: not shown
    result = []
    for department in names.in_order(ident, set(old) | set(new)):
        for place, texts in _changed_texts(old.get(department, {}), new.get(department, {}), places):
            result.append(Change("変更", f"取組（検証内容{'・再掲' if place else ''}）", ident,
                                 names.place_name(ident, place), *texts,
                                 department or names.lead(ident), n.get("source", "")))
    return result


def _changed_texts(was: dict[str, str], now: dict[str, str],
                   places: tuple[str, ...]) -> list[tuple[str, tuple[str, str]]]:
    """One department's 検証内容 that differ, by place: at the own place, and at each 【再掲】 place where it wrote
    a text of its own for that place, before or now (elsewhere the place shows the own text, whose change is
    listed once, at the own place). As shown: (before, after), long texts in part."""
    changed = []
    for place in places:
        if place and place not in was and place not in now:
            continue
        before, after = _shown_at(was, place), _shown_at(now, place)
        if before != after:
            changed.append((place, _excerpts(before, after)))
    return changed


def _shown_at(texts: dict[str, str], place: str) -> str:
    """The 検証内容 the master shows at ``place`` (InitiativeEntry.verification_at): the place's own, else the
    initiative's."""
    return texts.get(place) or texts.get("", "")


def _excerpts(before: str, after: str) -> tuple[str, str]:
    """Two versions of a text as the change list shows them: whole, unless one is longer than SHOWN characters;
    then both from a little before where they first differ, SHOWN characters, marked where cut, with their
    lengths. An empty text reads 「（記載なし）」."""
    if max(len(before), len(after)) <= SHOWN:
        return before or NOT_WRITTEN, after or NOT_WRITTEN
    start = len(os.path.commonprefix([before, after]))
    start = max(0, start - LEAD_IN) if start > LEAD_IN * 2 else 0
    return _excerpt(before, start), _excerpt(after, start)


def _excerpt(text: str, start: int) -> str:
    if not text:
        return NOT_WRITTEN
    part = ("…" if start else "") + text[start:start + SHOWN] + ("…" if start + SHOWN < len(text) else "")
    return part if part == text else f"{part}（全{len(text):,}字）"
