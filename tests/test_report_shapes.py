"""Every plan's report as a council member reads it on paper (issue 26), for every embedded example and a test
plan of the shape the issue was seen with (tests/fixtures/shape_plan.yaml: three levels, KPIs on the top one, a
【再掲】 under the same top node, a monthly period, the verification-table appendix).

The docx checks run always; the PDF checks (LibreOffice, pdftotext) are slow: no near-empty page but a chapter's
last, no number or year broken from its unit, no placeholder sentence, and the master's list sheets readable."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.shared import Mm
from office import pdf_page_texts, require, to_pdf
from report_tables import whole_tables
from test_other_plans import fill_all

from kpireport.cli.printing import run_lines
from kpireport.council import texts
from kpireport.council.content import aligned_actuals
from kpireport.council.cover import title_lines
from kpireport.council.document import ReportDocument, bullets, clean_text, fit_widths, table, template_path
from kpireport.forms import layout as fl
from kpireport.periods import ReportPeriod
from kpireport.plan.load import load_plan
from kpireport.plan.source import load_yaml
from kpireport.runtime.office import SOFFICE_VARIABLE, docx_to_pdf, find_soffice
from kpireport.workspace import Workspace, run_demo
from kpireport.workspace.folder import EXAMPLES

SHAPE_PLAN = Path(__file__).parent / "fixtures" / "shape_plan.yaml"
PLACEHOLDER = re.compile(r"（この項目に(指標|取組)はありません）")
UNIT = re.compile(r"(百万円|千円|円|人|件|％|%|ha|回|歳|団体|事業所)")
PAGE_NUMBER = re.compile(r"\s*-\s*\d+\s*-\s*")
THIN = 300


def _blank_one_status(path: Path) -> None:
    """The first 実施状況 left blank, as a monthly report allows."""
    book = openpyxl.load_workbook(path)
    if fl.INITIATIVE_SHEET in book.sheetnames:
        sheet = book[fl.INITIATIVE_SHEET]
        column = next(c.column for c in sheet[fl.FIRST_ROW - 1] if c.value == "実施状況")
        sheet.cell(fl.FIRST_ROW, column).value = None
        book.save(path)


def _cycle(root: Path, document: dict | None, example: str = "美祢市", monthly: bool = False) -> list[Path]:
    """Forms, sample values, run; the reports written (.docx), the annual one first."""
    workspace = Workspace.create(root, example=example, document=document)
    plan = load_plan(workspace.plan_file).plan
    annual = ReportPeriod(plan.settings.actual_year)
    workspace.make_forms()
    fill_all(workspace, plan, annual)
    ran = workspace.run()
    assert ran.merge.problems == {}, "\n".join(run_lines(ran))
    reports = [workspace.output / f"report_{annual.file_label}.docx"]
    if monthly:
        month = ReportPeriod(annual.fiscal_year + 1, 9)
        workspace.make_forms(month.key)
        for path in fill_all(workspace, plan, month):
            _blank_one_status(path)
        workspace.run(period=month.key)
        reports.append(workspace.output / f"report_{month.file_label}.docx")
    return reports


@pytest.fixture(scope="module")
def shape(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("shape") / "みなと市"
    document = load_yaml(SHAPE_PLAN.read_text(encoding="utf-8"))
    annual, monthly = _cycle(root, document, monthly=True)
    return {"plan": load_plan(SHAPE_PLAN).plan, "annual": annual, "monthly": monthly}


def _tables(path: Path) -> list[list[list[str]]]:
    """The report's tables, those that go on to a next page read whole."""
    return [[[c.text for c in row.cells] for row in t.rows] for t in whole_tables(docx.Document(str(path)))]


def _appendix_pairs(path: Path) -> list[tuple[list[list[str]], list[list[str]]]]:
    """Each initiative table of the appendix with the count table after it."""
    tables = _tables(path)
    pairs = []
    for listed, counts in zip(tables, tables[1:]):
        if len(listed) > 1 and "推進内容" in listed[1] and counts[0][1:2] == ["取組数"]:
            pairs.append((listed[1:], counts))  # under the caption row (the node's name, repeated on each page)
    return pairs


def item_rows(listed: list[list[str]]) -> list[list[str]]:
    """The rows of an initiative table that list an item (not its header, not a grouping row across it)."""
    return [row for row in listed[1:] if len(set(row)) > 1]


