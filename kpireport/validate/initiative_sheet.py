"""The 取組状況 sheet: each initiative's 実施状況 and 今後の方向性 from the lists, its explanations, and
the texts the measure sheets print for an initiative done or continuing."""
from __future__ import annotations

from dataclasses import dataclass

from kpireport import labels
from kpireport.forms import layout as fl
from kpireport.model import BESIDE, InitiativeEntry
from kpireport.validate.context import Cells, FormCheck, text

VERIFICATION = "検証内容"
TEXT_COLUMNS = (("name", "事業名"), ("summary", "取組の概要（実績）"), ("plan", "今後の取組内容とその理由"))


@dataclass(frozen=True)
class _Written:
    """What the department wrote in one initiative row."""

    status: str  # the city's label when the typed one is recognised (○, 〇, 継続推進 …), else as typed
    next_step: str
    verification: str
    texts: dict[str, str]  # 事業名, 取組の概要, 今後の取組内容 by key
    reposts: dict[str, str]  # the 【再掲】 rows' 検証内容 by node ID

    @property
    def anything(self) -> bool:
        return bool(self.status or self.next_step or self.verification or any(self.texts.values()) or self.reposts)


def check_initiative(check: FormCheck, sheet: str, ident: str, locked: dict, cells: Cells, place: dict[str, str],
                     r: int) -> None:
    name = _short(locked.get("content", ident))
    statuses = check.plan.settings.status_labels
    written = _read(check, sheet, ident, cells, statuses)
    ok = _from_the_lists(check, sheet, name, written, place, statuses)
    _consistent(check, sheet, name, written, place, statuses)
    if ok and written.status in (statuses[fl.DONE], statuses[fl.CONTINUING]):
        # a 事業名 deleted from the form still has the plan's to print
        asked = [key for key in fl.INITIATIVE_TEXTS if key in cells
                 and (key != "name" or not check.plan.initiative(ident).name)]
        _measure_texts(check, sheet, name, written.status, {key: written.texts[key] for key in asked}, place)
    if ok and written.anything:
        _record(check, sheet, ident, written, cells, r)


def _read(check: FormCheck, sheet: str, ident: str, cells: Cells, statuses: tuple[str, ...]) -> _Written:
    typed = text(check.cell_value(sheet, cells["status"]))
    return _Written(
        status=fl.read_status(typed, statuses) or typed,
        next_step=text(check.cell_value(sheet, cells["next_step"])),
        verification=check.free_text(sheet, cells["verification"], VERIFICATION),
        texts={key: check.free_text(sheet, cells.get(key), header) for key, header in TEXT_COLUMNS},
        reposts={node: written for node, (written, _) in check.repost_verifications.get(ident, {}).items()})


def check_repost(check: FormCheck, sheet: str, layout: fl.DataSheet, row: dict, cells: Cells,
                 place: dict[str, str]) -> None:
    """A 【再掲】 row: its 検証内容 (what was done for that place's measure) kept for the initiative's entry; a value
    in another of its cells (locked in the form) is refused, with the row it belongs in."""
    initiative_id, node_id = layout.reposts[row["id"]]
    for column in layout.columns:
        cell = cells.get(column.key)
        seen = "" if cell is None or column.key == fl.REPOST_INPUT else text(cell.value)
        if seen and seen != layout.locked_text(row, column):
            check.add("repost-cell-not-input", sheet=sheet, cell=place[column.key], value=seen[:40], column=column.header,
                      name=_short(row["content"].removeprefix(labels.REPOST)), ident=initiative_id)
    cell = cells.get(fl.REPOST_INPUT)
    if cell is not None:
        check.check_text(sheet, cell)
    written = check.free_text(sheet, cell, f"{VERIFICATION}（{labels.REPOST}）")
    if written and cell is not None:
        check.repost_verifications.setdefault(initiative_id, {})[node_id] = written, cell


def _short(content: str) -> str:
    return content if len(content) <= 30 else content[:30] + "…"


