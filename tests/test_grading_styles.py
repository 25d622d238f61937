"""Each grading method cities publish (DOMAIN.md "Grading methods cities publish"), one test per style built from
its worked example: the grade, the rate and the sentence of the working. Then the plan check of the bands (a gap,
a band never taken) and the property that a band set without a gap grades every evaluable KPI once."""
from __future__ import annotations

import dataclasses
from decimal import Decimal
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
import xlsxwriter
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kpireport.bands import Facts, band_problems, walk
from kpireport.council import content
from kpireport.evaluate import figures, tally
from kpireport.evaluate.arithmetic import percent_text, shown_percent
from kpireport.evaluate.display import method_note
from kpireport.evaluate.results import KpiRow, kpi_rows
from kpireport.evaluate.rules import evaluate_kpi
from kpireport.forms import layout as fl
from kpireport.forms.writer import list_validation
from kpireport.master.sheet_writer import SheetWriter
from kpireport.model import (
    BESIDE,
    GAP_FORMULA,
    RATIO_FORMULA,
    SUMMARY_FIGURES,
    Evaluation,
    Grade,
    Initiative,
    InitiativeEntry,
    Kpi,
    Settings,
    Value,
)
from kpireport.periods import ReportPeriod
from kpireport.plan.load import load_plan
from kpireport.plan.workbook import write_plan_workbook
from kpireport.values import parse_value


def number(n: str, unit: str = "%") -> Value:
    return Value("number", f"{n}{unit}", number=Decimal(n), unit=unit)


def make(baseline: str | None, target: Value | str, direction: str = "増加", unit: str = "%",
         target_type: str = "値", formula: str = "") -> Kpi:
    return Kpi(id="K1", name="指標", unit=unit, direction=direction, target_type=target_type, aggregation="単年度",
               baseline=number(baseline, unit) if baseline is not None else Value("none"), baseline_year=2020,
               target=target if isinstance(target, Value) else number(target, unit), target_year=2030, node="N1",
               rate_formula=formula)


def grade(kpi: Kpi, actual: str | None, grades: tuple[Grade, ...], formula: str = GAP_FORMULA, reason: str = "",
          second: tuple[Grade, ...] = (), second_scale: str = ""):
    s = Settings(city="テスト市", report_title="テスト", rate_formula=formula, second_scale=second_scale)
    value = number(actual, kpi.unit) if actual is not None else None
    return evaluate_kpi(kpi, value, 2025, grades, s, reason=reason, second=second)


# A ≥ 100 / B ≥ 80 / C ≥ 60 / D below (the rate bands of about half the cities)
RATE_BANDS = (Grade("A", "達成", "final_reached", Decimal(100)), Grade("B", "概ね達成", "rate_band", Decimal(80)),
              Grade("C", "やや遅れ", "rate_band", Decimal(60)), Grade("D", "遅れ", "otherwise"),
              Grade("−", "評価不能", "not_evaluable"))


def test_rate_actual_over_target():
    """Baseline 40 %, actual 45 %, target 60 %: 実績÷目標 gives 75 % → C; the gap formula would give 25 % → D."""
    kpi = make("40", "60")
    e = grade(kpi, "45", RATE_BANDS, RATIO_FORMULA)
    assert (e.grade, e.rate) == ("C", Decimal("75.0"))
    assert "達成率の式「実績÷目標」により、達成率 = 実績 ÷ 目標値 = 45 ÷ 60 = 75.0%。" in e.working
    assert "達成率80%未満で、達成率60%以上のため「C やや遅れ」。" in e.working
    gap = grade(kpi, "45", RATE_BANDS)
    assert (gap.grade, gap.rate) == ("D", Decimal("25.0"))
    assert "達成率 =（45−40）÷（60−40）= 25.0%。" in gap.working


def test_rate_actual_over_target_lower_is_better_and_per_kpi():
    """Lower is better: target 150, actual 200 → 75 %; the KPI's own 達成率の式 overrides the settings'."""
    kpi = make("250", "150", direction="減少", unit="件", formula=RATIO_FORMULA)
    e = grade(kpi, "200", RATE_BANDS, GAP_FORMULA)
    assert (e.grade, e.rate) == ("C", Decimal("75.0"))
    assert "達成率 = 目標値 ÷ 実績 = 150 ÷ 200 = 75.0%。" in e.working


