"""Reliability through the real command line, each command a process of its own (issue 25): forged forms
refused, hostile files beside good ones, a lost history while forms are out, a killed PDF step."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from calc import type_into
from forms_helpers import row_of

from kpireport.demo.fill import fill_form
from kpireport.forms import layout as fl
from kpireport.forms.writer import write_form
from kpireport.history.store import History, form_key_in
from kpireport.periods import ReportPeriod
from kpireport.plan.load import load_plan

R5 = ReportPeriod(2023)
ROOT = Path(__file__).resolve().parent.parent
A, B = "農林課", "観光政策課"


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    merged = {**os.environ, "PYTHONPATH": str(ROOT), "KPIREPORT_WORKERS": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "kpireport", *args], cwd=cwd, env=merged, capture_output=True,
                          text=True, timeout=timeout)


def workspace_with_forms(root: Path) -> Path:
    assert cli("init", str(root), cwd=root.parent).returncode == 0
    done = cli("forms", cwd=root)
    assert done.returncode == 0, done.stderr
    return root


def issued(ws: Path, department: str) -> Path:
    return ws / "input_templates" / R5.file_label / fl.form_file_name(R5, department)


def filled(ws: Path, department: str, target: Path, source: Path | None = None) -> Path:
    plan = load_plan(ws / "計画体系.xlsx").plan
    assert plan is not None
    return fill_form(source or issued(ws, department), plan, department, R5, target)


def meta_edit(path: Path, items: dict[str, str | None]) -> Path:
    """Edit the very hidden identity sheet, as one can after showing and unprotecting it."""
    book = openpyxl.load_workbook(path)
    sheet = book[fl.META_SHEET]
    sheet.sheet_state = "visible"
    sheet.protection.sheet = False
    for row in sheet.iter_rows():
        if row[0].value in items:
            row[1].value = items[row[0].value]
    book.save(path)
    return path


def downgraded(path: Path, department: str | None = None) -> Path:
    """The form passed off as an unsigned 様式版 1 form (of ``department`` when given)."""
    items: dict[str, str | None] = {"様式版": "1", fl.SIGNATURE_KEY: None}
    if department:
        items["担当課"] = department
    return meta_edit(path, items)


def recorded(ws: Path) -> dict[str, str]:
    """The accepted submission in force per department: its file name."""
    history = History(ws / "履歴.sqlite3")
    try:
        return {department: record.file_name for department, record in history.current(R5.key).items()}
    finally:
        history.close()


@pytest.mark.slow
def test_forgeries_are_refused_and_a_form_under_another_name_is_warned(tmp_path):
    ws = workspace_with_forms(tmp_path / "ws")
    outsider = workspace_with_forms(tmp_path / "outsider")  # an outsider's own kpireport install, same plan
    inbox = ws / "inbox"
    # the real 農林課 submission, typed in Calc, saved under 観光政策課's file name
    genuine = filled(ws, A, tmp_path / "genuine.xlsx")
    kpi_row = row_of(openpyxl.load_workbook(genuine)[fl.KPI_SHEET], _first_kpi(genuine))
    type_into(genuine, [(fl.KPI_SHEET, f"J{kpi_row}", "123")], inbox / fl.form_file_name(R5, B))
    # 1. another department's own form, passed off as 農林課's in the unsigned version
    downgraded(filled(ws, B, inbox / "forged_from_other.xlsx"), department=A)
    # 2. 農林課's own form downgraded (its values changed freely)
    downgraded(filled(ws, A, inbox / "downgraded.xlsx"))
    # 3. the outsider's form for 農林課, signed with the outsider's key; and the same downgraded
    filled(outsider, A, inbox / "outsider_signed.xlsx")
    downgraded(filled(outsider, A, inbox / "outsider_unsigned.xlsx"))
    # 4. a form signed with this workspace's key but never issued (made outside the `forms` job)
    plan = load_plan(ws / "計画体系.xlsx").plan
    assert plan is not None
    unissued = write_form(plan, A, R5, tmp_path / "unissued.xlsx", form_key_in(ws / "履歴.sqlite3"))
    filled(ws, A, inbox / "unissued.xlsx", source=unissued)

    done = cli("validate", cwd=ws)
    assert done.returncode == 1, done.stderr
    out = done.stdout + done.stderr
    assert "Traceback" not in out
    assert out.count("署名のない様式") >= 3  # 1, 2 and the outsider's unsigned form
    assert "この作業フォルダの鍵で作った様式のものと一致しません" in out  # the outsider's signed form
    assert "発行した記録のない様式" in out  # 4
    assert "ファイル名は「観光政策課」の様式のようですが、中身は担当課「農林課」の様式です" in out
    merged = cli("merge", cwd=ws)
    assert merged.returncode in (0, 1)
    accepted = merged.stdout.splitlines()
    line = next(i for i, text in enumerate(accepted) if text.startswith(f"{fl.form_file_name(R5, B)}: 受理"))
    assert "ファイル名は「観光政策課」の様式のようですが" in accepted[line + 1]  # the office reads it at the merge too
    # only the genuine form stands for 農林課, and nothing for 観光政策課 came of its file name
    assert recorded(ws) == {A: fl.form_file_name(R5, B)}
    history = History(ws / "履歴.sqlite3")
    try:
        values = history.kpi_values(R5.key)[_first_kpi(genuine)]
    finally:
        history.close()
    assert [v.value.raw for v in values] == ["123"]


def _first_kpi(form: Path) -> str:
    sheet = openpyxl.load_workbook(form)[fl.KPI_SHEET]
    return str(sheet.cell(fl.FIRST_ROW, 1).value)


@pytest.mark.slow
def test_run_with_good_forms_and_every_hostile_class_records_the_good_ones(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import hostile_files

    ws = workspace_with_forms(tmp_path / "ws")
    good = ["政策推進課", "総務課", "観光政策課", A]
    for department in good:
        filled(ws, department, ws / "inbox" / fl.form_file_name(R5, department))
    # each hostile file is 観光政策課's form with one value typed as words, so that none is a sound submission
    source = filled(ws, B, tmp_path / "source.xlsx")
    book = openpyxl.load_workbook(source)
    book[fl.KPI_SHEET].cell(fl.FIRST_ROW, 10).value = "たくさん"
    book.save(source)
    kinds = ["far-cell", "million-dimension", "zip-bomb", "styled-rows", "million-strings"]
    for kind in kinds:
        hostile_files.hostile_form(source, kind, ws / "inbox" / f"{kind}.xlsx")
    started = time.monotonic()
    done = cli("run", cwd=ws)
    elapsed = time.monotonic() - started
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode in (0, 1), done.stderr
    assert set(recorded(ws)) == set(good)  # the hostile ones refused, the good ones recorded
    assert (ws / "output" / f"master_{R5.file_label}.xlsx").exists()
    assert (ws / "output" / f"report_{R5.file_label}.docx").exists()
    for kind in kinds:
        assert f"{kind}.xlsx" in done.stdout
    assert elapsed < 120


@pytest.mark.slow
def test_a_lost_history_with_issued_forms_makes_no_new_key(tmp_path):
    ws = workspace_with_forms(tmp_path / "ws")
    filled(ws, A, ws / "inbox" / fl.form_file_name(R5, A))
    backup = tmp_path / "backup.sqlite3"
    assert cli("history", "backup", str(backup), cwd=ws).returncode == 0
    (ws / "履歴.sqlite3").unlink()  # lost

    # a command that only reads the history is as wrong without it (every department 未提出, an empty report)
    for command in (["validate"], ["merge"], ["forms"], ["status"], ["report"], ["override", "K-S1-01", "--clear"]):
        done = cli(*command, cwd=ws)
        assert done.returncode == 1, command
        assert "バックアップ" in done.stderr + done.stdout and "Traceback" not in done.stderr
        assert not (ws / "履歴.sqlite3").exists(), command  # no new key was made, no empty history either

    # an empty history (a copy cut short, or one an older version made on `status`) is no history either
    sqlite3.connect(ws / "履歴.sqlite3").close()
    for command in (["merge"], ["status"]):
        done = cli(*command, cwd=ws)
        assert done.returncode == 1 and "履歴 履歴.sqlite3 が空です" in done.stderr, command
    assert cli("history", "backup", "履歴.sqlite3", cwd=ws, timeout=60).returncode == 1
    (ws / "履歴.sqlite3").unlink()

    shutil.copyfile(backup, ws / "履歴.sqlite3")  # restored: the forms out there are accepted again
    done = cli("merge", cwd=ws)
    assert done.returncode == 0, done.stdout + done.stderr
    assert recorded(ws) == {A: fl.form_file_name(R5, A)}


def test_a_backup_onto_the_history_or_another_file_is_refused_and_each_backup_is_kept(tmp_path):
    ws = workspace_with_forms(tmp_path / "ws")
    for target in ("履歴.sqlite3", "./履歴.sqlite3", str(ws / "output" / ".." / "履歴.sqlite3")):
        done = cli("history", "backup", target, cwd=ws, timeout=60)  # it once waited on itself for ever
        assert done.returncode == 1 and "履歴そのもの" in done.stderr, (target, done.stderr)
    (ws / "output" / "台帳.xlsx").write_bytes(b"PK\x03\x04 not a history")
    done = cli("history", "backup", "output/台帳.xlsx", cwd=ws, timeout=60)
    assert done.returncode == 1 and "履歴のバックアップではない" in done.stderr and "予期しない" not in done.stderr
    assert (ws / "output" / "台帳.xlsx").read_bytes() == b"PK\x03\x04 not a history"
    made = [ws / cli("history", "backup", cwd=ws).stdout.split(": ", 1)[1].strip() for _ in range(3)]
    assert len(set(made)) == 3 and all(path.stat().st_size > 0 for path in made)
    assert not list((ws / "output" / "archive").glob(".*"))  # nothing half-made beside them


def test_a_form_issued_after_the_backup_that_was_put_back_names_the_history_not_the_department(tmp_path):
    ws = workspace_with_forms(tmp_path / "ws")
    backup = tmp_path / "backup.sqlite3"
    assert cli("history", "backup", str(backup), cwd=ws).returncode == 0
    time.sleep(1.1)  # the forms' times are to the second
    assert cli("forms", "--dept", A, cwd=ws).returncode == 0  # re-issued after the backup
    filled(ws, A, ws / "inbox" / fl.form_file_name(R5, A))
    shutil.copyfile(backup, ws / "履歴.sqlite3")  # the history put back from the earlier backup
    done = cli("merge", cwd=ws)
    told = done.stdout + done.stderr
    assert "控えから戻していないか" in told and f"kpireport forms --dept {A}" in told, told
    assert "企画担当課が配った自課の様式に記入して" not in told  # not the department's mistake


def test_a_named_backup_is_refreshed_but_never_with_less_than_it_holds(tmp_path):
    """An office copies the history to the same file every month: that copy is replaced by a fuller history, but
    not by a history restored from an older copy, nor by another workspace's."""
    ws = workspace_with_forms(tmp_path / "ws")
    monthly, early = tmp_path / "控え" / "履歴.sqlite3", tmp_path / "early.sqlite3"
    filled(ws, A, ws / "inbox" / fl.form_file_name(R5, A))
    assert cli("merge", cwd=ws).returncode == 0
    assert cli("history", "backup", str(early), cwd=ws).returncode == 0
    filled(ws, B, ws / "inbox" / fl.form_file_name(R5, B))
    assert cli("merge", cwd=ws).returncode == 0
    first = cli("history", "backup", str(monthly), cwd=ws)
    assert first.returncode == 0 and "控えを作りました" in first.stdout
    again = cli("history", "backup", str(monthly), cwd=ws)
    assert again.returncode == 0 and "置き換えました" in again.stdout
    full = monthly.read_bytes()

    shutil.copyfile(early, ws / "履歴.sqlite3")  # a history restored from the older copy
    done = cli("history", "backup", str(monthly), cwd=ws, timeout=60)
    assert done.returncode == 1 and "今の履歴にない提出の記録が1件" in done.stderr, done.stderr
    assert monthly.read_bytes() == full

    shutil.copyfile(monthly, ws / "履歴.sqlite3")  # the full history again; then forms issued after the backup
    assert cli("forms", "--dept", A, cwd=ws).returncode == 0
    issued_too = tmp_path / "issued_too.sqlite3"
    assert cli("history", "backup", str(issued_too), cwd=ws).returncode == 0
    shutil.copyfile(monthly, ws / "履歴.sqlite3")  # put back from before that issue
    done = cli("history", "backup", str(issued_too), cwd=ws, timeout=60)
    assert done.returncode == 1 and "様式の発行の記録が1件" in done.stderr, done.stderr

    other = workspace_with_forms(tmp_path / "other")
    filled(other, A, other / "inbox" / fl.form_file_name(R5, A))
    assert cli("merge", cwd=other).returncode == 0
    done = cli("history", "backup", str(monthly), cwd=other, timeout=60)
    assert done.returncode == 1 and "別の作業フォルダの履歴の控え" in done.stderr, done.stderr
    assert monthly.read_bytes() == full


