"""The register of issued forms: every form the workspace hands out (department, period, a serial, its
signature), kept in the history beside the key that signed it.

A submission is then one of two things: a form this workspace issued (its signature in the register, or,
for a department and period the register has no record of, a signature this workspace's key made before
the register existed), or a forgery, whatever 様式版 it claims. Unsigned forms of 様式版 1 are only
accepted where this workspace issued them: the register's upgrade step records the version-1 forms the
history shows were accepted before.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kpireport.validate.issued import NOTHING_ISSUED, IssuedForms

LEGACY_VERSION = "1"

SCHEMA = """
CREATE TABLE issued_forms (
    serial INTEGER PRIMARY KEY, department TEXT NOT NULL, period TEXT NOT NULL, version TEXT NOT NULL,
    signature TEXT NOT NULL, issued_at TEXT NOT NULL
);
CREATE INDEX issued_forms_by_signature ON issued_forms(signature);
"""


@dataclass(frozen=True)
class IssuedForm:
    department: str
    period: str
    version: str
    signature: str  # '' for a version-1 form (unsigned)




def prepare(db: sqlite3.Connection) -> None:
    """Make the register in a history that has none: its upgrade step records the version-1 forms whose
    submissions the history accepted (the only trace of them), so those stay accepted."""
    if _has_register(db):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        if not _has_register(db):  # another process may have made it meanwhile
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(
                "INSERT INTO issued_forms (department, period, version, signature, issued_at)"
                " SELECT DISTINCT department, period, ?, '', MIN(received_at) FROM submissions"
                " WHERE accepted = 1 AND findings LIKE '%\"form-unsigned\"%' GROUP BY department, period",
                (LEGACY_VERSION,))
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _has_register(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'issued_forms'").fetchone() is not None


def record(db: sqlite3.Connection, forms: Iterable[IssuedForm]) -> list[int]:
    """Register forms just issued (in the caller's transaction); their serials."""
    issued_at = dt.datetime.now().replace(microsecond=0).isoformat()
    serials = []
    for form in forms:
        cursor = db.execute("INSERT INTO issued_forms (department, period, version, signature, issued_at)"
                            " VALUES (?, ?, ?, ?, ?)", (form.department, form.period, form.version, form.signature,
                                                        issued_at))
        serials.append(int(cursor.lastrowid or 0))
    return serials


def read(db: sqlite3.Connection) -> IssuedForms:
    signatures: set[str] = set()
    signed_for: set[tuple[str, str]] = set()
    legacy: set[tuple[str, str]] = set()
    last = ""
    for department, period, version, signature, issued_at in db.execute(
            "SELECT department, period, version, signature, issued_at FROM issued_forms"):
        if version == LEGACY_VERSION:
            legacy.add((department, period))
        else:
            signatures.add(signature)
            signed_for.add((department, period))
            last = max(last, issued_at)
    return IssuedForms(frozenset(signatures), frozenset(signed_for), frozenset(legacy), last)


def count(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT COUNT(*) FROM issued_forms").fetchone()[0])


def issued_in(history_file: Path) -> IssuedForms:
    """The register of a workspace's history file (nothing issued before the first form)."""
    if not Path(history_file).exists():
        return NOTHING_ISSUED
    db = sqlite3.connect(str(history_file), timeout=30, isolation_level=None)
    try:
        if not _has_register(db):
            return NOTHING_ISSUED
        return read(db)
    finally:
        db.close()
