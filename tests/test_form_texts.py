"""What the forms collect for the measure sheets, status symbols as cities write them, the monthly form,
and rows that show what is typed."""
from __future__ import annotations

import dataclasses

import openpyxl
import pytest
from calc import type_into
from forms_helpers import TEST_KEY, as_made_before_short_names, column, edit, filled_form, row_of

from kpireport.demo.fill import demo_narratives
from kpireport.forms import layout as fl
from kpireport.forms.fit import column_widths, wrapped_cells
from kpireport.forms.writer import write_form
from kpireport.intake.reader import read_submission
from kpireport.periods import ReportPeriod
from kpireport.plan.load import example_path, load_plan
from kpireport.text_layout import row_height
from kpireport.validate.feedback import write_feedback
from kpireport.validate.rules import UNREAD_SHEETS, validate_submission

R5 = ReportPeriod(2023)
SEPTEMBER = ReportPeriod(2023, 9)
DEPT = "観光政策課"
LABELS = ("◎実施済", "○継続推進", "△一部実施", "×未実施")


@pytest.fixture(scope="module")
def plan():
    return load_plan(example_path()).plan


def check(plan, path, period=R5):
    return validate_submission(plan, read_submission(path, skip_cells=UNREAD_SHEETS), period)


def flat(result, *codes):
    return [[f.sheet, f.cell, f.code] for f in result.findings if not codes or f.code in codes]


def cell(key: str, row: int, sheet: str = fl.INITIATIVE_SHEET, period: ReportPeriod = R5) -> str:
    return f"{openpyxl.utils.get_column_letter(column(sheet, key, period))}{row}"


# --- status symbols ------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, label", [
    ("○", "○継続推進"), ("〇", "○継続推進"), ("◯", "○継続推進"), ("◎", "◎実施済"), ("△", "△一部実施"),
    ("×", "×未実施"), ("x", "×未実施"), ("ｘ", "×未実施"), ("Ｘ", "×未実施"), ("✕", "×未実施"),
    (" ○ ", "○継続推進"), ("○　継続推進", "○継続推進"), ("継続推進", "○継続推進"), ("実施済", "◎実施済"),
    ("△ 一部 実施", "△一部実施"), ("○継続推進", "○継続推進"),
    ("●", None), ("継続", None), ("", None), ("○×", None),
])
def test_a_status_is_read_as_cities_write_it(typed, label):
    assert fl.read_status(typed, LABELS) == label


def _statuses(plan, path, typed: list[str]):
    """Type each status into the form's initiative rows (as the city types them), in Calc where it is installed."""
    wb = openpyxl.load_workbook(path)
    rows = range(fl.FIRST_ROW, fl.FIRST_ROW + len(typed))
    ids = [wb[fl.INITIATIVE_SHEET].cell(r, 1).value for r in rows]
    return ids, [(fl.INITIATIVE_SHEET, cell("status", r), text) for r, text in zip(rows, typed)]


@pytest.mark.slow  # LibreOffice Calc
def test_bare_symbols_typed_in_calc_are_accepted_and_stored_as_the_city_writes_them(plan, tmp_path):
    path = filled_form(plan, DEPT, R5, tmp_path)
    typed = ["○", "◎", "△", "〇 ", "継続推進"]
    ids, entries = _statuses(plan, path, typed)
    result = check(plan, type_into(path, entries, tmp_path / "typed.xlsx"))
    assert flat(result, "init-status-invalid", "init-status-missing") == []
    stored = {e.initiative_id: e.status for e in result.initiatives}
    assert [stored[i] for i in ids] == ["○継続推進", "◎実施済", "△一部実施", "○継続推進", "○継続推進"]


def test_bare_symbols_pasted_are_accepted(plan, tmp_path):
    """Pasted text keeps what the source had: full-width spaces, half-width x (openpyxl writes it as is)."""
    path = filled_form(plan, DEPT, R5, tmp_path)
    ids, entries = _statuses(plan, path, ["○\u3000", " ◎", "ｘ"])

    def paste(wb):
        for sheet, coordinate, text in entries:
            wb[sheet][coordinate].value = text
        wb[fl.INITIATIVE_SHEET][cell("verification", fl.FIRST_ROW + 2)].value = "（テスト）調整がつかなかった。"
    result = check(plan, edit(path, paste))
    assert flat(result, "init-status-invalid", "init-no-reason") == []
    stored = {e.initiative_id: e.status for e in result.initiatives}
    assert [stored[i] for i in ids] == ["○継続推進", "◎実施済", "×未実施"]


