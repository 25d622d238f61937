"""Seed 001 (平成28年度 measure sheets) as rows, to compare the generated measure sheets with."""
from __future__ import annotations

import re

from conftest import seed_text


def blocks() -> list[dict]:
    """Per 具体的施策: number, title, KPI rows (4 cells), 事業 rows of both blocks (name, text)."""
    result, current, mode = [], None, None
    for line in seed_text("001").split("\n"):
        cells = line.split("\t")
        first = cells[0]
        if first == "具体的施策":
            number, title = re.fullmatch(r"(\d+-\d+-\d+) (.+)", cells[1]).groups()
            current = {"number": number, "title": title, "kpis": [], "done": [], "next": []}
            result.append(current)
            mode = None
            continue
        if current is None or first == "内容":
            continue
        if first == "重要業績評価指標 (KPI)":
            mode = "kpis"
            continue
        if first.startswith("重要業績評価指標 (KPI) 達成に向け"):
            mode, row = "done", cells[1:]
        elif first.startswith("平成29年度以降の"):
            mode, row = "next", cells[1:]
        elif not line.strip():
            continue
        else:
            row = cells[1:] if first == "" else cells
        if mode == "kpis":
            current["kpis"].append(row[:4])
        elif mode in ("done", "next"):
            current[mode].append(row[:2])
    return result
