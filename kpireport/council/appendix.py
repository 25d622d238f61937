"""6. Initiative appendix: per top-level node, NO / 推進内容 / 実施状況 / 今後の取扱い / 検証内容 with the
status legend above, and the count table per second-level node (取組数, 完了, 継続推進, 一部実施, 未実施)."""
from __future__ import annotations

from kpireport import labels
from kpireport.council import content, texts
from kpireport.council.document import heading, page_break, paragraph, table
from kpireport.evaluate.results import PeriodResults, each_once, initiative_rows
from kpireport.labels import node_heading

COUNT_COLUMNS = (("完了", "◎実施済"), ("継続推進", "○継続推進"), ("一部実施", "△一部実施"), ("未実施", "×未実施"))


def add(doc, data: PeriodResults) -> None:
    plan = data.plan
    if not plan.initiatives:
        return
    heading(doc, plan.settings.appendix_title, 1)
    entries = {i.id: e for i, e in data.initiatives}
    placed = initiative_rows(plan)
    for top in (n for n in plan.nodes if n.parent is None):
        inside = content.descendants(data, top.id)
        listed = each_once(r for r in placed if r.node_id in inside)  # a repost shown where posted
        items = [r.initiative for r in listed]
        if not items:
            continue
        heading(doc, node_heading(plan, top), 2)
        paragraph(doc, texts.STATUS_LEGEND, "注記")
        rows = []
        for number, placed_row in enumerate(listed, start=1):
            initiative = placed_row.initiative
            entry = entries.get(initiative.id)
            markers = (texts.REPOST if placed_row.reposted else "") + labels.markers_text(initiative.markers)
            rows.append([str(number), markers + initiative.content,
                         entry.status if entry else texts.NOT_SUBMITTED, entry.next_step if entry else "",
                         content.initiative_text(data, initiative, entry, "verification")])
        table(doc, ["NO", "推進内容", "実施状況", "今後の取扱い", "検証内容"], rows, [10, 80, 20, 20, 40],
              ["center", "left", "center", "center", "left"])
        info = plan.plan(top.plan)
        level = info.levels[1] if len(info.levels) > 1 else info.levels[0]
        counts, reposts = [], 0
        for child in plan.children(top.id) or [top]:
            below = content.descendants(data, child.id)
            under = each_once(r for r in placed if r.node_id in below)
            if not under:
                continue
            reposts += sum(r.reposted for r in under)
            statuses = [entries[r.initiative.id].status if entries.get(r.initiative.id) else None for r in under]
            counts.append([node_heading(plan, child), str(len(under))]
                          + [str(statuses.count(status)) for _, status in COUNT_COLUMNS]
                          + [str(statuses.count(None))])
        table(doc, [level, "取組数", *(name for name, _ in COUNT_COLUMNS), "未報告"], counts,
              [62, 18, 18, 18, 18, 18, 18], ["left"] + ["center"] * 6)
        if reposts:
            paragraph(doc, f"取組数には、{texts.REPOST}の取組（{reposts}件）を掲載先ごとに含みます。", "注記")
    page_break(doc)
