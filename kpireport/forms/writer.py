"""Write each department's Excel form with xlsxwriter: locked plan cells, shaded input cells,
drop-downs with Japanese messages, a guide sheet, and a very hidden metadata sheet."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from openpyxl.utils.protection import hash_password
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from kpireport.errors import KpireportError
from kpireport.forms import layout as fl
from kpireport.labels import REPOST
from kpireport.model import LEAD, PARTS, Kpi, Plan, PreviousActuals, Value
from kpireport.periods import ReportPeriod, parse_period
from kpireport.runtime.atomic import atomic_write
from kpireport.text_layout import row_height
from kpireport.values import format_value

INPUT_FILL = "#FFF2CC"
HEADER_FILL = "#D9D9D9"
LOCKED_FILL = "#F2F2F2"
GUIDE_WIDTH = 76  # characters: one portrait A4 page at 100%


OWN_PART = "（貴課分）"  # after the period of a 合算 KPI's 前回までの実績: the department's own part, not the total


@dataclass(frozen=True)
class PreviousTexts:
    """What the forms show as 前回までの実績: 「令和4年度: 358,023人」 per KPI (the value that stood), and for a 合算 KPI
    each department's own part, 「令和4年度（貴課分）: 12千人」 (written once for every form of a run)."""

    stood: dict[str, str] = field(default_factory=dict)
    parts: dict[str, dict[str, str]] = field(default_factory=dict)  # 合算 KPI -> department -> its own part

    def of(self, department: str) -> dict[str, str]:
        """The department's form's texts (a 合算 KPI without a part of its own shows none)."""
        return self.stood | {kpi_id: own[department] for kpi_id, own in self.parts.items() if department in own}


def previous_actuals(previous: PreviousActuals) -> PreviousTexts:
    """The texts of the last accepted values before the period, with their period keys (in_force.previous_actuals)."""
    return PreviousTexts({kpi_id: _previous_text(held) for kpi_id, held in previous.stood.items()
                          if kpi_id not in previous.parts},
                         {kpi_id: {department: _previous_text(held, OWN_PART) for department, held in own.items()}
                          for kpi_id, own in previous.parts.items()})


def _previous_text(held: tuple[str, Value], part: str = "") -> str:
    key, value = held
    earlier = parse_period(key)
    label = earlier.label.replace(" 実績", "").replace(" 進捗（見込み）", "（見込み）") if earlier else key
    return f"{label}{part}: {format_value(value)}"


def form_departments(plan: Plan, departments: Iterable[str] | None = None) -> list[str]:
    """The departments to write forms for: those given (each must be in the plan), else every one with rows."""
    names = list(departments) if departments is not None else fl.departments_with_forms(plan)
    known = {d.name for d in plan.departments}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise KpireportError(f"担当課「{'、'.join(unknown)}」は計画体系のシート「担当課」にありません。課名を確認してください。")
    return names


@dataclass(frozen=True)
class FormWriter:
    """Writes one department's form into ``folder``; every form of a run shares one generation time."""

    plan: Plan
    period: ReportPeriod
    folder: Path
    key: bytes  # the workspace's secret the forms are signed with (history.store.form_key_in)
    previous: PreviousTexts = field(default_factory=PreviousTexts)
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))

    def __call__(self, department: str) -> Path:
        path = Path(self.folder) / fl.form_file_name(self.period, department)
        return write_form(self.plan, department, self.period, path, self.key,
                          self.previous.of(department), self.generated_at)


def write_forms(plan: Plan, period: ReportPeriod, folder: Path, key: bytes, departments: Iterable[str] | None = None,
                previous: PreviousActuals | None = None, generated_at: dt.datetime | None = None) -> list[Path]:
    """Write one form per department under ``folder``, signed with ``key``; return the paths written."""
    writer = FormWriter(plan, period, folder, key, previous_actuals(previous or PreviousActuals()),
                        generated_at or dt.datetime.now().replace(microsecond=0))
    return [writer(name) for name in form_departments(plan, departments)]


