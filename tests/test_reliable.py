"""Reliability in the library (issue 25): the register of issued forms and its upgrade step, a file whose
check breaks, a full disk, messages after a plan change and for an edited 前回までの実績."""
from __future__ import annotations

import datetime
import errno
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
import yaml
from forms_helpers import TEST_KEY, as_made_before_short_names, column, edit, filled_form, row_of

from kpireport.cli import commands
from kpireport.demo.fill import fill_form
from kpireport.errors import KpireportError
from kpireport.forms import layout as fl
from kpireport.forms.writer import write_form
from kpireport.history import issued, store
from kpireport.history.store import History
from kpireport.periods import ReportPeriod
from kpireport.plan.load import example_path, load_plan
from kpireport.plan.workbook import write_plan_workbook
from kpireport.runtime import atomic
from kpireport.runtime.disk import DiskFull
from kpireport.validate.files import validate_files
from kpireport.validate.issued import NOTHING_ISSUED, IssuedForms
from kpireport.values import parse_value
from kpireport.workspace import Workspace, api, checking

R5 = ReportPeriod(2023)
A, B = "農林課", "観光政策課"


@pytest.fixture(scope="module")
def plan():
    return load_plan(example_path()).plan


def codes(plan, path: Path, register: IssuedForms | None, previous=None) -> list[str]:
    return [f.code for f in validate_files(plan, [path], R5, previous, TEST_KEY, register)[0].findings]


def unsigned(path: Path, department: str | None = None) -> Path:
    def change(book):
        for row in book[fl.META_SHEET].iter_rows():
            if row[0].value == "様式版":
                row[1].value = "1"
            elif row[0].value == fl.SIGNATURE_KEY:
                row[1].value = None
            elif row[0].value == "担当課" and department:
                row[1].value = department
        as_made_before_short_names(book)
    return edit(path, change)


def test_the_upgrade_step_records_the_version_1_forms_the_history_accepted(tmp_path):
    history_file = tmp_path / "履歴.sqlite3"
    history = History(history_file)
    merge = history.start_merge("2022", "")
    history.db.execute("INSERT INTO submissions (merge_id, department, period, file_name, sha256, received_at,"
                       " accepted, errors, warnings, findings) VALUES (?, ?, '2022', 'f.xlsx', '', '2023-05-01', 1,"
                       " 0, 1, ?)", (merge, A, json.dumps([{"code": "form-unsigned"}])))
    history.db.execute("DROP TABLE issued_forms")  # as a history from before the register
    history.close()
    register = issued.issued_in(history_file)
    assert register == NOTHING_ISSUED  # not upgraded until the history is opened by History
    History(history_file).close()
    register = issued.issued_in(history_file)
    assert register.issued_legacy and register.legacy == frozenset({(A, "2022")})
    assert register.signatures == frozenset()


def test_an_unsigned_form_only_where_version_1_forms_were_issued_and_with_its_own_rows(plan, tmp_path):
    legacy_here = IssuedForms(frozenset(), frozenset(), frozenset({(A, R5.key)}))
    own = unsigned(filled_form(plan, A, R5, tmp_path, name="own.xlsx"))
    assert codes(plan, own, NOTHING_ISSUED) == ["form-unsigned-refused"]
    assert codes(plan, own, legacy_here) == ["form-unsigned"]
    assert codes(plan, own, None) == ["form-unsigned"]  # a library caller without a register: as before
    other = unsigned(filled_form(plan, B, R5, tmp_path, name="other.xlsx"), department=A)
    assert codes(plan, other, legacy_here) == ["form-rows-other-department"]  # refused, not also "read"


def test_an_unsigned_form_for_a_period_whose_forms_were_all_signed_is_refused(plan, tmp_path):
    """A workspace that once took version-1 forms (2022) issues signed ones since: a version-1 form of 2023
    is a downgrade, not a form of that time, whichever department it names."""
    legacy_before = IssuedForms(frozenset(), frozenset(), frozenset({(B, "2022")}))
    forged = unsigned(filled_form(plan, A, R5, tmp_path))
    result = validate_files(plan, [forged], R5, None, TEST_KEY, legacy_before)[0]
    assert [(f.code, f.severity) for f in result.findings] == [("form-unsigned-period-refused", "error")]
    assert not result.valid and not result.kpis
    assert "令和5年度" in result.findings[0].message and "署名つき" in result.findings[0].message


