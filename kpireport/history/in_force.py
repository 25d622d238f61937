"""Which entry stands for each KPI, initiative and narrative of a period, by the plan's 報告方法.

Each department's latest accepted submission holds its entries (history.store). When several departments own
an item, the plan says how they report it (model.LEAD, PARTS, BESIDE): the lead's entry stands; or every
department's part is combined; or the lead's stands and the others' are kept beside it. Which file was saved
last never decides. What cannot be decided (parts missing, entries that disagree, a lead that did not report)
is a finding for the planning office (``attention``).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from kpireport.history.store import History, StoredKpiValue, later_record, latest
from kpireport.messages import finding
from kpireport.model import (
    BESIDE,
    LEAD,
    PARTS,
    Finding,
    Initiative,
    InitiativeEntry,
    Kpi,
    NarrativeEntry,
    Plan,
    PreviousActuals,
    Value,
)
from kpireport.periods import ReportPeriod, data_year_of
from kpireport.values import format_value, format_year

MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


@dataclass(frozen=True)
class KpiInForce:
    """A KPI's value for the period and how it was arrived at."""

    kpi_id: str
    value: StoredKpiValue | None  # what stands (with 合算, the parts combined); None: nothing to evaluate
    entries: tuple[StoredKpiValue, ...] = ()  # each owning department's entry, in the plan's order
    missing: tuple[str, ...] = ()  # owning departments with no entry in force
    working: str = ""  # for a shared KPI: the departments' entries and what was made of them, in Japanese


@dataclass(frozen=True)
class InitiativeInForce:
    entry: InitiativeEntry | None  # what stands: the lead's (or the only department's)
    others: tuple[tuple[str, InitiativeEntry], ...] = ()  # with 併記: the other departments' entries


@dataclass
class InForce:
    kpis: dict[str, KpiInForce]
    initiatives: dict[str, InitiativeInForce]
    narratives: dict[str, NarrativeEntry]
    attention: list[Finding]  # shared entries the planning office must look at


def in_force(history: History, plan: Plan, period: ReportPeriod) -> InForce:
    attention: list[Finding] = []
    kpis = {}
    kpi_entries = {ident: {d: v if v.department == d else dataclasses.replace(v, department=d)  # shown as now named
                           for d, v in by_department.items()}
                   for ident, by_department in _current_names(plan, _kpi_entries(history, period),
                                                              {k.id: k.departments for k in plan.kpis}).items()}
    submitted = _submitted(history, plan, period)
    for kpi in plan.kpis:
        kpis[kpi.id] = _kpi(kpi, kpi_entries.get(kpi.id, {}), period.fiscal_year, attention, submitted)
    initiatives = {}
    initiative_entries = _current_names(plan, _initiative_entries(history, period),
                                        {i.id: i.departments for i in plan.initiatives})
    for initiative in plan.initiatives:
        initiatives[initiative.id] = _initiative(initiative, initiative_entries.get(initiative.id, {}), attention)
    return InForce(kpis, initiatives, _narratives(history, plan, period), attention)


def annual_actuals(history: History, plan: Plan) -> dict[str, dict[int, StoredKpiValue]]:
    """Every year's actual of every KPI (the master's columns of earlier years): the value that stood in the year,
    decided by the plan's 報告方法 as the year itself was (year_standing); years without a number are left out."""
    kpis = {k.id: k for k in plan.kpis}
    result: dict[str, dict[int, StoredKpiValue]] = {}
    for kpi_id, years in history.annual_entries().items():
        kpi = kpis.get(kpi_id)
        own = {}
        for year, entries in years.items():
            stood = year_standing(plan, kpi, year, entries).value if kpi is not None else _last(entries)
            if stood is not None and stood.value.is_number:
                own[year] = stood
        if own:
            result[kpi_id] = own
    return result


def year_standing(plan: Plan, kpi: Kpi, year: int, entries: Sequence[StoredKpiValue]) -> KpiInForce:
    """A KPI's standing in an earlier fiscal year from the year's entries in force (each department's, in the
    order recorded; or an imported record), decided as in_force decided the year: a shared KPI's parts combined,
    or its lead's value, so that the year shows what its own report showed and not whichever department's file was
    recorded last. The year's findings were its own report's and are not repeated."""
    if not kpi.shared or _imported(entries):
        return KpiInForce(kpi.id, _last(entries), tuple(entries))
    found = {kpi.id: {e.department: e for e in entries}}
    by_department = {d: v if v.department == d else dataclasses.replace(v, department=d)
                     for d, v in _current_names(plan, found, {kpi.id: kpi.departments})[kpi.id].items()}
    return _kpi(kpi, by_department, year, [])


