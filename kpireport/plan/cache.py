"""The checked plan, kept so that each command does not read and check 計画体系.xlsx again.

Reading and checking the workbook takes seconds for a large city (openpyxl, then the JSON Schema and the
cross-checks); the result only changes when the workbook or kpireport changes. The cache is keyed by the
SHA-256 of the workbook's bytes and of kpireport's own code and schema, so an edited plan or an updated
tool is always read afresh. It is a pickle, so it lives in the user's own cache folder (runtime.folders),
never in the workspace, which may be a shared folder that departments can write to. An unreadable or
stale cache is ignored and rewritten; without a writable cache folder the plan is simply read each time.
Only plans without errors are cached. The texts of values read while checking the plan are kept with it
(values.parsed_texts): every later command formats the plan's values and would otherwise read each text
again.
"""
from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from kpireport.model import Plan
from kpireport.runtime.atomic import atomic_write
from kpireport.runtime.folders import user_cache_folder
from kpireport.values import parsed_texts, remember_parsed


def cache_file(plan_file: Path) -> Path | None:
    """One cache file per plan workbook (by its absolute path); None without a cache folder."""
    folder = user_cache_folder()
    if folder is None:
        return None
    where = hashlib.sha256(str(Path(plan_file).resolve()).encode("utf-8")).hexdigest()[:32]
    return folder / f"plan-{where}.pickle"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 over kpireport's .py and .json files: a changed tool never reads an old cache."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json") and path.is_file():
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(plan_file: Path) -> str:
    return hashlib.sha256(Path(plan_file).read_bytes()).hexdigest() + ":" + code_fingerprint()


def cached_plan(plan_file: Path, load: Callable[[Path], Plan | None]) -> Plan | None:
    """The plan from the cache when its key matches, else ``load(plan_file)`` (cached when not None)."""
    cache = cache_file(plan_file)
    try:
        key = cache_key(plan_file)
    except OSError:  # no workbook: the loader says so in Japanese
        return load(plan_file)
    if cache is None:
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
            with atomic_write(cache) as handle:
                pickle.dump((key, plan, parsed_texts()), handle, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:
            pass  # without a writable cache folder the plan is read each time, only slower
    return plan
