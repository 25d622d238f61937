"""3. Legend page (「次ページからの記載事項」): the blocks that follow, as an annotated sample."""
from __future__ import annotations

from kpireport.council import body, content, texts
from kpireport.council.document import ReportDocument, bullets, heading, page_break, paragraph
from kpireport.evaluate.display import method_note
from kpireport.evaluate.results import PeriodResults


def add(doc: ReportDocument, data: PeriodResults) -> None:
    plans = content.body_plans(data)
    if not plans:
        return  # no body follows: nothing to explain
    levels = plans[0].levels  # the body's blocks are drawn in the first such plan's words
    year, next_year = content.year_labels(data)
    heading(doc, data.plan.settings.legend_title, 1)
    for line in texts.legend_lines(levels):  # samples, not real headings: kept out of the contents
        if line:
            paragraph(doc, line, "見出し 施策")
    paragraph(doc, texts.achievements_heading(year), "見出し 施策")
    bullets(doc, [texts.legend_achievement(levels)])
    paragraph(doc, texts.next_steps_heading(next_year), "見出し 施策")
    bullets(doc, [texts.LEGEND_NEXT])
    info = plans[0]
    tops = [n for n in data.plan.nodes if n.plan == info.id and n.parent is None]
    by_top = tops and all(body.blocks_of(data.plan, top) == [top] for top in tops)
    block = levels[0] if by_top or len(levels) < 2 else levels[1]
    evaluations = data.evaluations.values()
    paragraph(doc, texts.legend_kpi_table(block, method_note(data.plan), any(e.provisional for e in evaluations),
                                          any(e.override for e in evaluations)), "注記")
    page_break(doc)
