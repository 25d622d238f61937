"""Validate a set of submitted files (an inbox folder or a list of paths) and report on them.

The report object is what `kpireport validate --json` prints, unchanged.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

from kpireport.intake.reader import IntakeLimits, read_submission
from kpireport.model import Plan, PreviousActuals, Submission, ValidationResult, Value
from kpireport.periods import ReportPeriod
from kpireport.validate.issued import IssuedForms
from kpireport.validate.rules import UNREAD_SHEETS, validate_submission

LOCK_PREFIX = "~$"  # Excel's owner file while a workbook is open: not a submission
# what Windows, macOS and Office leave in any folder: never a submission, never worth a word
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", ".ds_store", "ehthumbs.db"})


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Files to validate (folders expanded with their subfolders, which offices use to file mail by
    department or by date; sorted), and skipped files (Excel's lock files and hidden files). The files
    Windows and macOS leave in folders (Thumbs.db, desktop.ini, .DS_Store) are left out without a word."""
    files: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        for entry in _entries(Path(path)):
            if entry.name.lower() in SYSTEM_FILES:
                continue
            (skipped if entry.name.startswith((LOCK_PREFIX, ".")) else files).append(entry)
    return files, skipped


def _entries(path: Path) -> list[Path]:
    """A file as named; a folder's files, those of its subfolders too (hidden folders aside), in path order."""
    if not path.is_dir():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(path).parent.parts))


def shown_name(path: Path, folder: Path | None) -> str:
    """How a file is named to the office: its name, with the subfolder it was filed in (総務課/様式.xlsx)."""
    if folder is None or not path.is_relative_to(folder):
        return path.name
    return path.relative_to(folder).as_posix()


def intake_limits(plan: Plan) -> IntakeLimits:
    """The intake limits from the plan's settings (the office can raise them for big forms)."""
    settings = plan.settings
    mb = 1024 * 1024
    return IntakeLimits(max_file_bytes=int(settings.intake_max_file_mb * mb),
                        max_total_bytes=int(settings.intake_max_expanded_mb * mb),
                        max_entry_bytes=int(min(settings.intake_max_expanded_mb, Decimal(100)) * mb),
                        max_rows=settings.intake_max_rows)


def validate_file(plan: Plan, path: Path, period: ReportPeriod | None,
                  previous: Mapping[str, Value] | PreviousActuals | None = None, limits: IntakeLimits | None = None,
                  key: bytes | None = None) -> ValidationResult:
    """Read and validate one submitted file; its problems are findings, never exceptions. ``key``: the
    workspace's form secret (the signature is checked with it)."""
    return read_and_validate(plan, path, period, previous, limits, key)[0]


def read_and_validate(plan: Plan, path: Path, period: ReportPeriod | None,
                      previous: Mapping[str, Value] | PreviousActuals | None = None, limits: IntakeLimits | None = None,
                      key: bytes | None = None, issued: IssuedForms | None = None
                      ) -> tuple[ValidationResult, Submission]:
    """validate_file, with the file as intake read it (the feedback copy is written from it, not read again).
    ``issued``: the workspace's register of issued forms (validate.rules.validate_submission)."""
    submission = read_submission(path, limits or intake_limits(plan), UNREAD_SHEETS)
    return validate_submission(plan, submission, period, previous, key, issued), submission


def validate_files(plan: Plan, files: Iterable[Path], period: ReportPeriod | None,
                   previous: Mapping[str, Value] | PreviousActuals | None = None, key: bytes | None = None,
                   issued: IssuedForms | None = None) -> list[ValidationResult]:
    """Read and validate each file; one file's problems never stop the others."""
    limits = intake_limits(plan)
    return [read_and_validate(plan, path, period, previous, limits, key, issued)[0] for path in files]


def report(results: list[ValidationResult]) -> dict:
    """The validation report as plain data: overall verdict, counts, and one task per file."""
    errors = sum(r.errors for r in results)
    warnings = sum(r.warnings for r in results)
    return {
        "valid": errors == 0,
        "stats": {"files": len(results), "valid_files": sum(r.valid for r in results),
                  "errors": errors, "warnings": warnings},
        "tasks": [{
            "file": r.file, "sha256": r.sha256, "department": r.department, "period": r.period,
            "valid": r.valid, "errors": r.errors, "warnings": r.warnings,
            "findings": [f.as_dict() for f in r.findings],
        } for r in results],
    }
