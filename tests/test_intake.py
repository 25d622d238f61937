"""Intake: a submitted file is opened safely, and every problem is one Japanese file-level finding."""
from __future__ import annotations

import collections
import datetime
import hashlib
import io
import re
import struct
import time
import zipfile
from pathlib import Path

import openpyxl
import openpyxl.xml
import pytest
from conftest import SUMMARY, shared_folder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpireport.intake import reader as intake
from kpireport.intake.reader import IntakeLimits, read_submission
from kpireport.model import Submission

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
OLE = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"


# --- fixtures built in code -------------------------------------------------------------------

def good_workbook(path: Path) -> Path:
    """A small form: values with formats, a formula without saved result, hidden sheets."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "様式"
    ws["A1"] = "指標名"
    ws["B2"] = 0.227
    ws["B2"].number_format = "0.0%"
    ws["C3"] = datetime.datetime(2024, 3, 31)
    ws["C3"].number_format = "yyyy/mm/dd"
    ws["D4"] = "=B2*2"
    ws["J5"] = 38039
    ws["J5"].number_format = "#,##0"
    hidden = wb.create_sheet("隠し")
    hidden["A1"] = "内部"
    hidden.sheet_state = "hidden"
    very = wb.create_sheet("非表示")
    very.sheet_state = "veryHidden"
    wb.save(path)
    return path


def rezip(src: Path, dst: Path, replace: dict | None = None, drop: tuple = (),
          compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A copy of the zip at src with some members replaced, added or dropped."""
    replace = dict(replace or {})
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = replace.pop(info.filename, None)
            zout.writestr(info.filename, zin.read(info) if data is None else data)
        for member, data in replace.items():
            zout.writestr(member, data)
    return dst


def read_member(path: Path, member: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(member)


def only_finding(sub: Submission) -> str:
    """The code of the single finding of an unreadable submission (checked on the way)."""
    assert isinstance(sub, Submission)
    assert sub.readable is False
    assert sub.sheets == ()
    assert len(sub.findings) == 1, sub.findings
    found = sub.findings[0]
    assert found.file == sub.name
    assert found.severity == "error"
    assert JAPANESE.search(found.message), found.message
    assert "Traceback" not in found.message and not re.search(r"\{[a-z_]+\}", found.message)
    return found.code


# --- the good path ----------------------------------------------------------------------------

def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_good_workbook_cells_positions_formats_and_states(tmp_path):
    path = good_workbook(tmp_path / "回答_企画課.xlsx")
    sub = read_submission(path)
    assert sub.readable is True
    assert sub.findings == ()
    assert sub.name == "回答_企画課.xlsx" and sub.path == str(path)
    assert sub.size == path.stat().st_size
    assert sub.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [(s.name, s.state) for s in sub.sheets] == [("様式", "visible"), ("隠し", "hidden"),
                                                       ("非表示", "veryHidden")]
    form = sub.sheet("様式")
    assert sorted(form.cells) == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 10)]
    assert form.value(1, 1) == "指標名"
    b2 = form.cell(2, 2)
    assert (b2.value, b2.number_format, b2.formula, b2.coordinate) == (0.227, "0.0%", None, "B2")
    c3 = form.cell(3, 3)
    assert c3.value == datetime.datetime(2024, 3, 31) and c3.number_format == "yyyy/mm/dd"
    d4 = form.cell(4, 4)  # openpyxl saves no result: the formula is kept, the value is None
    assert (d4.value, d4.formula) == (None, "=B2*2")
    j5 = form.cell(5, 10)
    assert (j5.value, j5.number_format, j5.coordinate) == (38039, "#,##0", "J5")
    assert sub.sheet("隠し").value(1, 1) == "内部"
    assert sub.sheet("非表示").cells == {}