# ほしぞら市's bands: A the final target, B on pace (≥ 80 %), C the same level as the baseline (±10 %), D the rest
HOSHIZORA = (Grade("A", "達成", "final_reached", Decimal(100)), Grade("B", "順調", "on_pace", Decimal(80)),
             Grade("C", "横ばい", "same_level", Decimal(10)), Grade("D", "遅れ", "otherwise"),
             Grade("−", "評価不能", "not_evaluable"))


@pytest.mark.parametrize("baseline,target,direction,unit,actual,expected,rate,pace,sentence", [
    # worse than the baseline is never on pace: 80 % → 90 % over 2020–2030, 2025 expects 85 %
    ("80", "90", "増加", "%", "75", "C", "83.3", "-100.0", "（75−80）÷（85−80）= △100.0%。"),
    ("240", "150", "減少", "件", "251", "C", "59.8", "-24.4", "（251−240）÷（195−240）= △24.4%。"),
    # DOMAIN's same-level example: baseline 200, actual 212 (+6 %) with 2025 expecting 250: p = 12 ÷ 50
    ("200", "300", "増加", "人", "212", "C", "70.7", "24.0", "（212−200）÷（250−200）= 24.0%。"),
    ("40", "60", "増加", "%", "49", "B", "81.7", "90.0", "（49−40）÷（50−40）= 90.0%。"),
])
def test_ratio_formula_keeps_the_gap_pace(baseline, target, direction, unit, actual, expected, rate, pace, sentence):
    """実績÷目標 defines r only; the pace is (actual − baseline) ÷ (expected − baseline) for every formula."""
    e = grade(make(baseline, target, direction=direction, unit=unit), actual, HOSHIZORA, RATIO_FORMULA)
    assert (e.grade, e.rate, e.pace) == (expected, Decimal(rate), Decimal(pace))
    assert "ペースは達成率の式によらず、基準値から想定値までの伸びに対する実績の伸びで見ます。" in e.working
    assert sentence in e.working


def test_hoshizora_samples_grade_as_the_example_says():
    """The example's own comments: K5 baseline 200千人, actual 212千人 → 「C 横ばい」 (+6 %; p = 12 ÷ 40 = 30 %);
    K2 延伸 by +0.8 % → C; lagging K6 at its data's year. Every grade and pace worked by hand from DOMAIN."""
    folder = Path(str(resources.files("kpireport").joinpath("example_hoshizora")))
    plan = load_plan(folder / "plan.yaml").plan
    samples = yaml.safe_load((folder / "sample_values.yaml").read_text(encoding="utf-8"))
    expected = {"2024": {"K1": ("C", "75.0"), "K2": ("C", None), "K3": ("B", "150.0"), "K4": ("B", "111.1"),
                         "K5": ("C", "25.0"), "K6": ("C", "58.3"), "K7": ("B", "200.0")},
                "2025": {"K1": ("D", "62.5"), "K2": ("C", None), "K4": ("B", "111.1"), "K5": ("C", "30.0"),
                         "K6": ("C", "70.0")}}
    for year, kpis in expected.items():
        got = {}
        for kpi_id in kpis:
            kpi, raw = plan.kpi(kpi_id), samples[year][kpi_id]["actual"]
            value = parse_value(raw if isinstance(raw, str) else f"{raw}{kpi.unit}")
            at = int(year) - (1 if kpi_id == "K6" else 0)  # K6's data is a year behind (graded at its own year)
            e = evaluate_kpi(kpi, value, at, plan.grades, plan.settings)
            got[kpi_id] = (e.grade, None if e.pace is None else str(e.pace))
        assert got == kpis, year


@pytest.mark.parametrize("target,target_type", [("100", "維持"), ("100", "以上")])
def test_ratio_formula_says_when_the_tolerance_reaches_the_target(target, target_type):
    """100% → 100% (維持 or 以上) under 実績÷目標 with 維持目標の許容幅 3: 98% is reached, and the working says why."""
    s = Settings(city="テスト市", report_title="テスト", rate_formula=RATIO_FORMULA, maintain_tolerance=Decimal(3))
    e = evaluate_kpi(make("100", target, target_type=target_type), number("98"), 2025, HOSHIZORA, s)
    assert (e.grade, e.rate) == ("A", Decimal("98.0"))
    assert ("達成率 = 実績 ÷ 目標値 = 98 ÷ 100 = 98.0%。実績は目標値に許容幅（3ポイント）の範囲で届いているため、"
            "達成とみなします。") in e.working


