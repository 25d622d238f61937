"""KPIs and initiatives shared by several departments: each reported by the plan's 報告方法, never decided
by which file the merge reads last.

Forms are filled as a department fills them: the sample values first, then the cells under test typed in
LibreOffice Calc (tests/calc.py; openpyxl where LibreOffice is not installed).
"""
from __future__ import annotations

import csv
import dataclasses
import json
import os
import shutil
import time
from pathlib import Path

import docx
import openpyxl
import pytest
from calc import calc_available, type_into
from forms_helpers import as_made_before_short_names
from office_year import kpireport, ok, returned, section
from openpyxl.utils import get_column_letter

from kpireport.cli.printing import merge_lines, status_lines
from kpireport.council.document import template_path
from kpireport.council.report import write_report
from kpireport.demo.fill import fill_form
from kpireport.forms import layout as fl
from kpireport.forms.writer import write_form
from kpireport.history.store import form_key_in
from kpireport.model import Plan
from kpireport.periods import ReportPeriod
from kpireport.plan.load import load_plan
from kpireport.validate.files import validate_files
from kpireport.workspace import Workspace
from kpireport.workspace.folder import Folder
from kpireport.workspace.reporting import period_data

R5 = ReportPeriod(2023)
VISITORS = "K-S2-02"  # 観光交流人口 (万人), made 合算 over three departments below
MIGRATION = "K-S2-01"  # 社会増減数 (人), 政策推進課 and 地域振興課
CARE = "T-S3-2-01"  # こども家庭課 and 健康増進課, 併記 in the example


def cell(plan: Plan, department: str, sheet_name: str, ident: str, key: str) -> str:
    sheet = next(s for s in fl.data_sheets(plan, department, R5) if s.name == sheet_name)
    row = fl.FIRST_ROW + [r["id"] for r in sheet.rows].index(ident)
    return f"{get_column_letter(1 + [c.key for c in sheet.columns].index(key))}{row}"


def make_workspace(root: Path, document: dict, changes: dict) -> tuple[Workspace, Plan]:
    """The example plan with some KPIs' and initiatives' fields changed: {ID: {field: value}}."""
    for record in document["kpis"] + document["initiatives"] + document["nodes"]:
        record.update(changes.get(record["id"], {}))
    ws = Workspace.create(root, document=document)
    return ws, ws.plan()


def submit(ws: Workspace, plan: Plan, department: str, typed: list[tuple[str, str, str, object]],
           saved_at: float) -> Path:
    """The department's form, filled with sample values and then ``typed`` (sheet, ID, column, text) in Calc,
    put in the inbox as saved at ``saved_at``."""
    form = write_form(plan, department, R5, ws.forms_folder(R5) / fl.form_file_name(R5, department),
                      form_key_in(ws.history_file))
    (ws.root / "filled").mkdir(exist_ok=True)
    filled = fill_form(form, plan, department, R5, ws.root / "filled" / form.name)
    entries = [(sheet, cell(plan, department, sheet, ident, key), text) for sheet, ident, key, text in typed]
    path = type_into(filled, entries, ws.inbox / form.name) if entries else filled.replace(ws.inbox / form.name)
    os.utime(path, (saved_at, saved_at))
    return path


def kpi_row(master: Path, kpi_id: str) -> dict:
    sheet = openpyxl.load_workbook(master, read_only=True)["KPI一覧"]
    rows = sheet.iter_rows(min_row=3, values_only=True)
    header = next(rows)
    return next(dict(zip(header, row)) for row in rows if row[0] == kpi_id)


@pytest.fixture
def visitors_in_parts(tmp_path, document):
    """観光交流人口 counted by three departments, each reporting its own part."""
    return make_workspace(tmp_path / "ws", document, {VISITORS: {
        "departments": ["観光政策課", "商工労働課", "世界ジオパーク推進課"], "reporting": "合算"}})


PARTS = {"観光政策課": "98", "商工労働課": "245", "世界ジオパーク推進課": "18.5"}


