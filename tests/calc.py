"""Type into a department's form as a person does, in LibreOffice Calc (headless, driven through UNO), and
save it as .xlsx, as Calc writes it. Where LibreOffice or its Python bridge is missing, openpyxl writes the
same cells instead (``calc_available()`` says which); in CI both are installed.

The UNO side runs in a Python that can import ``uno`` (Debian's python3-uno), as a script of its own
(``calc_fill.py``): typed text goes through Calc's own input handling (the dispatcher's EnterString, as
the keyboard does), so Calc reads 「3/31」 or 「1-2」 as a person's Calc would.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import openpyxl
import pytest

SCRIPT = Path(__file__).with_name("calc_fill.py")
DIST_PACKAGES = "/usr/lib/python3/dist-packages"


@lru_cache(maxsize=1)
def _uno_python() -> tuple[str, dict] | None:
    """An interpreter (and environment) that can import uno, or None."""
    if shutil.which("soffice") is None:
        return None
    candidates = [(sys.executable, dict(os.environ, PYTHONPATH=DIST_PACKAGES)), ("/usr/bin/python3", dict(os.environ))]
    for python, env in candidates:
        if Path(python).exists() and subprocess.run([python, "-c", "import uno"], env=env,
                                                    capture_output=True).returncode == 0:
            return python, env
    return None


def calc_available() -> bool:
    return _uno_python() is not None


def type_into(path: Path, entries: list[tuple[str, str, object]], target: Path | None = None) -> Path:
    """Type each (sheet, cell, text) into the workbook and save it (to ``target``, else in place).
    Text is typed as a person types it; None clears the cell."""
    target = Path(target or path)
    found = _uno_python()
    if found is None:
        return _with_openpyxl(path, entries, target)
    python, env = found
    job = {"source": str(Path(path).resolve()), "target": str(target.resolve()),
           "profile": (target.parent / ".lo-profile").resolve().as_uri(),
           "entries": [[sheet, cell, None if value is None else str(value)] for sheet, cell, value in entries]}
    job_file = target.parent / f".{target.stem}.calc.json"
    job_file.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    try:
        done = subprocess.run([python, str(SCRIPT), str(job_file)], env=env, capture_output=True, text=True,
                              timeout=240)
    finally:
        job_file.unlink()
    if done.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"LibreOffice could not type into {path.name}: {done.stderr[-2000:]}")
        return _with_openpyxl(path, entries, target)
    return target


def _with_openpyxl(path: Path, entries, target: Path) -> Path:
    workbook = openpyxl.load_workbook(path)
    for sheet, cell, value in entries:
        workbook[sheet][cell].value = _typed(value)
    workbook.save(target)
    return target


def _typed(value: object) -> object:
    """What a spreadsheet makes of typed text, as far as openpyxl can tell: plain numbers become numbers."""
    if not isinstance(value, str):
        return value
    try:
        number = float(value.replace(",", ""))
    except ValueError:
        return value
    return int(number) if number.is_integer() and "." not in value else number
