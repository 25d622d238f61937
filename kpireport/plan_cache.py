"""A checked plan kept beside the plan workbook, so each command does not read and check it again.

Reading and checking 計画体系.xlsx takes seconds for a large city (openpyxl, then the JSON Schema and the
cross-checks); the result only changes when the workbook or kpireport changes. The cache is keyed by the
SHA-256 of the workbook's bytes and of kpireport's own code and schema, so an edited plan or an updated
tool is always read afresh. It lives in the office's workspace (never in anything a department sends);
an unreadable or stale cache is ignored and rewritten. Only plans without errors are cached.
"""
from __future__ import annotations

import hashlib
import pickle
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional

from kpireport.atomic import atomic_path
from kpireport.model import Plan

CACHE_NAME = ".kpireport-plan.cache"


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
    cache = Path(plan_file).with_name(CACHE_NAME)
    try:
        key = cache_key(plan_file)
    except OSError:  # no workbook: the loader says so in Japanese
        return load(plan_file)
    try:
        with cache.open("rb") as fh:
            stored_key, plan = pickle.load(fh)
        if stored_key == key and isinstance(plan, Plan):
            return plan
    except Exception:  # no cache yet, or unreadable: read the workbook
        pass
    plan = load(plan_file)
    if plan is not None:
        try:
            with atomic_path(cache) as tmp:
                with tmp.open("wb") as fh:
                    pickle.dump((key, plan), fh, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:
            pass  # a read-only workspace still works, only slower
    return plan
