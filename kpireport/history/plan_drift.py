"""The plan against what the history has accepted: entries an edit of the plan has left with nowhere to go.

An office edits 計画体系.xlsx during the year: corrects a KPI's ID, moves a KPI to another department, renames a
department. Each edit can leave accepted entries that in_force no longer gives to any row (an ID the plan lacks,
a department that no longer owns the row, a department the plan does not know under any name), so they leave the
master and the report without a word. `plan check` in a workspace lists them, with what the office can do.

Only the plan's 実績年度 and the year before are looked at (annual and monthly submissions in force): older
years belong to earlier plans, whose items a city may well have dropped.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from kpireport.history.store import History
from kpireport.messages import finding
from kpireport.model import BESIDE, LEAD, Finding, Initiative, Kpi, Plan
from kpireport.periods import ReportPeriod, parse_period
from kpireport.plan import layout as plan_layout
from kpireport.plan.locator import Locator
from kpireport.values import format_value

YEARS_BACK = 1  # the 実績年度 and this many years before it


@dataclass(frozen=True)
class _Entry:
    """An accepted entry in force: what it is for, who gave it, as shown."""

    item: str  # 指標 / 取組
    key: str  # the plan document's sheet key (kpis / initiatives)
    ident: str
    department: str
    period: ReportPeriod
    shown: str


def drift_findings(history: History, plan: Plan, locator: Locator) -> list[Finding]:
    """Warnings for the accepted entries (and departments) the plan no longer takes, newest period first, each
    item and department once."""
    periods = _periods(history, plan)
    file = locator.file
    findings = _departments_gone(history, plan, periods, locator)
    gone_departments = {f.value for f in findings}
    said: set[tuple[str, str]] = set()
    for entry in _entries(history, periods):
        if (entry.item, entry.ident) in said or entry.department in gone_departments:
            continue  # a department the plan does not know: said once, for the department
        owners = _owners(plan, entry)
        if owners is None:
            said.add((entry.item, entry.ident))
            findings.append(_id_gone(plan, locator, entry, history))
        elif owners and not any(o in owners for o in plan.successors(entry.department)):
            said.add((entry.item, entry.ident))
            index = _index(plan, entry)
            sheet, cell = locator.where(entry.key, index, "departments")
            findings.append(finding("plan-history-owner-gone", file=file, sheet=sheet, cell=cell, value=entry.ident,
                                    item=entry.item, name=_name(plan, entry), owners="、".join(owners),
                                    period=entry.period.label, department=entry.department,
                                    what=_what(entry), shown=entry.shown))
    return findings + _leads_changed(history, plan, periods, locator, said)


def _leads_changed(history: History, plan: Plan, periods: list[ReportPeriod], locator: Locator,
                   said: set[tuple[str, str]]) -> list[Finding]:
    """Shared items whose lead (the first 担当課) has no accepted entry while another of their departments has
    one: under 主担当 and 併記 only the lead's entry stands, so an edit that changed the lead (the 担当課 put in
    another order) leaves the old lead's accepted entry unused and the item without a value. Under 主担当 only
    the lead enters the row, so any such entry was the lead's under an earlier plan; under 併記 every department
    enters it, so it is said only when the lead's own form was accepted without it (else the lead has simply
    not sent its form yet, which `status` says). Each item once, its newest period."""
    findings = []
    for period in periods:
        sent = {name for s in history.submissions(period.key) if s.accepted and s.superseded_by is None
                for name in plan.successors(s.department)}
        entries = list(_entries(history, [period]))
        given: dict[tuple[str, str], set[str]] = {}  # (item, ID) -> its owners (as now named) with an entry
        for entry in entries:
            if (found := _shared(plan, entry)) is not None:
                given.setdefault((entry.item, entry.ident), set()).add(plan.owner_of(entry.department,
                                                                                     found.departments))
        for entry in entries:
            found = _shared(plan, entry)
            if (found is None or (entry.item, entry.ident) in said or found.lead in given[(entry.item, entry.ident)]
                    or plan.owner_of(entry.department, found.departments) not in found.departments
                    or (found.reporting == BESIDE and found.lead not in sent)):
                continue
            said.add((entry.item, entry.ident))
            sheet, cell = locator.where(entry.key, _index(plan, entry), "departments")
            consequence = ("この指標は評価できません（− 評価不能）" if entry.key == "kpis" else
                           f"台帳・報告書には{found.lead}の実施状況がない取組として載ります")
            findings.append(finding("plan-history-lead-changed", file=locator.file, sheet=sheet, cell=cell,
                                    value=entry.ident, item=entry.item, name=_name(plan, entry), lead=found.lead,
                                    period=entry.period.label, what=_what(entry), department=entry.department,
                                    shown=entry.shown, reporting=found.reporting, consequence=consequence))
    return findings


def _shared(plan: Plan, entry: _Entry) -> Kpi | Initiative | None:
    """The entry's item when several departments own it and its lead's entry alone stands (主担当, 併記)."""
    found = _item(plan, entry)
    return found if found is not None and found.shared and found.reporting in (LEAD, BESIDE) else None


def _item(plan: Plan, entry: _Entry) -> Kpi | Initiative | None:
    """The plan's item the entry is for; None when the plan has no such ID."""
    try:
        return plan.kpi(entry.ident) if entry.key == "kpis" else plan.initiative(entry.ident)
    except KeyError:
        return None


