"""The plan check a new city meets (issue 24, items 7–9), the command line run as a process on the plan
workbook as the office edits it: years outside the plan's period named by their cell, a year outside every
plan refused by `forms`, a blank plan's messages, department names Windows cannot put in a file name."""
from __future__ import annotations

import openpyxl
import pytest
from office_year import kpireport, ok

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
