"""The monthly job: merge, history, status, master workbook."""
from __future__ import annotations

import json
import os
import sqlite3
import time
import zipfile
from contextlib import closing
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document
from forms_helpers import column, edit, filled_form, row_of
from office import pdf_text, to_pdf
from test_other_plans import fill_all
from test_report_shapes import SHAPE_PLAN
from test_repost_verification import beside_document

from kpireport.cli.commands import cli
from kpireport.forms import layout as fl
from kpireport.history.merge import changes
from kpireport.history.past_actuals import import_actuals
from kpireport.history.store import History, form_key_in
from kpireport.periods import ReportPeriod
from kpireport.plan.load import load_plan
from kpireport.runtime.office import NO_PDF
from kpireport.workspace import Workspace

SEPT = ReportPeriod(2023, 9)
A, B, C = "観光政策課", "農林課", "学校教育課"


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace.create(tmp_path / "ws")


@pytest.fixture
def plan(ws):
    return load_plan(ws.plan_file).plan


def submit(plan, ws, department, period, name=None, change=None, age=0.0) -> Path:
    path = filled_form(plan, department, period, ws.inbox, name=name or "", key=form_key_in(ws.history_file))
    if change:
        edit(path, change)
    stamp = time.time() - 100 + age  # later submissions get later modification times
    os.utime(path, (stamp, stamp))
    return path


def set_actual(ident, value, period=SEPT):
    def change(wb):
        ws = wb[fl.KPI_SHEET]
        ws.cell(row_of(ws, ident), column(fl.KPI_SHEET, "actual", period)).value = value
    return change


def sheet_rows(path: Path, name: str) -> list[list]:
    ws = openpyxl.load_workbook(path)[name]
    return [[c.value for c in row] for row in ws.iter_rows(min_row=4) if any(c.value is not None for c in row)]


@pytest.mark.slow  # end to end: three merges in a row, with resubmission and rejection
def test_three_merges_resubmission_rejection_and_missing_department(ws, plan):
    period = "2023-09"
    # merge 1: A and B submit, C does not
    submit(plan, ws, A, SEPT, age=1)
    submit(plan, ws, B, SEPT, age=2)
    first = ws.merge(period=period)
    assert [(r.department, s) for r, s in first.recorded] == [(A, "受理"), (B, "受理")]
    master = ws.master_file(SEPT)
    status = {r[0]: r for r in sheet_rows(master, "提出状況")}
    assert status[A][1] == "提出済" and status[B][1] == "提出済" and status[C][1] == "未提出"

    # merge 2: A resubmits a corrected form (one value changed); B's file is still there
    submit(plan, ws, A, SEPT, name="観光政策課_修正版.xlsx", change=set_actual("K-S2-1-06", 400000), age=3)
    second = ws.merge(period=period)
    states = {r.file: s for r, s in second.recorded}
    assert states["観光政策課_修正版.xlsx"] == "受理" and states[fl.form_file_name(SEPT, B)] == "変更なし"
    changes = sheet_rows(master, "変更点")
    assert [row[:6] for row in changes] == [["変更", "指標", "K-S2-1-06", "道の駅利用者数",
                                            _before(plan, "K-S2-1-06"), "400,000人"]]
    assert second.archived is not None and second.archived.exists()  # the previous master is kept

    # merge 3: B resubmits a broken form: rejected, B's accepted values stay
    before_b = _values(ws, period, B)
    submit(plan, ws, B, SEPT, name="農林課_再提出.xlsx", change=set_actual("K-S1-3-01", "不明"), age=4)
    third = ws.merge(period=period)
    assert {r.file: s for r, s in third.recorded}["農林課_再提出.xlsx"] == "差し戻し"
    assert _values(ws, period, B) == before_b
    status = {r[0]: r for r in sheet_rows(master, "提出状況")}
    assert status[B][1] == "提出済（新しい提出を差し戻し）"
    assert status[B][2] == fl.form_file_name(SEPT, B) and status[B][6] == "農林課_再提出.xlsx"
    assert "数値として読めません" in status[B][7]
    assert status[C][1] == "未提出"
    # a rejected resubmission changes no value: the changes sheet says so and lists nothing
    assert [r[0] for r in sheet_rows(master, "変更点")] == ["前回の集計から変わった値はありません。"]

    # nothing accepted was lost, every submission is in the history, merging again changes nothing
    with sqlite3.connect(ws.history_file) as db:
        assert db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 4
        assert db.execute("SELECT COUNT(*) FROM submissions WHERE accepted = 0").fetchone()[0] == 1
    again = ws.merge(period=period)
    assert {s for _, s in again.recorded} == {"変更なし"}
    with sqlite3.connect(ws.history_file) as db:
        assert db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 4