def write_form(plan: Plan, department: str, period: ReportPeriod, path: Path, key: bytes,
               previous: dict[str, str] | None = None, generated_at: dt.datetime | None = None) -> Path:
    generated_at = generated_at or dt.datetime.now().replace(microsecond=0)
    sheets = fl.data_sheets(plan, department, period)
    try:
        with atomic_write(path, "様式") as handle:
            written = io.BytesIO()
            # in_memory: no temporary file per part in the system's temp folder, which a killed run would leave
            workbook = xlsxwriter.Workbook(written, {"strings_to_numbers": False, "strings_to_formulas": False,
                                                     "strings_to_urls": False, "in_memory": True})
            workbook.set_properties({"title": f"{period.label} {department}", "author": "kpireport",
                                     "created": generated_at})
            styles = form_styles(workbook)
            write_guide(workbook, styles, plan, department, period, sheets)
            for sheet in sheets:
                _write_data_sheet(workbook, styles, plan, department, period, sheet, previous or {})
            _write_meta(workbook, plan, department, period, sheets, generated_at, key)
            workbook.close()
            handle.write(structure_locked(written.getvalue(), plan.settings.form_password))
    except OSError as exc:
        raise KpireportError(f"{path} に書き込めません（{exc.strerror or exc}）。フォルダの書き込み権限を確認してください。") from exc
    return path


def form_styles(workbook: Workbook) -> dict[str, Format]:
    base = {"font_name": "游ゴシック", "font_size": 10, "valign": "top", "border": 1, "border_color": "#808080"}
    return {
        "title": workbook.add_format({"font_name": "游ゴシック", "font_size": 14, "bold": True}),
        "note": workbook.add_format({"font_name": "游ゴシック", "font_size": 10, "text_wrap": True, "valign": "top"}),
        "plain": workbook.add_format({"font_name": "游ゴシック", "font_size": 10}),
        "heading": workbook.add_format({"font_name": "游ゴシック", "font_size": 11, "bold": True}),
        "header": workbook.add_format({**base, "bold": True, "bg_color": HEADER_FILL, "text_wrap": True,
                                       "align": "center", "valign": "vcenter"}),
        "input_header": workbook.add_format({**base, "bold": True, "bg_color": INPUT_FILL, "text_wrap": True,
                                             "align": "center", "valign": "vcenter"}),
        "locked": workbook.add_format({**base, "bg_color": LOCKED_FILL}),
        "locked_wrap": workbook.add_format({**base, "bg_color": LOCKED_FILL, "text_wrap": True}),
        "input_number": workbook.add_format({**base, "bg_color": INPUT_FILL, "locked": False}),
        # free text is formatted as text: what is typed stays as typed (「3/31」 or 「1-2」 never becomes a date)
        "input": workbook.add_format({**base, "bg_color": INPUT_FILL, "locked": False, "num_format": "@"}),
        "input_wrap": workbook.add_format({**base, "bg_color": INPUT_FILL, "locked": False, "text_wrap": True,
                                           "num_format": "@"}),
    }


def protect_sheet(ws: Worksheet, plan: Plan) -> None:
    ws.protect(plan.settings.form_password, {"format_columns": True, "format_rows": True,
                                             "select_locked_cells": True, "select_unlocked_cells": True})


def print_setup(ws: Worksheet, repeat_to_row: int) -> None:
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, repeat_to_row)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer("&C&P / &N")


# --- 記入要領 ----------------------------------------------------------------------------------

# What the measure sheets print per initiative (seed 001's 事業, 概要, 以降の取組内容とその理由): the input
# message of each column and its line in the 記入要領, with an example
GUIDE_EXAMPLES = {
    "name": ("事業名", "施策シートに載る事業の短い名前（20字程度）。計画に事業名があれば記入済みです。"
                      "例: 創業支援セミナーの開催"),
    "summary": ("取組の概要（実績）", "この年度に取り組んだ内容と実績を、数字を入れて1〜3文で。"
                                   "例: 創業支援セミナーを4回開催し、延べ52人が参加した。うち3人が市内で創業した。"),
    "plan": ("今後の取組内容とその理由", "次の年度からの取組と、その理由を1〜3文で。"
                                      "例: 参加者の多くが資金面の相談を望んだため、金融機関と連携した個別相談会を新たに開く。"),
}

