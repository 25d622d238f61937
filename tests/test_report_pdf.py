"""The council report as the PDF `kpireport report` writes beside the docx (LibreOffice, contents updated),
read back with pdftotext: contents pages with page numbers, each listing its own section; no working notes
on the cover; no heading left at the foot of a page. And what `report` says without LibreOffice, or when
LibreOffice gives no PDF."""
from __future__ import annotations

import re
import shutil
import sys
import unicodedata
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from office import pdf_page_texts, require

from kpireport.cli.commands import cli
from kpireport.council import texts
from kpireport.model import Settings
from kpireport.runtime import office
from kpireport.runtime.office import NOT_INSTALLED, SOFFICE_VARIABLE, find_soffice, wrong_setting_line
from kpireport.workspace import run_demo
from kpireport.workspace.demo import H28_FOLDER

TOC_LINE = re.compile(r"^\s*(\S.*?)\s*\.{3,}\s*(\d+)\s*$")  # 「基本目標 1 …………… 6」
PAGE_NUMBER = re.compile(r"^\s*-\s*\d+\s*-\s*$")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def headings(path: Path, level: int) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs if p.style.name == f"Heading {level}"]


def outline(path: Path) -> list[str]:
    """Heading 1 and Heading 2 paragraphs, in order (a report without a body lists both in its contents)."""
    return [p.text for p in docx.Document(str(path)).paragraphs if p.style.name in ("Heading 1", "Heading 2")]


def measure_sheet_headings(path: Path) -> list[str]:
    """The Heading 2 paragraphs of the section with its own contents 「目次（<the chapter's name>）」."""
    found, inside = [], False
    for p in docx.Document(str(path)).paragraphs:
        if p.style.name == "Heading 1":
            inside = False
        elif p.style.name == "TOC Heading" and p.text.startswith("目次（"):
            inside = True
        elif inside and p.style.name == "Heading 2":
            found.append(p.text)
    return found


def lines(page: str) -> list[str]:
    return [line for line in page.splitlines() if line.strip()]


def toc_entries(page: str) -> list[tuple[str, int]]:
    return [(norm(m.group(1)), int(m.group(2))) for m in map(TOC_LINE.match, lines(page)) if m]


def table_captions(path: Path) -> set[str]:
    """The captions of the report's tables: a first row across the table, repeated on each page (the node's name)."""
    body = docx.Document(str(path)).element.body
    found = set()
    for first in body.xpath("./w:tbl/w:tr[1][w:trPr/w:tblHeader][w:tc/w:tcPr/w:gridSpan]"):
        text = "".join(t.text or "" for t in first.iter(f"{{{W}}}t"))
        found.add(norm(text).removesuffix(norm(texts.CONTINUED)))
    return found


def continued_pages(path: Path, pages: list[str]) -> tuple[int, list[str]]:
    """How many pages open with a table's caption and 「（続き）」, and what is wrong: a page that opens with the
    caption of a table shown on the page before (so going on from it) without 「（続き）」, a 「（続き）」 on a table's
    first page, or anywhere but a page's first line."""
    captions, continued = table_captions(path), norm(texts.CONTINUED)  # NFKC: 「(続き)」
    texts_ = [[norm(line) for line in lines(page) if not PAGE_NUMBER.match(line)] for page in pages]
    found, wrong = 0, []
    for number, page in enumerate(texts_[1:], start=2):
        shown_before = {caption for caption in captions for line in texts_[number - 2]
                        if line.startswith(caption) and not TOC_LINE.match(line)}
        for line in page[1:]:
            if any(line.startswith(caption + continued) for caption in captions):
                wrong.append(f"page {number}: 「（続き）」 not at the top: {line}")
        caption = max((c for c in captions if page and page[0].startswith(c)), key=len, default=None)
        if caption is None:
            continue
        says = page[0].startswith(caption + continued)
        found += says
        if caption in shown_before and not says:
            wrong.append(f"page {number}: {caption} goes on without 「（続き）」")
        if says and caption not in shown_before:
            wrong.append(f"page {number}: {caption}「（続き）」 on its first page")
    return found, wrong


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pdf") / "kpireport_demo"
    run_demo(root)
    return root


