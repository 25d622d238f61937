"""A 【再掲】 initiative's own 検証内容 (issue 26, item 4): the form gives each place an initiative is reposted to a
row of its own where only the 検証内容 is open; what the department writes there reaches the history, the master's
row at that place and the appendix's row there (both layouts), while the initiative's own place keeps its own text.
Forms issued before those rows (様式版 3) are still read. Made end to end on the test plan of issue 26's shape
(tests/fixtures/shape_plan.yaml: T2 is posted under (1)活動の場の提供 and again under (1)講座の開催). With T2 reported
併記, the text another department wrote for the 【再掲】 place must fit the master's cell beside the lead's row there."""
from __future__ import annotations

import csv
import dataclasses
import json
import shutil
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from click.testing import CliRunner
from forms_helpers import TEST_KEY, as_made_before_repost_rows, column, edit, filled_form, row_of, set_version
from openpyxl.utils import get_column_letter
from test_other_plans import fill_all
from test_report_shapes import SHAPE_PLAN, _appendix_pairs, item_rows

from kpireport.cli.commands import cli
from kpireport.council.document import template_path
from kpireport.council.report import write_report
from kpireport.forms import layout as fl
from kpireport.history.store import SCHEMA, History, form_key_in
from kpireport.intake.reader import read_submission
from kpireport.labels import EXCEL_TEXT_LIMIT, beside_text
from kpireport.model import InitiativeEntry, ValidationResult
from kpireport.periods import ReportPeriod
from kpireport.plan.load import load_plan
from kpireport.plan.source import load_yaml
from kpireport.validate.rules import UNREAD_SHEETS, validate_submission
from kpireport.workspace import Workspace
from kpireport.workspace.folder import Folder
from kpireport.workspace.reporting import period_data

DEPT = "市民協働課"
OWN = "公民館を12団体が延べ140回利用した。"
REPOSTED = "講座の修了生3団体が、公民館の空き時間で活動を始めた。"
ROW = fl.repost_row_id("T2", "P1-2-1")
CONTENT = "公民館の空き時間を市民活動に開放します。"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _type_verifications(book) -> None:
    """T2's own 検証内容 in its row, and the one for its 【再掲】 place in the row under it."""
    sheet = book[fl.INITIATIVE_SHEET]
    at = column(fl.INITIATIVE_SHEET, "verification", ReportPeriod(2024))
    sheet.cell(row_of(sheet, "T2"), at).value = OWN
    sheet.cell(row_of(sheet, ROW), at).value = REPOSTED


@pytest.fixture(scope="module")
def cycle(tmp_path_factory) -> SimpleNamespace:
    """The shape plan's annual cycle, run by the CLI, with a 【再掲】 row's 検証内容 typed in 市民協働課's form."""
    root = tmp_path_factory.mktemp("repost") / "みなと市"
    workspace = Workspace.create(root, document=load_yaml(SHAPE_PLAN.read_text(encoding="utf-8")))
    plan = load_plan(workspace.plan_file).plan
    period = ReportPeriod(plan.settings.actual_year)
    workspace.make_forms()
    filled = {path.name: path for path in fill_all(workspace, plan, period)}
    form = filled[fl.form_file_name(period, DEPT)]
    blank = form.with_name("blank_" + form.name)
    shutil.copy(form, blank)  # as filled, before the 【再掲】 row's text: for the tests that change the form
    edit(form, _type_verifications)
    done = invoke("run", "-w", str(root))
    assert done.exit_code == 0, done.output
    blank = shutil.move(blank, root / blank.name)  # out of the inbox
    return SimpleNamespace(root=root, plan=plan, period=period, form=form, blank=Path(blank), output=done.output)


def test_a_repost_verification_is_read_from_the_place_it_was_given():
    entry = InitiativeEntry("T2", verification=OWN, repost_verifications=(("P1-2-1", REPOSTED), ("P2-1-1", "")))
    assert entry.verification_at("P1-2-1") == REPOSTED
    assert entry.verification_at("P1-1-1") == OWN  # its own place
    assert entry.verification_at("P2-1-1") == OWN  # a 【再掲】 row left blank: the item's own


