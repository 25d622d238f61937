"""The plan's figures in the report as the plan wrote them, and a calendar-year KPI's year (found by an outside
tester on さくら市): an actual typed with more decimals than the plan's figures (ブランド認証農産物の販売額 158.7百万円
beside 145百万円 and 200百万円; 経常収支比率 92.35% beside 93.5% and 90.0%以下) once padded the plan's figures to
「145.0百万円」「90.00%以下」, which the master, the site and the plan never show; and the 施策シート printed
観光入込客数（暦年） under 「令和6年度末値」 while the site says 「1,400千人（令和6年）」."""
from __future__ import annotations

import copy
from pathlib import Path

import docx
import openpyxl
import pytest
from forms_helpers import column, edit, row_of
from test_other_plans import fill_all

from kpireport.forms import layout as fl
from kpireport.periods import ReportPeriod
from kpireport.workspace import Workspace
from kpireport.workspace.folder import example_document

TYPED = {"K2-1-2": 158.7, "K3-2-1": 92.35, "K2-2-1": 1400}


def _reported(root: Path, document: dict | None = None) -> Workspace:
    """さくら市's annual cycle with TYPED as the actuals of those KPIs; its report (no PDF) and its site."""
    workspace = Workspace.create(root, example="さくら市") if document is None else Workspace.create(
        root, document=document)
    plan = workspace.plan()
    period = ReportPeriod(plan.settings.actual_year)
    workspace.make_forms()

    def typed(book) -> None:
        sheet = book[fl.KPI_SHEET]
        for ident, value in TYPED.items():
            if any(c.value == ident for c in sheet["A"]):
                sheet.cell(row_of(sheet, ident), column(fl.KPI_SHEET, "actual", period)).value = value
    for form in fill_all(workspace, plan, period):
        if fl.KPI_SHEET in openpyxl.load_workbook(form, read_only=True).sheetnames:
            edit(form, typed)
    merged = workspace.merge()
    assert merged.sent_back == 0
    workspace.report(pdf=False)
    workspace.publish()
    return workspace


def _rows(workspace: Workspace) -> list[tuple[list[str], list[str]]]:
    """Every row of the report's tables with its table's header row (the row of 名称 or 指標名)."""
    report = next(workspace.output.glob("report_*.docx"))
    found = []
    for table in docx.Document(str(report)).tables:
        header: list[str] = []
        for row in table.rows:
            cells = [c.text for c in row.cells]
            if cells[0] in ("名称", "指標名"):
                header = cells
            elif header:
                found.append((header, cells))
    return found


@pytest.fixture(scope="module")
def sakura(tmp_path_factory) -> Workspace:
    return _reported(tmp_path_factory.mktemp("figures") / "さくら市")


def test_the_plans_figures_print_as_written_beside_an_actual_typed_with_more_decimals(sakura):
    rows = _rows(sakura)
    brand = [cells for header, cells in rows if cells[0] == "ブランド認証農産物の販売額"]
    ratio = [cells for header, cells in rows if cells[0] == "経常収支比率"]
    assert len(brand) == len(ratio) == 2  # the body's table and the 施策シート
    assert brand[0][1:4] == ["145百万円\n（令和4年度）", "158.7百万円", "200百万円\n（令和9年度）"]
    assert brand[1][1:4] == ["145百万円", "158.7百万円", "200百万円"]
    assert ratio[0][1:4] == ["93.5%\n（令和4年度）", "92.35%", "90.0%以下\n（令和9年度）"]
    assert ratio[1][1:4] == ["93.5%", "92.35%", "90.0%以下"]
    # the master and the site say the same
    book = openpyxl.load_workbook(next(sakura.output.glob("master_*.xlsx")), read_only=True)
    listed = {r[0]: r for r in book["KPI一覧"].iter_rows(values_only=True) if r and r[0] in TYPED}
    assert listed["K2-1-2"][4:7] == ("145百万円（令和4年度）", "200百万円（令和9年度）", "158.7百万円")
    page = (sakura.output / "公開" / "kpi-K2-1-2.html").read_text(encoding="utf-8")
    assert "145百万円" in page and "200百万円" in page and "145.0" not in page and "200.0" not in page


def test_a_calendar_year_kpi_on_a_sheet_of_fiscal_year_ones_says_its_year(sakura):
    """G2-2's sheet lists 観光入込客数（暦年） and a fiscal-year KPI: the header says 年度, the calendar-year value its
    year, as the site does (「令和6年 1,400千人」)."""
    (header, cells), = [(h, c) for h, c in _rows(sakura) if h[0] == "名称" and c[0] == "観光入込客数（暦年）"]
    assert header[2] == "令和6年度末値" and cells[2] == "1,400千人\n（令和6年）"
    fiscal = [c for h, c in _rows(sakura) if h[0] == "名称" and c[0] == "移住相談を経た移住者数"]
    assert fiscal and all("年）" not in c[2] for c in fiscal)
    page = (sakura.output / "公開" / "kpi-K2-2-1.html").read_text(encoding="utf-8")
    assert "令和6年 1,400千人" in page


def test_a_sheet_of_calendar_year_kpis_only_says_年_in_its_header(tmp_path):
    document = copy.deepcopy(example_document("さくら市"))
    for kpi in document["kpis"]:
        if kpi["id"] == "K2-2-2":  # G2-2's other KPI, counted by calendar year too
            kpi.update(baseline_year="令和4年", target_year="令和9年")
    rows = _rows(_reported(tmp_path / "さくら市", document))
    headers = {c[0]: h[2] for h, c in rows if h[0] == "名称"}
    assert headers["観光入込客数（暦年）"] == headers["移住相談を経た移住者数"] == "令和6年末値"
    (cells,) = [c for h, c in rows if h[0] == "名称" and c[0] == "観光入込客数（暦年）"]
    assert cells[2] == "1,400千人"
    assert headers["ブランド認証農産物の販売額"] == "令和6年度末値"
