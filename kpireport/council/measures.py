"""5. Measure sheets in the layout of seed 001: per measure, its 内容, a KPI table
(名称 / 現状値 / <year>年度末値 / 目標値(<year>)), the 事業 done this year and the 事業 planned next.

A sheet belongs to a node that lists KPIs; the 事業 of the nodes beneath it that list none are shown on it,
grouped under those nodes (さくら市: KPIs on 基本施策, 事業 on 推進項目). A node with 事業 and no KPI above
it has a sheet of its own. No sheet prints a placeholder for what it does not have, and the sheets follow
each other without a page break each (a small sheet shares its page; headings keep with what follows).

Each 事業 is printed by its short name (the department's 事業名, else the plan's, else the plan's 推進内容)
beside the department's result (取組の概要) and next step with its reason (今後の取組内容とその理由)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from kpireport import labels
from kpireport.council import content, texts
from kpireport.council.document import ReportDocument, heading, page_break, table, toc
from kpireport.evaluate import tally
from kpireport.evaluate.results import InitiativeRow, KpiRow, PeriodResults, initiative_rows, tree_order
from kpireport.labels import markers_text, value_text
from kpireport.model import Initiative, InitiativeEntry, Node, Plan
from kpireport.values import format_year


def measure_nodes(data: PeriodResults) -> list[Node]:
    """The nodes that get a measure sheet, tree order: see sheet_owners."""
    owners = sheet_owners(data.plan, data.kpi_rows)
    return [data.plan.node(place) for place in tree_order(data.plan) if place in set(owners.values())]


def sheet_owners(plan: Plan, kpi_rows: Sequence[KpiRow]) -> dict[str, str]:
    """Per node listing KPIs or initiatives (their own or 【再掲】): the node whose sheet shows them. KPIs stay
    on their node; initiatives go up to the nearest node listing KPIs, else stay on their own node. Only in
    the plans that post KPIs or initiatives of their own (a 基本計画 that only reposts the strategy's KPIs is
    reported in its body, not in measure sheets)."""
    rows = list(kpi_rows) + list(initiative_rows(plan))
    homes = {plan.plan_of(row.node_id).id for row in rows if not row.reposted}
    with_kpis = {row.node_id for row in kpi_rows}
    owners: dict[str, str] = {}
    for row in rows:
        place = row.node_id
        if plan.is_plan_id(place) or plan.node(place).plan not in homes or place in owners:
            continue
        owner = place
        if place not in with_kpis:
            owner = next((up for up in _ancestors(plan, place) if up in with_kpis), place)
        owners[place] = owner
    return owners


def _ancestors(plan: Plan, node_id: str) -> list[str]:
    found, parent = [], plan.node(node_id).parent
    while parent is not None:
        found.append(parent)
        parent = plan.node(parent).parent
    return found


def add(doc: ReportDocument, data: PeriodResults) -> None:
    nodes = measure_nodes(data)
    if not nodes:
        return
    heading(doc, data.plan.settings.measures_title, 1)
    # the sheets' own contents, unless the report's contents list them already or they are few (a page of
    # two lines says nothing the sheets' headings do not)
    if doc.contents_depth < 2 and len(nodes) > OWN_CONTENTS:
        toc(doc, "2-2", data.plan.settings.measures_title.join(("目次（", "）")))
        if len(nodes) > HALF_PAGE_CONTENTS:  # a shorter list shares its page with the first sheets
            page_break(doc)
    index = _Index(data)
    for node in nodes:
        sheet(doc, data, node, index)
    page_break(doc)


class _Index:
    """Per sheet node: the KPI rows listed on it (own first, then 【再掲】); the initiative rows it shows, by the
    node they are listed on (tree order); each initiative's entry."""

    def __init__(self, data: PeriodResults):
        self.kpis: dict[str, list[KpiRow]] = {}
        for row in sorted(data.kpi_rows, key=lambda r: r.reposted):  # stable: own rows first, in plan order
            self.kpis.setdefault(row.node_id, []).append(row)
        owners = sheet_owners(data.plan, data.kpi_rows)
        order = {place: number for number, place in enumerate(tree_order(data.plan))}
        self.initiatives: dict[str, list[InitiativeRow]] = {}
        placed = sorted(initiative_rows(data.plan), key=lambda r: (order.get(r.node_id, 0), r.reposted))
        for placed_row in placed:
            if placed_row.node_id in owners:
                self.initiatives.setdefault(owners[placed_row.node_id], []).append(placed_row)
        self.entries = {i.id: e for i, e in data.initiatives}


