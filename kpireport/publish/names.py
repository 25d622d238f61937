"""File names of the site's pages: stable, and safe on Windows, web servers and in URLs."""
from __future__ import annotations

import hashlib
import re

SAFE = re.compile(r"[A-Za-z0-9_-]{1,80}")
INDEX, DOWNLOADS = "index.html", "data.html"


def page_file(kind: str, ident: str) -> str:
    """「kpi-K-S1-01.html」; an ID with other characters (日本語, spaces, dots) by a digest of it instead."""
    safe = ident if SAFE.fullmatch(ident) else "x" + hashlib.sha256(ident.encode("utf-8")).hexdigest()[:12]
    return f"{kind}-{safe}.html"


def node_file(ident: str) -> str:
    return page_file("node", ident)


def kpi_file(ident: str) -> str:
    return page_file("kpi", ident)