def test_formula_text_and_saved_result(tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "formula.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("集計")
    sheet.write_number("A1", 42)
    sheet.write_formula("B1", "=A1*2", None, 84)
    sheet.write_formula("C1", '=IF(A1>0,"達成","未達成")', None, "達成")
    sheet.write_array_formula("D1:D1", "{=SUM(A1:A1*2)}", None, 84)
    book.close()
    cells = read_submission(path).sheet("集計").cells
    assert (cells[(1, 1)].value, cells[(1, 1)].formula) == (42, None)
    assert (cells[(1, 2)].value, cells[(1, 2)].formula) == (84, "=A1*2")
    assert (cells[(1, 3)].value, cells[(1, 3)].formula) == ("達成", '=IF(A1>0,"達成","未達成")')
    assert cells[(1, 4)].value == 84 and cells[(1, 4)].formula == "=SUM(A1:A1*2)"


def test_recognised_by_content_not_by_name(tmp_path):
    path = good_workbook(tmp_path / "book.xlsx").rename(tmp_path / "回答.csv")
    assert read_submission(path).readable is True
    fake = tmp_path / "回答.xlsx"
    fake.write_text("指標名,実績\n人口,38039\n", encoding="utf-8")
    assert only_finding(read_submission(fake)) == "file-not-workbook"


@pytest.mark.parametrize("max_empty_run, reads_after", [(2_000, True), (1_001, True), (1_000, False), (500, False)])
def test_empty_run_stops_a_sheet(tmp_path, max_empty_run, reads_after):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "上"
    wb.active["A1002"] = "下"  # rows 2..1001: 1,000 empty rows
    path = tmp_path / "gap.xlsx"
    wb.save(path)
    sub = read_submission(path, IntakeLimits(max_empty_run=max_empty_run))
    assert sub.readable and sub.findings == ()
    sheet = sub.sheets[0]
    assert sheet.value(1, 1) == "上"
    assert (sheet.value(1002, 1) == "下") is reads_after


def test_declared_dimension_is_not_trusted(tmp_path):
    """A sheet that declares A1:XFD1048576 and styles a million rows still reads fast."""
    wb = openpyxl.Workbook()
    wb.active["B2"] = "値"
    path = tmp_path / "dims.xlsx"
    wb.save(path)
    sheet_xml = read_member(path, "xl/worksheets/sheet1.xml").decode()
    sheet_xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', sheet_xml)
    sheet_xml = sheet_xml.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>')
    lied = rezip(path, tmp_path / "lied.xlsx", {"xl/worksheets/sheet1.xml": sheet_xml})
    start = time.monotonic()
    sub = read_submission(lied)
    assert time.monotonic() - start < 10
    assert sub.readable and list(sub.sheets[0].cells) == [(2, 2)]


def test_max_rows_and_max_columns(tmp_path):
    wb = openpyxl.Workbook()
    for row in range(1, 31):
        wb.active.cell(row, 1, row)
    wb.active["E1"] = "右端の外"
    path = tmp_path / "long.xlsx"
    wb.save(path)
    sub = read_submission(path, IntakeLimits(max_rows=10, max_columns=3))
    assert sub.readable
    sheet = sub.sheets[0]
    assert sorted(sheet.cells) == [(r, 1) for r in range(1, 11)]
    # rows beyond max_rows are not silently lost: a warning says where reading stopped
    assert [(f.code, f.severity, f.sheet) for f in sub.findings] == [("file-too-large", "warning", "Sheet")]
    assert "10行目まで" in sub.findings[0].message and sub.findings[0].file == "long.xlsx"


# --- files refused before any parsing ---------------------------------------------------------

def test_empty_file(tmp_path):
    path = tmp_path / "空.xlsx"
    path.write_bytes(b"")
    sub = read_submission(path)
    assert only_finding(sub) == "file-empty"
    assert sub.size == 0 and sub.sha256 == hashlib.sha256(b"").hexdigest()


def test_too_large(tmp_path):
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * (3 * 1024 * 1024))
    sub = read_submission(path, IntakeLimits(max_file_bytes=2 * 1024 * 1024))
    assert only_finding(sub) == "file-too-large"
    assert "3MB" in sub.findings[0].message and "上限は2MB" in sub.findings[0].message
    assert sub.size == path.stat().st_size
    assert sub.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("content, code, words", [
    ("指標名,実績\n人口,38039\n".encode(), "file-not-workbook", "CSV"),
    ("指標名,実績\n人口,38039\n".encode("cp932"), "file-not-workbook", "CSV"),
    ("\ufeff指標名\t実績\n".encode("utf-16"), "file-not-workbook", "CSV"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "file-not-workbook", "PDF"),
    (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "file-not-workbook", "HTML"),
    (bytes(range(256)) * 4, "file-not-workbook", "形式不明"),
    (OLE + b"\0" * 600 + "Workbook".encode("utf-16-le") + b"\0" * 600, "file-old-xls", "xls"),
    (OLE + b"\0" * 600 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 8
     + "EncryptedPackage".encode("utf-16-le"), "file-encrypted", "パスワード"),
])
def test_not_a_zip(tmp_path, content, code, words):
    path = tmp_path / "提出.xlsx"
    path.write_bytes(content)
    sub = read_submission(path)
    assert only_finding(sub) == code
    assert words in sub.findings[0].message


