"""Read a plan definition file (.xlsx, .json, .yaml) into a plain document (dict) with a Locator that
remembers where each entry came from (plan.locator). The document has the shape of
schemas/plan.schema.json whatever the source."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from kpireport.messages import finding
from kpireport.plan.locator import Locator, Source, short_error
from kpireport.plan.workbook import read_plan_workbook


def read_source(path: Path) -> Source:
    """Read a plan from .xlsx, .json, .yaml or .yml. Reading problems become findings."""
    path = Path(path)
    name = path.name
    if not path.exists():
        return Source({}, Locator(name), [finding("plan-file-missing", file=str(path))])
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_plan_workbook(path)
    if suffix not in (".json", ".yaml", ".yml"):
        return Source({}, Locator(name), [finding("plan-file-type", file=name, suffix=suffix or "拡張子なし")])
    try:
        text = path.read_text(encoding="utf-8-sig")
        document = json.loads(text) if suffix == ".json" else load_yaml(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        return Source({}, Locator(name), [finding("plan-file-unreadable", file=name, detail=short_error(exc))])
    if not isinstance(document, dict):
        return Source({}, Locator(name), [finding("plan-file-unreadable", file=name,
                                                  detail="先頭が項目の一覧（オブジェクト）になっていません")])
    return Source(document, Locator(name), [])


def load_yaml(text: str) -> Any:
    """Safe YAML loading, with the C parser when PyYAML has it (ten times faster)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