def _guide_lines(plan: Plan, department: str, period: ReportPeriod, sheets: list) -> list[tuple[str, str]]:
    settings = plan.settings_for(period.key)  # a monthly form has its own deadline, never the annual one
    labels = settings.status_labels
    value_word = "見込み値" if period.is_monthly else "実績値"
    lines = [
        ("heading", "1. 提出について"),
        ("text", f"担当課: {department}"),
        ("text", f"報告期間: {period.label}"),
        ("text", f"提出期限: {settings.deadline or '企画担当課からの案内のとおり'}"),
        ("text", f"提出先・問い合わせ先: {settings.planning_office or '企画担当課'}"),
        ("text", "記入したこのファイルを、ファイル形式を変えずに（Excelブック *.xlsx のまま）提出してください。ファイル名は変えてもかまいません。"),
        ("heading", "2. 記入のしかた"),
        ("text", "・黄色のセルだけ入力できます。灰色のセルは計画の内容なので変更できません。"),
        ("text", "・シートや行の追加・削除はしないでください（提出時の検査でエラーになります）。行の並べ替えはかまいません。"),
    ]
    names = [s.name for s in sheets]
    if fl.KPI_SHEET in names:
        lines += [
            ("text", f"・「{fl.KPI_SHEET}」: {value_word}には数値だけを入力します（単位は「単位」列のとおりで、入力不要。例: 38039、22.7）。"
                     "減少はマイナス（例: -244）で入力します。"),
            ("text", "　値が出せない場合は空欄のままにし、「未記入の理由」を一覧から選ぶか記入してください。"),
            ("text", "　「時点」には値の時点を入力します（例: R6.3末、2024/3/31）。"),
        ]
        if period.is_monthly:
            lines.append(("text", "　見込み値は、年度末の見込み（この年度の終わりに達すると見込む値）です。"
                                  "月ごとの途中の実績ではありません。"))
    if fl.INITIATIVE_SHEET in names:
        lines += _initiative_guide(labels, period, sheets)
    if fl.NARRATIVE_SHEET in names:
        lines += [
            ("text", f"・「{fl.NARRATIVE_SHEET}」: 箇条書きで1行に1項目を記入します（セル内の改行は Alt+Enter）。"
                     f"審議会資料に載るため、{settings.narrative_max_lines}行・1行{settings.narrative_max_chars}字程度までにまとめてください。"),
        ]
    shared = _shared_lines(plan, department)
    if shared:
        lines += [("heading", "ほかの課と共同で担当する項目")] + [("text", line) for line in shared]
    lines += [
        ("heading", "3. 記号の意味"),
        ("text", "実施状況: " + "　".join(f"{label}（{meaning}）" for label, meaning in zip(
            labels, ("完了した", "予定どおり継続中", "一部のみ実施", "実施できなかった")))),
        ("text", "今後の取扱い: 継続　完了　廃止　変更"),
        ("text", "方向: 増加＝値が大きいほど良い指標、減少＝値が小さいほど良い指標"),
        ("text", "集計方法: 単年度＝その年度の値、累計＝計画開始からの合計、年平均＝期間の1年あたりの平均"),
    ]
    return lines


def _initiative_guide(labels: tuple[str, ...], period: ReportPeriod, sheets: list) -> list[tuple[str, str]]:
    """The guide's lines on 取組状況 (``labels``: the city's 実施状況), and on its 【再掲】 rows when it has some."""
    lines = [("text", f"・「{fl.INITIATIVE_SHEET}」: 実施状況と今後の取扱いを一覧から選び、検証内容を記入します。"
                      f"実施状況は記号だけ（{' '.join(x[:1] for x in labels)}）の入力でもかまいません。"
                      f"{labels[fl.NOT_DONE]}のときは、検証内容に理由を必ず記入してください。")]
    if period.is_monthly:
        lines.append(("text", "　年度途中で実施状況がまだ決まっていない取組は、空欄のままでかまいません。"))
    lines.append(("text", f"　事業名・取組の概要（実績）・今後の取組内容とその理由は、審議会資料の施策シートに載ります。"
                          f"実施状況が{labels[fl.DONE]}・{labels[fl.CONTINUING]}の取組は必ず記入してください。"))
    lines += [("text", f"　{title}: {message}") for title, message in GUIDE_EXAMPLES.values()]
    if any(sheet.reposts for sheet in sheets):
        lines.append(("text", f"　{REPOST}の行: ほかの施策にも載る（再掲する）取組は、その取組の行の下に、載る施策ごとに"
                              f"{REPOST}の行があります。その施策での検証内容が取組の行と違うときだけ、{REPOST}の行の"
                              "検証内容に記入します（空欄なら取組の行の検証内容を載せます）。実施状況などは取組の行に記入します。"))
    return lines