@pytest.mark.slow
def test_a_killed_pdf_step_leaves_nothing_and_the_next_report_works(tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    ws = workspace_with_forms(tmp_path / "ws")
    filled(ws, A, ws / "inbox" / fl.form_file_name(R5, A))
    assert cli("merge", cwd=ws).returncode == 0
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temporary), "KPIREPORT_SOFFICE": soffice}
    first = subprocess.run([sys.executable, "-m", "kpireport", "report"], cwd=ws, env=env, capture_output=True,
                           text=True, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr  # a report and its PDF, before the one killed
    report = subprocess.Popen([sys.executable, "-m", "kpireport", "report"], cwd=ws, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not any(temporary.glob("kpireport-office-*/report.docx")) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)  # LibreOffice at work (a warm start converts in 2–3 s)
    finally:
        os.killpg(report.pid, signal.SIGKILL)  # the command and its LibreOffice, as a closed window does
        report.wait()
    assert any(temporary.glob("kpireport-office-*")), "the kill came too late to test anything"
    output = ws / "output"
    # the new .docx stands beside no PDF of the report before it: that one was set aside before converting
    assert not (output / f"report_{R5.file_label}.pdf").exists()
    assert (output / f"report_{R5.file_label}_古い版.pdf").read_bytes()[:5] == b"%PDF-"
    # the department's report open in Writer elsewhere: said by name
    writer_lock = output / f".~lock.report_{R5.file_label}.docx#"
    writer_lock.write_text(",someone,PC01,07.12.2026 10:00,file:///home/someone/.config/libreoffice/4;",
                           encoding="utf-8")

    done = subprocess.run([sys.executable, "-m", "kpireport", "report"], cwd=ws, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (output / f"report_{R5.file_label}.pdf").read_bytes()[:5] == b"%PDF-"
    assert not (output / f"report_{R5.file_label}_古い版.pdf").exists()  # the new PDF stands alone
    assert writer_lock.name in done.stdout and "Writer で開かれています" in done.stdout
    writer_lock.unlink()
    assert [p.name for p in output.iterdir() if p.name.startswith((".~lock", ".")) or p.suffix == ".tmp"] == []
    assert list(temporary.iterdir()) == []  # the killed conversion's folder and LibreOffice's lu*.tmp: gone


def test_the_history_uses_the_rollback_journal_and_two_processes_lose_nothing(tmp_path):
    history_file = tmp_path / "履歴.sqlite3"
    History(history_file).close()
    with sqlite3.connect(history_file) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert not Path(str(history_file) + "-wal").exists()
    script = WRITER.format(root=str(ROOT))
    writers = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path), str(n)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for n in range(2)]
    outputs = [w.communicate(timeout=300) for w in writers]
    assert [w.returncode for w in writers] == [0, 0], outputs
    history = History(history_file)
    try:
        rows = history.db.execute("SELECT period, COUNT(*) FROM merges GROUP BY period ORDER BY period").fetchall()
        spans = history.db.execute("SELECT snapshot FROM merges ORDER BY id").fetchall()
    finally:
        history.close()
    assert rows == [("w0", ROUNDS), ("w1", ROUNDS)]  # nothing lost
    # each writer's read-then-write happened under the lock: the counter it read was never stale
    assert sorted(int(s[0]) for s in spans) == list(range(2 * ROUNDS))


