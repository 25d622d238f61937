"""The command line as a planning office runs it on its Windows PC.

Each command runs as a real process twice: as it is, and under the Windows stand-in (tests/winlike: no
fork, fcntl, resource or getuid; fsync only on a writable handle; an open file cannot be replaced; output
redirected to a file in cp932). Both must complete without a traceback and say the same.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from office_year import saved_at
from terminal import on_terminal

from kpireport.runtime.console import LOOK_ALIKES

pytestmark = pytest.mark.slow  # end to end: every command as a real process, natively and under the Windows stand-in

PROJECT = Path(__file__).resolve().parents[1]
WINLIKE = Path(__file__).resolve().parent / "winlike"
SEQUENCE = (("forms",), ("validate",), ("merge",), ("run",), ("report",), ("status",))


def kpireport(args, cwd: Path, windows: bool, **extra_env) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONIOENCODING")}
    if windows:
        env.update(PYTHONPATH=os.pathsep.join([str(WINLIKE), str(PROJECT)]), PYTHONIOENCODING="cp932")
    else:
        env.update(PYTHONPATH=str(PROJECT), PYTHONIOENCODING="utf-8")
    env.update(extra_env)
    done = subprocess.run([sys.executable, "-m", "kpireport", *args], cwd=cwd, env=env, capture_output=True,
                          timeout=300)
    encoding = "cp932" if windows else "utf-8"
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(encoding),
                                       done.stderr.decode(encoding))


@pytest.fixture(scope="module")
def sessions(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """Per mode (native, windows): the demo, then every monthly command in its workspace."""
    found = {}
    for mode in ("native", "windows"):
        root = tmp_path_factory.mktemp(mode)
        done = {"demo": kpireport(["demo", "kpireport_demo"], root, mode == "windows")}
        workspace = root / "kpireport_demo"
        for args in SEQUENCE:
            done[args[0]] = kpireport(list(args), workspace, mode == "windows")
        found[mode] = (workspace, done)
    return found


@pytest.mark.parametrize("mode", ["native", "windows"])
def test_every_command_completes_without_a_traceback(sessions, mode):
    workspace, done = sessions[mode]
    for command, result in done.items():
        assert result.returncode == 0, (command, result.stdout[-2000:], result.stderr[-2000:])
        assert "Traceback" not in result.stdout + result.stderr, command
        assert result.stderr == "", (command, result.stderr)
    assert (workspace / "output" / "master_令和5年度_実績.xlsx").is_file()
    assert (workspace / "output" / "report_令和5年度_実績.docx").is_file()
    assert len(list((workspace / "input_templates" / "令和5年度_実績").glob("*.xlsx"))) == 19
    assert "評価: A 達成 19件、B 順調 37件、C 遅れ 23件、D 悪化 6件" in done["merge"].stdout


def _comparable(text: str, workspace: Path) -> str:
    """Output with what differs by machine and moment taken out, and the console's look-alikes applied."""
    text = text.replace(str(workspace.parent), "<root>")
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "<time>", text)
    text = re.sub(r"_\d{8}_\d{6}", "_<time>", text)
    return "".join(LOOK_ALIKES.get(c, c) for c in text)


def test_windows_says_what_linux_says(sessions):
    """Every line the same (the only difference allowed: − written as its cp932 look-alike －)."""
    (native, on_linux), (windows, on_windows) = sessions["native"], sessions["windows"]
    for command in on_linux:
        assert (_comparable(on_windows[command].stdout, windows)
                == _comparable(on_linux[command].stdout, native)), command
    assert "－ 評価不能" in on_windows["merge"].stdout and "− 評価不能" in on_linux["merge"].stdout