@pytest.mark.slow  # end to end: the shape plan's annual cycle
def test_the_form_gives_each_repost_place_a_row_where_only_the_verification_is_open(cycle):
    made = next(cycle.root.glob(f"input_templates/*/{cycle.form.name}"))
    book = openpyxl.load_workbook(made)
    sheet = book[fl.INITIATIVE_SHEET]
    own, repost = row_of(sheet, "T2"), row_of(sheet, ROW)
    assert repost == own + 1  # right under the initiative's row
    texts = {c.key: sheet.cell(repost, n).value for n, c in enumerate(fl.INITIATIVE_COLUMNS, start=1)}
    assert texts["path"] == "【再掲】基本施策1 協働の担い手づくり ＞ 基本事業1-2 人材の育成 ＞ (1)講座の開催"
    assert texts["content"] == "【再掲】" + CONTENT and texts["status"] == "（T2の行に記入）"
    assert "【再掲】" not in sheet.cell(own, 2).value  # the rows below name the places
    open_cells = [c.key for n, c in enumerate(fl.INITIATIVE_COLUMNS, start=1)
                  if sheet.cell(repost, n).protection.locked is False]
    assert open_cells == ["verification"]
    assert [c.key for n, c in enumerate(fl.INITIATIVE_COLUMNS, start=1)
            if sheet.cell(own, n).protection.locked is False] == [c.key for c in fl.INITIATIVE_COLUMNS if c.is_input]
    guide = " ".join(str(c.value) for (c,) in book[fl.GUIDE_SHEET].iter_rows(max_col=1) if c.value)
    assert "【再掲】の行の検証内容に記入します" in guide
    meta = [(r[0].value, r[1].value) for r in book[fl.META_SHEET].iter_rows(max_col=2)]
    assert ("様式版", fl.FORM_VERSION) in meta and (fl.INITIATIVE_SHEET, ROW) in meta


@pytest.mark.slow  # end to end: the shape plan's annual cycle
def test_the_reposts_verification_reaches_the_history_the_master_and_the_appendix(cycle):
    history = History(cycle.root / "履歴.sqlite3")
    try:
        (department, entry), = history.initiative_values(cycle.period.key)["T2"]
    finally:
        history.close()
    assert (department, entry.verification, entry.repost_verifications) == (DEPT, OWN, (("P1-2-1", REPOSTED),))

    master = openpyxl.load_workbook(cycle.root / "output" / f"master_{cycle.period.file_label}.xlsx", read_only=True)
    rows = list(master["取組一覧"].iter_rows(min_row=3, values_only=True))
    header = rows[0]
    at = {name: header.index(name) for name in ("取組ID", "再掲", "検証内容")}
    shown = {row[at["再掲"]] or "": row[at["検証内容"]] for row in rows[1:] if row[at["取組ID"]] == "T2"}
    assert shown == {"": OWN, "【再掲】": REPOSTED}

    listed, _ = _appendix_pairs(cycle.root / "output" / f"report_{cycle.period.file_label}.docx")[0]
    by_content = {row[3]: row[6] for row in item_rows(listed)}  # 推進内容 → 検証内容 (検証表)
    assert by_content[CONTENT] == OWN and by_content["【再掲】" + CONTENT] == REPOSTED
    assert sum(REPOSTED in row[6] for row in item_rows(listed)) == 1  # only at the 【再掲】 place


@pytest.mark.slow  # end to end: the shape plan's annual cycle
def test_the_list_layout_of_the_appendix_shows_it_too(cycle, tmp_path):
    data = period_data(Folder(cycle.root))
    plan = dataclasses.replace(data.plan, settings=dataclasses.replace(data.plan.settings, appendix_style="一覧"))
    path = write_report(dataclasses.replace(data, plan=plan), template_path(None), tmp_path / "一覧.docx", ["取組状況"])
    listed, _ = _appendix_pairs(path)[0]
    assert listed[0] == ["NO", "推進内容", "実施状況", "今後の取扱い", "検証内容"]
    by_content = {row[1]: row[4] for row in item_rows(listed)}
    assert by_content[CONTENT] == OWN and by_content["【再掲】" + CONTENT] == REPOSTED


