"""Open generated files with a real client: LibreOffice headless to PDF, pdftotext to read it back.

In CI both are installed by .ci/run and a missing one fails the test; on a developer machine
without them the test is skipped.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is required in CI (.ci/run installs it)")
        pytest.skip(f"{tool} is not installed")
    return path


def to_pdf(path: Path, outdir: Path) -> Path:
    """Convert with LibreOffice using a private profile (no clash with other runs); return the PDF."""
    soffice = require("soffice")
    profile = (outdir / "lo-profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(outdir), str(path)], check=True, timeout=180, capture_output=True)
    pdf = outdir / (Path(path).stem + ".pdf")
    assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-", f"LibreOffice did not convert {path.name}"
    return pdf


def pdf_text(pdf: Path) -> str:
    done = subprocess.run([require("pdftotext"), "-layout", str(pdf), "-"], check=True, capture_output=True,
                          timeout=60)
    return done.stdout.decode("utf-8")


def pdf_pages(pdf: Path) -> int:
    done = subprocess.run([require("pdfinfo"), str(pdf)], check=True, capture_output=True, timeout=60)
    line = next(ln for ln in done.stdout.decode().splitlines() if ln.startswith("Pages:"))
    return int(line.split()[1])


def pdf_page_texts(pdf: Path) -> list[str]:
    """The text of each page (pdftotext separates pages with form feeds)."""
    pages = pdf_text(pdf).split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages
