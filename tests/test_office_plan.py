"""The plan check a new city meets (issue 24, items 7–9), the command line run as a process on the plan
workbook as the office edits it: years outside the plan's period named by their cell, a year outside every
plan refused by `forms`, a blank plan's messages, department names Windows cannot put in a file name; and the
plan edited during the year against what the history has accepted (tester p3, findings 2 and 6)."""
from __future__ import annotations

import shutil

import openpyxl
import pytest
from office_year import kpireport, ok, returned, section

from kpireport.forms import layout as fl
from kpireport.periods import ReportPeriod

pytestmark = pytest.mark.slow  # the command line as real processes, on files made as users make them


def edit_plan(workspace, sheet: str, header: str, row: int, value) -> str:
    """Type ``value`` under ``header`` in the plan workbook's ``sheet`` (row 2 is the first record); the cell."""
    path = workspace / "計画体系.xlsx"
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    column = next(c.column for c in ws[1] if c.value == header)
    ws.cell(row, column).value = value
    book.save(path)
    return ws.cell(row, column).coordinate


def test_years_outside_the_plan_are_errors_naming_the_cell_and_forms_refuse_them(tmp_path):
    ok("init", "ws", cwd=tmp_path)
    ws = tmp_path / "ws"
    refused = kpireport("forms", "--period", "2033", "-w", "ws", cwd=tmp_path)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "令和15年度" in refused.stderr and "令和5年度〜令和8年度" in refused.stderr and "2033" in refused.stderr
    assert not (ws / "input_templates").joinpath("令和15年度_実績").exists()
    target = edit_plan(ws, "指標", "目標年度", 2, 2033)  # a typo for 2023… in the plan's last year's place
    baseline = edit_plan(ws, "指標", "基準年度", 3, "令和12年度")
    checked = kpireport("plan", "check", "-w", "ws", cwd=tmp_path)
    assert checked.returncode == 1
    lines = checked.stdout.splitlines()
    assert any(f"指標!{target}" in line and "目標年度（2033）が計画" in line for line in lines), checked.stdout
    assert any(f"指標!{baseline}" in line and "基準年度（令和12年度）" in line for line in lines), checked.stdout


def test_a_blank_plan_speaks_to_a_new_city(tmp_path):
    ok("init", "ws", "--blank", cwd=tmp_path)
    checked = kpireport("plan", "check", "-w", "ws", cwd=tmp_path)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    lines = [line for line in checked.stdout.splitlines() if line.startswith("  エラー")]
    assert "None" not in checked.stdout
    assert len(lines) == len(set(lines)) and lines  # no error said twice
    assert any("シート「担当課」には少なくとも1行" in line for line in lines)
    assert not any("評価区分" in line for line in lines)
    grades = openpyxl.load_workbook(tmp_path / "ws" / "計画体系.xlsx")["評価区分"]
    shown = [(row[0], row[1]) for row in grades.iter_rows(min_row=2, values_only=True) if row[0]]
    assert shown == [("A", "達成"), ("B", "順調"), ("C", "遅れ"), ("D", "悪化"), ("−", "評価不能")]  # as the README


def test_a_department_name_windows_cannot_use_in_a_file_name_is_a_plan_error(tmp_path):
    ok("init", "ws", cwd=tmp_path)
    ws = tmp_path / "ws"
    book = openpyxl.load_workbook(ws / "計画体系.xlsx")
    old = book["担当課"]["A2"].value
    book.close()
    new = old.replace("課", "/企画課")  # 政策推進/企画課
    cell = edit_plan(ws, "担当課", "課名", 2, new)
    for sheet in ("指標", "取組", "体系"):  # everywhere the department is named
        path = ws / "計画体系.xlsx"
        book = openpyxl.load_workbook(path)
        for row in book[sheet].iter_rows():
            for c in row:
                if isinstance(c.value, str) and old in c.value:
                    c.value = c.value.replace(old, new)
        book.save(path)
    checked = kpireport("plan", "check", "-w", "ws", cwd=tmp_path)
    assert checked.returncode == 1
    named = [line for line in checked.stdout.splitlines() if f"担当課!{cell}" in line]
    assert named and "Windowsのファイル名に使えない文字（/）" in named[0]
    forms = kpireport("forms", "-w", "ws", cwd=tmp_path)
    assert forms.returncode == 1 and "plan check" in forms.stderr and "Traceback" not in forms.stderr


