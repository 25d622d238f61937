"""`kpireport demo`: the whole pipeline on the embedded example, in a fresh workspace.

Stages are added here as they are built; the demo says what each produced.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from kpireport import findings_text
from kpireport.cli.merge import run_merge
from kpireport.cli.report import run_report, write_pdf
from kpireport.cli.workspace import Workspace, init_workspace, load_workspace_plan
from kpireport.demo.fill import fill_form
from kpireport.demo.records import example_h28_document, record_example_h28
from kpireport.errors import KpireportError
from kpireport.evaluate.tally import grade_tally
from kpireport.forms.writer import write_forms
from kpireport.history.store import History, form_key_in
from kpireport.periods import ReportPeriod
from kpireport.plan.load import load_plan, summary
from kpireport.validate.files import validate_files

MARKER = ".kpireport_demo"  # marks a folder the demo made, so a re-run may clear it


def run_demo(directory: Path) -> list[str]:
    """Run every available stage on the example; return the lines to print."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()) and not (directory / MARKER).exists():
        raise KpireportError(f"{directory} は空でなく、デモ用のフォルダでもありません。デモは中身を作り直すため、"
                             "新しいフォルダを指定してください（例: kpireport demo kpireport_demo）。")
    workspace = init_workspace(directory, force=True)
    (directory / MARKER).write_text("kpireport demo\n", encoding="utf-8")
    for folder in workspace.folders():  # a fresh run: nothing left from an earlier demo
        shutil.rmtree(folder)
        folder.mkdir()
    shutil.rmtree(workspace.root / H28_FOLDER, ignore_errors=True)
    for leftover in workspace.root.glob(workspace.history_file.name + "*"):
        leftover.unlink()
    lines = [f"デモ用の作業フォルダを作成しました: {workspace.root.resolve()}",
             f"1. 計画体系: {workspace.plan_file}（埋め込みの例: 美祢市 基本計画・総合戦略、サンプルデータ）"]
    check = load_plan(workspace.plan_file)
    errors, warnings = findings_text.counts(check.findings)
    lines.append(f"   検査結果: エラー {errors}件、警告 {warnings}件")
    lines += ["   " + line for line in findings_text.table(check.findings)]
    if check.plan is None:
        lines.append("   計画体系にエラーがあるため、ここで止めます。")
        return lines
    plan = check.plan
    lines.append(f"   概要: {summary(plan)}")
    period = ReportPeriod(plan.settings.actual_year)
    lines += _forms_and_submissions(workspace, plan, period)
    lines += _merge(workspace)
    lines += _report(workspace)
    lines += _second_example(workspace.root / H28_FOLDER)
    return lines


H28_FOLDER = "第1期総合戦略_平成28年度"


def _report(workspace: Workspace) -> list[str]:
    report = run_report(workspace)
    return [f"6. 審議会資料: {report}", f"   {write_pdf(report).line}"]


def _second_example(root: Path) -> list[str]:
    """Seed 001: the 第1期 strategy's 平成28年度 record, reported as measure sheets."""
    workspace = init_workspace(root, force=True, document=example_h28_document())
    plan = load_workspace_plan(workspace)
    history = History(workspace.history_file)
    try:
        period = record_example_h28(plan, history)
    finally:
        history.close()
    report = run_report(workspace, period.key, ["表紙", "達成状況", "施策シート"])
    return [f"7. 2つ目の例（第1期総合戦略 {period.label}、公表資料の記録）: {workspace.root}",
            f"   施策シート: {report}"]


def _merge(workspace: Workspace) -> list[str]:
    outcome = run_merge(workspace)
    accepted = sum(1 for _, state in outcome.recorded if state == "受理")
    return [f"5. 集計: {accepted}課の提出を受理し、履歴に記録 → {workspace.history_file}",
            "   評価: " + grade_tally(outcome.data),
            f"   台帳: {outcome.master}"]


def _forms_and_submissions(workspace: Workspace, plan, period: ReportPeriod) -> list[str]:
    key = form_key_in(workspace.history_file)
    forms = write_forms(plan, period, workspace.forms_folder(period), key)
    lines = [f"2. 各課の報告様式: {len(forms)}件 → {workspace.forms_folder(period)}"]
    submissions = []
    for form in forms:
        department = form.stem.split("_", 2)[2]
        submissions.append(fill_form(form, plan, department, period, workspace.inbox / form.name))
    lines.append(f"3. 各課の提出（サンプル値を記入した様式）: {len(submissions)}件 → {workspace.inbox}")
    results = validate_files(plan, submissions, period, key=key)  # what `kpireport validate` shows
    ok = sum(r.valid for r in results)
    errors = sum(r.errors for r in results)
    warnings = sum(r.warnings for r in results)
    lines.append(f"4. 提出の検査: {len(results)}ファイル（OK {ok}、要修正 {len(results) - ok}）、"
                 f"エラー {errors}件、警告 {warnings}件")
    for result in results:
        if result.findings:
            lines.append("   " + findings_text.verdict(result.file, list(result.findings)))
    return lines
