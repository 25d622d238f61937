"""Rows that write a repost (再掲) as a row of its own, the way the printed plan shows it (「【再掲】観光交流人口」
under a second measure), or copy another indicator row whole. The tool counts each row as an item of its own:
the KPI is counted twice in the tallies, and its department is asked for the same figure twice. A repost is
one row with the second place in 再掲先ID; these checks say so at the row."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from kpireport.plan.records import PlanReader

# 【再掲】 and the brackets people type for it (［再掲］, (再掲), 〔再掲〕), at the start of a name
REPOST_MARK = re.compile(r"^\s*[【\[(〔〈《]\s*再掲\s*[】\])〕〉》]\s*")
ITEMS = {"kpis": ("指標", ("name",)), "initiatives": ("取組", ("content", "name"))}


def check_repost_rows(reader: PlanReader) -> None:
    for key, (item, fields) in ITEMS.items():
        records = reader.records(key)
        marked = set()
        for index, record in records:
            for field in fields:
                text = _text(record.get(field))
                base = REPOST_MARK.sub("", text)
                if base != text and base:
                    marked.add(index)
                    reader.report("plan-repost-row", key, index, field, text, item=item,
                                  advice=_advice(item, field, index, record, base, records))
                    break
        if key == "kpis":
            _check_copied_kpis(reader, [(i, r) for i, r in records if i not in marked])


def _advice(item: str, field: str, index: int, record: dict, base: str, records: list[tuple[int, dict]]) -> str:
    """What to do: name the original row (same name without the mark) and the place to add to its 再掲先ID."""
    node = _text(record.get("node"))
    place = f"「{node}」" if node else "この行の掲載先ID"
    original = next((r for i, r in records if i != index and _text(r.get(field)) == base), None)
    if original is None:
        return (f"再掲なら、元の{item}の再掲先IDに{place}を書き、この行は削除してください。"
                "別の項目なら、名前から【再掲】を除いてください。")
    ident = _text(original.get("id")) or base
    return f"再掲は元の{item}（{ident}）の再掲先IDに{place}を書き、この行は削除してください。"


def _check_copied_kpis(reader: PlanReader, records: list[tuple[int, dict]]) -> None:
    """A KPI row with the same name, unit, target and departments as an earlier row: a repost written as a copy."""
    seen: dict[tuple, tuple[int, dict]] = {}
    for index, record in records:
        name = _text(record.get("name"))
        if not name or record.get("target") is None:
            continue
        same = (name, _text(record.get("unit")), _text(record.get("target")), _departments(record.get("departments")))
        if same not in seen:
            seen[same] = (index, record)
            continue
        first_index, first = seen[same]
        _, first_cell = reader.locator.where("kpis", first_index, "id")
        node = _text(record.get("node")) or "この行の掲載先ID"
        reader.report("plan-duplicate-row", "kpis", index, "name", name, first=first_cell or f"{first_index + 1}件目",
                      original=_text(first.get("id")) or name, node=node)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(_text(v) for v in value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _departments(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    return tuple(sorted(_text(v) for v in items))
