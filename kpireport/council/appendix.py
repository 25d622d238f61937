"""6. Initiative appendix: per top-level node, NO / 推進内容 / 実施状況 / 今後の取扱い / 検証内容 with the
status legend above, the rows grouped under each second-level node as the city's own lists are; then, apart
and under its own caption, the count per second-level node, its columns named by the status labels (so
「◎実施済」 is never read as the 今後の取扱い 「完了」)."""
from __future__ import annotations

from collections.abc import Sequence

from kpireport import labels
from kpireport.council import content, texts
from kpireport.council.document import ReportDocument, heading, page_break, paragraph, table
from kpireport.evaluate.results import InitiativeRow, PeriodResults, each_once, initiative_rows
from kpireport.labels import node_heading
from kpireport.model import InitiativeEntry, Node

_Entries = dict[str, InitiativeEntry | None]


def add(doc: ReportDocument, data: PeriodResults) -> None:
    plan = data.plan
    if not plan.initiatives:
        return
    heading(doc, plan.settings.appendix_title, 1)
    entries = {i.id: e for i, e in data.initiatives}
    placed = initiative_rows(plan)
    for top in (n for n in plan.nodes if n.parent is None):
        inside = content.descendants(data, top.id)
        listed: list[InitiativeRow] = each_once(r for r in placed if r.node_id in inside)  # a repost shown where posted
        if listed:
            _node_section(doc, data, top, listed, placed, entries)
    page_break(doc)


def _node_section(doc: ReportDocument, data: PeriodResults, top: Node, listed: list[InitiativeRow],
                  placed: list[InitiativeRow], entries: _Entries) -> None:
    """One top-level node: heading, status legend, the initiatives' table, then the counts per group."""
    plan = data.plan
    statuses_shown = plan.settings.status_labels  # the city's own labels, as the forms store them
    heading(doc, node_heading(plan, top), 2)
    legend = paragraph(doc, texts.status_legend(statuses_shown), "注記")
    legend.paragraph_format.keep_with_next = True  # the heading, the legend and the table start together
    groups_of = plan.children(top.id) or [top]
    rows, groups = _initiative_table(data, top, groups_of, listed, entries)
    table(doc, ["NO", "推進内容", "実施状況", "今後の取扱い", "検証内容"], rows, [10, 80, 20, 20, 40],
          ["center", "left", "center", "center", "left"], groups=groups)
    info = plan.plan(top.plan)
    level = info.levels[1] if len(info.levels) > 1 else info.levels[0]
    counts, reposts = _status_counts(data, groups_of, placed, entries, statuses_shown)
    caption = paragraph(doc, texts.status_count_caption(level), "見出し 施策")
    caption.paragraph_format.keep_with_next = True
    table(doc, [level, "取組数", *statuses_shown, "未報告"], counts, [56, 15, 21, 21, 21, 21, 15],
          ["left"] + ["center"] * 6)
    if reposts:
        paragraph(doc, f"取組数には、{texts.REPOST}の取組（{reposts}件）を掲載先ごとに含みます。", "注記")


def _initiative_table(data: PeriodResults, top: Node, groups_of: Sequence[Node], listed: list[InitiativeRow],
                      entries: _Entries) -> tuple[list[list[str]], dict[int, str]]:
    """The table's rows, grouped under each second-level node, and the group headings by row index."""
    rows: list[list[str]] = []
    groups: dict[int, str] = {}
    # an initiative posted on the top node itself comes first, under no group
    in_groups = [(group, [r for r in listed if r.node_id in content.descendants(data, group.id)]) for group in groups_of]
    grouped = {id(r) for _, under in in_groups for r in under}
    for group, under in [(top, [r for r in listed if id(r) not in grouped])] + in_groups:
        if under and group is not top:
            groups[len(rows)] = node_heading(data.plan, group)
        for placed_row in under:
            rows.append(_initiative_row(data, placed_row, entries.get(placed_row.initiative.id), len(rows) + 1))
    return rows, groups


def _initiative_row(data: PeriodResults, placed_row: InitiativeRow, entry: InitiativeEntry | None, number: int) -> list[str]:
    initiative = placed_row.initiative
    markers = (texts.REPOST if placed_row.reposted else "") + labels.markers_text(initiative.markers)
    return [str(number), markers + initiative.content,
            entry.status if entry else texts.NOT_SUBMITTED, entry.next_step if entry else "",
            content.initiative_text(data, initiative, entry, "verification")]


def _status_counts(data: PeriodResults, groups_of: Sequence[Node], placed: list[InitiativeRow], entries: _Entries,
                   statuses_shown: Sequence[str]) -> tuple[list[list[str]], int]:
    """Per second-level node: initiatives, how many in each status and unreported; and the reposts among them."""
    counts: list[list[str]] = []
    reposts = 0
    for group in groups_of:
        below = content.descendants(data, group.id)
        under: list[InitiativeRow] = each_once(r for r in placed if r.node_id in below)
        if not under:
            continue
        reposts += sum(r.reposted for r in under)
        statuses = [_status(entries.get(r.initiative.id)) for r in under]
        counts.append([node_heading(data.plan, group), str(len(under))]
                      + [str(statuses.count(status)) for status in statuses_shown] + [str(statuses.count(None))])
    return counts, reposts


def _status(entry: InitiativeEntry | None) -> str | None:
    return entry.status if entry else None
