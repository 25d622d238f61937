"""A checked plan kept beside the plan workbook, so each command does not read and check it again.

Reading and checking 計画体系.xlsx takes seconds for a large city (openpyxl, then the JSON Schema and the
cross-checks); the result only changes when the workbook or kpireport changes. The cache is keyed by the
SHA-256 of the workbook's bytes and of kpireport's own code and schema, so an edited plan or an updated
tool is always read afresh. It is a pickle, so it lives in the user's own cache folder
(KPIREPORT_CACHE_DIR, else $XDG_CACHE_HOME/kpireport, else ~/.cache/kpireport), never in the workspace,
which may be a shared folder that departments can write to. An unreadable or stale cache is ignored and
rewritten; without a writable cache folder the plan is simply read each time. Only plans without errors
are cached. The texts of values read while checking the plan are kept with it (values.parsed_texts): every
later command formats the plan's values and would otherwise read each text again.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional

from kpireport.atomic import atomic_path
from kpireport.model import Plan
from kpireport.values import parsed_texts, remember_parsed

ENV = "KPIREPORT_CACHE_DIR"


def cache_folder() -> Path:
    given = os.environ.get(ENV) or ""
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kpireport"


def cache_file(plan_file: Path) -> Path:
    """One cache file per plan workbook (by its absolute path)."""
    where = hashlib.sha256(str(Path(plan_file).resolve()).encode("utf-8")).hexdigest()[:32]
    return cache_folder() / f"plan-{where}.pickle"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 over kpireport's .py and .json files: a changed tool never reads an old cache."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json") and path.is_file():
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(plan_file: Path) -> str:
    return hashlib.sha256(Path(plan_file).read_bytes()).hexdigest() + ":" + code_fingerprint()


def cached_plan(plan_file: Path, load: Callable[[Path], Optional[Plan]]) -> Optional[Plan]:
    """The plan from the cache when its key matches, else ``load(plan_file)`` (cached when not None)."""
    cache = cache_file(plan_file)
    try:
        key = cache_key(plan_file)
    except OSError:  # no workbook: the loader says so in Japanese
        return load(plan_file)
    try:
        with cache.open("rb") as fh:
            stored_key, plan, texts = pickle.load(fh)
        if stored_key == key and isinstance(plan, Plan) and isinstance(texts, dict):
            remember_parsed(texts)
            return plan
    except Exception:  # no cache yet, or unreadable: read the workbook
        pass
    plan = load(plan_file)
    if plan is not None:
        try:
            with atomic_path(cache) as tmp:
                with tmp.open("wb") as fh:
                    pickle.dump((key, plan, parsed_texts()), fh, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:
            pass  # a read-only workspace still works, only slower
    return plan