@pytest.mark.slow  # end to end: a whole annual and monthly cycle of the test plan
def test_the_shape_plans_measure_sheets_show_kpis_with_the_jigyo_beneath(shape):
    text = "\n".join(p.text for p in docx.Document(str(shape["annual"])).paragraphs)
    tables = _tables(shape["annual"])
    assert not PLACEHOLDER.search(text + str(tables))
    tables = [t[1:] if len(set(t[0])) == 1 and len(t) > 1 else t for t in tables]  # under a caption row
    kpi_tables = [t for t in tables if t[0][0] == "名称"]
    assert [row[0] for t in kpi_tables for row in t[1:]] == ["市民活動団体の登録数", "協働講座の受講者数（累計）", "見守り協力員の人数"]
    done = [t for t in tables if t[0][0].startswith("KPI達成に向け")]
    assert len(done) == len(kpi_tables) == 2  # one sheet per 基本施策, its 事業 grouped by the nodes beneath
    names = [row[0] for row in done[0][1:]]
    assert "推進項目 (1) 活動の場の提供" in names and "【再掲】公民館の空き時間を市民活動に開放します。" in names


def _legend(path: Path) -> list[str]:
    """The legend page's lines (「次ページからの記載事項」 up to the next chapter)."""
    paragraphs = [p for p in docx.Document(str(path)).paragraphs if p.text]
    start = next(n for n, p in enumerate(paragraphs) if p.style.name == "Heading 1" and "記載事項" in p.text)
    end = next(n for n, p in enumerate(paragraphs) if n > start and p.style.name == "Heading 1")
    return [p.text for p in paragraphs[start + 1:end]]


@pytest.mark.slow  # end to end: a whole annual and monthly cycle of the test plan
def test_the_legend_shows_the_blocks_and_the_kpi_tables_as_this_plan_has_them(shape):
    """KPIs and narratives on the top level (基本施策): its heading is the block, the measures line lists 基本事業."""
    legend = _legend(shape["annual"])
    assert legend[:2] == ["基本施策名", "①基本事業名 ／ ②基本事業名 ／ ③基本事業名 ／ ……"]
    assert "基本施策の達成のために基本事業で" in legend[3]
    assert legend[-1].startswith("各基本施策の最後に、その基本施策に掲げる指標の表を載せています")
    assert not any("推進項目" in line for line in legend)


@pytest.mark.slow  # end to end: a whole annual and monthly cycle of the test plan
def test_the_verification_table_as_cities_print_it(shape):
    pairs = _appendix_pairs(shape["annual"])
    assert len(pairs) == 2  # one per 基本施策
    listed, counts = pairs[0]
    assert listed[0] == ["基本事業", "推進項目", "NO", "推進内容", "実施状況", "今後の取扱い", "検証内容"]
    rows = listed[1:]
    # NO restarts under each 推進項目; the repost sits after the node's own items, under the same 基本施策
    assert [r[2] for r in rows] == ["1", "2", "1", "1", "2", "3"]
    assert rows[5][3] == "【再掲】公民館の空き時間を市民活動に開放します。" and rows[5][1] == ""
    assert rows[3][1] == "(1)講座の開催"
    assert {r[4] for r in rows} <= {"◎", "○", "△", "×"}  # bare marks; the words are in the legend
    paragraphs = [p.text for p in docx.Document(str(shape["annual"])).paragraphs]
    assert "◎実施済　○継続推進　△一部実施　×未実施" in paragraphs
    assert [r[1] for r in counts[1:]] == ["3", "3"]  # the repost counted at each place, as listed


@pytest.mark.slow  # end to end: a whole annual and monthly cycle of the test plan
def test_appendix_counts_equal_the_listed_rows_and_a_blank_status_reads_mikinyu(shape):
    for path in (shape["annual"], shape["monthly"]):
        for listed, counts in _appendix_pairs(path):
            assert sum(int(r[1]) for r in counts[1:]) == len(item_rows(listed))
            for row in counts[1:]:
                assert int(row[1]) == sum(int(x) for x in row[2:])
    monthly = [cell for listed, _ in _appendix_pairs(shape["monthly"]) for row in listed[1:] for cell in row]
    assert "未記入" in monthly and "（未提出）" not in monthly
    counts = [t for _, t in _appendix_pairs(shape["monthly"])]
    assert any("未記入" in t[0] for t in counts)


# --- the PDFs -------------------------------------------------------------------------------------------


def _examples() -> list[str]:
    return ["demo", "H28", *[name for name in EXAMPLES if name != "美祢市"], "shape"]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    """Every example's report PDF and the demo's master, made as the commands make them."""
    require("soffice")
    require("pdftotext")
    base = tmp_path_factory.mktemp("pdfs")
    made: dict[str, Path] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(SOFFICE_VARIABLE, raising=False)
        demo = run_demo(base / "demo")
        assert demo.report is not None and demo.report.pdf.path is not None
        made["demo"] = demo.report.pdf.path
        assert demo.second_report is not None and demo.second_report.pdf.path is not None  # `kpireport demo` writes it
        made["H28"] = demo.second_report.pdf.path
        made["master"] = next((base / "demo" / "output").glob("master_*.xlsx"))
        for name in EXAMPLES:
            if name != "美祢市":
                made[name] = _cycle(base / name, None, example=name)[0].with_suffix(".pdf")
        document = load_yaml(SHAPE_PLAN.read_text(encoding="utf-8"))
        made["shape"] = _cycle(base / "shape", document)[0].with_suffix(".pdf")
    return made


