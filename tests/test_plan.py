"""Loading and checking the plan definition: workbook, JSON and YAML, schema and cross-checks."""
from __future__ import annotations

import json

import openpyxl
import pytest
import yaml

from kpireport.forms import layout as fl
from kpireport.labels import kpi_target
from kpireport.plan.export import write_document
from kpireport.plan.load import load_plan
from kpireport.plan.workbook import empty_document, read_plan_workbook, write_plan_workbook


def flat(findings):
    return [[f.sheet, f.cell, f.code] for f in findings]


def header_letters(ws) -> dict[str, str]:
    return {c.value: c.column_letter for c in ws[1] if c.value}


def test_workbook_round_trip_keeps_every_value(example_workbook, document):
    source = read_plan_workbook(example_workbook)
    assert source.findings == []
    assert source.document == document


def test_same_plan_from_xlsx_json_and_yaml(tmp_path, example_workbook, document):
    write_document(document, tmp_path / "plan.json")
    write_document(document, tmp_path / "plan.yaml")
    plans = [load_plan(p).plan for p in (example_workbook, tmp_path / "plan.json", tmp_path / "plan.yaml")]
    assert plans[0] is not None
    assert plans[0] == plans[1] == plans[2]
    assert len({p.content_hash for p in plans}) == 1


def test_workbook_with_deliberate_mistakes_gives_one_finding_each(example_workbook):
    wb = openpyxl.load_workbook(example_workbook)
    ws = wb["指標"]
    col = header_letters(ws)
    ws[f"{col['目標値']}3"] = None  # a missing target
    ws[f"{col['指標ID']}5"] = ws[f"{col['指標ID']}4"].value  # a duplicate ID
    ws[f"{col['担当課']}6"] = "観光課"  # an unknown department
    ws[f"{col['基準値']}7"] = "集計中"  # a non-numeric baseline
    wb.save(example_workbook)
    result = load_plan(example_workbook)
    assert flat(result.findings) == [
        ["指標", "I3", "plan-required"],
        ["指標", "A5", "plan-duplicate-id"],
        ["指標", "M6", "plan-unknown-department"],
        ["指標", "G7", "plan-value-unreadable"],
    ]
    assert result.plan is None
    messages = [f.message for f in result.findings]
    assert "「目標値」が空欄です" in messages[0]
    assert "A4" in messages[1] and "観光課" in messages[2] and "集計中" in messages[3]
    assert all(f.file == "計画体系.xlsx" for f in result.findings)


def test_workbook_accepts_what_people_type(example_workbook):
    wb = openpyxl.load_workbook(example_workbook)
    ws = wb["指標"]
    col = header_letters(ws)
    # row 2 is 年間商品販売額 (百万円): a plain number takes the KPI's unit and scale
    ws[f"{col['基準値']}2"] = 22718
    ws[f"{col['基準年度']}2"] = "R4"
    ws[f"{col['目標年度']}2"] = 2026
    ws[f"{col['担当課']}2"] = "商工労働課，観光政策課"
    wb.save(example_workbook)
    result = load_plan(example_workbook)
    assert result.findings == []
    kpi = result.plan.kpis[0]
    assert (kpi.baseline.number, kpi.baseline.scale, kpi.baseline_year, kpi.target_year) == (
        22718 * 10**6, "百万", 2022, 2026)
    assert kpi.departments == ("商工労働課", "観光政策課")


def test_percentage_cell_with_percent_format(example_workbook):
    wb = openpyxl.load_workbook(example_workbook)
    ws = wb["指標"]
    col = header_letters(ws)
    row = next(c.row for c in ws["B"] if c.value == "市内高校新卒者の市内就職率")
    ws[f"{col['基準値']}{row}"] = 0.143
    ws[f"{col['基準値']}{row}"].number_format = "0.0%"
    wb.save(example_workbook)
    kpi = next(k for k in load_plan(example_workbook).plan.kpis if k.name == "市内高校新卒者の市内就職率")
    assert (str(kpi.baseline.number), kpi.baseline.unit) == ("14.3", "%")


