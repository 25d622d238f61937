"""The facts the tests check against, taken from the seed documents in ../shared/seeds.

`python3 tests/data/seed_facts.py` writes them to tests/data/seed_facts.json, which the tests read, so a
clone with nothing beside it is tested against the same facts; tests/test_seed_facts.py checks, where
the seeds are beside the project, that the JSON still says what they say.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
FACTS = Path(__file__).with_name("seed_facts.json")


def seed_text(prefix: str) -> str:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        raise FileNotFoundError(f"seed {prefix} not found in {SEEDS}")
    return found[0].read_text(encoding="utf-8")


def seed_000(text: str) -> dict:
    """The strategy: every KPI row as printed (name, baseline, target), the 体系図's 戦略方針 lines, and
    the bullets of 基本的方向 (the initiatives)."""
    rows, current = [], None
    for line in text.splitlines():
        cells = line.split("\t")
        if len(cells) == 3 and ("指 標" in cells[0] or "基 本 目 標" in cells[0]):
            current = True
        elif len(cells) == 3 and current:
            rows.append([c.strip() for c in cells])
        elif line.strip():
            current = None
    start = text.index("基本的方向")  # the 体系図 before it also has lines starting with "- "
    return {"kpi_rows": rows,
            "policy_lines": [line[2:] for line in text[:start].splitlines() if line.startswith("- 戦略方針 ")],
            "strategy_bullets": [line[2:] for line in text[start:].splitlines() if line.startswith("- ")]}


def seed_001(text: str) -> dict:
    """The 平成28年度 measure sheets: per 具体的施策 its number, title, KPI rows (4 cells) and the 事業 rows
    of both blocks (name, text); and every KPI table row with its table's target year."""
    blocks, current, mode = [], None, None
    for line in text.split("\n"):
        cells = line.split("\t")
        first = cells[0]
        if first == "具体的施策":
            number, title = re.fullmatch(r"(\d+-\d+-\d+) (.+)", cells[1]).groups()
            current = {"number": number, "title": title, "kpis": [], "done": [], "next": []}
            blocks.append(current)
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
    kpi_rows, header = [], None
    for line in text.splitlines():
        cells = line.split("\t")
        if cells[0] == "重要業績評価指標 (KPI)" and cells[1:3] == ["名称", "現状値"]:
            header = cells[-1]
            continue
        if header and cells[0] == "" and len(cells) == 5:
            kpi_rows.append([cells[1], cells[2], cells[3], cells[4], header.removeprefix("目標値(").rstrip(")")])
            continue
        header = None
    return {"blocks": blocks, "kpi_rows": kpi_rows}


def seed_002(text: str) -> dict:
    """The progress report: its paragraphs in order (headings without their marks, bullets without "- "),
    the 基本目標 headings, the measure lines (①…／②…) and the bullets."""
    paragraphs = []
    for line in text.splitlines():
        stripped = line.strip().lstrip("#").strip()
        if stripped:
            paragraphs.append(stripped[2:] if stripped.startswith("- ") else stripped)
    return {"paragraphs": paragraphs,
            "goal_headings": [p for p in paragraphs if re.match(r"基本目標 \d", p)],
            "measure_lines": [p for p in paragraphs if p.startswith("①")],
            "bullets": [line[2:] for line in text.splitlines() if line.startswith("- ")]}


def extract() -> dict:
    return {"000": seed_000(seed_text("000")), "001": seed_001(seed_text("001")), "002": seed_002(seed_text("002"))}


if __name__ == "__main__":
    FACTS.write_text(json.dumps(extract(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {FACTS}\n")
