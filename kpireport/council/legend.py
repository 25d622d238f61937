"""3. Legend page (「次ページからの記載事項」): the blocks that follow, as an annotated sample."""
from __future__ import annotations

from kpireport.council import content, texts
from kpireport.council.document import bullets, heading, page_break, paragraph
from kpireport.evaluate.results import PeriodResults


def add(doc, data: PeriodResults) -> None:
    year, next_year = content.year_labels(data)
    heading(doc, data.plan.settings.legend_title, 1)
    paragraph(doc, texts.LEGEND_GOAL, "見出し 施策")  # a sample, not a real heading: kept out of the contents
    paragraph(doc, texts.LEGEND_POLICY, "見出し 施策")
    paragraph(doc, texts.LEGEND_MEASURES, "見出し 施策")
    paragraph(doc, texts.achievements_heading(year), "見出し 施策")
    bullets(doc, [texts.LEGEND_ACHIEVEMENT])
    paragraph(doc, texts.next_steps_heading(next_year), "見出し 施策")
    bullets(doc, [texts.LEGEND_NEXT])
    paragraph(doc, texts.LEGEND_KPI_TABLE, "注記")
    page_break(doc)
