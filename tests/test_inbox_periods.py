"""An inbox that holds several periods' files: a monthly collection leaves last year's annual forms (and
their feedback copies, and their history) alone and says so in one line; a rejected file's errors are
all named, the first few in full."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_merge import set_actual, submit

from kpireport.cli.commands import cli
from kpireport.history.store import History
from kpireport.periods import ReportPeriod
from kpireport.plan.load import load_plan
from kpireport.workspace import Workspace

pytestmark = pytest.mark.slow  # end to end: merges and runs over an inbox of several periods

R5, SEPT = ReportPeriod(2023), ReportPeriod(2023, 9)
A, B, C = "観光政策課", "農林課", "学校教育課"
BROKEN = ["K-S1-02", "K-S1-3-01", "K-S1-3-02", "K-S1-3-03", "K-S1-3-04", "K-S1-3-05", "K-S1-3-06"]
APART = "ほかの報告期間のファイル 2件はそのままにしました（令和5年度 実績 2件）。"


def cli_run(*args) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.glob("*.xlsx"))}


def submissions(ws: Workspace, period: ReportPeriod) -> list:
    history = History(ws.history_file)
    try:
        return [(s.file_name, s.sha256, s.received_at, s.errors) for s in history.submissions(period.key)]
    finally:
        history.close()


def break_values(workbook):
    for kpi_id in BROKEN:
        set_actual(kpi_id, "不明", R5)(workbook)


@pytest.fixture
def annual_done(tmp_path) -> Workspace:
    """Last year's annual collection, run: A accepted, B sent back with seven errors (a feedback copy)."""
    ws = Workspace.create(tmp_path / "ws")
    plan = load_plan(ws.plan_file).plan
    submit(plan, ws, A, R5, age=1)
    submit(plan, ws, B, R5, change=break_values, age=2)
    output = cli_run("run", "--period", "2023", "-w", str(ws.root))
    assert "差し戻し 1件" in output
    submit(plan, ws, A, SEPT, age=3)
    submit(plan, ws, C, SEPT, age=4)
    return ws


def test_a_monthly_run_leaves_last_years_annual_files_alone(annual_done):
    ws = annual_done
    copies, annual = snapshot(ws.feedback), submissions(ws, R5)
    assert list(copies) == ["令和5年度_実績_農林課.xlsx"]
    output = cli_run("run", "--period", "2023-09", "-w", str(ws.root))
    assert output.splitlines().count(APART + "この期間の検査・集計には入れず、控えも作り直していません。") == 1
    assert sum("ほかの報告期間" in line for line in output.splitlines()) == 1
    assert "受理 2件、差し戻し 0件" in output and "報告期間が違う" not in output
    assert snapshot(ws.feedback) == copies  # byte for byte, not even rewritten
    assert submissions(ws, R5) == annual
    assert sorted(name for name, *_ in submissions(ws, SEPT)) == ["令和5年9月_進捗_学校教育課.xlsx",
                                                                 "令和5年9月_進捗_観光政策課.xlsx"]
    for command in ("validate", "merge"):
        again = cli_run(command, "--period", "2023-09", "-w", str(ws.root))
        assert sum(line.startswith(APART) for line in again.splitlines()) == 1, command
        assert snapshot(ws.feedback) == copies and submissions(ws, R5) == annual


def test_a_file_named_by_hand_is_checked_against_the_period_asked(annual_done):
    ws = annual_done
    named = ws.inbox / "令和5年度_実績_観光政策課.xlsx"
    result = CliRunner().invoke(cli, ["validate", str(named), "--period", "2023-09", "--no-feedback",
                                      "-w", str(ws.root)], catch_exceptions=False)
    assert result.exit_code == 1 and "form-wrong-period" in result.output


def test_every_error_of_a_rejected_file_is_counted_and_the_first_five_named(annual_done):
    ws = annual_done
    plan = load_plan(ws.plan_file).plan
    submit(plan, ws, B, R5, name="農林課_再提出.xlsx", change=break_values, age=5)
    output = cli_run("merge", "--period", "2023", "-w", str(ws.root))
    assert_errors_named(output.splitlines(), "農林課_再提出.xlsx: 差し戻し",
                        "  ほか 2件（すべての指摘は台帳の「検証結果」シートにあります）")
    status = cli_run("status", "--period", "2023", "-w", str(ws.root)).splitlines()
    start = next(i for i, line in enumerate(status) if line.startswith(f"  {B}（"))
    assert status[start].endswith("農林課_再提出.xlsx を差し戻し。エラー 7件:")
    assert all("数値として読めません" in line for line in status[start + 1:start + 6])
    assert status[start + 6].startswith("    ほか 2件（すべての指摘は台帳の「検証結果」シートと、")


def test_run_says_where_the_rest_of_the_errors_are(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    submit(load_plan(ws.plan_file).plan, ws, B, R5, change=break_values)
    output = cli_run("run", "--period", "2023", "-w", str(ws.root))
    copy = ws.feedback / "令和5年度_実績_農林課.xlsx"
    assert_errors_named(output.splitlines(), "令和5年度_実績_農林課.xlsx: 差し戻し",
                        f"  ほか 2件（すべての指摘は印を付けた控え（{copy}）にあります）")


def assert_errors_named(lines: list[str], verdict: str, rest: str) -> None:
    start = next(i for i, line in enumerate(lines) if line.startswith(verdict))
    named = lines[start + 1:start + 6]
    assert all("数値として読めません" in line and "!" in line for line in named), named
    assert lines[start + 6] == rest
