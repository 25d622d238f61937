"""Validation of returned forms: round trip on the example, planted mistakes, every rule."""
from __future__ import annotations

import datetime
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from forms_helpers import TEST_KEY, column, edit, filled_form, row_of

from kpireport.forms import layout as fl
from kpireport.forms.writer import write_forms
from kpireport.intake.reader import read_submission
from kpireport.model import Value
from kpireport.periods import ReportPeriod
from kpireport.plan.load import example_path, load_plan
from kpireport.validate.feedback import write_feedback
from kpireport.validate.files import validate_files
from kpireport.validate.rules import UNREAD_SHEETS, validate_submission
from kpireport.values import parse_value

R5 = ReportPeriod(2023)
R4 = ReportPeriod(2022)
DEPT = "観光政策課"


@pytest.fixture(scope="module")
def plan():
    return load_plan(example_path()).plan


def flat(result):
    return [[f.sheet, f.cell, f.code] for f in result.findings]


def check(plan, path, period=R5, previous=None):
    """As `kpireport validate` checks a file: the guide sheet's cells are not read (UNREAD_SHEETS)."""
    return validate_submission(plan, read_submission(path, skip_cells=UNREAD_SHEETS), period, previous)


@pytest.mark.slow  # every department's form written, filled and checked (seconds)
def test_round_trip_every_department_zero_findings(plan, tmp_path):
    paths = write_forms(plan, R5, tmp_path, TEST_KEY)
    assert len(paths) == len(fl.departments_with_forms(plan)) == 19
    from kpireport.demo.fill import fill_form
    for path in paths:
        department = path.stem.split("_", 2)[2]
        fill_form(path, plan, department, R5)
    results = validate_files(plan, paths, R5)
    assert [(r.file, r.findings) for r in results] == [(p.name, ()) for p in paths]
    by_id = {e.kpi_id: e for r in results for e in r.kpis}
    assert set(by_id) == {k.id for k in plan.kpis}  # every KPI reported by its owners
    # every initiative by each department that reports it (the lead, or every owner with 併記)
    assert sum(len(r.initiatives) for r in results) == sum(
        sum(i.reported_by(d) for d in i.departments) for i in plan.initiatives)
    assert {n.node_id for r in results for n in r.narratives} == {n.id for n in plan.nodes if n.departments}


def test_clean_values_carry_unit_scale_and_source(plan, tmp_path):
    path = filled_form(plan, DEPT, R5, tmp_path)
    result = check(plan, path)
    entry = next(e for e in result.kpis if e.kpi_id == "K-S2-02")  # 観光交流人口, 万人
    assert (entry.value.unit, entry.value.scale) == ("人", "万")
    assert entry.sheet == fl.KPI_SHEET and entry.cell == f"J{fl.FIRST_ROW}"
    assert entry.value.number == Decimal(entry.value.raw) * 10_000


