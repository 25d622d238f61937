"""Helpers for the office's-year tests: the real command line run as a process on files made as a department
makes them — the form the office sent, copied, renamed, filled in Excel and saved."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from kpireport.demo.fill import fill_form
from kpireport.forms import layout as fl
from kpireport.periods import ReportPeriod
from kpireport.plan.load import load_plan

PROJECT = Path(__file__).resolve().parents[1]
WINLIKE = Path(__file__).resolve().parent / "winlike"


def kpireport(*args: str, cwd: Path, windows: bool = False, **env: str) -> subprocess.CompletedProcess:
    """The command as a planning officer runs it (``windows``: under the Windows stand-in, tests/winlike)."""
    path = os.pathsep.join([str(WINLIKE), str(PROJECT)]) if windows else str(PROJECT)
    encoding = "cp932" if windows else "utf-8"
    merged = {**os.environ, "PYTHONPATH": path, "PYTHONIOENCODING": encoding, **env}
    return subprocess.run([sys.executable, "-m", "kpireport", *args], cwd=cwd, env=merged, capture_output=True,
                          text=True, encoding=encoding, timeout=600)


def ok(*args: str, cwd: Path, windows: bool = False, **env: str) -> str:
    done = kpireport(*args, cwd=cwd, windows=windows, **env)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    return done.stdout


def sent_form(workspace: Path, period: ReportPeriod, department: str) -> Path:
    """The form `kpireport forms` made for the department (input_templates/<期間>/)."""
    name = fl.form_file_name(period, department)
    return workspace / "input_templates" / Path(name).stem.rsplit("_", 1)[0] / name


def returned(workspace: Path, period: ReportPeriod, department: str, target: Path, fill: bool = True) -> Path:
    """The department's copy of its form, filled in and saved under ``target`` (a name it chose, a subfolder)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(sent_form(workspace, period, department), target)
    if fill:
        fill_form(target, load_plan(workspace / "計画体系.xlsx").plan, department, period)
    return target


def section(output: str, title: str) -> list[str]:
    """The lines of a `status` section (■ title …) up to the next one."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"■ {title}"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("■ ")), len(lines))
    return lines[start:end]


def saved_at(path: Path, when: str, on_disk: float) -> Path:
    """The workbook as Excel saved it at ``when`` (docProps/core.xml), copied onto this disk at ``on_disk``."""
    with zipfile.ZipFile(path) as package:
        parts = [(info, package.read(info)) for info in package.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + when.encode(), data)
            package.writestr(info, data)
    os.utime(path, (on_disk, on_disk))
    return path