@pytest.fixture(scope="module")
def made(demo, tmp_path_factory) -> dict[str, object]:
    """`kpireport report` with LibreOffice, on the demo and on the second example (measure sheets); a copy of
    what it wrote under "<example>_files" (later tests write the demo's report again)."""
    require("soffice")
    require("pdftotext")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(SOFFICE_VARIABLE, raising=False)
        main = CliRunner().invoke(cli, ["report", "-w", str(demo)], catch_exceptions=False)
        h28 = CliRunner().invoke(cli, ["report", "-w", str(demo / H28_FOLDER), "-p", "H28", "-s", "表紙,達成状況,施策シート"],
                                 catch_exceptions=False)
    copies = tmp_path_factory.mktemp("made")
    for name, root in (("main", demo), ("h28", demo / H28_FOLDER)):
        (copies / name).mkdir()
        for path in (root / "output").glob("report_*.*"):
            shutil.copy2(path, copies / name / path.name)
    return {"main": main, "h28": h28, "main_files": copies / "main", "h28_files": copies / "h28"}


@pytest.mark.slow  # LibreOffice
def test_report_writes_the_pdf_beside_the_docx(demo, made):
    result = made["main"]
    pdf = demo / "output" / "report_令和5年度_実績.pdf"
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [f"審議会資料を作成しました: {demo / 'output' / 'report_令和5年度_実績.docx'}",
                                              f"PDF（目次を更新済み）: {pdf}"]
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert "未提出・未記入" in result.output  # the check list is printed, not put in the report
    assert not list((demo / "output").glob(".*.tmp"))  # written through runtime.atomic


@pytest.mark.slow  # LibreOffice
@pytest.mark.parametrize("example", ["main", "h28"])
def test_each_contents_page_lists_its_own_section_with_page_numbers(demo, made, example):
    docx_path = next(made[f"{example}_files"].glob("report_*.docx"))
    pages = pdf_page_texts(docx_path.with_suffix(".pdf"))
    assert made[example].exit_code == 0
    contents = toc_entries(pages[1])  # the page after the cover
    sheets = measure_sheet_headings(docx_path)
    if not sheets:  # a report without body (h28): its contents list the measure sheets themselves
        contents = [entry for page in pages[1:3] for entry in toc_entries(page)]
        assert [name for name, _ in contents] == [norm(h) for h in outline(docx_path)]
        assert len(contents) >= 20
        sheet_contents = []
    else:
        assert [name for name, _ in contents] == [norm(h) for h in headings(docx_path, 1)]
        measures = next(number for number, page in enumerate(pages) if "目次（具体的施策の取組状況）" in page)
        sheet_contents = [entry for page in pages[measures:measures + 3] for entry in toc_entries(page)]
        # this section's own headings, in order: the measure sheets, none of the other sections' nor its own title
        assert [name for name, _ in sheet_contents] == [norm(h) for h in sheets]
        assert len(sheet_contents) >= 20
    for name, number in contents + sheet_contents:  # the page a contents line names holds that heading
        assert name in norm(pages[number - 1]), f"{name} is not on page {number}"


@pytest.mark.slow  # LibreOffice
@pytest.mark.parametrize("example", ["main", "h28"])
def test_each_page_a_table_goes_on_to_opens_with_its_caption_and_continued(demo, made, example):
    """Issue 26 item 5: 「基本方針1 観光の振興　重要業績評価指標（KPI）（続き）」 at the top of each page a long table
    goes on to (body KPI tables, measure sheets, the appendix lists); never on a table's first page."""
    docx_path = next(made[f"{example}_files"].glob("report_*.docx"))
    found, wrong = continued_pages(docx_path, pdf_page_texts(docx_path.with_suffix(".pdf")))
    assert wrong == []
    assert found >= 5  # the demo's report and H28's sheets have long tables


