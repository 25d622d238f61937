"""Re-creating a workspace folder (issue 24, item 6), the command line run as a process: `init --force`
keeps a dated copy of the plan workbook it replaces and says so; over a history it refuses, saying what
would be lost, unless told twice over (--force --keep-history), and the history stays."""
from __future__ import annotations

import re

import openpyxl
import pytest
from office_year import kpireport, ok, returned

from kpireport.forms import layout as fl
from kpireport.periods import ReportPeriod

pytestmark = pytest.mark.slow  # the command line as real processes, on files made as users make them

R5 = ReportPeriod(2023)


@pytest.mark.parametrize("windows", [False, True], ids=["linux", "windows"])
def test_init_force_keeps_a_dated_copy_and_refuses_over_a_history(tmp_path, windows):
    ok("init", "ws", cwd=tmp_path, windows=windows)
    plan_file = tmp_path / "ws" / "計画体系.xlsx"
    book = openpyxl.load_workbook(plan_file)  # the city's own edit
    book["担当課"].cell(2, 1).value = book["担当課"].cell(2, 1).value
    book.save(plan_file)
    edited = plan_file.read_bytes()
    again = ok("init", "ws", "--force", cwd=tmp_path, windows=windows)
    copies = sorted(tmp_path.joinpath("ws").glob("計画体系_*.xlsx"))
    assert len(copies) == 1 and re.fullmatch(r"計画体系_\d{8}-\d{4}\.xlsx", copies[0].name)
    assert copies[0].read_bytes() == edited
    assert f"それまでの 計画体系.xlsx は {copies[0].name} として残しました。" in again
    ok("forms", "-w", "ws", cwd=tmp_path, windows=windows)
    returned(tmp_path / "ws", R5, "総務課", tmp_path / "ws" / "inbox" / fl.form_file_name(R5, "総務課"))
    ok("merge", "-w", "ws", cwd=tmp_path, windows=windows)
    history = (tmp_path / "ws" / "履歴.sqlite3").read_bytes()
    refused = kpireport("init", "ws", "--force", cwd=tmp_path, windows=windows)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "履歴があります（集計 1回・提出 1件）" in refused.stderr and "--force --keep-history" in refused.stderr
    assert len(list(tmp_path.joinpath("ws").glob("計画体系_*.xlsx"))) == 1  # nothing done
    told_twice = ok("init", "ws", "--force", "--keep-history", cwd=tmp_path, windows=windows)
    assert len(list(tmp_path.joinpath("ws").glob("計画体系_*.xlsx"))) == 2 and "として残しました" in told_twice
    assert (tmp_path / "ws" / "履歴.sqlite3").read_bytes()[:100] == history[:100]
    assert "  総務課: 令和5年度_実績_総務課.xlsx（" in ok("status", "-w", "ws", cwd=tmp_path, windows=windows)
