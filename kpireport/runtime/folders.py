"""The user's own folders, where each platform keeps them (Windows: %LOCALAPPDATA%; Linux: ~/.cache)."""
from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "KPIREPORT_CACHE_DIR"


def user_cache_folder() -> Path | None:
    """KPIREPORT_CACHE_DIR if set, else the user's cache folder for kpireport; None where the platform's
    folder cannot be told (platformdirs needs os.getuid on Linux): the caller then works without a cache."""
    given = os.environ.get(CACHE_ENV) or ""
    if given:
        return Path(given)
    try:
        import platformdirs
    except ImportError:
        return None
    return platformdirs.user_cache_path("kpireport", appauthor=False)