def test_a_rate_below_a_threshold_is_never_shown_at_it(tmp_path):
    """かわせみ町 KP2-2-1: 2,699 of 3,000 without a baseline is 89.97 %, under the 90 % for target-only KPIs: the
    working, the report and the master show 89.97 %, not 90.0 %; 2,700 is 90.0 %; away from a threshold, one decimal."""
    plan = load_plan(Path(str(resources.files("kpireport").joinpath("example_kawasemi/plan.yaml")))).plan
    kpi = plan.kpi("KP2-2-1")

    def graded(actual: str) -> Evaluation:
        return evaluate_kpi(kpi, parse_value(actual), 2024, plan.grades, plan.settings)

    below, at, far = graded("2,699件"), graded("2,700件"), graded("2,000件")
    assert (below.grade, below.rate, at.grade, at.rate, far.rate) == (
        "C", Decimal("89.97"), "B", Decimal("90.0"), Decimal("66.7"))
    assert "基準値がないため、達成率 = 実績 ÷ 目標値 = 2,699 ÷ 3,000 = 89.97%。達成率100%未満、目標値に対する割合が90%未満で" \
        in below.working
    data = SimpleNamespace(evaluations={"a": below, "b": at, "c": far})
    assert [content.rate_text(data, k) for k in "abc"] == ["89.97%", "90.0%", "66.7%"]  # type: ignore[arg-type]
    workbook = xlsxwriter.Workbook(tmp_path / "m.xlsx")
    writer = SheetWriter(workbook, SimpleNamespace(plan=plan))  # type: ignore[arg-type]
    sheet = workbook.add_worksheet("s")
    for row, e in enumerate((below, at)):
        writer.put(sheet, row, 0, e.rate, writer.style("percent", e.rate))
    workbook.close()
    cells = openpyxl.load_workbook(tmp_path / "m.xlsx")["s"]
    assert [(c.value, c.number_format) for c in cells["A"]] == [(89.97, '0.00"%"'), (90, '0.0"%"')]


@pytest.mark.parametrize("exact,edges,shown", [
    ("89.9666", (90,), "89.97%"), ("89.9999999", (90,), "89.999999%"), ("90", (90,), "90.0%"),
    ("-0.04", (0,), "△0.04%"), ("-0.04", (), "0.0%"), ("90.04", (90,), "90.04%"), ("57.25", (80, 100), "57.3%"), ("10.04", (-10, 10), "10.04%"),
])
def test_shown_percent_keeps_the_side_of_each_threshold(exact, edges, shown):
    assert percent_text(shown_percent(Decimal(exact), [Decimal(e) for e in edges])) == shown


def test_everything_else_band():
    """「D: under 60 %」 whatever the direction of change: 35 % against a baseline of 40 % is D, not a gap."""
    e = grade(make("40", "60"), "35", RATE_BANDS, RATIO_FORMULA)
    assert (e.grade, e.rate) == ("D", Decimal("58.3"))
    assert "達成率60%未満で、上記のいずれにも当てはまらないため「D 遅れ」。" in e.working
    assert band_problems(RATE_BANDS) == []


# S above the target; A above the baseline by more than 10 %; B within ±10 %; C below that (長与町)
SAME_LEVEL = (Grade("S", "目標達成", "final_reached", Decimal(100)), Grade("A", "改善", "improved"),
              Grade("B", "横ばい", "same_level", Decimal(10)), Grade("C", "悪化", "otherwise"),
              Grade("−", "評価不能", "not_evaluable"))


def test_same_level_as_the_baseline():
    """Baseline 200, actual 212 → B (+6 %): the same-level band is taken before 基準値より改善 listed above it."""
    kpi = make("200", "300", unit="人")
    e = grade(kpi, "212", SAME_LEVEL)
    assert (e.grade, e.rate) == ("B", Decimal("12.0"))
    assert "基準値からの変化 =（212−200）÷200 = +6.0%。" in e.working
    assert "基準値と同水準（±10%以内）のため「B 横ばい」。" in e.working
    assert [grade(kpi, a, SAME_LEVEL).grade for a in ("300", "230", "220", "180", "170")] == ["S", "A", "B", "B", "C"]


