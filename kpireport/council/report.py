"""Assemble the council report from its sections on the base document, and save it atomically."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterable, Optional

from kpireport.council import appendix, body, cover, legend, measures, status
from kpireport.council.document import ReportDocument, finish_page_breaks, mark_section, page_break, toc
from kpireport.errors import KpireportError
from kpireport.evaluate.results import PeriodResults
from kpireport.runtime.atomic import atomic_write

# section name (as in the plan workbook's 「報告書の章」) -> (English alias, writer)
SECTIONS = {"表紙": ("cover", cover.add), "達成状況": ("status", status.add), "記載事項": ("legend", legend.add),
            "本文": ("body", body.add), "施策シート": ("measures", measures.add), "取組状況": ("appendix", appendix.add)}


def resolve_sections(names: Optional[Iterable[str]], data: PeriodResults) -> list[str]:
    """Section names in report order, from the command line, else the settings, else all."""
    wanted = [n.strip() for n in (names or data.plan.settings.report_sections or SECTIONS) if n.strip()]
    aliases = {alias: name for name, (alias, _) in SECTIONS.items()}
    chosen = []
    for name in wanted:
        name = aliases.get(name, name)
        if name not in SECTIONS:
            raise KpireportError(f"章「{name}」はありません。{'、'.join(SECTIONS)} から選んでください。")
        chosen.append(name)
    return [name for name in SECTIONS if name in chosen]


def _properties(doc: ReportDocument, data: PeriodResults) -> None:
    """File > Properties as the city hands it over: the report's title, the city as author, made now."""
    settings = data.plan.settings
    props = doc.docx.core_properties
    props.title = settings.report_title
    props.subject = data.period.label
    props.author = props.last_modified_by = settings.city
    props.created = props.modified = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    props.revision = 1


def write_report(data: PeriodResults, template: Path, path: Path, sections: Optional[Iterable[str]] = None) -> Path:
    """Write the chosen sections (see resolve_sections) on the base document ``template``; atomic."""
    chosen = resolve_sections(sections, data)
    doc = ReportDocument(template)
    for name in chosen:
        doc.section = SECTIONS[name][0]
        SECTIONS[name][1](doc, data)
        mark_section(doc)
        if name == "表紙":
            toc(doc, "1-1", "目次", whole=True)
            page_break(doc)
    finish_page_breaks(doc)
    _properties(doc, data)
    try:
        with atomic_write(path, "審議会資料") as handle:
            doc.save(handle)
    except OSError as exc:
        raise KpireportError(f"{path} に書き込めません（{exc.strerror or exc}）。フォルダの空き容量と書き込み権限を確認してください。") from exc
    return path