def _imported(entries: Sequence[StoredKpiValue]) -> bool:
    """An old record imported for the year (History.import_actual): the figure that stood, with no department."""
    return len(entries) == 1 and not entries[0].department


def _last(entries: Sequence[StoredKpiValue]) -> StoredKpiValue | None:
    """The last recorded entry with a number, else the last entry (a department's reason for giving none)."""
    numbers = [e for e in entries if e.value.is_number]
    chosen = numbers or list(entries)
    return chosen[-1] if chosen else None


def previous_actuals(history: History, plan: Plan, period_key: str) -> PreviousActuals:
    """The last accepted actual of each KPI before a period (前回までの実績, 累計 and jump checks), by the plan's
    報告方法 as in_force decides: a shared KPI's lead's (the value that stood, never another department's that did
    not); with 合算, each department's own part, so that a department's figure is compared with its own earlier
    part (never with the total or another department's part). An imported old record is a value that stood."""
    kpis = {k.id: k for k in plan.kpis}
    stood: dict[str, tuple[str, Value]] = {}
    parts: dict[str, dict[str, tuple[str, Value]]] = {k.id: {} for k in plan.kpis if k.shared and k.reporting == PARTS}
    for kpi_id, given in history.latest_before_by_department(period_key).items():
        kpi = kpis.get(kpi_id)
        if kpi is None or not kpi.shared:
            stood[kpi_id] = latest(given.values())
            continue
        own: dict[str, list[tuple[str, Value]]] = {}  # by current name: a former name's entries count as its successor's
        for department, held in given.items():
            own.setdefault(plan.owner_of(department, kpi.departments), []).append(held)
        if kpi_id in parts:
            parts[kpi_id] = {department: latest(held) for department, held in own.items()}
        elif kpi.lead in own:
            stood[kpi_id] = latest(own[kpi.lead])
    return PreviousActuals(later_record(stood, history.latest_imported_before(period_key)), parts)


def previous_actuals_in(history_file: Path, plan: Plan, period_key: str) -> PreviousActuals:
    """previous_actuals, read from a workspace's history file; none before the first merge."""
    if not Path(history_file).exists():
        return PreviousActuals()
    history = History(history_file)
    try:
        return previous_actuals(history, plan, period_key)
    finally:
        history.close()


# --- gathering: each department's entry in force ---------------------------------------------------

def _kpi_entries(history: History, period: ReportPeriod) -> dict[str, dict[str, StoredKpiValue]]:
    """KPI -> department -> its entry. For a fiscal year, a department's latest monthly 見込み stands in
    for an annual 実績 it has not given yet."""
    found: dict[str, dict[str, StoredKpiValue]] = {}
    if not period.is_monthly:
        for month in MONTHS:  # later months replace earlier ones
            for kpi_id, values in history.kpi_values(ReportPeriod(period.fiscal_year, month).key).items():
                for v in values:
                    found.setdefault(kpi_id, {})[v.department] = dataclasses.replace(v, provisional=True)
    for kpi_id, values in history.kpi_values(period.key).items():
        for v in values:
            found.setdefault(kpi_id, {})[v.department] = v
    return found


def _initiative_entries(history: History, period: ReportPeriod) -> dict[str, dict[str, InitiativeEntry]]:
    found: dict[str, dict[str, InitiativeEntry]] = {}
    for ident, entries in history.initiative_values(period.key).items():
        for department, entry in entries:
            found.setdefault(ident, {})[department] = entry
    return found


def _submitted(history: History, plan: Plan, period: ReportPeriod) -> frozenset[str]:
    """The departments (as now named) with a form in force for the period: one of them without an entry for an
    item its form was made without (the plan gave it the row later) has not failed to submit."""
    return frozenset(name for department in history.current(period.key)
                     for name in plan.successors(department) or (department,))


Entry = TypeVar("Entry", StoredKpiValue, InitiativeEntry)


