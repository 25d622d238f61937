"""The grading rules as the history keeps them with each merge: the plan's grades (評価区分) and its settings,
as JSON, and read back so that a past year is graded with the rules that stood then, not today's.

Every field of the grades and of the settings is kept, so a field added later (a new rule's parameter) is
kept too; reading back takes only the fields the model still has, and a field the record lacks keeps today's
value (a record older than that field had no such rule).
"""
from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Any

from kpireport.history.store import History
from kpireport.model import Grade, Settings

# settings that are lists of records, not rules (the reporting periods' titles and deadlines)
_NOT_RULES = ("periods",)


def rules_record(grades: tuple[Grade, ...], settings: Settings) -> dict:
    """The rules as plain JSON data: {"grades": [...], "settings": {...}}."""
    kept = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings) if f.name not in _NOT_RULES}
    return {"grades": [_plain(dataclasses.asdict(g)) for g in grades], "settings": _plain(kept)}


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
    """Store the grading rules a merge was made with (``rules_record``), in the merge's transaction."""
    history.db.execute("INSERT OR REPLACE INTO merge_rules VALUES (?, ?)",
                       (merge_id, json.dumps(rules, ensure_ascii=False, sort_keys=True)))


def rules_of(history: History, period: str) -> dict | None:
    """The grading rules of the period's last merge that stored them; None when none did (a history from before
    rules were stored, or a year known only from imported records)."""
    row = history.db.execute("SELECT r.rules FROM merge_rules r JOIN merges m ON m.id = r.merge_id"
                             " WHERE m.period = ? ORDER BY m.id DESC LIMIT 1", (period,)).fetchone()
    return json.loads(row[0]) if row else None
