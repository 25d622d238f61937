"""Signed forms: a form's identity (plan, period, department, version, rows) carries an HMAC made with the
workspace's secret, which never goes into a form. A department cannot pass its form off as another's."""
from __future__ import annotations

import secrets
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from forms_helpers import as_made_before_short_names, edit, filled_form

from kpireport.forms import layout as fl
from kpireport.history.store import History, form_key_in
from kpireport.periods import ReportPeriod
from kpireport.validate.files import validate_files
from kpireport.workspace import Workspace

R5 = ReportPeriod(2023)


@pytest.fixture
def ws(tmp_path):
    return Workspace.create(tmp_path / "ws")


@pytest.fixture
def plan(ws):
    return ws.plan()


def meta_edit(path: Path, change) -> Path:
    """Edit the very hidden identity sheet, as one can after showing and unprotecting it."""
    book = openpyxl.load_workbook(path)
    sheet = book[fl.META_SHEET]
    sheet.sheet_state = "visible"
    sheet.protection.sheet = False
    change(sheet)
    book.save(path)
    return path


def set_item(sheet, name: str, value) -> None:
    for row in sheet.iter_rows():
        if row[0].value == name:
            row[1].value = value


def codes(plan, ws, path: Path) -> list[tuple[str, str]]:
    result = validate_files(plan, [path], R5, key=form_key_in(ws.history_file))[0]
    return [(f.code, f.severity) for f in result.findings]


def test_a_form_made_here_is_signed_and_its_structure_protected(ws, plan, tmp_path):
    path = filled_form(plan, "観光政策課", R5, tmp_path, key=form_key_in(ws.history_file))
    assert codes(plan, ws, path) == []
    book = openpyxl.load_workbook(path)
    assert book.security is not None and book.security.lockStructure
    signature = next(row[1].value for row in book[fl.META_SHEET].iter_rows() if row[0].value == fl.SIGNATURE_KEY)
    assert len(signature) == 64
    with zipfile.ZipFile(path) as package:  # the secret itself is nowhere in the form
        key = form_key_in(ws.history_file)
        assert not any(key.hex().encode() in package.read(name) or key in package.read(name)
                       for name in package.namelist())


@pytest.mark.slow  # two forms and a whole merge (about a second)
def test_a_form_claiming_another_department_is_refused_and_the_real_one_stands(ws, plan):
    key = form_key_in(ws.history_file)
    start = time.time() - 100
    real = filled_form(plan, "農林課", R5, ws.inbox, key=key)
    fake = filled_form(plan, "観光政策課", R5, ws.inbox, name="農林課_差し替え.xlsx", key=key)
    meta_edit(fake, lambda sheet: set_item(sheet, "担当課", "農林課"))
    import os
    os.utime(real, (start, start))
    os.utime(fake, (start + 1, start + 1))  # the fake is the later file
    assert codes(plan, ws, fake) == [("form-signature-invalid", "error")]
    outcome = ws.merge()
    states = {r.file: state for r, state in outcome.recorded}
    assert states == {real.name: "受理", fake.name: "差し戻し"}
    history = History(ws.history_file)
    try:
        assert history.current("2023")["農林課"].file_name == real.name
    finally:
        history.close()
    status = {s.department: s.state for s in outcome.data.statuses}
    assert status["農林課"] == "提出済" and status["観光政策課"] == "未提出"


def test_a_rebuilt_identity_sheet_cannot_forge_the_signature(ws, plan, tmp_path):
    path = filled_form(plan, "観光政策課", R5, tmp_path, key=form_key_in(ws.history_file))
    meta_edit(path, lambda sheet: (set_item(sheet, "担当課", "農林課"),
                                   set_item(sheet, fl.SIGNATURE_KEY, secrets.token_hex(32))))
    assert codes(plan, ws, path) == [("form-signature-invalid", "error")]
    meta_edit(path, lambda sheet: set_item(sheet, fl.SIGNATURE_KEY, None))  # or removed altogether
    assert codes(plan, ws, path) == [("form-signature-invalid", "error")]


def test_a_form_made_in_another_workspace_is_refused(ws, plan, tmp_path):
    elsewhere = Workspace.create(tmp_path / "別の作業フォルダ")
    path = filled_form(plan, "観光政策課", R5, tmp_path, key=form_key_in(elsewhere.history_file))
    assert codes(plan, ws, path) == [("form-signature-invalid", "error")]


def test_a_form_from_before_signatures_is_read_with_a_warning(ws, plan, tmp_path):
    path = filled_form(plan, "観光政策課", R5, tmp_path, key=form_key_in(ws.history_file))
    meta_edit(path, lambda sheet: (set_item(sheet, "様式版", "1"), set_item(sheet, fl.SIGNATURE_KEY, None)))
    edit(path, as_made_before_short_names)
    result = validate_files(plan, [path], R5, key=form_key_in(ws.history_file))[0]
    assert [(f.code, f.severity) for f in result.findings] == [("form-unsigned", "warning")]
    assert result.valid and result.kpis
