"""Read a plan definition file into a plain document (dict), remembering where each entry came from.

The document has the shape of schemas/plan.schema.json whatever the source. A Locator turns a
place in the document (sheet key, row index, field) into what a person looks for: a sheet name
and a cell (workbook) or a path (JSON/YAML).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import yaml

from kpireport.messages import finding
from kpireport.model import Finding
from kpireport.plan import layout as plan_layout


@dataclass
class Locator:
    """Places of a JSON/YAML document: the sheet title and a path like ``kpis[3].target``."""

    file: str

    def where(self, key: str, index: Optional[int] = None, field: Optional[str] = None) -> tuple[str, str]:
        sheet_title = plan_layout.sheet(key).title if key in {s.key for s in plan_layout.sheets()} else key
        path = key
        if index is not None:
            path += f"[{index}]"
        if field is not None:
            path += f".{field}"
        return sheet_title, path

    def column_missing(self, key: str, field: str) -> bool:
        return False


@dataclass
class WorkbookLocator(Locator):
    """Places of a plan workbook: rows of each entry and columns of each field."""

    rows: dict[tuple[str, object], int] = field(default_factory=dict)
    columns: dict[tuple[str, str], str] = field(default_factory=dict)
    missing_columns: set[tuple[str, str]] = field(default_factory=set)

    def where(self, key: str, index: Optional[int] = None, field: Optional[str] = None) -> tuple[str, str]:
        sheet = plan_layout.sheet(key)
        if sheet.is_settings:
            row = self.rows.get((key, field))
            return sheet.title, f"B{row}" if row else ""
        row = self.rows.get((key, index))
        column = self.columns.get((key, field)) if field else None
        if row is None:
            return sheet.title, ""
        return sheet.title, f"{column}{row}" if column else f"{row}行目"

    def column_missing(self, key: str, field: str) -> bool:
        return (key, field) in self.missing_columns


@dataclass
class Source:
    """A plan definition as read: the document, where its parts came from, and reading problems."""

    document: dict
    locator: Locator
    findings: list[Finding]


def read_source(path: Path) -> Source:
    """Read a plan from .xlsx, .json, .yaml or .yml. Reading problems become findings."""
    path = Path(path)
    name = path.name
    if not path.exists():
        return Source({}, Locator(name), [finding("plan-file-missing", file=str(path))])
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from kpireport.plan.workbook import read_plan_workbook

        return read_plan_workbook(path)
    if suffix not in (".json", ".yaml", ".yml"):
        return Source({}, Locator(name), [finding("plan-file-type", file=name, suffix=suffix or "拡張子なし")])
    try:
        text = path.read_text(encoding="utf-8-sig")
        document = json.loads(text) if suffix == ".json" else load_yaml(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        return Source({}, Locator(name), [finding("plan-file-unreadable", file=name, detail=_short(exc))])
    if not isinstance(document, dict):
        return Source({}, Locator(name), [finding("plan-file-unreadable", file=name,
                                                  detail="先頭が項目の一覧（オブジェクト）になっていません")])
    return Source(document, Locator(name), [])


def load_yaml(text: str):
    """Safe YAML loading, with the C parser when PyYAML has it (ten times faster)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:200]
