"""The other embedded plans' reports as the PDF `kpireport report` writes (LibreOffice, contents updated), read
back as a council member would: contents with page numbers, a cover without working notes, measure sheets with
content, status tables whose totals are the sum of their rows (with the note saying what the rows hold), and no
heading left at the foot of a page. The demo's own report is checked the same way in test_report_pdf.py."""
from __future__ import annotations

from pathlib import Path

import docx
import pytest
from office import pdf_page_texts, require
from test_other_plans import fill_all
from test_report_pdf import PAGE_NUMBER, continued_pages, headings, lines, measure_sheet_headings, norm, toc_entries

from kpireport.cli.printing import run_lines
from kpireport.periods import ReportPeriod
from kpireport.plan.load import load_plan
from kpireport.runtime.office import SOFFICE_VARIABLE
from kpireport.workspace import Workspace

pytestmark = pytest.mark.slow  # LibreOffice: the other plans' reports as PDF


@pytest.fixture(scope="module", params=["さくら市", "かわせみ町"])
def made(request, tmp_path_factory) -> dict:
    require("soffice")
    require("pdftotext")
    root = tmp_path_factory.mktemp("pdf") / request.param
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(SOFFICE_VARIABLE, raising=False)
        workspace = Workspace.create(root, example=request.param)
        workspace.make_forms()
        plan = load_plan(workspace.plan_file).plan
        fill_all(workspace, plan, ReportPeriod(plan.settings.actual_year))
        ran = workspace.run()
    assert ran.merge.problems == {}, ran.merge.problems
    report = next((root / "output").glob("report_*.docx"))
    return {"plan": plan, "output": "\n".join(run_lines(ran)), "docx": report, "pages": pdf_page_texts(report.with_suffix(".pdf"))}


def test_the_contents_pages_list_each_sections_headings_with_their_pages(made):
    pages, path = made["pages"], made["docx"]
    contents = toc_entries(pages[1])
    assert [name for name, _ in contents] == [norm(h) for h in headings(path, 1)]
    sheets = measure_sheet_headings(path)
    if sheets:
        start = next(number for number, page in enumerate(pages) if f"目次（{made['plan'].settings.measures_title}）" in page)
        listed = [entry for page in pages[start:start + 3] for entry in toc_entries(page)]
        assert [name for name, _ in listed] == [norm(h) for h in sheets]
        contents += listed
    for name, number in contents:
        assert name in norm(pages[number - 1]), f"{name} is not on page {number}"


def test_the_cover_carries_no_working_note_and_no_page_number(made):
    cover = made["pages"][0]
    assert "揃っていません" not in cover and "未提出" not in cover
    assert not PAGE_NUMBER.match(lines(cover)[-1])
    assert made["plan"].settings.report_title.replace(" ", "") in norm(cover)


def test_measure_sheets_have_content(made):
    """At most 5 % of the measure sheets' cells say 「（記載なし）」."""
    document = docx.Document(str(made["docx"]))
    cells, inside = [], False
    for element in document.element.body.iterchildren():
        if element.tag.endswith("}p"):
            paragraph = docx.text.paragraph.Paragraph(element, document)
            if paragraph.style.name == "Heading 1":
                inside = paragraph.text == made["plan"].settings.measures_title
        elif inside and element.tag.endswith("}tbl"):
            cells += [c.text for row in docx.table.Table(element, document).rows for c in row.cells if c.text]
    assert len(cells) > 50
    empty = sum("（記載なし）" in c for c in cells)
    assert empty <= len(cells) * 0.05, f"{empty} of {len(cells)} cells"


def test_status_totals_are_the_sum_of_their_rows_and_the_pdf_says_what_they_hold(made):
    plan = made["plan"]
    grades = [f"{g.code}\n{g.label}" for g in plan.grades]  # the mark over its label
    tables = [t for t in docx.Document(str(made["docx"])).tables if [c.text for c in t.rows[0].cells][1:1 + len(grades)]
              == grades]
    assert tables
    for table in tables:
        rows = [[c.text.split("\n")[0] for c in r.cells] for r in table.rows[1:]]
        for column in range(1, len(rows[0])):
            assert int(rows[-1][column]) == sum(int(r[column]) for r in rows[:-1])
    text = norm("".join(made["pages"]))
    if any(k.reposted_under for k in plan.kpis):
        assert norm("再掲の指標は掲載先の行ごとに数えています") in text or "に掲げる指標" in text


def test_no_heading_is_the_last_line_of_a_page(made):
    document = docx.Document(str(made["docx"]))
    titles = {norm(p.text) for p in document.paragraphs
              if p.style.name.startswith("Heading") or p.style.name in ("見出し 施策", "TOC Heading")} - {""}
    stranded = []
    for number, page in enumerate(made["pages"], start=1):
        text = [line for line in lines(page) if not PAGE_NUMBER.match(line)]
        ends = {norm("".join(text[-count:])) for count in (1, 2, 3) if len(text) >= count}
        if ends & titles:
            stranded.append(f"page {number}: {text[-1].strip()}")
    assert stranded == []


def test_each_page_a_table_goes_on_to_opens_with_its_caption_and_continued(made):
    found, wrong = continued_pages(made["docx"], made["pages"])
    assert wrong == []
    assert found >= 1  # each example has a measure sheet or an appendix list that runs on to a next page


def test_run_writes_the_pdf_beside_the_docx(made):
    assert "PDF（目次を更新済み）" in made["output"]
    assert Path(made["docx"]).with_suffix(".pdf").read_bytes()[:5] == b"%PDF-"
