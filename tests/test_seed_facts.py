"""tests/data/seed_facts.json still says what the seed documents in ../shared/seeds say."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from conftest import seed_facts, shared_folder


def test_the_seed_facts_are_those_of_the_seeds():
    shared_folder("seeds")
    spec = importlib.util.spec_from_file_location("seed_facts", Path(__file__).parent / "data" / "seed_facts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.extract() == seed_facts(), "run `python3 tests/data/seed_facts.py` after a seed changes"
