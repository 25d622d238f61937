"""Over the years (issue 23, items 6 and 7): a KPI graded at its data's own year, the previous year's grade and
each KPI's series in the master and the report, the grading rules stored with each merge (a past year keeps
the grade it had), two years in one workspace through the library."""
from __future__ import annotations

import dataclasses
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from report_tables import table_rows
from years_helpers import TODAYS_GRADES, years_document

import kpireport
from kpireport.council.content import actual_text
from kpireport.evaluate.data_year import data_year, graded_year, shown_year, working_lead
from kpireport.evaluate.rules import evaluate_kpi, expected_value
from kpireport.evaluate.series import TODAYS_KPI, TODAYS_RULES
from kpireport.history.rules_record import (
    GRADING_FIELDS,
    kpi_as_recorded,
    record_rules,
    rules_from_record,
    rules_of,
    rules_record,
)
from kpireport.history.store import History, StoredKpiValue
from kpireport.model import Grade, Settings, Value
from kpireport.plan.load import example_path, load_plan
from kpireport.publish.series import kpi_series
from kpireport.values import parse_value
from kpireport.workspace.api import Workspace
from kpireport.workspace.reporting import period_data
from kpireport.workspace.years_example import run_years_example

PLAN = load_plan(example_path()).plan


def stored(raw: str, as_of: str = "") -> StoredKpiValue:
    value = parse_value(raw)
    plain = Value(value.status, value.raw, value.number, value.unit, value.scale)  # as the history reads it back
    return StoredKpiValue("K6", "2025", plain, False, as_of, "", "", "f.xlsx", "KPI実績", "H8", "")


def test_data_year_from_the_value_or_the_typed_time() -> None:
    assert data_year(stored("7,612千円（平成27年度）"), 2025) == 2015  # the 時点 in the value
    assert data_year(stored("2,850千円", "R5年度"), 2024) == 2023  # the 時点 typed
    assert data_year(stored("2,850千円", "R6.3末"), 2024) == 2023  # the end of March closes 令和5年度
    assert data_year(stored("2,850千円", "R6.4.1"), 2024) is None  # the report's own year
    assert data_year(stored("2,850千円", "R7.3末"), 2024) is None
    assert data_year(stored("2,850千円"), 2024) is None
    # a bare year may be the calendar year: its 時点 says which fiscal year (findings v1 N1)
    assert data_year(stored("11事業者(R5)", "R5.3末"), 2023) == 2022  # January to March 2023 close 令和4年度
    assert data_year(stored("27人(R6)", "R6.3末"), 2023) is None  # the calendar 令和6年's March: 令和5年度's
    assert data_year(stored("11事業者(R5)", "R6.3末"), 2023) is None
    assert data_year(stored("25人(H26)", "R6.3末"), 2023) == 2014  # a 時点 that does not fit: refused at validation
    assert graded_year(stored("60人", "R6.4.1"), 2023) == 2023  # a later 時点 is graded as the report year's
    assert graded_year(stored("11事業者(R5)", "R5.3末"), 2023) == 2022


@pytest.mark.parametrize("raw, as_of, shown", [
    ("25人(H26)", "", "（H26年度）"),  # an earlier year: said wherever the figure is shown
    ("11事業者", "R5.3末", "（R4年度）"),  # the 時点's year (R5.3末 closes 令和4年度)
    ("27人(R6)", "", "(R6)"),  # a later year, graded as the report year's: as written (findings p2 #3, v1 N5)
    ("60人", "R6.4.1", "（R6.4.1時点）"),  # a later 時点: as typed, not 「（R6年度）」 beside R5's grade
    ("60人", "R6.4.1現在", "（R6.4.1現在）"),
    ("11事業者(R5)", "R5.3末", "(R5)（R4年度）"),  # the year written kept, and the year its 時点 says (v1 N1)
    ("27人(R6)", "R6.3末", "(R6)"),  # the calendar 令和6年 closing 令和5年度: as written, no other year
    ("4回 (R3~R5)", "", "（R3~R5）"),  # a span: as written
    ("19.7% (H28年度卒業生)", "", ""),  # its note says the year already
    ("12人(R5)", "", ""), ("12人", "R6.3末", ""), ("12人", "", ""),  # the report year's own figure
])
def test_the_year_shown_beside_a_figure(raw, as_of, shown) -> None:
    assert shown_year(stored(raw, as_of), 2023) == shown


