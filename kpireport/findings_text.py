"""Findings as terminal text: an aligned table that counts Japanese characters as two columns."""
from __future__ import annotations

from collections.abc import Iterable

from kpireport.model import Finding
from kpireport.text_layout import display_width as width

SEVERITY_LABEL = {"error": "エラー", "warning": "警告"}


def pad(text: str, size: int) -> str:
    return text + " " * max(size - width(text), 0)


def counts(findings: Iterable[Finding]) -> tuple[int, int]:
    items = list(findings)
    return (sum(f.severity == "error" for f in items), sum(f.severity == "warning" for f in items))


def verdict(name: str, findings: list[Finding]) -> str:
    errors, warnings = counts(findings)
    state = "OK" if errors == 0 else "要修正"
    return f"{name}: {state}（エラー {errors}件、警告 {warnings}件）"


def table(findings: list[Finding]) -> list[str]:
    """One line per finding: severity, place, code, message."""
    rows = [(SEVERITY_LABEL[f.severity], _place(f), f.code, f.message) for f in findings]
    if not rows:
        return []
    sizes = [max(width(r[i]) for r in rows) for i in range(3)]
    return ["  " + "  ".join(pad(cell, sizes[i]) for i, cell in enumerate(r[:3])) + "  " + r[3] for r in rows]


def _place(f: Finding) -> str:
    if f.sheet and f.cell:
        return f"{f.sheet}!{f.cell}"
    return f.sheet or "(ファイル全体)"
