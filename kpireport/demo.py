"""`kpireport demo`: the whole pipeline on the embedded example, in a fresh workspace.

Stages are added here as they are built; the demo says what each produced.
"""
from __future__ import annotations

from pathlib import Path

from kpireport import findings_text
from kpireport.plan import load_plan, summary
from kpireport.workspace import init_workspace


def run_demo(directory: Path) -> list[str]:
    """Run every available stage on the example; return the lines to print."""
    workspace = init_workspace(directory, force=True)
    lines = [f"デモ用の作業フォルダを作成しました: {workspace.root.resolve()}",
             f"1. 計画体系: {workspace.plan_file}（埋め込みの例: 美祢市 基本計画・総合戦略、サンプルデータ）"]
    check = load_plan(workspace.plan_file)
    errors, warnings = findings_text.counts(check.findings)
    lines.append(f"   検査結果: エラー {errors}件、警告 {warnings}件")
    lines += ["   " + line for line in findings_text.table(check.findings)]
    if check.plan is None:
        lines.append("   計画体系にエラーがあるため、ここで止めます。")
        return lines
    lines.append(f"   概要: {summary(check.plan)}")
    lines.append("この版で動く段階はここまでです（各課の様式作成・検証・集計・報告書は今後の版で追加します）。")
    return lines
