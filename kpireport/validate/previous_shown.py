"""前回までの実績 is shown in the form, not asked: what a department types there is not recorded. An edit is
warned, so a department that meant to correct last time's figure hears how (the office corrects the history).
"""
from __future__ import annotations

from kpireport.forms import layout as fl
from kpireport.model import RawSheet, Value
from kpireport.validate.context import FormCheck, coordinate
from kpireport.values import format_value

NOT_SHOWN = "－"  # the form's text when there is no earlier value


def check_previous_shown(check: FormCheck, raw: RawSheet, sheet: fl.DataSheet, rows: dict[str, int]) -> None:
    """Each KPI row's 前回までの実績 as the form showed it: 「令和4年度: 358,023人」 ending with the history's
    last value, or 「－」 when there was none."""
    if sheet.name != fl.KPI_SHEET or check.legacy:
        return
    column = next((i for i, c in enumerate(sheet.columns, start=1) if c.key == "previous"), None)
    if column is None:
        return
    for ident, r in rows.items():
        cell = raw.cells.get((r, column))
        seen = "" if cell is None or cell.value is None else str(cell.value).strip()
        shown = _shown(check.previous_value(ident))
        if not _as_shown(seen, shown):
            check.add("kpi-previous-edited", sheet=raw.name, cell=coordinate(r, column),
                      value=seen or "（空欄）", expected=shown)


def _shown(value: Value | None) -> str:
    return NOT_SHOWN if value is None else format_value(value)


def _as_shown(seen: str, shown: str) -> bool:
    """「令和4年度: 358,023人」 for the history's 358,023人; 「－」 also when the history has a value now: the
    form was made before it had one (a form is not made again for that)."""
    return seen in (NOT_SHOWN, shown) or (shown != NOT_SHOWN and seen.endswith(f": {shown}"))
