"""Choosing the grade: the plan's bands (kpireport.bands) walked in order, and the kind of 評価不能 chosen by
the department's 未記入の理由."""
from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Sequence

from kpireport.bands import RULE_NAMES, Facts, grade_name, walk
from kpireport.model import Grade

__all__ = ["Facts", "canonical", "grade_name", "grade_rank", "not_evaluable_grade", "walk"]

FALLBACK_NOT_EVALUABLE = Grade("−", "評価不能", "not_evaluable")


def canonical(grades: Sequence[Grade]) -> tuple[Grade, ...]:
    """The grades with the plan's Japanese rule names (最終目標達成, …) as the codes the bands use."""
    return tuple(dataclasses.replace(g, rule=RULE_NAMES[g.rule]) if g.rule in RULE_NAMES else g for g in grades)


def _same_reason(a: str, b: str) -> bool:
    def key(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).split())
    return key(a) == key(b)


def not_evaluable_grade(grades: Sequence[Grade], reason: str = "") -> Grade:
    """The 評価不能 grade: the kind whose 未記入の理由 is ``reason``, else the one without a reason, else the built-in
    「− 評価不能」 (never a kind chosen by another reason: a missing form is not 統計未公表; a plan read from its
    workbook always has a kind without a reason, plan.settings_rows adds one)."""
    kinds = [g for g in grades if g.rule == "not_evaluable"]
    chosen = next((g for g in kinds if g.reason and reason and _same_reason(g.reason, reason)), None)
    if chosen is not None:
        return chosen
    return next((g for g in kinds if not g.reason), FALLBACK_NOT_EVALUABLE)


def grade_rank(grades: Sequence[Grade], code: str) -> int:
    """Position of ``code`` from best (0): the plan's order, with not_evaluable grades moved last.

    An unknown code ranks after every grade.
    """
    grades = canonical(grades)
    ordered = [g for g in grades if g.rule != "not_evaluable"] + [g for g in grades if g.rule == "not_evaluable"]
    return next((i for i, g in enumerate(ordered) if g.code == code), len(ordered))
