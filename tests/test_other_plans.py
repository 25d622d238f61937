"""Other cities' plan shapes, through the whole cycle with the library's jobs (the commands are each one call on them): the embedded example and the two
other embedded plans (さくら市: KPIs on the middle level, plan-level KGIs with interim targets, a 参考指標, a KPI
replaced mid-plan, a calendar-year target, a group of departments; かわせみ町: a project-style strategy with
target-only KPIs, のべ counts over the plan and within a year, reposted 事業, 【拡充】 and P markers).

For each: plan check → forms → fill → merge → report → monthly forms → run --period, then the report is read
back: every KPI and KGI is named in the body or a measure sheet, every reposted item appears marked 【再掲】 at
each place it is posted, and the per-level counts include the reposts and say so.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.table import Table
from docx.text.paragraph import Paragraph

from kpireport import labels
from kpireport.cli.printing import merge_lines, run_lines
from kpireport.council import measures
from kpireport.demo.fill import fill_form
from kpireport.evaluate.results import initiative_rows, kpi_rows
from kpireport.forms import layout as fl
from kpireport.history.store import History
from kpireport.labels import markers_text, node_heading, node_path
from kpireport.periods import ReportPeriod
from kpireport.plan.load import load_plan
from kpireport.values import format_year
from kpireport.workspace import Workspace

pytestmark = pytest.mark.slow  # end to end: each embedded plan through the whole cycle with the real commands

EXAMPLES = ("美祢市", "さくら市", "かわせみ町")


def fill_all(workspace: Workspace, plan, period: ReportPeriod) -> list[Path]:
    """Every department's generated form for ``period``, filled with sample data into the inbox."""
    filled = []
    for department in fl.departments_with_forms(plan):
        name = fl.form_file_name(period, department)
        form = next(workspace.root.glob(f"input_templates/*/{name}"))
        filled.append(fill_form(form, plan, department, period, workspace.inbox / name))
        _bare_symbols(filled[-1])
    return filled


def _bare_symbols(path: Path) -> None:
    """Every other 実施状況 typed as the bare symbol (○, ◎, △, ×), as many cities write it."""
    book = openpyxl.load_workbook(path)
    if fl.INITIATIVE_SHEET in book.sheetnames:
        sheet = book[fl.INITIATIVE_SHEET]
        column = next(c.column for c in sheet[fl.FIRST_ROW - 1] if c.value == "実施状況")
        for r in range(fl.FIRST_ROW, sheet.max_row + 1, 2):
            cell = sheet.cell(r, column)
            if isinstance(cell.value, str) and cell.value and labels.REPOST not in str(sheet.cell(r, 1).value):  # typed
                cell.value = cell.value[0]
        book.save(path)


def blocks(path: Path) -> list[tuple[str, str, str]]:
    """(Heading 1, Heading 2, text) for every paragraph and table cell of the document, in order."""
    document = docx.Document(path)
    result, h1, h2 = [], "", ""
    for element in document.element.body.iterchildren():
        if element.tag.endswith("}p"):
            paragraph = Paragraph(element, document)
            if paragraph.style.name == "Heading 1":
                h1, h2 = paragraph.text, ""
            elif paragraph.style.name == "Heading 2":
                h2 = paragraph.text
            result.append((h1, h2, paragraph.text))
        elif element.tag.endswith("}tbl"):
            for row in Table(element, document).rows:
                for cell in row.cells:
                    result.append((h1, h2, cell.text))
    return result


@pytest.fixture(scope="module", params=list(EXAMPLES))
def cycle(request, tmp_path_factory):
    """The whole annual cycle, then a monthly run with last year's annual files still in the inbox."""
    city = request.param
    root = tmp_path_factory.mktemp("cycle") / city
    workspace = Workspace.create(root, example=city)  # as a planning office starts from one of the examples
    assert workspace.check_plan().valid
    plan = load_plan(workspace.plan_file).plan  # read back from the workbook the planning office edits
    annual = ReportPeriod(plan.settings.actual_year)
    if any(k.replaces for k in plan.kpis):  # the year before a KPI was replaced, reported with the old one
        before = ReportPeriod(annual.fiscal_year - 1)
        workspace.make_forms(before.key)
        fill_all(workspace, plan, before)
        workspace.merge(period=before.key)
    workspace.make_forms()
    annual_files = fill_all(workspace, plan, annual)
    merge = workspace.merge()
    assert merge.sent_back == 0 and merge.accepted == len(annual_files)
    merged = "\n".join(merge_lines(merge))
    report = workspace.report(pdf=False).path
    assert report == workspace.output / f"report_{annual.file_label}.docx"
    annual_bytes = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in annual_files}
    feedback_before = _digests(workspace.feedback)

    monthly = ReportPeriod(annual.fiscal_year + 1, 9)
    workspace.make_forms(monthly.key)
    fill_all(workspace, plan, monthly)
    ran = "\n".join(run_lines(workspace.run(period=monthly.key)))
    return dict(city=city, workspace=workspace, plan=plan, annual=annual, monthly=monthly, report=report,
                merged=merged, ran=ran, annual_bytes=annual_bytes, feedback_before=feedback_before)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.xlsx"))}


