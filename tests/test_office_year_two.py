"""Year two in one workspace (issue 24, item 4), the command line run as a process as the README's
「年度が変わったら」 says: the office changes 実績年度, makes the new forms, and collects again; last year's
values show on the new forms and in the master, last year's files stay in the inbox untouched, the signing
key stays, and 変更点 works in the new year as in the first."""
from __future__ import annotations

import openpyxl
import pytest
from forms_helpers import column
from office_year import kpireport, ok, returned

from kpireport.forms import layout as fl
from kpireport.periods import ReportPeriod
from kpireport.plan.load import load_plan

pytestmark = pytest.mark.slow  # the command line as real processes, on files made as users make them

R5, R6 = ReportPeriod(2023), ReportPeriod(2024)
A, B = "観光政策課", "農林課"


def set_setting(workspace, item: str, value) -> None:
    path = workspace / "計画体系.xlsx"
    book = openpyxl.load_workbook(path)
    row = next(r for r in book["設定"].iter_rows(min_row=2) if r[0].value == item)
    row[1].value = value
    book.save(path)


def kpi_value(workspace, period: ReportPeriod, department: str, where: str) -> tuple[str, object]:
    """A KPI of the department and what the master shows for it in the column headed ``where``."""
    plan = load_plan(workspace / "計画体系.xlsx").plan
    kpi = next(k for k in plan.kpis if department in k.departments and not k.shared and k.in_force(2024))
    sheet = openpyxl.load_workbook(workspace / "output" / f"master_{period.file_label}.xlsx", read_only=True)["KPI一覧"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and "指標ID" in r)
    row = next(r for r in rows if r and r[header.index("指標ID")] == kpi.id)
    return kpi.id, row[next(i for i, h in enumerate(header) if h and where in str(h))]


def test_two_years_in_one_workspace(tmp_path):
    ok("init", "ws", cwd=tmp_path)
    ws = tmp_path / "ws"
    ok("forms", "-w", "ws", cwd=tmp_path)
    for department in (A, B):
        returned(ws, R5, department, ws / "inbox" / fl.form_file_name(R5, department))
    first = ok("merge", "-w", "ws", cwd=tmp_path)
    assert "受理 2件" in first
    ident, last_year = kpi_value(ws, R5, A, "令和5年度")
    assert last_year not in (None, "")

    # 年度が変わったら: 実績年度 to 令和6年度, the new forms, the same workspace
    set_setting(ws, "実績年度", "令和6年度")
    set_setting(ws, "報告年度", "令和7年度")
    assert "エラー 0件" in ok("plan", "check", "-w", "ws", cwd=tmp_path)
    ok("forms", "-w", "ws", cwd=tmp_path)
    form = openpyxl.load_workbook(returned(ws, R6, A, tmp_path / "見本.xlsx", fill=False))[fl.KPI_SHEET]
    shown = [r for r in form.iter_rows(values_only=True) if r and r[0] == ident]
    assert shown and any("令和5年度" in str(v) for v in shown[0] if v), shown  # last year's actual on the form
    for department in (A, B):  # last year's files stay in the inbox, beside this year's
        returned(ws, R6, department, ws / "inbox" / fl.form_file_name(R6, department))
    second = ok("merge", "-w", "ws", cwd=tmp_path)
    assert "受理 2件" in second and "差し戻し 0件" in second  # signed with the same key: accepted
    assert "ほかの報告期間のファイル 2件はそのままにしました（令和5年度 実績 2件）" in second
    assert kpi_value(ws, R6, A, "令和5年度") == (ident, last_year)  # last year's actual in this year's master
    assert f"  {A}: {fl.form_file_name(R5, A)}（" in ok("status", "--period", "2023", "-w", "ws", cwd=tmp_path)

    # a department corrects its form: the change is listed in 変更点, as in the first year
    corrected = returned(ws, R6, A, ws / "inbox" / f"{A}_修正.xlsx")
    book = openpyxl.load_workbook(corrected)
    sheet = book[fl.KPI_SHEET]
    row = next(r[0].row for r in sheet.iter_rows() if r[0].value == ident)
    sheet.cell(row, column(fl.KPI_SHEET, "actual", R6)).value = 123456
    book.save(corrected)
    third = ok("merge", "-w", "ws", cwd=tmp_path)
    assert "前回からの変更: 1件" in third
    changes = openpyxl.load_workbook(ws / "output" / f"master_{R6.file_label}.xlsx", read_only=True)["変更点"]
    assert any(r and ident in r and "123,456" in "".join(str(v) for v in r if v) for r in
               changes.iter_rows(values_only=True))


