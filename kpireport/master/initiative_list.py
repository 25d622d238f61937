"""The master's sheet 取組一覧: one row per place an initiative is listed: again, marked 【再掲】, under each
node the plan reposts it to (its entry is the same one, its 検証内容 the one written for that place when there is
one), with the other departments' entries of a 併記 one."""
from __future__ import annotations

from kpireport import labels
from kpireport.evaluate.results import InitiativeRow, initiative_rows
from kpireport.master.sheet_writer import Headers, SheetWriter
from kpireport.model import InitiativeEntry

SHEET = "取組一覧"
HEADERS: Headers = [("取組ID", 11), ("推進内容", 34), ("事業名", 20), ("計画", 8), ("施策", 26), ("再掲", 6),
                    ("担当課", 12), ("実施状況", 10), ("今後の取扱い", 10), ("検証内容", 30), ("取組の概要（実績）", 30),
                    ("今後の取組内容とその理由", 30), ("提出", 8), ("ほかの担当課の記載", 30)]


# what the paper shows first, in this order (indices in HEADERS); the others follow, on screen only
PRINTED = (0, 1, 5, 6, 7, 8, 9, 10, 12)
ORDER = list(PRINTED) + [i for i in range(len(HEADERS)) if i not in PRINTED]


def add(writer: SheetWriter) -> None:
    headers = [HEADERS[i] for i in ORDER]
    ws = writer.sheet(SHEET, headers, keys=2, printed=len(PRINTED))
    entries = dict(writer.data.initiatives)
    files = {s.department: s.current.file_name for s in writer.data.statuses if s.current}
    rows, sources, breaks, top = [], [], [], None
    for placed in initiative_rows(writer.plan):
        entry = entries[placed.initiative]
        here = writer.plan.top(placed.node_id).id
        if top is not None and here != top:
            breaks.append(3 + len(rows))  # each top-level node starts a printed page
        top = here
        row = _row(writer, placed, entry)
        rows.append([row[i] for i in ORDER])
        sources.append(_source(placed, entry, files))
    ws.set_h_pagebreaks(breaks)
    writer.finish_table(ws, 2, writer.table_rows(ws, headers, rows, sources=sources), len(headers))


def _row(writer: SheetWriter, placed: InitiativeRow, entry: InitiativeEntry | None) -> list:
    plan, initiative = writer.plan, placed.initiative
    reported = _entry_texts(entry, placed.node_id)
    return [initiative.id, labels.markers_text(initiative.markers) + initiative.content,
            (entry.name if entry else None) or initiative.name, plan.plan_of(placed.node_id).short_name,
            labels.node_path(plan, placed.node_id), labels.REPOST if placed.reposted else "",
            labels.owners_text(plan, initiative), *reported, "報告あり" if entry else "未報告",
            _others_text(writer.data.initiative_others.get(initiative.id, ()), placed.node_id)]


def _entry_texts(entry: InitiativeEntry | None, place: str) -> list[str]:
    """実施状況, 今後の取扱い, 検証内容 (at a 【再掲】 place the one written for it, when written), 取組の概要,
    今後の取組内容 as reported (empty when not)."""
    if entry is None:
        return ["", "", "", "", ""]
    return [entry.status, entry.next_step, entry.verification_at(place), entry.summary or "", entry.plan or ""]


def _source(placed: InitiativeRow, entry: InitiativeEntry | None, files: dict[str, str]) -> str:
    """Where the row came from, named should a text have to be shortened."""
    initiative = placed.initiative
    if entry is not None and initiative.lead in files:
        return f"取組 {initiative.id}、{initiative.lead}の提出ファイル {files[initiative.lead]} の {entry.sheet} {entry.row}行目"
    return f"取組 {initiative.id}（{'、'.join(initiative.departments)}）"


def _others_text(others: tuple[tuple[str, InitiativeEntry], ...], place: str) -> str:
    """The other departments' entries of a 併記 initiative at ``place``, each with its status and texts."""
    return "\n".join(labels.beside_text(department, entry, place) for department, entry in others)
