"""6. Initiative appendix: per top-level node, the initiatives with the status legend above, then, apart and
under its own caption, the count per second-level node, its columns named by the status labels (so 「◎実施済」
is never read as the 今後の取扱い 「完了」).

Two layouts (設定 「取組状況の表の形」): 一覧 (NO / 推進内容 / 実施状況 / 今後の取扱い / 検証内容, grouped under
each second-level node, NO running through the top node) and 検証表 (the verification table cities print in
the next plan's 資料編: 基本事業 / 推進項目 / NO / 推進内容 / 実施状況 / 今後の取扱い / 検証内容, NO restarting
under each 推進項目, bare marks in the cells and their words in the legend).

A 【再掲】 item is listed at every place it is posted (also twice under one top node), after the node's own
items, with the 検証内容 its department wrote for that place (its form's 【再掲】 row) when there is one, and
counted at each place: the count table is made from the very rows listed. A blank 実施状況 reads
「未記入」; 「（未提出）」 where the department that reports the item (a shared one's lead) sent nothing. A record with no 実施状況 at all
(a year entered from a printed report) makes no chapter."""
from __future__ import annotations

from dataclasses import dataclass

from kpireport import labels
from kpireport.council import content, texts
from kpireport.council.document import ReportDocument, heading, page_break, paragraph, table
from kpireport.evaluate import tally
from kpireport.evaluate.results import InitiativeRow, PeriodResults, initiative_rows, tree_order
from kpireport.labels import node_heading
from kpireport.model import InitiativeEntry, Node

_Entries = dict[str, InitiativeEntry | None]
VERIFICATION = "検証表"
_HEADERS = ["NO", "推進内容", "実施状況", "今後の取扱い", "検証内容"]


@dataclass(frozen=True)
class _Group:
    """The rows listed under one second-level node (or on the top node itself: ``node`` is the top)."""

    node: Node
    rows: list[InitiativeRow]


def add(doc: ReportDocument, data: PeriodResults) -> None:
    plan = data.plan
    entries: _Entries = {i.id: e for i, e in data.initiatives}
    if not plan.initiatives or not _has_any_status(entries):
        return
    heading(doc, plan.settings.appendix_title, 1)
    placed = listed_rows(data)
    for top in (n for n in plan.nodes if n.parent is None):
        groups = groups_under(data, top, placed)
        if any(group.rows for group in groups):
            _node_section(doc, data, top, groups, entries)
    page_break(doc)


def _has_any_status(entries: _Entries) -> bool:
    """False for a record whose entries carry no 実施状況 at all (the chapter would be columns of nothing); true
    when nothing was submitted yet (the rows then say 「（未提出）」 and count as 未報告)."""
    given = [e for e in entries.values() if e is not None]
    return not given or any(e.status for e in given)


def listed_rows(data: PeriodResults) -> list[InitiativeRow]:
    """Every place an initiative is listed, tree order, a node's own items before its 【再掲】 ones."""
    order = {place: number for number, place in enumerate(tree_order(data.plan))}
    return sorted(initiative_rows(data.plan), key=lambda r: (order.get(r.node_id, 0), r.reposted))


def groups_under(data: PeriodResults, top: Node, placed: list[InitiativeRow]) -> list[_Group]:
    """The rows under ``top``: first those posted on the top node itself, then per second-level node."""
    children = data.plan.children(top.id)
    if not children:
        return [_Group(top, [r for r in placed if r.node_id == top.id])]
    groups = [_Group(top, [r for r in placed if r.node_id == top.id])]
    for child in children:
        inside = content.descendants(data, child.id)
        groups.append(_Group(child, [r for r in placed if r.node_id in inside]))
    return [g for g in groups if g.rows]


def _node_section(doc: ReportDocument, data: PeriodResults, top: Node, groups: list[_Group], entries: _Entries) -> None:
    """One top-level node: heading, status legend, the initiatives' table, then the counts per group."""
    plan = data.plan
    statuses_shown = plan.settings.status_labels  # the city's own labels, as the forms store them
    heading(doc, node_heading(plan, top), 2)
    verification = plan.settings.appendix_style == VERIFICATION
    legend_text = ("　".join(statuses_shown) if verification else texts.status_legend(statuses_shown))
    legend = paragraph(doc, legend_text, "注記")
    legend.paragraph_format.keep_with_next = True  # the heading, the legend and the table start together
    if verification:
        _verification_table(doc, data, top, groups, entries)
    else:
        _list_table(doc, data, top, groups, entries)
    _count_table(doc, data, top, groups)


def _list_table(doc: ReportDocument, data: PeriodResults, top: Node, groups: list[_Group], entries: _Entries) -> None:
    rows: list[list[str]] = []
    headings: dict[int, str] = {}
    for group in groups:
        if group.node is not top:
            headings[len(rows)] = node_heading(data.plan, group.node)
        for placed_row in group.rows:
            entry = entries.get(placed_row.initiative.id)
            rows.append([str(len(rows) + 1), _content(placed_row), status_text(data, placed_row),
                         entry.next_step if entry else "",
                         _verification(data, placed_row, entry)])
    table(doc, _HEADERS, rows, [10, 80, 20, 20, 40], ["center", "left", "center", "center", "left"], groups=headings,
          caption=node_heading(data.plan, top))


