"""The example of grading year after year (ほしぞら市): the plan, then for each year of its sample values the
forms, filled as the example gives them, and the merge; then the last year's report, which shows the previous
year's grades, the data years and the series of each KPI."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from kpireport.demo.fill import fill_form
from kpireport.plan.load import example_path
from kpireport.plan.source import load_yaml
from kpireport.workspace.folder import EXAMPLES, create_folder, example_document, load_folder_plan, resolve_period
from kpireport.workspace.forms import make_forms
from kpireport.workspace.merging import merge_inbox
from kpireport.workspace.outcomes import YearsOutcome
from kpireport.workspace.planning import check_plan
from kpireport.workspace.progress import Progress, Silent
from kpireport.workspace.reporting import write_period_report

YEARS_EXAMPLE = "ほしぞら市"
SAMPLES_FILE = "sample_values.yaml"


def sample_values(name: str = YEARS_EXAMPLE) -> dict[str, dict[str, dict]]:
    """The example's entries by period key and KPI: {"2024": {"K1": {"actual": 43.0, "as_of": "R7.3末"}}}."""
    folder = example_path().parent.parent / EXAMPLES[name]
    return {str(key): entries for key, entries in load_yaml((folder / SAMPLES_FILE).read_text(encoding="utf-8")).items()}


def run_years_example(root: Path, name: str = YEARS_EXAMPLE, pdf: bool = True, progress: Progress | None = None,
                      document: dict[str, Any] | None = None) -> YearsOutcome:
    """Each year of the example's samples through forms, filling and merge; the last year's report (its sections
    as the plan's settings say). ``document``: another plan document for the same samples."""
    shown = progress or Silent()
    folder = create_folder(Path(root), force=True, document=document or example_document(name))
    checked = check_plan(folder.plan_file)
    if checked.plan is None:
        return YearsOutcome(folder.root, checked)
    plan = load_folder_plan(folder)
    merges = []
    samples = sample_values(name)
    for key in sorted(samples):
        shown.step(f"{name}の例: {key}年度の記入と集計")
        period = resolve_period(plan, key)
        inbox = folder.inbox / period.key
        inbox.mkdir(parents=True, exist_ok=True)
        for form in make_forms(folder, period.key).written:
            department = form.stem.split("_", 2)[2]
            fill_form(form, plan, department, period, inbox / form.name, samples[key])
        merges.append(merge_inbox(folder, inbox, period.key))
    report = write_period_report(folder, max(samples), pdf=pdf, progress=shown)
    return YearsOutcome(folder.root, checked, merges, report)
