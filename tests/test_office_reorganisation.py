"""A reorganisation in the middle of the collection (issue 24, item 5), the command line run as a process:
on 1 April a department is renamed, two are merged and one is split; the plan's 担当課 sheet lists the former
names with the day of the change; forms made before under the former names are accepted as the new
departments', what was accepted before keeps its place, and the master and `status` show the current names."""
from __future__ import annotations

import itertools
import shutil

import openpyxl
import pytest
from office_year import kpireport, ok, returned, section

from kpireport.forms import layout as fl
from kpireport.periods import ReportPeriod
from kpireport.plan.layout import split_list

pytestmark = pytest.mark.slow  # the command line as real processes, on files made as users make them

R5 = ReportPeriod(2023)
DAY = "2024-04-01"
RENAMED = {"観光政策課": "観光振興課"}
MERGED = {"商工労働課": "産業振興課", "農林課": "産業振興課"}
SPLIT = ("地域福祉課", ("福祉総務課", "障害福祉課"))
CO_OWNER = "地域振興課"  # not reorganised; its form shows rows 商工労働課 (now 産業振興課) reports, read-only


def reorganise(plan_file) -> None:
    """The office's edit of the plan workbook on 1 April: new names everywhere, former names on 担当課."""
    book = openpyxl.load_workbook(plan_file)
    turn = itertools.cycle(SPLIT[1])
    for title in ("指標", "取組", "体系"):
        sheet = book[title]
        column = next(c.column for c in sheet[1] if c.value == "担当課")
        for (cell,) in sheet.iter_rows(min_col=column, max_col=column, min_row=2):
            if not isinstance(cell.value, str):
                continue
            named = [{**RENAMED, **MERGED}.get(n, next(turn) if n == SPLIT[0] else n) for n in split_list(cell.value)]
            cell.value = "、".join(dict.fromkeys(named))
    sheet = book["担当課"]
    headers = {c.value: c.column for c in sheet[1]}
    rows = {r[0].value: r[0].row for r in sheet.iter_rows(min_row=2) if r[0].value}

    def rename(row: int, name: str, *former: str) -> None:
        sheet.cell(row, headers["課名"]).value = name
        sheet.cell(row, headers["旧課名"]).value = "、".join(f"{f}（{DAY}）" for f in former)

    rename(rows["観光政策課"], "観光振興課", "観光政策課")
    rename(rows["商工労働課"], "産業振興課", "商工労働課", "農林課")
    sheet.delete_rows(rows["農林課"])
    rows = {r[0].value: r[0].row for r in sheet.iter_rows(min_row=2) if r[0].value}
    rename(rows[SPLIT[0]], SPLIT[1][0], SPLIT[0])
    rename(sheet.max_row + 1, SPLIT[1][1], SPLIT[0])
    book.save(plan_file)


@pytest.fixture(scope="module")
def reorganised(tmp_path_factory):
    root = tmp_path_factory.mktemp("kikou")
    ok("init", "ws", cwd=root)
    ws = root / "ws"
    ok("forms", "-w", "ws", cwd=root)
    returned(ws, R5, "観光政策課", ws / "inbox" / fl.form_file_name(R5, "観光政策課"))
    before = ok("merge", "-w", "ws", cwd=root)
    assert "受理 1件" in before
    master = ws / "output" / f"master_{R5.file_label}.xlsx"
    accepted = kpi_values(master)
    filled = [returned(ws, R5, department, root / "課の手元" / fl.form_file_name(R5, department))
              for department in ("商工労働課", "農林課", SPLIT[0])]  # filled in March, before the change
    # a department left as it was, co-owning an initiative 商工労働課 reports (T-S1-1-02): filled in March, kept
    returned(ws, R5, CO_OWNER, root / "共同担当の課" / fl.form_file_name(R5, CO_OWNER))
    reorganise(ws / "計画体系.xlsx")
    checked = ok("plan", "check", "-w", "ws", cwd=root)
    assert "エラー 0件" in checked
    for form in filled:  # sent after it
        shutil.copy(form, ws / "inbox" / form.name)
    after = ok("merge", "-w", "ws", cwd=root)
    return ws, root, after, accepted, master


def kpi_values(master) -> dict[str, object]:
    rows = list(openpyxl.load_workbook(master, read_only=True)["KPI一覧"].iter_rows(values_only=True))
    header = next(r for r in rows if r and "指標ID" in r)
    value = next(i for i, h in enumerate(header) if h and "令和5年度" in str(h) and "実績" in str(h))
    return {r[header.index("指標ID")]: r[value] for r in rows[rows.index(header) + 1:] if r and r[0]}


def test_forms_under_former_names_are_accepted_as_the_new_departments(reorganised):
    ws, root, after, accepted, master = reorganised
    assert "受理 3件、差し戻し 0件" in after, after
    status = ok("status", "-w", "ws", cwd=root)
    submitted = "\n".join(section(status, "提出済"))
    for department in ("観光振興課", "産業振興課", *SPLIT[1]):
        assert f"  {department}: " in submitted, status
    for gone in ("観光政策課", "商工労働課", "農林課", SPLIT[0]):
        assert f"  {gone}" not in status
    assert "どの課の様式か分からない" not in status


def test_values_accepted_before_keep_their_place_and_the_master_shows_current_names(reorganised):
    ws, root, after, accepted, master = reorganised
    now = kpi_values(master)
    assert {k: v for k, v in accepted.items() if v not in (None, "")}.items() <= now.items()
    sheet = openpyxl.load_workbook(master, read_only=True)["提出状況"]
    shown = {r[0]: r[1] for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert all(shown.get(d) == "提出済" for d in ("観光振興課", "産業振興課", *SPLIT[1])), shown
    assert not {"観光政策課", "商工労働課", "農林課", SPLIT[0]} & set(shown)


def test_a_co_owners_form_naming_the_lead_by_its_former_name_is_accepted(reorganised):
    """The co-owner's form made in March shows 「（商工労働課が報告）」 in the locked row of an initiative the lead
    reports: the text the form was made with, naming the lead by its former name, is no entry of the co-owner's
    (it cannot delete it; the README promises such forms are accepted), and `status` counts the form."""
    ws, root, *_ = reorganised
    form = root / "共同担当の課" / fl.form_file_name(R5, CO_OWNER)
    shown = [c.value for row in openpyxl.load_workbook(form)[fl.INITIATIVE_SHEET].iter_rows() for c in row]
    assert "（商工労働課が報告）" in shown  # the placeholder as made, under the lead's former name
    checked = kpireport("validate", "-w", "ws", "--no-feedback", str(form), cwd=root)
    assert checked.returncode == 0, checked.stdout
    assert "エラー 0件" in checked.stdout and "shared-read-only-edited" not in checked.stdout
    copy = root / "ws_co_owner"
    shutil.copytree(ws, copy)
    shutil.copy(form, copy / "inbox" / form.name)
    merged = ok("merge", "-w", copy.name, cwd=root)
    assert f"{form.name}: 受理" in merged and "受理 1件、差し戻し 0件" in merged, merged
    status = ok("status", "-w", copy.name, cwd=root)
    assert f"  {CO_OWNER}: {form.name}" in "\n".join(section(status, "提出済")), status