def replace_in_plan(workspace, old: str, new: str) -> None:
    """Excel's 置換 over the whole plan workbook."""
    path = workspace / "計画体系.xlsx"
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and old in c.value:
                    c.value = c.value.replace(old, new)
    book.save(path)


def plan_row(workspace, sheet: str, ident: str) -> int:
    ws = openpyxl.load_workbook(workspace / "計画体系.xlsx")[sheet]
    return next(c.row for c in ws["A"] if c.value == ident)


def sheet_rows(path, title: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[title].iter_rows(min_row=4, values_only=True))


def warnings_of(output: str, code: str) -> list[str]:
    return [line for line in output.splitlines() if f" {code} " in line]


def accepted_from(tmp_path, *departments: str):
    """A workspace whose R5 forms of ``departments`` were filled and merged, its plan checked clean: the start of
    an edit of the plan that accepted values may be left behind by."""
    r5 = ReportPeriod(2023)
    ok("init", "ws", cwd=tmp_path)
    ws = tmp_path / "ws"
    ok("forms", "-w", "ws", cwd=tmp_path)
    for department in departments:
        returned(ws, r5, department, ws / "inbox" / fl.form_file_name(r5, department))
    ok("merge", "-w", "ws", cwd=tmp_path)
    assert "警告 0件" in ok("plan", "check", "-w", "ws", cwd=tmp_path).splitlines()[0]
    return ws


def test_plan_edits_that_leave_accepted_values_behind_are_named(tmp_path):
    """An ID corrected and a KPI moved to another department after both departments' values were accepted: plan
    check names each with its cell, the change list says the plan changed (not 取り下げ), and merge and status
    name the departments that now owe the rows. A rename without 旧課名 is named with the row to write it in."""
    ws = accepted_from(tmp_path, "観光政策課", "商工労働課")

    id_row, moved_row = plan_row(ws, "指標", "K-S2-1-01"), plan_row(ws, "指標", "K-S2-1-05")
    edit_plan(ws, "指標", "指標ID", id_row, "K-S2-1-07")
    moved_cell = edit_plan(ws, "指標", "担当課", moved_row, "商工労働課")
    checked = ok("plan", "check", "-w", "ws", cwd=tmp_path)
    gone = warnings_of(checked, "plan-history-id-gone")
    assert len(gone) == 1 and f"指標!A{id_row}" in gone[0], checked
    assert "指標ID「K-S2-1-01」は計画にありませんが、令和5年度 実績に受理した値（" in gone[0]
    assert "観光政策課の指標で令和5年度 実績の値がないもの: K-S2-1-07" in gone[0]
    moved = warnings_of(checked, "plan-history-owner-gone")
    assert len(moved) == 1 and f"指標!{moved_cell}" in moved[0] and "観光政策課から受理した値" in moved[0], checked
    elsewhere = tmp_path / "案" / "計画体系.xlsx"  # the same workbook outside a workspace: no history to compare
    elsewhere.parent.mkdir()
    shutil.copy(ws / "計画体系.xlsx", elsewhere)
    assert "警告 0件" in ok("plan", "check", str(elsewhere), cwd=tmp_path).splitlines()[0]

    merged = ok("merge", "-w", "ws", cwd=tmp_path)
    assert ("計画の変更で報告の足りない課: 観光政策課（K-S2-1-07 1人当たり観光消費額）、商工労働課（K-S2-1-05 道の駅売上高）"
            in merged), merged
    status = ok("status", "-w", "ws", cwd=tmp_path)
    owing = section(status, "計画の変更で報告の足りない課")
    assert len(owing) == 3 and "K-S2-1-07" in owing[1] + owing[2] and "K-S2-1-05" in owing[1] + owing[2], status
    master = ws / "output" / "master_令和5年度_実績.xlsx"
    changes = {row[2]: row[0] for row in sheet_rows(master, "変更点")}
    assert changes == {"K-S2-1-01": "計画の変更で対象外", "K-S2-1-05": "計画の変更で対象外"}
    owed = [row[:3] for row in sheet_rows(master, "未提出・未記入") if row[0] == "提出済みの様式にない行（計画の変更）"]
    assert owed == [("提出済みの様式にない行（計画の変更）", "観光政策課", "K-S2-1-07"),
                    ("提出済みの様式にない行（計画の変更）", "商工労働課", "K-S2-1-05")]

    replace_in_plan(ws, "観光政策課", "観光振興課")  # a rename, 旧課名 forgotten
    checked = ok("plan", "check", "-w", "ws", cwd=tmp_path)
    renamed = warnings_of(checked, "plan-history-department-gone")
    row = plan_row(ws, "担当課", "観光振興課")
    assert len(renamed) == 1 and f"担当課!F{row}" in renamed[0] and "「観光政策課」の提出" in renamed[0], checked
    assert not warnings_of(checked, "plan-history-id-gone")  # said once, for the department
    edit_plan(ws, "担当課", "旧課名", row, "観光政策課（2024-04-01）")
    assert not warnings_of(ok("plan", "check", "-w", "ws", cwd=tmp_path), "plan-history-department-gone")