def test_missing_sheet_and_column_are_reported_once(example_workbook):
    wb = openpyxl.load_workbook(example_workbook)
    del wb["担当課"]
    ws = wb["指標"]
    ws.delete_cols(openpyxl.utils.column_index_from_string(header_letters(ws)["目標値"]))
    ws.cell(row=1, column=ws.max_column + 1, value="メモ")
    wb.save(example_workbook)
    result = load_plan(example_workbook)
    codes = [f.code for f in result.findings]
    assert codes.count("plan-sheet-missing") == 1
    assert codes.count("plan-column-missing") == 1
    assert codes.count("plan-column-unknown") == 1
    assert "plan-required" not in codes  # not once per row
    missing = next(f for f in result.findings if f.code == "plan-sheet-missing")
    assert missing.sheet == "担当課" and "シート「担当課」がありません" in missing.message


def test_blank_workbook_says_what_to_fill(tmp_path):
    path = tmp_path / "blank.xlsx"
    write_plan_workbook(empty_document(), path)
    codes = {f.code for f in load_plan(path).findings}
    assert {"plan-required", "plan-too-few"} <= codes


@pytest.mark.parametrize("bad_bytes, code", [
    (b"", "plan-file-unreadable"),
    (b"not a zip at all", "plan-file-unreadable"),
    (b"PK\x03\x04broken", "plan-file-unreadable"),
])
def test_unreadable_workbook_is_one_finding(tmp_path, bad_bytes, code):
    path = tmp_path / "計画体系.xlsx"
    path.write_bytes(bad_bytes)
    result = load_plan(path)
    assert [f.code for f in result.findings] == [code]
    assert result.findings[0].file == "計画体系.xlsx"


def test_missing_file_and_wrong_type(tmp_path):
    assert [f.code for f in load_plan(tmp_path / "none.xlsx").findings] == ["plan-file-missing"]
    (tmp_path / "plan.csv").write_text("a,b")
    assert [f.code for f in load_plan(tmp_path / "plan.csv").findings] == ["plan-file-type"]
    (tmp_path / "plan.yaml").write_text("- just\n- a list\n")
    assert [f.code for f in load_plan(tmp_path / "plan.yaml").findings] == ["plan-file-unreadable"]


# --- cross-checks, on the YAML form: (mutation, expected [path, code]) ---------------------------

def kpi(doc, kpi_id):
    return next(k for k in doc["kpis"] if k["id"] == kpi_id)


def kpi_index(doc, kpi_id):
    return next(i for i, k in enumerate(doc["kpis"]) if k["id"] == kpi_id)


def node_index(doc, node_id):
    return next(i for i, n in enumerate(doc["nodes"]) if n["id"] == node_id)


