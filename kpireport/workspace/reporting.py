"""Reporting: the council report of a period from the workspace's plan and history, its PDF beside it (when
LibreOffice is installed), and the check list of what is still missing (for the office, not in the report)."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kpireport.council.document import template_path
from kpireport.council.report import write_report
from kpireport.errors import KpireportError
from kpireport.evaluate import results as period_results
from kpireport.evaluate.missing import missing_rows
from kpireport.evaluate.results import PeriodResults
from kpireport.history.store import History, now
from kpireport.runtime import office
from kpireport.workspace.folder import Folder, load_folder_plan, resolve_period
from kpireport.workspace.outcomes import PdfOutcome, ReportOutcome


def period_data(folder: Folder, period_text: str | None = None) -> PeriodResults:
    """The period's results as the history holds them (the same the last merge wrote its master from)."""
    plan = load_folder_plan(folder)
    period = resolve_period(plan, period_text)
    history = History(folder.history_file)
    try:
        return period_results.build(plan, period, history, now())
    finally:
        history.close()


def write_period_report(folder: Folder, period_text: str | None = None, sections: Iterable[str] | None = None,
                        pdf: bool = True) -> ReportOutcome:
    """The council report (.docx), and its PDF when ``pdf`` is asked for."""
    data = period_data(folder, period_text)
    path = write_report(data, template_path(folder.root), folder.report_file(data.period), sections)
    return ReportOutcome(path, missing_rows(data), write_pdf(path) if pdf else None)


def write_pdf(docx: Path) -> PdfOutcome:
    """The PDF beside ``docx`` (same name), made by LibreOffice with the contents updated; what happened when
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
