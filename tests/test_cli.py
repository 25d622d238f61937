"""The `kpireport` command as the planning office runs it: exact output and exit codes."""
from __future__ import annotations

import json
import runpy
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kpireport.cli.commands import cli, main
from kpireport.workspace import planning


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def all_commands(group=cli, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from all_commands(command, prefix + (name,))


@pytest.mark.parametrize("path", [p for p, _ in all_commands()], ids=" ".join)
def test_every_command_has_help_with_an_example(path):
    result = run(*path, "-h")
    assert result.exit_code == 0
    command = dict(all_commands())[path]
    if not isinstance(command, click.Group):
        assert "例:" in result.output and f"kpireport {' '.join(path)}" in result.output


def test_init_creates_a_workspace(tmp_path):
    target = tmp_path / "令和6年度"
    result = run("init", str(target))
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == f"作業フォルダを作成しました: {target}"
    assert (target / "計画体系.xlsx").is_file()
    assert all((target / d).is_dir() for d in ("inbox", "input_templates", "output"))
    again = run("init", str(target))
    assert again.exit_code == 1
    assert "既にあります" in again.output and "--force" in again.output


def test_plan_check_on_the_example_workspace(tmp_path):
    run("init", str(tmp_path / "ws"))
    result = run("plan", "check", "-w", str(tmp_path / "ws"))
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "計画体系.xlsx: OK（エラー 0件、警告 0件）",
        "概要: 計画 2件（基本計画: 基本目標5・基本方針15・施策41／総合戦略: 重点戦略4・戦略方針21）、体系 86件、"
        "指標 92件（掲載 185か所、うち再掲 93）、取組 63件、担当課 19課",
    ]


