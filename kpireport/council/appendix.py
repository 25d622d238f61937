"""6. Initiative appendix: per top-level node, NO / 推進内容 / 実施状況 / 今後の取扱い / 検証内容 with the
status legend above, the rows grouped under each second-level node as the city's own lists are; then, apart
and under its own caption, the count per second-level node, its columns named by the status labels (so
「◎実施済」 is never read as the 今後の取扱い 「完了」)."""
from __future__ import annotations

from kpireport.council import content, texts
from kpireport.council.document import heading, page_break, paragraph, table
from kpireport.evaluate.results import PeriodResults
from kpireport.forms.layout import STATUSES
from kpireport.labels import node_heading


def add(doc, data: PeriodResults) -> None:
    plan = data.plan
    if not plan.initiatives:
        return
    heading(doc, plan.settings.appendix_title, 1)
    entries = {i.id: e for i, e in data.initiatives}
    for top in (n for n in plan.nodes if n.parent is None):
        inside = content.descendants(data, top.id)
        items = [i for i in plan.initiatives if i.node in inside]
        if not items:
            continue
        heading(doc, node_heading(plan, top), 2)
        legend = paragraph(doc, texts.STATUS_LEGEND, "注記")
        legend.paragraph_format.keep_with_next = True  # the heading, the legend and the table start together
        groups_of = plan.children(top.id) or [top]
        rows, groups = [], {}
        for group in groups_of:
            under = [i for i in items if i.node in content.descendants(data, group.id)]
            if under and group is not top:
                groups[len(rows)] = node_heading(plan, group)
            for initiative in under:
                entry = entries.get(initiative.id)
                markers = "".join(f"【{m}】" for m in initiative.markers)
                rows.append([str(len(rows) + 1), markers + initiative.content,
                             entry.status if entry else texts.NOT_SUBMITTED, entry.next_step if entry else "",
                             content.initiative_text(data, initiative, entry, "verification")])
        table(doc, ["NO", "推進内容", "実施状況", "今後の取扱い", "検証内容"], rows, [10, 80, 20, 20, 40],
              ["center", "left", "center", "center", "left"], groups=groups)
        counts = []
        for group in groups_of:
            under = [i for i in items if i.node in content.descendants(data, group.id)]
            if not under:
                continue
            statuses = [entries[i.id].status if entries.get(i.id) else None for i in under]
            counts.append([node_heading(plan, group), str(len(under))]
                          + [str(statuses.count(status)) for status in STATUSES] + [str(statuses.count(None))])
        info = plan.plan(top.plan)
        level = info.levels[1] if len(info.levels) > 1 else info.levels[0]
        caption = paragraph(doc, texts.status_count_caption(level), "見出し 施策")
        caption.paragraph_format.keep_with_next = True
        table(doc, [level, "取組数", *STATUSES, "未報告"], counts, [56, 15, 21, 21, 21, 21, 15],
              ["left"] + ["center"] * 6)
    page_break(doc)