def test_every_indicator_is_named_in_the_body_or_a_measure_sheet(cycle):
    plan, annual = cycle["plan"], cycle["annual"]
    text = blocks(cycle["report"])
    status_title = text[0][0]  # the status section's tables name nodes, not indicators
    named = "\n".join(t for h1, _, t in text if h1 != status_title)
    in_force = [k for k in plan.kpis if k.in_force(annual.fiscal_year)]
    missing = [k.name for k in in_force if k.name not in named]
    assert missing == [], f"{cycle['city']}: not in the report: {missing}"
    replaced = [k for k in plan.kpis if not k.in_force(annual.fiscal_year)]
    assert all(k.name not in named for k in replaced)  # a KPI no longer reported is not shown as if it were


def test_every_repost_appears_marked_where_it_is_posted(cycle):
    plan = cycle["plan"]
    text = blocks(cycle["report"])
    by_sheet: dict[str, str] = {}  # the measure sheets' text by their heading
    for h1, h2, t in text:
        if h1 == plan.settings.measures_title and h2:
            by_sheet[h2] = by_sheet.get(h2, "") + "\n" + t
    titled = {n.id: next((h for h in by_sheet if h.endswith(" ".join(n.title.split()) + markers_text(n.markers))), None)
              for n in plan.nodes}
    owner = measures.sheet_owners(plan, kpi_rows(plan, cycle["annual"].fiscal_year))
    sheet_of = {node: titled[owner.get(node, node)] for node in titled}  # 事業 sit on the sheet of the KPIs above
    for row in kpi_rows(plan, cycle["annual"].fiscal_year):
        home = plan.plan_of(row.kpi.node)
        if row.reposted and home.id == plan.plan_of(row.node_id).id:
            assert f"【再掲】{row.kpi.name}" in by_sheet[sheet_of[row.node_id]], (row.kpi.id, row.node_id)
        elif row.reposted:  # another plan's KPI, in this plan's body: marked with that plan's name
            body = "\n".join(t for h1, _, t in text if h1 == node_heading(plan, plan.top(row.node_id)))
            assert f"【{home.short_name}】{row.kpi.name}" in body, (row.kpi.id, row.node_id)
    reposted_initiatives = [r for r in initiative_rows(plan) if r.reposted]
    for row in reposted_initiatives:  # a measure sheet names a 事業 by its short name, as seed 001 does
        shown = row.initiative.name or row.initiative.content
        assert f"【再掲】{shown}" in by_sheet[sheet_of[row.node_id]], (row.initiative.id, row.node_id)
    appendix = "\n".join(t for h1, _, t in text if h1 == plan.settings.appendix_title)
    for row in reposted_initiatives:
        assert f"【再掲】{row.initiative.content}" in appendix
    if reposted_initiatives:
        assert "取組数には、【再掲】の取組" in appendix


def test_per_level_counts_include_reposts_and_say_so(cycle):
    plan = cycle["plan"]
    document = docx.Document(cycle["report"])
    grade_heads = [f"{g.code}\n{g.label}" for g in plan.grades]  # the mark over its label
    for table in document.tables:
        head = [c.text for c in table.rows[0].cells]
        if head[1:1 + len(grade_heads)] != grade_heads:
            continue
        rows = [[c.text for c in r.cells] for r in table.rows[1:]]
        total = rows[-1]
        assert total[0] == "合計"
        for column in range(1, len(head)):  # every column's total is the sum of its rows
            assert int(total[column].split("\n")[0]) == sum(int(r[column].split("\n")[0]) for r in rows[:-1])
        if "うち\n再掲" in head:
            assert int(total[head.index("うち\n再掲")]) > 0
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    reposted = any(r.reposted for r in kpi_rows(plan, cycle["annual"].fiscal_year) if r.kpi.graded)
    assert reposted == ("うち\n再掲" in "\n".join(c.text for t in document.tables for c in t.rows[0].cells))
    if reposted:
        assert "再掲" in paragraphs  # the note under the table says what the rows hold


