"""The master's sheet 「未提出・未記入」: what the period's results still lack, one row each (evaluate/missing.py),
the same list `kpireport report` prints. The council report never shows it."""
from __future__ import annotations

from kpireport.evaluate.missing import missing_rows
from kpireport.master.sheet_writer import Headers, SheetWriter

SHEET = "未提出・未記入"
HEADERS: Headers = [("区分", 24), ("担当課", 20), ("ID", 12), ("名称", 70)]


def add(writer: SheetWriter) -> None:
    """Write the sheet with the master writer's helpers (its sheet, rows and filter)."""
    ws = writer.sheet(SHEET, HEADERS)
    rows = [[row.kind, row.department, row.ident, row.name] for row in missing_rows(writer.data)]
    last = writer.table_rows(ws, HEADERS, rows)
    if not rows:
        writer.put(ws, 3, 0, "未提出の課、実績値のない指標、記述のない項目、報告のない取組はありません。", writer.f["note"])
    writer.finish_table(ws, 2, last, len(HEADERS))