def _current_names(plan: Plan, found: dict[str, dict[str, Entry]],
                   owners: dict[str, tuple[str, ...]]) -> dict[str, dict[str, Entry]]:
    """Entries recorded under a department's former name (a form made before a reorganisation) count as its
    successor's, shown under the current name; of two entries for one department the later recorded stands."""
    renamed: dict[str, dict[str, Entry]] = {}
    for ident, by_department in found.items():
        own = owners.get(ident, ())
        for department, entry in by_department.items():
            current = plan.owner_of(department, own)
            renamed.setdefault(ident, {}).pop(current, None)
            renamed[ident][current] = entry
    return renamed


# --- deciding: by the plan's 報告方法 -----------------------------------------------------------------

def _kpi(kpi: Kpi, by_department: dict[str, StoredKpiValue], year: int, attention: list[Finding],
         submitted: frozenset[str] = frozenset()) -> KpiInForce:
    owners = kpi.departments or tuple(by_department)
    entries = tuple(by_department[d] for d in owners if d in by_department)
    missing = tuple(d for d in owners if d not in by_department)
    if not kpi.shared:
        return KpiInForce(kpi.id, entries[0] if entries else None, entries, missing)
    if kpi.reporting == PARTS:
        return _combined(kpi, entries, missing, year, attention, submitted)
    lead = by_department.get(kpi.lead)
    # 主担当: the other departments' forms only show the row; they are not missing it
    working = _entries_text(entries, missing, kpi.lead if kpi.reporting == LEAD else None, submitted)
    if kpi.reporting == LEAD:
        others = [e for e in entries if e.department != kpi.lead]
        if lead is None and others:  # entries of the other departments from forms made before the rule
            attention.append(finding("shared-lead-missing", kind="指標", name=kpi.name, lead=kpi.lead,
                                     value=working))
        return KpiInForce(kpi.id, lead, entries, missing, f"主担当（{kpi.lead}）の値: " + working)
    if any(_shown(e) != _shown(lead) for e in entries if e is not lead) or (lead is None and entries):
        attention.append(finding("shared-disagree", kind="指標", name=kpi.name, lead=kpi.lead, value=working))
    return KpiInForce(kpi.id, lead, entries, missing, f"併記（{kpi.lead}の値で評価）: " + working)


def _combined(kpi: Kpi, entries: tuple[StoredKpiValue, ...], missing: tuple[str, ...], year: int,
              attention: list[Finding], submitted: frozenset[str] = frozenset()) -> KpiInForce:
    """合算: the parts combined by the plan's rule, once every owning department has given a number of one data
    year (``year``: the period's fiscal year)."""
    working = _entries_text(entries, missing, submitted=submitted)
    numbers = [e for e in entries if e.value.is_number]
    if missing or len(numbers) < len(entries) or not numbers:
        if not entries:  # nobody has reported yet: the submission status says so
            return KpiInForce(kpi.id, None, entries, missing, f"合算（{kpi.combine}）: {working}")
        attention.append(finding("shared-parts-missing", name=kpi.name, value=working,
                                 departments="、".join(missing + tuple(e.department for e in entries
                                                                        if not e.value.is_number))))
        return KpiInForce(kpi.id, None, entries, missing, f"合算（{kpi.combine}）: {working}。そろっていないため評価しません")
    years = [_data_year(e, year) for e in numbers]
    if len(set(years)) > 1:  # a sum of two years' figures is no year's figure, whichever department's is old
        shown = "、".join(f"{e.department} {format_value(e.value)}（{format_year(y, fiscal=not kpi.calendar)}のデータ）"
                         for e, y in zip(numbers, years))
        attention.append(finding("shared-parts-years-differ", name=kpi.name, value=shown,
                                 departments="、".join(e.department for e in numbers)))
        return KpiInForce(kpi.id, None, entries, missing,
                          f"合算（{kpi.combine}）: {shown}。データの年度が違うため評価しません")
    parts = [n for e in numbers if (n := e.value.number) is not None]  # a number Value always has one
    combined = {"合計": sum(parts, Decimal(0)), "最大": max(parts), "最小": min(parts)}.get(kpi.combine)
    if combined is None:  # 平均, to one decimal place more than the parts were given in
        places = max(_places(p) for p in parts) + 1
        combined = (sum(parts, Decimal(0)) / len(parts)).quantize(Decimal(1).scaleb(-max(places, 0)))
    lead = next((e for e in numbers if e.department == kpi.lead), numbers[0])
    # a total of an approximate part (約25) is approximate too
    value = Value("number", "", combined, lead.value.unit, lead.value.scale,
                  approximate=any(e.value.approximate for e in numbers))
    value = dataclasses.replace(value, raw=format_value(value))
    sign = {"合計": " + "}.get(kpi.combine, "、")
    # the parts' common data year, as a 時点 (evaluate.data_year reads it): lagging data is graded at its own year
    as_of = f"{format_year(years[0])}末" if years[0] < year else ""
    stored = StoredKpiValue(  # each part's remarks stay with the part (``entries``)
        kpi.id, lead.period, value, any(e.provisional for e in numbers), as_of, "", "",
        "、".join(dict.fromkeys(e.file_name for e in numbers)), "", "", max(e.received_at for e in numbers),
        "、".join(e.department for e in numbers))
    shown = sign.join(f"{e.department} {format_value(e.value)}" for e in numbers)
    return KpiInForce(kpi.id, stored, entries, missing, f"合算（{kpi.combine}）: {shown} → {format_value(value)}")


