"""The department form: its sheets, columns and rows, shared by the writer (forms.py) and validate.py.

Both sides derive a department's rows from the plan with the same functions, so the validator can
tell exactly which locked cell was edited and which row was added, deleted or moved.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from kpireport import labels
from kpireport.model import Initiative, Kpi, Node, Plan
from kpireport.periods import ReportPeriod
from kpireport.text_layout import display_width
from kpireport.values import format_year

FORM_KIND = "kpireport様式"
FORM_VERSION = "4"  # 4: 取組状況 has a 【再掲】 row under an initiative for each place it is reposted to (that
# place's own 検証内容); 3: 取組状況 has a 事業名 column; 2: shared rows another department reports are read-only,
# the identity is signed
EARLIER_VERSIONS = ("3", "2")  # read as they are (signed), with the columns and rows they were made with
LEGACY_VERSIONS = ("1",)  # read, with a warning

GUIDE_SHEET = "記入要領"
KPI_SHEET = "KPI実績"
INITIATIVE_SHEET = "取組状況"
NARRATIVE_SHEET = "主な取組と方向性"
META_SHEET = "_kpireport"
FEEDBACK_SHEET = "検証結果"  # added to feedback copies (validate.feedback); ignored by validation

TITLE_ROW = 1
HEADER_ROW = 3
REPOST_INPUT = "verification"  # the one input of a 【再掲】 row: the 検証内容 of the initiative at that place
FIRST_ROW = 4  # first data row (1-based, as Excel shows it)

STATUSES = ("◎実施済", "○継続推進", "△一部実施", "×未実施")  # the default of Settings.status_labels
DONE, CONTINUING, PARTLY, NOT_DONE = range(4)  # positions in the city's status labels
NEXT_STEPS = ("継続", "完了", "廃止", "変更")
REASONS = ("集計中", "調査未実施", "年度末に確定", "該当なし")


def reasons(plan: Plan) -> tuple[str, ...]:
    """The 未記入の理由 offered in the form: the reasons that choose a kind of 評価不能 in the plan's 評価区分
    (統計未公表, 事業終了…) first, then the built-in ones."""
    own = [g.reason for g in plan.grades + plan.second_grades if g.rule == "not_evaluable" and g.reason]
    return tuple(dict.fromkeys(own + list(REASONS)))


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


def made_since(version: str, first: str) -> bool:
    """Whether a form of 様式版 ``version`` was made by the writer of ``first`` or a later one (whole numbers)."""
    return int(version) >= int(first)


def initiative_columns(version: str = FORM_VERSION) -> tuple[FormColumn, ...]:
    """The 取組状況 columns of a form of ``version``: forms made before version 3 have no 事業名 column."""
    return INITIATIVE_COLUMNS if made_since(version, "3") else tuple(c for c in INITIATIVE_COLUMNS if c.key != "name")


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


def repost_row_id(initiative_id: str, node_id: str) -> str:
    """The ID cell of an initiative's 【再掲】 row: the initiative's ID and the node it is reposted to."""
    return f"{initiative_id}{labels.REPOST}{node_id}"


def repost_locked(plan: Plan, initiative: Initiative, node_id: str) -> dict[str, str]:
    """A 【再掲】 row: the place, the 推進内容 again, and in 実施状況 where the row's other inputs go (only its
    検証内容 is open: what was done for that place's measure)."""
    return {"id": repost_row_id(initiative.id, node_id), "path": labels.reposted_path(plan, node_id),
            "content": labels.REPOST + initiative_locked(plan, initiative)["content"], "status": f"（{initiative.id}の行に記入）"}


READ_ONLY = re.compile(r"^（(.+)が報告）$")  # DataSheet.read_only_text, as a form shows it


