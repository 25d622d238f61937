"""A workspace: the planning office's folder holding the plan workbook, the inbox and the outputs."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kpireport.errors import KpireportError
from kpireport.plan import example_path
from kpireport.plan_source import load_yaml
from kpireport.plan_workbook import empty_document, write_plan_workbook

PLAN_FILE = "計画体系.xlsx"


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def plan_file(self) -> Path:
        return self.root / PLAN_FILE

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def input_templates(self) -> Path:
        return self.root / "input_templates"

    @property
    def output(self) -> Path:
        return self.root / "output"

    def folders(self) -> tuple[Path, ...]:
        return (self.inbox, self.input_templates, self.output)


def example_document() -> dict:
    return load_yaml(example_path().read_text(encoding="utf-8"))


def init_workspace(root: Path, *, blank: bool = False, force: bool = False) -> Workspace:
    """Create the folders and the plan workbook (the embedded example, or blank)."""
    workspace = Workspace(Path(root))
    if workspace.plan_file.exists() and not force:
        raise KpireportError(
            f"{workspace.plan_file} は既にあります。上書きしてよい場合は --force を付けて実行してください。")
    try:
        for folder in (workspace.root, *workspace.folders()):
            folder.mkdir(parents=True, exist_ok=True)
        write_plan_workbook(empty_document() if blank else example_document(), workspace.plan_file)
    except OSError as exc:
        raise KpireportError(f"作業フォルダ {workspace.root} を作成できません（{exc.strerror or exc}）。"
                             "書き込みできる場所を指定してください。") from exc
    return workspace
