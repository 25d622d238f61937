"""The site's files: the pages rendered with Jinja2 from the templates (the workspace's own copy first, then
the packaged ones), the style sheet, the data and its datapackage.json; written as a whole beside the old site,
then put in its place, so a reader never sees half of one."""
from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from kpireport.errors import KpireportError
from kpireport.publish import opendata
from kpireport.publish.content import Site
from kpireport.publish.names import DOWNLOADS, INDEX
from kpireport.values import format_year

PACKAGED_TEMPLATES = Path(str(resources.files("kpireport").joinpath("templates/site")))
WORKSPACE_TEMPLATES = Path("templates") / "公開サイト"  # a city's own copy of PACKAGED_TEMPLATES
STYLE = "style.css"


def environment(own: Path | None) -> Environment:
    folders = [str(p) for p in (own, PACKAGED_TEMPLATES) if p is not None and p.is_dir()]
    env = Environment(loader=ChoiceLoader([FileSystemLoader(f) for f in folders]), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["year"] = format_year
    return env


def render_site(site: Site, own_templates: Path | None = None) -> dict[str, bytes]:
    """Every file of the site by its path inside the site's folder."""
    env = environment(own_templates)
    tables = opendata.tables(site)

    def page(template: str, **values: Any) -> bytes:
        return env.get_template(template).render(site=site, **values).encode("utf-8")

    files = {INDEX: page("index.html"), DOWNLOADS: page("data.html", tables=tables)}
    for node in site.nodes:
        files[node.href] = page("node.html", node=node)
    for kpi in site.kpis:
        files[kpi.href] = page("kpi.html", kpi=kpi)
    assert env.loader is not None  # environment() always sets one
    files[STYLE] = env.loader.get_source(env, STYLE)[0].encode("utf-8")  # as written: CSS is no template
    for table in tables:
        files[f"{opendata.DATA_FOLDER}/{table.name}.csv"] = opendata.csv_bytes(table)
        files[f"{opendata.DATA_FOLDER}/{table.name}.json"] = opendata.json_bytes(table)
    files["datapackage.json"] = opendata.package_bytes(site, tables)
    return files


def write_site(files: dict[str, bytes], target: Path) -> None:
    """The site in ``target``, replacing the old one as a whole (a page no longer published is gone)."""
    staged = target.with_name(f".{target.name}.new")
    old = target.with_name(f".{target.name}.old")
    try:
        for leftover in (staged, old):
            shutil.rmtree(leftover, ignore_errors=True)
        for name, content in files.items():
            path = staged / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        if target.exists():
            target.rename(old)
        staged.rename(target)
    except OSError as exc:
        if old.exists() and not target.exists():
            old.rename(target)  # put the old site back
        raise KpireportError(f"公開サイトを {target} に書き込めません（{exc.strerror or exc}）。"
                             "フォルダ内のファイルを開いているプログラムがあれば閉じてから、もう一度実行してください。") from exc
    shutil.rmtree(old, ignore_errors=True)