def _periods(history: History, plan: Plan) -> list[ReportPeriod]:
    """The periods looked at, newest first."""
    keys = [r[0] for r in history.db.execute("SELECT DISTINCT period FROM submissions WHERE accepted = 1")]
    periods = [p for p in (parse_period(k) for k in keys) if p is not None]
    if not periods:
        return []
    last = plan.settings.actual_year or max(p.fiscal_year for p in periods)
    return sorted((p for p in periods if last - YEARS_BACK <= p.fiscal_year <= last),
                  key=lambda p: p.position, reverse=True)


def _entries(history: History, periods: list[ReportPeriod]) -> Iterator[_Entry]:
    for period in periods:
        for kpi_id, values in history.kpi_values(period.key).items():
            for v in values:
                shown = format_value(v.value) if v.value.is_number else f"未記入: {v.reason or '理由なし'}"
                yield _Entry("指標", "kpis", kpi_id, v.department, period, shown)
        for ident, given in history.initiative_values(period.key).items():
            for department, entry in given:
                yield _Entry("取組", "initiatives", ident, department, period, f"{entry.status}／{entry.next_step}")


def _owners(plan: Plan, entry: _Entry) -> tuple[str, ...] | None:
    """The departments of the entry's item; None when the plan has no such item."""
    found = _item(plan, entry)
    return None if found is None else found.departments


def _index(plan: Plan, entry: _Entry) -> int | None:
    """The item's row in the plan document (Kpi.order / Initiative.order)."""
    found = _item(plan, entry)
    return None if found is None else found.order


def _name(plan: Plan, entry: _Entry) -> str:
    found = _item(plan, entry)
    return "" if found is None else found.name if isinstance(found, Kpi) else found.content[:40]


def _what(entry: _Entry) -> str:
    return "値" if entry.key == "kpis" else "実施状況"


def _id_gone(plan: Plan, locator: Locator, entry: _Entry, history: History) -> Finding:
    """An ID the plan lacks. The department's own rows that have no entry in that period are what the ID may
    have become: named with their cells (and the finding placed at the one, when there is one)."""
    candidates = _unfilled_rows(plan, entry, history)
    places = [(item, locator.where(entry.key, item.order, "id")) for item in candidates]
    if places:
        named = "、".join(f"{item.id}（{sheet}!{cell}）" if cell else item.id for item, (sheet, cell) in places[:3])
        more = f" ほか{len(places) - 3}件" if len(places) > 3 else ""
        hint = f"（{entry.department}の{entry.item}で{entry.period.label}の{_what(entry)}がないもの: {named}{more}）"
    else:
        hint = ""
    sheet, cell = places[0][1] if len(places) == 1 else (plan_layout.sheet(entry.key).title, "")
    ending = ("計画から外したのなら、行を残して適用終了年度を書くと、それまでの値が残ります（外したままでよければ、"
              "この警告はそのままでかまいません）。" if entry.key == "kpis" else
              "計画から外したのなら、この警告はそのままでかまいません。")
    return finding("plan-history-id-gone", file=locator.file, sheet=sheet, cell=cell, value=entry.ident,
                   item=entry.item, period=entry.period.label, what=_what(entry), shown=entry.shown,
                   department=entry.department, candidates=hint, ending=ending)


def _unfilled_rows(plan: Plan, entry: _Entry, history: History) -> list:
    """The items the entry's department (as now named) owns that have no entry of it in the period."""
    names = set(plan.successors(entry.department)) or {entry.department}
    if entry.key == "kpis":
        given = {k for k, values in history.kpi_values(entry.period.key).items()
                 if any(names & set(plan.successors(v.department) or (v.department,)) for v in values)}
        return [k for k in plan.kpis if names & set(k.departments) and k.id not in given
                and k.in_force(entry.period.fiscal_year)]
    given = {i for i, pairs in history.initiative_values(entry.period.key).items()
             if any(names & set(plan.successors(d) or (d,)) for d, _ in pairs)}
    return [i for i in plan.initiatives if names & set(i.departments) and i.id not in given]


def _departments_gone(history: History, plan: Plan, periods: list[ReportPeriod], locator: Locator) -> list[Finding]:
    """Departments with an accepted submission in force that the plan knows under no name (not a department, not
    anyone's 旧課名): their forms are refused from now on and their entries leave the master."""
    findings = []
    said = set()
    for period in periods:
        for s in history.submissions(period.key):
            if not s.accepted or s.superseded_by is not None or s.department in said or plan.successors(s.department):
                continue
            said.add(s.department)
            heir = _heir(history, plan, period, s.department)
            if heir is None:
                sheet, cell, now = plan_layout.sheet("departments").title, "", ""
            else:
                sheet, cell = locator.where("departments", heir, "former_names")
                now = f"（この課が報告した行は、いま{plan.departments[heir].name}の担当です）"
            findings.append(finding("plan-history-department-gone", file=locator.file, sheet=sheet, cell=cell,
                                    value=s.department, period=period.label, file_name=s.file_name, now=now))
    return findings


def _heir(history: History, plan: Plan, period: ReportPeriod, department: str) -> int | None:
    """The department (its row) that now owns more than half of what ``department`` reported in the period: where
    a forgotten 旧課名 most likely belongs. (In a plan without errors, its departments are the sheet's rows.)"""
    reported = {k for k, values in history.kpi_values(period.key).items()
                if any(v.department == department for v in values)}
    reported |= {i for i, pairs in history.initiative_values(period.key).items()
                 if any(d == department for d, _ in pairs)}
    owners = Counter(d for kpi in plan.kpis if kpi.id in reported for d in kpi.departments)
    owners.update(d for initiative in plan.initiatives if initiative.id in reported for d in initiative.departments)
    if not owners:
        return None
    name, count = owners.most_common(1)[0]
    index = next((i for i, d in enumerate(plan.departments) if d.name == name), None)
    return index if count * 2 > len(reported) else None
