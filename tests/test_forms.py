"""The department forms as a department opens them: sheets, locks, drop-downs, print setup."""
from __future__ import annotations

import dataclasses
import datetime as dt

import openpyxl
import pytest
from forms_helpers import TEST_KEY, filled_form
from office import pdf_pages, pdf_text, to_pdf

from kpireport.forms import layout as fl
from kpireport.forms.writer import INPUT_FILL, write_form, write_forms
from kpireport.periods import ReportPeriod
from kpireport.plan.load import example_path, load_plan

R5 = ReportPeriod(2023)
DEPT = "観光政策課"


@pytest.fixture(scope="module")
def plan():
    return load_plan(example_path()).plan


@pytest.fixture(scope="module")
def form(plan, tmp_path_factory):
    path = tmp_path_factory.mktemp("form") / fl.form_file_name(R5, DEPT)
    write_form(plan, DEPT, R5, path, TEST_KEY, previous={"K-S2-02": "令和4年度: 119.4万人"},
               generated_at=dt.datetime(2024, 4, 1, 9, 0))
    return openpyxl.load_workbook(path)


def test_file_name_and_sheets(form):
    assert fl.form_file_name(R5, DEPT) == "令和5年度_実績_観光政策課.xlsx"
    assert form.sheetnames == ["記入要領", "KPI実績", "取組状況", "主な取組と方向性", "_kpireport"]
    assert form["_kpireport"].sheet_state == "veryHidden"
    assert all(form[name].protection.sheet for name in form.sheetnames)


def test_kpi_sheet_rows_locked_and_input_cells(plan, form):
    ws = form["KPI実績"]
    headers = [c.value for c in ws[fl.HEADER_ROW]]
    assert headers == ["指標ID", "体系", "指標名", "単位", "基準値（年度）", "目標値（年度）", "方向", "集計方法",
                       "前回までの実績", "実績値", "時点", "備考", "未記入の理由"]
    ids = [ws.cell(r, 1).value for r in range(fl.FIRST_ROW, ws.max_row + 1)]
    assert ids == [k.id for k in plan.kpis if DEPT in k.departments]
    first = [c.value for c in ws[fl.FIRST_ROW]][:9]
    # a KPI reposted elsewhere says so under its own place, read-only: the department enters it once
    assert first == ["K-S2-02", "重点戦略2 「訪れたい、参加したい、住んでみたい！」新たな人の流れの創出\n"
                     "【再掲】基本目標1 「魅力の創出・交流」の拡大 ＞ 基本方針1 観光の振興と魅力の創出 ＞ 施策① 観光の振興", "観光交流人口",
                     "万人", "119.4万人\n（令和4年度）", "183万人\n（令和8年度）", "増加", "単年度", "令和4年度: 119.4万人"]
    for c in ws[fl.FIRST_ROW]:
        is_input = c.column >= 10
        assert c.protection.locked is (not is_input), c.coordinate
        if is_input:
            assert c.fill.fgColor.rgb.endswith(INPUT_FILL.lstrip("#"))


def test_drop_downs_and_messages_are_japanese(form):
    rules = {str(dv.sqref): dv for dv in form["取組状況"].data_validations.dataValidation}
    status = rules[f"E{fl.FIRST_ROW}:E{form['取組状況'].max_row}"]
    assert status.type == "list" and status.formula1 == '"◎実施済,○継続推進,△一部実施,×未実施"'
    # a bare symbol typed or pasted is as good as the label: the list offers, it does not refuse
    assert not status.showErrorMessage and "記号だけ（◎ ○ △ ×）" in status.prompt
    actual = next(dv for dv in form["KPI実績"].data_validations.dataValidation if str(dv.sqref).startswith("J"))
    assert actual.type == "decimal" and "数値だけ" in actual.prompt and "単位や文字は入力できません" in actual.error


def test_print_setup(form):
    for name in ("KPI実績", "取組状況", "主な取組と方向性"):
        ws = form[name]
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)  # 1 is the default
        assert int(ws.page_setup.fitToHeight) == 0  # as many pages tall as needed
        assert ws.print_title_rows.replace("$", "") == "1:3"


def test_metadata_identifies_the_form(plan, form):
    meta = {r[0].value: r[1].value for r in form["_kpireport"].iter_rows() if r[0].value}
    assert meta["形式"] == "kpireport様式" and meta["担当課"] == DEPT and meta["報告期間"] == "2023"
    assert meta["計画ハッシュ"] == plan.content_hash and meta["作成日時"] == "2024-04-01T09:00:00"


def test_password_from_settings(plan, tmp_path):
    protected = dataclasses.replace(plan, settings=dataclasses.replace(plan.settings, form_password="mine"))
    path = write_form(protected, DEPT, R5, tmp_path / "p.xlsx", TEST_KEY)
    assert openpyxl.load_workbook(path)["KPI実績"].protection.password


def test_monthly_form_asks_for_provisional_values(plan, tmp_path):
    path = write_form(plan, DEPT, ReportPeriod(2023, 9), tmp_path / "m.xlsx", TEST_KEY)
    wb = openpyxl.load_workbook(path)
    assert wb["KPI実績"].cell(fl.HEADER_ROW, 10).value == "見込み値"
    assert wb["主な取組と方向性"].cell(fl.HEADER_ROW, 4).value == "令和5年度 主な取組内容／実績"


def test_unknown_department_is_refused(plan, tmp_path):
    from kpireport.errors import KpireportError
    with pytest.raises(KpireportError, match="秘書課"):
        write_forms(plan, R5, tmp_path, TEST_KEY, ["秘書課"])


@pytest.mark.slow  # LibreOffice
def test_forms_and_feedback_open_in_libreoffice(plan, tmp_path):
    from kpireport.intake.reader import read_submission
    from kpireport.validate.feedback import write_feedback
    from kpireport.validate.rules import validate_submission

    form = filled_form(plan, DEPT, R5, tmp_path)
    pdf = to_pdf(form, tmp_path)
    text = pdf_text(pdf)
    assert "記入要領" in text and "KPI実績" in text and "観光交流人口" in text and "◎実施済" in text
    assert 3 <= pdf_pages(pdf) <= 8
    wb = openpyxl.load_workbook(form)
    wb["KPI実績"].cell(fl.FIRST_ROW, 10).value = "たくさん"
    wb.save(form)
    result = validate_submission(plan, read_submission(form), R5)
    copy = write_feedback(form, list(result.findings), tmp_path / "feedback" / form.name)
    feedback_text = pdf_text(to_pdf(copy, tmp_path / "feedback"))
    assert "検証結果" in feedback_text and "数値として読めません" in feedback_text


@pytest.mark.slow  # every example form written again and compared (seconds)
def test_committed_example_forms_match_a_fresh_generation(tmp_path):
    from example_forms import COMMITTED, contents, regenerate

    fresh = regenerate(tmp_path)
    committed = sorted((COMMITTED / fresh[0].parent.name).glob("*.xlsx"))
    assert [p.name for p in committed] == sorted(p.name for p in fresh), "run: python3 tests/example_forms.py"
    for path in fresh:
        assert contents(COMMITTED / path.parent.name / path.name) == contents(path), path.name