def test_planted_mistakes_give_exactly_these_findings(plan, tmp_path):
    path = filled_form(plan, DEPT, R5, tmp_path)
    actual = column(fl.KPI_SHEET, "actual", R5)
    reason = column(fl.KPI_SHEET, "reason", R5)
    baseline = column(fl.KPI_SHEET, "baseline", R5)

    def plant(wb):
        ws = wb[fl.KPI_SHEET]
        ws.cell(row_of(ws, "K-S2-1-06"), actual).value = "360,000人"  # a unit typed into a number cell
        ws.cell(row_of(ws, "K-S2-2-01"), actual).value = "１８，０００"  # a full-width number
        ws.cell(row_of(ws, "K-S2-1-04"), actual).value = "65人"  # a unit that does not match (% KPI)
        ws.cell(row_of(ws, "K-S2-1-01"), baseline).value = "5,000円\n（令和4年度）"  # an edited baseline
        empty = row_of(ws, "K-S2-02")
        ws.cell(empty, actual).value = None  # an empty required cell, no reason
        ws.cell(empty, reason).value = None
        ws.delete_rows(row_of(ws, "K-S2-2-02"))  # a deleted row (the last one)
        wi = wb[fl.INITIATIVE_SHEET]
        first = fl.FIRST_ROW
        wi.cell(first, column(fl.INITIATIVE_SHEET, "status", R5)).value = "×未実施"  # no reason given
        wi.cell(first, column(fl.INITIATIVE_SHEET, "verification", R5)).value = None

    edit(path, plant)
    last_year = filled_form(plan, DEPT, R4, tmp_path, name="去年の様式.xlsx")  # a form from last year
    results = validate_files(plan, [path, last_year], R5)
    assert flat(results[0]) == [
        ["KPI実績", "", "form-row-deleted"],
        ["KPI実績", "J4", "kpi-value-missing"],
        ["KPI実績", "E5", "form-locked-edited"],
        ["KPI実績", "J8", "kpi-unit-mismatch"],
        ["KPI実績", "J10", "kpi-value-text"],
        ["KPI実績", "J11", "kpi-value-text"],
        ["取組状況", "G4", "init-no-reason"],
    ]
    messages = {f.code: f.message for f in results[0].findings}
    assert "K-S2-2-02" in messages["form-row-deleted"] and "海外OTA商品掲載延べ数" in messages["form-row-deleted"]
    assert "「観光交流人口」の実績値が空欄です" in messages["kpi-value-missing"]
    assert "5,000円（令和4年度）" in messages["form-locked-edited"] and "5,769円（令和4年度）" in messages["form-locked-edited"]
    assert "「人」" in messages["kpi-unit-mismatch"] and "「%」" in messages["kpi-unit-mismatch"]
    texts = [f.message for f in results[0].findings if f.code == "kpi-value-text"]
    assert "360,000人として読み取りました" in texts[0] and "18,000人として読み取りました" in texts[1]
    assert flat(results[1]) == [["", "", "form-wrong-period"]]
    assert "令和4年度 実績" in results[1].findings[0].message and "令和5年度 実績" in results[1].findings[0].message
    assert "使い回し" in results[1].findings[0].message  # last year's form: most likely reused
    assert all(f.file == path.name for f in results[0].findings)


def test_unreadable_files_beside_a_valid_form(plan, tmp_path):
    good = filled_form(plan, DEPT, R5, tmp_path)
    form_bytes = good.read_bytes()
    bad = {
        "empty.xlsx": b"",
        "random.xlsx": bytes(range(256)) * 4,
        "renamed_csv.xlsx": "指標,実績\n観光交流人口,150\n".encode(),
        "renamed_xls.xlsx": b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + b"\0" * 600,
        "encrypted.xlsx": b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + b"\0" * 100 + "EncryptedPackage".encode("utf-16-le"),
        "broken.xlsx": form_bytes[: len(form_bytes) // 2],
    }
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)
    _rezip(good, tmp_path / "macro.xlsm", lambda n, d: d.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml") if n == "[Content_Types].xml" else d)
    _rezip(good, tmp_path / "entity.xlsx", lambda n, d: (
        b'<!DOCTYPE x [<!ENTITY e "e">]>' + d) if n == "xl/workbook.xml" else d)
    with zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    expected = {"empty.xlsx": "file-empty", "random.xlsx": "file-not-workbook",
                "renamed_csv.xlsx": "file-not-workbook", "renamed_xls.xlsx": "file-old-xls",
                "encrypted.xlsx": "file-encrypted", "broken.xlsx": "file-broken", "macro.xlsm": "file-macro",
                "entity.xlsx": "file-suspicious", "bomb.xlsx": "file-suspicious"}
    files = sorted(tmp_path.iterdir())
    results = {r.file: r for r in validate_files(plan, files, R5)}
    for name, code in expected.items():
        assert [f.code for f in results[name].findings] == [code], name
        assert results[name].findings[0].file == name and results[name].department == ""
    assert results[good.name].findings == () and results[good.name].kpis


def _rezip(source: Path, target: Path, change) -> None:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, change(item.filename, zin.read(item)))