def _from_the_lists(check: FormCheck, sheet: str, name: str, written: _Written, place: dict[str, str],
                    statuses: tuple[str, ...]) -> bool:
    """実施状況 and 今後の方向性 are given and are choices of their lists; mid-year many initiatives have no
    status yet, so a monthly form may leave both empty."""
    ok = True
    for key, value, choices, code in (("status", written.status, statuses, "init-status"),
                                      ("next_step", written.next_step, fl.NEXT_STEPS, "init-next")):
        if not value and check.monthly:
            continue
        if not value:
            check.add(f"{code}-missing", sheet=sheet, cell=place[key], name=name, choices="、".join(choices))
            ok = False
        elif value not in choices:
            # a status list is the plan's own: on a form made before the plan changed, say so, not "unreadable"
            stale = key == "status" and check.stale_plan
            check.add("init-status-plan-changed" if stale else f"{code}-invalid", sheet=sheet, cell=place[key],
                      value=value, choices="、".join(choices))
            ok = False
    return ok


def _consistent(check: FormCheck, sheet: str, name: str, written: _Written, place: dict[str, str],
                statuses: tuple[str, ...]) -> None:
    """What the status and next step say needs an explanation, or contradicts itself."""
    status, next_step = written.status, written.next_step
    if status == statuses[fl.NOT_DONE] and not written.verification:
        check.add("init-no-reason", sheet=sheet, cell=place["verification"], name=name, status=status)
    if next_step == "完了" and status in (statuses[fl.PARTLY], statuses[fl.NOT_DONE]):
        check.add("init-inconsistent", sheet=sheet, cell=place["next_step"], value=next_step, status=status)
    if next_step in ("廃止", "変更") and not written.verification:
        check.add("init-no-explanation", sheet=sheet, cell=place["verification"], value=next_step)


def _measure_texts(check: FormCheck, sheet: str, name: str, status: str, texts: dict[str, str],
                   place: dict[str, str]) -> None:
    """An initiative done or continuing is what the measure sheets report: its 事業名, result and next step
    (a blank prints 「（記載なし）」 in the council's document)."""
    for key in fl.INITIATIVE_TEXTS:
        if key in texts and not texts[key]:
            column = next(c.header for c in fl.INITIATIVE_COLUMNS if c.key == key)
            check.add("init-text-missing", sheet=sheet, cell=place[key], name=name, status=status, column=column)


def _record(check: FormCheck, sheet: str, ident: str, written: _Written, cells: Cells, r: int) -> None:
    texts = written.texts
    initiative = check.plan.initiative(ident)  # a row of the form: in the plan (match_rows)
    reposts = tuple((node, written.reposts[node]) for node in initiative.reposted_under if node in written.reposts)
    entry = InitiativeEntry(ident, written.status, written.next_step, written.verification, sheet, r,
                            texts["summary"] or None, texts["plan"] or None, texts["name"] or None, reposts)
    if initiative.reporting == BESIDE and initiative.lead != check.department:
        _fits_beside_the_lead(check, sheet, entry, cells)
    check.initiatives.append(entry)


def _fits_beside_the_lead(check: FormCheck, sheet: str, entry: InitiativeEntry, cells: Cells) -> None:
    """A 併記 initiative's other department: the master shows its entry beside the lead's row at the initiative's
    own place and at each 【再掲】 place, there with the 検証内容 written in that place's 【再掲】 row. Each text
    must fit a cell; one too long is reported at the cell its 検証内容 was written in (a place the department
    wrote nothing for shows the own place's text, checked once, there)."""
    check.fits_the_master(labels.beside_text(check.department, entry), "検証内容・取組の概要・今後の取組内容",
                          sheet, cells["verification"] or cells["status"])
    written = check.repost_verifications.get(entry.initiative_id, {})
    for node_id, _ in entry.repost_verifications:
        check.fits_the_master(labels.beside_text(check.department, entry, node_id),
                              f"この{labels.REPOST}の行の検証内容と{entry.initiative_id}の行の取組の概要・今後の取組内容",
                              sheet, written[node_id][1])
