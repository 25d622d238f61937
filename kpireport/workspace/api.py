"""The library beneath the command line: a workspace and its jobs, one method each.

    from kpireport.workspace import Workspace
    merged = Workspace("令和6年度進捗管理").merge()
    print(merged.accepted, merged.master)

Each method returns a result object (kpireport.workspace.outcomes) and raises KpireportError, with a
Japanese message, when the job cannot be done (a plan with errors, a missing folder, a lock held by another
merge). Nothing here prints.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kpireport.model import Plan
from kpireport.periods import ReportPeriod
from kpireport.workspace import (
    checking,
    demo,
    forms,
    merging,
    planning,
    publishing,
    records,
    reporting,
    running,
    status,
)
from kpireport.workspace.folder import (
    Folder,
    before_recreating,
    blank_document,
    create_folder,
    example_document,
    load_folder_plan,
    resolve_period,
)
from kpireport.workspace.outcomes import (
    DemoOutcome,
    FormsOutcome,
    ImportOutcome,
    InitOutcome,
    MergeOutcome,
    PlanCheck,
    PublishOutcome,
    ReportOutcome,
    RunOutcome,
    StatusOutcome,
    ValidationOutcome,
)
from kpireport.workspace.progress import Progress


class Workspace(Folder):
    """A planning office's workspace folder and the year's jobs on it."""

    def __init__(self, root: Path | str = ".") -> None:
        super().__init__(Path(root))

    @classmethod
    def create(cls, root: Path | str, *, example: str = "美祢市", blank: bool = False, force: bool = False,
               keep_history: bool = False, document: dict[str, Any] | None = None) -> Workspace:
        """`init`: the folders and the plan workbook, from an embedded example, blank, or ``document``."""
        return cls.init(root, example=example, blank=blank, force=force, keep_history=keep_history,
                        document=document).workspace

    @classmethod
    def init(cls, root: Path | str, *, example: str = "美祢市", blank: bool = False, force: bool = False,
             keep_history: bool = False, document: dict[str, Any] | None = None) -> InitOutcome:
        """`create`, with the dated copies kept of the files it replaced (``force``). Over a folder whose history
        holds submissions ``force`` alone is refused: ``keep_history`` too says the office means it."""
        chosen = document if document is not None else blank_document() if blank else example_document(example)
        kept = before_recreating(Folder(Path(root)), keep_history) if force else []
        return InitOutcome(cls(create_folder(Path(root), blank=blank, force=force, document=chosen).root), kept)

    def plan(self) -> Plan:
        """The plan (refuses a plan with errors: `check_plan` lists them)."""
        return load_folder_plan(self)

    def period(self, text: str | None = None) -> ReportPeriod:
        """The period named by ``text`` (令和5年度, R5, 2023-09 …), or the plan's 実績年度."""
        return resolve_period(self.plan(), text)

    def check_plan(self, path: Path | None = None) -> PlanCheck:
        """`plan check`: the plan workbook's (or ``path``'s) findings, and against the history of the folder it is in
        (its workspace's, for 計画体系.xlsx or a draft beside it; a file in a folder without a history has none)."""
        path = Path(path or self.plan_file)
        return planning.check_plan(path, Folder(path.resolve().parent).history_file)

    def make_forms(self, period: str | None = None, departments: Iterable[str] | None = None,
                   progress: Progress | None = None) -> FormsOutcome:
        """`forms`: each department's form for the period."""
        return forms.make_forms(self, period, departments, progress)

    def validate(self, paths: Iterable[Path] = (), period: str | None = None, *, feedback: bool = True,
                 progress: Progress | None = None) -> ValidationOutcome:
        """`validate`: check files or folders (the inbox when none)."""
        return checking.validate_paths(self, list(paths), period, feedback=feedback, progress=progress)

    def merge(self, inbox: Path | None = None, period: str | None = None, lock_wait: float = merging.LOCK_WAIT,
              progress: Progress | None = None) -> MergeOutcome:
        """`merge`: check the inbox, record it in the history, write the master."""
        return merging.merge_inbox(self, inbox, period, lock_wait, progress)

    def report(self, period: str | None = None, sections: Iterable[str] | None = None, pdf: bool = True,
               progress: Progress | None = None) -> ReportOutcome:
        """`report`: the council report (and its PDF) from the history."""
        return reporting.write_period_report(self, period, sections, pdf, progress)

    def publish(self, period: str | None = None, provisional: bool | None = None) -> PublishOutcome:
        """`publish`: the public site and its open data (output/公開) from the history."""
        return publishing.publish_site(self, period, provisional)

    def copy_site_templates(self) -> Path:
        """`publish --copy-templates`: the site's templates in templates/公開サイト, for the city to restyle."""
        return publishing.copy_site_templates(self)

    def run(self, inbox: Path | None = None, period: str | None = None, *, feedback: bool = True,
            sections: Iterable[str] | None = None, lock_wait: float = merging.LOCK_WAIT,
            progress: Progress | None = None) -> RunOutcome:
        """`run`: validate, merge and report in one go, reading each file once."""
        return running.run_period(self, inbox, period, feedback=feedback, sections=sections, lock_wait=lock_wait,
                                  progress=progress)

    def status(self, period: str | None = None) -> StatusOutcome:
        """`status`: who has submitted, who has not, who must resubmit."""
        return status.submission_status(self, period)

    def override(self, kpi_id: str, grade: str | None, reason: str | None = None,
                 period: str | None = None) -> ReportPeriod:
        """`override`: a KPI's grade set by hand with its reason; ``grade`` None clears it."""
        return records.set_override(self, kpi_id, grade, reason, period)

    def import_actuals(self, file: Path) -> ImportOutcome:
        """`history import`: earlier years' actuals from the office's old records."""
        return records.import_past_actuals(self, file)

    def backup_history(self, target: Path | None = None) -> Path:
        """`history backup`: a consistent copy of the history (output/archive/履歴_<日時>.sqlite3 by default)."""
        return records.backup_history(self, target or self._unused(f"履歴_{dt.datetime.now():%Y%m%d_%H%M%S}", ".sqlite3"))

    def _unused(self, stem: str, suffix: str) -> Path:
        """A name in output/archive/ no file has yet (two backups in one second keep both)."""
        chosen, number = self.archive / f"{stem}{suffix}", 1
        while chosen.exists():
            number += 1
            chosen = self.archive / f"{stem}_{number}{suffix}"
        return chosen

    def check_history(self) -> list[str]:
        """`history check`: the history's integrity problems ([] when healthy)."""
        return records.check_history(self)


def run_demo(directory: Path | str, progress: Progress | None = None) -> DemoOutcome:
    """`demo`: every stage on the embedded examples in a fresh workspace."""
    return demo.run_demo(Path(directory), progress)