def test_a_signed_form_not_in_the_register_is_refused_where_the_register_knows_the_department(plan, tmp_path):
    form = filled_form(plan, A, R5, tmp_path)
    with_others = IssuedForms(frozenset({"0" * 64}), frozenset({(A, R5.key)}), frozenset())
    assert codes(plan, form, with_others) == ["form-not-issued"]
    # made after the register's newest form: the history is older than the form (put back from a backup)
    older = IssuedForms(frozenset({"0" * 64}), frozenset({(A, R5.key)}), frozenset(), "2000-01-01T00:00:00")
    assert codes(plan, form, older) == ["form-not-issued-history-older"]
    # a department and period the register has no record of: issued before the register began
    assert codes(plan, form, IssuedForms(frozenset(), frozenset({(B, R5.key)}), frozenset())) == []


def test_a_form_under_another_departments_file_name_is_warned(plan, tmp_path):
    form = filled_form(plan, A, R5, tmp_path, name=fl.form_file_name(R5, B))
    result = validate_files(plan, [form], R5, key=TEST_KEY)[0]
    assert [(f.code, f.severity) for f in result.findings] == [("form-file-name-other-department", "warning")]
    assert result.valid and result.department == A
    assert f"ファイル名は「{B}」の様式" in result.findings[0].message


def test_the_forms_job_registers_what_it_issues(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    made = ws.make_forms(departments=[A, B])
    register = issued.issued_in(ws.history_file)
    assert register.signed_for == frozenset({(A, R5.key), (B, R5.key)}) and len(register.signatures) == 2
    for path in made.written:
        book = openpyxl.load_workbook(path)
        items = {row[0].value: row[1].value for row in book[fl.META_SHEET].iter_rows()}
        assert items[fl.SIGNATURE_KEY] in register.signatures


def test_a_file_whose_check_breaks_is_refused_and_the_others_are_checked(plan, tmp_path, monkeypatch):
    ws = Workspace.create(tmp_path / "ws")
    made = {form.stem.split("_", 2)[2]: form for form in ws.make_forms(departments=[A, B]).written}
    good, bad = (fill_form(made[department], plan, department, R5, ws.inbox / made[department].name)
                 for department in (A, B))
    real = checking.read_and_validate

    def breaks_on_bad(plan, path, *args):
        if path.name == bad.name:
            raise MemoryError
        return real(plan, path, *args)
    monkeypatch.setattr(checking, "read_and_validate", breaks_on_bad)
    outcome = ws.validate()
    by_file = {r.file: r for r in outcome.results}
    assert [f.code for f in by_file[bad.name].findings] == ["file-check-failed"]
    assert by_file[good.name].valid


def test_a_full_disk_names_the_folder_and_prints_no_traceback(tmp_path, monkeypatch, capsys):
    ws = Workspace.create(tmp_path / "ws")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(ws.root / "output" / "master.xlsx"))
    monkeypatch.setattr(Workspace, "merge", full)
    with pytest.raises(SystemExit) as stopped:
        commands.main(["merge", "-w", str(ws.root)])
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert "ディスクの空きがない" in err and str((ws.root / "output").resolve()) in err
    assert "Traceback" not in err and "予期しない" not in err


class _FillsTheDisk:
    """A history connection whose backup writes a little and then meets a full disk, as SQLite reports it."""

    def __init__(self, db):
        self.db = db

    def backup(self, target):
        target.execute("CREATE TABLE part (x)")
        target.commit()
        raise sqlite3.OperationalError("database or disk is full")

    def __getattr__(self, name):
        return getattr(self.db, name)


