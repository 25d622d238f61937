"""3. Legend page (「次ページからの記載事項」): the blocks that follow, as an annotated sample in the plan's own level
words, and where this plan's KPI tables really are (body.py decides both: the same blocks_of and kpis_at)."""
from __future__ import annotations

from dataclasses import dataclass

from kpireport.council import body, content, texts
from kpireport.council.document import ReportDocument, bullets, heading, page_break, paragraph
from kpireport.evaluate.display import method_note
from kpireport.evaluate.results import PeriodResults
from kpireport.evaluate.tally import plan_level_label


@dataclass(frozen=True)
class BodyShape:
    """How the body draws a plan: the top level's word, the block's (None when each top node is a block itself),
    the level the block's measures line lists, and where KPI tables sit besides each block's end."""

    top: str
    block: str | None
    measure: str | None
    whole_plan: str | None  # the plan's own KGIs, first in the body (「後期基本計画全体の指標」)
    top_figures: bool  # some top node's own KPIs, under its heading (「基本目標の指標」)
    top_blocks: bool  # some, not all, top nodes are a block themselves


def body_shape(data: PeriodResults, plan_id: str) -> BodyShape:
    plan = data.plan
    levels = plan.plan(plan_id).levels
    tops = [n for n in plan.nodes if n.plan == plan_id and n.parent is None]
    by_top = [top for top in tops if body.blocks_of(plan, top) == [top]]
    every = bool(tops) and len(by_top) == len(tops) or len(levels) < 2
    depth = 0 if every else 1  # the block's level; its measures line lists the level below
    return BodyShape(
        top=levels[0], block=None if every else levels[1],
        measure=levels[depth + 1] if len(levels) > depth + 1 else None,
        whole_plan=plan_level_label(plan, plan_id) if content.kpis_at(data, plan_id) else None,
        top_figures=any(content.kpis_at(data, top.id) for top in tops if top not in by_top),
        top_blocks=bool(by_top) and not every)


def add(doc: ReportDocument, data: PeriodResults) -> None:
    plans = content.body_plans(data)
    if not plans:
        return  # no body follows: nothing to explain
    shape = body_shape(data, plans[0].id)  # the body's blocks are drawn in the first such plan's words
    year, next_year = content.year_labels(data)
    heading(doc, data.plan.settings.legend_title, 1)
    for line in texts.legend_lines(shape.top, shape.block, shape.measure):  # samples, kept out of the contents
        if line:
            paragraph(doc, line, "見出し 施策")
    paragraph(doc, texts.achievements_heading(year), "見出し 施策")
    bullets(doc, [texts.legend_achievement(shape.top, shape.measure or shape.block or shape.top)])
    paragraph(doc, texts.next_steps_heading(next_year), "見出し 施策")
    bullets(doc, [texts.LEGEND_NEXT])
    places = texts.legend_kpi_places(shape.top, shape.block or shape.top, shape.whole_plan, shape.top_figures,
                                     shape.top_blocks)
    evaluations = data.evaluations.values()
    paragraph(doc, texts.legend_kpi_table(places, method_note(data.plan), any(e.provisional for e in evaluations),
                                          any(e.override for e in evaluations)), "注記")
    page_break(doc)