CASES = {
    "repost pointing nowhere": (
        lambda d: kpi(d, "K-S1-01").update(reposted_under=["G9-9-9"]),
        lambda d: [[f"kpis[{kpi_index(d, 'K-S1-01')}].reposted_under", "plan-repost-unknown"]]),
    "target year before baseline year": (
        lambda d: kpi(d, "K-S1-01").update(target_year="令和3年度"),
        lambda d: [[f"kpis[{kpi_index(d, 'K-S1-01')}].target_year", "plan-target-before-baseline"]]),
    "unit missing": (
        lambda d: kpi(d, "K-S1-01").pop("unit"),
        lambda d: [[f"kpis[{kpi_index(d, 'K-S1-01')}].unit", "plan-required"]]),
    "unit does not match": (
        lambda d: kpi(d, "K-S1-01").update(target="30%"),
        lambda d: [[f"kpis[{kpi_index(d, 'K-S1-01')}].target", "plan-unit-mismatch"]]),
    "unknown department on an initiative": (
        lambda d: d["initiatives"][0].update(departments=["秘書課"]),
        lambda d: [["initiatives[0].departments", "plan-unknown-department"]]),
    "direction outside its list": (
        lambda d: kpi(d, "K-S1-01").update(direction="上昇"),
        lambda d: [[f"kpis[{kpi_index(d, 'K-S1-01')}].direction", "plan-enum"]]),
    "unknown node for a KPI": (
        lambda d: kpi(d, "K-S1-01").update(node="S9"),
        lambda d: [[f"kpis[{kpi_index(d, 'K-S1-01')}].node", "plan-unknown-node"]]),
    "parent in another plan": (
        lambda d: d["nodes"][node_index(d, "S1-1")].update(parent="G1"),
        lambda d: [[f"nodes[{node_index(d, 'S1-1')}].parent", "plan-parent-other-plan"]]),
    "tree deeper than its level labels": (
        lambda d: d["nodes"].append({"id": "S1-1-1", "plan": "senryaku", "parent": "S1-1", "title": "x"}),
        lambda d: [[f"nodes[{len(d['nodes']) - 1}].parent", "plan-too-deep"]]),
    "parent cycle": (
        lambda d: d["nodes"][node_index(d, "G1")].update(parent="G1-1"),
        lambda d: [[f"nodes[{node_index(d, 'G1')}].parent", "plan-parent-cycle"],
                   [f"nodes[{node_index(d, 'G1-1')}].parent", "plan-parent-cycle"]]),
    "duplicate node id": (
        lambda d: d["nodes"].append({"id": "S1-1", "plan": "senryaku", "parent": "S1", "title": "重複"}),
        lambda d: [[f"nodes[{len(d['nodes']) - 1}].id", "plan-duplicate-id"]]),
    "目標種別 contradicts the target": (
        lambda d: kpi(d, "K-S4-3-03").update(target_type="以下"),
        lambda d: [[f"kpis[{kpi_index(d, 'K-S4-3-03')}].target_type", "plan-target-type-conflict"]]),
    "維持 with no baseline": (
        lambda d: kpi(d, "K-S3-2-01").pop("baseline"),
        lambda d: [[f"kpis[{kpi_index(d, 'K-S3-2-01')}].baseline", "plan-maintain-no-baseline"]]),
    "direction against the numbers": (
        lambda d: kpi(d, "K-S1-01").update(direction="減少"),
        lambda d: [[f"kpis[{kpi_index(d, 'K-S1-01')}].direction", "plan-direction-conflict"]]),
    "interim target for an unknown KPI and outside the period": (
        lambda d: d["interim_targets"].extend([
            {"kpi": "K-X", "year": "R6", "value": "1件"},
            {"kpi": "K-S1-01", "year": "R10", "value": "25,000百万円"}]),
        lambda d: [["interim_targets[0].kpi", "plan-unknown-kpi"], ["interim_targets[1].year", "plan-interim-outside"]]),
    "year that is not a year": (
        lambda d: kpi(d, "K-S1-01").update(baseline_year="昨年"),
        lambda d: [[f"kpis[{kpi_index(d, 'K-S1-01')}].baseline_year", "plan-year-unreadable"]]),
    "grade rule without threshold": (
        lambda d: d["grades"][0].pop("threshold"),
        lambda d: [["grades[0].threshold", "plan-grade-threshold"]]),
    "unknown key": (
        lambda d: kpi(d, "K-S1-01").update(comment="x"),
        lambda d: [[f"kpis[{kpi_index(d, 'K-S1-01')}]", "plan-unknown-key"]]),
}


@pytest.mark.parametrize("name", CASES)
def test_cross_checks(tmp_path, document, name):
    mutate, expected = CASES[name]
    mutate(document)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = load_plan(path)
    assert sorted([f.cell, f.code] for f in result.findings) == sorted(expected(document))
    assert all(f.message and f.sheet for f in result.findings)


def test_kpi_without_baseline_is_accepted(tmp_path, document):
    """Many strategies give only a target (「のべ 50 件」)."""
    k = kpi(document, "K-S1-01")
    for key in ("baseline", "baseline_year", "target_type"):
        k.pop(key, None)
    k.update(target="のべ 50 件", unit="件", aggregation="累計")
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = load_plan(path)
    assert result.findings == []
    loaded = next(x for x in result.plan.kpis if x.id == "K-S1-01")
    assert not loaded.has_baseline and loaded.target.number == 50 and loaded.target.gross
    assert loaded.aggregation == "累計" and loaded.plan == "senryaku" and loaded.plan_start_year == 2023