@pytest.mark.slow  # end to end: the shape plan's annual cycle
def test_a_value_in_a_locked_cell_of_a_repost_row_is_refused_where_it_is(cycle, tmp_path):
    typed = tmp_path / cycle.form.name
    shutil.copy(cycle.blank, typed)

    def status_in_the_repost_row(book) -> None:
        sheet = book[fl.INITIATIVE_SHEET]
        sheet.cell(row_of(sheet, ROW), column(fl.INITIATIVE_SHEET, "status", cycle.period)).value = "◎"
    edit(typed, status_in_the_repost_row)
    r = row_of(openpyxl.load_workbook(typed)[fl.INITIATIVE_SHEET], ROW)
    done = invoke("validate", str(typed), "-w", str(cycle.root))
    assert done.exit_code == 1
    assert typed.name in done.output
    assert (f"{fl.INITIATIVE_SHEET}!E{r}" in done.output
            and f"「{CONTENT}」の【再掲】の行には、この施策での検証内容だけを記入します。「実施状況」に入力した「◎」は取組ID「T2」の行に記入し"
            in done.output), done.output
    found = json.loads(invoke("validate", str(typed), "-w", str(cycle.root), "--json", "--no-feedback").output)
    flat = [(f["file"], f["sheet"], f["cell"], f["code"]) for task in found["tasks"] for f in task["findings"]
            if f["severity"] == "error"]
    assert flat == [(typed.name, fl.INITIATIVE_SHEET, f"E{r}", "repost-cell-not-input")]
    copy = openpyxl.load_workbook(next((cycle.root / "output" / "feedback").glob(f"*{typed.stem}*.xlsx")))
    sheet = copy[fl.INITIATIVE_SHEET]  # the feedback copy keeps the row as the form made it
    assert sheet.cell(r, column(fl.INITIATIVE_SHEET, "verification", cycle.period)).protection.locked is False
    assert sheet.cell(r, column(fl.INITIATIVE_SHEET, "status", cycle.period)).protection.locked is not False


def test_a_repost_rows_finding_is_listed_in_the_sheets_row_order(cycle, tmp_path):
    """【再掲】 rows are read before the others (their texts join the initiative's entry), yet the department reads
    the findings from the top of the sheet down: a mistake in a row above the 【再掲】 row comes first."""
    typed = tmp_path / cycle.form.name
    shutil.copy(cycle.blank, typed)
    book = openpyxl.load_workbook(typed)
    sheet = book[fl.INITIATIVE_SHEET]
    repost_row = row_of(sheet, ROW)
    ids = [sheet.cell(r, 1).value for r in range(fl.FIRST_ROW, sheet.max_row + 1)]
    above, below = ids[:ids.index(ROW)][-1], ids[ids.index(ROW) + 1]
    status = column(fl.INITIATIVE_SHEET, "status", cycle.period)

    def three_mistakes(book) -> None:
        sheet = book[fl.INITIATIVE_SHEET]
        for ident in (above, below):
            sheet.cell(row_of(sheet, ident), status).value = "たぶん"  # not one of the statuses
        sheet.cell(row_of(sheet, ROW), status).value = "◎"  # a locked cell of the 【再掲】 row
    edit(typed, three_mistakes)
    found = json.loads(invoke("validate", str(typed), "-w", str(cycle.root), "--json", "--no-feedback").output)
    rows = [int(f["cell"].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) for task in found["tasks"] for f in task["findings"]
            if f["sheet"] == fl.INITIATIVE_SHEET and f["severity"] == "error"]
    letter = get_column_letter(status)
    assert sorted(set(rows)) == sorted({row_of(sheet, above), repost_row, row_of(sheet, below)}), rows
    assert rows == sorted(rows), f"findings out of the sheet's order: {rows} ({letter} column)"


@pytest.mark.slow  # end to end: the shape plan's annual cycle
def test_a_form_issued_before_repost_rows_is_still_read(cycle, tmp_path):
    """様式版 3 had no 【再掲】 rows: its 施策 cell named the places. Such a form, signed by this workspace, is read as
    it was made, and the initiative's one 検証内容 stands at every place."""
    earlier = tmp_path / cycle.form.name
    shutil.copy(cycle.blank, earlier)
    key = form_key_in(cycle.root / "履歴.sqlite3")

    def as_version_3(book) -> None:
        as_made_before_repost_rows(book)
        set_version(book, "3", key)
        sheet = book[fl.INITIATIVE_SHEET]
        sheet.cell(row_of(sheet, "T2"), column(fl.INITIATIVE_SHEET, "verification", cycle.period)).value = OWN
    edit(earlier, as_version_3)
    sheet = openpyxl.load_workbook(earlier)[fl.INITIATIVE_SHEET]
    assert sheet.cell(row_of(sheet, "T2"), 2).value.endswith("\n【再掲】基本施策1 協働の担い手づくり ＞ 基本事業1-2 人材の育成 ＞ (1)講座の開催")
    result = validate_submission(cycle.plan, read_submission(earlier, skip_cells=UNREAD_SHEETS), cycle.period, key=key)
    assert [f.code for f in result.findings if f.severity == "error"] == [] and result.valid
    entry = next(e for e in result.initiatives if e.initiative_id == "T2")
    assert (entry.verification, entry.repost_verifications, entry.verification_at("P1-2-1")) == (OWN, (), OWN)


