"""Running the period's whole job in one process, reading each file once: check the inbox (with marked-up
copies) → record in the history and build the results → the master workbook and the council report (and its
PDF). The master and the report are written one after the other: a worker process started with spawn (as on
Windows) would first import and unpickle as much as it saves (benchmarks/README.md)."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kpireport.evaluate.missing import missing_rows
from kpireport.runtime.atomic import remove_stale_temporaries
from kpireport.runtime.heap import long_lived_run, settle
from kpireport.runtime.lock import workspace_lock
from kpireport.workspace.folder import Folder, load_folder_plan, resolve_period
from kpireport.workspace.merging import LOCK_WAIT, inbox_folder, merge_files, write_master_of, written_or_problem
from kpireport.workspace.outcomes import RunOutcome
from kpireport.workspace.progress import Progress, Silent
from kpireport.workspace.publishing import publish_site
from kpireport.workspace.reporting import write_pdf, write_report_file


def run_period(folder: Folder, inbox: Path | None = None, period_text: str | None = None, *, feedback: bool = True,
               sections: Iterable[str] | None = None, lock_wait: float = LOCK_WAIT,
               progress: Progress | None = None) -> RunOutcome:
    shown = progress or Silent()
    plan = load_folder_plan(folder)
    period = resolve_period(plan, period_text)
    files_folder = inbox_folder(folder, inbox)
    report = folder.report_file(period)
    with workspace_lock(folder.lock_file, lock_wait), long_lived_run():
        # the lock: no one else writes output/ itself, so a temporary file there is a killed run's however new;
        # output/feedback/ is also written by `validate`, which takes no lock: only old ones go there
        remove_stale_temporaries(folder.output)
        remove_stale_temporaries(folder.output, older_than_seconds=0, below=False)
        merged = merge_files(folder, plan, period, files_folder, folder.feedback if feedback else None, shown)
        missing = missing_rows(merged.data)
        settle()  # the results live on through both writers
        write_master_of(merged, folder, shown)
        shown.step("審議会資料")
        merged.problems.update(written_or_problem(
            lambda: write_report_file(merged.data, folder, report, sections)))
        pdf = write_pdf(report, shown) if report not in merged.problems else None
    if pdf is not None and pdf.failed:
        merged.problems[report.with_suffix(".pdf")] = pdf.line
    published = None
    if plan.settings.publish_with_run:  # 設定 asks for it
        shown.step("公開サイト")
        published = publish_site(folder, period.key)
    return RunOutcome(merged, report, missing, pdf, published)
