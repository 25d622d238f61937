"""Shared fixtures: the embedded example as a document and as a plan workbook, and the seeds."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from kpireport.cli.workspace import example_document
from kpireport.plan.workbook import write_plan_workbook


@pytest.fixture(autouse=True, scope="session")
def _plan_cache_in_a_temporary_folder(tmp_path_factory):
    """The tests' plan caches go to a folder of their own, not the user's ~/.cache (subprocesses inherit it)."""
    import os

    from kpireport.runtime.folders import CACHE_ENV as ENV

    os.environ[ENV] = str(tmp_path_factory.mktemp("plan-cache"))


SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "seeds"


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


def seed_text(name_prefix: str) -> str:
    """A seed document from ../shared/seeds (CI checks out shared/ beside the project)."""
    found = sorted(SEEDS.glob(f"{name_prefix}_*.txt"))
    assert found, f"seed {name_prefix} not found in {SEEDS}: the tests need ../shared beside the project"
    path = found[0]
    return path.read_text(encoding="utf-8")