@dataclass(frozen=True)
class DataSheet:
    """One data sheet of a department's form: its name, columns and locked rows."""

    name: str
    columns: tuple[FormColumn, ...]
    rows: tuple[dict, ...]  # locked texts per row, in form order; rows[i]["id"] identifies the row
    # rows another department reports (the plan's 主担当): row ID -> that department; the row is read-only here
    reported_elsewhere: dict = field(default_factory=dict)
    # 【再掲】 rows (取組状況 from 様式版 4): row ID -> (initiative ID, node ID of the place); only 検証内容 is open
    reposts: dict = field(default_factory=dict)

    def read_only_text(self, ident: str) -> str:
        """What a read-only row's first input cell says."""
        return f"（{self.reported_elsewhere[ident]}が報告）"

    def reporter_named(self, written: str) -> str:
        """The department a read-only row's first input cell names, as the form was made (read_only_text
        read back); "" when ``written`` is not that text."""
        match = READ_ONLY.match(written)
        return match[1] if match else ""

    def is_open(self, ident: str, column: FormColumn) -> bool:
        """Whether the department types into ``column`` of the row ``ident``: an input column of a row it reports
        (in a 【再掲】 row only the 検証内容)."""
        return column.is_input and ident not in self.reported_elsewhere and (
            ident not in self.reposts or column.key == REPOST_INPUT)

    def width(self, column: FormColumn) -> int:
        """A column's width; the ID column of a sheet with 【再掲】 rows as wide as their IDs (so none is cut)."""
        if column.key != "id" or not self.reposts:
            return column.width
        return max(column.width, max(display_width(ident) for ident in self.reposts) + 1)

    def locked_text(self, row: dict, column: FormColumn) -> str:
        """What a cell the department does not type into says (a read-only row's first input cell names the
        department that reports it)."""
        ident = row["id"]
        if column.is_input and ident in self.reported_elsewhere:
            first = next(c for c in self.columns if c.is_input)
            return self.read_only_text(ident) if column is first else ""
        return row.get(column.key, "")


def data_sheets(plan: Plan, department: str, period: ReportPeriod, version: str = FORM_VERSION) -> list[DataSheet]:
    """The data sheets a department's form (of ``version``) has (a sheet with no rows is left out)."""
    kpis = department_kpis(plan, department, period.fiscal_year)
    nodes = department_narrative_nodes(plan, department)
    sheets = [
        DataSheet(KPI_SHEET, kpi_columns(period),
                  tuple(_places_named(plan, kpi_locked(plan, k), k, version) for k in kpis),
                  _reported_elsewhere(kpis, department)),
        _initiative_sheet(plan, department, version),
        DataSheet(NARRATIVE_SHEET, narrative_columns(period), tuple(narrative_locked(plan, n) for n in nodes)),
    ]
    return [sheet for sheet in sheets if sheet.rows]


def _initiative_sheet(plan: Plan, department: str, version: str) -> DataSheet:
    """取組状況: each initiative's row and, from 様式版 4, under one the department reports a 【再掲】 row for each
    place it is reposted to."""
    initiatives = department_initiatives(plan, department)
    rows: list[dict] = []
    reposts: dict[str, tuple[str, str]] = {}
    for initiative in initiatives:
        open_here = made_since(version, "4") and initiative.reported_by(department)
        below = tuple(dict.fromkeys(initiative.reposted_under)) if open_here else ()
        rows.append(_places_named(plan, initiative_locked(plan, initiative), initiative, version, bool(below)))
        for node_id in below:
            rows.append(repost_locked(plan, initiative, node_id))
            reposts[rows[-1]["id"]] = (initiative.id, node_id)
    return DataSheet(INITIATIVE_SHEET, initiative_columns(version), tuple(rows),
                     _reported_elsewhere(initiatives, department), reposts)


def _places_named(plan: Plan, texts: dict[str, str], item: Kpi | Initiative, version: str,
                  rows_below: bool = False) -> dict[str, str]:
    """An item's row: from 様式版 3 its 体系/施策 cell also names the places it is reposted to (【再掲】), unless
    【再掲】 rows below it name them."""
    if made_since(version, "3") and item.reposted_under and not rows_below:
        texts["path"] = "\n".join([texts["path"]] + [labels.reposted_path(plan, n) for n in item.reposted_under])
    return texts


def _reported_elsewhere(items: list[Kpi] | list[Initiative], department: str) -> dict[str, str]:
    return {item.id: item.lead for item in items if not item.reported_by(department)}


# --- the form's identity: signed by the writer, checked by validate -------------------------------

SIGNATURE_KEY = "署名"


def signature(key: bytes, items: list[tuple[str, str]], rows: list[tuple[str, str]]) -> str:
    """HMAC-SHA256 of the identity (plan, period, department, version, …) and the row list, with the
    workspace's secret: a department cannot make another department's form, nor edit its own identity."""
    text = "\n".join([f"{k}={v}" for k, v in items] + ["行"] + [f"{sheet}={ident}" for sheet, ident in rows])
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def form_file_name(period: ReportPeriod, department: str) -> str:
    return f"{period.file_label}_{department}.xlsx"
