"""The 主な取組と方向性 sheet: each node's achievements and next steps as bullet lines, within the lines and
characters the report has room for."""
from __future__ import annotations

from kpireport import labels
from kpireport.forms import layout as fl
from kpireport.model import NarrativeEntry
from kpireport.validate.context import Cells, FormCheck


def check_narrative(check: FormCheck, sheet: str, ident: str, layout: fl.DataSheet, cells: Cells,
                    places: dict[str, str], r: int) -> None:
    texts = {key: _lines(check, sheet, layout, key, cells, places) for key in ("achievements", "next_steps")}
    check.narratives.append(NarrativeEntry(ident, texts["achievements"], texts["next_steps"], sheet, r))


def _lines(check: FormCheck, sheet: str, layout: fl.DataSheet, key: str, cells: Cells,
           places: dict[str, str]) -> tuple[str, ...]:
    """One column's lines without their bullets; missing or too long for the report is reported."""
    settings = check.plan.settings
    column = next(c for c in layout.columns if c.key == key)
    cell = cells[key]
    written = check.free_text(sheet, cell, column.header)
    lines = [ln.strip().lstrip("・-－•●○◦ ").strip() for ln in written.split("\n")]  # the bullets people type
    lines = [ln for ln in lines if ln]
    where = dict(sheet=sheet, cell=places[key])
    if not lines:
        check.add("narrative-missing", **where, column=column.header)
    longest = max((len(ln) for ln in lines), default=0)
    if len(lines) > settings.narrative_max_lines or longest > settings.narrative_max_chars:
        check.add("narrative-too-long", **where, column=column.header,
                  detail=f"{len(lines)}行、最長{longest}字", max_lines=settings.narrative_max_lines,
                  max_chars=settings.narrative_max_chars)
    check.fits_the_master(labels.bullets_text(lines), column.header, sheet, cell)
    return tuple(lines)