def test_the_monthly_run_leaves_last_years_files_alone(cycle):
    workspace = cycle["workspace"]
    assert "受理" in cycle["ran"]
    for name, digest in cycle["annual_bytes"].items():
        assert hashlib.sha256((workspace.inbox / name).read_bytes()).hexdigest() == digest
    feedback = _digests(workspace.feedback)
    assert {n: d for n, d in feedback.items() if n in cycle["annual_bytes"]} == {
        n: d for n, d in cycle["feedback_before"].items() if n in cycle["annual_bytes"]}  # no copy rewritten
    history = History(workspace.history_file)
    try:
        annual = history.current(cycle["annual"].key)
        assert annual and all(record.accepted for record in annual.values())
        assert history.current(cycle["monthly"].key)
    finally:
        history.close()
    assert (workspace.output / f"report_{cycle['monthly'].file_label}.docx").is_file()


def test_top_level_descriptions_and_headings_are_printed_as_written(cycle):
    plan = cycle["plan"]
    paragraphs = [p.text for p in docx.Document(cycle["report"]).paragraphs]
    joined = "\n".join(paragraphs)
    for node in plan.nodes:
        assert "  " not in node_heading(plan, node)
        if node.parent is None and node.description and any(n.departments for n in plan.nodes if n.plan == node.plan):
            assert node.description in joined


def test_the_monthly_form_and_report_carry_the_months_own_settings(cycle):
    plan, monthly, workspace = cycle["plan"], cycle["monthly"], cycle["workspace"]
    annual = plan.settings
    own = next((p for p in annual.periods if p.key == monthly.key), None)
    department = fl.departments_with_forms(plan)[0]
    form = next(workspace.root.glob(f"input_templates/*/{fl.form_file_name(monthly, department)}"))
    guide = "\n".join(str(c.value) for row in openpyxl.load_workbook(form)[fl.GUIDE_SHEET].iter_rows() for c in row
                      if c.value)
    assert f"提出期限: {own.deadline if own else '企画担当課からの案内のとおり'}" in guide
    assert annual.deadline not in guide
    paragraphs = [p.text for p in docx.Document(workspace.output / f"report_{monthly.file_label}.docx").paragraphs]
    cover = paragraphs[:paragraphs.index("目次")] if "目次" in paragraphs else paragraphs[:12]
    assert monthly.label in cover and not any("実績）" in line for line in cover)
    assert annual.meeting_date not in cover
    if own:
        assert own.report_title in [line.replace("\n", "") for line in cover]  # broken at a phrase boundary
        assert own.meeting_date in cover and own.meeting_name in cover


def test_the_masters_lists_show_every_repost_where_it_is_posted(cycle):
    plan, annual = cycle["plan"], cycle["annual"]
    book = openpyxl.load_workbook(cycle["workspace"].output / f"master_{annual.file_label}.xlsx", read_only=True)

    def listed(sheet: str) -> set[tuple[str, str, str]]:
        rows = book[sheet].iter_rows(min_row=3, values_only=True)
        head = next(rows)
        places = [dict(zip(head, r)) for r in rows]
        return {(r[head[0]], r["再掲"] or "", r["体系" if "体系" in head else "施策"]) for r in places}

    kpis, initiatives = listed("KPI一覧"), listed("取組一覧")
    for row in kpi_rows(plan, annual.fiscal_year):
        assert (row.kpi.id, "【再掲】" if row.reposted else "", node_path(plan, row.node_id)) in kpis
    for row in initiative_rows(plan):
        assert (row.initiative.id, "【再掲】" if row.reposted else "", node_path(plan, row.node_id)) in initiatives
    assert len(initiatives) == len(initiative_rows(plan))


