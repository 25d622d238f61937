"""The plan file's own jobs: check it, convert it between .xlsx, .json and .yaml."""
from __future__ import annotations

from pathlib import Path

from kpireport.errors import KpireportError
from kpireport.plan.export import write_document
from kpireport.plan.load import load_plan, summary
from kpireport.plan.source import read_source
from kpireport.workspace.outcomes import PlanCheck


def check_plan(path: Path) -> PlanCheck:
    """Every finding of the plan file, with its place; the plan and its summary when it has no errors."""
    result = load_plan(path)
    return PlanCheck(Path(path), list(result.findings), result.plan, summary(result.plan) if result.plan else "")


def convert_plan(source: Path, destination: Path, force: bool = False) -> Path:
    """The plan written in another format (by the destination's suffix), its content unchanged."""
    if Path(destination).exists() and not force:
        raise KpireportError(f"{destination} は既にあります（上書きすると、いまの内容は失われます）。"
                             "別の名前を指定するか、上書きしてよい場合は --force を付けて実行してください。")
    read = read_source(Path(source))
    if not read.document:
        raise KpireportError("；".join(f.message for f in read.findings) or f"{source} を読み込めません。")
    write_document(read.document, Path(destination))
    return Path(destination)