OWN_CONTENTS = 6  # sheets: more than this, and the chapter opens with its own contents
HALF_PAGE_CONTENTS = 18  # contents lines (10.5 pt, 4 pt apart) that fill half an A4 page
SMALL_SHEET = 5  # rows: a sheet this small is kept on one page; a larger one fills the page and goes on


def sheet(doc: ReportDocument, data: PeriodResults, node: Node, index: _Index) -> None:
    plan = data.plan
    info = plan.plan(node.plan)
    era = info.start_year or None
    heading(doc, sheet_title(data, node), 2)
    placed = index.initiatives.get(node.id, [])
    about = _about(node, [row.initiative for row in placed if row.node_id == node.id])
    kpi_rows = index.kpis.get(node.id, [])
    # a small sheet kept on one page: every table keeps with the next, the sheet's last but its last row
    small = 1 + len(kpi_rows) + 2 * len(placed) <= SMALL_SHEET
    last = "works" if placed else "kpis" if kpi_rows else "about"
    # the sheet's tables touch (no paragraph between): Word and LibreOffice draw them as one table, whose first
    # row is the sheet's name; the first table drawn carries it. A page the sheet goes on to opens with it and
    # 「（続き）」 (continued.py), so a member who turns to it knows whose page it is.
    caption = sheet_title(data, node)
    if about:
        table(doc, ["内容"], [[about]], [170], keep_rows=int(small and last != "about"), caption=caption)
        caption = ""
    year = data.period.fiscal_year
    if kpi_rows:
        _kpi_table(doc, data, kpi_rows, era, len(kpi_rows) - (last == "kpis") if small else 0, caption)
        caption = ""
    year_label = format_year(year, era_of_year=era)
    next_label = format_year(year + 1, era_of_year=era)
    if _works(doc, data, node, texts.measures_done_title(year_label), placed, index, "summary", small, caption=caption):
        caption = ""
    _works(doc, data, node, texts.measures_next_title(next_label), placed, index, "plan", small, last=True,
           caption=caption)


def sheet_title(data: PeriodResults, node: Node) -> str:
    """「基本施策 1-1 子育て支援の充実」「推進項目 (1) 保育の受け皿の確保」: the level's word, number and title."""
    info = data.plan.plan(node.plan)
    return " ".join(f"{node.label(info)} {node.number} {node.title}".split()) + markers_text(node.markers)


def _kpi_table(doc: ReportDocument, data: PeriodResults, kpi_rows: list[KpiRow], era: int | None,
               keep_rows: int = 0, caption: str = "") -> None:
    kpis = [row.kpi for row in kpi_rows]
    common = Counter(k.target_year for k in kpis).most_common(1)[0][0]
    target_head = f"目標値({format_year(common, 'short', era_of_year=era)})"
    # 「令和6年度末値」; 「令和6年末値」 when every KPI of the table is counted by calendar year; with both, the
    # header says 年度 and a calendar-year KPI's value says its year (「1,400千人\n（令和6年）」)
    calendar = all(k.calendar for k in kpis)
    year = data.period.fiscal_year
    rows = []
    for row in kpi_rows:
        kpi = row.kpi
        baseline, target = value_text(kpi.baseline), value_text(kpi.target)  # as the plan wrote them
        (actual,) = content.aligned_actuals([baseline, target], [content.actual_text(data, kpi.id, kpi.departments)])
        if kpi.calendar and not calendar and content.reported_without_year(data, kpi.id):
            actual += f"\n（{format_year(year, fiscal=False, era_of_year=era)}）"
        if kpi.target_year != common:
            target += f"（{format_year(kpi.target_year, 'short', era_of_year=era)}）"
        rows.append([content.indicator_name(row, len({k.kind for k in kpis}), data.plan), baseline, actual, target])
    year_head = format_year(year, fiscal=not calendar, era_of_year=era)
    table(doc, ["名称", "現状値", f"{year_head}末値", target_head], rows, [70, 33, 33, 34],
          ["left", "right", "right", "right"], keep_rows=keep_rows, caption=caption)


