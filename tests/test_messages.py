"""Every finding code the code can emit has a Japanese message in the catalogue (else: a traceback)."""
from __future__ import annotations

import re
from pathlib import Path

from kpireport.messages import CATALOGUE

PACKAGE = Path(__file__).resolve().parents[1] / "kpireport"
# finding(…), a check's add(…) or report(…) (self, check: validate.context, reader: plan.records), located(…)
CALL = re.compile(r'(?:finding|(?:self|check|reader)\.(?:add|report)|_?located)\(\s*(?:f)?"([a-z][a-z0-9-]+(?:\{code\}-[a-z]+)?)"')


def emitted_codes() -> set[str]:
    codes = set()
    for path in PACKAGE.rglob("*.py"):
        codes.update(CALL.findall(path.read_text(encoding="utf-8")))
    # the two drop-down checks build their codes: init-status-missing, init-next-invalid, …
    codes.update(f"{base}-{kind}" for base in ("init-status", "init-next") for kind in ("missing", "invalid"))
    return {c for c in codes if "{" not in c}


def test_every_emitted_code_is_in_the_catalogue():
    codes = emitted_codes()
    assert len(codes) > 60
    assert sorted(codes - set(CATALOGUE)) == []


def test_every_message_is_japanese_and_says_what_to_do():
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    for code, (severity, title, template) in CATALOGUE.items():
        assert severity in ("error", "warning"), code
        assert japanese.search(title) and japanese.search(template), code
