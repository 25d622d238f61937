"""Check a plan document against the JSON Schema; every error becomes a located Japanese finding."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import jsonschema

from kpireport.messages import finding
from kpireport.model import Finding
from kpireport.plan import layout as plan_layout
from kpireport.plan.locator import Locator

_HINTS = {
    "target": "計画書の目標値を入力してください（例: 50%以上、維持）。",
    "baseline": "基準値のない指標は空欄のままでかまいません。",
    "unit": "単位のない指標は「なし」と入力してください。",
    "departments": "担当課を1つ以上入力してください。",
}


def check_schema(document: dict, locator: Locator) -> list[Finding]:
    validator = jsonschema.Draft202012Validator(plan_layout.schema())
    findings: list[Finding] = []
    for error in sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
        findings.extend(_to_findings(error, document, locator))
    return findings


def _to_findings(error: jsonschema.ValidationError, document: dict, locator: Locator) -> Iterable[Finding]:
    path = list(error.absolute_path)
    key = path[0] if path else None
    if key is None:
        yield from _top_level(error, locator)
        return
    index = path[1] if len(path) > 1 and isinstance(path[1], int) else None
    field_key = _field(path, key)
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in (error.instance or {})]
        for name in missing:
            if locator.column_missing(key, name):
                continue  # the whole column is missing: reported once by the reader
            yield _located("plan-required", locator, key, index, name, "", hint=_HINTS.get(name, "入力してください。"))
        return
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        for name in extra:
            yield _located("plan-unknown-key", locator, key, index, None, name, name=name)
        return
    column = _column(key, field_key)
    title = column.title if column else str(field_key)
    value = _display(error.instance)
    if error.validator == "enum":
        yield _located("plan-enum", locator, key, index, field_key, value, field=title,
                       choices="、".join(str(c) for c in error.validator_value))
    elif error.validator == "type":
        expected = "数値" if "number" in error.validator_value or "integer" in error.validator_value else "文字"
        yield _located("plan-type", locator, key, index, field_key, value, field=title, expected=expected)
    elif error.validator in ("minItems",) and index is None:
        yield _located("plan-too-few", locator, key, None, None, "", field=title, count=error.validator_value)
    elif error.validator in ("minItems", "minLength"):
        yield _located("plan-required", locator, key, index, field_key, value, field=title,
                       hint=_HINTS.get(field_key, "入力してください。"))
    elif error.validator == "pattern":
        yield _located("plan-format", locator, key, index, field_key, value, field=title,
                       hint="IDに空白や「、」は使えません。")
    elif error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "maxItems"):
        yield _located("plan-range", locator, key, index, field_key, value, field=title,
                       hint=_range_hint(error))
    else:
        yield _located("plan-format", locator, key, index, field_key, value, field=title, hint=error.message)


def _top_level(error: jsonschema.ValidationError, locator: Locator) -> Iterable[Finding]:
    if error.validator == "required":
        for name in error.validator_value:
            if name not in (error.instance or {}):
                sheet = plan_layout.sheet(name)
                yield finding("plan-sheet-missing", file=locator.file, sheet=sheet.title)
    elif error.validator == "additionalProperties":
        for name in sorted(set(error.instance) - set(error.schema.get("properties", {}))):
            yield finding("plan-unknown-key", file=locator.file, value=name, name=name)
    else:
        yield finding("plan-format", file=locator.file, value="", field="計画体系", hint=error.message)


def _field(path: list, key: str) -> Any:
    if plan_layout.sheet(key).is_settings:
        return path[1] if len(path) > 1 else None
    return path[2] if len(path) > 2 else None


def _column(key: str, field_key: Any):
    if field_key is None:
        return None
    try:
        return plan_layout.sheet(key).column(field_key)
    except StopIteration:
        return None


def _located(code: str, locator: Locator, key: str, index, field_key, value, **fields) -> Finding:
    sheet_title, cell = locator.where(key, index, field_key)
    column = _column(key, field_key)
    fields.setdefault("field", column.title if column else (field_key or ""))
    return finding(code, file=locator.file, sheet=sheet_title, cell=cell, value=value, **fields)


def _display(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return "" if value is None else str(value)


def _range_hint(error: jsonschema.ValidationError) -> str:
    limit = error.validator_value
    return {
        "minimum": f"{limit}以上にしてください。",
        "maximum": f"{limit}以下にしてください。",
        "exclusiveMinimum": f"{limit}より大きくしてください。",
        "exclusiveMaximum": f"{limit}より小さくしてください。",
        "maxItems": f"{limit}個までにしてください。",
    }[error.validator]