@pytest.mark.slow  # LibreOffice Calc typing, then whole merges
@pytest.mark.parametrize("order", ["as listed", "reversed"])
def test_parts_are_summed_whatever_the_order_of_the_files(visitors_in_parts, order):
    ws, plan = visitors_in_parts
    departments = list(PARTS) if order == "as listed" else list(reversed(PARTS))
    start = time.time() - 100
    for offset, department in enumerate(departments):
        submit(ws, plan, department, [(fl.KPI_SHEET, VISITORS, "actual", PARTS[department])], start + offset)
    outcome = ws.merge()
    row = kpi_row(outcome.master, VISITORS)
    assert row["令和5年度 実績"] == "361.5万人" and row["数値（単位どおり）"] == 361.5
    assert row["担当課ごとの値"].startswith("合算（合計）: 観光政策課 98万人 + 商工労働課 245万人 + 世界ジオパーク推進課 18.5万人"
                                      " → 361.5万人")
    assert row["計算の根拠"].startswith("合算（合計）") and "実績 361.5万人" in row["計算の根拠"]
    assert outcome.data.attention == []


@pytest.mark.slow  # LibreOffice Calc typing, then whole merges
def test_a_part_left_blank_is_not_evaluated_and_is_said(visitors_in_parts):
    ws, plan = visitors_in_parts
    start = time.time() - 100
    submit(ws, plan, "観光政策課", [(fl.KPI_SHEET, VISITORS, "actual", "98")], start)
    submit(ws, plan, "商工労働課", [(fl.KPI_SHEET, VISITORS, "actual", None),
                                 (fl.KPI_SHEET, VISITORS, "reason", "集計中")], start + 1)
    outcome = ws.merge()
    row = kpi_row(outcome.master, VISITORS)
    assert row["令和5年度 実績"] in (None, "") and row["評価"].startswith("−")
    assert "商工労働課 （未記入: 集計中）" in row["担当課ごとの値"] and "世界ジオパーク推進課 （未提出）" in row["担当課ごとの値"]
    assert [f.code for f in outcome.data.attention] == ["shared-parts-missing"]
    assert "商工労働課、世界ジオパーク推進課" in outcome.data.attention[0].message or \
        "世界ジオパーク推進課、商工労働課" in outcome.data.attention[0].message
    lines = merge_lines(outcome)
    assert "要確認（共同で担当する指標・取組）: 1件" in lines
    attention = openpyxl.load_workbook(outcome.master, read_only=True)["要確認"]
    assert any("観光交流人口" in (row[0] or "") for row in attention.iter_rows(min_row=4, values_only=True))


@pytest.fixture
def migration_by_lead(tmp_path, document):
    return make_workspace(tmp_path / "ws", document, {})  # the example's default: 主担当 (政策推進課)


def test_the_lead_reports_and_the_other_form_shows_the_row_read_only(migration_by_lead):
    ws, plan = migration_by_lead
    form = write_form(plan, "地域振興課", R5, ws.forms_folder(R5) / "f.xlsx", form_key_in(ws.history_file))
    sheet = openpyxl.load_workbook(form)[fl.KPI_SHEET]
    where = cell(plan, "地域振興課", fl.KPI_SHEET, MIGRATION, "actual")
    assert sheet[where].value == "（政策推進課が報告）" and sheet[where].protection.locked
    own = next(k.id for k in plan.kpis if k.departments == ("地域振興課",))
    mine = cell(plan, "地域振興課", fl.KPI_SHEET, own, "actual")
    assert not sheet[mine].protection.locked