def _before(plan, kpi_id):
    from kpireport.demo.fill import demo_actual
    from kpireport.values import format_number
    kpi = next(k for k in plan.kpis if k.id == kpi_id)
    index = [k.id for k in plan.kpis].index(kpi_id)
    return format_number(demo_actual(kpi, index), "人")


def _values(ws, period, department):
    history = History(ws.history_file)
    try:
        return {k: [(v.value.raw, str(v.value.number)) for v in vs if v.department == department]
                for k, vs in history.kpi_values(period).items()}
    finally:
        history.close()


@pytest.mark.slow  # LibreOffice
def test_master_figures_match_the_history_and_open_in_libreoffice(ws, plan, tmp_path):
    for department in (A, B):
        submit(plan, ws, department, ReportPeriod(2023))
    outcome = ws.merge()
    master = outcome.master
    assert master.name == "master_令和5年度_実績.xlsx"
    book = openpyxl.load_workbook(master)
    assert book.sheetnames == ["概要", "KPI一覧", "推移（総合戦略）", "取組一覧", "主な取組と方向性", "提出状況", "未提出・未記入", "要確認", "検証結果",
                               "変更点"]
    kpi_sheet = book["KPI一覧"]
    headers = [c.value for c in kpi_sheet[3]]
    number_col = headers.index("数値（単位どおり）")
    history = History(ws.history_file)
    stored = history.kpi_values("2023")
    history.close()
    checked = 0
    for row in kpi_sheet.iter_rows(min_row=4, values_only=True):
        kpi_id = row[headers.index("指標ID")]
        if kpi_id in stored and stored[kpi_id][-1].value.is_number:
            value = stored[kpi_id][-1].value
            from kpireport.master.kpi_list import _in_unit
            assert row[number_col] == pytest.approx(float(_in_unit(value))), kpi_id
            checked += 1
    assert checked >= 15
    assert len(book["概要"]._charts) == 2  # one native chart per plan
    text = pdf_text(to_pdf(master, tmp_path))
    assert "KPIの達成状況" in text and "道の駅利用者数" in text