def test_a_history_made_before_the_column_opens_keeps_its_entries_and_stores_new_ones(tmp_path):
    path = tmp_path / "履歴.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(SCHEMA.replace(" repost_verifications TEXT,", ""))  # initiative_values as it was
    old.execute("INSERT INTO merges (id, period, started_at, plan_hash) VALUES (1, '2024', '2025-05-01', '')")
    old.execute("INSERT INTO submissions (id, merge_id, department, period, file_name, sha256, received_at, accepted,"
                " errors, warnings, findings) VALUES (1, 1, ?, '2024', 'a.xlsx', 'x', '2025-05-01', 1, 0, 0, '[]')",
                (DEPT,))
    old.execute("INSERT INTO initiative_values (submission_id, initiative_id, status, next_step, verification, sheet,"
                " row) VALUES (1, 'T2', '○継続推進', '継続', ?, '取組状況', 5)", (OWN,))
    old.commit()
    old.close()
    history = History(path)
    try:
        (_, before), = history.initiative_values("2024")["T2"]
        assert (before.verification, before.repost_verifications) == (OWN, ())
        entry = InitiativeEntry("T2", "○継続推進", "継続", OWN, fl.INITIATIVE_SHEET, 5,
                                repost_verifications=(("P1-2-1", REPOSTED),))
        with history.transaction():
            merge = history.start_merge("2025", "")
            history.record(merge, ValidationResult(file="b.xlsx", sha256="y", department=DEPT, period="2025", findings=(),
                                                   initiatives=(entry,)), "2026-05-01")
        (_, after), = history.initiative_values("2025")["T2"]
    finally:
        history.close()
    assert after == entry


def test_another_departments_entry_beside_the_lead_shows_the_text_it_wrote_for_the_reposted_place():
    """A 併記 initiative's other department: the master's column beside the lead's row at a 【再掲】 place shows the
    検証内容 that department wrote for that place; its own place, and a place it wrote nothing for, its own."""
    entry = InitiativeEntry("T2", "○継続推進", "継続", OWN, repost_verifications=(("P1-2-1", REPOSTED), ("P2-1-1", "")))
    assert REPOSTED in beside_text("生涯学習課", entry, "P1-2-1") and OWN not in beside_text("生涯学習課", entry, "P1-2-1")
    assert OWN in beside_text("生涯学習課", entry, "P1-1-1")
    assert OWN in beside_text("生涯学習課", entry, "P2-1-1")


# --- a 併記 initiative: the text another department wrote for a 【再掲】 place must fit the master ---------------

OTHER = "生涯学習課"  # with 市民協働課 (the lead), reports T2 side by side (併記)


def beside_document() -> dict:
    """The shape plan with T2 reported 併記 by 市民協働課 (the lead) and 生涯学習課: both forms have T2's row and
    its 【再掲】 row."""
    document = load_yaml(SHAPE_PLAN.read_text(encoding="utf-8"))
    t2 = next(record for record in document["initiatives"] if record["id"] == "T2")
    t2.update(departments=[DEPT, OTHER], reporting="併記")
    return document


def _beside_form_with(tmp_path: Path, reposted: str) -> tuple[Path, object, int]:
    """生涯学習課's filled form of the 併記 plan, ``reposted`` typed in T2's 【再掲】 row (its own 検証内容 short):
    the form, the plan and the 【再掲】 row."""
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(beside_document(), ensure_ascii=False), encoding="utf-8")
    plan = load_plan(source).plan
    period = ReportPeriod(plan.settings.actual_year)
    form = filled_form(plan, OTHER, period, tmp_path)

    def type_texts(book) -> None:
        sheet = book[fl.INITIATIVE_SHEET]
        at = column(fl.INITIATIVE_SHEET, "verification", period)
        sheet.cell(row_of(sheet, "T2"), at).value = OWN
        sheet.cell(row_of(sheet, ROW), at).value = reposted
    edit(form, type_texts)
    return form, plan, row_of(openpyxl.load_workbook(form)[fl.INITIATIVE_SHEET], ROW)


def _too_long_for_the_master(form: Path, plan) -> tuple[list[tuple[str, str, str]], InitiativeEntry]:
    """The form's findings that a text will not fit the master (sheet, cell, message), and its entry of T2."""
    result = validate_submission(plan, read_submission(form, skip_cells=UNREAD_SHEETS), key=TEST_KEY)
    entry = next(e for e in result.initiatives if e.initiative_id == "T2")
    return [(f.sheet, f.cell, f.message) for f in result.findings if f.code == "text-too-long-for-master"], entry