@pytest.mark.slow  # LibreOffice Calc typing, then whole merges
@pytest.mark.parametrize("order", ["lead first", "lead last"])
def test_the_leads_value_stands_and_a_remerge_changes_nothing(migration_by_lead, order):
    ws, plan = migration_by_lead
    start = time.time() - 100
    lead_at, other_at = (start, start + 1) if order == "lead first" else (start + 1, start)
    submit(ws, plan, "政策推進課", [(fl.KPI_SHEET, MIGRATION, "actual", "-161")], lead_at)
    submit(ws, plan, "地域振興課", [], other_at)
    first = ws.merge()
    assert kpi_row(first.master, MIGRATION)["令和5年度 実績"] == "△161人"
    # the other department submitted: its part of the row says who reports it, never 「（未提出）」
    assert "地域振興課 （政策推進課が報告）" in kpi_row(first.master, MIGRATION)["担当課ごとの値"]
    for path in ws.inbox.glob("*.xlsx"):  # the files saved again, in the other order: nothing changed
        stamp = path.stat().st_mtime
        os.utime(path, (2 * start - stamp, 2 * start - stamp))
    again = ws.merge()
    assert again.data.changes == [] and kpi_row(again.master, MIGRATION)["令和5年度 実績"] == "△161人"


def test_a_value_typed_into_a_read_only_row_is_refused(migration_by_lead, tmp_path):
    ws, plan = migration_by_lead
    form = submit(ws, plan, "地域振興課", [], time.time())
    where = cell(plan, "地域振興課", fl.KPI_SHEET, MIGRATION, "actual")
    book = openpyxl.load_workbook(form)  # the sheet's protection taken off, as it can be
    book[fl.KPI_SHEET][where].value = -200
    book.save(form)
    result = validate_files(plan, [form], R5)[0]
    assert [(f.cell, f.code, f.severity) for f in result.findings] == [
        (where, "shared-read-only-edited", "error")]
    assert "政策推進課が報告する行" in result.findings[0].message


def test_a_legacy_form_keeps_being_read_without_the_other_departments_value(migration_by_lead):
    """A form made before the rule (様式版 1) had the row open: its value is not recorded, with a warning."""
    ws, plan = migration_by_lead
    form = submit(ws, plan, "地域振興課", [], time.time())
    book = openpyxl.load_workbook(form)
    meta = book[fl.META_SHEET]
    for row in meta.iter_rows():
        if row[0].value == "様式版":
            row[1].value = "1"
        if row[0].value == "署名":
            row[0].value = row[1].value = None
    book[fl.KPI_SHEET][cell(plan, "地域振興課", fl.KPI_SHEET, MIGRATION, "actual")].value = -200
    as_made_before_short_names(book)
    book.save(form)
    result = validate_files(plan, [form], R5)[0]
    assert result.valid
    assert "shared-not-recorded" in [f.code for f in result.findings]
    assert MIGRATION not in {e.kpi_id for e in result.kpis}


@pytest.mark.slow  # LibreOffice Calc typing, then whole merges
@pytest.mark.parametrize("order", ["lead first", "lead last"])
def test_side_by_side_values_that_disagree_are_said_and_the_lead_stands(tmp_path, document, order):
    ws, plan = make_workspace(tmp_path / "ws", document, {MIGRATION: {"reporting": "併記"}})
    start = time.time() - 100
    lead_at, other_at = (start, start + 1) if order == "lead first" else (start + 1, start)
    submit(ws, plan, "地域振興課", [(fl.KPI_SHEET, MIGRATION, "actual", None),
                                 (fl.KPI_SHEET, MIGRATION, "reason", "集計中")], other_at)
    submit(ws, plan, "政策推進課", [(fl.KPI_SHEET, MIGRATION, "actual", "-161")], lead_at)
    outcome = ws.merge()
    row = kpi_row(outcome.master, MIGRATION)
    assert row["令和5年度 実績"] == "△161人"
    assert "政策推進課 △161人、地域振興課 （未記入: 集計中）" in row["担当課ごとの値"]
    assert [f.code for f in outcome.data.attention] == ["shared-disagree"]
    status = status_lines(ws.status())
    assert "■ 要確認（共同で担当する指標・取組）: 1件" in status