def test_a_status_that_is_no_symbol_is_refused_with_the_citys_choices(plan, tmp_path):
    path = filled_form(plan, DEPT, R5, tmp_path)
    edit(path, lambda wb: wb[fl.INITIATIVE_SHEET].cell(fl.FIRST_ROW, column(fl.INITIATIVE_SHEET, "status", R5))
         .__setattr__("value", "済"))
    result = check(plan, path)
    assert flat(result, "init-status-invalid") == [[fl.INITIATIVE_SHEET, cell("status", fl.FIRST_ROW),
                                                    "init-status-invalid"]]
    message = next(f.message for f in result.findings if f.code == "init-status-invalid")
    assert "◎実施済、○継続推進、△一部実施、×未実施" in message and "記号" in message


def test_the_citys_own_labels_are_offered_and_stored(plan, tmp_path):
    labels = ("◎完了", "○実施中", "△一部", "×未着手")
    own = dataclasses.replace(plan, settings=dataclasses.replace(plan.settings, status_labels=labels))
    path = tmp_path / "own.xlsx"
    write_form(own, DEPT, R5, path, TEST_KEY)
    rules = {str(dv.sqref): dv for dv in openpyxl.load_workbook(path)[fl.INITIATIVE_SHEET].data_validations.dataValidation}
    status = next(dv for ref, dv in rules.items() if ref.startswith(cell("status", fl.FIRST_ROW)))
    assert status.formula1 == '"◎完了,○実施中,△一部,×未着手"'
    ids, entries = _statuses(own, path, ["○", "実施中", "◎"])

    def fill(wb):
        for sheet, coordinate, text in entries:
            wb[sheet][coordinate].value = text
        for r in range(fl.FIRST_ROW, fl.FIRST_ROW + 3):
            wb[fl.INITIATIVE_SHEET][cell("next_step", r)].value = "継続"
    result = check(own, edit(path, fill))
    stored = {e.initiative_id: e.status for e in result.initiatives}
    assert [stored[i] for i in ids] == ["○実施中", "○実施中", "◎完了"]


def test_status_labels_come_from_the_plans_settings(tmp_path):
    import yaml

    doc = yaml.safe_load(example_path().read_text(encoding="utf-8"))
    doc["settings"]["status_labels"] = ["◎完了", "○実施中", "△一部", "×未着手"]
    source = tmp_path / "plan.yaml"
    source.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    loaded = load_plan(source)
    assert [f.code for f in loaded.findings if f.severity == "error"] == []
    assert loaded.plan.settings.status_labels == ("◎完了", "○実施中", "△一部", "×未着手")
    assert load_plan(example_path()).plan.settings.status_labels == LABELS


# --- the monthly form ------------------------------------------------------------------------------

def _clear_statuses(wb):
    ws = wb[fl.INITIATIVE_SHEET]
    for r in range(fl.FIRST_ROW, ws.max_row + 1):
        for key in ("status", "next_step"):
            ws.cell(r, column(fl.INITIATIVE_SHEET, key, R5)).value = None


def test_an_empty_status_is_no_error_in_a_monthly_form_and_is_one_in_the_annual(plan, tmp_path):
    monthly = edit(filled_form(plan, DEPT, SEPTEMBER, tmp_path), _clear_statuses)
    result = check(plan, monthly, SEPTEMBER)
    assert [f for f in result.findings if f.code.startswith("init-")] == []
    assert result.valid
    (tmp_path / "annual").mkdir()
    annual = edit(filled_form(plan, DEPT, R5, tmp_path / "annual"), _clear_statuses)
    codes = [f.code for f in check(plan, annual).findings]
    assert "init-status-missing" in codes and "init-next-missing" in codes


def test_the_monthly_form_says_its_values_are_year_end_forecasts(plan, tmp_path):
    path = tmp_path / "m.xlsx"
    write_form(plan, DEPT, SEPTEMBER, path, TEST_KEY)
    wb = openpyxl.load_workbook(path)
    guide = "\n".join(str(c.value) for c in wb[fl.GUIDE_SHEET]["A"] if c.value)
    assert "見込み値は、年度末の見込み" in guide and "空欄のままでかまいません" in guide
    assert "年度末の見込み" in wb[fl.KPI_SHEET]["A2"].value
    actual = next(dv for dv in wb[fl.KPI_SHEET].data_validations.dataValidation
                  if str(dv.sqref).startswith(cell("actual", fl.FIRST_ROW, fl.KPI_SHEET, SEPTEMBER)))
    assert "年度末の見込み" in actual.promptTitle and "年度末" in actual.prompt
    annual = tmp_path / "a.xlsx"
    write_form(plan, DEPT, R5, annual, TEST_KEY)
    assert "年度末の見込み" not in "\n".join(str(c.value) for c in openpyxl.load_workbook(annual)[fl.GUIDE_SHEET]["A"])