# --- one rule at a time --------------------------------------------------------------------------

def _single(plan, tmp_path, change, period=R5, previous=None, department=DEPT):
    path = edit(filled_form(plan, department, period, tmp_path), change)
    return check(plan, path, period, previous)


def _set(sheet, ident, key, value, period=R5):
    def change(wb):
        ws = wb[sheet]
        ws.cell(row_of(ws, ident), column(sheet, key, period)).value = value
    return change


@pytest.mark.parametrize("ident, value, code", [
    ("K-S2-1-06", "たくさん", "kpi-value-unreadable"),
    ("K-S2-1-06", -5, "kpi-value-negative"),
    ("K-S2-1-04", 130, "kpi-rate-over-100"),
    ("K-S2-1-06", "維持", "kpi-value-unreadable"),
    ("K-S2-1-06", "360,000人（見込み）", None),
])
def test_kpi_value_rules(plan, tmp_path, ident, value, code):
    result = _single(plan, tmp_path, _set(fl.KPI_SHEET, ident, "actual", value))
    codes = [f.code for f in result.findings]
    if code is None:
        assert codes == ["kpi-value-text", "kpi-provisional"]
        assert next(e for e in result.kpis if e.kpi_id == ident).provisional
    else:
        assert codes == [code]


@pytest.mark.parametrize("value, warned", [(0.65, True), ("0.65", True), ("0.65%", False), (65, False),
                                           (0, False)])
def test_a_fraction_typed_for_a_whole_percent_kpi_is_read_as_written_and_asked_about(plan, tmp_path, value, warned):
    """本市へのリピート率 (63% → 70%): 「0.65」 is 0.65% as typed, kept so, and the department asked whether 65% was
    meant; 「0.65%」 typed with its sign says what it means."""
    result = _single(plan, tmp_path, _set(fl.KPI_SHEET, "K-S2-1-04", "actual", value))
    asked = [f for f in result.findings if f.code == "kpi-percent-as-fraction"]
    entry = next(e for e in result.kpis if e.kpi_id == "K-S2-1-04")
    assert entry.value.number == Decimal(str(value).rstrip("%")) and entry.value.unit == "%"
    assert result.valid
    if warned:
        assert [(f.severity, f.sheet) for f in asked] == [("warning", fl.KPI_SHEET)]
        assert "0.65%として読み取りました" in asked[0].message and "「65%」と入力し直して" in asked[0].message
    else:
        assert asked == []


@pytest.mark.parametrize("value, number_format, code, said", [
    (0.5, "0%", "kpi-unit-mismatch", "「50%」の単位「%」は、この指標の単位「人」"),  # 50% typed in a 人 KPI
    (datetime.datetime(2026, 3, 31), "m/d", "kpi-value-unreadable", "「2026-03-31」を数値として読めません"),
    ("－", None, "kpi-value-missing", "実績値が「－」（値なし）です"),
])
def test_a_refused_value_is_quoted_as_the_department_sees_it(plan, tmp_path, value, number_format, code, said):
    def typed(wb):
        sheet = wb[fl.KPI_SHEET]
        cell = sheet.cell(row_of(sheet, "K-S2-1-06"), column(fl.KPI_SHEET, "actual", R5))
        cell.value = value
        if number_format:
            cell.number_format = number_format
    result = _single(plan, tmp_path, typed)
    messages = [f.message for f in result.findings if f.code == code]
    assert len(messages) == 1 and said in messages[0], result.findings


def test_a_form_of_a_later_period_is_not_called_a_reused_one(plan, tmp_path):
    later = filled_form(plan, DEPT, ReportPeriod(2024), tmp_path)
    (found,) = check(plan, later).findings
    assert found.code == "form-wrong-period" and "令和6年度 実績" in found.message and "使い回し" not in found.message


