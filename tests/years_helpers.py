"""The ほしぞら市 example as the plan format reads it before the city-grading rules (達成率の式, 上記以外,
基準値と同水準, 評価不能 by reason, direction-only targets) are in it: the same KPIs and samples with today's rules,
so the years machinery can be tested on its own."""
from __future__ import annotations

import copy

from kpireport.workspace.folder import example_document

TODAYS_GRADES = [{"code": "A", "label": "達成", "rule": "最終目標達成", "threshold": 100},
                 {"code": "B", "label": "順調", "rule": "ペース", "threshold": 80},
                 {"code": "C", "label": "改善", "rule": "基準値より改善"},
                 {"code": "D", "label": "悪化", "rule": "基準値より悪化"},
                 {"code": "−", "label": "評価不能", "rule": "評価不能"}]
GRADING_SETTINGS = ("rate_formula", "summary_figures", "on_track_grade")


def years_document(grades: list[dict] | None = None) -> dict:
    """The example's plan document with today's grades (or ``grades``) and a numeric target for 延伸."""
    document = copy.deepcopy(example_document("ほしぞら市"))
    for key in GRADING_SETTINGS:
        document["settings"].pop(key, None)
    document["grades"] = copy.deepcopy(grades or TODAYS_GRADES)
    for kpi in document["kpis"]:
        if kpi["target"] == "延伸":
            kpi["target"] = "81.0年"
    return document
