"""The embedded example reproduces seed 000 (strategy) and seed 002 (基本計画 tree and narratives)."""
from __future__ import annotations

import pytest
import yaml
from conftest import seed_facts

from kpireport.plan.load import example_path, load_plan, summary
from kpireport.values import format_value


@pytest.fixture(scope="module")
def example():
    check = load_plan(example_path())
    assert check.findings == []
    return check.plan


def test_strategy_tree_matches_seed_000(example):
    strategy = [n for n in example.nodes if n.plan == "senryaku"]
    assert [n.number for n in strategy if n.depth == 1] == ["1", "2", "3", "4"]
    policies = [n for n in strategy if n.depth == 2]
    assert len(policies) == 21
    for node in policies:  # the 体系図 lists every 戦略方針 as "戦略方針 1-1 多様な雇用の場づくり"
        assert f"戦略方針 {node.number} {node.title}" in seed_facts()["000"]["policy_lines"]


def test_every_kpi_printed_in_seed_000_is_in_the_example(example):
    rows = [tuple(row) for row in seed_facts()["000"]["kpi_rows"]]
    assert len(rows) == 93  # 92 KPIs; one is printed twice (3-4 and 重点戦略4's 基本目標)
    stored = {(k.name, k.baseline.raw, k.target.raw) for k in example.kpis}
    assert set(rows) == stored
    assert len(example.kpis) == 92


def test_every_strategy_bullet_is_an_initiative(example):
    assert [i.content for i in example.initiatives] == seed_facts()["000"]["strategy_bullets"]


def test_kpi_shown_twice_is_stored_once_with_repost(example):
    shared = [k for k in example.kpis if k.name == "地域に貢献したいと考える小・中学生の割合"]
    assert len(shared) == 1
    assert shared[0].node == "S3-4" and "S4" in shared[0].reposted_under


def test_top_level_kpis_sit_on_the_top_level(example):
    top = [k for k in example.kpis if example.node(k.node).depth == 1]
    assert {k.name for k in top} >= {"年間商品販売額", "社会増減数(転出入者数)", "出生数"}


def test_values_parse_as_printed(example):
    by_name = {k.name: k for k in example.kpis}
    sales = by_name["年間商品販売額"]
    assert (sales.baseline.number, sales.baseline.unit, sales.baseline.scale) == (22718 * 10**6, "円", "百万")
    assert format_value(sales.baseline) == "22,718百万円"
    assert by_name["社会増減数(転出入者数)"].baseline.number == -244
    assert by_name["ジオタクの稼働率"].target_type == "以上"
    assert by_name["乳児家庭全戸訪問実施率"].target_type == "維持"
    assert by_name["合計特殊出生率"].unit == ""
    assert by_name["企業誘致件数(累計)"].aggregation == "累計"


def test_both_plans_have_kpis_through_reposts(example):
    for goal in (n for n in example.nodes if n.plan == "kihon" and n.depth == 1):
        under = [k for k in example.kpis for place in k.reposted_under
                 if example.path(place)[0].id == goal.id]
        assert under, f"基本目標 {goal.number} has no KPI"


def test_basic_plan_tree_and_narratives_match_seed_002(example):
    seed = seed_facts()["002"]
    goals = [n for n in example.nodes if n.plan == "kihon" and n.depth == 1]
    assert len(goals) == 5
    for goal in goals:
        assert f"基本目標 {goal.number} {goal.title}" in seed["goal_headings"]
    for policy in (n for n in example.nodes if n.plan == "kihon" and n.depth == 2):
        measures = "／".join(m.number + m.title for m in example.children(policy.id))
        assert measures in seed["measure_lines"], measures
    narratives = yaml.safe_load((example_path().parent / "demo_submissions.yaml").read_text(encoding="utf-8"))
    bullets = [b for n in narratives["narratives"] for b in n["achievements"] + n["next_steps"]]
    assert bullets == seed["bullets"]
    assert {n["node"] for n in narratives["narratives"]} == {
        n.id for n in example.nodes if n.plan == "kihon" and n.depth == 2}


def test_sample_data_and_year_choice_are_stated(example):
    assert "サンプル" in example.settings.note and "令和4年度" in example.settings.note
    assert all("サンプル" in d.note for d in example.departments)
    assert (example.settings.report_year, example.settings.actual_year) == (2024, 2023)
    assert {(k.baseline_year, k.target_year) for k in example.kpis} == {(2022, 2026)}


def test_summary_counts(example):
    assert summary(example) == (
        "計画 2件（基本計画: 基本目標5・基本方針15・施策41／総合戦略: 重点戦略4・戦略方針21）、体系 86件、"
        "指標 92件（掲載 185か所、うち再掲 93）、取組 63件、担当課 19課")
