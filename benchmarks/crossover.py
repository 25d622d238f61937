"""Where worker processes start to pay, with spawn: forms written and inbox files checked, in one process
and in two worker processes, for growing counts (the large benchmark city's forms and files).

    python3 benchmarks/crossover.py                   # prints a table; --out adds it to a file
    python3 benchmarks/crossover.py --forms 10,20,40,60 --files 20,60,120,240 --runs 3

Each figure is the median of ``--runs`` calls of the same map (kpireport.runtime.parallel.process_map, a new
pool each call, as each command makes one), after the imports, in this process. The workers' start-up,
imports and the pickling of the plan are in the two-process figures.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # this checkout's code, whatever is installed (spawned workers get sys.path too)


def timed(call, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def one_and_two(function, items: list, runs: int) -> tuple[float, float]:
    """The map's median time in one process and with two worker processes."""
    from kpireport.runtime.parallel import process_map

    figures = []
    for count in (1, 2):
        os.environ["KPIREPORT_WORKERS"] = str(count)
        try:
            figures.append(timed(lambda: process_map(function, items, min_items=1), runs))
        finally:
            os.environ.pop("KPIREPORT_WORKERS", None)
    return figures[0], figures[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--forms", default="10,20,30,45,60")
    parser.add_argument("--files", default="30,60,120,240")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=None, help="append the table to this file")
    args = parser.parse_args()

    import run as bench

    from kpireport.forms.writer import FormWriter, form_departments
    from kpireport.history.store import form_key_in
    from kpireport.validate.files import intake_limits
    from kpireport.workspace import Workspace
    from kpireport.workspace.checking import FileCheck, previous_values

    work = Path(tempfile.mkdtemp(prefix="kpireport-crossover-"))
    try:
        ws = Workspace.create(work / "large", document=bench.make_document("large"))
        plan, period = ws.plan(), ws.period()
        key = form_key_in(ws.history_file)
        names = form_departments(plan)
        rows = []
        for count in [int(n) for n in args.forms.split(",")]:
            chosen = names[:count]
            target = work / f"forms{count}"
            writer = FormWriter(plan, period, target, key)
            one, two = one_and_two(writer, chosen, args.runs)
            rows.append(("forms written", count, one, two))
            print(rows[-1], flush=True)
        forms = sorted((work / f"forms{max(int(n) for n in args.forms.split(','))}").glob("*.xlsx"))
        filled = work / "filled"
        filled.mkdir()
        for form in forms:
            bench._fill_one((form, plan, period, filled / form.name, False))
        check = FileCheck(plan, period, previous_values(ws.history_file, plan, period), intake_limits(plan), key)
        for count in [int(n) for n in args.files.split(",")]:
            files = []
            for i in range(count):  # the filled forms again under other names, as many as asked
                source = forms[i % len(forms)]
                copy = work / f"inbox{count}" / f"{i:04d}_{source.name}"
                copy.parent.mkdir(exist_ok=True)
                shutil.copyfile(filled / source.name, copy)
                files.append(copy)
            one, two = one_and_two(check, files, args.runs)
            rows.append(("inbox files checked", count, one, two))
            print(rows[-1], flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table = ["| map | items | one process s | two workers s | two ÷ one |", "|---|---:|---:|---:|---:|"]
    table += [f"| {what} | {count} | {one:.2f} | {two:.2f} | {two / one:.2f} |" for what, count, one, two in rows]
    text = "\n".join(table)
    print(text)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")


if __name__ == "__main__":
    main()
