"""The department form: its sheets, columns and rows, shared by the writer (forms.py) and validate.py.

Both sides derive a department's rows from the plan with the same functions, so the validator can
tell exactly which locked cell was edited and which row was added, deleted or moved.
"""
from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kpireport import labels
from kpireport.model import Initiative, Kpi, Node, Plan
from kpireport.periods import ReportPeriod
from kpireport.values import format_year

FORM_KIND = "kpireport様式"
FORM_VERSION = "3"  # 3: 取組状況 has a 事業名 column; 2: shared rows another department reports are read-only,
# the identity is signed
EARLIER_VERSIONS = ("2",)  # read as they are (signed), with the columns they were made with
LEGACY_VERSIONS = ("1",)  # read, with a warning

GUIDE_SHEET = "記入要領"
KPI_SHEET = "KPI実績"
INITIATIVE_SHEET = "取組状況"
NARRATIVE_SHEET = "主な取組と方向性"
META_SHEET = "_kpireport"
FEEDBACK_SHEET = "検証結果"  # added to feedback copies (validate.feedback); ignored by validation

TITLE_ROW = 1
HEADER_ROW = 3
REPOST = "【再掲】"
FIRST_ROW = 4  # first data row (1-based, as Excel shows it)

STATUSES = ("◎実施済", "○継続推進", "△一部実施", "×未実施")  # the default of Settings.status_labels
DONE, CONTINUING, PARTLY, NOT_DONE = range(4)  # positions in the city's status labels
NEXT_STEPS = ("継続", "完了", "廃止", "変更")
REASONS = ("集計中", "調査未実施", "年度末に確定", "該当なし")


@dataclass(frozen=True)
class FormColumn:
    key: str
    header: str
    width: int
    is_input: bool = False
    wrap: bool = False
    numeric: bool = False  # an input for a number (else free text, formatted as text in the form)


def kpi_columns(period: ReportPeriod) -> tuple[FormColumn, ...]:
    actual = "見込み値" if period.is_monthly else "実績値"
    return (
        FormColumn("id", "指標ID", 11),
        FormColumn("path", "体系", 26, wrap=True),
        FormColumn("name", "指標名", 26, wrap=True),
        FormColumn("unit", "単位", 8),
        FormColumn("baseline", "基準値（年度）", 16, wrap=True),
        FormColumn("target", "目標値（年度）", 16, wrap=True),
        FormColumn("direction", "方向", 7),
        FormColumn("aggregation", "集計方法", 9),
        FormColumn("previous", "前回までの実績", 14, wrap=True),
        FormColumn("actual", actual, 13, is_input=True, numeric=True),
        FormColumn("as_of", "時点", 12, is_input=True),
        FormColumn("remarks", "備考", 20, is_input=True, wrap=True),
        FormColumn("reason", "未記入の理由", 14, is_input=True, wrap=True),
    )


INITIATIVE_COLUMNS = (
    FormColumn("id", "取組ID", 12),
    FormColumn("path", "施策", 24, wrap=True),
    FormColumn("content", "推進内容", 44, wrap=True),
    FormColumn("name", "事業名", 22, is_input=True, wrap=True),  # prefilled with the plan's 事業名 when it has one
    FormColumn("status", "実施状況", 12, is_input=True),
    FormColumn("next_step", "今後の取扱い", 12, is_input=True),
    FormColumn("verification", "検証内容", 32, is_input=True, wrap=True),
    FormColumn("summary", "取組の概要（実績）", 40, is_input=True, wrap=True),
    FormColumn("plan", "今後の取組内容とその理由", 40, is_input=True, wrap=True),
)
INITIATIVE_TEXTS = ("name", "summary", "plan")  # what the measure sheets print, asked for when ◎ or ○


def initiative_columns(version: str = FORM_VERSION) -> tuple[FormColumn, ...]:
    """The 取組状況 columns of a form of ``version``: forms made before version 3 have no 事業名 column."""
    return INITIATIVE_COLUMNS if version == FORM_VERSION else tuple(c for c in INITIATIVE_COLUMNS if c.key != "name")


# --- 実施状況 as a city writes it ---------------------------------------------------------------

# one spelling of each symbol, after NFKC (which makes ｘ x, and full-width spaces plain ones)
_SYMBOL_SPELLINGS = str.maketrans({"〇": "○", "◯": "○", "▵": "△", "x": "×", "X": "×", "✕": "×", "✖": "×", "╳": "×"})


def _status_key(text: str) -> str:
    """A status as compared: NFKC, no spaces at all, symbols in one spelling."""
    return "".join(unicodedata.normalize("NFKC", text).split()).translate(_SYMBOL_SPELLINGS)


def read_status(text: str, labels: tuple[str, ...]) -> str | None:
    """The city's label that ``text`` means, or None. Cities write the bare symbol (○), the label (○継続推進)
    or its words alone (継続推進), typed or pasted, full- or half-width, with spaces anywhere."""
    key = _status_key(text)
    if not key:
        return None
    for label in labels:
        full = _status_key(label)
        if key in (full, full[:1], full[1:]):
            return label
    return None


def narrative_columns(period: ReportPeriod) -> tuple[FormColumn, ...]:
    year = format_year(period.fiscal_year)
    next_year = format_year(period.fiscal_year + 1)
    return (
        FormColumn("id", "ID", 8),
        FormColumn("path", "体系", 30, wrap=True),
        FormColumn("measures", "施策", 34, wrap=True),
        FormColumn("achievements", f"{year} 主な取組内容／実績", 48, is_input=True, wrap=True),
        FormColumn("next_steps", f"{next_year} 主な取組／今後の方向性", 48, is_input=True, wrap=True),
    )