def _shared_lines(plan: Plan, department: str) -> list[str]:
    """How each shared KPI and initiative of this department's form is reported (the plan's 報告方法)."""
    lines = []
    for item, name in ([(k, k.name) for k in fl.department_kpis(plan, department)]
                       + [(i, i.content[:30] + ("…" if len(i.content) > 30 else "")) for i in
                          fl.department_initiatives(plan, department)]):
        if not item.shared:
            continue
        others = "、".join(d for d in item.departments if d != department)
        if item.reporting == LEAD:
            how = ("この課が報告します" if item.lead == department
                   else f"{item.lead}が報告します（この様式では見るだけで、入力できません）")
        elif item.reporting == PARTS and isinstance(item, Kpi):  # 合算 is for KPIs only (the plan's schema)
            how = f"各課が自課の分を入力し、各課の値を{item.combine}して評価します"
        else:
            how = (f"各課が入力し、{item.lead}の{'値で評価' if isinstance(item, Kpi) else '実施状況で集計'}します。"
                   "ほかの課の記載も並べて示します")
        lines.append(f"・{item.id} {name}: {how}（{others}と共同で担当）。")
    return lines


def write_guide(workbook: Workbook, styles: dict[str, Format], plan: Plan, department: str, period: ReportPeriod, sheets: list) -> None:
    ws = workbook.add_worksheet(fl.GUIDE_SHEET)
    column = fl.FormColumn("text", "", GUIDE_WIDTH, wrap=True)
    ws.set_column(0, 0, GUIDE_WIDTH)
    ws.write_string(0, 0, f"{plan.settings.city} {period.label} 報告様式 記入要領（{department}）", styles["title"])
    for row, (kind, text) in enumerate(_guide_lines(plan, department, period, sheets), start=2):
        if kind == "heading":
            ws.set_row(row, 22)
        else:
            ws.set_row(row, form_row_height((column,), {"text": text}, 15.0))
        ws.write_string(row, 0, text, styles["heading" if kind == "heading" else "note"])
    print_setup(ws, 0)
    ws.set_portrait()
    protect_sheet(ws, plan)
    ws.activate()


# --- data sheets -------------------------------------------------------------------------------

def _write_data_sheet(workbook: Workbook, styles: dict[str, Format], plan: Plan, department: str, period: ReportPeriod,
                      sheet: fl.DataSheet, previous: dict[str, str]) -> None:
    ws = workbook.add_worksheet(sheet.name)
    header = fl.HEADER_ROW - 1
    first = fl.FIRST_ROW - 1
    ws.write_string(0, 0, f"{period.label}　{sheet.name}（{department}）", styles["title"])
    ws.write_string(1, 0, "黄色のセルに入力してください。灰色のセルは変更できません。" + _sheet_note(plan, period, sheet.name),
                    styles["plain"])
    for col, column in enumerate(sheet.columns):
        ws.write_string(header, col, column.header, styles["input_header" if column.is_input else "header"])
        ws.set_column(col, col, sheet.width(column))
    ws.set_row(header, 30)
    lines = input_lines(plan, sheet.name)
    keys = {column.key for column in sheet.columns}
    for offset, row in enumerate(sheet.rows):
        r = first + offset
        # the 前回までの実績 is not the plan's text: its lines count too (a 合算 part's label is longer)
        texts = {**row, "previous": previous.get(row["id"], "－")} if "previous" in keys else row
        ws.set_row(r, form_row_height(sheet.columns, texts, input_lines=lines))
        for col, column in enumerate(sheet.columns):
            if sheet.is_open(row["id"], column):
                style = "input_number" if column.numeric else "input_wrap" if column.wrap else "input"
                if row.get(column.key):  # prefilled from the plan (事業名); the department may change it
                    ws.write_string(r, col, row[column.key], styles[style])
                else:
                    ws.write_blank(r, col, None, styles[style])
            else:  # plan text, or a row (another department's, a 【再掲】 one) shown but not entered here
                text = previous.get(row["id"], "－") if column.key == "previous" else sheet.locked_text(row, column)
                ws.write_string(r, col, text, styles["locked_wrap" if column.wrap else "locked"])
    add_validations(ws, sheet, plan, period)
    ws.freeze_panes(first, 1)
    print_setup(ws, header)
    protect_sheet(ws, plan)


