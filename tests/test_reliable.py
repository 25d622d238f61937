"""Reliability in the library (issue 25): the register of issued forms and its upgrade step, a file whose
check breaks, a full disk, messages after a plan change and for an edited 前回までの実績."""
from __future__ import annotations

import errno
import json
from pathlib import Path

import openpyxl
import pytest
import yaml
from forms_helpers import TEST_KEY, as_made_before_short_names, column, edit, filled_form, row_of

from kpireport.cli import commands
from kpireport.demo.fill import fill_form
from kpireport.forms import layout as fl
from kpireport.history import issued
from kpireport.history.store import History
from kpireport.periods import ReportPeriod
from kpireport.plan.load import example_path, load_plan
from kpireport.validate.files import validate_files
from kpireport.validate.issued import NOTHING_ISSUED, IssuedForms
from kpireport.values import parse_value
from kpireport.workspace import Workspace, checking

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