def test_missing_file_and_directory(tmp_path):
    sub = read_submission(tmp_path / "ない.xlsx")
    assert only_finding(sub) == "file-unreadable" and sub.sha256 == ""
    assert only_finding(read_submission(tmp_path)) == "file-unreadable"


# --- the zip container ------------------------------------------------------------------------

def test_truncated_zip_is_broken(tmp_path):
    data = good_workbook(tmp_path / "ok.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert only_finding(read_submission(path)) == "file-broken"


def test_bad_crc_is_broken(tmp_path):
    src = good_workbook(tmp_path / "ok.xlsx")
    stored = rezip(src, tmp_path / "stored.xlsx", compression=zipfile.ZIP_STORED)
    data = bytearray(stored.read_bytes())
    at = data.index(b"<sheetData>")  # in the stored (uncompressed) first sheet
    data[at + 1:at + 2] = b"S"
    path = tmp_path / "crc.xlsx"
    path.write_bytes(bytes(data))
    sub = read_submission(path)
    assert only_finding(sub) == "file-broken"
    assert "sheet1.xml" in sub.findings[0].message


def test_zip_bomb_by_ratio(tmp_path):
    src = good_workbook(tmp_path / "ok.xlsx")
    path = rezip(src, tmp_path / "bomb.xlsx", {"xl/media/zeros.xml": b"\0" * (4 * 1024 * 1024)})
    sub = read_submission(path)
    assert only_finding(sub) == "file-suspicious"
    assert "圧縮爆弾" in sub.findings[0].message


@pytest.mark.parametrize("limits", [
    IntakeLimits(max_entries=3),
    IntakeLimits(max_entry_bytes=500),
    IntakeLimits(max_total_bytes=5_000),
])
def test_zip_size_limits(tmp_path, limits):
    path = good_workbook(tmp_path / "ok.xlsx")
    assert only_finding(read_submission(path, limits)) == "file-suspicious"


def test_member_reads_stop_at_the_limit_whatever_is_declared(tmp_path):
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.xml", b"a" * 100_000)
    archive = intake._Archive(zipfile.ZipFile(path), IntakeLimits(max_entry_bytes=70_000), "a.zip")
    with pytest.raises(intake._Refused) as refused:
        archive.read(archive.find("big.xml"))
    assert refused.value.finding.code == "file-suspicious"


def test_plain_zip_and_docx_are_not_workbooks(tmp_path):
    plain = tmp_path / "plain.xlsx"
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("回答.txt", "人口 38039")
    assert only_finding(read_submission(plain)) == "file-not-workbook"
    empty_zip = tmp_path / "empty.xlsx"
    zipfile.ZipFile(empty_zip, "w").close()  # just an end-of-central-directory record: PK\x05\x06
    assert empty_zip.read_bytes().startswith(b"PK\x05\x06")
    assert only_finding(read_submission(empty_zip)) == "file-not-workbook"
    docx = tmp_path / "doc.xlsx"
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", '<Types><Override PartName="/word/document.xml" ContentType='
                   '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", "<document/>")
    sub = read_submission(docx)
    assert only_finding(sub) == "file-not-workbook" and "Word" in sub.findings[0].message


def test_ods(tmp_path):
    path = tmp_path / "回答.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    sub = read_submission(path)
    assert only_finding(sub) == "file-other-format" and ".ods" in sub.findings[0].message


def _content_types_with(src: Path, main: str) -> bytes:
    types = read_member(src, "[Content_Types].xml").decode()
    return types.replace("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", main).encode()


def test_macro_enabled(tmp_path):
    src = good_workbook(tmp_path / "ok.xlsx")
    types = _content_types_with(src, "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    assert only_finding(read_submission(rezip(src, tmp_path / "m.xlsx", {"[Content_Types].xml": types}))) == "file-macro"
    vba = rezip(src, tmp_path / "vba.xlsx", {"xl/vbaProject.bin": b"\0" * 64})
    assert only_finding(read_submission(vba)) == "file-macro"


def test_xlsb(tmp_path):
    src = good_workbook(tmp_path / "ok.xlsx")
    types = _content_types_with(src, "application/vnd.ms-excel.sheet.binary.macroEnabled.main")
    sub = read_submission(rezip(src, tmp_path / "b.xlsx", {"[Content_Types].xml": types}))
    assert only_finding(sub) == "file-other-format" and ".xlsb" in sub.findings[0].message


def test_strict_ooxml(tmp_path):
    src = good_workbook(tmp_path / "ok.xlsx")
    workbook = read_member(src, "xl/workbook.xml").replace(
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main")
    path = rezip(src, tmp_path / "strict.xlsx", {"xl/workbook.xml": workbook})
    assert only_finding(read_submission(path)) == "file-strict-ooxml"


LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n<sst>&lol2;</sst>')


@pytest.mark.parametrize("member, data", [
    ("xl/sharedStrings.xml", LAUGHS),
    ("docProps/core.xml", LAUGHS.replace(b"DOCTYPE", b"doctype")),
    ("_rels/.rels", b'<?xml version="1.0"?><!ENTITY x SYSTEM "file:///etc/passwd"><Relationships/>'),
    ("xl/worksheets/sheet1.xml", LAUGHS.decode().replace('"1.0"?>', '"1.0" encoding="utf-16"?>').encode("utf-16")),
    ("xl/custom.dat", LAUGHS),
])
def test_doctype_is_refused(tmp_path, member, data):
    src = good_workbook(tmp_path / "ok.xlsx")
    sub = read_submission(rezip(src, tmp_path / "xxe.xlsx", {member: data}))
    assert only_finding(sub) == "file-suspicious"
    assert "DOCTYPE" in sub.findings[0].message


# --- what openpyxl makes of it ----------------------------------------------------------------

def test_no_sheets(tmp_path):
    src = good_workbook(tmp_path / "ok.xlsx")
    workbook = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", read_member(src, "xl/workbook.xml"), flags=re.S)
    assert only_finding(read_submission(rezip(src, tmp_path / "none.xlsx", {"xl/workbook.xml": workbook}))) == "file-no-sheets"


def test_missing_sheet_part_is_broken_not_silently_skipped(tmp_path):
    src = good_workbook(tmp_path / "ok.xlsx")
    sub = read_submission(rezip(src, tmp_path / "gone.xlsx", drop=("xl/worksheets/sheet1.xml",)))
    assert only_finding(sub) == "file-broken"
    assert "様式" in sub.findings[0].message


def test_missing_shared_strings_is_unreadable_with_the_exception_named(tmp_path):
    src = good_workbook(tmp_path / "ok.xlsx")
    types = read_member(src, "[Content_Types].xml").replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" '
                                                            b'ContentType="application/vnd.openxmlformats-officedocument.'
                                                            b'spreadsheetml.sharedStrings+xml"/></Types>')
    rels = read_member(src, "xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>", b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
                             b'officeDocument/2006/relationships/sharedStrings"/></Relationships>')
    sub = read_submission(rezip(src, tmp_path / "gone.xlsx", {"[Content_Types].xml": types,
                                                               "xl/_rels/workbook.xml.rels": rels}))
    assert only_finding(sub) == "file-unreadable"
    assert "KeyError" in sub.findings[0].message


def test_any_openpyxl_error_is_unreadable(tmp_path, monkeypatch):
    """A file the fast reader passes on to openpyxl, which then fails: file-unreadable with its reason."""
    path = good_workbook(tmp_path / "ok.xlsx")

    def boom(*args, **kwargs):
        raise ValueError("bad thing\nsecond line")

    monkeypatch.setattr(intake, "read_sheets", boom)
    monkeypatch.setattr(intake.openpyxl, "load_workbook", boom)
    sub = read_submission(path)
    assert only_finding(sub) == "file-unreadable"
    assert "ValueError: bad thing" in sub.findings[0].message and "second line" not in sub.findings[0].message


def test_unexpected_errors_never_escape(tmp_path, monkeypatch):
    path = good_workbook(tmp_path / "ok.xlsx")

    def boom(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(intake, "check_xml_parts", boom)
    sub = read_submission(path)
    assert only_finding(sub) == "file-unreadable" and "RuntimeError" in sub.findings[0].message
    assert sub.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def good_bytes(tmp_path_factory) -> bytes:
    return good_workbook(tmp_path_factory.mktemp("good") / "ok.xlsx").read_bytes()


@pytest.mark.slow  # property test (hypothesis)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)),
                      min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.integers(min_value=1)))
def test_damaged_workbooks_never_raise(tmp_path, good_bytes, edits, cut):
    data = bytearray(good_bytes)
    for position, byte in edits:
        data[position % len(data)] = byte
    if cut is not None:
        data = data[: cut % len(data) or 1]
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))
    sub = read_submission(path)
    assert isinstance(sub, Submission)
    if not sub.readable:
        only_finding(sub)