def _resubmit(workspace: Path) -> None:
    """農林課 sends its form again with a remark added."""
    import openpyxl

    from kpireport.forms import layout as fl

    form = next(workspace.glob("inbox/*農林課*.xlsx"))
    book = openpyxl.load_workbook(form)
    sheet = book[fl.KPI_SHEET]
    header = next(c.column for c in sheet[fl.HEADER_ROW] if c.value == "備考")
    sheet.cell(fl.FIRST_ROW, header).value = "再提出"
    book.save(form)


def test_a_master_open_in_excel_keeps_the_accepted_and_the_next_merge_writes_it(sessions, tmp_path):
    workspace = Path(shutil.copytree(sessions["windows"][0], tmp_path / "ws"))
    master = workspace / "output" / "master_令和5年度_実績.xlsx"
    before = master.read_bytes()
    _resubmit(workspace)
    held = kpireport(["merge"], workspace, True, WINLIKE_HELD_OPEN=str(master))
    assert held.returncode == 1
    assert held.stderr == "エラー: 台帳 output/master_令和5年度_実績.xlsx が Excel で開かれています。閉じてからもう一度実行してください。\n"
    assert "受理 1件" in held.stdout and "台帳: 書き込めませんでした（受理した提出は履歴に記録済みです）" in held.stdout
    assert "前回の台帳" not in held.stdout  # nothing was replaced, so no copy of it is announced
    assert master.read_bytes() == before and not list(workspace.rglob(".*.tmp"))
    with sqlite3.connect(workspace / "履歴.sqlite3") as db:
        remarks = db.execute("SELECT v.remarks FROM kpi_values v JOIN submissions s ON s.id = v.submission_id "
                             "WHERE s.department = '農林課' AND s.accepted = 1 AND s.superseded_by IS NULL").fetchall()
    assert ("再提出",) in remarks
    again = kpireport(["merge"], workspace, True)
    assert again.returncode == 0 and again.stderr == "" and "変更なし 19件" in again.stdout
    assert master.read_bytes() != before


def test_a_report_open_in_word_is_said_in_one_line(sessions, tmp_path):
    workspace = Path(shutil.copytree(sessions["windows"][0], tmp_path / "ws"))
    report = workspace / "output" / "report_令和5年度_実績.docx"
    before = report.read_bytes()
    held = kpireport(["report"], workspace, True, WINLIKE_HELD_OPEN=str(report))
    assert held.returncode == 1
    assert held.stderr == "エラー: 審議会資料 output/report_令和5年度_実績.docx が Word で開かれています。閉じてからもう一度実行してください。\n"
    assert report.read_bytes() == before


def test_worker_processes_start_where_there_is_no_fork(tmp_path):
    """The process map under the stand-in (no os.fork, spawn only): workers start, and give their results back."""
    (tmp_path / "pids.py").write_text("import os\n\n\ndef pid(_item):\n    return os.getpid()\n", encoding="utf-8")
    script = ("import os, pids\nfrom kpireport.runtime.parallel import process_map\n"
              "print(os.getpid(), sorted(set(process_map(pids.pid, range(6)))))\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONIOENCODING"}
    env.update(PYTHONPATH=os.pathsep.join([str(WINLIKE), str(PROJECT), str(tmp_path)]), KPIREPORT_WORKERS="2")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    parent, workers = done.stdout.split(" ", 1)
    workers = [int(pid) for pid in workers.strip(" []\n").split(",")]
    assert workers and int(parent) not in workers


# --- the office's real year under the stand-in (issue 24: items 1–3, 6, 10, 13) ---------------------------

def _saved_at(path: Path, when: str) -> None:
    """The workbook as Excel saved it at ``when`` (its own properties: docProps/core.xml), its time on disk kept."""
    saved_at(path, when, path.stat().st_mtime)


