"""The plan definition's layout, read from the JSON Schema: sheet and column titles, list fields.

The schema is the single source: a top-level property is a sheet (its title is the sheet name),
an item property is a column (its title is the header). The workbook reader and writer, and the
mapping of schema errors to cells, all go through this module.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

SETTINGS_KEY = "settings"
# Cells listing several items: 「観光政策課、商工労働課」, 「基本目標／基本方針／施策」.
LIST_SEPARATORS = re.compile(r"\s*(?:[、,，;；／/›>＞]|\r?\n)\s*")


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    description: str
    types: tuple[str, ...]  # JSON types of the value ("string", "number", "integer", "array")
    enum: tuple[str, ...]
    required: bool

    @property
    def is_list(self) -> bool:
        return "array" in self.types


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str
    description: str
    is_settings: bool
    required: bool
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def by_title(self) -> dict[str, Column]:
        return {c.title: c for c in self.columns}


@lru_cache(maxsize=1)
def schema() -> dict:
    text = resources.files("kpireport").joinpath("schemas/plan.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def _column(key: str, prop: dict, required: set[str]) -> Column:
    types = prop.get("type", "string")
    types = tuple(types) if isinstance(types, list) else (types,)
    enum = prop.get("enum") or prop.get("items", {}).get("enum") or ()
    return Column(key, prop.get("title", key), prop.get("description", ""), types, tuple(enum), key in required)


@lru_cache(maxsize=1)
def sheets() -> tuple[Sheet, ...]:
    """Every sheet of the plan workbook, in schema order."""
    top = schema()
    top_required = set(top.get("required", []))
    result = []
    for key, prop in top["properties"].items():
        is_settings = prop.get("type") == "object"
        obj = prop if is_settings else prop["items"]
        required = set(obj.get("required", []))
        columns = tuple(_column(k, p, required) for k, p in obj["properties"].items())
        result.append(Sheet(key, prop.get("title", key), obj.get("description", "") or prop.get("description", ""),
                            is_settings, key in top_required, columns))
    return tuple(result)


def sheet(key: str) -> Sheet:
    return next(s for s in sheets() if s.key == key)


def split_list(text: str) -> list[str]:
    return [part for part in LIST_SEPARATORS.split(text.strip()) if part]
