"""6. Initiative appendix: per top-level node, NO / 推進内容 / 実施状況 / 今後の取扱い / 検証内容 with the
status legend above, and the count table per second-level node (取組数, 完了, 継続推進, 一部実施, 未実施)."""
from __future__ import annotations

from kpireport.council import content, texts
from kpireport.council.document import heading, page_break, paragraph, table
from kpireport.evaluate.results import PeriodResults
from kpireport.labels import node_heading

COUNT_COLUMNS = (("完了", "◎実施済"), ("継続推進", "○継続推進"), ("一部実施", "△一部実施"), ("未実施", "×未実施"))


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
        paragraph(doc, texts.STATUS_LEGEND, "注記")
        rows = []
        for number, initiative in enumerate(items, start=1):
            entry = entries.get(initiative.id)
            markers = "".join(f"【{m}】" for m in initiative.markers)
            rows.append([str(number), markers + initiative.content,
                         entry.status if entry else texts.NOT_SUBMITTED, entry.next_step if entry else "",
                         content.initiative_text(data, initiative, entry, "verification")])
        table(doc, ["NO", "推進内容", "実施状況", "今後の取扱い", "検証内容"], rows, [10, 80, 20, 20, 40],
              ["center", "left", "center", "center", "left"])
        info = plan.plan(top.plan)
        level = info.levels[1] if len(info.levels) > 1 else info.levels[0]
        counts = []
        for child in plan.children(top.id) or [top]:
            under = [i for i in items if i.node in content.descendants(data, child.id)]
            if not under:
                continue
            statuses = [entries[i.id].status if entries.get(i.id) else None for i in under]
            counts.append([node_heading(plan, child), str(len(under))]
                          + [str(statuses.count(status)) for _, status in COUNT_COLUMNS]
                          + [str(statuses.count(None))])
        table(doc, [level, "取組数", *(name for name, _ in COUNT_COLUMNS), "未報告"], counts,
              [62, 18, 18, 18, 18, 18, 18], ["left"] + ["center"] * 6)
    page_break(doc)
