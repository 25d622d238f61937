"""How grades are shown, the same in the master workbook and the council report: their colours, and the
method of evaluation in words."""
from __future__ import annotations

from kpireport.model import Plan

RULE_COLOURS = {"final_reached": "#C6EFCE", "on_pace": "#DDEBF7", "improved": "#FFEB9C", "worsened": "#FFC7CE",
                "not_evaluable": "#EDEDED"}
CHART_COLOURS = {"final_reached": "#4E9A52", "on_pace": "#5B9BD5", "improved": "#F2C14E", "worsened": "#D9534F",
                 "not_evaluable": "#A6A6A6"}


def method_note(plan: Plan) -> str:
    parts = []
    for g in plan.grades:
        rule = {"final_reached": f"達成率{g.threshold}%以上", "on_pace": f"想定に対する進捗{g.threshold}%以上",
                "improved": "基準値より改善（進捗は想定未満）", "worsened": "基準値より悪化",
                "not_evaluable": "実績または目標なし"}.get(g.rule, g.rule)
        parts.append(f"{g.code} {g.label}＝{rule}")
    return "達成率＝（実績−基準値）÷（目標値−基準値）。" + "、".join(parts)
