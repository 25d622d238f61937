"""The run's long-lived objects are set aside from the collector's full passes only within a run, and given
back when it ends (a process that runs many times must free them)."""
from __future__ import annotations

import gc

from test_other_plans import fill_all

from kpireport.periods import ReportPeriod
from kpireport.runtime.heap import long_lived_run, settle
from kpireport.workspace import Workspace


def test_settle_sets_objects_aside_only_within_a_run_and_the_outermost_run_gives_them_back():
    assert gc.get_freeze_count() == 0
    settle()
    assert gc.get_freeze_count() == 0  # a step used on its own: nothing would give it back
    with long_lived_run():
        with long_lived_run():  # `run` calls the merge's steps
            kept = [[] for _ in range(1000)]
            settle()
            assert gc.get_freeze_count() >= len(kept)
        assert gc.get_freeze_count() >= len(kept)  # the inner step is done; the run goes on
    assert gc.get_freeze_count() == 0


def test_a_run_that_fails_gives_its_objects_back():
    try:
        with long_lived_run():
            settle()
            raise RuntimeError("a step failed")
    except RuntimeError:
        pass
    assert gc.get_freeze_count() == 0


def test_run_merge_and_report_leave_nothing_set_aside(tmp_path):
    workspace = Workspace.create(tmp_path / "かわせみ町", example="かわせみ町")
    workspace.make_forms()
    plan = workspace.plan()
    fill_all(workspace, plan, ReportPeriod(plan.settings.actual_year))
    assert workspace.run().merge.problems == {}
    assert gc.get_freeze_count() == 0
    workspace.merge()
    assert gc.get_freeze_count() == 0
    workspace.report(pdf=False)
    assert gc.get_freeze_count() == 0
