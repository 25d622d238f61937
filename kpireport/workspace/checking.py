"""Checking submitted files against the plan: one file at a time, on several processes for a large inbox,
with the department's marked-up copy for a file that has findings. `validate`, `merge` and `run` all
check files this way."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from kpireport.errors import KpireportError
from kpireport.history.in_force import previous_actuals_in
from kpireport.history.store import recorded_files_in
from kpireport.intake.reader import IntakeLimits
from kpireport.messages import ANNUAL_LATE, finding
from kpireport.model import Plan, PreviousActuals, ValidationResult
from kpireport.periods import ReportPeriod
from kpireport.runtime.atomic import remove_stale_temporaries
from kpireport.runtime.parallel import process_map
from kpireport.validate.feedback import write_feedback
from kpireport.validate.files import collect_files, intake_limits, read_and_validate, shown_name
from kpireport.validate.issued import IssuedForms
from kpireport.workspace.folder import Folder, load_folder_plan, resolve_period
from kpireport.workspace.keys import issued_forms, workspace_key
from kpireport.workspace.outcomes import ValidationOutcome
from kpireport.workspace.progress import Progress, Silent, per_item

# Worker processes (spawn), when KPIREPORT_WORKERS asks for them, only from this many files: on two shared cores
# two workers were still 1.7× slower than one process at 240 files (benchmarks/crossover.py, RESULTS.md); a
# prefecture's inbox (400) is where they can start to pay on a quiet machine
PROCESSES_FROM = 400

Checked = tuple[ValidationResult, Path | None]  # a file's result and its marked-up copy


@dataclass(frozen=True)
class FileCheck:
    """Checks one submitted file and, when it has findings and a feedback folder is given, writes the
    department's marked-up copy there. Picklable: a worker process receives it once."""

    plan: Plan
    period: ReportPeriod | None
    previous: PreviousActuals
    limits: IntakeLimits
    key: bytes  # the workspace's form secret
    feedback_folder: Path | None = None
    apart: bool = False  # leave another period's forms alone (an inbox holds several periods' files)
    folder: Path | None = None  # the inbox: a file in a subfolder is named, and its copy made, with the subfolder
    recorded: frozenset[tuple[str, str]] = frozenset()  # (sha256, period) of every file the history recorded
    issued: IssuedForms | None = None  # the workspace's register of the forms it issued

    def __call__(self, path: Path) -> Checked:
        """One file's check; whatever goes wrong in reading and checking it (memory, a bug) is that file's
        finding, never the run's. A copy that cannot be written (the folder, the disk) stops the run: it is
        the workspace's problem, said once, before anything is recorded."""
        try:
            result, submission = read_and_validate(self.plan, path, self.period, self.previous, self.limits,
                                                   self.key, self.issued)
        except (MemoryError, RecursionError) as exc:
            return failed_check(path, f"{type(exc).__name__}: メモリが足りません"), None
        except KpireportError:
            raise
        except Exception as exc:  # noqa: BLE001 -- a bug met by one file must not stop the others
            return failed_check(path, f"{type(exc).__name__}: {exc}"[:200]), None
        result = replace(result, file=shown_name(path, self.folder))
        if self.apart and of_other_period(result, self.period, self.recorded):
            return result, None  # its feedback copy, made when its own period was collected, stays as it is
        copy = None
        if self.feedback_folder is not None and result.findings:
            copy = write_feedback(path, list(result.findings), self.feedback_folder / result.file, self.plan,
                                  submission)
        return result, copy


def check_files(plan: Plan, period: ReportPeriod, files: list[Path], history_file: Path,
                feedback_folder: Path | None = None, progress: Callable[[], None] | None = None,
                apart: bool = False, folder: Path | None = None,
                recorded: frozenset[tuple[str, str]] = frozenset()) -> list[Checked]:
    """Validate ``files`` against the plan and the history's last values before ``period`` (累計 and jump
    checks, exactly as the merge records them), on several processes when there are many. ``apart``: a
    form of another period already recorded for it gets no feedback copy (the caller leaves it out:
    `of_other_period`). ``folder``: the inbox the files were found in; ``recorded``: the history's files."""
    check = FileCheck(plan, period, previous_values(history_file, plan, period), intake_limits(plan),
                      workspace_key(history_file), feedback_folder, apart, folder, recorded,
                      issued_forms(history_file))
    return process_map(check, files, min_items=PROCESSES_FROM, progress=progress, lost=stopped_worker)


