"""The workspace's signing key and its register of issued forms, both kept in the history.

The key is made with the history. If the history is lost while forms signed with the old key are out with
the departments, a new key would refuse every one of them: the workspace then refuses to make one and asks
for the backup (`kpireport history backup` copies the history, key included).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from kpireport.errors import KpireportError
from kpireport.forms import layout as fl
from kpireport.forms.writer import form_signature
from kpireport.history import issued
from kpireport.history.store import History, form_key_in, holds_records
from kpireport.model import Plan
from kpireport.periods import ReportPeriod
from kpireport.validate.issued import IssuedForms

FORMS_FOLDER = "input_templates"  # beside the history, at the workspace's root (workspace.folder.Folder)


def workspace_key(history_file: Path) -> bytes:
    """The key the workspace signs and checks its forms with; refused when the history is lost (require_history)."""
    require_history(history_file)
    return form_key_in(history_file)


def require_history(history_file: Path) -> None:
    """Refuse to go on when the history is missing or empty but forms this workspace issued are in
    input_templates/: they were signed with a key only the lost history held, and every command would be wrong
    without it (a new key refuses every form; `status` would call every department 未提出)."""
    history_file = Path(history_file)
    if holds_records(history_file):
        return
    forms = sorted((history_file.parent / FORMS_FOLDER).rglob("*.xlsx"))
    if forms:
        state = "が空です" if history_file.exists() else "がありません"
        raise KpireportError(
            f"履歴 {history_file.name} {state}が、この作業フォルダは様式を配っています（{forms[0].name} など"
            f"{len(forms)}件）。様式の署名の鍵は履歴の中にあるため、新しい履歴を作ると配った様式がすべて受け付けられなく"
            "なります。「kpireport history backup」で取ったバックアップ（既定では output/archive/履歴_日時.sqlite3）を "
            f"{history_file} に戻してから、もう一度実行してください。バックアップがなく最初からやり直す場合は、"
            f"{FORMS_FOLDER} フォルダを別の場所へ移してから様式を作り直し、各課に配り直してください。")


def open_history(history_file: Path) -> History:
    """The workspace's history, for a command that reads or changes it: refused when it is lost (require_history),
    rather than made anew and empty."""
    require_history(history_file)
    return History(history_file)


def register_issued(history_file: Path, plan: Plan, period: ReportPeriod, departments: Iterable[str],
                    generated_at: dt.datetime, key: bytes) -> list[int]:
    """Record the forms just written (one per department, all made at ``generated_at``) in one transaction;
    their serials."""
    forms = [issued.IssuedForm(name, period.key, fl.FORM_VERSION, form_signature(plan, name, period, generated_at, key))
             for name in departments]
    history = History(history_file)
    try:
        with history.transaction() as db:
            return issued.record(db, forms)
    finally:
        history.close()


def issued_forms(history_file: Path) -> IssuedForms:
    return issued.issued_in(history_file)
