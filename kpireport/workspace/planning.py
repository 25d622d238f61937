"""The plan file's own jobs: check it, convert it between .xlsx, .json and .yaml."""
from __future__ import annotations

from pathlib import Path

from kpireport.errors import KpireportError
from kpireport.history.plan_drift import drift_findings
from kpireport.history.store import History, holds_records
from kpireport.messages import finding
from kpireport.model import Finding, Plan
from kpireport.plan.export import write_document
from kpireport.plan.load import check_source, summary
from kpireport.plan.locator import Locator
from kpireport.plan.source import read_source
from kpireport.workspace.outcomes import PlanCheck


def check_plan(path: Path, history_file: Path | None = None) -> PlanCheck:
    """Every finding of the plan file, with its place; the plan and its summary when it has no errors. With
    ``history_file`` (the plan is a workspace's), also the accepted entries the plan no longer takes
    (history.plan_drift)."""
    source = read_source(Path(path))
    result = check_source(source)
    findings = list(result.findings)
    if result.plan is not None and history_file is not None:
        findings += _drift(result.plan, source.locator, history_file)
    return PlanCheck(Path(path), findings, result.plan, summary(result.plan) if result.plan else "")


def _drift(plan: Plan, locator: Locator, history_file: Path) -> list[Finding]:
    """history.plan_drift's warnings; none before the first merge (nothing is made or opened then)."""
    if not holds_records(history_file):
        return []
    try:
        history = History(history_file)
    except KpireportError as exc:  # held by another program, damaged: plan check itself goes on
        return [finding("plan-history-unread", file=locator.file, detail=str(exc))]
    try:
        return drift_findings(history, plan, locator)
    finally:
        history.close()


def convert_plan(source: Path, destination: Path, force: bool = False) -> Path:
    """The plan written in another format (by the destination's suffix), its content unchanged."""
    if Path(destination).exists() and not force:
        raise KpireportError(f"{destination} は既にあります（上書きすると、いまの内容は失われます）。"
                             "別の名前を指定するか、上書きしてよい場合は --force を付けて実行してください。")
    read = read_source(Path(source))
    if not read.document:
        raise KpireportError("；".join(f.message for f in read.findings) or f"{source} を読み込めません。")
    write_document(read.document, Path(destination))
    return Path(destination)