@pytest.mark.parametrize("word,direction,baseline,actual,expected,change", [
    ("延伸", "増加", "80.5", "82.0", "○", "+1.9%"),
    ("延伸", "増加", "80.5", "80.9", "△", "+0.5%"),
    ("減少", "減少", "120", "100", "○", "△16.7%"),
    ("増加", "増加", "120", "100", "×", "△16.7%"),
])
def test_direction_only_target(word, direction, baseline, actual, expected, change):
    """延伸 (health life expectancy), 増加, 減少: improved / same level / worsened against the baseline, no rate."""
    bands = (Grade("○", "改善", "improved"), Grade("△", "同水準", "same_level", Decimal(1)),
             Grade("×", "悪化", "worsened"), Grade("−", "評価不能", "not_evaluable"))
    kpi = make(baseline, Value("unreadable", raw=word), direction=direction, unit="年", target_type="方向")
    e = grade(kpi, actual, bands)
    assert (e.grade, e.rate, e.pace) == (expected, None, None)
    assert f"目標が「{word}」（方向のみ）のため、達成率は算出せず、基準値からの変化で判定します。" in e.working
    assert f"= {change}。" in e.working


@pytest.mark.parametrize("actual,expected,decision", [
    ("88.0", "A", "基準値からの変化 =（88−79.8）÷79.8 = +10.3%。基準値より改善し（同水準の±10%を超える）、"
                  "方向のみの目標に達しているため「A 達成」。"),
    ("82.0", "C", "基準値からの変化 =（82−79.8）÷79.8 = +2.8%。基準値と同水準（±10%以内）のため「C 横ばい」。"),
    ("79.8", "C", "基準値からの変化 =（79.8−79.8）÷79.8 = ±0.0%。基準値と同水準（±10%以内）のため「C 横ばい」。"),
    ("70.0", "D", "基準値からの変化 =（70−79.8）÷79.8 = △12.3%。基準値より悪化、基準値の±10%を超えて変化で、"
                  "上記のいずれにも当てはまらないため「D 遅れ」。"),
])
def test_direction_only_target_improved_beyond_the_same_level_band_is_reached(actual, expected, decision):
    """ほしぞら市 K2 健康寿命 79.8年 → 延伸: an improvement beyond ±10 % reaches the target (A); it never grades
    below no change (+10.3 % was 「D 遅れ」 like △12.3 %)."""
    kpi = make("79.8", Value("unreadable", raw="延伸"), unit="年", target_type="方向")
    e = grade(kpi, actual, HOSHIZORA)
    assert (e.grade, e.rate, e.pace) == (expected, None, None)
    assert e.working.endswith("目標が「延伸」（方向のみ）のため、達成率は算出せず、基準値からの変化で判定します。"
                              + decision)


def test_direction_only_target_without_a_same_level_band_is_reached_by_any_improvement():
    """美祢市's bands (A 最終目標達成, B ペース, C 基準値より改善, D 基準値より悪化): any improvement reaches 延伸."""
    bands = (Grade("A", "達成", "final_reached", Decimal(100)), Grade("B", "順調", "on_pace", Decimal(80)),
             Grade("C", "遅れ", "improved"), Grade("D", "悪化", "worsened"), Grade("−", "評価不能", "not_evaluable"))
    kpi = make("79.8", Value("unreadable", raw="延伸"), unit="年", target_type="方向")
    assert [grade(kpi, a, bands).grade for a in ("79.9", "79.8", "79.7")] == ["A", "C", "D"]
    assert grade(kpi, "79.9", bands).working.endswith("基準値より改善し、方向のみの目標に達しているため「A 達成」。")
    assert grade(kpi, "79.7", bands).working.endswith("基準値より悪化しているため「D 悪化」。")
    assert band_problems(bands) == [] and band_problems(HOSHIZORA) == []


def test_direction_only_target_without_a_baseline_is_not_evaluable():
    kpi = make(None, Value("unreadable", raw="延伸"), unit="年", target_type="方向")
    e = grade(kpi, "81", (Grade("○", "改善", "improved"), Grade("−", "評価不能", "not_evaluable")))
    assert e.grade == "−" and "目標が「延伸」（方向のみ）で基準値がないため、変化を判定できません" in e.working


def example_plan(folder: str):
    return load_plan(Path(str(resources.files("kpireport").joinpath(f"{folder}/plan.yaml")))).plan