def chapter_titles(pdf: Path) -> set[str]:
    document = docx.Document(str(pdf.with_suffix(".docx")))
    return {_squeeze(p.text) for p in document.paragraphs if p.style.name in ("Heading 1", "TOC Heading") and p.text}


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def thin_pages(pdf: Path) -> list[int]:
    """Pages under 300 characters, but the cover and the last page of a chapter (the next starts one)."""
    pages = pdf_page_texts(pdf)
    titles = chapter_titles(pdf)
    thin = []
    for number, page in enumerate(pages[1:-1], start=2):
        body = [line for line in page.splitlines() if line.strip() and not PAGE_NUMBER.fullmatch(line)]
        following = next((_squeeze(line) for line in pages[number].splitlines() if line.strip()), "")
        if sum(len(line.strip()) for line in body) < THIN and following not in titles:
            thin.append(number)
    return thin


def broken_lines(pdf: Path) -> list[str]:
    """A number or a year broken from its unit or 度 (in running text, a cell or a title), or a short line (a cell,
    a title) ending in 「△」."""
    text = subprocess.run([require("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = [line.strip() for line in text.splitlines()]
    found = []
    for a, b in zip(lines, lines[1:]):
        if a and b and (re.search(r"[0-9,]$", a) and (UNIT.match(b) or b[0] in "年度") or a.endswith("令") and b.startswith("和")
                        or re.search(r"[0-9]\s*年$", a) and b.startswith("度")):
            found.append(f"{a} / {b}")  # in running text too, where the line before is long: 「延べ 85 / 人」
            continue
        if not a or not b or len(a) > 24:
            continue
        if (re.search(r"[0-9,]$", a) and UNIT.match(b) or re.search(r"[0-9]\s*年$", a) and b.startswith("度")
                or re.search(r"[0-9]\s*(百万|千)$", a) and b.startswith("円") or a.endswith("令") and b.startswith("和")
                or a.endswith("△")):
            found.append(f"{a} / {b}")
    return found


@pytest.mark.slow
@pytest.mark.parametrize("name", _examples())
def test_no_near_empty_page_no_broken_number_no_placeholder(pdfs, name):
    pdf = pdfs[name]
    assert thin_pages(pdf) == []
    assert broken_lines(pdf) == []
    assert not PLACEHOLDER.search("".join(pdf_page_texts(pdf)))


@pytest.mark.slow
@pytest.mark.parametrize("name", _examples())
def test_shape_check_finds_nothing(pdfs, name):
    """The team's own check (/work/shared/tools/shape_check.py), where it is at hand."""
    tool = Path("/work/shared/tools/shape_check.py")
    if not tool.is_file():
        pytest.skip("shape_check.py is not at hand")
    done = subprocess.run(["python3", str(tool), str(pdfs[name]), name], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("name", _examples())
def test_every_appendix_count_table_equals_its_listed_rows(pdfs, name):
    for listed, counts in _appendix_pairs(pdfs[name].with_suffix(".docx")):
        assert sum(int(r[1]) for r in counts[1:]) == len(item_rows(listed))


@pytest.mark.slow
def test_the_legend_says_where_sakuras_kpi_tables_are(pdfs):
    """さくら市: the plan's own KGIs first, the 基本目標's under its heading, the rest after each 基本施策."""
    legend = _legend(pdfs["さくら市"].with_suffix(".docx"))
    assert legend[:3] == ["基本目標名", "基本施策名", "①推進項目名 ／ ②推進項目名 ／ ③推進項目名 ／ ……"]
    assert legend[-1].startswith("後期基本計画全体の指標は本文の初めに、基本目標に掲げる指標は各基本目標名の後に、"
                                 "各基本施策の最後に、その基本施策に掲げる指標の表を載せています")


def _first_lines_of_sheet_pages(pdf: Path, title: str) -> tuple[list[str], set[str]]:
    """The first line (squeezed) of each page of the chapter ``title`` but its first, and its Heading 2 titles."""
    document = docx.Document(str(pdf.with_suffix(".docx")))
    sheets, inside = set(), False
    for p in document.paragraphs:
        if p.style.name == "Heading 1":
            inside = p.text == title
        elif inside and p.style.name == "Heading 2":
            sheets.add(_squeeze(p.text))
    chapters = chapter_titles(pdf)
    firsts = [_squeeze(next((line for line in page.splitlines() if line.strip()), "")) for page in pdf_page_texts(pdf)]
    start = firsts.index(_squeeze(title))
    end = next((n for n in range(start + 1, len(firsts)) if firsts[n] in chapters), len(firsts))
    return firsts[start + 1:end], sheets


@pytest.mark.slow
@pytest.mark.parametrize("name", ["demo", "H28", "さくら市"])
def test_a_measure_sheet_going_on_to_a_page_names_itself_there(pdfs, name):
    """The sheet's tables are drawn as one, whose first row is the sheet's name: every page of the chapter starts
    with a sheet's heading or with that name and 「（続き）」, so a member who turns to it knows whose page it is."""
    plan = load_plan(Workspace(pdfs[name].parent.parent).plan_file).plan
    firsts, sheets = _first_lines_of_sheet_pages(pdfs[name], plan.settings.measures_title)
    assert firsts and sheets
    assert [line for line in firsts if line.removesuffix(texts.CONTINUED) not in sheets] == []


@pytest.mark.slow
def test_libreoffice_keeps_numbers_with_their_units_wherever_the_line_ends(tmp_path, monkeypatch):
    """The same sentence with the break falling at every place in turn, in bullets and in table cells, through the
    report's own conversion (runtime/office.py adds to LibreOffice's 禁則): without it some 20 in 120 bullets and
    20 in 60 cells break 「3 / 人」「10 / 年度」「令 / 和」; with it none in the cells, a rare one in the bullets, where
    the digits end a run of Latin text exactly at the margin."""
    monkeypatch.delenv(SOFFICE_VARIABLE, raising=False)  # the tests' setting says "no PDF"
    soffice = find_soffice()
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    require("pdftotext")
    doc = ReportDocument(template_path(None))
    sentence = "延べ人数はうち3人が参加、令和10年度に12,345百万円、△4.9%減。"
    bullets(doc, ["あ" * (k % 45) + "a" * (k // 45) + sentence + "い" * 60 for k in range(120)])
    table(doc, ["事業", "内容"], [["事業", "あ" * (k % 30) + "a" * (k // 30) + sentence + "い" * 40] for k in range(60)],
          [60, 110])
    doc.save(tmp_path / "breaks.docx")
    pdf = docx_to_pdf(tmp_path / "breaks.docx", tmp_path / "breaks.pdf", soffice)
    broken = broken_lines(pdf)
    assert len(broken) <= 6, broken  # 5 %; 3 in the version measured


def glyph_heights(pdf: Path) -> list[float]:
    """The height of every word pdftotext finds (-bbox), in points."""
    done = subprocess.run([require("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    return [float(m.group(2)) - float(m.group(1)) for m in
            re.finditer(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">', done.stdout)]


@pytest.mark.slow
def test_the_master_prints_at_8_pt_or_larger(pdfs, tmp_path):
    """Every sheet on A4 landscape, one page wide: each list prints the columns a reader needs, big enough."""
    pdf = to_pdf(pdfs["master"], tmp_path)
    heights = glyph_heights(pdf)
    assert heights and min(heights) >= 8.0, f"smallest {min(heights):.1f} pt"


# --- the typesetting rules, one by one (fast) -------------------------------------------------------------


def test_a_long_cover_title_breaks_at_a_phrase_boundary():
    assert title_lines("第3次さくら市総合計画 後期基本計画の進捗状況について") == "第3次さくら市総合計画 \n後期基本計画の進捗状況について"
    assert title_lines("第2期かわせみ町まち・ひと・しごと創生総合戦略の取組状況について").endswith("\nの取組状況について")
    assert title_lines("地方創生関連交付金関連事業の取組状況について") == "地方創生関連交付金関連事業の取組状況について"


def test_a_departments_text_is_printed_as_written_and_full_width_digits_in_the_reports_style():
    assert aligned_actuals(["22.7%", "30%"], ["－（H29年から調査なし）"]) == ["－（H29年から調査なし）"]
    assert aligned_actuals(["△4.9%"], ["1%"]) == ["1.0%"]
    assert clean_text("参加者は２０３人、達成率は５０％") == "参加者は203人、達成率は50%"


def test_a_year_with_its_era_is_kept_whole_in_a_cell():
    widths = fit_widths(["指標名", "目標値"], [["観光客数", "1,200人\n（令和10年度）"]], [int(Mm(80)), int(Mm(20))])
    assert widths[1] > int(Mm(20)) and sum(widths) == int(Mm(100))  # so that 「（令和10年度）」 does not break before 度