def test_an_office_inbox_is_read_as_it_is_and_status_tells_the_truth(sessions, tmp_path):
    """Subfolders, Windows' leftovers, a file naming its department only by its name, a file nobody's, and
    two files of one department: each said, under the stand-in as on Linux."""
    workspace = Path(shutil.copytree(sessions["windows"][0], tmp_path / "ws"))
    inbox = workspace / "inbox"
    (inbox / "5月2日").mkdir()
    shutil.move(next(inbox.glob("*_農林課.xlsx")), inbox / "5月2日" / "令和5年度_実績_農林課.xlsx")
    for leftover in ("Thumbs.db", "desktop.ini", "5月2日/Thumbs.db"):
        (inbox / leftover).write_bytes(b"\0")
    shutil.copy(next(inbox.glob("*_総務課.xlsx")), inbox / "~$令和5年度_実績_総務課.xlsx")
    (inbox / "観光政策課_再送.xlsx").write_bytes(b"%PDF-1.4 printed instead of saved")
    (inbox / "メモ.xlsx").write_bytes(b"")
    first = next(inbox.glob("令和5年度_実績_総務課.xlsx"))
    second = shutil.copy(first, inbox / "総務課_控え.xlsx")  # copied later, but saved in Excel earlier
    _saved_at(first, "2024-05-20T01:00:00Z")
    _saved_at(Path(second), "2024-05-10T01:00:00Z")
    merged = kpireport(["merge"], workspace, True)
    assert merged.returncode == 0 and "Traceback" not in merged.stderr, merged.stderr
    assert "5月2日/令和5年度_実績_農林課.xlsx: 変更なし" in merged.stdout
    assert not any(word in merged.stdout for word in ("Thumbs", "desktop.ini"))
    # the copy arrives after the form in force but was saved before it: recorded, not adopted, and said
    assert "総務課_控え.xlsx: 不採用" in merged.stdout, merged.stdout
    assert "「令和5年度_実績_総務課.xlsx」（受理済み）を引き続き採用" in merged.stdout
    status = kpireport(["status"], workspace, True).stdout
    resubmit = status[status.index("■ 要再提出"):status.index("■ 提出済")]
    assert "  観光政策課（" in resubmit and "観光政策課_再送.xlsx" in resubmit
    assert "■ どの課の様式か分からないファイル: 1件" in status and "  メモ.xlsx（" in status
    assert "■ 要確認（同じ課の複数のファイル）: 1件" in status


def test_init_force_keeps_the_plan_and_refuses_over_the_history(sessions, tmp_path):
    workspace = Path(shutil.copytree(sessions["windows"][0], tmp_path / "ws"))
    refused = kpireport(["init", str(workspace), "--force"], tmp_path, True)
    assert refused.returncode == 1 and "履歴があります" in refused.stderr and "--keep-history" in refused.stderr
    done = kpireport(["init", str(workspace), "--force", "--keep-history"], tmp_path, True)
    assert done.returncode == 0 and "として残しました" in done.stdout
    assert len(list(workspace.glob("計画体系_*.xlsx"))) == 1


def test_progress_on_a_windows_terminal_and_an_old_pdf_set_aside(sessions, tmp_path):
    workspace = Path(shutil.copytree(sessions["windows"][0], tmp_path / "ws"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PYTHONPATH=os.pathsep.join([str(WINLIKE), str(PROJECT)]), PYTHONIOENCODING="cp932")
    returncode, shown = on_terminal(["run", "--no-feedback"], workspace, env)
    seen = shown.decode("cp932")
    assert returncode == 0 and "… 検査（19件）" in seen and "所要時間 " in seen
    old = workspace / "output" / "report_令和5年度_実績.pdf"
    old.write_bytes(b"%PDF-1.4 an earlier report")
    wrong = tmp_path / "LibreOffice" / "program" / "soffice.exe"
    done = kpireport(["report"], workspace, True, KPIREPORT_SOFFICE=str(wrong))
    assert done.returncode == 1 and "report_令和5年度_実績_古い版.pdf に名前を変えました" in done.stderr
    assert not old.exists() and old.with_name("report_令和5年度_実績_古い版.pdf").read_bytes().startswith(b"%PDF")