def test_legend_says_what_each_band_takes():
    """The legend is the rule as graded: 基準値より改善 takes an actual equal to the baseline (美祢市 K-S2-01 △244人 is
    「C 遅れ」), with no pace condition of its own; a direction-only target's 「A 達成」 is said; under 実績÷目標
    the pace's own formula is said."""
    mine = method_note(example_plan("example"))
    assert "C 遅れ＝基準値より悪化していない、D 悪化＝基準値より悪化、" in mine and "進捗は想定未満" not in mine
    marks = dataclasses.replace(example_plan("example"), second_grades=(
        Grade("○", "改善", "improved"), Grade("×", "悪化", "otherwise")))
    assert method_note(marks).endswith("評価2: ○ 改善＝基準値より悪化していない、× 悪化＝上記以外。")
    assert "C 遅れ＝基準値より悪化していない（基準値のない指標は目標未達）、" in method_note(example_plan("example_kawasemi"))
    hoshizora = method_note(example_plan("example_hoshizora"))
    assert ("達成率の式を「実績÷目標」とする指標は、達成率＝実績÷目標値（減少が望ましい指標は目標値÷実績）、"
            "想定に対する進捗＝（実績−基準値）÷（想定値−基準値）。目標が方向のみ（延伸・増加・減少など）の指標は、"
            "達成率を算出せず基準値からの変化で評価します（基準値の±10%を超えて改善すれば「A 達成」）。") in hoshizora


def test_rate_notes_name_only_the_kpis_they_are_true_of():
    """「達成率が「－」で評価のある指標（…）は…目標値と比べて」: a 参考指標 (not graded) is not named; a direction-only
    KPI, compared with the baseline, has its own note."""
    sakura, hoshizora = example_plan("example_sakura"), example_plan("example_hoshizora")
    picked = [(sakura, "K1-2-1", "45%"), (sakura, "K1-2-2", "84.5歳"), (hoshizora, "K2", "80.4年"),
              (hoshizora, "K1", "45%")]
    rows = [KpiRow(p.kpi(i), p.kpi(i).node, False, "") for p, i, _ in picked]
    evaluations = {i: evaluate_kpi(p.kpi(i), parse_value(a), 2025, p.grades, p.settings) for p, i, a in picked}
    maintain = dataclasses.replace(sakura.kpi("K1-2-2"), id="M", name="維持する指標", kind="KPI")
    rows.append(KpiRow(maintain, maintain.node, False, ""))
    evaluations["M"] = evaluate_kpi(maintain, parse_value("84.5歳"), 2025, sakura.grades, sakura.settings)
    assert [evaluations[i].grade for i in ("K1-2-2", "K2", "M")] == ["参考", "C", "A"]
    notes = content.rate_notes(SimpleNamespace(evaluations=evaluations), rows)  # type: ignore[arg-type]
    assert notes == ["（注）達成率が「－」で評価のある指標（維持する指標）は、基準値がない、または目標が「維持」などのため"
                     "達成率を計算せず、実績値を目標値と比べて評価しています。",
                     "（注）目標が方向のみ（延伸・増加・減少など）の指標（健康寿命（男性））は、達成率を計算せず、"
                     "実績値を基準値と比べて評価しています。"]


KINDS = RATE_BANDS[:-1] + (Grade("−1", "実績値なし（統計未公表）", "not_evaluable", reason="統計未公表"),
                           Grade("−2", "事業終了", "not_evaluable", reason="事業終了"),
                           Grade("−", "評価対象外", "not_evaluable"))


@pytest.mark.parametrize("reason,code", [("統計未公表", "−1"), ("事業終了", "−2"), ("集計中", "−"), ("", "−")])
def test_kinds_of_cannot_grade(reason, code):
    """The 未記入の理由 the department picked chooses the kind of 評価不能; any other reason, the generic one."""
    e = grade(make("40", "60"), None, KINDS, reason=reason)
    assert (e.grade, e.rate) == (code, None)
    said = f"未記入の理由: {reason}" if reason else "未入力"
    assert f"実績値がありません（{said}）。そのため「{code} " in e.working


def test_second_scale_in_its_own_column():
    """改善・悪化 (○ △ ×) beside the 達成度 (A/B/C/D), graded on the same figures."""
    marks = (Grade("○", "改善", "improved"), Grade("△", "横ばい", "same_level", Decimal(5)),
             Grade("×", "悪化", "worsened"), Grade("−", "評価不能", "not_evaluable"))
    e = grade(make("40", "60"), "45", RATE_BANDS, RATIO_FORMULA, second=marks, second_scale="改善・悪化")
    assert (e.grade, e.second_grade, e.second_label, e.rate) == ("C", "○", "改善", Decimal("75.0"))
    assert "基準値からの変化 =（45−40）÷40 = +12.5%。" in e.working
    assert e.working.endswith("のため「C やや遅れ」。改善・悪化は、基準値より改善しているため「○ 改善」。")
    missing = grade(make("40", "60"), None, RATE_BANDS, second=marks)
    assert (missing.grade, missing.second_grade) == ("−", "−")