def _verification_table(doc: ReportDocument, data: PeriodResults, top: Node, groups: list[_Group],
                        entries: _Entries) -> None:
    """基本事業 / 推進項目 / NO / …: each level's name printed at its first row; NO restarting per 推進項目."""
    plan = data.plan
    levels = plan.plan(top.plan).levels
    names = [levels[1] if len(levels) > 1 else levels[0]] + ([levels[2]] if len(levels) > 2 else [])
    rows: list[list[str]] = []
    shown: list[str | None] = [None] * len(names)
    for group in groups:
        number, last_place = 0, None
        for placed_row in group.rows:
            place = plan.node(placed_row.node_id)
            if placed_row.node_id != last_place:
                number, last_place = 0, placed_row.node_id
            number += 1
            cells = _level_cells(data, group.node, place, len(names), shown)
            entry = entries.get(placed_row.initiative.id)
            status = status_text(data, placed_row)
            rows.append(cells + [str(number), _content(placed_row), status[:1] if entry and entry.status else status,
                                 entry.next_step if entry else "",
                                 _verification(data, placed_row, entry)])
    widths = [24, 24][:len(names)] + [9, 50 if len(names) > 1 else 74, 13, 16, 34]
    table(doc, names + _HEADERS, rows, widths, ["left"] * len(names) + ["center", "left", "center", "center", "left"],
          caption=node_heading(plan, top))


def _level_cells(data: PeriodResults, group: Node, place: Node, levels: int, shown: list[str | None]) -> list[str]:
    """The 基本事業 and 推進項目 cells of a row: the node's name where it changes, blank under it."""
    third = place if place.id != group.id else None
    ids = [group.id, third.id if third else ""][:levels]
    texts_ = [_level_cell(group), _level_cell(third) if third else ""][:levels]
    cells = []
    for column, (ident, text) in enumerate(zip(ids, texts_)):
        cells.append(text if shown[column] != ident else "")
        shown[column] = ident
    return cells


def _level_cell(node: Node) -> str:
    """「1-1 市民活動の支援」「(1)活動の場の提供」: the column's header names the level."""
    title = " ".join(node.title.split()) + labels.markers_text(node.markers)
    return f"{node.number} {title}" if node.number[:1].isdigit() else f"{node.number}{title}"


def _content(placed_row: InitiativeRow) -> str:
    markers = (labels.REPOST if placed_row.reposted else "") + labels.markers_text(placed_row.initiative.markers)
    return markers + placed_row.initiative.content


def _verification(data: PeriodResults, placed_row: InitiativeRow, entry: InitiativeEntry | None) -> str:
    """The 検証内容 cell: at a 【再掲】 place the department's own for it when written, else the initiative's."""
    return content.initiative_text(data, placed_row.initiative, entry, "verification", placed_row.node_id)


def status_text(data: PeriodResults, placed_row: InitiativeRow) -> str:
    """The 実施状況 cell: the status, 「未記入」 where the department left it blank (a monthly report allows it), or
    「（未提出）」 where the department that reports it (a shared one's lead) sent nothing."""
    state = data.initiative_states.get(placed_row.initiative.id)
    if state == tally.BLANK:
        return texts.NOT_ENTERED
    return texts.NOT_SUBMITTED if state is tally.UNREPORTED else state


def _count_table(doc: ReportDocument, data: PeriodResults, top: Node, groups: list[_Group]) -> None:
    """Per second-level node, counted (evaluate.tally) over the very rows listed above: 取組数, each status,
    その他 and 未記入 (when any), 未報告."""
    plan = data.plan
    info = plan.plan(top.plan)
    level = info.levels[1] if len(info.levels) > 1 else info.levels[0]
    statuses_shown = plan.settings.status_labels
    per_group = [(group, tally.status_count((data.initiative_states.get(r.initiative.id) for r in group.rows),
                                            statuses_shown)) for group in groups]
    extra = tally.optional_columns(counted for _, counted in per_group)
    counts = [[node_heading(plan, group.node), str(counted.total), *map(str, counted.per_status),
               *(str(figures[index]) for figures in extra.values()), str(counted.unreported)]
              for index, (group, counted) in enumerate(per_group)]
    caption = paragraph(doc, texts.status_count_caption(level), "見出し 施策")
    caption.paragraph_format.keep_with_next = True
    width = 18 if extra else 21
    table(doc, [level, "取組数", *statuses_shown, *extra, "未報告"], counts,
          [56 - 6 * len(extra), 15] + [width] * (len(statuses_shown) + len(extra)) + [15],
          ["left"] + ["center"] * (len(statuses_shown) + len(extra) + 2))
    reposts = sum(r.reposted for group in groups for r in group.rows)
    if reposts:
        paragraph(doc, f"取組数には、{labels.REPOST}の取組（{reposts}件）を掲載先ごとに含みます。", "注記")