def test_a_figure_of_another_year_says_so_in_the_working() -> None:
    """The working never calls 「27人(R6)」 or a span the report year's figure (「実績 27人（R5）」), and a later year
    is said alike whether written in the value or typed as the 時点 (findings v1 N5)."""
    kpi = dataclasses.replace(PLAN.kpi("K-S1-04"))  # 雇用創出数 10人 (R4) → 28人 (R8)
    for raw, said in (("27人(R6)", "実績 27人（R6）。達成率"), ("4人 (R3~R5)", "実績 4人（R3~R5）。")):
        value = stored(raw).value  # read back from the history: the year is in its text only
        working = evaluate_kpi(kpi, value, 2023, PLAN.grades, PLAN.settings).working
        assert said in working, working
    then = "は令和6年度ですが、報告は令和5年度のため、令和5年度の値として評価します。"
    assert working_lead(stored("27人(R6)"), 2023) == f"実績の値の年（R6）{then}"
    assert working_lead(stored("60人", "R6.4.1"), 2023) == f"実績の時点（R6.4.1）{then}"
    assert working_lead(stored("11事業者(R5)", "R5.3末"), 2023).startswith("実績は令和4年度のデータのため")
    assert working_lead(stored("12人", "R6.3末"), 2023) == ""


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    """ほしぞら市 (today's grades), 2024 then 2025, through forms, filling, merge and report."""
    root = tmp_path_factory.mktemp("years") / "ws"
    outcome = run_years_example(root, pdf=False, document=years_document())
    assert outcome.plan_check.errors == 0 and len(outcome.merges) == 2
    return outcome


@pytest.mark.slow
def test_lagging_kpi_is_graded_at_its_data_year(two_years) -> None:
    # worked example: base 2,800千円 (R3), target 3,100千円 (R10); the 2024 report carries the R5 figure 2,850千円.
    # Expected for R5: 2,800 + 300 × 2/7 = 2,885.7; pace = 50 ÷ 85.7 = 58.3 % (< 80 %) → improved: C.
    # Against R6's expected value (2,928.6) the pace would be 38.9 %.
    data = two_years.merges[0].data
    kpi = data.plan.kpi("K6")
    evaluation = data.evaluations["K6"]
    assert data.data_years == {"K6": 2023}
    assert abs(expected_value(kpi, 2023) - Decimal("2885714.3")) < 1  # R5's, not R6's (2,928,571.4)
    assert evaluation.expected == Decimal("2885700")  # as the working shows it: 2,885.7千円
    assert evaluation.pace == Decimal("58.3") and evaluation.grade == "C"
    assert evaluation.working.startswith("実績は令和5年度のデータのため、令和5年度の想定値と比べて評価します（報告は令和6年度）。")
    # in the report's tables the data's year stands under the value, so a narrow cell never breaks it (「（R5年/度）」)
    assert actual_text(data, "K6", kpi.departments) == "2,850千円\n（R5年度）"
    # the next year the 時点 is in the value: 「2,890千円（令和6年度）」 → graded at R6
    assert two_years.merges[1].data.data_years == {"K6": 2024}


@pytest.mark.slow
def test_series_and_previous_grade(two_years) -> None:
    data = two_years.merges[1].data
    assert [(p.year, p.evaluation.grade) for p in data.series["K7"]] == [(2024, "B"), (2025, "−")]
    assert [(p.year, p.data_year) for p in data.series["K6"]] == [(2024, 2023), (2025, 2024)]
    before = data.previous("K7")
    assert before is not None and before.year == 2024 and before.evaluation.grade == "B" and before.rules_then
    assert data.previous("K1").evaluation.rate == Decimal("15.0")  # 2024: (43 − 40) ÷ (60 − 40)
    # a year whose entry had no number (未記入の理由 統計未公表) is in the series too, as it was graded
    next_year = period_data(Workspace(two_years.root), "2026")
    k3 = next_year.previous("K3")
    assert k3 is not None and k3.year == 2025 and k3.evaluation.grade == "−" and k3.stored.reason == "統計未公表"


def _cells(sheet) -> dict[str, list]:
    header = [c.value for c in sheet[3]]
    return {str(h): [row[i] for row in sheet.iter_rows(min_row=4, values_only=True)] for i, h in enumerate(header)}


@pytest.mark.slow
def test_master_shows_previous_grade_data_year_and_series(two_years) -> None:
    book = openpyxl.load_workbook(two_years.merges[1].master)
    kpis = _cells(book["KPI一覧"])
    row = kpis["指標ID"].index("K7")
    assert kpis["評価"][row] == "− 評価不能" and kpis["前年度の評価"][row] == "B 順調"
    k6 = kpis["指標ID"].index("K6")
    assert kpis["令和6年度 実績"][k6] == "2,850千円（R5年度）" and kpis["令和7年度 実績"][k6] == "2,890千円（R6年度）"
    series = _cells(book["推移（総合戦略）"])
    k6 = series["指標ID"].index("K6")
    assert [series[f"{y} 実績"][k6] for y in ("令和6年度", "令和7年度")] == ["2,850千円（R5年度）", "2,890千円（R6年度）"]
    k7 = series["指標ID"].index("K7")
    assert [series[f"{y} 評価"][k7] for y in ("令和6年度", "令和7年度")] == ["B 順調", "− 評価不能"]
    assert series["令和6年度 達成率"][series["指標ID"].index("K1")] == 15.0