def test_a_change_of_lead_leaves_the_old_leads_accepted_value_named(tmp_path):
    """A 主担当 KPI's 担当課 put in another order after the lead's value was accepted (tester s13 N2b): the new lead
    has none, the old lead's no longer counts, and plan check says so at the 担当課 cell, with what to do."""
    ws = accepted_from(tmp_path, "情報政策課", "総務課")

    cell = edit_plan(ws, "指標", "担当課", plan_row(ws, "指標", "K-S4-9-03"), "総務課、情報政策課")
    checked = ok("plan", "check", "-w", "ws", cwd=tmp_path)
    changed = warnings_of(checked, "plan-history-lead-changed")
    assert len(changed) == 1 and f"指標!{cell}" in changed[0], checked
    assert "主担当（担当課の最初の課）は総務課ですが、令和5年度 実績に受理した値は情報政策課のもの（" in changed[0]
    assert "評価できません（− 評価不能）" in changed[0] and "担当課の順を元に戻してください" in changed[0]
    assert not warnings_of(checked, "plan-history-owner-gone")  # 情報政策課 still owns it: not said twice

    edit_plan(ws, "指標", "担当課", plan_row(ws, "指標", "K-S4-9-03"), "情報政策課、総務課")  # put back
    assert "警告 0件" in ok("plan", "check", "-w", "ws", cwd=tmp_path).splitlines()[0]


def test_a_kpi_moved_to_a_department_whose_form_had_no_kpi_sheet_asks_for_the_new_form(tmp_path):
    """A KPI moved to 建設課, whose accepted form was made with no KPI実績 sheet (it had no KPIs then; tester s13
    N2): validate says the plan change added the sheet and asks for the new form, never that the department
    renamed or deleted it; merge keeps the form accepted with warnings only, as status does, which lists the row
    the department owes. A sheet the form was made with and the department deleted is still its mistake."""
    r5 = ReportPeriod(2023)
    ok("init", "ws", cwd=tmp_path)
    ws = tmp_path / "ws"
    ok("forms", "-w", "ws", cwd=tmp_path)
    built = ws / "inbox" / fl.form_file_name(r5, "建設課")
    returned(ws, r5, "建設課", built)
    assert fl.KPI_SHEET not in openpyxl.load_workbook(built).sheetnames
    farming = returned(ws, r5, "農林課", ws / "inbox" / fl.form_file_name(r5, "農林課"))
    ok("merge", "-w", "ws", cwd=tmp_path)

    edit_plan(ws, "指標", "担当課", plan_row(ws, "指標", "K-S1-3-07"), "建設課")
    checked = ok("validate", "--no-feedback", "-w", "ws", str(built), cwd=tmp_path)
    assert "form-sheet-missing" not in checked and "名前の変更または削除" not in checked, checked
    added = warnings_of(checked, "form-plan-sheet-added")
    assert len(added) == 1 and "計画の変更でこの課に指標（K-S1-3-07 森林整備推進事業による間伐・植栽面積）が加わりました" in added[0]
    assert "企画担当課から最新の様式を受け取って記入してください" in added[0]
    merged = ok("merge", "-w", "ws", cwd=tmp_path)
    assert f"{built.name}: 変更なし（エラー 0件、警告 2件）［建設課］" in merged, merged
    assert "計画の変更で報告の足りない課: 建設課（K-S1-3-07 森林整備推進事業による間伐・植栽面積）" in merged
    owing = section(ok("status", "-w", "ws", cwd=tmp_path), "計画の変更で報告の足りない課")
    assert len(owing) == 2 and "建設課" in owing[1] and "K-S1-3-07" in owing[1]

    book = openpyxl.load_workbook(farming)
    del book[fl.KPI_SHEET]  # made with the sheet: deleting it is the department's to undo
    book.save(farming)
    done = kpireport("validate", "--no-feedback", "-w", "ws", str(farming), cwd=tmp_path)
    assert "form-sheet-missing" in done.stdout and "form-plan-sheet-added" not in done.stdout, done.stdout
