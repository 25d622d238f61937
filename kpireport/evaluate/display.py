"""How grades are shown, the same in the master workbook and the council report: their colours, and the
method of evaluation in words."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from kpireport.bands import grade_name
from kpireport.evaluate.rules import SECOND_SCALE
from kpireport.model import RATIO_FORMULA, REFERENCE_KIND, Evaluation, Grade, Kpi, Plan
from kpireport.values import format_number

RULE_COLOURS = {"final_reached": "#C6EFCE", "rate_band": "#DDEBF7", "on_pace": "#DDEBF7", "same_level": "#FFEB9C",
                "improved": "#FFEB9C", "worsened": "#FFC7CE", "otherwise": "#FFC7CE", "not_evaluable": "#EDEDED"}
CHART_COLOURS = {"final_reached": "#4E9A52", "rate_band": "#5B9BD5", "on_pace": "#5B9BD5", "same_level": "#F2C14E",
                 "improved": "#F2C14E", "worsened": "#D9534F", "otherwise": "#D9534F", "not_evaluable": "#A6A6A6"}


def grade_colours(grades: Sequence[Grade], palette: dict[str, str]) -> dict[str, str]:
    """Each grade's colour: its rule's, and for a later grade of the same rule (達成率 80 / 60, kinds of
    評価不能) a lighter shade of it, so that no two grades of a chart or table look alike."""
    colours: dict[str, str] = {}
    seen: dict[str, int] = {}
    for g in grades:
        n = seen.get(g.rule, 0)
        seen[g.rule] = n + 1
        colours.setdefault(g.code, _lighter(palette.get(g.rule, "#FFFFFF"), n))
    return colours


def _lighter(colour: str, steps: int) -> str:
    """``colour`` mixed with white, a third of the way further for each step."""
    share = 1 - 0.65 ** steps
    channels = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * share):02X}" for c in channels)


def method_note(plan: Plan) -> str:
    """The method in words: only the formulas the plan's graded KPIs actually use, then the grades."""
    nobase = "target_only" in {_formula_of(plan, k) for k in plan.kpis if k.graded}
    text = "".join(_formula_sentences(plan)) + _scale(plan.grades, nobase)
    if any(k.kind == REFERENCE_KIND for k in plan.kpis):
        text = text[:-1] + "、参考指標は評価しません。"
    if plan.second_grades:
        text += f"{second_scale_title(plan)}: {_scale(plan.second_grades, nobase)}"
    return text


def _formula_of(plan: Plan, kpi: Kpi) -> str:
    """Which formula grades the KPI: gap, ratio (実績÷目標 with a baseline), from_zero, target_only, direction."""
    if kpi.target_type == "方向":
        return "direction"
    if not kpi.has_baseline:
        return "from_zero" if kpi.aggregation == "累計" else "target_only"
    return "ratio" if (kpi.rate_formula or plan.settings.rate_formula) == RATIO_FORMULA else "gap"


def _formula_sentences(plan: Plan) -> list[str]:
    used = [_formula_of(plan, k) for k in plan.kpis if k.graded]
    every_ratio = bool(used) and all(f == "ratio" for f in used)
    sentences = {
        "gap": "達成率＝（実績−基準値）÷（目標値−基準値）。",
        "ratio": ("" if every_ratio else "達成率の式を「実績÷目標」とする指標は、")
        + "達成率＝実績÷目標値（減少が望ましい指標は目標値÷実績）、想定に対する進捗＝（実績−基準値）÷（想定値−基準値）。",
        "from_zero": "基準値のない累計の指標は、計画開始の前年度を0とする直線で想定値を求めます。",
        "target_only": _target_only_sentence(plan),
        "direction": "目標が方向のみ（延伸・増加・減少など）の指標は、達成率を算出せず基準値からの変化で評価します"
        + _direction_reached(plan.grades) + "。"}
    return [text for key, text in sentences.items() if key in used]


def _target_only_sentence(plan: Plan) -> str:
    on_pace = next((g for g in plan.grades if g.rule == "on_pace"), None)
    threshold = plan.settings.nobase_threshold if plan.settings.nobase_threshold is not None else (
        on_pace.threshold if on_pace else None)
    pace = f"、{_number(threshold)}%以上で「{on_pace.code} {on_pace.label}」" if on_pace and threshold else ""
    return f"基準値のない単年度の指標は、達成率＝実績÷目標値（減少が望ましい指標は目標値÷実績）{pace}。"


def _direction_reached(grades: tuple[Grade, ...]) -> str:
    """「（基準値の±10%を超えて改善すれば「A 達成」）」: when a direction-only target counts as reached
    (bands.direction_reached), in the plan's own bands; nothing without a 最終目標達成 band."""
    final = next((g for g in grades if g.rule == "final_reached"), None)
    if final is None:
        return ""
    levels = [g.threshold for g in grades if g.rule == "same_level" and g.threshold is not None]
    beyond = f"基準値の±{_number(max(levels))}%を超えて改善すれば" if levels else "基準値より改善すれば"
    return f"（{beyond}「{grade_name(final)}」）"


# what each rule matches, as the grading applies it (kpireport.bands): 基準値より改善 takes an actual equal to the
# baseline too, and, for a KPI without a baseline, any actual short of the target
_RULE_WORDS = {"improved": "基準値より悪化していない", "worsened": "基準値より悪化", "otherwise": "上記以外"}


def _scale(grades: tuple[Grade, ...], nobase: bool = False) -> str:
    """「A 達成＝達成率100%以上、…。」; ``nobase``: the plan grades KPIs without a baseline."""
    return "、".join(f"{g.code} {g.label}＝{_rule_words(g, nobase)}" for g in grades) + "。"


def _rule_words(g: Grade, nobase: bool = False) -> str:
    if g.rule == "improved" and nobase:
        return _RULE_WORDS["improved"] + "（基準値のない指標は目標未達）"
    if g.rule in ("final_reached", "rate_band"):
        return f"達成率{_number(g.threshold)}%以上"
    if g.rule == "on_pace":
        return f"想定に対する進捗{_number(g.threshold)}%以上"
    if g.rule == "same_level":
        return f"基準値の±{_number(g.threshold)}%以内"
    if g.rule == "not_evaluable":
        return f"未記入の理由が「{g.reason}」" if g.reason else "実績または目標なし"
    return _RULE_WORDS.get(g.rule, g.rule)


def second_scale_title(plan: Plan) -> str:
    """The heading of the second grade's column (評価区分2)."""
    return plan.settings.second_scale or SECOND_SCALE


def second_grade_text(kpi: Kpi, evaluation: Evaluation) -> str:
    """「○ 改善」 in the second grade's column; nothing for a 参考指標."""
    if not kpi.graded or not evaluation.second_grade:
        return ""
    label = evaluation.second_label
    return evaluation.second_grade if not label or label == evaluation.second_grade else f"{evaluation.second_grade} {label}"


def _number(d: Decimal | None) -> str:
    return format_number(d) if d is not None else ""