@pytest.mark.slow  # LibreOffice Calc typing, then whole merges
def test_both_departments_texts_of_a_side_by_side_initiative_reach_the_master_and_the_report(tmp_path, document):
    ws, plan = make_workspace(tmp_path / "ws", document, {"G1-1": {"departments": ["観光政策課", "商工労働課"]}})
    assert plan.initiatives[[i.id for i in plan.initiatives].index(CARE)].reporting == "併記"
    start = time.time() - 100
    submit(ws, plan, "こども家庭課", [(fl.INITIATIVE_SHEET, CARE, "verification", "センターで妊婦218人を把握した")], start)
    submit(ws, plan, "健康増進課", [(fl.INITIATIVE_SHEET, CARE, "verification", "産後ケアを延べ96回実施した")], start + 1)
    submit(ws, plan, "観光政策課", [(fl.NARRATIVE_SHEET, "G1-1", "achievements", "観光課の取組")], start + 2)
    submit(ws, plan, "商工労働課", [(fl.NARRATIVE_SHEET, "G1-1", "achievements", "商工課の取組")], start + 3)
    outcome = ws.merge()
    initiatives = openpyxl.load_workbook(outcome.master, read_only=True)["取組一覧"]
    head = next(initiatives.iter_rows(min_row=3, max_row=3, values_only=True))
    row = dict(zip(head, next(r for r in initiatives.iter_rows(min_row=4, values_only=True) if r[0] == CARE)))
    assert row["検証内容"] == "センターで妊婦218人を把握した"
    assert "【健康増進課】" in row["ほかの担当課の記載"] and "産後ケアを延べ96回実施した" in row["ほかの担当課の記載"]
    assert outcome.data.narratives["G1-1"].achievements == ("観光課の取組", "商工課の取組")
    report = ws.report(pdf=False).path
    text = "\n".join(c.text for t in docx.Document(report).tables for r in t.rows for c in r.cells)
    assert "（こども家庭課）センターで妊婦218人を把握した\n（健康増進課）産後ケアを延べ96回実施した" in text
    paragraphs = [p.text for p in docx.Document(report).paragraphs]
    assert "観光課の取組" in paragraphs and "商工課の取組" in paragraphs


@pytest.mark.slow  # LibreOffice Calc typing, then whole merges
def test_a_text_at_excels_limit_in_any_free_text_column_is_refused_and_the_others_merge(tmp_path, document):
    """Pasted into Calc, 40,000 characters are saved as 32,767 (Calc cuts them): refused, with the cell named,
    and the merge of the other departments' files writes the master as usual."""
    ws, plan = make_workspace(tmp_path / "ws", document, {})
    department = "観光政策課"
    kpi = next(k.id for k in plan.kpis if k.departments == (department,))
    initiative = next(i.id for i in plan.initiatives if i.departments == (department,))
    long = "長" * (40_000 if calc_available() else 32_767)  # what Calc saves of 40,000
    columns = [(fl.KPI_SHEET, kpi, key) for key in ("as_of", "remarks", "reason")] + [
        (fl.INITIATIVE_SHEET, initiative, key) for key in ("verification", "summary", "plan")] + [
        (fl.NARRATIVE_SHEET, "G1-1", key) for key in ("achievements", "next_steps")]
    start = time.time() - 100
    path = submit(ws, plan, department, [(sheet, ident, key, long) for sheet, ident, key in columns], start)
    submit(ws, plan, "農林課", [], start + 1)
    result = validate_files(plan, [path], R5)[0]
    expected = {cell(plan, department, sheet, ident, key) for sheet, ident, key in columns}
    at_limit = {f.cell for f in result.findings if f.code == "cell-text-at-limit" and f.severity == "error"}
    assert at_limit == expected
    outcome = ws.merge()
    states = {r.department: state for r, state in outcome.recorded}
    assert states == {department: "差し戻し", "農林課": "受理"}
    assert outcome.problems == {} and outcome.notes == [] and outcome.master.is_file()