# --- which rows a department's form holds ------------------------------------------------------

def _by_department(plan: Plan, kind: str, items: Iterable[Kpi | Initiative | Node]) -> dict[str, list]:
    """Items per owning department, in plan order, indexed once per plan (a prefecture has 400 departments)."""
    def index() -> dict[str, list]:
        found: dict[str, list] = {}
        for item in items:
            for department in dict.fromkeys(item.departments):
                found.setdefault(department, []).append(item)
        return found

    return plan.memo(f"by_department_{kind}", index)


def department_kpis(plan: Plan, department: str, year: int | None = None) -> list[Kpi]:
    """KPIs the department owns (a KPI owned jointly appears in each owner's form), plan order; with ``year``
    only those in force that fiscal year (a KPI replaced mid-plan gives way to its successor)."""
    owned = _by_department(plan, "kpis", plan.kpis).get(department, ())
    return [k for k in owned if year is None or k.in_force(year)]


def department_initiatives(plan: Plan, department: str) -> list[Initiative]:
    return list(_by_department(plan, "initiatives", plan.initiatives).get(department, ()))


def department_narrative_nodes(plan: Plan, department: str) -> list[Node]:
    return list(_by_department(plan, "nodes", plan.nodes).get(department, ()))


def departments_with_forms(plan: Plan) -> list[str]:
    return [d.name for d in plan.departments if any(
        f(plan, d.name) for f in (department_kpis, department_initiatives, department_narrative_nodes))]


# --- the locked text of each row: written by forms, compared by validate -----------------------

def kpi_locked(plan: Plan, kpi: Kpi) -> dict[str, str]:
    return {
        "id": kpi.id,
        "path": labels.node_path(plan, kpi.node),
        "name": kpi.name,
        "unit": labels.kpi_unit(kpi),
        "baseline": labels.kpi_baseline(kpi, "\n"),  # a calendar-year KPI's years with 年
        "target": labels.kpi_target(kpi, "\n"),
        "direction": kpi.direction,
        "aggregation": kpi.aggregation,
    }


def initiative_locked(plan: Plan, initiative: Initiative) -> dict[str, str]:
    markers = "".join(f"【{m}】" for m in initiative.markers)
    return {
        "id": initiative.id,
        "path": labels.node_path(plan, initiative.node),
        "content": markers + initiative.content,
        "name": initiative.name,  # an input, prefilled: the plan's 事業名 when it has one
    }


def narrative_locked(plan: Plan, node: Node) -> dict[str, str]:
    measures = "／".join(labels.node_heading(plan, child) for child in plan.children(node.id))
    return {"id": node.id, "path": labels.node_path(plan, node.id), "measures": measures or labels.NO_VALUE}


@dataclass(frozen=True)
class DataSheet:
    """One data sheet of a department's form: its name, columns and locked rows."""

    name: str
    columns: tuple[FormColumn, ...]
    rows: tuple[dict, ...]  # locked texts per row, in form order; rows[i]["id"] identifies the row
    # rows another department reports (the plan's 主担当): row ID -> that department; the row is read-only here
    reported_elsewhere: dict = field(default_factory=dict)

    def read_only_text(self, ident: str) -> str:
        """What a read-only row's first input cell says."""
        return f"（{self.reported_elsewhere[ident]}が報告）"


def data_sheets(plan: Plan, department: str, period: ReportPeriod, version: str = FORM_VERSION) -> list[DataSheet]:
    """The data sheets a department's form (of ``version``) has (a sheet with no rows is left out)."""
    specs: list[tuple[str, tuple[FormColumn, ...], list, Callable]] = [
        (KPI_SHEET, kpi_columns(period), department_kpis(plan, department, period.fiscal_year), kpi_locked),
        (INITIATIVE_SHEET, initiative_columns(version), department_initiatives(plan, department), initiative_locked),
        (NARRATIVE_SHEET, narrative_columns(period), department_narrative_nodes(plan, department), narrative_locked),
    ]
    def row(locked: Callable[[Plan, Any], dict[str, str]], item: Kpi | Initiative | Node) -> dict[str, str]:
        texts = locked(plan, item)
        reposted_under: tuple[str, ...] = getattr(item, "reposted_under", ())  # KPIs and initiatives have them
        if version == FORM_VERSION and reposted_under:  # shown where it is also posted
            texts["path"] = "\n".join([texts["path"]] + [f"{REPOST}{labels.node_path(plan, n)}"
                                                          for n in reposted_under])
        return texts

    return [DataSheet(name, columns, tuple(row(locked, item) for item in items),
                      {item.id: item.lead for item in items
                       if isinstance(item, (Kpi, Initiative)) and not item.reported_by(department)})
            for name, columns, items, locked in specs if items]


# --- the form's identity: signed by the writer, checked by validate -------------------------------

SIGNATURE_KEY = "署名"


def signature(key: bytes, items: list[tuple[str, str]], rows: list[tuple[str, str]]) -> str:
    """HMAC-SHA256 of the identity (plan, period, department, version, …) and the row list, with the
    workspace's secret: a department cannot make another department's form, nor edit its own identity."""
    text = "\n".join([f"{k}={v}" for k, v in items] + ["行"] + [f"{sheet}={ident}" for sheet, ident in rows])
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def form_file_name(period: ReportPeriod, department: str) -> str:
    return f"{period.file_label}_{department}.xlsx"
