"""What a check of one submitted form carries from sheet to sheet, and the reading of one input cell.

A FormCheck holds the plan, the submission, the findings and the clean entries so far; the checks of the
form's identity (validate.identity), structure (validate.structure) and sheets (validate.kpi_sheet,
validate.initiative_sheet, validate.narrative_sheet) read and report through it.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from openpyxl.utils import get_column_letter

from kpireport import labels
from kpireport.forms import layout as fl
from kpireport.messages import finding
from kpireport.model import (
    Finding,
    InitiativeEntry,
    KpiEntry,
    NarrativeEntry,
    Plan,
    PreviousActuals,
    RawCell,
    Submission,
    Value,
)
from kpireport.periods import ReportPeriod
from kpireport.validate.issued import IssuedForms

EXCEL_TEXT_LIMIT = labels.EXCEL_TEXT_LIMIT
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Cells = Mapping[str, "RawCell | None"]  # a row's input cells by column key (None: the cell is empty)


class FormCheck:
    """The state of one form's check: what it is checked against, what was found, what was read."""

    def __init__(self, plan: Plan, submission: Submission, period: ReportPeriod | None,
                 previous: Mapping[str, Value] | PreviousActuals, key: bytes | None = None,
                 issued: IssuedForms | None = None) -> None:
        self.plan = plan
        self.key = key
        self.issued = issued  # the workspace's register of issued forms (None: not checked)
        self.signature = ""  # the form's signature, once checked
        self.stale_plan = False  # the form was made before the plan last changed
        self.sub = submission
        self.period = period
        # a plain mapping (a library caller): the values that stood, with no period keys
        self.previous = previous if isinstance(previous, PreviousActuals) else PreviousActuals(
            {kpi_id: ("", value) for kpi_id, value in previous.items()})
        self.findings: list[Finding] = []
        self.kpis: list[KpiEntry] = []
        self.initiatives: list[InitiativeEntry] = []
        self.narratives: list[NarrativeEntry] = []
        # 【再掲】 rows' 検証内容, read before the initiatives' own rows: initiative ID -> node ID -> (text, the cell it
        # was written in: a text too long where the master shows it is reported there)
        self.repost_verifications: dict[str, dict[str, tuple[str, RawCell]]] = {}
        self.department = ""
        self.form_period: ReportPeriod | None = None
        self.legacy = False  # a form made before shared rows were read-only and identities signed
        self.version = fl.FORM_VERSION  # the form's 様式版: which columns it was made with
        self.too_long: set[str] = set()  # cells already reported for their length

    def previous_value(self, kpi_id: str) -> Value | None:
        """The last accepted value this form's department is shown and checked against for a KPI: the value that
        stood, or with 合算 its own part (PreviousActuals)."""
        held = self.previous.of(kpi_id, (self.department, *self.plan.successors(self.department)))
        return held[1] if held else None

    @property
    def monthly(self) -> bool:
        """A monthly form: values are 見込み (provisional) and lists may stay empty mid-year."""
        return bool(self.form_period and self.form_period.is_monthly)

    def add(self, code: str, sheet: str = "", cell: str = "", value: Any = "", **fields: Any) -> None:
        self.findings.append(finding(code, file=self.sub.name, sheet=sheet, cell=cell,
                                     value="" if value is None else value, **fields))

    # -- one input cell ----------------------------------------------------------------------------

    def check_text(self, sheet: str, cell: RawCell) -> None:
        """Text Excel cannot hold in full, or with control characters, is reported."""
        if not isinstance(cell.value, str):
            return
        if len(cell.value) >= EXCEL_TEXT_LIMIT:
            self.too_long.add(cell.coordinate)
        if len(cell.value) > EXCEL_TEXT_LIMIT:
            self.add("cell-text-too-long", sheet=sheet, cell=cell.coordinate, value=cell.value[:40] + "…",
                     length=f"{len(cell.value):,}")
        elif len(cell.value) == EXCEL_TEXT_LIMIT:  # a writer that cut the text stops exactly here
            self.add("cell-text-at-limit", sheet=sheet, cell=cell.coordinate, value=cell.value[:40] + "…")
        if CONTROL_CHARS.search(cell.value):
            self.add("cell-control-chars", sheet=sheet, cell=cell.coordinate,
                     value=CONTROL_CHARS.sub("?", cell.value[:40]))

    def cell_value(self, sheet: str, cell: RawCell | None) -> Any:
        """The value to use from a cell; formulas are reported (and their saved result used)."""
        if cell is None:
            return None
        if cell.formula:
            if cell.value is None:
                self.add("cell-formula-no-result", sheet=sheet, cell=cell.coordinate, value=cell.formula)
                return None
            self.add("cell-formula", sheet=sheet, cell=cell.coordinate, value=cell.formula, result=cell.value)
        return cell.value

    def free_text(self, sheet: str, cell: RawCell | None, column: str) -> str:
        """A free-text input as text. A formula is reported (its result used); a date where text was typed is
        what Excel or Calc made of 「1-2」 or 「3/31」 in a cell not formatted as text: kept as the date, and told."""
        value = self.cell_value(sheet, cell)
        if cell is not None and isinstance(value, (dt.date, dt.datetime)):
            shown = date_text(value)
            self.add("cell-date-in-text", sheet=sheet, cell=cell.coordinate, value=shown, column=column)
            return shown
        return text(value)

    def fits_the_master(self, shown: str, what: str, sheet: str, cell: RawCell | None) -> None:
        """Department text as the master shows it (labels: the same texts the writer makes) must fit a cell."""
        if len(shown) > labels.EXCEL_TEXT_LIMIT and cell is not None and cell.coordinate not in self.too_long:
            self.add("text-too-long-for-master", sheet=sheet, cell=cell.coordinate, value=shown[:40] + "…",
                     what=what, length=f"{len(shown):,}", limit=f"{labels.EXCEL_TEXT_LIMIT:,}")


def text(value: Any) -> str:
    """A cell as text for comparisons: no surrounding space, Excel's CR LF as LF."""
    if value.__class__ is str and "\r" not in value:  # the usual cell: called for most cells of a form
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def date_text(value: dt.date) -> str:
    """A date cell as a date: 2024-03-31 (not 2024-03-31 00:00:00)."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()


def coordinate(row: int, column: int) -> str:
    return f"{get_column_letter(column)}{row}"