@pytest.mark.slow
def test_report_shows_previous_grade_and_series_pages(two_years) -> None:
    document = docx.Document(two_years.report.path)
    tables = [t for t in document.tables if table_rows(t)[0].cells[-1].text == "前年度評価"]
    assert tables, "the body's KPI tables have a 前年度評価 column"
    rows = {r.cells[0].text: [c.text for c in r.cells] for t in tables for r in table_rows(t)[1:]}
    k7 = next(cells for name, cells in rows.items() if "創業塾" in name)
    assert k7[-2:] == ["− 評価不能", "B 順調"]
    k6 = next(cells for name, cells in rows.items() if "所得" in name)
    assert k6[2] == "2,890千円\n（令和6年度）"  # the 時点 written in the value, as written, on a line of its own
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading") or "見出し" in p.style.name]
    assert "指標の推移" in headings  # asked for by the plan's 報告書の章
    series_tables = [t for t in document.tables if [c.text for c in t.rows[0].cells] == ["年度", "実績値", "想定値", "達成率", "評価"]]
    assert len(series_tables) == 7  # a page per KPI
    assert [c.text for c in series_tables[5].rows[1].cells][:2] == ["令和6年度", "2,850千円（R5年度）"]  # 時点 typed
    charts = document.inline_shapes
    assert len(charts) >= 7
    # each KPI's heading, line, table and notes keep with its chart: no chart opens a page on its own
    body = list(document.element.body.iterchildren())
    start = next(i for i, e in enumerate(body) if e.tag.endswith("}p") and Paragraph(e, document).text == "指標の推移")
    block: list = []
    for element in body[start + 2:]:
        if element.tag.endswith("}p") and element.xpath(".//pic:pic"):
            assert block and all(_keeps_with_next(e, document) for e in block), "a chart kept apart from its KPI"
            block = []
        elif element.tag.endswith("}tbl") or element.xpath(".//w:t"):
            block.append(element)


def _keeps_with_next(element, document) -> bool:
    """A paragraph keeps with the next (itself or by its style: headings), a table by every row's paragraphs."""
    paragraphs = [Paragraph(p, document) for p in element.iter(qn("w:p"))]
    return all(p.paragraph_format.keep_with_next or p.style.paragraph_format.keep_with_next for p in paragraphs)


def test_rules_record_round_trip() -> None:
    grades = (Grade("A", "達成", "final_reached", Decimal(100)), Grade("−", "評価不能", "not_evaluable"))

    settings = Settings(city="ほしぞら市", report_title="t", nobase_threshold=Decimal("90"), maintain_tolerance=Decimal("1.5"))
    back_grades, back_settings = rules_from_record(rules_record(grades, settings), Settings(city="x", report_title="y"))
    assert back_grades == grades
    assert back_settings.nobase_threshold == Decimal("90") and back_settings.maintain_tolerance == Decimal("1.5")


@pytest.mark.slow
def test_past_grade_keeps_the_rules_of_its_merge(tmp_path) -> None:
    """Change the plan's grades after the 2024 merge: the 2024 grade shown beside 2025 stays as it was."""
    root = tmp_path / "ws"
    first = run_years_example(root, pdf=False, document=years_document())
    assert first.merges[0].data.evaluations["K7"].grade == "B"  # pace 200 % ≥ 80 %
    stricter = [dict(g, threshold=250) if g["code"] == "B" else g for g in TODAYS_GRADES]
    workspace = Workspace.create(root, force=True, keep_history=True, document=years_document(stricter))
    now = period_data(workspace, "2025")
    assert now.plan.grades[1].threshold == Decimal(250)
    before = now.previous("K7")
    assert before is not None and before.evaluation.grade == "B" and before.rules_then  # not regraded to C
    published = kpi_series(now.plan.kpi("K7"), now)  # the citizens' site shows the same past grade
    assert [(p.year, p.evaluation.grade) for p in published][0] == (2024, "B")
    assert period_data(workspace, "2024").evaluations["K7"].grade == "C"  # today's rules, asked for today

    # a history from before the KPIs' baselines and targets were stored: today's, and says so
    db = sqlite3.connect(str(workspace.history_file))
    db.execute("UPDATE merge_rules SET rules = json_remove(rules, '$.kpis')")
    db.commit()
    db.close()
    unrecorded = period_data(workspace, "2025").previous("K7")
    assert unrecorded is not None and unrecorded.rules_then and not unrecorded.kpi_then
    assert unrecorded.evaluation.grade == "B" and unrecorded.evaluation.working.endswith(TODAYS_KPI)

    # a history from before rules were stored: the year is graded with today's rules, and says so
    db = sqlite3.connect(str(workspace.history_file))
    db.execute("DELETE FROM merge_rules")
    db.commit()
    db.close()
    again = period_data(workspace, "2025").previous("K7")
    assert again is not None and not again.rules_then and again.evaluation.grade == "C"
    assert again.evaluation.working.endswith(TODAYS_RULES)

    # old records from before the plan (令和6年度～) are shown as history, not graded in the series
    history = History(workspace.history_file)
    try:
        history.import_actual("K1", 2022, parse_value("38.0%"), "旧実績.xlsx", "C2")
    finally:
        history.close()
    later = period_data(workspace, "2025")
    assert 2022 in later.history["K1"] and [p.year for p in later.series["K1"]] == [2024, 2025]