# --- what the measure sheets print -------------------------------------------------------------------

def test_the_guide_and_input_messages_explain_each_measure_sheet_column_with_an_example(plan, tmp_path):
    path = tmp_path / "f.xlsx"
    write_form(plan, DEPT, R5, path, TEST_KEY)
    wb = openpyxl.load_workbook(path)
    guide = "\n".join(str(c.value) for c in wb[fl.GUIDE_SHEET]["A"] if c.value)
    prompts = {str(dv.sqref).split(":")[0]: dv for dv in wb[fl.INITIATIVE_SHEET].data_validations.dataValidation}
    for key, header in (("name", "事業名"), ("summary", "取組の概要（実績）"), ("plan", "今後の取組内容とその理由")):
        rule = prompts[cell(key, fl.FIRST_ROW)]
        assert rule.promptTitle == header and "例: " in rule.prompt and len(rule.prompt) <= 255
        assert f"{header}: " in guide
    assert "記号だけ（◎ ○ △ ×）" in guide


def test_the_plans_short_name_is_prefilled_and_the_departments_own_is_kept(plan, tmp_path):
    first = next(i for i in plan.initiatives if i.lead == DEPT)
    named = dataclasses.replace(plan, initiatives=tuple(
        dataclasses.replace(i, name="観光地域づくりの推進") if i.id == first.id else i for i in plan.initiatives))
    path = filled_form(named, DEPT, R5, tmp_path)
    ws = openpyxl.load_workbook(path)[fl.INITIATIVE_SHEET]
    r = row_of(ws, first.id)
    assert ws[cell("name", r)].value == "観光地域づくりの推進"  # the demo filling left the plan's name
    entries = {e.initiative_id: e for e in check(named, path).initiatives}
    assert entries[first.id].name == "観光地域づくりの推進"
    others = [e for i, e in entries.items() if i != first.id]
    assert others and all(e.name for e in others)  # the demo typed a name where the plan has none

    def delete_names(wb):
        ws = wb[fl.INITIATIVE_SHEET]
        for row in range(fl.FIRST_ROW, ws.max_row + 1):
            ws[cell("name", row)].value = None
            ws[cell("status", row)].value, ws[cell("next_step", row)].value = "○", "継続"
    warned = {f.cell for f in check(named, edit(path, delete_names)).findings if f.code == "init-text-missing"}
    assert cell("name", r) not in warned  # the plan's name is printed instead
    assert {cell("name", row) for row in range(fl.FIRST_ROW, ws.max_row + 1) if row != r} <= warned


def test_a_done_or_continuing_initiative_without_its_texts_is_warned_about(plan, tmp_path):
    path = filled_form(plan, DEPT, R5, tmp_path)

    def blank(wb):
        ws = wb[fl.INITIATIVE_SHEET]
        for r, status in ((fl.FIRST_ROW, "◎実施済"), (fl.FIRST_ROW + 1, "○"), (fl.FIRST_ROW + 2, "△一部実施")):
            ws[cell("status", r)].value = status
            ws[cell("next_step", r)].value = "継続"
            for key in ("name", "summary", "plan"):
                ws[cell(key, r)].value = None
    result = check(plan, edit(path, blank))
    assert flat(result, "init-text-missing") == [
        [fl.INITIATIVE_SHEET, cell(key, r), "init-text-missing"]
        for r in (fl.FIRST_ROW, fl.FIRST_ROW + 1) for key in ("name", "summary", "plan")]
    assert result.valid  # warnings: the file is accepted
    message = next(f.message for f in result.findings if f.code == "init-text-missing")
    assert "（記載なし）" in message and "◎実施済" in message


def test_a_value_typed_with_a_reason_is_a_warning_that_says_the_value_counts(plan, tmp_path):
    path = filled_form(plan, DEPT, R5, tmp_path)

    def both(wb):
        ws = wb[fl.KPI_SHEET]
        ws[cell("actual", fl.FIRST_ROW, fl.KPI_SHEET)].value = 150
        ws[cell("reason", fl.FIRST_ROW, fl.KPI_SHEET)].value = "集計中"
    result = check(plan, edit(path, both))
    assert flat(result, "kpi-value-with-reason") == [[fl.KPI_SHEET, cell("reason", fl.FIRST_ROW, fl.KPI_SHEET),
                                                      "kpi-value-with-reason"]]
    message = next(f.message for f in result.findings if f.code == "kpi-value-with-reason")
    assert "実績値を使い" in message and "「150」" in message and "「集計中」" in message
    assert result.valid and next(e for e in result.kpis if e.cell.endswith(str(fl.FIRST_ROW))).value.raw == "150"