def form_row_height(columns: tuple, texts: dict, line_height: float = 14.0, input_lines: int = 2) -> float:
    """Room for every wrapped locked text, and for what departments type: a spreadsheet does not grow a row
    whose height the file sets, so a row too short hides the last lines on screen and in print."""
    inputs = input_lines if any(c.is_input and c.wrap for c in columns) and len(columns) > 1 else 1
    return row_height([(texts.get(c.key, ""), c.width) for c in columns if c.wrap], line_height, inputs)


def input_lines(plan: Plan, sheet_name: str) -> int:
    """Lines of typed text a data row shows: the narrative limit with room for bullets that wrap (seed 002's
    run to seven lines), a few sentences for an initiative's result and next step, two for a KPI's remarks."""
    if sheet_name == fl.NARRATIVE_SHEET:
        return plan.settings.narrative_max_lines + 2
    return 5 if sheet_name == fl.INITIATIVE_SHEET else 2


def _sheet_note(plan: Plan, period: ReportPeriod, sheet_name: str) -> str:
    """What the second row of a data sheet adds to 「黄色のセルに入力してください」."""
    if period.is_monthly and sheet_name == fl.KPI_SHEET:
        return "見込み値は、年度末の見込み（この年度の終わりに達すると見込む値）です。"
    if period.is_monthly and sheet_name == fl.INITIATIVE_SHEET:
        return "実施状況がまだ決まっていない取組は空欄のままでかまいません。"
    if sheet_name == fl.INITIATIVE_SHEET:
        return "事業名・取組の概要・今後の取組内容は審議会資料の施策シートに載ります。"
    return ""


REPOST_VALIDATION = {"validate": "any", "input_title": f"検証内容（{REPOST}）",
                     "input_message": "この施策に再掲する取組として、取組の行と違う検証内容があれば記入します。"
                                      "空欄なら取組の行の検証内容を載せます。"}


def add_validations(ws: Worksheet, sheet: fl.DataSheet, plan: Plan, period: ReportPeriod) -> None:
    """Each column's drop-down or check over the initiatives' (or KPIs', nodes') rows, in runs broken where a
    【再掲】 row sits; a 【再掲】 row's 検証内容 has its own message."""
    first = fl.FIRST_ROW - 1
    item_rows = [first + offset for offset, row in enumerate(sheet.rows) if row["id"] not in sheet.reposts]
    repost_rows = [first + offset for offset, row in enumerate(sheet.rows) if row["id"] in sheet.reposts]
    for col, column in enumerate(sheet.columns):
        rule = list_validation(column, plan, period)
        for top, bottom in _runs(item_rows) if rule else ():
            ws.data_validation(top, col, bottom, col, rule)
        if column.key == fl.REPOST_INPUT:
            for top, bottom in _runs(repost_rows):
                ws.data_validation(top, col, bottom, col, REPOST_VALIDATION)


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive row numbers as (first, last) ranges."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def list_validation(column: fl.FormColumn, plan: Plan, period: ReportPeriod) -> dict | None:
    """Drop-downs and checks with Japanese input messages and error alerts."""
    settings = plan.settings
    if column.key == "actual":
        word = "見込み値（年度末の見込み）" if period.is_monthly else "実績値"
        return {"validate": "decimal", "criteria": "between", "minimum": -1e15, "maximum": 1e15,
                "input_title": word, "input_message": ("年度末に達すると見込む値を、" if period.is_monthly else "")
                + "数値だけを入力します（単位は不要）。値が出せない場合は空欄にして「未記入の理由」を記入します。",
                "error_title": "数値を入力してください", "error_message": "数値だけを入力してください（例: 38039、22.7、-244）。単位や文字は入力できません。"}
    if column.key == "as_of":
        return {"validate": "any", "input_title": "時点", "input_message": "値の時点（例: R6.3末、2024/3/31）"}
    if column.key == "reason":
        return {"validate": "list", "source": list(fl.reasons(plan)), "error_type": "information",
                "input_title": "未記入の理由", "input_message": "実績値が空欄のときに、一覧から選ぶか記入します。",
                "error_title": "一覧にない理由", "error_message": "一覧にない理由を記入しました。このままでよければ「OK」を押してください。"}
    if column.key == "status":
        # no error alert: a bare symbol typed or pasted (○) is as good as the label; validation reads both
        labels = settings.status_labels
        later = "年度途中でまだ決まっていなければ空欄のままにします。" if period.is_monthly else ""
        return {"validate": "list", "source": list(labels), "show_error": False, "input_title": "実施状況",
                "input_message": f"{' '.join(labels)} から選びます。記号だけ（{' '.join(x[:1] for x in labels)}）の入力でもかまいません。{later}"}
    if column.key == "next_step":
        return {"validate": "list", "source": list(fl.NEXT_STEPS), "input_title": "今後の取扱い",
                "input_message": "継続 完了 廃止 変更 から選びます。",
                "error_title": "一覧から選んでください", "error_message": "継続、完了、廃止、変更 のいずれかを選んでください。"}
    if column.key == "verification":
        return {"validate": "any", "input_title": "検証内容",
                "input_message": f"実施状況の理由や成果を記入します。{settings.status_labels[fl.NOT_DONE]}のときは必ず記入してください。"
                                 "例: 関係機関との調整が整わず、年度内の実施を見送った。"}
    if column.key in GUIDE_EXAMPLES:
        title, message = GUIDE_EXAMPLES[column.key]
        return {"validate": "any", "input_title": title, "input_message": message}
    if column.key in ("achievements", "next_steps"):
        limit = settings.narrative_max_lines * (settings.narrative_max_chars + 1)
        return {"validate": "length", "criteria": "<=", "value": limit, "error_type": "warning",
                "input_title": "箇条書き", "input_message": f"1行に1項目（改行は Alt+Enter）。{settings.narrative_max_lines}行・1行{settings.narrative_max_chars}字程度まで。",
                "error_title": "長すぎます", "error_message": "審議会資料に収まらない可能性があります。短くまとめてください。"}
    return None