def test_kpis_record_round_trip() -> None:
    """Every example KPI's grading fields come back as they were (interim targets, a value's own year, のべ,
    以上), and a KPI recorded before the office changed its target comes back with the target of its time."""
    for example in ("example", "example_sakura", "example_h28", "example_kawasemi", "example_hoshizora"):
        plan = plan_of(example)
        stored = json.loads(json.dumps(rules_record(plan.grades, plan.settings, plan.kpis)))["kpis"]
        assert all(kpi_as_recorded(kpi, stored[kpi.id]) is kpi for kpi in plan.kpis), example
    kpi = next(k for k in plan_of("example_sakura").kpis if k.interim_targets)
    then = json.loads(json.dumps(rules_record((), Settings(city="x", report_title="y"), [kpi])))["kpis"][kpi.id]
    raised = dataclasses.replace(kpi, target=parse_value("250万人"), target_year=kpi.target_year + 2,
                                 interim_targets=(), direction="減少")
    back = kpi_as_recorded(raised, then)
    assert [getattr(back, name) for name in GRADING_FIELDS] == [getattr(kpi, name) for name in GRADING_FIELDS]
    assert back.name == raised.name


def plan_of(example: str):
    return load_plan(Path(kpireport.__file__).parent / example / "plan.yaml").plan


def test_older_history_gets_the_rules_table(tmp_path) -> None:
    path = tmp_path / "履歴.sqlite3"
    History(path).close()
    db = sqlite3.connect(str(path))
    db.execute("DROP TABLE merge_rules")
    db.commit()
    db.close()
    history = History(path)
    try:
        assert rules_of(history, "2024") is None
        merge_id = history.start_merge("2024", "hash")
        record_rules(history, merge_id, {"grades": [], "settings": {}})
        assert rules_of(history, "2024") == {"grades": [], "settings": {}}
    finally:
        history.close()


def test_line_chart_is_a_deterministic_png(two_years) -> None:
    from kpireport.council.series import chart_note, line_chart
    from kpireport.council.series_chart import line_chart_png
    data = two_years.merges[1].data
    chart = line_chart(data.plan.kpi("K6"), data.series["K6"])
    assert chart.actuals == [(2023, 2850.0), (2024, 2890.0)]  # at the years the data is of
    assert chart.path[0] == (2021, 2800.0) and chart.path[-1] == (2028, 3100.0) and chart.target == (2028, 3100.0)
    png = line_chart_png(chart)
    assert png.startswith(b"\x89PNG") and png == line_chart_png(chart)
    assert list(chart.year_label) == list(range(2021, 2029))  # every year on the axis, none skipped

    direction = dataclasses.replace(data.plan.kpi("K6"), target=parse_value("延伸"))  # a target that is a direction
    chart = line_chart(direction, data.series["K6"])
    assert chart.path == [] and chart.target is None and chart.baseline is not None  # a point, not an empty line
    assert chart_note(chart) == "グラフ: 点は実績値（データの年度の位置）、四角は基準値。"  # only the marks it draws
    assert list(chart.year_label) == list(range(chart.baseline[0], (direction.target_year or 0) + 1))
    assert line_chart_png(chart).startswith(b"\x89PNG")


@pytest.mark.slow
def test_a_provisional_value_written_with_its_word_is_marked_once(two_years) -> None:
    """「4,500人見込」 says 見込み itself: the report does not add 「（見込み）」 again; a bare provisional figure gets it."""
    data = two_years.merges[1].data
    departments = data.plan.kpi("K1").departments
    stored = data.values["K1"]
    with_word = dataclasses.replace(stored, value=parse_value("4,500人見込"), provisional=True, as_of="")
    bare = dataclasses.replace(stored, value=parse_value("4,500人"), provisional=True, as_of="")
    assert actual_text(dataclasses.replace(data, values={**data.values, "K1": with_word}), "K1", departments) \
        == "4,500人見込"
    assert actual_text(dataclasses.replace(data, values={**data.values, "K1": bare}), "K1", departments) \
        == "4,500人（見込み）"
