"""Grades set by hand on a value that has changed since: the override stands (the office decided it), and the
office is told, on screen, in `status` and on the master's 要確認 sheet, until it sets the grade again or clears it."""
from __future__ import annotations

from kpireport.history.in_force import InForce
from kpireport.history.merge import shown_values
from kpireport.history.store import History
from kpireport.messages import OVERRIDE_STALE, finding
from kpireport.model import Finding, Plan

NO_VALUE = "（値なし）"


def stale_overrides(plan: Plan, history: History, period_key: str, current: InForce) -> list[Finding]:
    """One finding for each of the period's grades set by hand whose KPI shows another value than when it was set
    (an override set before this was kept, or before the period's first merge, is not compared)."""
    bases = history.override_bases(period_key)
    if not bases:
        return []
    overrides = history.overrides(period_key)
    shown = shown_values(current)
    names = {k.id: k.name for k in plan.kpis}
    found = []
    for kpi_id, before in bases.items():
        now = shown.get(kpi_id, "")
        if now != before and kpi_id in overrides and kpi_id in names:
            found.append(finding(OVERRIDE_STALE, value=now or NO_VALUE, kpi_id=kpi_id, name=names[kpi_id],
                                 grade=overrides[kpi_id].grade, reason=overrides[kpi_id].reason,
                                 before=before or NO_VALUE))
    return found
