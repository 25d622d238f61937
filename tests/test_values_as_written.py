"""Values as departments write them, typed into the forms in LibreOffice Calc and followed through the real CLI
(validate, merge, publish): the year a figure is of, 速報値 and 暫定, qualifiers that contradict the plan, a reason
typed as the value, a first value thousands of times the baseline (outside tester p2's findings 1–7).

Every KPI of the embedded example has its baseline in 令和4年度 (R4) and its target in 令和8年度; the period is
令和5年度 実績. Where Calc is missing, openpyxl writes the same cells (tests/calc.py).
"""
from __future__ import annotations

import csv
import json

import openpyxl
import pytest
from calc import type_into
from click.testing import CliRunner
from forms_helpers import column, filled_form

from kpireport.cli.commands import cli
from kpireport.forms import layout as fl
from kpireport.history.store import form_key_in
from kpireport.periods import ReportPeriod
from kpireport.plan.load import load_plan
from kpireport.workspace import Workspace

R5 = ReportPeriod(2023)
TRADE, TOURISM, ELDERLY, REGION = "商工労働課", "観光政策課", "高齢福祉課", "地域振興課"
CHILD, POLICY = "こども家庭課", "政策推進課"

# (department, KPI, 実績値, 時点): None leaves the 時点 empty, "" keeps the form's (R6.3末, as filled)
ACCEPTED = [
    (TRADE, "K-S1-04", "27人(R6)", None),  # 雇用創出数: a year after the report's (a calendar 令和6年3月?)
    (TRADE, "K-S1-1-05", "3件(R6)", ""),  # the calendar 令和6年 that its 時点 R6.3末 closes: 令和5年度's, no word
    (TRADE, "K-S1-1-01", "3社(R5)", "R5.3末"),  # a bare year its 時点 pins to the base year 令和4年度
    (CHILD, "K-S3-01", "60", "R6.4.1"),  # 出生数: a stock as of 1 April after the year, graded as the report year's
    (POLICY, "K-S2-01", "12人", ""),  # 社会増減数 △244人 → △160人: a net gain is no slip of scale
    (POLICY, "K-S3-03", "△5人", ""),  # 0～19歳の社会増減数 △76人 → △22人
    (TRADE, "K-S1-1-03", "25人(H26)", None),  # 就職祝金支給人数: before the base year
    (TRADE, "K-S1-1-04", "19.7% (H28年度卒業生)", None),  # 市内就職率: the year inside a note
    (TRADE, "K-S1-2-01", "11事業者（暫定）", "R5.3末"),  # 暫定, and a 時点 that closes the base year
    (TRADE, "K-S1-2-02", "2", "H26.3末"),  # 事業承継支援数: a 時点 before the base year
    (TRADE, "K-S1-2-03", "4回 (R3~R5)", ""),  # a span ending in the report year
    (TRADE, "K-S1-4-02", "１，２３４件", ""),  # MineCollection認定商品数 74件 → 110件: a first value far off
    (TOURISM, "K-S2-1-01", "2.4億円", ""),  # 1人当たり観光消費額 5,769円 → 7,000円: 億 for 円
    (TOURISM, "K-S2-1-02", "3.72ポイント (速報値)", ""),
    (ELDERLY, "K-S4-2-04", "260人 速報値", ""),  # the word without brackets
]
REFUSED = [
    (REGION, "K-S2-3-01", "138人(累計)", ""),  # 関係人口登録者数 (単年度) given a 累計
    (REGION, "K-S2-4-04", "年平均14件 (H27・28)", None),  # 住居取得補助件数(累計) given a 年平均
    (REGION, "K-S3-1-01", "集計中", ""),  # a 未記入の理由 typed as the value
    (REGION, "K-S4-4-03", "8人以下", ""),  # a bound for an actual
    (TRADE, "K-S1-2-03", "4回(H26)", "令和6年3月末"),  # the value's year against its own 時点
    (TRADE, "K-S1-2-02", "年平均3件 (R3~R5)", None),  # 事業承継支援数 (単年度) given a 年平均
]


def _type(ws: Workspace, plan, cases) -> None:
    """Fill every department's form with the sample values, then type the cases into KPI実績 in Calc."""
    key = form_key_in(ws.history_file)
    paths = {d: filled_form(plan, d, R5, ws.inbox, key=key) for d in fl.departments_with_forms(plan)}
    actual, as_of, reason = (column(fl.KPI_SHEET, k, R5) for k in ("actual", "as_of", "reason"))
    letter = openpyxl.utils.get_column_letter
    for department in dict.fromkeys(d for d, *_ in cases):
        sheet = openpyxl.load_workbook(paths[department])[fl.KPI_SHEET]
        rows = {c.value: c.row for c in sheet["A"]}
        entries: list[tuple[str, str, object]] = []
        for _, ident, value, when in (c for c in cases if c[0] == department):
            r = rows[ident]
            entries += [(fl.KPI_SHEET, f"{letter(actual)}{r}", value), (fl.KPI_SHEET, f"{letter(reason)}{r}", None)]
            if when != "":
                entries.append((fl.KPI_SHEET, f"{letter(as_of)}{r}", when))
        type_into(paths[department], entries, paths[department])