# --- rows that show what is typed --------------------------------------------------------------------

def _needed(ws, r: int) -> float:
    return row_height(wrapped_cells(ws, ws[r]), 14.0)


def test_the_narrative_rows_of_a_fresh_form_have_room_for_the_demos_bullets(plan, tmp_path):
    """The form's row height is what a department sees while typing (a spreadsheet does not grow it)."""
    path = tmp_path / "f.xlsx"
    write_form(plan, DEPT, R5, path, TEST_KEY)
    ws = openpyxl.load_workbook(path)[fl.NARRATIVE_SHEET]
    texts = demo_narratives()
    width = column_widths(ws)[column(fl.NARRATIVE_SHEET, "achievements", R5)]
    needed = max(row_height([("\n".join(t["achievements"]), width), ("\n".join(t["next_steps"]), width)])
                 for t in texts.values())
    heights = [ws.row_dimensions[r].height for r in range(fl.FIRST_ROW, ws.max_row + 1)]
    assert heights and min(heights) >= needed


def test_filled_forms_and_feedback_copies_show_every_line_typed(plan, tmp_path):
    path = filled_form(plan, DEPT, R5, tmp_path)
    long_text = "\n".join(["・とても長い箇条書きの一行で、列の幅を超えて折り返して何行にもなる文章です。"] * 8)

    def longer(wb):
        wb[fl.NARRATIVE_SHEET][cell("achievements", fl.FIRST_ROW, fl.NARRATIVE_SHEET)].value = long_text
    edit(path, longer)
    ws = openpyxl.load_workbook(path)[fl.NARRATIVE_SHEET]
    assert ws.row_dimensions[fl.FIRST_ROW].height < _needed(ws, fl.FIRST_ROW)  # typed beyond the room given
    copy = write_feedback(path, list(check(plan, path).findings), tmp_path / "feedback" / path.name)
    for name in (fl.KPI_SHEET, fl.INITIATIVE_SHEET, fl.NARRATIVE_SHEET):
        ws = openpyxl.load_workbook(copy)[name]
        for r in range(fl.FIRST_ROW, ws.max_row + 1):
            assert ws.row_dimensions[r].height >= _needed(ws, r), (name, r)
    (tmp_path / "demo").mkdir()
    demo = openpyxl.load_workbook(filled_form(plan, DEPT, R5, tmp_path / "demo"))
    for name in (fl.INITIATIVE_SHEET, fl.NARRATIVE_SHEET):
        ws = demo[name]
        for r in range(fl.FIRST_ROW, ws.max_row + 1):
            assert ws.row_dimensions[r].height >= _needed(ws, r), (name, r)


# --- the demo's report: measure sheets with content ------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from kpireport.workspace import run_demo

    root = tmp_path_factory.mktemp("demo") / "kpireport_demo"
    run_demo(root)
    return root


