"""How grades are shown, the same in the master workbook and the council report: their colours, and the
method of evaluation in words."""
from __future__ import annotations

from decimal import Decimal

from kpireport.model import REFERENCE_KIND, Plan
from kpireport.values import format_number

RULE_COLOURS = {"final_reached": "#C6EFCE", "on_pace": "#DDEBF7", "improved": "#FFEB9C", "worsened": "#FFC7CE",
                "not_evaluable": "#EDEDED"}
CHART_COLOURS = {"final_reached": "#4E9A52", "on_pace": "#5B9BD5", "improved": "#F2C14E", "worsened": "#D9534F",
                 "not_evaluable": "#A6A6A6"}


def method_note(plan: Plan) -> str:
    """The method in words: only the formulas the plan's graded KPIs actually use, then the grades."""
    graded = [k for k in plan.kpis if k.graded]
    with_base = any(k.has_baseline for k in graded)
    from_zero = any(not k.has_baseline and k.aggregation == "累計" for k in graded)
    target_only = any(not k.has_baseline and k.aggregation != "累計" for k in graded)
    on_pace = next((g for g in plan.grades if g.rule == "on_pace"), None)
    sentences = []
    if with_base:
        sentences.append("達成率＝（実績−基準値）÷（目標値−基準値）。")
    if from_zero:
        sentences.append("基準値のない累計の指標は、計画開始の前年度を0とする直線で想定値を求めます。")
    if target_only:
        threshold = plan.settings.nobase_threshold if plan.settings.nobase_threshold is not None else (
            on_pace.threshold if on_pace else None)
        pace = f"、{_number(threshold)}%以上で「{on_pace.code} {on_pace.label}」" if on_pace and threshold else ""
        sentences.append("基準値のない単年度の指標は、達成率＝実績÷目標値（減少が望ましい指標は目標値÷実績）"
                         f"{pace}。")
    parts = []
    for g in plan.grades:
        rule = {"final_reached": f"達成率{_number(g.threshold)}%以上",
                "on_pace": f"想定に対する進捗{_number(g.threshold)}%以上",
                "improved": "基準値より改善（進捗は想定未満）", "worsened": "基準値より悪化",
                "not_evaluable": "実績または目標なし"}.get(g.rule, g.rule)
        parts.append(f"{g.code} {g.label}＝{rule}")
    if any(k.kind == REFERENCE_KIND for k in plan.kpis):
        parts.append("参考指標は評価しません")
    return "".join(sentences) + "、".join(parts) + "。"


def _number(d: Decimal | None) -> str:
    return format_number(d) if d is not None else ""