# The office changes 報告方法 after the forms went out (美祢市, the example): K-S3-03 主担当 → 合算, K-S4-5-01 合算 →
# 主担当 (the cell cleared), T-S4-5-02 主担当 → 併記. The departments' forms were made and filled before.
NOW_PARTS, NOW_LEAD, NOW_BESIDE = "K-S3-03", "K-S4-5-01", "T-S4-5-02"
MADE_BEFORE = ("こども家庭課", "情報政策課", "学校教育課")  # K-S3-03's co-owner, K-S4-5-01's, T-S4-5-02's
# (政策推進課, K-S3-03's lead, submits before the change too)


def change_reporting(plan_file: Path, changes: dict[str, str | None]) -> None:
    """The office's edit of 報告方法 in the plan workbook: {KPI or initiative ID: 報告方法 (None: cleared)}."""
    book = openpyxl.load_workbook(plan_file)
    for title in ("指標", "取組"):
        sheet = book[title]
        column = next(c.column for c in sheet[1] if c.value == "報告方法")
        for row in sheet.iter_rows(min_row=2):
            if row[0].value in changes:
                sheet.cell(row[0].row, column).value = changes[row[0].value]
    book.save(plan_file)


@pytest.fixture(scope="module")
def sharing_changed(tmp_path_factory):
    """The command line as the office runs it: forms sent, こども家庭課's accepted, 報告方法 changed, then the
    forms made before checked and merged."""
    root = tmp_path_factory.mktemp("houkoku")
    ok("init", "ws", cwd=root)
    ws = root / "ws"
    ok("forms", "-w", "ws", cwd=root)
    plan = load_plan(ws / "計画体系.xlsx").plan  # the plan the forms were made with
    kept = {d: returned(ws, R5, d, root / "課の手元" / fl.form_file_name(R5, d)) for d in MADE_BEFORE}
    shutil.copy(kept["こども家庭課"], ws / "inbox")
    returned(ws, R5, "政策推進課", ws / "inbox" / fl.form_file_name(R5, "政策推進課"))  # K-S3-03's lead
    assert "受理 2件" in ok("merge", "-w", "ws", cwd=root)
    change_reporting(ws / "計画体系.xlsx", {NOW_PARTS: "合算", NOW_LEAD: None, NOW_BESIDE: "併記"})
    assert "エラー 0件" in ok("plan", "check", "-w", "ws", cwd=root)
    checked = kpireport("validate", "-w", "ws", "--json", "--no-feedback", *map(str, kept.values()), cwd=root)
    findings = {task["department"]: task["findings"] for task in json.loads(checked.stdout)["tasks"]}
    shutil.copy(kept["情報政策課"], ws / "inbox")  # sent after the change
    merged = ok("merge", "-w", "ws", cwd=root)
    status = ok("status", "-w", "ws", cwd=root)
    return plan, kept, findings, merged, status


def errors(findings: list[dict]) -> list[tuple[str, str, str]]:
    return [(f["sheet"], f["cell"], f["code"]) for f in findings if f["severity"] == "error"]


def message(findings: list[dict], code: str) -> str:
    return next(f["message"] for f in findings if f["code"] == code)


@pytest.mark.slow  # the command line as real processes
def test_a_row_made_read_only_that_became_the_departments_asks_for_a_new_form(sharing_changed):
    """The form shows 「（政策推進課が報告）」 where the department now reports its part: a value missing because of
    the office's change, said so (never read as a value, never 「消して」)."""
    plan, kept, findings, merged, status = sharing_changed
    for department, sheet, ident, first_input in (("こども家庭課", fl.KPI_SHEET, NOW_PARTS, "actual"),
                                                  ("学校教育課", fl.INITIATIVE_SHEET, NOW_BESIDE, "name")):
        where = cell(plan, department, sheet, ident, first_input)
        placeholder = openpyxl.load_workbook(kept[department])[sheet][where].value
        assert placeholder.endswith("が報告）")
        assert errors(findings[department]) == [(sheet, where, "shared-now-reported-here")], findings[department]
        said = message(findings[department], "shared-now-reported-here")
        assert f"「{placeholder}」" in said and "新しい様式を受け取り" in said and "消して" not in said