def measure_sheet_cells(path) -> list[list[str]]:
    """Rows of every table under the measure sheets' heading (Heading 1 「具体的施策の取組状況」)."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(path)
    rows, inside = [], False
    for block in document.element.body.iterchildren():
        if block.tag.endswith("}p"):
            paragraph = Paragraph(block, document)
            if paragraph.style.name == "Heading 1":
                inside = paragraph.text.strip() == "具体的施策の取組状況"
        elif block.tag.endswith("}tbl") and inside:
            for row in Table(block, document).rows:
                rows.append(list(dict.fromkeys(c.text for c in row.cells)))  # a merged cell once
    return rows


@pytest.mark.slow  # end to end: the whole demo (forms, fill, merge, report)
def test_the_demos_measure_sheets_have_content(demo):
    from kpireport.demo.fill import demo_initiative_texts
    from kpireport.workspace.demo import H28_FOLDER

    for path in (demo / "output" / "report_令和5年度_実績.docx", demo / H28_FOLDER / "output" / "report_平成28年度_実績.docx"):
        cells = [c for row in measure_sheet_cells(path) for c in row]
        empty = sum("（記載なし）" in c for c in cells)
        assert len(cells) > 500 and empty <= 0.05 * len(cells), (path.name, empty, len(cells))
    rows = measure_sheet_cells(demo / "output" / "report_令和5年度_実績.docx")
    texts = demo_initiative_texts()
    pairs = [row for row in rows if len(row) == 2]
    item = texts["T-S1-2-01"]
    # the short 事業名 beside its result, and again beside its next step, as seed 001 prints them
    assert [item["name"], "（サンプル）" + item["summary"]] in pairs
    assert [item["name"], "（サンプル）" + item["plan"]] in pairs
    assert not any(row[0].startswith("創業支援協議会をはじめとする") for row in rows if len(row) == 2)


@pytest.mark.slow  # end to end: the whole demo (forms, fill, merge, report)
def test_the_short_name_reaches_the_history_and_the_master(demo):
    from kpireport.demo.fill import demo_initiative_texts
    from kpireport.history.store import History

    texts = demo_initiative_texts()
    assert all(set(item) == {"id", "name", "summary", "plan"} for item in texts.values())  # nothing cut at a comma
    history = History(demo / "履歴.sqlite3")
    try:
        stored = history.initiative_values("2023")
    finally:
        history.close()
    assert {ident: entries[0][1].name for ident, entries in stored.items()} == {
        ident: item["name"] for ident, item in texts.items()}
    master = openpyxl.load_workbook(demo / "output" / "master_令和5年度_実績.xlsx", read_only=True)["取組一覧"]
    header = next(master.iter_rows(min_row=3, max_row=3, values_only=True))
    at = header.index("事業名")
    names = {r[0]: r[at] for r in master.iter_rows(min_row=4, values_only=True) if r[0]}  # 取組ID first
    assert names == {ident: item["name"] for ident, item in texts.items()}


def test_a_form_made_before_the_short_name_column_is_still_read(plan, tmp_path):
    """様式版 2 had no 事業名 column: such a form, handed out before an upgrade, is read with its own columns."""
    path = filled_form(plan, DEPT, R5, tmp_path)

    def as_version_2(wb):
        as_made_before_short_names(wb)
        meta = wb[fl.META_SHEET]
        next(row for row in meta.iter_rows() if row[0].value == "様式版")[1].value = "2"
    result = check(plan, edit(path, as_version_2))
    assert result.valid and [f.code for f in result.findings if f.severity == "error"] == []
    assert result.initiatives and all(e.name is None and e.summary for e in result.initiatives)
    edit(path, lambda wb: next(row for row in wb[fl.META_SHEET].iter_rows() if row[0].value == "様式版")[1]
         .__setattr__("value", "3"))  # the same columns claimed as the current version: the header is told
    assert "form-header-changed" in [f.code for f in check(plan, path).findings]


def test_the_demo_fills_a_form_with_the_citys_own_labels(plan, tmp_path):
    labels = ("◎完了", "○実施中", "△一部", "×未着手")
    own = dataclasses.replace(plan, settings=dataclasses.replace(plan.settings, status_labels=labels))
    result = check(own, filled_form(own, DEPT, R5, tmp_path))
    assert result.valid and {e.status for e in result.initiatives} <= set(labels)


def test_a_form_made_before_the_status_labels_changed_is_told_the_plan_changed(plan, tmp_path):
    """The office renamed 実施状況 in the plan after sending the forms: the old labels are not 'unreadable', the
    form is an old one, and the department is asked for the new form."""
    import yaml

    path = filled_form(plan, DEPT, R5, tmp_path)
    doc = yaml.safe_load(example_path().read_text(encoding="utf-8"))
    doc["settings"]["status_labels"] = ["◎完了", "○実施中", "△一部", "×未着手"]
    source = tmp_path / "plan.yaml"
    source.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    changed = load_plan(source).plan
    result = check(changed, path)
    codes = [f.code for f in result.findings]
    assert "form-stale-plan" in codes and "init-status-invalid" not in codes
    told = [f for f in result.findings if f.code == "init-status-plan-changed"]
    assert told and all(f.sheet == fl.INITIATIVE_SHEET for f in told)
    assert "◎完了、○実施中、△一部、×未着手" in told[0].message and "新しい様式" in told[0].message
    # the same label typed on a form of the current plan is still just not one of the choices
    current = filled_form(changed, DEPT, R5, tmp_path / "now")
    edit(current, lambda wb: wb[fl.INITIATIVE_SHEET].cell(fl.FIRST_ROW, column(fl.INITIATIVE_SHEET, "status", R5))
         .__setattr__("value", "◎実施済"))
    assert [f.code for f in check(changed, current).findings if f.code.startswith("init-status")] == \
        ["init-status-invalid"]
