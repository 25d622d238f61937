"""The workspace folder: where the plan workbook, the inbox, the forms, the outputs and the history live,
and the plan and period every job starts from."""
from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kpireport.council.document import PACKAGED_TEMPLATE, WORKSPACE_TEMPLATE
from kpireport.errors import KpireportError
from kpireport.model import Finding, Plan
from kpireport.periods import ReportPeriod, parse_period
from kpireport.plan.cache import cached_plan
from kpireport.plan.load import example_path, load_plan
from kpireport.plan.source import load_yaml
from kpireport.plan.workbook import empty_document, write_plan_workbook
from kpireport.values import format_year

PLAN_FILE = "計画体系.xlsx"

# The embedded examples by the name `init --example` takes: the default (美祢市: a 基本計画 and a 総合戦略),
# a plan with KPIs on its middle level and plan-level KGIs, a project-style strategy with target-only KPIs.
# and a strategy graded in the city's own way year after year (two years of sample values).
EXAMPLES = {"美祢市": "example", "さくら市": "example_sakura", "かわせみ町": "example_kawasemi",
            "ほしぞら市": "example_hoshizora"}


@dataclass(frozen=True)
class Folder:
    """The paths of a workspace; nothing is read or written by asking for one."""

    root: Path

    @property
    def plan_file(self) -> Path:
        return self.root / PLAN_FILE

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def input_templates(self) -> Path:
        return self.root / "input_templates"

    @property
    def output(self) -> Path:
        return self.root / "output"

    @property
    def feedback(self) -> Path:
        return self.output / "feedback"

    @property
    def archive(self) -> Path:
        return self.output / "archive"

    @property
    def history_file(self) -> Path:
        return self.root / "履歴.sqlite3"

    @property
    def lock_file(self) -> Path:
        return self.root / ".kpireport.lock"

    def master_file(self, period: ReportPeriod) -> Path:
        return self.output / f"master_{period.file_label}.xlsx"

    def report_file(self, period: ReportPeriod) -> Path:
        return self.output / f"report_{period.file_label}.docx"

    def forms_folder(self, period: ReportPeriod) -> Path:
        return self.input_templates / period.file_label

    def folders(self) -> tuple[Path, ...]:
        return (self.inbox, self.input_templates, self.output)


def example_document(name: str = "美祢市") -> dict[str, Any]:
    """The plan document of an embedded example, by its name in EXAMPLES."""
    if name not in EXAMPLES:
        raise KpireportError(f"埋め込みの例「{name}」はありません。{'、'.join(EXAMPLES)} のいずれかを指定してください。")
    folder = example_path().parent.parent / EXAMPLES[name]
    return load_yaml((folder / "plan.yaml").read_text(encoding="utf-8"))


def blank_document() -> dict[str, Any]:
    """The blank plan: every sheet empty but 評価区分, which holds the default the README describes (A 達成 …
    − 評価不能, the embedded example's), so that a new city starts from a plan it only has to fill in."""
    return {**empty_document(), "grades": example_document()["grades"]}


def create_folder(root: Path, *, blank: bool = False, force: bool = False,
                  document: dict[str, Any] | None = None) -> Folder:
    """Create the folders and the plan workbook (``document``, else blank or the default example)."""
    folder = Folder(Path(root))
    if folder.plan_file.exists() and not force:
        raise KpireportError(
            f"{folder.plan_file} は既にあります。上書きしてよい場合は --force を付けて実行してください。")
    try:
        for path in (folder.root, *folder.folders()):
            path.mkdir(parents=True, exist_ok=True)
        chosen = document if document is not None else blank_document() if blank else example_document()
        write_plan_workbook(chosen, folder.plan_file)
        _copy_report_template(folder)
    except OSError as exc:
        raise KpireportError(f"作業フォルダ {folder.root} を作成できません（{exc.strerror or exc}）。"
                             "書き込みできる場所を指定してください。") from exc
    return folder