@pytest.mark.slow  # LibreOffice
@pytest.mark.parametrize("example", ["main", "h28"])
def test_no_working_note_on_the_cover_and_no_page_number(demo, made, example):
    cover = pdf_page_texts(next(made[f"{example}_files"].glob("report_*.pdf")))[0]
    assert not re.search("揃っていません|未提出|実績値のない|記述のない", cover)
    assert not PAGE_NUMBER.match(lines(cover)[-1])


@pytest.mark.slow  # LibreOffice
@pytest.mark.parametrize("example", ["main", "h28"])
def test_no_heading_is_the_last_line_of_a_page(demo, made, example):
    docx_path = next(made[f"{example}_files"].glob("report_*.docx"))
    document = docx.Document(str(docx_path))
    titles = {norm(p.text) for p in document.paragraphs
              if p.style.name.startswith("Heading") or p.style.name in ("見出し 施策", "TOC Heading")}
    titles.discard("")
    titles.add(norm(texts.status_legend(Settings("", "").status_labels)))  # the appendix legend stays with its table
    stranded = []
    for number, page in enumerate(pdf_page_texts(docx_path.with_suffix(".pdf")), start=1):
        text = [line for line in lines(page) if not PAGE_NUMBER.match(line)]
        # the page's last one, two or three lines are a whole heading (a long heading wraps)
        ends = {norm("".join(text[-count:])) for count in (1, 2, 3) if len(text) >= count}
        if ends & titles:
            stranded.append(f"page {number}: {text[-1].strip()}")
    assert stranded == []


def _copy_of(demo: Path, tmp_path: Path) -> Path:
    """The demo workspace with its report's PDF, copied: these tests rename or remove that PDF."""
    copy = Path(shutil.copytree(demo, tmp_path / "ws", ignore=shutil.ignore_patterns(H28_FOLDER)))
    assert (copy / "output" / "report_令和5年度_実績.pdf").exists()
    return copy


