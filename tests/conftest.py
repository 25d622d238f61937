"""Shared fixtures: the embedded example as a document and as a plan workbook; the seed facts; the shared
corpus beside the project, which a fresh clone does without (its tests skip, unless told to require it)."""
from __future__ import annotations

import copy
import functools
import json
import os
from pathlib import Path

import pytest

from kpireport.plan.workbook import write_plan_workbook
from kpireport.workspace.folder import example_document

SHARED = Path(__file__).resolve().parents[2] / "shared"
REQUIRE_SHARED = "KPIREPORT_REQUIRE_SHARED"  # .ci/run sets it: a missing ../shared fails instead of skipping

SUMMARY: dict[str, str] = {}  # what the corpus, fuzz and fault tests saw: printed after the run


def pytest_terminal_summary(terminalreporter) -> None:
    if SUMMARY:
        terminalreporter.section("what the hostile-input and fault tests saw")
        for title, text in SUMMARY.items():
            terminalreporter.write_line(f"{title}: {text}")


@pytest.fixture(autouse=True, scope="session")
def _plan_cache_in_a_temporary_folder(tmp_path_factory):
    """The tests' plan caches go to a folder of their own, not the user's cache (subprocesses inherit it)."""
    from kpireport.runtime.folders import CACHE_ENV

    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("plan-cache"))


@pytest.fixture(autouse=True, scope="session")
def _no_pdf_unless_asked(tmp_path_factory):
    """`report` and `run` make a PDF with LibreOffice when it is installed (several seconds a call): the tests
    run them as if it were not (subprocesses inherit it); the PDF tests remove the variable to use it."""
    from kpireport.runtime.office import SOFFICE_VARIABLE

    os.environ.setdefault(SOFFICE_VARIABLE, "none")


def shared_folder(name: str) -> Path:
    """../shared/<name>, or skip the test (fail it when KPIREPORT_REQUIRE_SHARED=1) when it is absent."""
    folder = SHARED / name
    if not folder.is_dir():
        reason = f"{folder} is not beside the project (a fresh clone has no ../shared)"
        if os.environ.get(REQUIRE_SHARED) == "1":
            pytest.fail(f"{reason}, and {REQUIRE_SHARED}=1 requires it")
        pytest.skip(reason)
    return folder


@functools.lru_cache(maxsize=1)
def seed_facts() -> dict:
    """What the seed documents say, as tests/data/seed_facts.json holds it (see tests/data/seed_facts.py)."""
    return json.loads((Path(__file__).parent / "data" / "seed_facts.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def _example_document() -> dict:
    return example_document()


@pytest.fixture
def document(_example_document) -> dict:
    """A fresh, mutable copy of the embedded example's plan document."""
    return copy.deepcopy(_example_document)


@pytest.fixture
def example_workbook(tmp_path, document) -> Path:
    path = tmp_path / "計画体系.xlsx"
    write_plan_workbook(document, path)
    return path