# --- metadata ----------------------------------------------------------------------------------

def meta_items(plan: Plan, department: str, period: ReportPeriod, generated_at: dt.datetime) -> list[tuple[str, str]]:
    return [
        ("形式", fl.FORM_KIND),
        ("様式版", fl.FORM_VERSION),
        ("市区町村", plan.settings.city),
        ("計画ハッシュ", plan.content_hash),
        ("担当課", department),
        ("報告期間", period.key),
        ("作成日時", generated_at.isoformat()),
    ]


def form_signature(plan: Plan, department: str, period: ReportPeriod, generated_at: dt.datetime, key: bytes) -> str:
    """The signature the department's form made at ``generated_at`` carries (what the workspace registers
    as issued: the form need not be read again)."""
    rows = [(sheet.name, item["id"]) for sheet in fl.data_sheets(plan, department, period) for item in sheet.rows]
    return fl.signature(key, meta_items(plan, department, period, generated_at), rows)


def _write_meta(workbook: Workbook, plan: Plan, department: str, period: ReportPeriod, sheets: list,
                generated_at: dt.datetime, key: bytes) -> None:
    ws = workbook.add_worksheet(fl.META_SHEET)
    items = meta_items(plan, department, period, generated_at)
    rows = [(sheet.name, item["id"]) for sheet in sheets for item in sheet.rows]
    row = 0
    for name, value in items + [(fl.SIGNATURE_KEY, fl.signature(key, items, rows))]:
        ws.write_string(row, 0, name)
        ws.write_string(row, 1, value)
        row += 1
    row += 1
    ws.write_string(row, 0, "行")  # row identities: sheet name and the ID in form order
    for name, ident in rows:
        row += 1
        ws.write_string(row, 0, name)
        ws.write_string(row, 1, ident)
    ws.very_hidden()
    protect_sheet(ws, plan)


_BOOK_VIEWS = re.compile(rb"<(bookViews|sheets)[ >]")


def structure_locked(xlsx: bytes, password: str) -> bytes:
    """The workbook with its structure protected (no sheet shown, added, renamed or removed), which xlsxwriter
    does not write: a workbookProtection element put into xl/workbook.xml where the schema places it."""
    hashed = f' workbookPassword="{hash_password(password)}"' if password else ""
    protection = f'<workbookProtection{hashed} lockStructure="1"/>'.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as package, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in package.infolist():
            data = package.read(info)
            if info.filename == "xl/workbook.xml":
                data, count = _BOOK_VIEWS.subn(lambda match: protection + match.group(0), data, count=1)
                if count != 1:
                    raise RuntimeError("xl/workbook.xml has neither bookViews nor sheets")
            copy.writestr(info, data)
    return out.getvalue()