def _data_year(entry: StoredKpiValue, year: int) -> int:
    """The fiscal year a part's data is of: the year its value or 時点 names when earlier than ``year``, else
    ``year`` (the report's own year, as evaluate.data_year reads it)."""
    own = data_year_of(entry.value, entry.as_of)
    return own if own is not None and own < year else year


def _initiative(initiative: Initiative, by_department: dict[str, InitiativeEntry],
                attention: list[Finding]) -> InitiativeInForce:
    lead = by_department.get(initiative.lead) if initiative.departments else next(iter(by_department.values()), None)
    others = tuple((d, by_department[d]) for d in initiative.departments if d != initiative.lead and d in by_department)
    if not initiative.shared:
        return InitiativeInForce(lead)
    name = initiative.content[:30] + ("…" if len(initiative.content) > 30 else "")
    if initiative.reporting == BESIDE:
        if (lead is None and others) or (lead is not None and any(e.status != lead.status for _, e in others)):
            shown = "、".join(f"{d} {e.status}" for d, e in ((initiative.lead, lead),) + others if e)
            attention.append(finding("shared-status-differs", name=name, lead=initiative.lead, value=shown))
        return InitiativeInForce(lead, others)
    if lead is None and others:
        shown = "、".join(f"{d} {e.status}" for d, e in others)
        attention.append(finding("shared-lead-missing", kind="取組", name=name, lead=initiative.lead, value=shown))
    return InitiativeInForce(lead)


def _narratives(history: History, plan: Plan, period: ReportPeriod) -> dict[str, NarrativeEntry]:
    """Every department's bullets for a node, in the plan's department order (nobody's are dropped)."""
    result = {}
    for node_id, given in history.narratives(period.key).items():
        try:
            order = {d: i for i, d in enumerate(plan.node(node_id).departments)}
        except KeyError:  # a node no longer in the plan
            order = {}
        entries = [e for _, e in sorted(given, key=lambda pair: order.get(pair[0], len(order)))]
        first = entries[0]
        result[node_id] = NarrativeEntry(node_id, _unique(b for e in entries for b in e.achievements),
                                         _unique(b for e in entries for b in e.next_steps), first.sheet, first.row)
    return result


def _places(d: Decimal) -> int:
    """Decimal places as written: 12.50 -> 2, 1E+3 -> -3."""
    exponent = d.as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0  # a stored number is finite


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _shown(entry: StoredKpiValue | None) -> str:
    if entry is None:
        return "（未提出）"
    return format_value(entry.value) if entry.value.is_number else f"（未記入: {entry.reason or '理由なし'}）"


def _entries_text(entries: tuple[StoredKpiValue, ...], missing: tuple[str, ...], reporter: str | None = None,
                  submitted: frozenset[str] = frozenset()) -> str:
    """「A課 120人、B課 （A課が報告）」: each department's entry; one without, 「（未提出）」, or where ``reporter``
    reports the row for all, 「（○○課が報告）」; a department whose form in force lacks the row (made before the
    plan gave it the row), 「（提出済みの様式に値なし）」."""
    def without(department: str) -> str:
        if reporter and department != reporter:
            return f"（{reporter}が報告）"
        return "（提出済みの様式に値なし）" if department in submitted else "（未提出）"

    return "、".join([f"{e.department} {_shown(e)}" for e in entries] + [f"{d} {without(d)}" for d in missing])
