"""The plan document's rows as records, and the reading of one field: years, values and unique IDs.

A PlanReader holds the document, where each part came from (the Locator) and the findings so far. The
builders (plan.settings_rows, plan.references, plan.indicators) read the document through it and report
through it, so every finding is located the same way.
"""
from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from kpireport.messages import finding
from kpireport.model import Finding, Value
from kpireport.plan import layout as plan_layout
from kpireport.plan.locator import Locator
from kpireport.values import in_unit, parse_value, parse_year

NO_UNIT = "なし"


class PlanReader:
    """Reads a plan document, tolerating one with schema errors, and collects the findings."""

    def __init__(self, document: dict, locator: Locator) -> None:
        self.doc = document
        self.locator = locator
        self.findings: list[Finding] = []

    def report(self, code: str, key: str, index: int | None, field: str | None, value: Any = "",
               **fields: Any) -> None:
        sheet, cell = self.locator.where(key, index, field)
        if field is not None and "field" not in fields:
            column = next((c for c in plan_layout.sheet(key).columns if c.key == field), None)
            fields["field"] = column.title if column else field
        self.findings.append(finding(code, file=self.locator.file, sheet=sheet, cell=cell,
                                     value="" if value is None else value, **fields))

    def records(self, key: str) -> list[tuple[int, dict]]:
        """The rows of one sheet (list in the document) that are records, with their positions."""
        items = self.doc.get(key)
        if not isinstance(items, list):
            return []
        return [(i, r) for i, r in enumerate(items) if isinstance(r, dict)]

    def unique_ids(self, key: str, field: str) -> dict[str, int]:
        """Each ID of a sheet and the row that first holds it; a later row with the same ID is reported."""
        seen: dict[str, int] = {}
        for index, record in self.records(key):
            ident = record.get(field)
            if not isinstance(ident, str):
                continue
            if ident in seen:
                first_sheet, first_cell = self.locator.where(key, seen[ident], field)
                self.report("plan-duplicate-id", key, index, field, ident, first=first_cell or f"{seen[ident] + 1}件目")
            else:
                seen[ident] = index
        return seen

    def year(self, key: str, index: int | None, field: str, raw: Any) -> int | None:
        if raw is None or isinstance(raw, bool):
            return None
        period = parse_year(raw)
        if period is None or period.end is not None or period.month is not None:
            self.report("plan-year-unreadable", key, index, field, raw)
            return None
        return period.start

    def value(self, key: str, index: int, field: str, raw: Any, unit: str | None) -> Value:
        """Parse a plan value; a bare number takes the KPI's unit and scale (22718 in 百万円).

        ``unit`` None means the KPI's unit is itself missing (reported once, not per value).
        """
        if raw is None:
            return Value("none")
        value = parse_value(raw)
        if value.status == "unreadable":
            self.report("plan-value-unreadable", key, index, field, raw)
            return value
        if value.note:
            self.report("plan-value-note", key, index, field, raw, note=value.note)
        if value.status != "number" or unit is None:
            return value
        converted = in_unit(value, unit)
        if converted is None:
            self.report("plan-unit-mismatch", key, index, field, raw, unit=value.display_unit,
                        expected=unit or NO_UNIT)
            return dataclasses.replace(value, status="unreadable")  # reported; not compared further
        return converted


def unit_of(record: dict) -> str | None:
    """A KPI's unit as the values are read in: "" for 「なし」, None when the unit is missing."""
    unit = record.get("unit") if isinstance(record.get("unit"), str) else None
    return "" if unit == NO_UNIT else unit


def int_or(raw: Any, default: int) -> int:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else default


def decimal_or(raw: Any, default: Decimal) -> Decimal:
    parsed = optional_decimal(raw)
    return default if parsed is None else parsed


def optional_decimal(raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str, Decimal)):
        return None
    try:
        return Decimal(str(raw))
    except ArithmeticError:
        return None
