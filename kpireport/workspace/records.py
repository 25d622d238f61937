"""The history's own jobs: a grade set by hand, earlier years' actuals imported, a backup, an integrity check."""
from __future__ import annotations

from pathlib import Path

from kpireport.errors import KpireportError
from kpireport.history.past_actuals import import_actuals
from kpireport.history.store import BackupStanding, History, backup_standing, is_history
from kpireport.model import Override
from kpireport.periods import ReportPeriod
from kpireport.workspace.folder import Folder, load_folder_plan, resolve_period
from kpireport.workspace.keys import open_history
from kpireport.workspace.outcomes import ImportOutcome


def set_override(folder: Folder, kpi_id: str, grade: str | None, reason: str | None,
                 period_text: str | None = None) -> ReportPeriod:
    """Set a KPI's grade by hand with its reason (``grade`` None: clear it). Returns the period."""
    plan = load_folder_plan(folder)
    period = resolve_period(plan, period_text)
    if kpi_id not in {k.id for k in plan.kpis}:
        raise KpireportError(f"指標ID「{kpi_id}」は計画体系にありません。")
    override = None
    if grade is not None:
        codes = [g.code for g in plan.grades]
        if grade not in codes:
            raise KpireportError(f"評価「{grade}」はありません。{'、'.join(codes)} のいずれかを指定してください。")
        if not reason:
            raise KpireportError("手動で評価を変えるときは --reason で理由を書いてください。")
        override = Override(grade, reason)
    history = open_history(folder.history_file)
    try:
        with history.transaction():
            last = history.latest_merge(period.key)  # the value the grade is set on: as the last merge showed it
            made_on = None if last is None else last[1].get("kpis", {}).get(kpi_id, {}).get("value", "")
            history.set_override(kpi_id, period.key, override, made_on)
    finally:
        history.close()
    return period


def import_past_actuals(folder: Folder, file: Path) -> ImportOutcome:
    """Earlier years' actuals from a workbook headed 指標ID, 年度, 実績値."""
    plan = load_folder_plan(folder)
    if not Path(file).exists():
        raise KpireportError(f"{file} が見つかりません。")
    history = open_history(folder.history_file)
    try:
        count, findings = import_actuals(plan, Path(file), history)
    finally:
        history.close()
    return ImportOutcome(Path(file), count, findings)


def _existing_history(folder: Folder) -> History:
    if not folder.history_file.exists():
        raise KpireportError(f"履歴データベース {folder.history_file} がまだありません（最初の「kpireport merge」で作られます）。")
    return open_history(folder.history_file)


def backup_history(folder: Folder, target: Path) -> Path:
    target = Path(target)
    if target.is_dir():
        raise KpireportError(f"バックアップ先 {target} はフォルダです。ファイル名まで指定してください"
                             "（例: 履歴_バックアップ.sqlite3）。省略すると output/archive/ に日時つきで作ります。")
    if target.exists() and target.resolve() == folder.history_file.resolve():
        raise KpireportError(f"バックアップ先 {target} は履歴そのものです。別のファイル名か別のフォルダを指定してください"
                             "（省略すると output/archive/ に日時つきで作ります）。")
    if target.exists() and not is_history(target):
        raise KpireportError(f"バックアップ先 {target} は履歴のバックアップではないファイルです。上書きしないので、"
                             "別のファイル名を指定してください。")
    history = _existing_history(folder)
    try:
        if target.exists():
            _may_replace(target, backup_standing(target, history))
        history.backup(target)
    finally:
        history.close()
    return target


def _may_replace(target: Path, standing: BackupStanding) -> None:
    """An existing backup is replaced only by this workspace's history holding all it recorded."""
    if not standing.same_workspace:
        raise KpireportError(f"バックアップ先 {target} は別の作業フォルダの履歴の控えです。上書きしないので、"
                             "別のファイル名を指定してください。")
    if standing.missing:
        raise KpireportError(f"バックアップ先 {target} には、今の履歴にない提出の記録が{standing.missing:,}件あります"
                             f"（最後の受付: {standing.last_missing.replace('T', ' ')[:19]}）。上書きするとその記録が失われるため、"
                             "上書きしません。別のファイル名を指定するか、今の履歴が古い控えから戻したものでないか確認してください。")
    if standing.missing_forms:
        raise KpireportError(f"バックアップ先 {target} には、今の履歴にない様式の発行の記録が{standing.missing_forms:,}件あります"
                             "（その後に配った様式）。上書きするとその様式が受け付けられなくなるため、上書きしません。"
                             "別のファイル名を指定するか、今の履歴が古い控えから戻したものでないか確認してください。")


def check_history(folder: Folder) -> list[str]:
    """The history's integrity problems ([] when healthy)."""
    history = _existing_history(folder)
    try:
        return history.integrity()
    finally:
        history.close()
