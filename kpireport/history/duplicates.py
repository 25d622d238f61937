"""Two files of one department for one period in the same inbox: the merge records them in the order the
department saved them (the last one accepted stands), and the planning office is told, with both files named
and the one in force."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from kpireport.history.store import SubmissionRecord
from kpireport.messages import INBOX_DUPLICATE, finding
from kpireport.model import Finding


def duplicate_findings(submissions: list[SubmissionRecord], in_inbox: Callable[[str], bool] | None = None
                       ) -> list[Finding]:
    """For each department whose latest merge recorded several files of the period, one finding naming them all
    and the one that stands: the last accepted (the merge records a department's files in their saved order, and
    a file sent back replaces nothing). A file accepted in the latest merge but saved before the one an earlier
    merge adopted (an old draft forwarded after its correction) is named with the one that stands. ``in_inbox``
    (a file's shown name -> still in the inbox): once no file but the one in force is left there, as the notice
    asks, the notice is gone."""
    def still_asked(names: list[str], in_force: str | None) -> bool:
        return in_inbox is None or any(in_inbox(name) for name in names if name != in_force)

    by_department: dict[str, list[SubmissionRecord]] = defaultdict(list)
    for record in submissions:
        if record.department:
            by_department[record.department].append(record)
    found = []
    for department, records in by_department.items():
        last_merge = max(r.merge_id for r in records)
        together = sorted((r for r in records if r.merge_id == last_merge), key=lambda r: r.id)
        standing = next((r for r in reversed(records) if r.accepted and r.superseded_by is None), None)
        if standing is not None and standing.merge_id != last_merge and any(r.accepted for r in together):
            # the latest merge's accepted files were all saved before the one an earlier merge adopted
            names = list(dict.fromkeys([standing.file_name] + [r.file_name for r in together]))
            if not still_asked(names, standing.file_name):
                continue
            older = "、".join(f"「{n}」" for n in names[1:])
            found.append(finding(INBOX_DUPLICATE, file=names[-1], value="、".join(names), department=department,
                                 count=len(names), files="、".join(names), adopted=(
                                     f"課が最後に保存した「{standing.file_name}」（受理済み）を引き続き採用しています。"
                                     f"後から届いた{older}はそれより前に保存された版のため採用していません"
                                     "（この版を使うときは、課でExcelで開いて保存し直し、送り直してもらってください）。")))
            continue
        names = list(dict.fromkeys(r.file_name for r in together))
        in_force = next((r.file_name for r in reversed(together) if r.accepted), None)
        if len(names) > 1 and still_asked(names, in_force):
            found.append(finding(INBOX_DUPLICATE, file=names[-1], value="、".join(names), department=department,
                                 count=len(names), files="、".join(names), adopted=_adopted(together)))
    return found


def _adopted(together: list[SubmissionRecord]) -> str:
    """Which of the files is in force, said as the office needs it."""
    accepted = [r for r in together if r.accepted]
    last = together[-1]
    if not accepted:
        return "どれも差し戻したため、この中に採用したファイルはありません。"
    if accepted[-1] is last:
        return f"課が最後に保存した「{last.file_name}」を採用しました。"
    return (f"課が最後に保存した「{last.file_name}」は差し戻したため、その前に保存された"
            f"「{accepted[-1].file_name}」を採用しています。")
