"""What each job of the library returns: plain data for the command line to print and for tests to check.
Nothing here prints or writes."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kpireport.evaluate.missing import MissingRow
from kpireport.evaluate.results import DepartmentStatus, PeriodResults
from kpireport.history.merge import ACCEPTED, SENT_BACK, UNCHANGED
from kpireport.history.store import SubmissionRecord
from kpireport.model import Department, Finding, Plan, ValidationResult
from kpireport.periods import ReportPeriod
from kpireport.validate.files import report


@dataclass(frozen=True)
class InitOutcome:
    """`init`: the workspace made, and the dated copies kept of the files it replaced (`init --force`)."""

    workspace: Any  # the Workspace (api.py imports this module)
    kept: list[Path]


@dataclass(frozen=True)
class PlanCheck:
    """`plan check`: the plan file's findings, and the plan when it has no errors."""

    path: Path
    findings: list[Finding]
    plan: Plan | None
    summary: str  # one line describing the plan ("" when it has errors)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity != "error")

    @property
    def valid(self) -> bool:
        return self.errors == 0

    def as_dict(self) -> dict[str, Any]:
        return {"file": str(self.path), "valid": self.valid, "errors": self.errors, "warnings": self.warnings,
                "summary": self.summary, "findings": [f.as_dict() for f in self.findings]}


@dataclass(frozen=True)
class FormsOutcome:
    period: ReportPeriod
    folder: Path       # where the period's forms are
    written: list[Path]


@dataclass(frozen=True)
class ValidationOutcome:
    """`validate`: every file checked, with its marked-up copy where it has findings."""

    period: ReportPeriod
    results: list[ValidationResult]       # this period's files, in file order
    skipped: list[Path]                   # Excel's lock files and hidden files
    other_periods: list[ValidationResult]  # forms of other periods in a folder, left alone
    copies: dict[str, Path]               # file name -> marked-up copy

    @property
    def valid(self) -> bool:
        return all(r.errors == 0 for r in self.results)

    def as_dict(self) -> dict[str, Any]:
        """What `validate --json` prints."""
        checked = report(self.results)
        checked["other_periods"] = [{"file": r.file, "period": r.period} for r in self.other_periods]
        return checked


@dataclass
class MergeOutcome:
    """`merge`: what was recorded, the period's results, and the master written (or why not)."""

    period: ReportPeriod
    recorded: list[tuple[ValidationResult, str]]  # (result, 受理 / 差し戻し / 変更なし), in the order recorded
    data: PeriodResults
    master: Path
    archived: Path | None      # the previous master, kept under output/archive/
    skipped: list[Path]
    merge_id: int
    feedback: dict[str, Path] = field(default_factory=dict)  # file name -> marked-up copy
    problems: dict[Path, str] = field(default_factory=dict)  # outputs that could not be written: why, in Japanese
    notes: list[str] = field(default_factory=list)  # texts the master had to shorten
    other_periods: list[ValidationResult] = field(default_factory=list)  # forms of other periods, left alone

    def count(self, state: str) -> int:
        return sum(1 for _, s in self.recorded if s == state)

    @property
    def accepted(self) -> int:
        return self.count(ACCEPTED)

    @property
    def sent_back(self) -> int:
        return self.count(SENT_BACK)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def master_written(self) -> bool:
        return self.master not in self.problems


@dataclass(frozen=True)
class PdfOutcome:
    path: Path | None     # the PDF written, None when there is none
    line: str             # what happened, in Japanese
    failed: bool = False  # LibreOffice is installed but gave no PDF


@dataclass(frozen=True)
class ReportOutcome:
    """`report`: the council report, its PDF, and the check list of what is still missing."""

    path: Path
    missing: list[MissingRow]
    pdf: PdfOutcome | None = None  # None when no PDF was asked for


@dataclass(frozen=True)
class RunOutcome:
    """`run`: the merge, then the report of the same results."""

    merge: MergeOutcome
    report: Path
    missing: list[MissingRow]
    pdf: PdfOutcome | None = None  # None when the report could not be written
    published: PublishOutcome | None = None  # the public site, when the settings ask run to write it

    @property
    def report_written(self) -> bool:
        return self.report not in self.merge.problems


@dataclass(frozen=True)
class PublishOutcome:
    """`publish`: the public site (output/公開) and what was kept off it."""

    period: ReportPeriod
    folder: Path
    pages: int
    nodes: int
    kpis: int
    data_files: int
    withheld_kpis: list[str]  # marked 非公開 in the plan
    withheld_initiatives: list[str]
    internal: tuple[str, ...]  # the settings' 公開しない項目
    provisional: bool  # 見込み values published (labelled)
    own_templates: Path | None  # the workspace's copy of the templates, when it has one


@dataclass(frozen=True)
class StatusOutcome:
    """`status`: each department with a form, by where it stands, with its contact."""

    period: ReportPeriod
    statuses: list[DepartmentStatus]
    departments: dict[str, Department]
    attention: list[Finding]  # shared KPIs and initiatives the office must look at
    unknown: list[SubmissionRecord] = field(default_factory=list)  # sent back, naming no department, still in inbox

    def where(self, state: str) -> list[DepartmentStatus]:
        """未提出, 要再提出 or 提出済 (a department whose newest file was sent back is 要再提出)."""
        def state_of(s: DepartmentStatus) -> str:
            return "要再提出" if s.rejected else "提出済" if s.current else "未提出"
        return [s for s in self.statuses if state_of(s) == state]


@dataclass(frozen=True)
class ImportOutcome:
    file: Path
    imported: int
    findings: list[Finding]


@dataclass(frozen=True)
class YearsOutcome:
    """The example graded year after year: each year's merge, then the last year's report."""

    root: Path
    plan_check: PlanCheck
    merges: list[MergeOutcome] = field(default_factory=list)
    report: ReportOutcome | None = None


@dataclass(frozen=True)
class DemoOutcome:
    """`demo`: each stage's result on the embedded examples."""

    root: Path
    plan_check: PlanCheck
    forms: list[Path] = field(default_factory=list)
    submissions: list[Path] = field(default_factory=list)
    validation: list[ValidationResult] = field(default_factory=list)
    merge: MergeOutcome | None = None
    report: ReportOutcome | None = None
    second_root: Path | None = None  # the 第1期 strategy's 平成28年度 record (seed 001)
    second_label: str = ""
    second_report: ReportOutcome | None = None
    years: YearsOutcome | None = None  # the example graded year after year (ほしぞら市)