@pytest.mark.slow  # end to end: the whole demo (forms, fill, merge, report)
def test_without_libreoffice_the_report_says_so_and_sets_the_old_pdf_aside(demo, tmp_path, monkeypatch):
    ws = _copy_of(demo, tmp_path)
    monkeypatch.delenv(SOFFICE_VARIABLE, raising=False)
    monkeypatch.setenv("PATH", "")
    result = CliRunner().invoke(cli, ["report", "-w", str(ws), "-s", "表紙,達成状況"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output.splitlines()[1] == (NOT_INSTALLED + "前回のPDFは report_令和5年度_実績_古い版.pdf に名前を変えました"
                                            "（今回の審議会資料の内容ではありません）。")
    assert (ws / "output" / "report_令和5年度_実績.docx").exists()
    assert not (ws / "output" / "report_令和5年度_実績.pdf").exists()
    assert (ws / "output" / "report_令和5年度_実績_古い版.pdf").exists()


@pytest.mark.slow  # end to end: the whole demo (forms, fill, merge, report)
def test_a_libreoffice_setting_that_names_nothing_says_the_setting_is_wrong(demo, tmp_path, monkeypatch):
    ws = _copy_of(demo, tmp_path)
    wrong = tmp_path / "not-installed" / "soffice.exe"
    monkeypatch.setenv(SOFFICE_VARIABLE, str(wrong))
    result = CliRunner().invoke(cli, ["report", "-w", str(ws), "-s", "表紙"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"エラー: {wrong_setting_line(str(wrong))}前回のPDFは report_令和5年度_実績_古い版.pdf "
                                          "に名前を変えました（今回の審議会資料の内容ではありません）。"]
    assert "設定が誤っています" in result.stderr and not (ws / "output" / "report_令和5年度_実績.pdf").exists()


@pytest.mark.slow  # end to end: the whole demo (forms, fill, merge, report)
def test_a_failed_conversion_is_one_japanese_line(demo, tmp_path, monkeypatch):
    ws = _copy_of(demo, tmp_path)
    # a program that is not LibreOffice: it starts, complains about the options and leaves no PDF
    monkeypatch.setenv(SOFFICE_VARIABLE, sys.executable)
    result = CliRunner().invoke(cli, ["report", "-w", str(ws), "-s", "表紙"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["エラー: LibreOffice で report_令和5年度_実績.docx をPDFにできませんでした。"
                                          "Wordで開いて「名前を付けて保存」からPDFにしてください（Wordの審議会資料はできています）。"
                                          "前回のPDFは report_令和5年度_実績_古い版.pdf に名前を変えました（今回の審議会資料の内容ではありません）。"]
    assert "Traceback" not in result.output
    assert (ws / "output" / "report_令和5年度_実績.docx").exists()


def test_libreoffice_is_found_on_path_or_in_its_windows_folder(tmp_path):
    program = tmp_path / "Program Files" / "LibreOffice" / "program" / "soffice.exe"
    program.parent.mkdir(parents=True)
    program.write_bytes(b"")
    assert find_soffice({"PATH": "", "ProgramFiles": str(tmp_path / "Program Files")}) == program
    assert find_soffice({"PATH": "", "ProgramFiles(x86)": str(tmp_path / "Program Files")}) == program
    assert find_soffice({"PATH": "", "ProgramFiles": str(tmp_path / "nowhere")}) is None
    assert find_soffice({"PATH": "", SOFFICE_VARIABLE: str(program)}) == program
    assert find_soffice({"PATH": "", SOFFICE_VARIABLE: str(tmp_path / "missing")}) is None
    on_path = tmp_path / "bin"
    on_path.mkdir()
    name = "soffice.exe" if sys.platform == "win32" else "soffice"
    (on_path / name).write_bytes(b"")
    (on_path / name).chmod(0o755)
    assert find_soffice({"PATH": str(on_path), "PATHEXT": ".EXE"}) == on_path / name
    assert office.TIMEOUT_SECONDS > 0


@pytest.mark.slow  # LibreOffice
def test_run_writes_the_pdf_too(demo, made):
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(SOFFICE_VARIABLE, raising=False)
        pdf = demo / "output" / "report_令和5年度_実績.pdf"
        pdf.unlink()
        result = CliRunner().invoke(cli, ["run", "-w", str(demo), "--no-feedback", "-s", "表紙,施策シート"],
                                    catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"PDF（目次を更新済み）: {pdf}" in result.output.splitlines()
    assert pdf.read_bytes()[:5] == b"%PDF-"


@pytest.mark.slow  # LibreOffice
def test_any_folder_name_reaches_libreoffice(demo, made, tmp_path):
    """The paths go to the macro as file URLs: spaces, Japanese, commas, quotes and parentheses are escaped."""
    folder = tmp_path / "審議会 (案), 'x' & y"
    folder.mkdir()
    source = folder / "資料 1.docx"
    shutil.copy2(next(made["h28_files"].glob("report_*.docx")), source)
    pdf = office.docx_to_pdf(source, folder / "資料 1.pdf", Path(require("soffice")))
    assert pdf.read_bytes()[:5] == b"%PDF-" and "具体的施策 1-1-1" in "".join(pdf_page_texts(pdf))


def test_a_libreoffice_that_does_not_finish_is_stopped_and_told(tmp_path):
    source = tmp_path / "資料.docx"
    source.write_bytes(b"PK")
    hanging = tmp_path / "soffice"  # a program that never finishes, whatever it is asked
    hanging.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(60)\n", encoding="utf-8")
    hanging.chmod(0o755)
    with pytest.raises(office.ConversionFailed, match="秒で終わらなかったため、PDFは作りませんでした"):
        office.docx_to_pdf(source, tmp_path / "資料.pdf", hanging, timeout=1)
    assert not (tmp_path / "資料.pdf").exists()
