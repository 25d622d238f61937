#!/usr/bin/env python3
"""Time and peak memory of `kpireport validate` on each hostile class, and of the large city's feedback copies.

    python3 benchmarks/hostile.py [--classes far-cell,zip-bomb] [--timeout 150] [--skip-copies] [--workdir DIR]

Hostile classes (benchmarks/hostile_files.py): each is a genuine form of the example workspace (美祢市) with one
planted mistake, so validation has a finding and the tool would write a feedback copy, changed in one part.
Each `python3 -m kpireport validate -w <workspace> <file>` runs in a child process; its wall time and peak
resident memory (ru_maxrss of the waited-for child, measured by a fresh wrapper process per file) are printed,
and the same for the steps `validate` takes once the CLI gives the feedback copy the plan ("with_plan": read,
validate, copy written from the form), and what the copy holds (the whole form, or only the findings).

Feedback copies: the large benchmark city (benchmarks/run.py), its six forms with a planted mistake validated
once, then the six copies written one after the other in this process and timed together.
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
# the code measured is this checkout's, whatever kpireport is installed: here and in the `python -m kpireport` children
sys.path.insert(0, str(HERE.parent))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")]))

import hostile_files  # noqa: E402  (beside this script)

MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
try:
    done = subprocess.run(sys.argv[2:], capture_output=True, timeout=float(sys.argv[1]))
    code = done.returncode
except subprocess.TimeoutExpired:
    code = "timeout"
print(repr((time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, code)))
"""


def measure(command: list[str], timeout: float) -> tuple[float, float, object]:
    """(seconds, peak MB, exit code or "timeout") of ``command`` in a child of a fresh wrapper process."""
    done = subprocess.run([sys.executable, "-c", MEASURE, str(timeout), *command], capture_output=True, text=True,
                          check=True)
    seconds, megabytes, code = eval(done.stdout.strip())  # our own repr of a tuple of numbers and a word
    return seconds, megabytes, code


# `validate` as it runs once its feedback copy is given the plan (the call the CLI is to make): one file
WITH_PLAN = """
import sys
from pathlib import Path
from kpireport.workspace import Workspace
from kpireport.history.store import form_key_in
from kpireport.intake.reader import read_submission
from kpireport.validate.feedback import write_feedback
from kpireport.validate.files import intake_limits
from kpireport.validate.rules import UNREAD_SHEETS, validate_submission
ws, path = Workspace(Path(sys.argv[1])), Path(sys.argv[2])
plan = ws.plan()
submission = read_submission(path, intake_limits(plan), UNREAD_SHEETS)
result = validate_submission(plan, submission, ws.period(), {}, form_key_in(ws.history_file))
if result.findings:
    write_feedback(path, list(result.findings), ws.feedback / path.name, plan=plan, submission=submission)
"""


def planted_form(workspace: Path, folder: Path) -> Path:
    """A filled form of the example's 観光政策課 with one value typed as words (kpi-value-unreadable)."""
    import openpyxl

    from kpireport.demo.fill import fill_form
    from kpireport.forms import layout as fl
    from kpireport.workspace import Workspace

    ws = Workspace(workspace)
    ws.make_forms()
    plan = ws.plan()
    period = ws.period()
    department = "観光政策課"
    form = ws.forms_folder(period) / fl.form_file_name(period, department)
    target = fill_form(form, plan, department, period, folder / form.name)
    workbook = openpyxl.load_workbook(target)
    column = 1 + [c.key for c in fl.data_sheets(plan, department, period)[0].columns].index("actual")
    workbook[fl.KPI_SHEET].cell(fl.FIRST_ROW, column).value = "たくさん"
    workbook.save(target)
    return target