@pytest.mark.slow  # the command line as real processes
def test_a_part_typed_under_parts_is_not_taken_once_another_department_reports_the_row(sharing_changed):
    """The department's own part, typed when the KPI was 合算, in a row now 主担当 of another department: not this
    department's to report; the office's change is the reason given (never 「消して」 for a cell it typed in)."""
    plan, kept, findings, merged, status = sharing_changed
    where = cell(plan, "情報政策課", fl.KPI_SHEET, NOW_LEAD, "actual")
    typed = openpyxl.load_workbook(kept["情報政策課"])[fl.KPI_SHEET][where].value
    assert errors(findings["情報政策課"]) == [(fl.KPI_SHEET, where, "shared-reporting-changed")]
    said = message(findings["情報政策課"], "shared-reporting-changed")
    assert f"「{typed}」" in said and "生涯学習スポーツ推進課が報告する行になりました" in said
    assert "消して" not in said and "新しい様式を受け取り" in said


@pytest.mark.slow  # the command line as real processes
def test_merge_and_status_say_what_validate_says_after_the_change(sharing_changed):
    """The form sent after the change is sent back with the office's change as the reason; the form accepted
    before stands, and its missing part is said as missing from a submitted form, not as 「（未提出）」."""
    plan, kept, findings, merged, status = sharing_changed
    name = kept["情報政策課"].name
    assert f"{name}: 差し戻し" in merged and "生涯学習スポーツ推進課が報告する行になりました" in merged, merged
    assert "  情報政策課" in "\n".join(section(status, "要再提出")), status
    assert "  こども家庭課: " in "\n".join(section(status, "提出済")), status
    for output in (merged, status):
        assert "こども家庭課 （提出済みの様式に値なし）" in output and "こども家庭課 （未提出）" not in output, output


@pytest.mark.slow  # LibreOffice Calc typing, whole merges, the report in both layouts and the site
def test_a_side_by_side_initiative_prints_each_departments_own_project_name_with_its_texts(tmp_path, document):
    """健康増進課 names its part of こども家庭課's 併記 initiative 「産後ケア事業」: the report's 施策シート, its
    取組状況 (一覧 and 検証表) and the site print that name with the department's texts, so its result is never
    read as こども家庭課's 事業; こども家庭課's own texts keep the row's name."""
    ws, plan = make_workspace(tmp_path / "ws", document, {})
    start = time.time() - 100
    submit(ws, plan, "こども家庭課", [], start)
    typed = {"name": "産後ケア事業", "verification": "産後ケアの利用枠が不足した。",
             "summary": "産後ケアを12人が利用した。", "plan": "利用枠を広げる（希望者が多いため）。"}
    submit(ws, plan, "健康増進課", [(fl.INITIATIVE_SHEET, CARE, key, text) for key, text in typed.items()], start + 1)
    outcome = ws.merge()
    lead = dict(outcome.data.initiatives)[plan.initiative(CARE)]
    assert lead is not None and lead.name and lead.name != typed["name"]
    report = docx.Document(ws.report(pdf=False).path)
    rows = [[cell.text for cell in row.cells] for table in report.tables for row in table.rows]
    done = [row for row in rows if row[0] == lead.name and "（健康増進課）" in row[-1]]
    assert len(done) == 2, rows  # 施策シート: this year's 事業, then next year's
    assert done[0][-1].startswith(f"（こども家庭課）{lead.summary}\n")
    assert done[0][-1].endswith(f"\n（健康増進課）産後ケア事業: {typed['summary']}")
    assert done[1][-1].endswith(f"\n（健康増進課）産後ケア事業: {typed['plan']}")
    verified = f"\n（健康増進課）産後ケア事業: {typed['verification']}"
    assert sum(row[-1].endswith(verified) for row in rows) == 1  # 取組状況 (一覧)
    data = period_data(Folder(ws.root))
    table_layout = dataclasses.replace(data.plan.settings, appendix_style="検証表")
    path = write_report(dataclasses.replace(data, plan=dataclasses.replace(data.plan, settings=table_layout)),
                        template_path(None), tmp_path / "検証表.docx", ["取組状況"])
    rows = [[cell.text for cell in row.cells] for table in docx.Document(path).tables for row in table.rows]
    assert sum(row[-1].endswith(verified) for row in rows) == 1, rows
    ws.publish()
    pages = "\n".join(page.read_text(encoding="utf-8") for page in (ws.output / "公開").rglob("*.html"))
    for text in (typed["summary"], typed["plan"], typed["verification"]):
        assert f"（健康増進課）産後ケア事業: {text}" in pages


