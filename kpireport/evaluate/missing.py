"""What a period's results still lack (a department not submitted, a KPI without a value, a node without its
text, an initiative without its status): a check list for the planning office, never part of the council
report. `kpireport report` prints it; the master shows it as a sheet.
"""
from __future__ import annotations

from dataclasses import dataclass

from kpireport.evaluate.results import PeriodResults
from kpireport.labels import node_heading
from kpireport.model import PARTS, Initiative, Kpi

NOT_SUBMITTED = "未提出の課"
RESUBMIT = "要再提出の課"  # sent its file, which was sent back: not counted as silent
# a row the plan gave a department after its accepted form was made (a KPI moved to it, a changed ID): it is owed
# by that department, on a new form, not merely without a value
NOT_ON_FORM = "提出済みの様式にない行（計画の変更）"
NO_VALUE = "実績値のない指標"
NO_TEXT = "記述のない項目"
NO_STATUS = "実施状況の報告がない取組"
KINDS = (NOT_SUBMITTED, RESUBMIT, NOT_ON_FORM, NO_VALUE, NO_TEXT, NO_STATUS)
_DEPARTMENT_KINDS = (NOT_SUBMITTED, RESUBMIT)


@dataclass(frozen=True)
class MissingRow:
    kind: str        # one of KINDS
    department: str  # who is to supply it
    ident: str       # the KPI, node or initiative ID ("" for a department)
    name: str


def missing_rows(data: PeriodResults) -> list[MissingRow]:
    """Every missing item, by kind (in KINDS order), then in plan order."""
    plan = data.plan
    # a department whose file was sent back did submit: it is listed to resubmit, never as silent
    rows = [MissingRow(RESUBMIT if s.rejected else NOT_SUBMITTED, s.department, "", s.department)
            for s in data.statuses if s.current is None]
    rows.sort(key=lambda row: KINDS.index(row.kind))
    owed = [MissingRow(NOT_ON_FORM, s.department, ident, name) for s in data.statuses for ident, name in s.owes]
    rows += owed
    owed_ids = {row.ident for row in owed}
    for kpi in plan.kpis:
        if not kpi.in_force(data.period.fiscal_year):
            continue  # replaced before this period: nothing is asked for it
        stored = data.values.get(kpi.id)
        if not (stored and stored.value.is_number) and kpi.id not in owed_ids:
            rows.append(MissingRow(NO_VALUE, _to_supply(kpi, data), kpi.id, kpi.name))
    for node in plan.nodes:
        if node.departments and node.id not in data.narratives:
            rows.append(MissingRow(NO_TEXT, "、".join(node.departments), node.id, node_heading(plan, node)))
    for initiative, entry in data.initiatives:
        if entry is None and initiative.id not in owed_ids:
            rows.append(MissingRow(NO_STATUS, _to_supply(initiative, data), initiative.id, initiative.content))
    return rows


def _to_supply(item: Kpi | Initiative, data: PeriodResults) -> str:
    """Who is to supply a shared item's missing entry: with 合算 the departments whose part is missing, otherwise
    the lead (主担当, 併記: the others' forms show the row read-only, or their entries only stand beside the lead's)."""
    if not item.shared:
        return "、".join(item.departments)
    if item.reporting == PARTS and isinstance(item, Kpi):
        shared = data.shared.get(item.id)
        return "、".join(shared.missing if shared and shared.missing else item.departments)
    return item.lead


def summary_lines(rows: list[MissingRow], shown: int = 5) -> list[str]:
    """Per kind: a line with the count, then the first ``shown`` items indented (the master lists every one)."""
    lines = []
    for kind in KINDS:
        items = [row.name if row.kind in _DEPARTMENT_KINDS else
                 f"{row.department}: {row.ident} {row.name}" if row.kind == NOT_ON_FORM else f"{row.ident} {row.name}"
                 for row in rows if row.kind == kind]
        if items:
            lines.append(f"{kind}: {len(items)}{'課' if kind in _DEPARTMENT_KINDS else '件'}")
            lines += [f"    {_short(item)}" for item in items[:shown]]
            if len(items) > shown:
                lines.append(f"    ほか{len(items) - shown}件")
    return lines


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