def test_gross_count_needs_its_aggregation(tmp_path, document):
    """のべ is a gross count over a year or over the plan: the plan must say which, the tool does not guess."""
    k = kpi(document, "K-S1-01")
    for key in ("baseline", "baseline_year", "target_type", "aggregation"):
        k.pop(key, None)
    k.update(target="のべ 215人", unit="人")
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = load_plan(path)
    assert [f.code for f in result.findings] == ["plan-gross-aggregation"]
    assert "「累計」" in result.findings[0].message and "「単年度」" in result.findings[0].message
    k["aggregation"] = "単年度"  # 延べ人数 within one year
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = load_plan(path)
    assert result.findings == [] and next(x for x in result.plan.kpis if x.id == "K-S1-01").aggregation == "単年度"


def test_plan_level_kgi_groups_replacements_and_calendar_years(tmp_path, document):
    """A KGI on the plan as a whole, a department group, a KPI replaced mid-plan, a calendar-year target."""
    document["departments"].append({"name": "関係各課", "members": ["観光政策課", "商工労働課"]})
    base = kpi(document, "K-S1-01")
    document["kpis"].append(dict(base, id="KGI-1", name="市内総生産", kind="KGI", node="senryaku",
                                 departments=["関係各課"], reposted_under=[]))
    document["kpis"].append(dict(base, id="K-NEW", name="新しい指標", replaces="K-S1-01", valid_from="令和7年度",
                                 target_year="令和8年", reposted_under=[]))
    base["valid_until"] = "令和6年度"
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = load_plan(path)
    assert result.findings == []
    plan = result.plan
    kgi, new, old = (plan.kpi(i) for i in ("KGI-1", "K-NEW", "K-S1-01"))
    assert kgi.kind == "KGI" and plan.is_plan_id(kgi.node) and plan.plan_of(kgi.node).id == "senryaku"
    assert kgi.departments == ("観光政策課", "商工労働課") and kgi.listed_as == ("関係各課",)
    assert "関係各課" not in fl.departments_with_forms(plan)
    assert old.in_force(2024) and not old.in_force(2025) and new.in_force(2025) and not new.in_force(2024)
    assert new.calendar and not old.calendar
    assert kpi_target(new).endswith("（令和8年）") and kpi_target(old).endswith("年度）")  # shown as the plan wrote it
    assert [k.id for k in fl.department_kpis(plan, old.lead, 2025)].count("K-NEW") == 1
    assert "K-S1-01" not in [k.id for k in fl.department_kpis(plan, old.lead, 2025)]
    del base["valid_until"]
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert [f.code for f in load_plan(path).findings] == ["plan-replaced-open"]


def test_several_departments_markers_and_interim_targets(tmp_path, document):
    document["initiatives"][0].update(departments=["商工労働課", "観光政策課"], markers=["新", "変更"],
                                      reposted_under=["G2-2-2"])
    document["interim_targets"].append({"kpi": "K-S1-01", "year": "令和6年度", "value": "25,000百万円"})
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    plan = load_plan(path).plan
    first = plan.initiatives[0]
    assert first.departments == ("商工労働課", "観光政策課") and first.markers == ("新", "変更")
    assert first.reposted_under == ("G2-2-2",)
    target = next(k for k in plan.kpis if k.id == "K-S1-01").interim_targets
    assert [(t.year, t.value.number) for t in target] == [(2024, 25000 * 10**6)]


