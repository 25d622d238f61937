"""`kpireport report`: the council report of a period, from the workspace's plan and history; beside it the
PDF (when LibreOffice is installed), and the check list of what is still missing (printed, not in the report)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kpireport.cli.workspace import Workspace, load_workspace_plan, resolve_period
from kpireport.council.document import template_path
from kpireport.council.report import write_report
from kpireport.errors import KpireportError
from kpireport.evaluate import results as period_results
from kpireport.evaluate.missing import MissingRow, missing_rows, summary_lines
from kpireport.history.store import History, now
from kpireport.runtime import office


@dataclass
class ReportOutcome:
    path: Path
    missing: list[MissingRow] = field(default_factory=list)


@dataclass
class PdfOutcome:
    path: Path | None  # the PDF written, None when there is none
    line: str             # what to print
    failed: bool = False  # LibreOffice is installed but gave no PDF


def build_report(workspace: Workspace, period_text: str | None = None,
                 sections: Iterable[str] | None = None) -> ReportOutcome:
    plan = load_workspace_plan(workspace)
    period = resolve_period(plan, period_text)
    history = History(workspace.history_file)
    try:
        data = period_results.build(plan, period, history, now())
    finally:
        history.close()
    path = write_report(data, template_path(workspace.root), workspace.report_file(period), sections)
    return ReportOutcome(path, missing_rows(data))


def run_report(workspace: Workspace, period_text: str | None = None,
               sections: Iterable[str] | None = None) -> Path:
    """The .docx only (the demo)."""
    return build_report(workspace, period_text, sections).path


def write_pdf(docx: Path) -> PdfOutcome:
    """The PDF beside ``docx`` (same name), made by LibreOffice with the contents updated; a line to print when
    LibreOffice is not installed or fails (the .docx is written either way)."""
    soffice = office.find_soffice()
    if soffice is None:
        return PdfOutcome(None, office.NOT_INSTALLED)
    pdf = docx.with_suffix(".pdf")
    try:
        office.docx_to_pdf(docx, pdf, soffice)
    except KpireportError as exc:  # no PDF from LibreOffice, or the old PDF open in a viewer
        return PdfOutcome(None, str(exc), failed=True)
    return PdfOutcome(pdf, f"PDF（目次を更新済み）: {pdf}")


def checklist_lines(missing: list[MissingRow]) -> list[str]:
    """The check list printed after the report: the report itself carries no working notes."""
    if not missing:
        return ["未提出・未記入: ありません。"]
    return (["未提出・未記入（審議会資料には載せていません。全件は台帳の「未提出・未記入」シート）:"]
            + [f"  {line}" for line in summary_lines(missing)])