def test_reason_instead_of_value_is_accepted(plan, tmp_path):
    def change(wb):
        _set(fl.KPI_SHEET, "K-S2-1-06", "actual", None)(wb)
        _set(fl.KPI_SHEET, "K-S2-1-06", "reason", "調査未実施")(wb)
    result = _single(plan, tmp_path, change)
    assert result.findings == ()
    entry = next(e for e in result.kpis if e.kpi_id == "K-S2-1-06")
    assert entry.value.status == "none" and entry.reason == "調査未実施"


def test_cumulative_below_previous_and_jump(plan, tmp_path):
    dept = "商工労働課"  # owns 企業誘致件数(累計) K-S1-1-01 (社)
    previous = {"K-S1-1-01": parse_value("4社"), "K-S1-1-02": Value("number", "1", Decimal(10) ** 6, "円", "百万")}
    result = _single(plan, tmp_path, _set(fl.KPI_SHEET, "K-S1-1-01", "actual", 3), previous=previous,
                     department=dept)
    assert [f.code for f in result.findings] == ["kpi-cumulative-decrease", "kpi-jump"]
    assert "4社" in result.findings[0].message


def test_first_value_far_from_the_plan_quotes_it_as_shown(plan, tmp_path):
    """A float typed into a plain cell is quoted as the master prints it, never 「2e-06」 (findings v1 N4)."""
    result = _single(plan, tmp_path, _set(fl.KPI_SHEET, "K-S1-1-02", "actual", 0.000002), department="商工労働課")
    jump = next(f for f in result.findings if f.code == "kpi-jump-baseline")
    assert "の値「0.000002」は" in jump.message and "e-" not in jump.message


@pytest.mark.parametrize("value", [12, -5, -2000])
def test_a_signed_kpi_near_zero_is_no_slip_of_scale(plan, tmp_path, value):
    """社会増減数 (△244人 → △160人): a difference that may cross zero has no scale for a ratio to test (v1 N4)."""
    result = _single(plan, tmp_path, _set(fl.KPI_SHEET, "K-S2-01", "actual", value), department="政策推進課")
    assert [f.code for f in result.findings if f.code.startswith("kpi-jump")] == []


def test_formula_without_saved_result(plan, tmp_path):
    result = _single(plan, tmp_path, _set(fl.KPI_SHEET, "K-S2-1-06", "actual", "=SUM(100,200)"))
    assert [f.code for f in result.findings] == ["cell-formula-no-result"]


@pytest.mark.parametrize("status, next_step, verification, codes", [
    ("◎実施済", "完了", "", []),
    ("△一部実施", "完了", "一部のみ", ["init-inconsistent"]),
    ("実施", "継続", "", ["init-status-invalid"]),
    ("○継続推進", "やめる", "", ["init-next-invalid"]),
    (None, None, "", ["init-status-missing", "init-next-missing"]),
    ("○継続推進", "廃止", None, ["init-no-explanation"]),
])
def test_initiative_rules(plan, tmp_path, status, next_step, verification, codes):
    ident = "T-S2-1-01"

    def change(wb):
        for key, value in (("status", status), ("next_step", next_step), ("verification", verification)):
            _set(fl.INITIATIVE_SHEET, ident, key, value)(wb)
    assert [f.code for f in _single(plan, tmp_path, change).findings] == codes


def test_narrative_too_long_and_missing(plan, tmp_path):
    long_text = "\n".join(["・" + "あ" * 90] + ["項目"] * 7)
    result = _single(plan, tmp_path, _set(fl.NARRATIVE_SHEET, "G1-1", "achievements", long_text))
    assert [(f.cell, f.code) for f in result.findings] == [("D4", "narrative-too-long")]
    assert "8行、最長90字" in result.findings[0].message
    entry = result.narratives[0]
    assert entry.achievements[0] == "あ" * 90  # the bullet mark is not part of the text