def bench_hostile(workdir: Path, classes: list[str], timeout: float) -> list[dict]:
    from kpireport.validate.feedback import write_feedback

    workspace = workdir / "example"
    subprocess.run([sys.executable, "-m", "kpireport", "init", str(workspace)], check=True, capture_output=True)
    files = workdir / "files"
    files.mkdir()
    form = planted_form(workspace, files)
    rows = []
    for kind in ["genuine", *classes]:
        path = form if kind == "genuine" else hostile_files.hostile_form(form, kind, files / f"{kind}.xlsx")
        row: dict = dict(kind=kind, disk_kb=round(path.stat().st_size / 1024))
        commands = {"cli": [sys.executable, "-m", "kpireport", "validate", "-w", str(workspace), "--silent", str(path)]}
        if "plan" in inspect.signature(write_feedback).parameters:
            commands["with_plan"] = [sys.executable, "-c", WITH_PLAN, str(workspace), str(path)]
        for how, command in commands.items():
            shutil.rmtree(workspace / "output" / "feedback", ignore_errors=True)
            seconds, megabytes, code = measure(command, timeout)
            copies = [_sheets(p) for p in sorted((workspace / "output" / "feedback").glob("*.xlsx"))]
            row[how] = dict(seconds=round(seconds, 2), peak_mb=round(megabytes), exit=code, copies=copies)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return rows


def _sheets(copy: Path) -> str:
    """What a copy holds: the whole form or only the findings sheet."""
    import openpyxl

    book = openpyxl.load_workbook(copy, read_only=True)
    try:
        return "findings only" if book.sheetnames == ["検証結果"] else f"form ({len(book.sheetnames)} sheets)"
    finally:
        book.close()


def bench_copies(workdir: Path, runs: int) -> dict:
    """The large city's six feedback copies, written after validation, timed together (best of ``runs``)."""
    import run as bench_run  # benchmarks/run.py

    from kpireport.history.store import form_key_in
    from kpireport.intake.reader import read_submission
    from kpireport.validate import feedback
    from kpireport.validate.files import intake_limits
    from kpireport.validate.rules import UNREAD_SHEETS, validate_submission
    from kpireport.workspace import Workspace

    ws = Workspace.create(workdir / "large", document=bench_run.make_document("large"))
    key = form_key_in(ws.history_file)
    ws.make_forms()
    plan = ws.plan()
    period = ws.period()
    forms = sorted(ws.forms_folder(period).glob("*.xlsx"))
    ws.inbox.mkdir(exist_ok=True)
    planted = [form for index, form in enumerate(forms) if index % bench_run.PLANTED_EVERY == bench_run.PLANTED_EVERY - 1]
    checked = []
    for form in planted:
        bench_run._fill_one((form, plan, period, ws.inbox / form.name, True))
        submission = read_submission(ws.inbox / form.name, intake_limits(plan), UNREAD_SHEETS)
        checked.append((ws.inbox / form.name, submission, validate_submission(plan, submission, period, {}, key)))
    out = workdir / "copies"
    timings = []
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        for path, submission, result in checked:
            if "plan" in inspect.signature(feedback.write_feedback).parameters:
                feedback.write_feedback(path, list(result.findings), out / path.name, plan=plan, submission=submission)
            else:  # the copy before it was written from the form (for the figures before)
                feedback.write_feedback(path, list(result.findings), out / path.name)
        timings.append(time.perf_counter() - started)
    figures = dict(copies=len(checked), best_s=round(min(timings), 3), runs=[round(t, 3) for t in timings])
    print(json.dumps(figures), flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classes", default=",".join(hostile_files.CLASSES))
    parser.add_argument("--timeout", type=float, default=150.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-copies", action="store_true")
    parser.add_argument("--skip-hostile", action="store_true")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kpireport-hostile-"))
    os.environ.setdefault("KPIREPORT_SOFFICE", str(workdir / "no-libreoffice"))
    sys.path.insert(0, str(HERE))
    import run as bench_run

    print(json.dumps({"machine_loop_s": round(bench_run.machine_speed(), 2)}), flush=True)
    try:
        if not args.skip_hostile:
            bench_hostile(workdir, [c for c in args.classes.split(",") if c], args.timeout)
        if not args.skip_copies:
            bench_copies(workdir, args.runs)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
