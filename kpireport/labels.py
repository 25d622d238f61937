"""Display texts derived from the plan, shared by forms, master and report (all Japanese)."""
from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache

from kpireport.model import Initiative, InitiativeEntry, Kpi, Node, Plan, Value
from kpireport.values import format_value, format_year, parse_value

PATH_SEPARATOR = " ＞ "
PLAN_AS_A_WHOLE = "（計画全体）"
REPOST = "【再掲】"  # an item listed again under another node than its own
NO_VALUE = "－"
EXCEL_TEXT_LIMIT = 32_767  # characters in one cell of a workbook


def node_heading(plan: Plan, node: Node) -> str:
    """「基本目標1 「魅力の創出・交流」の拡大」, 「戦略方針1-1 多様な雇用の場づくり」, 「①観光の振興」."""
    info = plan.plan(node.plan)
    title = " ".join(node.title.split()) + markers_text(node.markers)  # a double space typed is not printed
    if node.number and node.number[0].isdigit():
        return f"{node.label(info)}{node.number} {title}"
    return f"{node.number}{title}"


def markers_text(markers: Iterable[str]) -> str:
    """「【新】【拡充】」: the plan's marks as the city prints them."""
    return "".join(f"【{m}】" for m in markers)


def node_path(plan: Plan, node_id: str) -> str:
    """The node's place in its plan, top level first, e.g. 「重点戦略1 … ＞ 戦略方針1-1 …」."""
    paths = plan.memo("node_paths", dict)  # every KPI and initiative row asks again
    if node_id not in paths:
        if plan.is_plan_id(node_id):  # a plan-level KGI
            paths[node_id] = f"{plan.plan(node_id).short_name}{PLAN_AS_A_WHOLE}"
        else:
            paths[node_id] = PATH_SEPARATOR.join(node_heading(plan, n) for n in plan.path(node_id))
    return paths[node_id]


def reposted_path(plan: Plan, node_id: str) -> str:
    """A 【再掲】 place as the form's 【再掲】 row and the master's change list name it: the mark, then the path."""
    return REPOST + node_path(plan, node_id)


def value_text(value: Value) -> str:
    """A value as the plan or the department wrote it when that text is faithful and its figures half-width,
    else formatted (「１４．５％」 is printed 14.5%, as the master and every other value)."""
    if value.status == "none":
        return value.raw.strip() or NO_VALUE  # as written: "-", "—"
    raw = value.raw.strip()
    if raw and not _FULL_WIDTH_FIGURES.search(raw) and _read_again(raw) == (value.status, value.number, value.unit,
                                                                             value.scale):
        return raw
    return format_value(value)


_FULL_WIDTH_FIGURES = re.compile("[０-９，．％＋－]")


@lru_cache(maxsize=16_384)  # a KPI's baseline and target are written in every table that lists the KPI
def _read_again(raw: str) -> tuple[str, Decimal | None, str, str]:
    again = parse_value(raw)
    return again.status, again.number, again.unit, again.scale


def value_with_year(value: Value, year: int | None, separator: str = "", fiscal: bool = True) -> str:
    """「22,718百万円（令和4年度）」, or 「…（令和4年）」 for a calendar-year KPI; ``separator`` goes before the year
    (a line break in narrow cells)."""
    text = value_text(value)
    return f"{text}{separator}（{format_year(year, fiscal=fiscal)}）" if year and value.status != "none" else text


def kpi_baseline(kpi: Kpi, separator: str = "") -> str:
    return value_with_year(kpi.baseline, kpi.baseline_year, separator, fiscal=not kpi.calendar)


def kpi_target(kpi: Kpi, separator: str = "") -> str:
    return value_with_year(kpi.target, kpi.target_year, separator, fiscal=not kpi.calendar)


def owners_text(plan: Plan, item: Kpi | Initiative) -> str:
    """A KPI's or initiative's 担当課 as the plan wrote them, a group with its members:
    「関係各課（子育て支援課、健康づくり課）」."""
    groups = plan.memo("groups", lambda: {d.name: d.members for d in plan.departments if d.is_group})
    names = item.listed_as or item.departments
    return "、".join(f"{n}（{'、'.join(groups[n])}）" if n in groups else n for n in names)


def kpi_unit(kpi: Kpi) -> str:
    return kpi.unit or "なし"


# --- department text as the master workbook shows it: validation measures these same texts -----------

def remarks_text(remarks: str, reason: str) -> str:
    """A KPI's 備考 and 未記入の理由 in one cell."""
    return "／".join(p for p in (remarks, f"未記入の理由: {reason}" if reason else "") if p)


def bullets_text(lines: Iterable[str]) -> str:
    """Narrative lines as bullets in one cell."""
    return "\n".join(f"・{line}" for line in lines)


def beside_text(department: str, entry: InitiativeEntry, place: str = "") -> str:
    """Another department's entry of a 併記 initiative, as shown beside the lead's: its 事業名 (each department
    names its own project) first; at a 【再掲】 ``place``, the 検証内容 it wrote for that place when it wrote one."""
    texts = [t for t in (entry.verification_at(place), entry.summary, entry.plan) if t]
    name = f"「{entry.name}」" if entry.name else ""
    return f"【{department}】{name}{entry.status}／{entry.next_step}" + ("　" + "　".join(texts) if texts else "")


def initiative_text(initiative: Initiative, own: InitiativeEntry | None,
                    others: Iterable[tuple[str, InitiativeEntry]], field: str, place: str = "") -> str:
    """An initiative's text (``field`` of its entry in force), and with 併記 every other department's entry
    (``others``) beside it, each marked with its department: what the report prints and the site shows. With
    ``place`` (where it is listed), the 検証内容 is the one written for that place (a 【再掲】 place's own, when the
    department wrote one). Each department names its own 事業: another department's text is headed by its 事業名
    where that differs from the one the row is named by (the lead's, else the plan's), so that its result is
    never read as the lead's 事業 (「（健康増進課）産後ケア事業: …」)."""
    def of(entry: InitiativeEntry) -> str:
        return entry.verification_at(place) if field == "verification" and place else (getattr(entry, field) or "")

    beside = [(department, entry, of(entry)) for department, entry in others if of(entry)]
    text = of(own) if own is not None else ""
    if not beside:
        return text
    row_name = (own.name if own is not None else None) or initiative.name
    lines = [f"（{initiative.lead}）{text}"] if text else []
    return "\n".join(lines + [f"（{department}）{_own_name(entry, row_name)}{other}" for department, entry, other in beside])


def _own_name(entry: InitiativeEntry, row_name: str) -> str:
    """「産後ケア事業: 」: a department's 事業名 before its text, unless it is the one the row is named by."""
    name = " ".join((entry.name or "").split())
    return f"{name}: " if name and name != " ".join(row_name.split()) else ""