def test_a_replaced_kpi_keeps_its_history_and_its_successor_starts(cycle):
    plan, annual = cycle["plan"], cycle["annual"]
    replaced = [k for k in plan.kpis if k.replaces]
    if not replaced:
        pytest.skip(f"{cycle['city']} replaces no KPI")
    book = openpyxl.load_workbook(cycle["workspace"].output / f"master_{annual.file_label}.xlsx", read_only=True)
    rows = book["KPI一覧"].iter_rows(min_row=3, values_only=True)
    head = next(rows)
    by_id = {r[0]: dict(zip(head, r)) for r in rows}
    last_year = f"{format_year(annual.fiscal_year - 1)} 実績"
    tally = re.search(r"評価: (.*)", cycle["merged"]).group(1)  # the replaced KPI is not counted, nor asked for
    in_force = [k for k in plan.kpis if k.graded and k.in_force(annual.fiscal_year)]
    assert sum(int(n) for n in re.findall(r"(\d+)件", tally)) == len(in_force)
    missing = [r[2] for r in book["未提出・未記入"].iter_rows(min_row=4, values_only=True)]
    for new in replaced:
        assert new.replaces not in missing
        old = by_id[new.replaces]
        assert old[last_year] and old["評価"] == f"{format_year(annual.fiscal_year - 1)}で終了（{new.id}に差し替え）"
        assert not by_id[new.id][last_year] and by_id[new.id]["評価"]


def test_bare_symbols_are_accepted_and_shown_in_the_citys_words(cycle):
    plan, annual = cycle["plan"], cycle["annual"]
    labels = plan.settings.status_labels
    book = openpyxl.load_workbook(cycle["workspace"].output / f"master_{annual.file_label}.xlsx", read_only=True)
    rows = book["取組一覧"].iter_rows(min_row=3, values_only=True)
    head = next(rows)
    shown = {dict(zip(head, r))["実施状況"] for r in rows}
    assert shown - {""} and shown - {""} <= set(labels), shown  # never a bare symbol, always the city's label
    document = docx.Document(cycle["report"])
    assert "実施状況：" + " ".join(labels) in [p.text for p in document.paragraphs]
    counts = [t for t in document.tables if [c.text for c in t.rows[0].cells][1:6] == ["取組数", *labels]]
    assert counts
    for table in counts:  # each row's statuses and 未報告 add up to its 取組数
        for row in table.rows[1:]:
            cells = [c.text for c in row.cells]
            assert int(cells[1]) == sum(int(x) for x in cells[2:7])
    assert "差し戻し 0件" in cycle["merged"]


def test_the_form_names_every_place_an_item_is_reposted(cycle):
    plan, annual, workspace = cycle["plan"], cycle["annual"], cycle["workspace"]
    items = [k for k in plan.kpis if k.reposted_under and k.in_force(annual.fiscal_year)]
    items += [i for i in plan.initiatives if i.reposted_under]
    assert items
    for item in items:
        form = next(workspace.root.glob(f"input_templates/*/{fl.form_file_name(annual, item.lead)}"))
        book = openpyxl.load_workbook(form, read_only=True)
        sheet = book[fl.KPI_SHEET if hasattr(item, "target") else fl.INITIATIVE_SHEET]
        rows = list(sheet.iter_rows(min_row=fl.FIRST_ROW, values_only=True))
        path = next(r[1] for r in rows if r[0] == item.id)
        # a KPI's 体系 cell names them; an initiative has a 【再掲】 row for each (its own 検証内容 there)
        below = [r[1] for r in rows if r[0] in {fl.repost_row_id(item.id, n) for n in item.reposted_under}]
        assert path.split("\n") + below == [node_path(plan, item.node)] + [f"【再掲】{node_path(plan, n)}"
                                                                           for n in item.reposted_under]


def test_a_group_of_departments_is_shown_as_the_plan_wrote_it(cycle):
    plan, annual = cycle["plan"], cycle["annual"]
    grouped = [i for i in plan.initiatives if any(d.is_group and d.name in i.listed_as for d in plan.departments)]
    if not grouped:
        pytest.skip(f"{cycle['city']} names no group of departments")
    book = openpyxl.load_workbook(cycle["workspace"].output / f"master_{annual.file_label}.xlsx", read_only=True)
    rows = book["取組一覧"].iter_rows(min_row=3, values_only=True)
    head = next(rows)
    owners = {r[0]: dict(zip(head, r))["担当課"] for r in rows}
    for initiative in grouped:
        group = next(d for d in plan.departments if d.name in initiative.listed_as)
        assert owners[initiative.id] == f"{group.name}（{'、'.join(group.members)}）"
        assert initiative.lead == group.members[0]  # its first member reports it
