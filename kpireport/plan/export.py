"""Write a plan document in any of the accepted formats: .xlsx, .json, .yaml/.yml."""
from __future__ import annotations

import json
from pathlib import Path

import yaml

from kpireport.errors import KpireportError
from kpireport.plan.workbook import write_plan_workbook
from kpireport.runtime.atomic import atomic_write


def write_document(document: dict, path: Path) -> None:
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            write_plan_workbook(document, path)
        elif suffix in (".json", ".yaml", ".yml"):
            text = (json.dumps(document, ensure_ascii=False, indent=2) if suffix == ".json"
                    else yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000))
            with atomic_write(path, "計画体系") as handle:
                handle.write(text.encode("utf-8"))
        else:
            raise KpireportError(f"{path.name}: 変換先は .xlsx、.json、.yaml のいずれかにしてください。")
    except OSError as exc:
        raise KpireportError(f"{path} に書き込めません（{exc.strerror or exc}）。") from exc