def test_single_level_plan(tmp_path, document):
    """A plan may have one level only (プロジェクト)."""
    document["plans"].append({"id": "proj", "name": "重点プロジェクト", "short_name": "プロジェクト",
                              "kind": "個別計画", "start_year": "R5", "end_year": "R8", "levels": ["プロジェクト"]})
    document["nodes"].append({"id": "P1", "plan": "proj", "number": "1", "title": "ジオパーク推進プロジェクト"})
    kpi(document, "K-S4-7-01")["reposted_under"].append("P1")
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    plan = load_plan(path).plan
    assert plan.plan("proj").levels == ("プロジェクト",)
    assert plan.node("P1").label(plan.plan("proj")) == "プロジェクト"


# --- an office's edits the reader must not take in silence (tester p3, findings 4, 5 and 7) -----------------------

def test_merged_cells_over_entries_are_errors_naming_the_range(example_workbook):
    """openpyxl gives a merge's value to its top-left cell only: the rows under it would read as blank (参考指標
    typed once over three rows would grade two of them)."""
    wb = openpyxl.load_workbook(example_workbook)
    ws = wb["指標"]
    col = header_letters(ws)
    for row in (42, 43, 44):
        ws[f"{col['区分']}{row}"] = "参考指標"
    ws[f"{col['区分']}43"] = ws[f"{col['区分']}44"] = None  # what Excel keeps when the block is merged
    ws.merge_cells(f"{col['区分']}42:{col['区分']}44")
    ws.merge_cells(f"{col['備考']}300:{col['備考']}302")  # below the table: nothing read there yet
    wb.save(example_workbook)
    result = load_plan(example_workbook)
    assert flat(result.findings) == [["指標", f"{col['区分']}42:{col['区分']}44", "plan-merged-cells"],
                                     ["指標", f"{col['備考']}300:{col['備考']}302", "plan-merged-cells-empty"]]
    assert result.plan is None
    assert "結合を解除し、各行に入力してください" in result.findings[0].message


def test_a_copied_sheet_is_said_not_to_be_read(example_workbook):
    wb = openpyxl.load_workbook(example_workbook)
    copy = wb.copy_worksheet(wb["指標"])
    copy.title = "指標 (2)"
    wb.create_sheet("メモ")
    wb.save(example_workbook)
    result = load_plan(example_workbook)
    assert flat(result.findings) == [["指標 (2)", "", "plan-sheet-unknown"], ["メモ", "", "plan-sheet-unknown"]]
    assert "シート「指標」に書いてください" in result.findings[0].message
    assert "シート「指標」" not in result.findings[1].message
    assert result.plan is not None  # a warning: the plan is read from its own sheets


def _yaml_plan(tmp_path, document):
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_plan(path)


def test_a_repost_written_as_a_row_of_its_own_is_a_warning_naming_the_original(tmp_path, document):
    original = kpi(document, "K-S2-02")
    document["kpis"].append({**original, "id": "K-G1-1-2-01", "name": "【再掲】観光交流人口", "node": "G1-1-2",
                             "reposted_under": []})
    document["kpis"].append({**original, "id": "K-G1-1-3-01", "node": "G1-1-3", "reposted_under": []})  # a copy
    first = dict(document["initiatives"][0])
    document["initiatives"].append({**first, "id": "T-X-01", "content": "［再掲］" + first["content"], "node": "S2-1"})
    result = _yaml_plan(tmp_path, document)
    last = len(document["kpis"]) - 1
    assert sorted([f.cell, f.code] for f in result.findings) == [
        [f"initiatives[{len(document['initiatives']) - 1}].content", "plan-repost-row"],
        [f"kpis[{last - 1}].name", "plan-repost-row"],
        [f"kpis[{last}].name", "plan-duplicate-row"]]
    by_code = {(f.code, f.sheet): f.message for f in result.findings}
    assert "元の指標（K-S2-02）の再掲先IDに「G1-1-2」を書き" in by_code[("plan-repost-row", "指標")]
    assert "元の取組（T-S1-1-01）の再掲先IDに「S2-1」を書き" in by_code[("plan-repost-row", "取組")]
    assert "「K-S2-02」の再掲先IDに「G1-1-3」を書き" in by_code[("plan-duplicate-row", "指標")]
    assert result.plan is not None