def test_next_years_form_and_checks_use_last_years_actual_never_this_years_monthly_forecast(tmp_path):
    """さくら市: K2-1-1 (累計) was 20 in 令和6年度; September's 進捗 of 令和7年度 forecast 30. On the 令和7年度 annual
    form 前回までの実績 is 令和6年度's 20 (a month's forecast of the year being reported is no previous actual),
    and the year's actual 25 is accepted: the 累計 check compares with 20, not with the forecast."""
    from forms_helpers import edit, row_of

    r6, sept, r7 = ReportPeriod(2024), ReportPeriod(2025, 9), ReportPeriod(2025)
    dept, ident = "産業振興課", "K2-1-1"

    def typed(value, period):
        def change(workbook):
            sheet = workbook[fl.KPI_SHEET]
            sheet.cell(row_of(sheet, ident), column(fl.KPI_SHEET, "actual", period)).value = value
        return change

    ok("init", "ws", "--example", "さくら市", cwd=tmp_path)
    ws = tmp_path / "ws"
    ok("forms", "-w", "ws", cwd=tmp_path)
    ok("forms", "--period", "R7.9", "-w", "ws", cwd=tmp_path)
    edit(returned(ws, r6, dept, ws / "inbox" / fl.form_file_name(r6, dept)), typed(20, r6))
    assert "受理 1件" in ok("merge", "-w", "ws", cwd=tmp_path)
    edit(returned(ws, sept, dept, ws / "inbox" / fl.form_file_name(sept, dept)), typed(30, sept))
    assert "受理 1件" in ok("merge", "--period", "R7.9", "-w", "ws", cwd=tmp_path)

    set_setting(ws, "実績年度", "令和7年度")
    set_setting(ws, "報告年度", "令和8年度")
    ok("forms", "-w", "ws", cwd=tmp_path)
    form = openpyxl.load_workbook(returned(ws, r7, dept, tmp_path / "見本.xlsx", fill=False))[fl.KPI_SHEET]
    previous = form.cell(row_of(form, ident), column(fl.KPI_SHEET, "previous", r7)).value
    assert previous == "令和6年度: 20件", previous
    edit(returned(ws, r7, dept, ws / "inbox" / "R7産業振興課.xlsx"), typed(25, r7))
    merged = ok("merge", "-w", "ws", cwd=tmp_path)
    assert "R7産業振興課.xlsx: 受理" in merged and "累計" not in merged, merged


