"""The department forms of the embedded example, committed under input_templates/.

Regenerate them after changing the forms or the example: python3 tests/example_forms.py
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "input_templates"
GENERATED_AT = dt.datetime(2024, 4, 1, 9, 0)  # fixed, so regenerating changes nothing
EXAMPLE_KEY = b"kpireport example forms"  # a workspace signs its own forms with its own secret


def regenerate(folder: Path) -> list[Path]:
    from kpireport.forms.writer import write_forms
    from kpireport.periods import ReportPeriod
    from kpireport.plan.load import example_path, load_plan

    plan = load_plan(example_path()).plan
    period = ReportPeriod(plan.settings.actual_year)
    return write_forms(plan, period, Path(folder) / period.file_label, EXAMPLE_KEY, generated_at=GENERATED_AT)


def contents(path: Path) -> dict:
    """What a form holds, independent of the writer's version: sheets, cells, locks, rules, layout."""
    workbook = openpyxl.load_workbook(path)
    result = {}
    for ws in workbook.worksheets:
        result[ws.title] = {
            "state": ws.sheet_state,
            "protected": ws.protection.sheet,
            "cells": {c.coordinate: (c.value, c.protection.locked) for row in ws.iter_rows() for c in row
                      if c.value is not None or not c.protection.locked},
            "rules": sorted((str(v.sqref), v.type, v.formula1, v.prompt, v.error)
                            for v in ws.data_validations.dataValidation),
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
            "print_titles": ws.print_title_rows,
        }
    return result


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for written in regenerate(COMMITTED):
        print(written.relative_to(ROOT))