# --- the corpus of odd files from public test suites ------------------------------------------

EXPECTED = {
    "calamine_pass_protected.xlsx": "file-encrypted",
    "excelize_encryptAES.xlsx": "file-encrypted",
    "excelize_encryptSHA1.xlsx": "file-encrypted",
    "calamine_vba.xlsm": "file-macro",
    "calamine_strict_iso_paths.xlsx": "file-strict-ooxml",
    "calamine_any_sheets.ods": "file-other-format",
    "calamine_any_sheets.xlsb": "file-other-format",
    "calamine_issue_666_panic.xlsb": "file-other-format",
    "calamine_any_sheets.xls": "file-old-xls",
    "calamine_too_small.xls": "file-not-workbook",
    "calamine_issue252.xlsx": "file-broken",
    "excelize_BadWorkbook.xlsx": "file-no-sheets",
    # read by the fast reader although openpyxl cannot open them (an empty s="" style attribute; part
    # names in another case, e.g. xl/SharedStrings.xml): readable, see test_xlsx_cells for the values
    "README.md": "file-not-workbook",
}


def test_corpus():
    corpus = shared_folder("corpus")
    counts: collections.Counter = collections.Counter()
    files = sorted(p for p in corpus.iterdir() if p.is_file())
    outcomes = {}
    for path in files:
        start = time.monotonic()
        sub = read_submission(path)
        elapsed = time.monotonic() - start
        assert elapsed < 10, f"{path.name} took {elapsed:.1f}s"
        assert isinstance(sub, Submission) and sub.name == path.name
        assert all(f.file == path.name for f in sub.findings)
        if sub.readable:
            assert sub.sheets and not any(f.severity == "error" for f in sub.findings)
            outcomes[path.name] = "readable"
        else:
            outcomes[path.name] = only_finding(sub)
        counts[outcomes[path.name]] += 1
    for name, code in EXPECTED.items():
        assert outcomes.get(name, code) == code, (name, outcomes.get(name))
    readable = {name for name, outcome in outcomes.items() if outcome == "readable"}
    assert readable == set(outcomes) - set(EXPECTED)
    # a few things the readable files must get right
    any_sheets = read_submission(corpus / "calamine_any_sheets.xlsx")
    assert [s.state for s in any_sheets.sheets] == ["visible", "hidden", "veryHidden"]
    huge = read_submission(corpus / "calamine_issue_174.xlsx")
    assert huge.sheets[0].value(1, 1) == "Your Ref #"
    errors = read_submission(corpus / "calamine_errors.xlsx").sheets[0]
    assert (errors.value(1, 1), errors.cell(1, 1).formula) == ("#DIV/0!", "=5/0")
    SUMMARY["corpus through intake"] = (f"{len(files)} files; "
                                        + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))