ROUNDS = 40
WRITER = """
import sys
sys.path.insert(0, {root!r})
from pathlib import Path
from kpireport.history.store import History
from kpireport.runtime.lock import workspace_lock
folder, n = Path(sys.argv[1]), sys.argv[2]
for _ in range(40):
    with workspace_lock(folder / ".kpireport.lock", wait_seconds=120):
        history = History(folder / "履歴.sqlite3")
        try:
            with history.transaction() as db:
                count = db.execute("SELECT COUNT(*) FROM merges").fetchone()[0]
                db.execute("INSERT INTO merges (period, started_at, plan_hash, snapshot) VALUES (?, '', '', ?)",
                           ("w" + n, str(count)))
        finally:
            history.close()
"""


# The disk fills up after so many bytes of the run's files: os.fdopen (the outputs' atomic writes) gets a
# handle that refuses to go past the limit with ENOSPC, as the operating system does.
_FULL_DISK = """
import errno, os, sys
from kpireport.cli import commands
room = [int(sys.argv[1])]
real_fdopen = os.fdopen
class Filling:
    def __init__(self, handle):
        self.handle = handle
    def write(self, data):
        room[0] -= len(data)
        if room[0] < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self.handle.write(data)
    def __getattr__(self, name):
        return getattr(self.handle, name)
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self.handle.__exit__(*exc)
os.fdopen = lambda fd, mode="r", *a, **k: Filling(real_fdopen(fd, mode, *a, **k)) if "w" in mode else real_fdopen(fd, mode, *a, **k)
commands.main(sys.argv[2:])
"""


@pytest.mark.slow  # the whole run, as a process, at several points of a filling disk
def test_a_disk_that_fills_up_during_run_is_told_with_the_folder_and_no_traceback(tmp_path):
    ws = workspace_with_forms(tmp_path / "ws")
    for department in (A, B):
        filled(ws, department, ws / "inbox" / fl.form_file_name(R5, department))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KPIREPORT_WORKERS": "1", "KPIREPORT_SOFFICE": "none"}
    for room in (0, 20_000, 200_000):  # the feedback copies and the master, the master, the report
        done = subprocess.run([sys.executable, "-c", _FULL_DISK, str(room), "run", "-w", str(ws)], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
        assert "ディスクの空きがない" in done.stderr and str((ws / "output").resolve()) in done.stderr, done.stderr
        assert not list((ws / "output").rglob("*.tmp")), "a half-written file was left"
