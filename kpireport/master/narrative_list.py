"""The master's sheet 主な取組と方向性: each node's achievements this year and direction for the next, as
the departments wrote them (bullets), or 「（未提出）」."""
from __future__ import annotations

from kpireport import labels
from kpireport.master.sheet_writer import Headers, SheetWriter
from kpireport.values import format_year

SHEET = "主な取組と方向性"


def add(writer: SheetWriter) -> None:
    period = writer.data.period
    year, next_year = format_year(period.fiscal_year), format_year(period.fiscal_year + 1)
    headers: Headers = [("体系", 36), ("担当課", 14), (f"{year} 主な取組内容／実績", 60),
                        (f"{next_year} 主な取組／今後の方向性", 60)]
    ws = writer.sheet(SHEET, headers)
    rows, sources = [], []
    for node in (n for n in writer.plan.nodes if n.departments):
        entry = writer.data.narratives.get(node.id)
        rows.append([labels.node_path(writer.plan, node.id), "、".join(node.departments),
                     labels.bullets_text(entry.achievements) if entry else "（未提出）",
                     labels.bullets_text(entry.next_steps) if entry else "（未提出）"])
        sources.append(f"体系 {node.id}（{'、'.join(node.departments)}）")
    writer.finish_table(ws, 2, writer.table_rows(ws, headers, rows, sources=sources), len(headers))
