"""Hostile variants of a real department form, built as zip + XML (small on disk).

Used by tests/test_hostile.py (one test per class) and benchmarks/hostile.py (time and peak memory of
`kpireport validate` on each). Each variant takes a genuine filled form with one planted mistake (so that
validation has a finding and the tool would write a feedback copy) and changes one part of it:

- ``far-cell``: a cell at XFD1048576 on the KPI sheet;
- ``million-dimension``: the KPI sheet declares its used range A1:XFD1048576;
- ``zip-bomb``: the KPI sheet padded with 200 MB of spaces (about 200 KB compressed);
- ``styled-rows``: a million empty rows with a style and a height after the form's rows;
- ``million-strings``: a shared-strings table of a million entries (the form's own first).
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MILLION = 1_000_000
BOMB_BYTES = 200 * 1024 * 1024
CHUNK = 4 * 1024 * 1024


def sheet_part(package: zipfile.ZipFile, sheet_name: str) -> str:
    """The zip member holding the worksheet ``sheet_name`` (through workbook.xml and its relationships)."""
    workbook = package.read("xl/workbook.xml").decode("utf-8")
    rels = package.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    sheet = _found(rf'<sheet [^>]*name="{re.escape(sheet_name)}"[^>]*/>', workbook)
    rid = _found(r'r:id="([^"]+)"', sheet, 1)
    path = _found(r'Target="([^"]+)"', _found(rf'<Relationship [^>]*Id="{rid}"[^>]*/>', rels), 1)
    return path.lstrip("/") if path.startswith("/") else posixpath.normpath(posixpath.join("xl", path))


def _found(pattern: str, text: str, group: int = 0) -> str:
    match = re.search(pattern, text)
    if match is None:
        raise ValueError(f"{pattern} not found")
    return match.group(group)


Change = Callable[[str], Iterator[bytes]]  # the new content of a member, in chunks, from its old text


def rewrite(source: Path, target: Path, changes: dict[str, Change]) -> Path:
    """A copy of ``source`` with each member named in ``changes`` replaced by what its change makes of its text
    (streamed in chunks); a member not in ``source`` is added, made from an empty text."""
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        names = package.namelist()
        for info in package.infolist():
            if info.filename in changes:
                _write(out, info.filename, changes[info.filename](package.read(info).decode("utf-8")))
            else:
                out.writestr(info, package.read(info))
        for name in changes:
            if name not in names:
                _write(out, name, changes[name](""))
    return target


def _write(out: zipfile.ZipFile, name: str, chunks: Iterator[bytes]) -> None:
    info = zipfile.ZipInfo(name, (2024, 4, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with out.open(info, "w", force_zip64=True) as handle:
        for chunk in chunks:
            handle.write(chunk)


def _before(text: str, marker: str, middle: Iterator[bytes]) -> Iterator[bytes]:
    head, tail = text.split(marker, 1)
    yield head.encode("utf-8")
    yield from middle
    yield (marker + tail).encode("utf-8")


def far_cell(text: str) -> Iterator[bytes]:
    cell = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row>'
    return _before(text, "</sheetData>", iter((cell.encode(),)))


def million_dimension(text: str) -> Iterator[bytes]:
    changed, count = re.subn(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', text, count=1)
    if count != 1:
        raise ValueError("no dimension element")
    yield changed.encode("utf-8")


def zip_bomb(text: str) -> Iterator[bytes]:
    spaces = b" " * CHUNK
    return _before(text, "</sheetData>", (spaces for _ in range(BOMB_BYTES // CHUNK)))


def styled_rows(text: str) -> Iterator[bytes]:
    last = max(int(r) for r in re.findall(r'<row r="(\d+)"', text))

    def rows() -> Iterator[bytes]:
        for start in range(last + 1, last + 1 + MILLION, 10_000):
            yield "".join(f'<row r="{r}" s="1" customFormat="1" ht="15" customHeight="1"/>'
                          for r in range(start, min(start + 10_000, last + 1 + MILLION))).encode()
    return _before(text, "</sheetData>", rows())


STRINGS_PART = "xl/sharedStrings.xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def million_strings(text: str) -> Iterator[bytes]:
    """The table with a million entries after the form's own (made when the form has none: openpyxl writes
    its strings inline)."""
    text = text or f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="0" uniqueCount="0"></sst>'
    text = re.sub(r'(count|uniqueCount)="\d+"', lambda m: f'{m.group(1)}="{MILLION}"', text, count=2)

    def strings() -> Iterator[bytes]:
        for start in range(0, MILLION, 10_000):
            yield "".join(f"<si><t>文字列{i}</t></si>" for i in range(start, start + 10_000)).encode("utf-8")
    return _before(text, "</sst>", strings())


KPI_SHEET_CHANGES: dict[str, Change] = {
    "far-cell": far_cell,
    "million-dimension": million_dimension,
    "zip-bomb": zip_bomb,
    "styled-rows": styled_rows,
}
CLASSES = (*KPI_SHEET_CHANGES, "million-strings")


def _registered(marker: str, addition: str) -> Change:
    """A change that puts ``addition`` before ``marker`` unless the text already names the strings part."""
    def change(text: str) -> Iterator[bytes]:
        yield (text if "sharedStrings" in text else text.replace(marker, addition + marker, 1)).encode("utf-8")
    return change


def hostile_form(form: Path, kind: str, target: Path, kpi_sheet: str = "KPI実績") -> Path:
    """``form`` changed as the hostile class ``kind`` says, written to ``target``."""
    if kind == "million-strings":
        return rewrite(form, target, {
            STRINGS_PART: million_strings,
            "xl/_rels/workbook.xml.rels": _registered(
                "</Relationships>", f'<Relationship Id="rIdStrings" Type="{STRINGS_REL}" Target="sharedStrings.xml"/>'),
            "[Content_Types].xml": _registered(
                "</Types>", f'<Override PartName="/{STRINGS_PART}" ContentType="{STRINGS_TYPE}"/>'),
        })
    with zipfile.ZipFile(form) as package:
        member = sheet_part(package, kpi_sheet)
    return rewrite(form, target, {member: KPI_SHEET_CHANGES[kind]})


def member_sizes(path: Path) -> dict[str, int]:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as package:
        return {info.filename: info.file_size for info in package.infolist()}
