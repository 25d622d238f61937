"""Check a plan document against the JSON Schema; every error becomes a located Japanese finding."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema

from kpireport.messages import finding
from kpireport.model import Finding
from kpireport.plan import layout as plan_layout
from kpireport.plan.layout import Column
from kpireport.plan.locator import Locator

_HINTS = {
    "target": "計画書の目標値を入力してください（例: 50%以上、維持）。",
    "baseline": "基準値のない指標は空欄のままでかまいません。",
    "unit": "単位のない指標は「なし」と入力してください。",
    "departments": "担当課を1つ以上入力してください。",
}
_RANGE_HINTS = {
    "minimum": "{}以上にしてください。",
    "maximum": "{}以下にしてください。",
    "exclusiveMinimum": "{}より大きくしてください。",
    "exclusiveMaximum": "{}より小さくしてください。",
    "maxItems": "{}個までにしてください。",
}


def check_schema(document: dict, locator: Locator) -> list[Finding]:
    validator = jsonschema.Draft202012Validator(plan_layout.schema())
    findings: list[Finding] = []
    for error in sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
        findings.extend(_to_findings(_Problem.of(error), locator))
    return findings


@dataclass(frozen=True)
class _Problem:
    """One schema error, the parts used here typed (jsonschema marks parts it was not given with a sentinel;
    an error from ``iter_errors`` has them all)."""

    keyword: str  # the schema keyword that failed: required, enum, type …
    expected: Any  # that keyword's value in the schema
    instance: Any  # the part of the document that failed it
    properties: frozenset[str]  # the properties the failing schema names
    path: list[str | int]
    message: str

    @classmethod
    def of(cls, error: jsonschema.ValidationError) -> _Problem:
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        return cls(str(error.validator), error.validator_value, error.instance,
                   frozenset(schema.get("properties", {})), list(error.absolute_path), error.message)

    def missing(self) -> list[str]:
        """For ``required``: the names the instance lacks."""
        present = self.instance or {}
        return [name for name in self.expected if name not in present]

    def unknown(self) -> list[str]:
        """For ``additionalProperties``: the names the schema does not know, sorted."""
        return sorted(set(self.instance) - self.properties)


def _to_findings(problem: _Problem, locator: Locator) -> Iterable[Finding]:
    if not problem.path:
        yield from _top_level(problem, locator)
        return
    key = str(problem.path[0])
    index = problem.path[1] if len(problem.path) > 1 and isinstance(problem.path[1], int) else None
    if problem.keyword == "required":
        for name in problem.missing():
            if not locator.column_missing(key, name):  # a whole column missing is reported once by the reader
                yield _located("plan-required", locator, key, index, name, "",
                               hint=_HINTS.get(name, "入力してください。"))
    elif problem.keyword == "additionalProperties":
        for name in problem.unknown():
            yield _located("plan-unknown-key", locator, key, index, None, name, name=name)
    else:
        yield _value_finding(problem, locator, key, index)


def _value_finding(problem: _Problem, locator: Locator, key: str, index: int | None) -> Finding:
    """A field's value that breaks the schema: not a choice, of the wrong type, empty, malformed, out of range."""
    field_key = _field(problem.path, key)
    column = _column(key, field_key)
    title = column.title if column else str(field_key)
    value = _display(problem.instance)
    keyword, expected = problem.keyword, problem.expected

    def located(code: str, **fields: Any) -> Finding:
        return _located(code, locator, key, index, field_key, value, field=title, **fields)

    if keyword == "enum":
        return located("plan-enum", choices="、".join(str(c) for c in expected))
    if keyword == "type":
        return located("plan-type", expected="数値" if "number" in expected or "integer" in expected else "文字")
    if keyword == "minItems" and index is None:
        return _located("plan-too-few", locator, key, None, None, "", field=title, count=expected)
    if keyword in ("minItems", "minLength"):
        return located("plan-required", hint=_HINTS.get(field_key or "", "入力してください。"))
    if keyword == "pattern":
        return located("plan-format", hint="IDに空白や「、」は使えません。")
    if keyword in _RANGE_HINTS:
        return located("plan-range", hint=_RANGE_HINTS[keyword].format(expected))
    return located("plan-format", hint=problem.message)


def _top_level(problem: _Problem, locator: Locator) -> Iterable[Finding]:
    if problem.keyword == "required":
        for name in problem.missing():
            sheet = plan_layout.sheet(name)
            yield finding("plan-sheet-missing", file=locator.file, sheet=sheet.title)
    elif problem.keyword == "additionalProperties":
        for name in problem.unknown():
            yield finding("plan-unknown-key", file=locator.file, value=name, name=name)
    else:
        yield finding("plan-format", file=locator.file, value="", field="計画体系", hint=problem.message)


def _field(path: list[str | int], key: str) -> str | None:
    """The field an error is about: a settings key, or a row's column (never deeper: a list's item is its field)."""
    position = 1 if plan_layout.sheet(key).is_settings else 2
    return str(path[position]) if len(path) > position else None


def _column(key: str, field_key: str | None) -> Column | None:
    if field_key is None:
        return None
    try:
        return plan_layout.sheet(key).column(field_key)
    except StopIteration:
        return None


def _located(code: str, locator: Locator, key: str, index: int | None, field_key: str | None, value: Any,
             **fields: Any) -> Finding:
    sheet_title, cell = locator.where(key, index, field_key)
    column = _column(key, field_key)
    fields.setdefault("field", column.title if column else (field_key or ""))
    return finding(code, file=locator.file, sheet=sheet_title, cell=cell, value=value, **fields)


def _display(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return "" if value is None else str(value)