def test_a_backup_that_meets_a_full_disk_leaves_no_backup_behind(tmp_path):
    history = History(tmp_path / "履歴.sqlite3")
    history.db = _FillsTheDisk(history.db)
    target = tmp_path / "archive" / "履歴_控え.sqlite3"
    with pytest.raises(DiskFull) as full:
        history.backup(target)
    history.db = history.db.db
    history.close()
    assert full.value.folder == target.parent
    assert list(target.parent.iterdir()) == []  # neither a 0-byte "backup" nor its half


def test_backups_made_in_one_second_keep_both(tmp_path, monkeypatch):
    ws = Workspace.create(tmp_path / "ws")
    ws.make_forms(departments=[A])
    moment = SimpleNamespace(datetime=SimpleNamespace(now=lambda: datetime.datetime(2024, 5, 1, 9, 0, 0)))
    monkeypatch.setattr(api, "dt", moment)
    made = [ws.backup_history() for _ in range(3)]
    assert [path.name for path in made] == ["履歴_20240501_090000.sqlite3", "履歴_20240501_090000_2.sqlite3",
                                            "履歴_20240501_090000_3.sqlite3"]


def test_the_previous_master_is_kept_whole_or_not_at_all(tmp_path, monkeypatch):
    source = tmp_path / "master.xlsx"
    source.write_bytes(b"master" * 1000)
    os.utime(source, (1_700_000_000, 1_700_000_000))
    atomic.atomic_copy(source, tmp_path / "archive" / "copy.xlsx")
    copied = tmp_path / "archive" / "copy.xlsx"
    assert copied.read_bytes() == source.read_bytes() and copied.stat().st_mtime == 1_700_000_000

    def full(source, target, *args):
        target.write(b"mas")
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(atomic.shutil, "copyfileobj", full)
    with pytest.raises(DiskFull):
        atomic.atomic_copy(source, tmp_path / "full" / "copy.xlsx")
    assert list((tmp_path / "full").iterdir()) == []


def test_forms_and_the_plan_workbook_leave_no_temporary_file_outside_their_folder(plan, tmp_path, monkeypatch):
    """A killed `forms` once left xlsxwriter's part files in the system's temp folder, where no run cleans."""
    made_in = []
    real = tempfile.mkstemp

    def recorded(*args, **kwargs):
        made_in.append(Path(kwargs.get("dir") or tempfile.gettempdir()))
        return real(*args, **kwargs)
    monkeypatch.setattr(tempfile, "mkstemp", recorded)
    write_form(plan, A, R5, tmp_path / "forms" / "form.xlsx", TEST_KEY)
    write_plan_workbook(yaml.safe_load(example_path().read_text(encoding="utf-8")), tmp_path / "plan" / "計画体系.xlsx")
    assert made_in and all(folder in (tmp_path / "forms", tmp_path / "plan") for folder in made_in), made_in


def test_status_and_report_of_a_year_outside_the_plan_are_refused_as_forms_are(tmp_path):
    """`report --period 2019` for a plan of 令和4–8年度 once made a report with every department 未提出."""
    ws = Workspace.create(tmp_path / "ws")
    for job in (lambda: ws.status("2019"), lambda: ws.report("2019", pdf=False), lambda: ws.make_forms("2033")):
        with pytest.raises(KpireportError, match="計画期間"):
            job()
    assert not list(ws.output.glob("report_*"))