@pytest.mark.slow  # the command line as real processes: merge, report, publish
def test_a_shared_initiative_whose_lead_has_not_sent_is_not_reported_never_left_blank(tmp_path):
    """Every department but 地域振興課 (lead of the 主担当 T-S2-3-02; 情報政策課's form shows the row read-only) and
    こども家庭課 (lead of the 併記 T-S3-2-01; 健康増進課 sent its own) has sent its form, every 実施状況 filled. The
    two initiatives follow their leads: not reported, 「（未提出）」 like the leads' own initiatives, never 「未記入」
    (a department that sent its form with the status blank): in the master, the report's tables and counts, the
    site."""
    ok("init", "ws", cwd=tmp_path)
    ws = tmp_path / "ws"
    ok("forms", "-w", "ws", cwd=tmp_path)
    plan = load_plan(ws / "計画体系.xlsx").plan
    shared = {"T-S2-3-02": "地域振興課", CARE: "こども家庭課"}
    assert all(plan.initiative(ident).lead == lead and plan.initiative(ident).shared for ident, lead in shared.items())
    for department in (d for d in fl.departments_with_forms(plan) if d not in shared.values()):
        returned(ws, R5, department, ws / "inbox" / fl.form_file_name(R5, department))
    ok("merge", "-w", "ws", cwd=tmp_path)
    master = openpyxl.load_workbook(ws / "output" / "master_令和5年度_実績.xlsx", read_only=True)
    listed = list(master["取組一覧"].iter_rows(min_row=3, values_only=True))
    head = listed[0]
    for row in (dict(zip(head, r)) for r in listed[1:] if r[0] in shared):
        assert (row["実施状況"] or "", row["提出"]) == ("", "未報告"), row
    summary = [row for row in master["概要"].iter_rows(values_only=True) if "未報告" in row]
    assert summary and not any("未記入" in row for row in summary), summary  # every department that sent filled it
    # the office's check list names who is to report each: the lead, never the department whose form shows it read-only
    to_supply = {row[2]: row[1] for row in master["未提出・未記入"].iter_rows(min_row=4, values_only=True) if row[2]}
    assert {ident: to_supply.get(ident) for ident in shared} == shared, to_supply
    ok("report", "-w", "ws", cwd=tmp_path)
    tables = docx.Document(ws / "output" / "report_令和5年度_実績.docx").tables
    rows = [[cell.text for cell in row.cells] for table in tables for row in table.rows]
    for ident in shared:
        content = plan.initiative(ident).content
        status = [row[2] for row in rows if len(row) == 5 and row[1].startswith(content)]
        assert status and set(status) == {"（未提出）"}, (ident, status)
    counts = [row for row in rows if "取組数" in row and "未報告" in row]
    assert counts and not any("未記入" in row for row in counts)
    ok("publish", "-w", "ws", cwd=tmp_path)
    with open(ws / "output" / "公開" / "data" / "initiatives.csv", encoding="utf-8-sig") as opened:
        published = {row["取組ID"]: row["実施状況"] for row in csv.DictReader(opened)}
    assert {ident: published[ident] for ident in shared} == {ident: "未報告" for ident in shared}


# --- 合算 parts as the history holds them (recorded directly: what in_force makes of them) -------------------