def test_plan_check_with_errors_exits_1_and_locates_them(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("settings: {city: 美祢市}\nplans: []\n", encoding="utf-8")
    result = run("plan", "check", str(path))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("plan.yaml: 要修正（エラー ")
    assert any("設定" in line and "plan-required" in line and "報告書の表題" in line for line in lines)
    assert any("シート「体系」がありません" in line for line in lines)
    assert lines[-1] == "概要: エラーを直すと、計画の概要を表示します。"


def test_plan_check_json_is_the_report_object(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("settings: {city: 美祢市}\n", encoding="utf-8")
    result = run("plan", "check", str(path), "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["valid"] is False and report["errors"] == len(report["findings"]) > 0
    assert set(report["findings"][0]) == {"code", "severity", "file", "sheet", "cell", "value", "message"}


def test_plan_check_without_a_workspace(tmp_path):
    result = run("plan", "check", "-w", str(tmp_path))
    assert result.exit_code == 1
    assert "計画ファイルが見つかりません" in result.output


def test_plan_convert_between_formats(tmp_path):
    run("init", str(tmp_path / "ws"))
    yaml_path = tmp_path / "plan.yaml"
    result = run("plan", "convert", str(tmp_path / "ws" / "計画体系.xlsx"), str(yaml_path))
    assert result.exit_code == 0 and yaml_path.exists()
    assert run("plan", "check", str(yaml_path)).exit_code == 0
    bad = run("plan", "convert", str(yaml_path), str(tmp_path / "plan.txt"))
    assert bad.exit_code == 1 and ".xlsx、.json、.yaml" in bad.output


def test_plan_convert_keeps_an_existing_file_unless_forced(tmp_path):
    run("init", str(tmp_path / "ws"))
    workbook = tmp_path / "ws" / "計画体系.xlsx"
    yaml_path = tmp_path / "plan.yaml"
    assert run("plan", "convert", str(workbook), str(yaml_path)).exit_code == 0
    before = workbook.read_bytes()
    refused = run("plan", "convert", str(yaml_path), str(workbook))
    assert refused.exit_code == 1 and workbook.read_bytes() == before
    assert f"{workbook} は既にあります" in refused.output and "--force" in refused.output
    forced = run("plan", "convert", str(yaml_path), str(workbook), "--force")
    assert forced.exit_code == 0 and run("plan", "check", str(workbook)).exit_code == 0


@pytest.mark.slow  # end to end: the whole demo (forms, fill, merge, report)
def test_demo_runs_from_any_folder_and_says_what_it_made(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("demo")
    assert result.exit_code == 0
    assert (tmp_path / "kpireport_demo" / "計画体系.xlsx").is_file()
    assert "計画体系.xlsx" in result.output and "エラー 0件" in result.output
    assert "2. 各課の報告様式: 19件" in result.output
    assert "4. 提出の検査: 19ファイル（OK 19、要修正 0）、エラー 0件、警告 0件" in result.output
    assert len(list((tmp_path / "kpireport_demo" / "inbox").glob("*.xlsx"))) == 19
    assert run("demo").exit_code == 0  # running it again refreshes the demo folder


def test_unexpected_failure_is_one_line_without_traceback(monkeypatch, capsys):
    def broken(_path):
        raise RuntimeError("壊れた")

    monkeypatch.setattr(planning, "read_source", broken)
    with pytest.raises(SystemExit) as exit_info:
        main(["plan", "check", "x.xlsx"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "予期しない問題" in err and "--debug" in err and "Traceback" not in err
    with pytest.raises(RuntimeError):
        main(["--debug", "plan", "check", "x.xlsx"])


@pytest.mark.parametrize("args, message", [
    (["no-such-command"], "使い方の誤り: コマンド「no-such-command」はありません。"),
    (["init"], "使い方の誤り: 作業フォルダ を指定してください。"),
    (["plan", "check", "--bogus"], "使い方の誤り: オプション --bogus はありません。"),
    (["plan", "check", "-w"], "使い方の誤り: オプション -w に値を指定してください。"),
    (["history", "backup", "."], "使い方の誤り: [控えのファイル] に指定した . はフォルダです。ファイルを指定してください。"),
    (["status", "-w", "README.md"],
     "使い方の誤り: オプション --workspace に指定した README.md はファイルです。フォルダを指定してください。"),
])
def test_bad_usage_exits_2_in_japanese(capsys, monkeypatch, args, message):
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)  # README.md: a file that is there
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines() == [message, "「kpireport -h」で使い方を表示します。"]


def test_help_is_japanese():
    for path, _command in all_commands():
        text = run(*path, "-h").output
        assert text.startswith("使い方: ") and "オプション:" in text and "このヘルプを表示して終わります。" in text
        assert "Usage" not in text and "Show this message" not in text


@pytest.mark.slow  # three real processes, each importing the whole command
def test_python_dash_m_and_console_script(tmp_path):
    for command in ([sys.executable, "-m", "kpireport", "--help"], ["kpireport", "--version"]):
        done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    assert "kpireport demo" in subprocess.run([sys.executable, "-m", "kpireport", "-h"], capture_output=True,
                                              text=True).stdout


def test_python_dash_m_runs_the_command(monkeypatch, capsys):
    """`python -m kpireport` in this process (the real processes are the slow test above)."""
    monkeypatch.setattr(sys, "argv", ["kpireport", "-h"])
    with pytest.raises(SystemExit) as done:
        runpy.run_module("kpireport", run_name="__main__")
    assert done.value.code == 0
    assert "kpireport demo" in capsys.readouterr().out


# --- forms and validate -------------------------------------------------------------------------

@pytest.fixture
def workspace(tmp_path):
    root = tmp_path / "ws"
    assert run("init", str(root)).exit_code == 0
    return root


@pytest.mark.slow  # every department's form written (about a second)
def test_forms_writes_one_file_per_department(workspace):
    result = run("forms", "-w", str(workspace))
    assert result.exit_code == 0
    folder = workspace / "input_templates" / "令和5年度_実績"
    assert len(list(folder.glob("*.xlsx"))) == 19
    assert result.output.splitlines()[-1] == f"様式を19件作成しました: {folder}"
    one = run("forms", "-w", str(workspace), "--period", "2023-09", "--dept", "観光政策課")
    assert one.exit_code == 0
    assert (workspace / "input_templates" / "令和5年9月_進捗" / "令和5年9月_進捗_観光政策課.xlsx").exists()
    bad = run("forms", "-w", str(workspace), "--period", "来年")
    assert bad.exit_code == 1 and "報告期間「来年」を読めません" in bad.output


def test_validate_inbox_with_a_good_and_a_bad_file(workspace):
    from kpireport.demo.fill import fill_form
    from kpireport.periods import ReportPeriod
    from kpireport.plan.load import load_plan

    run("forms", "-w", str(workspace), "--dept", "観光政策課")
    form = workspace / "input_templates" / "令和5年度_実績" / "令和5年度_実績_観光政策課.xlsx"
    plan = load_plan(workspace / "計画体系.xlsx").plan
    fill_form(form, plan, "観光政策課", ReportPeriod(2023), workspace / "inbox" / form.name)
    (workspace / "inbox" / "メモ.xlsx").write_text("メモ", encoding="utf-8")
    (workspace / "inbox" / "~$令和5年度_実績_観光政策課.xlsx").write_bytes(b"lock")
    result = run("validate", "-w", str(workspace))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "報告期間: 令和5年度 実績"
    assert "~$令和5年度_実績_観光政策課.xlsx: 読み飛ばしました（Excelの一時ファイルまたは隠しファイル）" in lines
    assert "メモ.xlsx: 要修正（エラー 1件、警告 0件）" in lines
    assert "令和5年度_実績_観光政策課.xlsx: OK（エラー 0件、警告 0件）［観光政策課］" in lines
    assert lines[-1] == "合計: 2ファイル（OK 1、要修正 1）、エラー 1件、警告 0件"
    ok = run("validate", str(workspace / "inbox" / form.name), "-w", str(workspace))
    assert ok.exit_code == 0


def test_validate_json_is_the_report_object_and_feedback_is_written(workspace):
    run("forms", "-w", str(workspace), "--dept", "農林課")
    form = workspace / "input_templates" / "令和5年度_実績" / "令和5年度_実績_農林課.xlsx"
    target = workspace / "inbox" / form.name
    target.write_bytes(form.read_bytes())  # sent back without filling anything
    result = run("validate", "-w", str(workspace), "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["valid"] is False and report["stats"]["files"] == 1
    task = report["tasks"][0]
    assert task["department"] == "農林課" and task["errors"] > 0
    assert {f["code"] for f in task["findings"]} >= {"kpi-value-missing", "init-status-missing"}
    assert (workspace / "output" / "feedback" / form.name).exists()


def test_validate_missing_path_and_broken_plan(workspace, tmp_path):
    missing = run("validate", str(tmp_path / "none"), "-w", str(workspace))
    assert missing.exit_code == 1 and "見つかりません" in missing.output
    (workspace / "計画体系.xlsx").write_bytes(b"broken")
    broken = run("validate", "-w", str(workspace))
    assert broken.exit_code == 1 and "kpireport plan check" in broken.output


def test_demo_refuses_a_folder_it_did_not_make(workspace):
    result = run("demo", str(workspace))
    assert result.exit_code == 1 and "デモ用のフォルダでもありません" in result.output
    assert (workspace / "計画体系.xlsx").exists()


def test_commands_that_write_no_report_start_without_its_chart_library():
    """matplotlib (half a second of imports) comes with the report's writer, only when a report is written."""
    code = ("import sys, kpireport.cli.commands; "
            "print(sorted(m for m in ('matplotlib', 'kpireport.council.report') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