def test_gap_and_unreachable_bands_are_found():
    gap = band_problems(RATE_BANDS[:3])
    assert [(p.kind, p.text) for p in gap] == [("gap", "達成率59.9%の指標")]
    swapped = (RATE_BANDS[0], RATE_BANDS[2], RATE_BANDS[1], RATE_BANDS[3])  # C ≥ 60 before B ≥ 80
    assert [(p.kind, p.index, p.text) for p in band_problems(swapped)] == [("unreachable", 2, "A 達成、C やや遅れ")]


def test_plan_check_names_the_cell(tmp_path, document):
    document["grades"] = [{"code": "A", "label": "達成", "rule": "最終目標達成", "threshold": 100},
                          {"code": "B", "label": "概ね", "rule": "達成率", "threshold": 80},
                          {"code": "C", "label": "遅れ", "rule": "達成率", "threshold": 60},
                          {"code": "−", "label": "評価不能", "rule": "評価不能"}]
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    found = [(f.cell, f.code, f.severity) for f in load_plan(path).findings]
    assert found == [("grades[2].rule", "plan-grade-gap", "error")]
    assert "どの評価区分にも当てはまりません" in load_plan(path).findings[0].message


def test_kinds_all_chosen_by_a_reason_get_a_general_kind_for_any_other(tmp_path, document):
    """ほしぞら市's bands before it had a general kind: every 評価不能 is chosen by a reason (統計未公表, 事業終了). A
    KPI not submitted, or 集計中, is none of these: a general 「− 評価不能」 takes it, counted apart, and plan check
    says so at the last kind's cell (it once took the first kind: a missing form counted as 統計未公表)."""
    grades = [g for g in document["grades"] if g["rule"] != "評価不能"]
    document["grades"] = grades + [{"code": "−1", "label": "評価不能（統計未公表）", "rule": "評価不能", "reason": "統計未公表"},
                                   {"code": "−2", "label": "評価不能（事業終了）", "rule": "評価不能", "reason": "事業終了"}]
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    loaded = load_plan(path)
    assert [(f.code, f.severity, f.sheet) for f in loaded.findings] == [
        ("plan-grade-no-general-not-evaluable", "warning", "評価区分")]
    assert "統計未公表、事業終了" in loaded.findings[0].message and "「− 評価不能（その他）」" in loaded.findings[0].message
    plan = loaded.plan
    assert (plan.grades[-1].code, plan.grades[-1].label, plan.grades[-1].reason) == ("−", "評価不能（その他）", "")
    kpi = make("40", "60")
    for reason, code in (("統計未公表", "−1"), ("事業終了", "−2"), ("集計中", "−"), ("", "−")):
        assert grade(kpi, None, plan.grades, reason=reason).grade == code, reason


def grading_document(document: dict) -> dict:
    kpi = document["kpis"][0]
    kpi.update(target="延伸", rate_formula=RATIO_FORMULA)
    kpi.pop("target_type", None)
    document["settings"].update(rate_formula=RATIO_FORMULA, second_scale="改善・悪化", on_track_grade="B",
                                summary_figures=["順調以上の割合", "平均達成率"], rate_bands=[80, "50%"])
    document["second_grades"] = [{"code": "○", "label": "改善", "rule": "基準値より改善"},
                                 {"code": "×", "label": "悪化", "rule": "上記以外"}]
    document["grades"].append({"code": "−2", "label": "事業終了", "rule": "評価不能", "reason": "事業終了"})
    return document


def test_the_workbook_round_trips_the_grading_fields(tmp_path, document):
    """plan convert: what the YAML says about grading survives the plan workbook."""
    grading_document(document)
    yaml_path, xlsx_path = tmp_path / "plan.yaml", tmp_path / "計画体系.xlsx"
    yaml_path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    write_plan_workbook(document, xlsx_path)
    from_yaml, from_xlsx = load_plan(yaml_path), load_plan(xlsx_path)
    assert from_xlsx.findings == [] and from_yaml.findings == []
    a, b = from_yaml.plan, from_xlsx.plan
    assert (a.settings, a.grades, a.second_grades, a.kpis[0]) == (b.settings, b.grades, b.second_grades, b.kpis[0])


