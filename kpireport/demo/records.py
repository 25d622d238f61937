"""The second embedded example (seed 001, 平成28年度): the city's published record, entered into a
workspace's history as that year's accepted values.

The record holds values no form would accept (「進出協定締結数 平成28年度 1社 平成29年度 1社」),
so it is recorded directly, kept verbatim, and labelled as a record rather than a form submission.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from kpireport.errors import KpireportError
from kpireport.history.store import History, now
from kpireport.model import InitiativeEntry, KpiEntry, Plan, ValidationResult, Value
from kpireport.periods import ReportPeriod
from kpireport.plan.source import load_yaml
from kpireport.values import parse_value, parse_year

SOURCE = "平成28年度実績の記録（公表資料から転記）"


def example_h28_dir() -> Path:
    return Path(str(resources.files("kpireport").joinpath("example_h28")))


def example_h28_document() -> dict:
    return load_yaml((example_h28_dir() / "plan.yaml").read_text(encoding="utf-8"))


def record_example_h28(plan: Plan, history: History) -> ReportPeriod:
    """Record the example's 平成28年度 values, one accepted submission per department; returns the period."""
    text = (example_h28_dir() / "records.yaml").read_text(encoding="utf-8")
    records = load_yaml(text)
    year = parse_year(records["period"])
    if year is None:
        raise KpireportError(f"記録の年度を読めません: {records['period']}（{example_h28_dir() / 'records.yaml'}）")
    period = ReportPeriod(year.start)
    kpis = {k.id: k for k in plan.kpis}
    initiatives = {i.id: i for i in plan.initiatives}
    by_department: dict[str, _Entries] = {}
    for item in records.get("kpis", []):
        kpi = kpis[item["kpi"]]
        raw = str(item["actual"])
        parsed = parse_value(raw)
        value = parsed if parsed.status != "none" else Value("none", raw)
        by_department.setdefault(kpi.departments[0], _Entries()).kpis.append(KpiEntry(kpi.id, value, sheet=SOURCE))
    for item in records.get("initiatives", []):
        initiative = initiatives[item["initiative"]]
        entry = InitiativeEntry(initiative.id, sheet=SOURCE, summary=_text_or_none(item, "summary"),
                                plan=_text_or_none(item, "plan"))
        by_department.setdefault(initiative.departments[0], _Entries()).initiatives.append(entry)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with history.transaction():
        merge_id = history.start_merge(period.key, plan.content_hash)
        for department, entries in by_department.items():
            if history.known(digest, department, period.key):
                continue
            history.record(merge_id, ValidationResult(file=SOURCE, sha256=digest, department=department,
                                                      period=period.key, findings=(), kpis=tuple(entries.kpis),
                                                      initiatives=tuple(entries.initiatives)), now())
        history.finish_merge(merge_id, {})
    return period


@dataclass
class _Entries:
    """One department's recorded values."""

    kpis: list[KpiEntry] = field(default_factory=list)
    initiatives: list[InitiativeEntry] = field(default_factory=list)


def _text_or_none(item: dict, key: str) -> str | None:
    """None when the record has no such cell; "" when the cell was printed empty."""
    return None if item.get(key) is None else str(item[key])