def record_parts(ws: Workspace, period: ReportPeriod, parts: dict[str, tuple[str, str]]) -> None:
    """Each department's accepted annual file for ``period`` holding its part of VISITORS: (text, 時点)."""
    from kpireport.history.store import History
    from kpireport.model import KpiEntry, ValidationResult
    from kpireport.values import in_unit, parse_value

    history = History(ws.history_file)
    try:
        with history.transaction():
            merge_id = history.start_merge(period.key, "plan")
            for department, (text, as_of) in parts.items():
                value = in_unit(parse_value(text), "万人")
                history.record(merge_id, ValidationResult(f"{department}.xlsx", department, department, period.key, (),
                                                          (KpiEntry(VISITORS, value, as_of=as_of, sheet=fl.KPI_SHEET,
                                                                    cell="J7"),)), "2024-05-01T10:00:00")
    finally:
        history.close()


def visitors_in_force(ws: Workspace, plan: Plan, period: ReportPeriod = R5):
    from kpireport.history.in_force import in_force
    from kpireport.history.store import History

    history = History(ws.history_file)
    try:
        current = in_force(history, plan, period)
    finally:
        history.close()
    return current.kpis[VISITORS], current.attention


@pytest.mark.parametrize("old", ["観光政策課", "世界ジオパーク推進課"])
def test_parts_of_different_data_years_are_not_combined_and_each_year_is_named(visitors_in_parts, old):
    """One department's part is 令和4年度 data (時点 R5.3末), the others' 令和5年度: a sum of two years' figures is no
    year's figure, whichever department's part is the old one (the lead's or another's)."""
    ws, plan = visitors_in_parts
    record_parts(ws, R5, {d: (text, "R5.3末" if d == old else "R6.3末") for d, text in PARTS.items()})
    standing, attention = visitors_in_force(ws, plan)
    assert standing.value is None and standing.working.endswith("データの年度が違うため評価しません")
    assert [f.code for f in attention] == ["shared-parts-years-differ"]
    for department, text in PARTS.items():
        year = "令和4年度" if department == old else "令和5年度"
        assert f"{department} {text}万人（{year}のデータ）" in attention[0].message
    assert "観光政策課、商工労働課、世界ジオパーク推進課に" in attention[0].message


def test_parts_of_one_earlier_data_year_are_combined_and_graded_at_that_year(visitors_in_parts):
    """Every part 令和4年度 data (the lead's by the year in its value, one by its 時点, one by both): combined as
    usual, the total of 令和4年度, graded at that year."""
    from kpireport.evaluate.data_year import data_year

    ws, plan = visitors_in_parts
    record_parts(ws, R5, {"観光政策課": ("98万人（R4年度）", ""), "商工労働課": ("245", "R5.3末"),
                          "世界ジオパーク推進課": ("18.5万人（R4年度）", "R5.3末")})
    standing, attention = visitors_in_force(ws, plan)
    assert attention == []
    assert standing.value is not None and standing.value.value.number == 3_615_000
    assert data_year(standing.value, 2023) == 2022


def test_parts_of_the_reports_own_year_are_combined_with_no_year_shown(visitors_in_parts):
    """A 時点 at the year's end and none at all are both the report's own year."""
    from kpireport.evaluate.data_year import data_year

    ws, plan = visitors_in_parts
    record_parts(ws, R5, {"観光政策課": ("98", "R6.3末"), "商工労働課": ("245", ""), "世界ジオパーク推進課": ("18.5", "")})
    standing, attention = visitors_in_force(ws, plan)
    assert attention == [] and standing.value is not None and data_year(standing.value, 2023) is None


def test_an_approximate_part_makes_the_total_approximate(visitors_in_parts):
    """「約98万人」 in one part: the total is about 361.5万人, shown so in the working and the value."""
    from kpireport.values import format_value

    ws, plan = visitors_in_parts
    record_parts(ws, R5, {"観光政策課": ("約98", ""), "商工労働課": ("245", ""), "世界ジオパーク推進課": ("18.5", "")})
    standing, _ = visitors_in_force(ws, plan)
    assert standing.value is not None and format_value(standing.value.value) == "約361.5万人"
    assert standing.working == "合算（合計）: 観光政策課 約98万人 + 商工労働課 245万人 + 世界ジオパーク推進課 18.5万人 → 約361.5万人"