def test_plan_accepts_direction_only_targets_and_the_new_settings(tmp_path, document):
    kpi = grading_document(document)["kpis"][0]
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = load_plan(path)
    assert result.findings == []
    loaded = result.plan.kpi(kpi["id"])
    assert (loaded.target_type, loaded.target.raw, loaded.rate_formula) == ("方向", "延伸", RATIO_FORMULA)
    s = result.plan.settings
    assert (s.rate_formula, s.second_scale, s.on_track_grade, s.rate_bands) == (
        RATIO_FORMULA, "改善・悪化", "B", (Decimal(80), Decimal(50)))
    assert [g.code for g in result.plan.second_grades] == ["○", "×"]
    assert result.plan.grades[-1].reason == "事業終了"


# ---------------------------------------------------------------------------------------------------------
# Property: a band set without a gap gives every evaluable KPI exactly one grade
# ---------------------------------------------------------------------------------------------------------

percents = st.decimals(min_value=-300, max_value=300, places=1)
bands = st.lists(st.builds(Grade, code=st.text(min_size=1, max_size=2), label=st.just(""),
                           rule=st.sampled_from(["final_reached", "rate_band", "on_pace", "same_level", "improved",
                                                 "worsened"]),
                           threshold=st.decimals(min_value=0, max_value=150, places=0)), min_size=1, max_size=6)


@st.composite
def facts(draw):
    """An evaluable KPI's facts as the grading makes them (rate, pace and change agree in sign with the gap formula)."""
    kind = draw(st.sampled_from(["gap", "ratio", "nobase", "level", "direction"]))
    change = draw(percents)
    if kind == "gap":
        rate = draw(percents)
        sign = (rate > 0) - (rate < 0)
        change = abs(change) * sign if sign else Decimal(0)
        pace = draw(st.one_of(st.none(), st.just(rate * draw(st.decimals(min_value=1, max_value=5, places=1)))))
        return Facts(rate >= 100, rate, pace, rate >= 0, rate == 0, change)
    if kind == "ratio":
        rate = abs(draw(percents))
        return Facts(rate >= 100, rate, None, change >= 0, change == 0, change)
    if kind == "nobase":
        rate = abs(draw(percents))
        return Facts(rate >= 100, rate, None, None)
    return Facts(kind == "level" and change >= 0, None, None, change >= 0, change == 0, change,
                 direction_only=kind == "direction")


@settings(deadline=None, max_examples=300)
@pytest.mark.slow  # property test (hypothesis)
@given(bands, st.booleans(), st.lists(facts(), min_size=1, max_size=20))
def test_a_band_set_without_a_gap_grades_every_evaluable_kpi_once(grades, catch_all, kpis):
    grades = tuple(grades) + ((Grade("Z", "", "otherwise"),) if catch_all else ())
    if any(p.kind == "gap" for p in band_problems(grades)):
        assert not catch_all  # a last 上記以外 closes every gap
        return
    for f in kpis:
        taken, why = walk(grades, f)
        assert taken is not None, (f, why)
        assert sum(g is taken for g in grades) == 1 and why.endswith("」。")


# ---------------------------------------------------------------------------------------------------------
# Summary figures and the kinds of 評価不能, counted in evaluate/tally
# ---------------------------------------------------------------------------------------------------------

def test_summary_figures_and_not_evaluable_kinds_are_counted_apart():
    """順調以上の割合 over the evaluated KPIs, the average of the rates computed, counts per rate band; each kind
    of 評価不能 counted in its own column."""
    plan = load_plan(Path(str(resources.files("kpireport").joinpath("example_sakura/plan.yaml")))).plan
    plan = dataclasses.replace(
        plan, grades=plan.grades + (Grade("−1", "統計未公表", "not_evaluable", reason="統計未公表"),),
        settings=dataclasses.replace(plan.settings, summary_figures=SUMMARY_FIGURES, on_track_grade="B"))
    year = plan.settings.actual_year
    rows = kpi_rows(plan, year)
    graded = [k for k in plan.kpis if k.graded and k.in_force(year)]
    # made-up results: A at 120 %, B at 90 %, C at 60 %, D at 10 %, then one of each 評価不能 kind, in turn
    cycle = [("A", Decimal(120)), ("B", Decimal(90)), ("C", Decimal(60)), ("D", Decimal(10)), ("−", None),
             ("−1", None)]
    evaluations = {k.id: Evaluation(k.id, year, cycle[i % 6][0], "", cycle[i % 6][0], "x", "", rate=cycle[i % 6][1])
                   for i, k in enumerate(plan.kpis)}
    data = tally.Graded(plan, rows, evaluations, year)
    counts = tally.grade_counts(data)
    expected = {code: sum(evaluations[k.id].grade == code for k in graded) for code, _ in cycle}
    assert counts == {g.code: expected[g.code] for g in plan.grades}
    total = figures.summaries(data, tally.tallies(data))[plan.plans[0].id].rows[-1]
    listed = {r.kpi.id for r in rows if r.kpi.graded}
    got = [evaluations[i] for i in listed]
    evaluated = [e for e in got if e.rate is not None]  # the made-up 評価不能 ones have no rate
    assert total.evaluated == len(evaluated)
    assert total.on_track == sum(e.grade in ("A", "B") for e in evaluated)
    assert total.on_track_share == (Decimal(total.on_track * 100) / len(evaluated)).quantize(Decimal("0.1"))
    assert total.average_rate == (sum(e.rate for e in evaluated) / len(evaluated)).quantize(Decimal("0.1"))
    assert total.band_counts == (sum(e.rate >= 80 for e in evaluated), sum(50 <= e.rate < 80 for e in evaluated),
                                 sum(e.rate < 50 for e in evaluated))
    assert figures.band_labels((Decimal(80), Decimal(50))) == ("80%以上", "50〜80%", "50%未満")