def test_history_import_takes_past_years_only_and_says_which_rows_a_submission_shadows(tmp_path):
    """さくら市 (実績年度 令和6年度): a row of 令和6年度 or later is refused with its cell and reason (its actual comes
    with the forms), a row of a past year that has an accepted submission is not imported and says so; the count
    is of the rows that count. The 令和4年度 row imported shows in the master's past column."""
    from forms_helpers import edit, row_of

    r5, dept = ReportPeriod(2023), "危機管理課"
    ok("init", "ws", "--example", "さくら市", cwd=tmp_path)
    ws = tmp_path / "ws"
    ok("forms", "--period", "R5", "-w", "ws", cwd=tmp_path)

    def typed(workbook):
        sheet = workbook[fl.KPI_SHEET]
        sheet.cell(row_of(sheet, "K3-1-1"), column(fl.KPI_SHEET, "actual", r5)).value = "82.0%"
    edit(returned(ws, r5, dept, ws / "inbox" / "R5危機管理課.xlsx"), typed)
    assert "受理 1件" in ok("merge", "--period", "R5", "-w", "ws", cwd=tmp_path)
    old = tmp_path / "過去の実績.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "実績"
    for row in (("指標ID", "年度", "実績値"), ("K3-1-1", "令和6年度", "84.0%"), ("K3-1-1", "令和5年度", "83.0%"),
                ("K3-1-1", "令和7年度", "85.0%"), ("K3-1-1", "令和4年度", "80.0%")):
        book.active.append(row)
    book.save(old)
    done = kpireport("history", "import", str(old), "-w", "ws", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stdout + done.stderr
    said = done.stdout
    assert "過去の実績.xlsx: 1件の実績値を取り込みました（取り込まなかった行 3件）。" in said, said
    assert "実績!C2" in said and "令和6年度の実績「84.0%」は集計する年度のもの" in said, said
    assert "実績!C4" in said and "集計する年度より後" in said
    assert "実績!C3" in said and "受理した提出（R5危機管理課.xlsx）の値 82% を使っている" in said, said
    ok("merge", "-w", "ws", cwd=tmp_path)
    sheet = openpyxl.load_workbook(ws / "output" / "master_令和6年度_実績.xlsx", read_only=True)["KPI一覧"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and "指標ID" in r)
    row = next(r for r in rows if r and r[0] == "K3-1-1")
    assert row[next(i for i, h in enumerate(header) if h and "令和4年度" in str(h))] == "80%", (header, row)


def test_a_target_raised_for_the_next_year_leaves_last_years_grade_as_reported(tmp_path):
    """美祢市 (finding 3 of session 13's outside test): 本市を訪れる外国人観光客数 was graded B in 令和5年度 against its
    target 100,000人; for 令和6年度 the office raises the target to 250,000人 in 計画体系.xlsx. Last year's grade,
    shown beside this year's and in 指標の推移, stays the B the council was given (graded against the target of its
    time, recorded with the merge), and the master and the report say once that the target changed."""
    import docx

    from kpireport.evaluate.rules import evaluate_kpi
    from kpireport.history.in_force import annual_actuals
    from kpireport.history.store import History

    ident = "K-S2-2-01"
    ok("init", "ws", cwd=tmp_path)
    ws = tmp_path / "ws"
    ok("forms", "-w", "ws", cwd=tmp_path)
    returned(ws, R5, A, ws / "inbox" / fl.form_file_name(R5, A))
    ok("merge", "-w", "ws", cwd=tmp_path)
    reported = master_cell(ws, R5, ident, "評価")
    assert reported == "B 順調", reported

    set_setting(ws, "実績年度", "令和6年度")
    set_setting(ws, "報告年度", "令和7年度")
    book = openpyxl.load_workbook(ws / "計画体系.xlsx")
    sheet = book["指標"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == ident)
    assert row[header.index("目標値")].value == "100,000人"
    row[header.index("目標値")].value = "250,000人"
    book.save(ws / "計画体系.xlsx")
    assert "エラー 0件" in ok("plan", "check", "-w", "ws", cwd=tmp_path)
    ok("forms", "-w", "ws", cwd=tmp_path)
    returned(ws, R6, A, ws / "inbox" / fl.form_file_name(R6, A))
    ok("merge", "-w", "ws", cwd=tmp_path)
    ok("report", "--sections", "表紙,本文,指標の推移", "-w", "ws", cwd=tmp_path, KPIREPORT_SOFFICE="none")

    # today's target would grade last year's actual C: the grade below is last year's only if kept as it was
    plan = load_plan(ws / "計画体系.xlsx").plan
    history = History(ws / "履歴.sqlite3")
    try:
        actual = annual_actuals(history, plan)[ident][2023].value
    finally:
        history.close()
    assert evaluate_kpi(plan.kpi(ident), actual, 2023, plan.grades, plan.settings).grade == "C"

    note = "目標値を100,000人から250,000人に変更（令和6年度）。令和5年度は変更前の目標値で評価しています。"
    assert master_cell(ws, R6, ident, "前年度の評価") == reported
    assert note in master_cell(ws, R6, ident, "計算の根拠")
    trend = openpyxl.load_workbook(ws / "output" / f"master_{R6.file_label}.xlsx", read_only=True)["推移（総合戦略）"]
    cells = [str(v) for r in trend.iter_rows(values_only=True) for v in r if v]
    assert cells.count(f"{ident} 本市を訪れる外国人観光客数: {note}") == 1

    report = docx.Document(str(ws / "output" / f"report_{R6.file_label}.docx"))
    notes = [p.text for p in report.paragraphs if note in p.text]
    assert notes == [f"（注）本市を訪れる外国人観光客数: {note}", f"（注）{note}"], notes  # 本文's table, 指標の推移
    year, actual_text, expected, _, grade = trend_rows(report, ident)[0]
    # the expected value on the way to the old target: 17,677 + (100,000 − 17,677) × 1/4 (the new one's is 75,757.8)
    assert (year, actual_text, expected, grade) == ("令和5年度", "58,839人", "38,257.8人", reported)


def trend_rows(report, ident: str) -> list[list[str]]:
    """The rows of the KPI's table in the report's 指標の推移 (the first table after its heading)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    found = False
    for element in report.element.body.iterchildren():
        if element.tag.endswith("}p") and Paragraph(element, report).text.startswith(f"{ident}　"):
            found = True
        elif element.tag.endswith("}tbl") and found:
            return [[c.text for c in r.cells] for r in Table(element, report).rows][1:]
    raise AssertionError(f"no 指標の推移 table for {ident}")


def master_cell(workspace, period: ReportPeriod, ident: str, header: str):
    """What the master's KPI一覧 shows for the KPI in the column headed exactly ``header``."""
    sheet = openpyxl.load_workbook(workspace / "output" / f"master_{period.file_label}.xlsx", read_only=True)["KPI一覧"]
    rows = list(sheet.iter_rows(values_only=True))
    head = next(r for r in rows if r and "指標ID" in r)
    return next(r for r in rows if r and r[0] == ident)[head.index(header)]


SHARED, SIDE = "K-S2-1-03", "K-S4-9-03"  # 三洞入洞者数 (千人), made 合算 below; 情報政策課 and 総務課, made 併記
GEO, INFO, GENERAL = "世界ジオパーク推進課", "情報政策課", "総務課"


def typed(workspace, period: ReportPeriod, department: str, values: dict[str, object]):
    """The department's form filled with sample values, ``values`` typed over its KPIs' 実績, in the inbox."""
    from forms_helpers import edit, row_of

    def change(workbook):
        sheet = workbook[fl.KPI_SHEET]
        for ident, value in values.items():
            sheet.cell(row_of(sheet, ident), column(fl.KPI_SHEET, "actual", period)).value = value
    return edit(returned(workspace, period, department, workspace / "inbox" / fl.form_file_name(period, department)),
                change)


def master_row(workspace, period: ReportPeriod, ident: str) -> dict:
    sheet = openpyxl.load_workbook(workspace / "output" / f"master_{period.file_label}.xlsx", read_only=True)["KPI一覧"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and "指標ID" in r)
    return dict(zip(header, next(r for r in rows if r and r[0] == ident)))


def test_a_shared_kpis_last_year_is_what_stood_and_each_department_sees_and_is_checked_against_its_own(tmp_path):
    """令和5年度: 三洞入洞者数 (合算) 観光政策課 420 + 世界ジオパーク推進課 15 = 435千人; K-S4-9-03 (併記) 情報政策課 5件
    stands over 総務課's 4件. In 令和6年度 that year is 435千人 and 5件 with the grade its own report gave (master,
    report, open data), never the part of whichever department's file was recorded last; each department's form
    shows its own part as 前回までの実績 (the 併記 one the lead's 5件) and the jump check compares each part with
    the department's own: 440 after 420 passes, 160 after 15 is asked about."""
    import csv

    import docx

    ok("init", "ws", cwd=tmp_path)
    ws = tmp_path / "ws"
    book = openpyxl.load_workbook(ws / "計画体系.xlsx")
    sheet = book["指標"]
    header = {c.value: c.column for c in sheet[1]}
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == SHARED:
            sheet.cell(row[0].row, header["担当課"]).value = f"{A}、{GEO}"
            sheet.cell(row[0].row, header["報告方法"]).value = "合算"
        if row[0].value == SIDE:
            sheet.cell(row[0].row, header["報告方法"]).value = "併記"
    book.save(ws / "計画体系.xlsx")
    assert "エラー 0件" in ok("plan", "check", "-w", "ws", cwd=tmp_path)
    ok("forms", "-w", "ws", cwd=tmp_path)
    for department, values in ((A, {SHARED: 420}), (GEO, {SHARED: 15}), (INFO, {SIDE: 5}), (GENERAL, {SIDE: 4})):
        typed(ws, R5, department, values)
    ok("merge", "-w", "ws", cwd=tmp_path)
    shared5, side5 = master_row(ws, R5, SHARED), master_row(ws, R5, SIDE)
    assert (shared5["令和5年度 実績"], side5["令和5年度 実績"]) == ("435千人", "5件")

    set_setting(ws, "実績年度", "令和6年度")
    set_setting(ws, "報告年度", "令和7年度")
    ok("forms", "-w", "ws", cwd=tmp_path)
    for department, ident, shown in ((A, SHARED, "令和5年度（貴課分）: 420千人"), (GEO, SHARED, "令和5年度（貴課分）: 15千人"),
                                     (INFO, SIDE, "令和5年度: 5件"), (GENERAL, SIDE, "令和5年度: 5件")):
        form = openpyxl.load_workbook(returned(ws, R6, department, tmp_path / "見本.xlsx", fill=False))[fl.KPI_SHEET]
        row = next(r for r in form.iter_rows(values_only=True) if r and r[0] == ident)
        assert row[column(fl.KPI_SHEET, "previous", R6) - 1] == shown, (department, row)
    for department, values in ((A, {SHARED: 440}), (GEO, {SHARED: 160}), (INFO, {SIDE: 6}), (GENERAL, {SIDE: 6})):
        typed(ws, R6, department, values)
    checked = kpireport("validate", "-w", "ws", cwd=tmp_path).stdout
    jumps = [line for line in checked.splitlines() if "kpi-jump" in line]
    assert len(jumps) == 1 and "前回受理した値（15千人）" in jumps[0] and "「160」" in jumps[0], checked
    ok("merge", "-w", "ws", cwd=tmp_path)
    for ident, last_year in ((SHARED, shared5), (SIDE, side5)):
        row = master_row(ws, R6, ident)
        assert (row["令和5年度 実績"], row["前年度の評価"]) == (last_year["令和5年度 実績"], last_year["評価"]), row

    ok("report", "-w", "ws", cwd=tmp_path)
    report = docx.Document(ws / "output" / f"report_{R6.file_label}.docx")
    rows = [[c.text for c in r.cells] for t in report.tables for r in t.rows]
    graded = next(r for r in rows if r[0].endswith("三洞入洞者数") and len(r) >= 7)
    assert graded[-1] == shared5["評価"], graded  # 前年度の評価
    ok("publish", "-w", "ws", cwd=tmp_path)
    with open(ws / "output" / "公開" / "data" / "values.csv", encoding="utf-8-sig", newline="") as handle:
        published = {(r["指標ID"], r["年度"]): r for r in csv.DictReader(handle)}
    assert published[(SHARED, "2023")]["実績の表記"] == "435千人"
    assert f'{published[(SHARED, "2023")]["評価"]} {published[(SHARED, "2023")]["評価の名称"]}' == shared5["評価"]
    assert published[(SIDE, "2023")]["実績の表記"] == "5件"
