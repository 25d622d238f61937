"""A tool that talks: the command line run as a real process, as a planning officer meets it — the help in
the order of the year's work, Japanese placeholders and errors, progress on a terminal only, the check list
after `run`, and an old PDF never left beside a new report as if it were current."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from terminal import on_terminal

from kpireport.cli.japanese import YEAR_ORDER
from kpireport.runtime.office import NOT_INSTALLED, SOFFICE_VARIABLE, wrong_setting_line

pytestmark = pytest.mark.slow  # the command line as real processes (each starts Python and imports the package)

PROJECT = Path(__file__).resolve().parents[1]


def kpireport(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    merged = {**os.environ, "PYTHONPATH": str(PROJECT), "PYTHONIOENCODING": "utf-8", **env}
    return subprocess.run([sys.executable, "-m", "kpireport", *args], cwd=cwd, env=merged, capture_output=True,
                          text=True, encoding="utf-8", timeout=600)


def on_a_terminal(*args: str, cwd: Path) -> str:
    """What a person sees in a terminal (standard output and error both on it)."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT), "PYTHONIOENCODING": "utf-8"}
    return on_terminal(list(args), cwd, env)[1].decode("utf-8").replace("\r\n", "\n")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("talk")
    assert kpireport("demo", "kpireport_demo", cwd=root).returncode == 0
    return root / "kpireport_demo"


def test_help_lists_the_years_work_in_order_with_an_example_each(tmp_path):
    shown = kpireport("-h", cwd=tmp_path).stdout
    commands = shown[shown.index("コマンド（1年の作業の順）:"):].splitlines()[1:]
    names = [line.split()[0] for line in commands if line.startswith("  ") and not line.startswith("   ")]
    assert names[:8] == ["init", "plan", "forms", "validate", "merge", "status", "report", "run"]
    assert all(name in YEAR_ORDER for name in names)
    examples = [line.strip() for line in commands if line.strip().startswith("例: kpireport ")]
    assert len(examples) == len(names)
    assert "使い方: kpireport [オプション] コマンド [引数]..." in shown


def test_help_has_no_english_placeholders_defaults_or_backticks(tmp_path):
    helps = [kpireport(*command.split(), "-h", cwd=tmp_path).stdout for command in
             ("init", "plan check", "plan convert", "forms", "validate", "merge", "status", "report", "run",
              "override", "history import", "history backup", "demo")]
    text = "\n".join(helps)
    for english in ("[OPTIONS]", "DIRECTORY", "PATHS", "TEXT", "PATH", "[default", "Usage", "Options", "`"):
        assert english not in text, english
    init = helps[0]
    assert "使い方: kpireport init [オプション] 作業フォルダ" in init
    assert "引数:\n  作業フォルダ  作る作業フォルダ（なければ作ります）。" in init  # positional arguments described


def test_bare_kpireport_shows_the_help_and_ends_with_0(tmp_path):
    bare = kpireport(cwd=tmp_path)
    assert bare.returncode == 0 and "コマンド（1年の作業の順）:" in bare.stdout and bare.stderr == ""
    group = kpireport("plan", cwd=tmp_path)
    assert group.returncode == 0 and "check" in group.stdout


def test_a_mistyped_command_gets_a_suggestion_and_a_bad_example_a_japanese_answer(tmp_path):
    typo = kpireport("form", cwd=tmp_path)
    assert typo.returncode == 2
    assert typo.stderr.splitlines() == ["使い方の誤り: コマンド「form」はありません。もしかして: forms",
                                        "「kpireport -h」で使い方を表示します。"]
    example = kpireport("init", "x", "--example", "横浜市", cwd=tmp_path)
    assert example.returncode == 2
    assert example.stderr.splitlines()[0] == ("使い方の誤り: オプション --example に「横浜市」は指定できません。"
                                              "美祢市、さくら市、かわせみ町、ほしぞら市 のいずれかを指定してください。")
    assert not (tmp_path / "x").exists()


def test_progress_shows_on_a_terminal_with_the_time_taken_and_not_in_a_pipe(demo):
    seen = on_a_terminal("run", "--no-feedback", "-w", str(demo), cwd=demo)
    assert "… 検査（19件）" in seen and "  19/19 令和5年度_実績_" in seen
    assert "… 台帳" in seen and "… 審議会資料" in seen and "所要時間 " in seen
    piped = kpireport("run", "--no-feedback", "-w", str(demo), cwd=demo)
    assert piped.returncode == 0 and "… 検査" not in piped.stdout + piped.stderr and "所要時間" not in piped.stderr


def test_run_prints_the_same_check_list_as_report(demo):
    ran = kpireport("run", "--no-feedback", "-w", str(demo), cwd=demo).stdout
    reported = kpireport("report", "-w", str(demo), cwd=demo).stdout
    check_list = reported[reported.index("未提出・未記入"):]
    assert check_list.strip() and ran.endswith(check_list)


def test_without_a_pdf_the_old_one_is_set_aside_and_a_wrong_setting_is_named(demo, tmp_path):
    old = demo / "output" / "report_令和5年度_実績.pdf"
    old.write_bytes(b"%PDF-1.4 an earlier report")
    wrong = tmp_path / "LibreOffice" / "program" / "soffice.exe"
    done = kpireport("report", "-w", str(demo), cwd=demo, **{SOFFICE_VARIABLE: str(wrong)})
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (f"エラー: {wrong_setting_line(str(wrong))}前回のPDFは "
                                           "report_令和5年度_実績_古い版.pdf に名前を変えました（今回の審議会資料の内容ではありません）。")
    assert not old.exists() and old.with_name("report_令和5年度_実績_古い版.pdf").read_bytes().startswith(b"%PDF")
    old.write_bytes(b"%PDF-1.4 another earlier report")
    missing = kpireport("report", "-w", str(demo), cwd=demo, **{SOFFICE_VARIABLE: "", "PATH": ""})
    assert missing.returncode == 0 and NOT_INSTALLED in missing.stdout and not old.exists()
