"""Where each part of a plan document came from: a Locator turns a place in the document (sheet key,
row index, field) into what a person looks for, a sheet name and a cell (workbook) or a path (JSON/YAML)."""
from __future__ import annotations

from dataclasses import dataclass, field

from kpireport.model import Finding
from kpireport.plan import layout as plan_layout


@dataclass
class Locator:
    """Places of a JSON/YAML document: the sheet title and a path like ``kpis[3].target``."""

    file: str

    def where(self, key: str, index: int | None = None, field: str | None = None) -> tuple[str, str]:
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

    def where(self, key: str, index: int | None = None, field: str | None = None) -> tuple[str, str]:
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


def short_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:200]