# --- the zip archive's budget ---------------------------------------------------------------------

def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return buffer.getvalue()


def test_archive_counts_every_read_against_the_limits(tmp_path):
    path = tmp_path / "a.zip"
    path.write_bytes(_zip({"one.xml": b"a" * 40_000, "two.xml": b"b" * 40_000}))
    archive = intake._Archive(zipfile.ZipFile(path), IntakeLimits(max_entry_bytes=50_000, max_total_bytes=60_000),
                              "a.zip")
    archive.read(archive.find("one.xml"))
    with pytest.raises(intake._Refused) as refused:
        archive.read(archive.find("two.xml"))
    assert refused.value.finding.code == "file-suspicious"


def test_a_form_with_a_member_of_bad_crc_is_refused(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = 1
    good = tmp_path / "good.xlsx"
    workbook.save(good)
    data = bytearray(good.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    at = data.index(b"PK\x01\x02")  # the member's central directory entry: CRC-32 at +16, name at +46
    while data[at + 46:at + 46 + len(name)] != name:
        at = data.index(b"PK\x01\x02", at + 4)
    struct.pack_into("<I", data, at + 16, struct.unpack_from("<I", data, at + 16)[0] ^ 1)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(bytes(data))
    submission = read_submission(broken)
    assert not submission.readable
    assert [f.code for f in submission.findings] == ["file-broken"]
