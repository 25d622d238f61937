"""The grading rules as the history keeps them with each merge: the plan's grades (評価区分), its settings and
what of each KPI the grading reads (baseline, target, interim targets, direction…), as JSON, and read back so
that a past year is graded with the rules and the targets that stood then, not today's (an office raising a
target for the next year must not regrade the year already reported).

Every field of the grades and of the settings is kept, so a field added later (a new rule's parameter) is
kept too; reading back takes only the fields the model still has, and a field the record lacks keeps today's
value (a record older than that field had no such rule).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from kpireport.history.store import History
from kpireport.model import Grade, InterimTarget, Kpi, Period, Settings, Value

# settings that are lists of records, not rules (the reporting periods' titles and deadlines)
_NOT_RULES = ("periods",)
# what of a KPI its grading reads (evaluate.inputs, evaluate.working, evaluate.rules): the rest of the KPI (its
# name, place, departments) is today's plan's, never a reason to grade a year otherwise
GRADING_FIELDS = ("unit", "direction", "target_type", "aggregation", "baseline", "baseline_year", "target",
                  "target_year", "interim_targets", "kind", "plan_start_year", "rate_formula")
_VALUES = ("baseline", "target")


def rules_record(grades: tuple[Grade, ...], settings: Settings, kpis: Iterable[Kpi] = ()) -> dict:
    """The rules as plain JSON data: {"grades": [...], "settings": {...}, "kpis": {id: {field: value}}}."""
    kept = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings) if f.name not in _NOT_RULES}
    return {"grades": [_plain(dataclasses.asdict(g)) for g in grades], "settings": _plain(kept),
            "kpis": {kpi.id: grading_fields(kpi) for kpi in kpis}}


def grading_fields(kpi: Kpi) -> dict[str, Any]:
    """What of the KPI its grading reads, as the record keeps it (plain JSON data)."""
    return {name: _field(getattr(kpi, name)) for name in GRADING_FIELDS}


def kpi_as_recorded(kpi: Kpi, recorded: dict[str, Any], today: dict[str, Any] | None = None) -> Kpi:
    """Today's KPI with the grading fields of a stored record (a field the record lacks keeps today's value);
    ``kpi`` itself when they are today's. ``today``: grading_fields(kpi), when the caller has it (compared as
    records, the Values of an unchanged KPI of a large plan are never rebuilt)."""
    today = grading_fields(kpi) if today is None else today
    changed = {name: _field_back(name, recorded[name]) for name in GRADING_FIELDS
               if name in recorded and recorded[name] != today[name]}
    return dataclasses.replace(kpi, **changed) if changed else kpi


def _field(value: Any) -> Any:
    """A grading field as JSON: a Value with only the fields that differ from their defaults (a record of 2,000
    KPIs stays small), the interim targets as [year, value] pairs."""
    if isinstance(value, Value):
        return _compact(value)
    if isinstance(value, tuple):  # the interim targets
        return [[t.year, _compact(t.value)] for t in value]
    return value


def _compact(value: Value | Period) -> dict:
    return {name: (_compact(v) if isinstance(v, Period) else _plain(v)) for name, default in _DEFAULTS[type(value)]
            if (v := getattr(value, name)) != default}


# each field of a Value and of a Period with its default (read once: 2,000 KPIs' values are compacted per merge)
_DEFAULTS = {kind: tuple((f.name, f.default) for f in dataclasses.fields(kind)) for kind in (Value, Period)}


def _field_back(name: str, stored: Any) -> Any:
    if name in _VALUES:
        return _value(stored)
    if name == "interim_targets":
        return tuple(InterimTarget(year, _value(value)) for year, value in stored)
    return stored


def _value(stored: dict) -> Value:
    fields = {k: _typed(v) for k, v in stored.items()}
    if isinstance(stored.get("period"), dict):
        fields["period"] = Period(**stored["period"])
    return Value(**fields)


def rules_from_record(record: dict, settings: Settings) -> tuple[tuple[Grade, ...], Settings]:
    """The grades and settings of a stored record; ``settings`` (today's) give what the record does not have."""
    names = {f.name for f in dataclasses.fields(Grade)}
    grades = tuple(Grade(**{k: _typed(v) for k, v in stored.items() if k in names}) for stored in record["grades"])
    known = {f.name for f in dataclasses.fields(Settings)} - set(_NOT_RULES)
    then = dataclasses.replace(settings, **{k: _typed(v) for k, v in record.get("settings", {}).items() if k in known})
    return grades, then


def _plain(value: Any) -> Any:
    """JSON-ready: a Decimal as {"decimal": "80"} (so it comes back a Decimal), tuples as lists."""
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _typed(value: Any) -> Any:
    """The inverse of _plain (lists come back as tuples: the model's records are frozen)."""
    if isinstance(value, dict) and set(value) == {"decimal"}:
        return Decimal(value["decimal"])
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(_typed(v) for v in value)
    return value


def record_rules(history: History, merge_id: int, rules: dict) -> None:
    """Store the grading rules a merge was made with (``rules_record``), in the merge's transaction. The KPIs'
    fields are stored once per distinct content (kpi_definitions) and the merge's rules name them by digest:
    every merge of a year with an unchanged plan shares one copy."""
    rules = dict(rules)
    if "kpis" in rules:
        text = json.dumps(rules["kpis"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        rules["kpis"] = hashlib.sha256(text.encode()).hexdigest()
        history.db.execute("INSERT OR IGNORE INTO kpi_definitions VALUES (?, ?)", (rules["kpis"], text))
    history.db.execute("INSERT OR REPLACE INTO merge_rules VALUES (?, ?)",
                       (merge_id, json.dumps(rules, ensure_ascii=False, sort_keys=True)))


def rules_of(history: History, period: str) -> dict | None:
    """The grading rules of the period's last merge that stored them, as ``rules_record`` gave them; None when
    none did (a history from before rules were stored, or a year known only from imported records). A record from
    before the KPIs' fields were stored has no "kpis"."""
    row = history.db.execute("SELECT r.rules FROM merge_rules r JOIN merges m ON m.id = r.merge_id"
                             " WHERE m.period = ? ORDER BY m.id DESC LIMIT 1", (period,)).fetchone()
    if row is None:
        return None
    rules = json.loads(row[0])
    digest = rules.pop("kpis", None)
    if digest is not None:
        kpis = history.db.execute("SELECT kpis FROM kpi_definitions WHERE digest = ?", (digest,)).fetchone()
        if kpis is not None:
            rules["kpis"] = json.loads(kpis[0])
    return rules