def test_a_text_written_for_a_repost_place_too_long_beside_the_lead_is_refused_at_its_row(tmp_path):
    """The master shows 生涯学習課's entry beside 市民協働課's row at the 【再掲】 place with the 検証内容 written for
    that place: within Excel's limit in its own cell, it no longer fits once the department's name, status and
    texts go with it. The finding names the 【再掲】 row's 検証内容 cell, once; T2's own place (its short own text)
    is fine."""
    form, plan, r = _beside_form_with(tmp_path, "公" * (EXCEL_TEXT_LIMIT - 10))  # the cell itself holds it
    letter = get_column_letter(column(fl.INITIATIVE_SHEET, "verification", ReportPeriod(plan.settings.actual_year)))
    found, entry = _too_long_for_the_master(form, plan)
    shown = len(beside_text(OTHER, entry, "P1-2-1"))
    assert shown > EXCEL_TEXT_LIMIT and len(beside_text(OTHER, entry)) < EXCEL_TEXT_LIMIT
    assert found == [(fl.INITIATIVE_SHEET, f"{letter}{r}",
                      f"この【再掲】の行の検証内容とT2の行の取組の概要・今後の取組内容は台帳では{shown:,}字になり、"
                      f"1つのセルに入る上限（{EXCEL_TEXT_LIMIT:,}字）を超えます。短くして入力し直してください。")]


def test_a_long_text_for_a_repost_place_that_fits_beside_the_lead_is_taken(tmp_path):
    form, plan, _ = _beside_form_with(tmp_path, "公" * (EXCEL_TEXT_LIMIT - 1_000))
    found, entry = _too_long_for_the_master(form, plan)
    assert found == [] and len(entry.verification_at("P1-2-1")) == EXCEL_TEXT_LIMIT - 1_000  # read, and taken


# --- the public site and its open data show the texts the report prints -----------------------------------------

BESIDE = "生涯学習課の講座で公民館の使い方を紹介した。"


def test_the_site_and_the_open_data_show_the_repost_text_and_the_other_departments_entry(tmp_path):
    """T2 reported 併記 and a 検証内容 typed for its 【再掲】 place: the report prints both departments' texts and the
    【再掲】 place's own; so do the node pages (each place its own 検証内容) and initiatives.csv/.json (columns
    described in datapackage.json), which before showed the lead's own text alone."""
    workspace = Workspace.create(tmp_path / "みなと市", document=beside_document())
    plan = workspace.plan()
    period = ReportPeriod(plan.settings.actual_year)
    workspace.make_forms()
    filled = {path.name: path for path in fill_all(workspace, plan, period)}
    edit(filled[fl.form_file_name(period, DEPT)], _type_verifications)

    def other_text(book) -> None:
        sheet = book[fl.INITIATIVE_SHEET]
        sheet.cell(row_of(sheet, "T2"), column(fl.INITIATIVE_SHEET, "verification", period)).value = BESIDE
    edit(filled[fl.form_file_name(period, OTHER)], other_text)
    workspace.merge()
    site = workspace.publish().folder
    own_page = (site / "node-P1-1-1.html").read_text(encoding="utf-8")
    repost_page = (site / "node-P1-2-1.html").read_text(encoding="utf-8")
    assert f"（{DEPT}）{OWN}\n（{OTHER}）{BESIDE}" in own_page and REPOSTED not in own_page
    assert f"（{DEPT}）{REPOSTED}\n（{OTHER}）{BESIDE}" in repost_page
    data = period_data(workspace)
    entry = next(e for i, e in data.initiatives if i.id == "T2")
    other = dict(data.initiative_others["T2"])[OTHER]
    with (site / "data" / "initiatives.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = {r["取組ID"]: r for r in csv.DictReader(f)}
    assert rows["T2"]["取組の検証"] == entry.verification == OWN
    assert rows["T2"]["他の担当課の報告"] == beside_text(OTHER, other) and BESIDE in rows["T2"]["他の担当課の報告"]
    assert rows["T2"]["再掲先での検証"] == f"P1-2-1: {REPOSTED}"
    records = {r["取組ID"]: r for r in json.loads((site / "data" / "initiatives.json").read_text(encoding="utf-8"))}
    assert records["T2"]["再掲先での検証"] == f"P1-2-1: {REPOSTED}" and BESIDE in records["T2"]["他の担当課の報告"]
    package = json.loads((site / "datapackage.json").read_text(encoding="utf-8"))
    described = {f["name"]: f["description"] for r in package["resources"] if r["name"] == "initiatives"
                 for f in r["schema"]["fields"]}
    assert list(rows["T2"]) == list(described) and "再掲先" in described["再掲先での検証"]