def before_recreating(folder: Folder, keep_history: bool) -> list[Path]:
    """`init --force` on a folder in use: refuses over a history (unless ``keep_history``: told twice over),
    saying what would be lost; then keeps a dated copy of each file about to be replaced (計画体系_<日時>.xlsx)
    and returns the copies."""
    if not folder.plan_file.exists():
        return []
    recorded = _recorded(folder.history_file)
    if recorded and not keep_history:
        raise KpireportError(
            f"{folder.root} には履歴があります（{recorded}）。計画体系.xlsx を作り直すと、これまでの集計に使った"
            "計画（指標ID・目標値・担当課）が失われ、履歴の値が新しい計画体系の指標に合わなければ台帳・審議会資料に"
            "出なくなります。各課に送った様式も古い計画のものになります。それでも作り直す場合は、"
            "--force --keep-history を付けて実行してください（履歴と署名の鍵はそのまま残し、今の計画体系.xlsx は"
            "日付つきの控えとして残します）。")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
    copy = folder.plan_file.with_name(f"{folder.plan_file.stem}_{stamp}{folder.plan_file.suffix}")
    serial = 2
    while copy.exists():  # twice in one minute: the earlier copy stays
        copy = folder.plan_file.with_name(f"{folder.plan_file.stem}_{stamp}_{serial}{folder.plan_file.suffix}")
        serial += 1
    shutil.copy2(folder.plan_file, copy)
    return [copy]


def _recorded(history_file: Path) -> str:
    """What the history holds, in words ("" when it holds no submission nor imported actual: only the key)."""
    if not history_file.exists():
        return ""
    try:
        with closing(sqlite3.connect(f"{history_file.resolve().as_uri()}?mode=ro", uri=True)) as db:
            merges = db.execute("SELECT COUNT(*) FROM merges").fetchone()[0]
            files = db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
            imported = db.execute("SELECT COUNT(*) FROM imported_actuals").fetchone()[0]
    except sqlite3.Error:
        return "読めない履歴ファイル"
    if not (files or imported):
        return ""
    return "、".join(part for part in (f"集計 {merges}回・提出 {files}件" if files else "",
                                        f"取り込んだ過去の実績 {imported}件" if imported else "") if part)


def _copy_report_template(folder: Folder) -> None:
    """The city restyles its report by editing this copy's styles in Word."""
    target = folder.root / WORKSPACE_TEMPLATE
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGED_TEMPLATE, target)


def load_folder_plan(folder: Folder) -> Plan:
    """The workspace's plan (from the plan cache when the workbook is unchanged); a plan with errors stops
    every job but `plan check`."""
    errors: list[Finding] = []

    def load(path: Path) -> Plan | None:
        result = load_plan(path)
        errors.extend(result.errors)
        return result.plan

    plan = cached_plan(folder.plan_file, load)
    if plan is None:
        if not errors:
            raise KpireportError(f"{folder.plan_file} を読み込めません。")
        first = errors[0]
        place = f"{first.sheet}!{first.cell} " if first.sheet and first.cell else ""
        raise KpireportError(f"{folder.plan_file} にエラーが{len(errors)}件あります（{place}{first.message}）。"
                             "「kpireport plan check」で確認して直してください。")
    return plan


def resolve_period(plan: Plan, text: str | None) -> ReportPeriod:
    """The period asked for, or the plan's 実績年度."""
    if text:
        period = parse_period(text)
        if period is None:
            raise KpireportError(f"報告期間「{text}」を読めません。「令和5年度」「R5」「2023」（年度の実績）、"
                                 "「2023-09」「R5.9」（月次の進捗）のように指定してください。")
        return period
    if plan.settings.actual_year is None:
        raise KpireportError("報告期間が決まりません。--period で指定するか、計画体系の設定に「実績年度」を入力してください。")
    return ReportPeriod(plan.settings.actual_year)


def within_plans(plan: Plan, period: ReportPeriod) -> None:
    """Forms, reports and status are for a fiscal year inside some plan's period (a typo 2033 for 2023 is refused)."""
    spans = [(p.start_year, p.end_year) for p in plan.plans if p.start_year and p.end_year]
    if not spans or any(start <= period.fiscal_year <= end for start, end in spans):
        return
    named = "、".join(f"{p.name or p.id} {format_year(p.start_year)}〜{format_year(p.end_year)}"
                     for p in plan.plans if p.start_year and p.end_year)
    raise KpireportError(f"報告期間 {period.label}（{period.fiscal_year}年度）は、計画期間（{named}）の外です。"
                         "--period の年度を確かめてください（2023 を 2033 と打つなど）。")