def test_initiative_states_land_in_exactly_one_count_column():
    """Status, left blank by a department that sent its form, not sent at all, a label the settings no longer
    name: each initiative counted once, the columns adding up to the total. A shared initiative follows its lead:
    not sent while the lead has sent nothing, whoever else has (主担当 and 併記 alike)."""
    labels = ("◎実施済", "○継続推進", "△一部実施", "×未実施")
    entry = InitiativeEntry("I1", "○継続推進", sheet="取組状況", row=5)
    blank = dataclasses.replace(entry, status="")
    old = dataclasses.replace(entry, status="完了")
    own = Initiative("I1", "農林課の取組", "N1", departments=("農林課",))
    shared = dataclasses.replace(own, departments=("農林課", "商工課"))
    beside = dataclasses.replace(shared, reporting=BESIDE)
    states = [tally.initiative_state(entry, own, set()),  # its status, sent or not
              tally.initiative_state(blank, own, {"農林課"}),
              tally.initiative_state(None, shared, {"商工課"}),  # only the other department sent: not reported
              tally.initiative_state(None, beside, {"商工課"}),
              tally.initiative_state(None, shared, {"農林課"}),  # the lead sent a form without the row: blank
              tally.initiative_state(None, own, {"商工課"}),
              tally.initiative_state(old, own, {"農林課"})]
    assert states == ["○継続推進", tally.BLANK, tally.UNREPORTED, tally.UNREPORTED, tally.BLANK, tally.UNREPORTED,
                      "完了"]
    counted = tally.status_count(states, labels)
    assert counted == tally.StatusCount((0, 1, 0, 0), other=1, blank=2, unreported=3, total=7)
    assert sum(counted.per_status) + counted.other + counted.blank + counted.unreported == counted.total


def test_the_form_offers_the_plans_reasons_for_cannot_grade():
    """The 未記入の理由 list of the form: the plan's kinds of 評価不能 first, then the built-in reasons."""
    plan = load_plan(Path(str(resources.files("kpireport").joinpath("example_sakura/plan.yaml")))).plan
    plan = dataclasses.replace(plan, grades=plan.grades + KINDS[-3:])
    period = ReportPeriod(plan.settings.actual_year)
    column = next(c for c in fl.kpi_columns(period) if c.key == "reason")
    rule = list_validation(column, plan, period)
    assert rule is not None and rule["source"] == ["統計未公表", "事業終了", *fl.REASONS]


def test_an_improvement_in_the_base_year_is_ahead_of_the_path_never_below_no_change():
    """ほしぞら市 K6 (base 2,800千円 in 令和3年度) reported with 令和3年度 data: the path has not left the baseline,
    so 3,090 (+10.4%) is ahead of it, 「B 順調」; it was 「D 遅れ」 while no change (2,800) was 「C 横ばい」."""
    plan = example_plan("example_hoshizora")
    k6 = plan.kpi("K6")
    grades = {raw: evaluate_kpi(k6, parse_value(raw), 2021, plan.grades, plan.settings)
              for raw in ("2,700千円", "2,800千円", "2,950千円", "3,090千円")}
    assert [e.grade for e in grades.values()] == ["C", "C", "B", "B"]
    assert "基準値より改善している（想定の進み方より先にある）ため「B 順調」" in grades["3,090千円"].working
    assert "想定の進み方より先" not in grades["2,800千円"].working