def _about(node: Node, initiatives: list[Initiative]) -> str:
    """The 内容 cell: the measure's description, else what the plan says of its own initiatives (推進内容);
    nothing when the plan says neither (the table is left out rather than printed empty)."""
    if node.description:
        return node.description
    return "\n".join(i.content for i in initiatives)


def short_name(initiative: Initiative, entry: InitiativeEntry | None) -> str:
    """The 事業 as seed 001 prints it: the department's 事業名, the plan's, or the plan's 推進内容."""
    return (entry.name if entry is not None else None) or initiative.name or initiative.content


def _works(doc: ReportDocument, data: PeriodResults, node: Node, title: str, placed: list[InitiativeRow],
           index: _Index, field: str, keep: bool = False, last: bool = False, caption: str = "") -> bool:
    """The 事業 whose entries give this text (seed 001 lists different 事業 under 実績 and 以降), and those whose
    department (a shared one's lead) has sent nothing, 「（未提出）」 (README: a missing report is never shown as
    one with nothing written); when no entry gives the text, every 事業 of the sheet, 「（記載なし）」 where the
    department sent its form without it. Those listed on a node beneath the sheet's are grouped under that node's
    heading; a 事業 listed here as a repost is marked 【再掲】. Nothing when the sheet has no 事業 (False)."""
    def entry(row: InitiativeRow) -> InitiativeEntry | None:
        return index.entries.get(row.initiative.id)

    with_text = [row for row in placed if entry(row) is not None and getattr(entry(row), field) is not None]
    shown = [row for row in placed if row in with_text or unreported(data, row.initiative)] if with_text else placed
    if not shown:
        return False
    rows: list[list[str]] = []
    groups: dict[int, str] = {}
    for row in shown:
        if row.node_id != node.id and (not rows or shown[len(rows) - 1].node_id != row.node_id):
            groups[len(rows)] = sheet_title(data, data.plan.node(row.node_id))
        name = (labels.REPOST if row.reposted else "") + short_name(row.initiative, entry(row))
        if unreported(data, row.initiative):
            text = _not_submitted_text(data, row.initiative, field)
        else:
            text = (content.initiative_text(data, row.initiative, entry(row), field) if with_text else "") or texts.NO_TEXT
        rows.append([name, text])
    table(doc, [title, ""], rows, [60, 110], groups=groups, keep_rows=(len(rows) - last) if keep else 0,
          caption=caption)
    return True


def unreported(data: PeriodResults, initiative: Initiative) -> bool:
    """The department that reports the initiative (a shared one's lead) has sent nothing: the state the 取組 table
    and the counts use (tally.UNREPORTED), so that the sheets and the table agree."""
    return initiative.id in data.initiative_states and data.initiative_states[initiative.id] is tally.UNREPORTED


def _not_submitted_text(data: PeriodResults, initiative: Initiative, field: str) -> str:
    """「（未提出）」; with 併記, the other departments' texts beside it, the missing one named as the lead's."""
    others = content.initiative_text(data, initiative, None, field)
    return f"（{initiative.lead}）{texts.NOT_SUBMITTED}\n{others}" if others else texts.NOT_SUBMITTED
