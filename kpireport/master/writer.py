"""The master workbook (xlsxwriter): summary with native charts, KPI list, initiatives, narratives,
submission status, findings and changes since the previous merge. One module per sheet; each writes
with master.sheet_writer.

Every value is written with its typed method; department text is always written as text, so a
cell starting with "=" stays literal. A writer return code that signals truncation is an error.
"""
from __future__ import annotations

import io
from pathlib import Path

import xlsxwriter

from kpireport.errors import KpireportError
from kpireport.evaluate.results import PeriodResults
from kpireport.master import (
    checklist,
    initiative_list,
    kpi_list,
    narrative_list,
    review_sheets,
    series,
    submission_status,
    summary,
)
from kpireport.master.sheet_writer import SHORTENED, SheetWriter
from kpireport.runtime.atomic import atomic_write

__all__ = ["SHORTENED", "write_master"]


def write_master(data: PeriodResults, path: Path) -> list[str]:
    """Write the master workbook; atomic. Returns what it had to shorten (Japanese lines naming the cell and
    where the full text is): accepted text never stops the master."""
    # the workbook is made in memory and then written in one go: a disk that fills up mid-way leaves no
    # half-closed zip behind (its clean-up at exit printed a traceback), and the old master stays as it was
    made = io.BytesIO()
    try:
        with atomic_write(path, "台帳") as handle:
            workbook = xlsxwriter.Workbook(made, {"strings_to_numbers": False, "strings_to_formulas": False,
                                                  "strings_to_urls": False, "in_memory": True})
            workbook.set_properties({"title": f"{data.plan.settings.city} {data.period.label} 台帳",
                                     "author": "kpireport"})
            writer = SheetWriter(workbook, data)
            summary.add(writer)
            kpi_list.add(writer)
            series.add(writer)
            initiative_list.add(writer)
            narrative_list.add(writer)
            submission_status.add(writer)
            checklist.add(writer)
            review_sheets.add_attention(writer)
            review_sheets.add_findings(writer)
            review_sheets.add_changes(writer)
            workbook.close()
            handle.write(made.getbuffer())
    except OSError as exc:
        raise KpireportError(f"{path} に書き込めません（{exc.strerror or exc}）。フォルダの空き容量と書き込み権限を確認し、"
                             "もう一度実行してください（前回の台帳はそのまま残っています）。") from exc
    return writer.notes