def stopped_worker(path: Path) -> Checked:
    """A file whose worker process was ended (twice: alone the second time) before it gave a result."""
    return failed_check(path, "作業用のプロセスが止められました（メモリ不足など）"), None


def failed_check(path: Path, detail: str) -> ValidationResult:
    """The result of a file whose check stopped: refused, with what stopped it."""
    return ValidationResult(file=path.name, sha256="", department="", period="",
                            findings=(finding("file-check-failed", file=path.name, detail=detail),))


def of_other_period(result: ValidationResult, period: ReportPeriod | None,
                    recorded: frozenset[tuple[str, str]] = frozenset()) -> bool:
    """The file is a form of this plan for another period that the history recorded for that period (last
    year's annual files still in the inbox during a monthly collection), or last year's annual form sent late
    during a monthly collection: not this period's submission, and not a mistake either. Any other form of
    another period the history never saw is this period's mistake."""
    if period is None or result.period in ("", period.key):
        return False
    return (result.sha256, result.period) in recorded or late_annual(result)


def late_annual(result: ValidationResult) -> bool:
    """Last year's annual 実績 form met in a monthly collection: a form of its own period, sent late, not a mistake
    of this month's (left alone: the annual collection takes it)."""
    return any(f.code == ANNUAL_LATE for f in result.findings)


def of_this_period(result: ValidationResult, period: ReportPeriod) -> ValidationResult:
    """A file sent back in this period's collection is recorded for this period (an unreadable file, last year's
    form sent by mistake), so that `status` finds it: the department is asked to send it again."""
    return result if result.valid or result.period == period.key else replace(result, period=period.key)


def previous_values(history_file: Path, plan: Plan, period: ReportPeriod) -> PreviousActuals:
    """The last accepted values before ``period`` from the workspace's history (none before the first merge): a
    合算 KPI's by department (in_force.previous_actuals)."""
    return previous_actuals_in(history_file, plan, period.key)


@dataclass(frozen=True)
class Inbox:
    """Files checked for a period: this period's, in file order, and other periods' forms left alone."""

    ours: list[tuple[Path, Checked]]
    others: list[ValidationResult]
    skipped: list[Path]  # Excel's lock files and hidden files

    @property
    def results(self) -> list[ValidationResult]:
        return [result for _, (result, _) in self.ours]

    @property
    def copies(self) -> dict[str, Path]:
        return {result.file: copy for _, (result, copy) in self.ours if copy}


def check_inbox(plan: Plan, period: ReportPeriod, targets: list[Path], history_file: Path,
                feedback_folder: Path | None = None, progress: Progress | None = None) -> Inbox:
    """Check the files in ``targets``. Folders may hold other periods' forms, left alone; a file named by hand
    is checked as asked."""
    files, skipped = collect_files(targets)
    apart = all(p.is_dir() for p in targets)
    folder = targets[0] if len(targets) == 1 and apart else None
    shown = progress or Silent()
    shown.step("検査", len(files))
    recorded = recorded_files_in(history_file) if apart else frozenset()
    checked = check_files(plan, period, files, history_file, feedback_folder, per_item(shown, [f.name for f in files]),
                          apart, folder, recorded)
    left = [apart and of_other_period(result, period, recorded) for result, _ in checked]
    others = [result for (result, _), alone in zip(checked, left) if alone]
    ours = [(path, (of_this_period(result, period), copy))
            for path, (result, copy), alone in zip(files, checked, left) if not alone]
    return Inbox(ours, others, skipped)


def validate_paths(folder: Folder, paths: list[Path], period_text: str | None = None, *, feedback: bool = True,
                   progress: Progress | None = None) -> ValidationOutcome:
    """Check the given files and folders (the inbox when none), writing marked-up copies to output/feedback/."""
    plan = load_folder_plan(folder)
    period = resolve_period(plan, period_text)
    targets = [Path(p) for p in paths] or [folder.inbox]
    missing = [p for p in targets if not p.exists()]
    if missing:
        raise KpireportError(f"{'、'.join(str(p) for p in missing)} が見つかりません。ファイルまたはフォルダを確認してください。")
    feedback_folder = folder.feedback if feedback else None
    if feedback_folder is not None:
        remove_stale_temporaries(feedback_folder)  # what a killed run left
    inbox = check_inbox(plan, period, targets, folder.history_file, feedback_folder, progress)
    return ValidationOutcome(period, inbox.results, inbox.skipped, inbox.others, inbox.copies)
