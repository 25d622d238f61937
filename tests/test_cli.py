"""The `kpireport` command as the planning office runs it: exact output and exit codes."""
from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from kpireport import cli as cli_module
from kpireport.cli import cli, main


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


def test_demo_runs_from_any_folder_and_says_what_it_made(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("demo")
    assert result.exit_code == 0
    assert (tmp_path / "kpireport_demo" / "計画体系.xlsx").is_file()
    assert "計画体系.xlsx" in result.output and "エラー 0件" in result.output
    assert run("demo").exit_code == 0  # running it again refreshes the demo folder


def test_unexpected_failure_is_one_line_without_traceback(monkeypatch, capsys):
    def broken(_path):
        raise RuntimeError("壊れた")

    monkeypatch.setattr(cli_module.plan_module, "load_plan", broken)
    with pytest.raises(SystemExit) as exit_info:
        main(["plan", "check", "x.xlsx"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "予期しない問題" in err and "--debug" in err and "Traceback" not in err
    with pytest.raises(RuntimeError):
        main(["--debug", "plan", "check", "x.xlsx"])


@pytest.mark.parametrize("args, message", [
    (["no-such-command"], "使い方の誤り: コマンド「no-such-command」はありません。"),
    (["init"], "使い方の誤り: DIRECTORY を指定してください。"),
    (["plan", "check", "--bogus"], "使い方の誤り: オプション --bogus はありません。"),
    (["plan", "check", "-w"], "使い方の誤り: オプション -w に値を指定してください。"),
])
def test_bad_usage_exits_2_in_japanese(capsys, args, message):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines() == [message, "`kpireport -h` で使い方を表示します。"]


def test_help_is_japanese():
    for path, _command in all_commands():
        text = run(*path, "-h").output
        assert text.startswith("使い方: ") and "オプション:" in text and "このヘルプを表示して終わります。" in text
        assert "Usage" not in text and "Show this message" not in text


def test_python_dash_m_and_console_script(tmp_path):
    for command in ([sys.executable, "-m", "kpireport", "--help"], ["kpireport", "--version"]):
        done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    assert "kpireport demo" in subprocess.run([sys.executable, "-m", "kpireport", "-h"], capture_output=True,
                                              text=True).stdout