def _findings(output: str) -> dict[str, list[tuple[str, str, str]]]:
    """validate --json: each file's findings as (department, cell, code), and the messages by cell."""
    report = json.loads(output)
    return {task["department"]: [(f["cell"], f["code"], f["message"]) for f in task["findings"]]
            for task in report["tasks"]}


def _invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def accepted(tmp_path_factory):
    ws = Workspace.create(tmp_path_factory.mktemp("values") / "ws")
    _type(ws, load_plan(ws.plan_file).plan, ACCEPTED)
    checked = _invoke("validate", "-w", str(ws.root), "--json", "--no-feedback")
    merged = _invoke("merge", "-w", str(ws.root))
    published = _invoke("publish", "-w", str(ws.root))
    return ws, checked, merged, published


@pytest.mark.slow  # LibreOffice Calc, and the whole example merged and published
def test_years_provisional_words_and_jumps_are_told_at_the_cell(accepted):
    ws, checked, *_ = accepted
    assert checked.exit_code == 0, checked.output
    found = _findings(checked.output)
    told = {(d, cell, code) for d, rows in found.items() for cell, code, _ in rows if code != "kpi-value-text"}
    assert told == {
        (TRADE, "J6", "kpi-data-after"), (TRADE, "J9", "kpi-data-before-base"), (TRADE, "J7", "kpi-data-base-year"),
        (CHILD, "K4", "kpi-asof-after"),
        (TRADE, "J10", "kpi-data-before-base"), (TRADE, "J12", "kpi-provisional"), (TRADE, "K12", "kpi-data-base-year"),
        (TRADE, "K13", "kpi-data-before-base"), (TRADE, "J16", "kpi-jump-baseline"),
        (TOURISM, "J5", "kpi-jump-baseline"), (TOURISM, "J6", "kpi-provisional"), (ELDERLY, "J4", "kpi-provisional")}
    said = {(d, cell): message for d, rows in found.items() for cell, _, message in rows}
    assert "時点「R5.3末」は令和4年度の時点として読みました（令和5年度末なら「R6.3末」です）" in said[TRADE, "K12"]
    assert "計画の基準年度（令和4年度）より前のデータのため、評価しません" in said[TRADE, "J9"]
    assert "「R6」が暦年の令和6年（その1〜3月は令和5年度）のことなら" in said[TRADE, "J6"]
    assert "基準値（5,769円（令和4年度））とも目標値（7,000円（令和8年度））とも3倍を超えて" in said[TOURISM, "J5"]
    assert "「速報値」（確定前の値）として受け付けました" in said[ELDERLY, "J4"]
    assert ("「3社(R5)」の年「R5」は暦年とも読めるため、時点「R5.3末」（K7）から令和4年度のデータとして読みました"
            in said[TRADE, "J7"])
    assert "時点「R6.4.1」は令和6年度の時点として読みましたが" in said[CHILD, "K4"]


def _master_rows(ws: Workspace) -> dict[str, dict[str, object]]:
    sheet = openpyxl.load_workbook(ws.master_file(R5), read_only=True)["KPI一覧"]
    rows = list(sheet.iter_rows(values_only=True))
    head = rows[2]
    return {r[0]: dict(zip(head, r)) for r in rows[3:] if r[0]}


@pytest.mark.slow
def test_the_master_grades_and_shows_each_figure_of_its_own_year(accepted):
    ws, _, merged, _ = accepted
    assert merged.exit_code == 0, merged.output
    rows = _master_rows(ws)
    shown = {k: (rows[k]["令和5年度 実績"], rows[k]["見込み"] or "", rows[k]["評価"]) for k, *_ in
             [(c[1],) for c in ACCEPTED]}
    assert shown == {
        "K-S1-04": ("27人(R6)", "", "B 順調"),  # graded as 令和5年度's: its year as written, not as R6's data
        "K-S1-1-05": ("3件(R6)", "", "B 順調"),  # as written: its 時点 says it is 令和5年度's
        "K-S1-1-01": ("3社(R5)（R4年度）", "", "B 順調"),  # the department's year kept, and the year graded
        "K-S3-01": ("60人（R6.4.1時点）", "", "D 悪化"),
        "K-S2-01": ("12人", "", "A 達成"),
        "K-S3-03": ("△5人", "", "A 達成"),
        "K-S1-1-03": ("25人（H26年度）", "", "− 評価不能"),
        "K-S1-1-04": ("19.7%(H28年度卒業生)", "", "− 評価不能"),
        "K-S1-2-01": ("11事業者（暫定）（R4年度）", "見込み", "B 順調"),  # the base year's: graded as today
        "K-S1-2-02": ("2件（H25年度）", "", "− 評価不能"),
        "K-S1-2-03": ("4回（R3~R5）", "", "A 達成"),
        "K-S1-4-02": ("1,234件", "", "A 達成"),  # warned, not refused
        "K-S2-1-01": ("240,000,000円", "", "A 達成"),
        "K-S2-1-02": ("3.72ポイント（速報値）", "見込み", "B 順調"),
        "K-S4-2-04": ("260人（速報値）", "見込み", "B 順調"),
    }
    working = {k: rows[k]["計算の根拠"] for k in rows}
    assert "実績は平成26年度のデータで、計画の基準年度（令和4年度）より前のため評価しません。" in working["K-S1-1-03"]
    # a later year said alike whether written in the value or in the 時点
    assert working["K-S1-04"].startswith("実績の値の年（R6）は令和6年度ですが、報告は令和5年度のため、令和5年度の値として評価します。")
    assert working["K-S3-01"].startswith("実績の時点（R6.4.1）は令和6年度ですが、報告は令和5年度のため、令和5年度の値として評価します。")
    assert "異なります" not in working["K-S1-04"] + working["K-S1-1-05"]
    assert working["K-S1-1-01"].startswith("実績は令和4年度のデータのため、令和4年度の想定値と比べて評価します")
    assert "実績 4回（R3~R5）。" in working["K-S1-2-03"]
    assert working["K-S2-1-02"].endswith("（見込み値による暫定評価）")