@pytest.mark.slow  # whole merges with their master written (a second or more)
def test_department_text_starting_with_equals_stays_text(ws, plan):
    evil = '=HYPERLINK("http://example.com","click")'

    def change(wb):
        sheet = wb[fl.KPI_SHEET]
        sheet.cell(row_of(sheet, "K-S2-1-06"), column(fl.KPI_SHEET, "remarks", ReportPeriod(2023))).value = evil
        sheet.cell(row_of(sheet, "K-S2-1-06"), column(fl.KPI_SHEET, "remarks", ReportPeriod(2023))).data_type = "s"
    submit(plan, ws, A, ReportPeriod(2023), change=change)
    master = ws.merge().master
    with zipfile.ZipFile(master) as z:
        names = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = b"".join(z.read(n) for n in names) + z.read("xl/sharedStrings.xml")
    assert b"<f>" not in xml
    assert evil.replace('"', "&quot;").encode() in xml or evil.encode() in xml
    row = next(r for r in sheet_rows(master, "KPI一覧") if r[0] == "K-S2-1-06")
    assert evil in " ".join(str(x) for x in row if x)
    book = openpyxl.load_workbook(master)["KPI一覧"]
    cell = next(c for r in book.iter_rows() for c in r if c.value and str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s" and cell.quotePrefix  # stays text even when someone edits the cell


@pytest.mark.slow  # a whole merge and the status command (about a second)
def test_status_lists_who_to_remind(ws, plan):
    submit(plan, ws, A, ReportPeriod(2023))
    submit(plan, ws, B, ReportPeriod(2023), name="農林課_誤り.xlsx", change=set_actual("K-S1-3-01", "不明",
                                                                                     ReportPeriod(2023)))
    ws.merge()
    result = CliRunner().invoke(cli, ["status", "-w", str(ws.root)], catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "報告期間: 令和5年度 実績"
    assert lines[1] == "提出済 1課、未提出 17課、要再提出 1課（対象 19課）"
    assert any(line.startswith("  学校教育課（教育委員会事務局、内線") for line in lines)
    assert any(line.startswith("  農林課（") and "農林課_誤り.xlsx を差し戻し" in line for line in lines)


def test_status_before_any_merge_lists_every_department_to_remind_with_its_contact(ws, plan):
    result = CliRunner().invoke(cli, ["status", "-w", str(ws.root)], catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    count = len(plan.departments)
    assert lines[:3] == ["報告期間: 令和5年度 実績", f"提出済 0課、未提出 {count}課、要再提出 0課（対象 {count}課）",
                         f"■ 未提出（督促先）: {count}課"]
    assert [line.split("（")[0].strip() for line in lines[3:3 + count]] == [d.name for d in plan.departments]
    assert any(line.startswith("  学校教育課（教育委員会事務局、内線") for line in lines)
    assert lines[3 + count:] == ["■ 要再提出（差し戻し）: 0課", "■ 提出済: 0課"]


def test_override_is_shown_as_override(ws, plan):
    submit(plan, ws, A, ReportPeriod(2023))
    runner = CliRunner()
    done = runner.invoke(cli, ["override", "K-S2-1-06", "A", "--reason", "速報値で達成を確認", "-w", str(ws.root)],
                         catch_exceptions=False)
    assert done.exit_code == 0
    assert runner.invoke(cli, ["override", "K-S2-1-06", "Z", "-r", "x", "-w", str(ws.root)]).exit_code == 1
    assert runner.invoke(cli, ["override", "K-S2-1-06", "A", "-w", str(ws.root)]).exit_code == 1
    master = ws.merge().master
    book = openpyxl.load_workbook(master)["KPI一覧"]
    names = [c.value for c in book[3]]
    row = next(r for r in book.iter_rows(min_row=4, values_only=True) if r[names.index("指標ID")] == "K-S2-1-06")
    assert row[names.index("手動評価")] == "A" and row[names.index("手動評価の理由")] == "速報値で達成を確認"
    assert row[names.index("評価")].startswith("A ") and "手動で変更" in row[names.index("計算の根拠")]


@pytest.mark.slow  # whole merges with their master written (a second or more)
def test_history_import_check_and_backup(ws, plan, tmp_path):
    import xlsxwriter
    old = tmp_path / "過去の実績.xlsx"
    book = xlsxwriter.Workbook(str(old))
    sheet = book.add_worksheet("実績")
    rows = [("指標ID", "年度", "実績値"), ("K-S2-1-06", "R4", 358023), ("K-S2-02", "令和4年度", "120万人"),
            ("K-XX", "R4", 1), ("K-S2-1-04", "R4", "60人")]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            sheet.write(r, c, value)
    book.close()
    runner = CliRunner()
    ws.merge()  # creates the history
    result = runner.invoke(cli, ["history", "import", str(old), "-w", str(ws.root)], catch_exceptions=False)
    assert result.exit_code == 1  # two rows could not be read, and are named
    assert "過去の実績.xlsx: 2件の実績値を取り込みました（取り込まなかった行 2件）。" in result.output
    assert "実績!A4" in result.output and "実績!C5" in result.output
    history = History(ws.history_file)
    actuals = history.annual_entries()
    history.close()
    assert actuals["K-S2-02"][2022][0].value.number == 1_200_000
    assert runner.invoke(cli, ["history", "check", "-w", str(ws.root)]).output == "履歴データベースに問題はありません。\n"
    backup = tmp_path / "控え.sqlite3"
    assert runner.invoke(cli, ["history", "backup", str(backup), "-w", str(ws.root)]).exit_code == 0
    with sqlite3.connect(backup) as db:
        assert db.execute("SELECT COUNT(*) FROM imported_actuals").fetchone()[0] == 2
    master = ws.merge().master
    headers = [c.value for c in openpyxl.load_workbook(master)["KPI一覧"][3]]
    assert "令和4年度 実績" in headers


def test_past_actuals_are_imported_and_each_unreadable_row_is_named(plan, tmp_path):
    """import_actuals on its own, without the merges around it: readable rows go into the history in the
    KPI's unit, every other row is one finding that names its cell."""
    old = tmp_path / "過去の実績.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "実績"
    for row in [("指標ID", "年度", "実績値"), ("K-S2-1-06", "R4", 358023), ("K-S2-02", "令和4年度", "120万人"),
                ("K-XX", "R4", 1), ("K-S2-1-04", "R4", "60人"), ("K-S2-1-06", "いつか", 1),
                ("K-S2-1-06", "R3", "集計中")]:
        sheet.append(row)
    book.save(old)
    history = History(tmp_path / "履歴.sqlite3")
    try:
        imported, findings = import_actuals(plan, old, history)
        actuals = history.annual_entries()
    finally:
        history.close()
    assert imported == 2
    assert [(f.code, f.cell) for f in findings] == [
        ("import-unknown-kpi", "A4"), ("import-unit-mismatch", "C5"), ("import-year-unreadable", "B6"),
        ("import-value-unreadable", "C7")]
    assert actuals["K-S2-02"][2022][0].value.number == 1_200_000
    assert actuals["K-S2-1-06"][2022][0].value.number == 358023 and 2021 not in actuals["K-S2-1-06"]


def test_annual_entries_are_read_again_after_any_change(ws, plan):
    """A merge reads the annual actuals for validation and again for the master; the second read may come
    from memory only while nothing changed: not after this connection writes or rolls back, nor after
    another connection commits."""
    from decimal import Decimal

    from kpireport.model import KpiEntry, ValidationResult, Value

    ws.merge()  # creates the history
    first, other = History(ws.history_file), History(ws.history_file)
    try:
        assert "K-S2-02" not in first.annual_entries()
        assert first.annual_entries() is first.annual_entries()  # unchanged: kept
        other.import_actual("K-S2-02", 2021, Value("number", "100万人", Decimal(1_000_000), "人", "万"), "a.xlsx", "C2")
        assert first.annual_entries()["K-S2-02"][2021][0].value.number == 1_000_000  # the other's commit is seen
        first.import_actual("K-S2-02", 2021, Value("number", "90万人", Decimal(900_000), "人", "万"), "b.xlsx", "C2")
        assert first.annual_entries()["K-S2-02"][2021][0].value.number == 900_000  # its own write too
        with pytest.raises(RuntimeError):
            with first.transaction():
                first.import_actual("K-S2-02", 2020, Value("number", "80万人", Decimal(800_000), "人", "万"),
                                    "c.xlsx", "C2")
                assert 2020 in first.annual_entries()["K-S2-02"]
                raise RuntimeError("a failed merge")
        assert 2020 not in first.annual_entries()["K-S2-02"]  # rolled back: not kept from before
        kept = first.annual_entries()
        merge_id = first.start_merge("2023-09", plan.content_hash)
        first.record(merge_id, ValidationResult("月次.xlsx", "s1", A, "2023-09", (),
                                                (KpiEntry("K-S2-02", Value("number", "1人", Decimal(1), "人", "")),)), "t")
        assert first.annual_entries() is kept  # a month's values are not annual actuals
        first.record(merge_id, ValidationResult("年次.xlsx", "s2", A, "2023", (),
                                                (KpiEntry("K-S2-02", Value("number", "7人", Decimal(7), "人", "")),)), "t")
        assert first.annual_entries()["K-S2-02"][2023][0].value.number == 7  # a fiscal year's final actual is
        assert first.annual_entries()["K-S2-02"][2021][0].value.number == 900_000  # imported records kept with it
        first.record(merge_id, ValidationResult("年次2.xlsx", "s3", A, "2023", (),
                                                (KpiEntry("K-S2-02", Value("none"), reason="集計中"),)), "t")
        assert first.annual_entries()["K-S2-02"] == {2021: kept["K-S2-02"][2021]}  # superseded, no number now
    finally:
        first.close()
        other.close()


@pytest.mark.slow  # whole merges with their master written (a second or more)
def test_a_text_beyond_the_excel_limit_is_shortened_and_told_never_a_failed_master(ws, plan, tmp_path):
    """Validation keeps each department's text within a cell; texts that still do not fit (several departments'
    together, say) are cut with a mark, and the merge says where, instead of failing."""
    import dataclasses

    from kpireport.master.writer import SHORTENED, write_master

    submit(plan, ws, "観光政策課", ReportPeriod(2023))
    merged = ws.merge()
    index = next(n for n, (_, entry) in enumerate(merged.data.initiatives) if entry is not None)
    initiative, entry = merged.data.initiatives[index]
    merged.data.initiatives[index] = (initiative, dataclasses.replace(entry, verification="長" * 40_000))
    folder = tmp_path / "出力"
    folder.mkdir()
    notes = write_master(merged.data, folder / "台帳.xlsx")
    from kpireport.evaluate.results import initiative_rows
    at = 4 + next(n for n, placed in enumerate(initiative_rows(plan)) if placed.initiative.id == initiative.id)
    header = [c.value for c in openpyxl.load_workbook(folder / "台帳.xlsx")["取組一覧"][3]]
    column = openpyxl.utils.get_column_letter(header.index("検証内容") + 1)
    assert notes == [f"台帳の「取組一覧」{column}{at}（取組 {initiative.id}、観光政策課の提出ファイル 令和5年度_実績_観光政策課.xlsx"
                     f" の 取組状況 {entry.row}行目）の文字が Excel の上限（32,767字）を超えるため、末尾を省略して書きました。"]
    cell = openpyxl.load_workbook(folder / "台帳.xlsx")["取組一覧"][f"{column}{at}"].value
    assert len(cell) == 32_767 and cell.endswith(SHORTENED)


@pytest.mark.slow  # two whole merges (about a second)
def test_two_merges_at_once_the_second_waits_then_refuses(ws, plan):
    from kpireport.errors import KpireportError
    from kpireport.runtime.lock import workspace_lock

    with workspace_lock(ws.lock_file):  # another merge is running
        started = time.monotonic()
        with pytest.raises(KpireportError, match="別の集計が実行中です（プロセス"):
            ws.merge(lock_wait=0.5)
        assert time.monotonic() - started >= 0.5
    assert ws.merge().master.exists()  # once it is done, the next merge runs


@pytest.mark.slow  # a whole merge, then forms written (about a second)
def test_next_forms_show_the_last_accepted_actuals(ws, plan):
    submit(plan, ws, A, SEPT)
    ws.merge(period="2023-09")
    result = CliRunner().invoke(cli, ["forms", "-w", str(ws.root), "--period", "2023-10", "--dept", A],
                                catch_exceptions=False)
    assert result.exit_code == 0
    form = openpyxl.load_workbook(ws.input_templates / "令和5年10月_進捗" / "令和5年10月_進捗_観光政策課.xlsx")
    sheet = form[fl.KPI_SHEET]
    previous = sheet.cell(row_of(sheet, "K-S2-1-06"), column(fl.KPI_SHEET, "previous", SEPT)).value
    assert previous.startswith("令和5年9月（見込み）: ") and previous.endswith("人")


@pytest.mark.slow  # end to end: merge, then the report command
def test_what_a_department_wrote_besides_the_figure_reads_alike_in_the_master_and_the_report(ws, plan):
    """「約358,500人」 keeps its 約 in the master as in the report; 「６５．５％」 typed in full-width figures is
    printed 65.5% in both (the report once padded it into 「65.0．5%」 beside 63.0% and 70.0%)."""
    r5 = ReportPeriod(2023)

    def typed(wb):
        set_actual("K-S2-1-06", "約358,500人", r5)(wb)
        set_actual("K-S2-1-04", "６５．５％", r5)(wb)
    submit(plan, ws, A, r5, change=typed)
    ws.merge()
    sheet = openpyxl.load_workbook(ws.output / "master_令和5年度_実績.xlsx")["KPI一覧"]
    headers = [c.value for c in sheet[3]]
    shown = {row[0]: row[headers.index(r5.label)] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert shown["K-S2-1-06"] == "約358,500人" and shown["K-S2-1-04"] == "65.5%"
    report = Document(str(ws.report(pdf=False).path))
    rows = [[cell.text for cell in row.cells] for table in report.tables for row in table.rows]
    tourists = [row for row in rows if any("道の駅利用者数" in c for c in row)]
    repeaters = [row for row in rows if any("本市へのリピート率" in c for c in row)]
    assert tourists and all("約358,500人" in row for row in tourists), tourists
    # the plan's 63% is printed as the plan wrote it beside the department's 65.5% (never rewritten as 63.0%)
    assert repeaters and all("65.5%" in row and row[1].startswith("63%") for row in repeaters), repeaters
    assert not any("．" in cell or "％" in cell for row in repeaters for cell in row)


def test_report_command_writes_the_docx(ws, plan):
    submit(plan, ws, A, ReportPeriod(2023))
    ws.merge()
    runner = CliRunner()
    result = runner.invoke(cli, ["report", "-w", str(ws.root), "--sections", "表紙,達成状況,本文"],
                           catch_exceptions=False)
    assert result.exit_code == 0
    path = ws.output / "report_令和5年度_実績.docx"
    assert result.output.splitlines()[:2] == [f"審議会資料を作成しました: {path}", NO_PDF] and path.exists()
    assert "この資料の作成時点" not in result.output
    bad = runner.invoke(cli, ["report", "-w", str(ws.root), "--sections", "付録"])
    assert bad.exit_code == 1 and "章「付録」はありません" in bad.output
    assert (ws.root / "templates" / "報告書ひな形.docx").exists()  # the city's copy to restyle


@pytest.mark.slow  # whole merges with their master written (a second or more)
def test_validate_checks_against_the_history_as_the_merge_does(ws, plan):
    import json

    august = ReportPeriod(2023, 8)
    submit(plan, ws, A, august, change=set_actual("K-S2-1-06", 100000, august))
    ws.merge(period="2023-08")
    september = submit(plan, ws, A, SEPT, change=set_actual("K-S2-1-06", 400000))  # four times August's figure
    result = CliRunner().invoke(cli, ["validate", str(september), "-w", str(ws.root), "--period", "2023-09", "--json"])
    [task] = json.loads(result.output)["tasks"]
    assert [f["code"] for f in task["findings"]] == ["kpi-jump"]
    assert "100,000人" in task["findings"][0]["message"]
    merged = ws.merge(period="2023-09")  # the merge finds the same
    [found] = [r.findings for r, _ in merged.recorded if r.file == september.name]
    assert [(f.code, f.cell, f.message) for f in found] == [
        (f["code"], f["cell"], f["message"]) for f in task["findings"]]


def test_the_last_value_before_a_period_takes_an_imported_record_only_where_it_is_later(ws, plan):
    """The 累計 and jump checks compare with the last value before the period: an imported old record where it
    is later than every submission, a submission of the same year before the record of that year, nothing of the
    period itself or after; for a year's 実績, never a month's 進捗 (a forecast, not an actual)."""
    from decimal import Decimal

    from kpireport.model import KpiEntry, ValidationResult, Value

    def number(n: int) -> Value:
        return Value("number", f"{n}人", Decimal(n), "人", "")

    ws.merge()  # creates the history
    history = History(ws.history_file)
    try:
        for year, n in ((2019, 19), (2020, 20), (2021, 21), (2023, 23), (2024, 24)):
            history.import_actual("K-S2-02", year, number(n), "old.xlsx", f"C{year}")
        history.import_actual("K-S2-01", 2018, number(18), "old.xlsx", "D2")
        merge_id = history.start_merge("2021-09", plan.content_hash)
        history.record(merge_id, ValidationResult("月次.xlsx", "s1", A, "2021-09", (),
                                                  (KpiEntry("K-S2-02", number(1)), KpiEntry("K-S2-01", number(5)))),
                       "t")
        history.record(merge_id, ValidationResult("年次.xlsx", "s2", A, "2021", (),
                                                  (KpiEntry("K-S2-02", number(210)),)), "t")
        before = history.latest_before_with_period
        assert before("2021")["K-S2-02"] == ("2020", number(20))  # a month's 進捗 is no previous 実績 of a year
        assert before("2021")["K-S2-01"] == ("2018", number(18))
        assert before("2021-09")["K-S2-02"] == ("2020", number(20))  # nothing of the period itself
        assert before("2021-04")["K-S2-02"] == ("2020", number(20))  # nor of the fiscal year's records
        assert before("2022")["K-S2-02"] == ("2021", number(210))  # the submission before the record of its year
        assert before("2024-05")["K-S2-02"] == ("2023", number(23))  # the record later than every submission
        assert before("2025")["K-S2-02"] == ("2024", number(24))
        assert before("2021-10")["K-S2-01"] == ("2021-09", number(5))  # a later month's value before an old record
        assert "K-S2-02" not in before("2019")
    finally:
        history.close()


# --- 変更点: an initiative's 検証内容 ------------------------------------------------------------------------
# On the shape plan with T2 reported 併記 (tests/test_repost_verification.py): 市民協働課 (the lead) and 生涯学習課
# each write T2's own 検証内容 and the one for its 【再掲】 place (1)講座の開催.

LEAD_TEXT, OTHER_TEXT = "公民館を12団体が延べ140回利用した。", "公民館での講座を4回開いた。"
LEAD_REPOST, OTHER_REPOST = "講座の修了生3団体が活動を始めた。", "講座の修了生が公民館で自主講座を開いた。"
T2_NAME = "公民館の空き時間を市民活動に開放します。"
T2_PLACE = "【再掲】基本施策1 協働の担い手づくり ＞ 基本事業1-2 人材の育成 ＞ (1)講座の開催"
A_LEAD, A_OTHER = "市民協働課", "生涯学習課"
T2_REPOST_ROW = fl.repost_row_id("T2", "P1-2-1")


@pytest.fixture
def beside(tmp_path) -> SimpleNamespace:
    """The 併記 shape plan's forms, every department's filled, T2's texts typed by both departments, merged once."""
    workspace = Workspace.create(tmp_path / "みなと市", document=beside_document())
    shape_plan = load_plan(workspace.plan_file).plan
    period = ReportPeriod(shape_plan.settings.actual_year)
    workspace.make_forms()
    fill_all(workspace, shape_plan, period)
    done = SimpleNamespace(ws=workspace, period=period, saved=time.time() - 100)
    retype(done, A_LEAD, {"T2": LEAD_TEXT, T2_REPOST_ROW: LEAD_REPOST})
    retype(done, A_OTHER, {"T2": OTHER_TEXT, T2_REPOST_ROW: OTHER_REPOST})
    assert done.ws.merge().data.first_merge
    return done


def retype(done: SimpleNamespace, department: str, texts: dict[str, str], key: str = "verification") -> None:
    """The department's form in the inbox with ``texts`` typed in the ``key`` column of the rows (ID → text), saved
    after every earlier one."""
    def type_texts(book) -> None:
        sheet = book[fl.INITIATIVE_SHEET]
        for ident, value in texts.items():
            sheet.cell(row_of(sheet, ident), column(fl.INITIATIVE_SHEET, key, done.period)).value = value
    path = edit(done.ws.inbox / fl.form_file_name(done.period, department), type_texts)
    done.saved += 1
    os.utime(path, (done.saved, done.saved))


def listed_changes(done: SimpleNamespace) -> list[list]:
    """Merge; the rows of the master's 変更点."""
    outcome = done.ws.merge()
    assert not outcome.data.first_merge and outcome.master_written
    return sheet_rows(outcome.master, "変更点")


@pytest.mark.slow  # three whole merges of a small plan
def test_a_changed_verification_is_listed_with_the_text_before_and_after(beside):
    retype(beside, A_LEAD, {"T2": "公民館を15団体が延べ180回利用した。"})
    assert listed_changes(beside) == [["変更", "取組（検証内容）", "T2", T2_NAME, LEAD_TEXT, "公民館を15団体が延べ180回利用した。",
                                       A_LEAD, fl.INITIATIVE_SHEET]]
    retype(beside, A_OTHER, {"T2": ""})  # emptied: what was written, and that nothing is now
    assert listed_changes(beside) == [["変更", "取組（検証内容）", "T2", T2_NAME, OTHER_TEXT, "（記載なし）", A_OTHER,
                                       fl.INITIATIVE_SHEET]]


@pytest.mark.slow  # two whole merges of a small plan
def test_a_changed_verification_for_a_repost_place_is_listed_naming_the_place(beside):
    retype(beside, A_OTHER, {T2_REPOST_ROW: "講座の修了生が公民館で自主講座を3回開いた。"})
    assert listed_changes(beside) == [["変更", "取組（検証内容・再掲）", "T2", f"{T2_NAME}\n{T2_PLACE}", OTHER_REPOST,
                                       "講座の修了生が公民館で自主講座を3回開いた。", A_OTHER, fl.INITIATIVE_SHEET]]


@pytest.mark.slow  # three whole merges of a small plan
def test_a_snapshot_stored_before_verifications_were_compared_lists_none_of_them(beside):
    """The history of an earlier version: its snapshots have no 検証内容. The first merge after the upgrade lists
    no text as changed (every text would seem new); it stores them, and the next merge compares them."""
    with closing(sqlite3.connect(beside.ws.history_file)) as db, db:
        (merge_id, stored), = db.execute("SELECT id, snapshot FROM merges").fetchall()
        earlier = json.loads(stored)
        for initiative in earlier["initiatives"].values():
            del initiative["verification"]
        db.execute("UPDATE merges SET snapshot = ? WHERE id = ?", (json.dumps(earlier, ensure_ascii=False), merge_id))
    retype(beside, A_LEAD, {"T2": "公民館を15団体が延べ180回利用した。", T2_REPOST_ROW: "修了生が活動を始めた。"})
    assert [row[0] for row in listed_changes(beside)] == ["前回の集計から変わった値はありません。"]
    retype(beside, A_LEAD, {T2_REPOST_ROW: LEAD_REPOST})
    assert listed_changes(beside) == [["変更", "取組（検証内容・再掲）", "T2", f"{T2_NAME}\n{T2_PLACE}", "修了生が活動を始めた。",
                                       LEAD_REPOST, A_LEAD, fl.INITIATIVE_SHEET]]


@pytest.mark.slow  # two whole merges of a small plan
def test_verifications_typed_again_unchanged_are_not_listed_beside_a_changed_status(beside):
    retype(beside, A_LEAD, {"T2": LEAD_TEXT, T2_REPOST_ROW: LEAD_REPOST})
    retype(beside, A_LEAD, {"T2": "◎"}, key="status")
    assert listed_changes(beside) == [["変更", "取組", "T2", T2_NAME, f"○継続推進／継続、{A_OTHER}: ○継続推進／継続",
                                       f"◎実施済／継続、{A_OTHER}: ○継続推進／継続", f"{A_LEAD}、{A_OTHER}", fl.INITIATIVE_SHEET]]


def test_a_long_verification_is_listed_from_where_it_changed_with_its_length():
    """A text of hundreds of characters is shown in part in the change list's cells: from a little before where
    the two versions differ, marked where cut, with each one's length."""
    shape_plan = load_plan(SHAPE_PLAN).plan
    long = "公民館の利用団体は" + "あ" * 300

    def held(text: str) -> dict:
        return {"initiatives": {"T2": {"value": "○継続推進／継続", "department": "", "source": fl.INITIATIVE_SHEET,
                                       "verification": {"": {"": text}}}}}
    (change,) = changes(shape_plan, held(long + "。"), held(long + "を延べ140回。"))
    assert (change.item, change.department) == ("取組（検証内容）", A_LEAD)
    assert change.before == "…" + "あ" * 20 + "。（全310字）"
    assert change.after == "…" + "あ" * 20 + "を延べ140回。（全317字）"
    assert changes(shape_plan, held(long), held(long)) == []


def test_a_value_gone_because_the_plan_changed_is_not_called_withdrawn(example_workbook):
    """変更点: a value no longer shown because its ID left the plan or its department no longer owns the row is the
    office's edit (計画の変更で対象外); one its department stopped giving is 取り下げ (tester p3, finding 2)."""
    from kpireport.plan.load import load_plan
    plan = load_plan(example_workbook).plan
    kpi = next(k for k in plan.kpis if not k.shared)
    other = next(d.name for d in plan.departments if not d.is_group and d.name not in kpi.departments)
    shown = {"value": "1件", "source": "a.xlsx"}
    before = {"kpis": {kpi.id: {**shown, "department": kpi.lead}, "K-GONE": {**shown, "department": kpi.lead},
                       "K-ALSO-GONE": shown}, "initiatives": {}}
    moved = {"kpis": {kpi.id: {**shown, "department": other}}, "initiatives": {}}
    assert [(c.kind, c.ident) for c in changes(plan, before, {"kpis": {}, "initiatives": {}})] == [
        ("取り下げ", kpi.id), ("計画の変更で対象外", "K-ALSO-GONE"), ("計画の変更で対象外", "K-GONE")]
    assert [(c.kind, c.ident) for c in changes(plan, moved, {"kpis": {}, "initiatives": {}})] == [
        ("計画の変更で対象外", kpi.id)]


def test_a_monthly_form_with_initiatives_left_empty_owes_nothing(ws, plan):
    """Mid-year a department may leave every 実施状況 empty (a monthly form allows it): its accepted form is not
    taken for one that lacked those rows, so `status` does not ask it to send them again on a new form."""
    def clear_initiatives(wb):
        sheet = wb[fl.INITIATIVE_SHEET]
        for row in sheet.iter_rows(min_row=fl.FIRST_ROW):
            for cell in row:
                if not cell.protection.locked:
                    cell.value = None
    submit(plan, ws, A, SEPT, change=clear_initiatives)
    outcome = ws.merge(period="2023-09")
    assert [state for _, state in outcome.recorded] == ["受理"]
    assert [s.owes for s in outcome.data.statuses if s.owes] == []
    assert [s.owes for s in ws.status("2023-09").statuses if s.owes] == []
