"""The demo: the whole pipeline on the embedded examples, in a fresh workspace."""
from __future__ import annotations

import shutil
from pathlib import Path

from kpireport.demo.fill import fill_form
from kpireport.demo.records import example_h28_document, record_example_h28
from kpireport.errors import KpireportError
from kpireport.history.store import History, form_key_in
from kpireport.model import Plan
from kpireport.periods import ReportPeriod
from kpireport.validate.files import validate_file
from kpireport.workspace.folder import Folder, create_folder, load_folder_plan, resolve_period
from kpireport.workspace.forms import make_forms
from kpireport.workspace.merging import merge_inbox
from kpireport.workspace.outcomes import DemoOutcome
from kpireport.workspace.planning import check_plan
from kpireport.workspace.progress import Progress, Silent
from kpireport.workspace.reporting import write_period_report
from kpireport.workspace.years_example import run_years_example

MARKER = ".kpireport_demo"  # marks a folder the demo made, so a re-run may clear it
H28_FOLDER = "第1期総合戦略_平成28年度"
H28_SECTIONS = ["表紙", "達成状況", "施策シート"]
YEARS_FOLDER = "評価の推移_ほしぞら市"  # the city's own grading, year after year


def run_demo(directory: Path, progress: Progress | None = None) -> DemoOutcome:
    """Every stage on the example (美祢市), then seed 001's 平成28年度 record as measure sheets."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()) and not (directory / MARKER).exists():
        raise KpireportError(f"{directory} は空でなく、デモ用のフォルダでもありません。デモは中身を作り直すため、"
                             "新しいフォルダを指定してください（例: kpireport demo kpireport_demo）。")
    folder = _fresh_folder(directory)
    checked = check_plan(folder.plan_file)
    if checked.plan is None:
        return DemoOutcome(folder.root, checked)
    plan = checked.plan
    period = resolve_period(plan, None)
    shown = progress or Silent()
    key = form_key_in(folder.history_file)
    forms = make_forms(folder, period.key, progress=shown).written
    submissions = _filled(folder, plan, period, forms, shown)
    shown.step("サンプルの提出の検査", len(submissions))
    validation = []  # what `kpireport validate` shows
    for path in submissions:
        validation.append(validate_file(plan, path, period, key=key))
        shown.item(path.name)
    merged = merge_inbox(folder, progress=shown)
    report = write_period_report(folder, progress=shown)
    shown.step("2つ目の例（平成28年度の記録）")
    second = create_folder(folder.root / H28_FOLDER, force=True, document=example_h28_document())
    second_period = _record_h28(second)
    second_report = write_period_report(second, second_period.key, H28_SECTIONS)  # with its PDF
    shown.step("3つ目の例（ほしぞら市、2年度分の評価）")
    years = run_years_example(folder.root / YEARS_FOLDER, pdf=False, progress=shown)
    return DemoOutcome(folder.root, checked, forms, submissions, validation, merged, report,
                       second.root, second_period.label, second_report, years)


def _fresh_folder(directory: Path) -> Folder:
    """The demo's workspace with nothing left from an earlier demo."""
    folder = create_folder(directory, force=True)
    (directory / MARKER).write_text("kpireport demo\n", encoding="utf-8")
    for path in folder.folders():
        shutil.rmtree(path)
        path.mkdir()
    shutil.rmtree(folder.root / H28_FOLDER, ignore_errors=True)
    shutil.rmtree(folder.root / YEARS_FOLDER, ignore_errors=True)
    for leftover in folder.root.glob(folder.history_file.name + "*"):
        leftover.unlink()
    return folder


def _filled(folder: Folder, plan: Plan, period: ReportPeriod, forms: list[Path], progress: Progress) -> list[Path]:
    """Each department's form filled with sample values, into the inbox."""
    progress.step("サンプル値の記入", len(forms))
    filled = []
    for form in forms:
        department = form.stem.split("_", 2)[2]
        filled.append(fill_form(form, plan, department, period, folder.inbox / form.name))
        progress.item(department)
    return filled


def _record_h28(folder: Folder) -> ReportPeriod:
    """Seed 001: the 第1期 strategy's 平成28年度 record, entered as that year's accepted values."""
    plan = load_folder_plan(folder)
    history = History(folder.history_file)
    try:
        return record_example_h28(plan, history)
    finally:
        history.close()