@pytest.mark.parametrize("change, expected", [
    (lambda wb: wb[fl.KPI_SHEET].insert_rows(fl.FIRST_ROW + 1), []),  # an empty row is harmless
    (lambda wb: wb[fl.KPI_SHEET].cell(20, 1, "K-NEW"), [["KPI実績", "A20", "form-row-added"]]),
    (lambda wb: setattr(wb[fl.KPI_SHEET], "title", "実績"),
     [["実績", "", "form-extra-sheet"], ["KPI実績", "", "form-sheet-missing"]]),
    (lambda wb: wb[fl.KPI_SHEET].insert_cols(3), [["KPI実績", "C3", "form-header-changed"]]),
    (lambda wb: setattr(wb.create_sheet("メモ"), "sheet_state", "hidden"), [["メモ", "", "form-hidden-sheet"]]),
    # the guide sheet's cells are never read, but its state is
    (lambda wb: setattr(wb[fl.GUIDE_SHEET], "sheet_state", "hidden"), [[fl.GUIDE_SHEET, "", "form-hidden-sheet"]]),
    (lambda wb: wb[fl.GUIDE_SHEET].cell(3, 2, "メモ書き"), []),
])
def test_structure_changes(plan, tmp_path, change, expected):
    assert flat(_single(plan, tmp_path, change)) == expected


def test_rows_sorted_by_the_department_are_read_by_their_ids(plan, tmp_path):
    """A department may sort its rows (rows are matched by ID); only a missing or doubled ID is a finding."""
    def swap(wb):
        ws = wb[fl.KPI_SHEET]
        a, b = fl.FIRST_ROW, fl.FIRST_ROW + 1
        for col in range(1, ws.max_column + 1):
            ws.cell(a, col).value, ws.cell(b, col).value = ws.cell(b, col).value, ws.cell(a, col).value
    as_given = {e.kpi_id: e.value for e in check(plan, filled_form(plan, DEPT, R5, tmp_path, name="a.xlsx")).kpis}
    sorted_form = edit(filled_form(plan, DEPT, R5, tmp_path, name="b.xlsx"), swap)
    result = check(plan, sorted_form)
    assert result.findings == ()
    assert {e.kpi_id: e.value for e in result.kpis} == as_given


@pytest.mark.parametrize("key, value, code", [
    ("形式", "別のツール", "form-not-form"),
    ("様式版", "99", "form-version-unknown"),
    ("市区町村", "長門市", "form-other-plan"),
    ("担当課", "秘書課", "form-unknown-department"),
    ("計画ハッシュ", "0" * 64, "form-stale-plan"),
])
def test_not_a_form_of_this_plan(plan, tmp_path, key, value, code):
    def change(wb):
        meta = wb[fl.META_SHEET]
        next(row for row in meta.iter_rows() if row[0].value == key)[1].value = value
    assert [f.code for f in _single(plan, tmp_path, change).findings] == [code]


def test_plain_workbook_is_not_a_form(plan, tmp_path):
    import xlsxwriter
    path = tmp_path / "自作.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("KPI実績").write(0, 0, "観光交流人口")
    workbook.close()
    assert [f.code for f in check(plan, path).findings] == ["form-not-form"]


def test_monthly_form_takes_provisional_values(plan, tmp_path):
    september = ReportPeriod(2023, 9)
    path = filled_form(plan, DEPT, september, tmp_path)
    assert fl.form_file_name(september, DEPT) == "令和5年9月_進捗_観光政策課.xlsx"
    result = check(plan, path, september)
    assert result.findings == () and result.period == "2023-09"
    assert all(e.provisional for e in result.kpis if e.value.is_number)


def test_feedback_copy_validates_as_the_same_form(plan, tmp_path):
    path = filled_form(plan, DEPT, R5, tmp_path)
    edit(path, _set(fl.KPI_SHEET, "K-S2-1-06", "actual", "たくさん"))
    first = check(plan, path)
    copy = write_feedback(path, list(first.findings), tmp_path / "feedback" / path.name)
    again = check(plan, copy)
    assert flat(again) == flat(first) == [["KPI実績", "J10", "kpi-value-unreadable"]]
    edit(copy, _set(fl.KPI_SHEET, "K-S2-1-06", "actual", 360000))  # the department fixes the copy
    fixed = check(plan, copy)
    assert fixed.findings == ()