def test_a_history_held_by_another_program_is_said_so(tmp_path, monkeypatch):
    History(tmp_path / "履歴.sqlite3").close()
    holder = sqlite3.connect(tmp_path / "履歴.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # a database tool, a sync program
    monkeypatch.setattr(store, "BUSY_WAIT", 0.2)
    try:
        with pytest.raises(KpireportError, match="ほかのプログラムが使っている") as held:
            History(tmp_path / "履歴.sqlite3")
    finally:
        holder.close()
    assert "0.2秒待っても" in str(held.value) and "history check" not in str(held.value)


def test_ctrl_c_while_the_commands_load_ends_in_one_line():
    """Ctrl+C in the first second (the imports) once printed a traceback; later it says 中断しました."""
    program = ("import sys\n"
               "class Stop:\n"
               "    def find_spec(self, name, path=None, target=None):\n"
               "        if name == 'kpireport.cli.commands':\n"
               "            raise KeyboardInterrupt\n"
               "sys.meta_path.insert(0, Stop())\n"
               "from kpireport.cli.entry import main\n"
               "main()\n")
    done = subprocess.run([sys.executable, "-c", program, "status"], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 1 and done.stderr.strip() == "中断しました。", done.stderr


def test_a_form_from_before_a_plan_change_says_the_office_changed_it(plan, tmp_path):
    form = filled_form(plan, A, R5, tmp_path)
    ident = str(openpyxl.load_workbook(form)[fl.KPI_SHEET].cell(fl.FIRST_ROW, 1).value)

    def as_before_the_change(book):
        sheet = book[fl.KPI_SHEET]
        sheet.cell(row_of(sheet, ident), column(fl.KPI_SHEET, "name", R5)).value = "変更前の指標名"
        for row in book[fl.META_SHEET].iter_rows():
            if row[0].value == "計画ハッシュ":
                row[1].value = "0" * 64
    edit(form, as_before_the_change)
    findings = validate_files(plan, [form], R5)[0].findings
    assert [f.code for f in findings] == ["form-stale-plan", "form-locked-plan-changed"]
    assert "企画担当課が計画体系を変更しました" in findings[1].message and "元に戻して" not in findings[1].message


def test_a_row_the_plan_moved_to_another_department_is_said_so_and_sent_back(plan, tmp_path):
    """A KPI that the office gave to another department after the forms went out: the old form's row is neither
    dropped with 「削除された」 nor recorded for the wrong department."""
    form = filled_form(plan, A, R5, tmp_path)
    moved = str(openpyxl.load_workbook(form)[fl.KPI_SHEET].cell(fl.FIRST_ROW, 1).value)
    source = yaml.safe_load(example_path().read_text(encoding="utf-8"))
    for kpi in source["kpis"]:
        if kpi["id"] == moved:
            kpi["departments"] = [B]
    changed = tmp_path / "plan.yaml"
    changed.write_text(yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")
    result = validate_files(load_plan(changed).plan, [form], R5)[0]
    said = [f for f in result.findings if f.code == "form-plan-item-moved"]
    assert [(f.severity, f.cell) for f in said] == [("error", f"A{fl.FIRST_ROW}")]
    assert f"{B}の担当になった" in said[0].message and "削除" not in said[0].message
    assert not result.valid and "form-plan-item-removed" not in [f.code for f in result.findings]


def test_an_edited_previous_actual_is_warned(plan, tmp_path):
    form = filled_form(plan, B, R5, tmp_path)
    sheet = openpyxl.load_workbook(form)[fl.KPI_SHEET]
    ident = str(sheet.cell(fl.FIRST_ROW, 1).value)
    previous_column = column(fl.KPI_SHEET, "previous", R5)
    edit(form, lambda book: setattr(book[fl.KPI_SHEET].cell(fl.FIRST_ROW, previous_column), "value",
                                    "令和4年度: 999人"))
    history_value = {ident: parse_value("100人")}
    findings = validate_files(plan, [form], R5, history_value)[0].findings
    edited = [f for f in findings if f.code == "kpi-previous-edited"]
    assert [(f.severity, f.cell) for f in edited] == [("warning", f"I{fl.FIRST_ROW}")]
    assert "999人" in edited[0].message and "100人" in edited[0].message


def test_every_事業名_of_a_併記_initiative_reaches_the_master():
    from kpireport.master.initiative_list import _others_text
    from kpireport.model import InitiativeEntry

    other = InitiativeEntry("I-1", "○継続推進", "継続", "", "取組表", 5, "概要", "計画", "産後ケア事業")
    text = _others_text((("健康増進課", other),), "P1-1")
    assert text.startswith("【健康増進課】「産後ケア事業」○継続推進／継続")


def test_a_killed_runs_temporary_files_go_at_the_next_run_however_new(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    ws.output.mkdir(parents=True, exist_ok=True)
    left = ws.output / f".master_{R5.file_label}.abc123.xlsx.tmp"  # as atomic_write names them
    left.write_bytes(b"half a master")
    ws.report(pdf=False)
    assert not left.exists()
