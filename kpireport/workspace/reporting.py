"""Reporting: the council report of a period from the workspace's plan and history, its PDF beside it (when
LibreOffice is installed), and the check list of what is still missing (for the office, not in the report)."""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from kpireport.council.document import template_path
from kpireport.errors import KpireportError
from kpireport.evaluate import results as period_results
from kpireport.evaluate.missing import missing_rows
from kpireport.evaluate.results import PeriodResults
from kpireport.history.store import now
from kpireport.runtime import office
from kpireport.runtime.atomic import remove_stale_temporaries
from kpireport.runtime.heap import long_lived_run, settle
from kpireport.runtime.lock import workspace_lock
from kpireport.workspace.folder import Folder, load_folder_plan, resolve_period, within_plans
from kpireport.workspace.keys import open_history
from kpireport.workspace.outcomes import PdfOutcome, ReportOutcome
from kpireport.workspace.progress import Progress, Silent

LOCK_WAIT = 10.0  # seconds to wait for a merge in the same workspace (workspace.merging.LOCK_WAIT)


def period_data(folder: Folder, period_text: str | None = None) -> PeriodResults:
    """The period's results as the history holds them (the same the last merge wrote its master from)."""
    plan = load_folder_plan(folder)
    period = resolve_period(plan, period_text)
    within_plans(plan, period)
    history = open_history(folder.history_file)
    try:
        return period_results.build(plan, period, history, now())
    finally:
        history.close()


def write_period_report(folder: Folder, period_text: str | None = None, sections: Iterable[str] | None = None,
                        pdf: bool = True, progress: Progress | None = None) -> ReportOutcome:
    """The council report (.docx), and its PDF when ``pdf`` is asked for."""
    shown = progress or Silent()
    with long_lived_run():
        data = period_data(folder, period_text)
        settle()  # the results live on through the report's writing
        # one writer of output/ at a time: a killed run's temporary files can then go, however new
        with workspace_lock(folder.lock_file, LOCK_WAIT):
            remove_stale_temporaries(folder.output)  # output/feedback/: `validate` takes no lock, only old ones go
            remove_stale_temporaries(folder.output, older_than_seconds=0, below=False)
            shown.step("審議会資料")
            path = write_report_file(data, folder, folder.report_file(data.period), sections)
            return ReportOutcome(path, missing_rows(data), write_pdf(path, shown) if pdf else None)


def write_report_file(data: PeriodResults, folder: Folder, path: Path, sections: Iterable[str] | None = None) -> Path:
    """The council report (.docx) on the workspace's base document. Its writer is imported only here, when a
    report is written: with it comes matplotlib, which draws the charts, and half a second of every command's
    start that `validate`, `merge` and `status` do not need."""
    from kpireport.council.report import write_report

    return write_report(data, template_path(folder.root), path, sections)


def write_pdf(docx: Path, progress: Progress | None = None) -> PdfOutcome:
    """The PDF beside ``docx`` (same name), made by LibreOffice with the contents updated. When none can be
    made, a PDF left from an earlier report is renamed …_古い版.pdf, so that no PDF beside the new .docx says
    something else; the line says what happened (the .docx is written either way)."""
    setting = office.pdf_setting()
    soffice = office.find_soffice()
    if soffice is None:
        if setting == "none":
            return PdfOutcome(None, office.NO_PDF + _set_aside(docx))
        if setting:
            return PdfOutcome(None, office.wrong_setting_line(setting) + _set_aside(docx), failed=True)
        return PdfOutcome(None, office.NOT_INSTALLED + _set_aside(docx))
    pdf = docx.with_suffix(".pdf")
    (progress or Silent()).step("PDF（LibreOffice）")
    held = office.open_by(docx)  # the report open in Writer or Word: said by name
    # set aside before converting: a run killed meanwhile leaves no PDF beside the new .docx that says otherwise
    aside = _set_aside(docx)
    try:
        office.docx_to_pdf(docx, pdf, soffice)
    except KpireportError as exc:  # no PDF from LibreOffice, or the old PDF open in a viewer
        return PdfOutcome(None, str(exc) + aside + held, failed=True)
    pdf.with_name(f"{pdf.stem}_古い版.pdf").unlink(missing_ok=True)  # the new PDF stands: no old one beside it
    return PdfOutcome(pdf, f"PDF（目次を更新済み）: {pdf}" + (f" {held}" if held else ""))


def _set_aside(docx: Path) -> str:
    """Rename the PDF of an earlier report beside ``docx`` to …_古い版.pdf; what was done, as a sentence."""
    pdf = docx.with_suffix(".pdf")
    if not pdf.exists():
        return ""
    old = pdf.with_name(f"{pdf.stem}_古い版.pdf")
    try:
        os.replace(pdf, old)
    except OSError:
        return f"前回のPDF {pdf.name} は開かれているため残っています（今回の審議会資料の内容ではありません）。"
    return f"前回のPDFは {old.name} に名前を変えました（今回の審議会資料の内容ではありません）。"