@pytest.mark.slow
def test_the_open_data_carries_the_data_year_and_keeps_provisional_figures_off(accepted):
    ws, *_, published = accepted
    assert published.exit_code == 0, published.output
    data = ws.output / "公開" / "data"
    with open(data / "values.csv", encoding="utf-8-sig", newline="") as handle:
        rows = {(r["指標ID"], r["年度"]): r for r in csv.DictReader(handle)}
    mine = {k: (r["データの年度"], r["実績の表記"], r["達成率"], r["評価"]) for (k, year), r in rows.items()
            if year == "2023" and k in {c[1] for c in ACCEPTED}}
    assert mine == {
        "K-S1-04": ("2023", "27人(R6)", "94.4", "B"),  # the year it was graded at, beside that year's 想定値
        "K-S1-1-05": ("2023", "3件(R6)", "33.3", "B"),
        "K-S1-1-01": ("2022", "3社(R5)（R4年度）", "33.3", "B"),
        "K-S3-01": ("2023", "60人（R6.4.1時点）", "-200", "D"),
        "K-S2-01": ("2023", "12人", "304.8", "A"),
        "K-S3-03": ("2023", "△5人", "131.5", "A"),
        "K-S1-1-03": ("2014", "25人（H26年度）", "", "−"),
        "K-S1-1-04": ("2016", "19.7%(H28年度卒業生)", "", "−"),
        "K-S1-2-02": ("2013", "2件（H25年度）", "", "−"),
        "K-S1-2-03": ("2023", "4回（R3~R5）", "100", "A"),
        "K-S1-4-02": ("2023", "1,234件", "3222.2", "A"),
        "K-S2-1-01": ("2023", "240,000,000円", "19495875.8", "A"),
    }  # 暫定 and 速報値 (K-S1-2-01, K-S2-1-02, K-S4-2-04) are kept off, as 見込み values are
    records = json.loads((data / "values.json").read_text(encoding="utf-8"))
    assert {r["指標ID"]: r["データの年度"] for r in records if r["年度"] == 2023}["K-S1-1-03"] == 2014
    page = (ws.output / "公開" / "kpi-K-S1-2-03.html").read_text(encoding="utf-8")
    assert "4回（R3~R5）" in page and '<td class="num">100.0%</td>' in page  # the report's 100.0%, not 100%


@pytest.mark.slow  # LibreOffice Calc
def test_what_contradicts_the_plan_is_refused_with_what_to_do(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    _type(ws, load_plan(ws.plan_file).plan, REFUSED)
    checked = _invoke("validate", "-w", str(ws.root), "--json", "--no-feedback")
    assert checked.exit_code == 1
    found = _findings(checked.output)
    errors = {(d, cell, code) for d, rows in found.items() for cell, code, _ in rows
              if code not in ("kpi-value-text", "kpi-data-before-base")}
    assert errors == {(REGION, "J5", "kpi-aggregation-conflict"), (REGION, "J11", "kpi-aggregation-conflict"),
                      (REGION, "J12", "kpi-value-is-reason"), (REGION, "J17", "kpi-value-bound"),
                      (TRADE, "J14", "kpi-year-conflict"), (TRADE, "J13", "kpi-aggregation-conflict")}
    said = {(d, cell): message for d, rows in found.items() for cell, _, message in rows}
    assert said[REGION, "J12"].endswith("実績値の欄（J12）を空欄にし、「未記入の理由」（M12）で「集計中」を選んでください。")
    assert "計画ではこの指標は単年度の指標（その年度1年間の値）です。令和5年度の1年間の値を" in said[REGION, "J5"]
    assert "計画ではこの指標は累計の指標（計画期間の累計）です" in said[REGION, "J11"]
    assert "「8人以下」は備考（L17）に書いてください" in said[REGION, "J17"]
    assert "時点「令和6年3月末」（K14）は令和5年度です" in said[TRADE, "J14"]
