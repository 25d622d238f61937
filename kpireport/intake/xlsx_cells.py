"""Read a checked workbook's worksheet cells in one pass with lxml.

Intake's fast path. openpyxl (read-only) needs two passes per file, one for saved values and one for
formulas, and builds a Python object per cell in each: 30× slower than reading the values with
calamine. This reader parses each sheet part once and gives the same RawCell values openpyxl would
(saved results, formulas with shared formulas expanded, dates from date-formatted numbers, the 1904
calendar). It reads only what intake has already checked (zip limits, no DOCTYPE), through the same
size budget. Anything it does not expect raises :class:`Unexpected`, and intake then reads the file with
openpyxl, whose own diagnosis becomes the finding: odd files lose nothing by the fast path.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import posixpath
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any, cast

from lxml import etree
from openpyxl.formula.translate import Translator
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

from kpireport.model import RawCell, RawSheet

__all__ = ["Unexpected", "read_sheets"]

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
WORKSHEET_REL = "/worksheet"
STRINGS_REL = "/sharedStrings"
STYLES_REL = "/styles"

ROW, CELL, VALUE, FORMULA, INLINE = (MAIN + tag for tag in ("row", "c", "v", "f", "is"))
TEXT = MAIN + "t"

WHOLE_TREE_BYTES = 8 * 1024 * 1024  # sheet parts up to this size are parsed whole, larger ones streamed
# a shared-strings table up to this size is parsed whole: a form's is a few hundred KB (Calc's of the large
# benchmark city's forms: 231 KB); a bigger one is streamed only as far as the cells read refer to it
WHOLE_TABLE_BYTES = 1024 * 1024
# no entities, no network, no huge nodes: the parts were already checked, this is belt and braces
_PARSER = {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False}
_parsers = threading.local()  # one parser per thread, made once: making one costs as much as parsing a small part

_COLUMNS: dict[str, int] = {}  # column letters -> index, for every sheet (at most A to ZZZ: openpyxl refuses more)
_new_cell = tuple.__new__  # _new_cell(RawCell, fields): a RawCell without NamedTuple's Python-level __new__


class Unexpected(Exception):
    """The workbook has something this reader does not handle; read it with openpyxl instead."""


Element = Any  # an lxml element: its class (etree._Element) is private to lxml
Reader = Callable[[str], bytes | None]  # a zip member's bytes (within the budget), None if absent


def read_sheets(read: Reader, workbook_part: str, max_rows: int, max_columns: int, max_empty_run: int,
                skip_cells: frozenset[str] = frozenset()) -> list[tuple[RawSheet, bool, list[tuple[str, str]]]]:
    """Every worksheet in workbook order: (sheet, truncated at max_rows, [(cell, serial)] of dates out of range).
    Sheets named in ``skip_cells`` come with their name and state only (``cells_read`` False)."""
    workbook = _parse(read, workbook_part)
    rels = _relationships(read, workbook_part)
    date1904 = _flag(workbook.find(f"{MAIN}workbookPr"), "date1904")
    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    strings = _shared_strings(read, _target_of(rels, STRINGS_REL))
    formats = _cell_formats(read, _target_of(rels, STYLES_REL))
    sheets: list[tuple[RawSheet, bool, list[tuple[str, str]]]] = []
    for element in workbook.iter(f"{MAIN}sheet"):
        kind, target = rels.get(element.get(f"{DOC_REL}id") or "", ("", ""))
        if not kind.endswith(WORKSHEET_REL):
            continue  # chartsheets and dialog sheets hold no cells (openpyxl leaves them out too)
        data = read(target)
        if data is None:
            raise Unexpected(f"sheet part {target} missing")
        name, state = element.get("name", ""), element.get("state") or "visible"
        if name in skip_cells:
            sheets.append((RawSheet(name=name, state=state, cells={}, cells_read=False), False, []))
            continue
        reader = _SheetReader(strings, formats, epoch, max_rows, max_columns, max_empty_run)
        cells, truncated = reader.read(data)
        sheets.append((RawSheet(name=name, state=state, cells=cells), truncated, reader.bad_dates))
    if not sheets:
        raise Unexpected("no worksheets")
    return sheets


# --- package parts ----------------------------------------------------------------------------

def _parse(read: Reader, member: str) -> Element:
    data = read(member)
    if data is None:
        raise Unexpected(f"{member} missing")
    return etree.fromstring(data, _parser())


def _parser() -> etree.XMLParser:
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                                                   load_dtd=False)  # as _PARSER says
    return parser


def _iterparse(data: bytes, tag: str) -> Iterator[tuple[str, Element]]:
    """The elements ``tag`` of ``data`` as each ends, parsed with _PARSER's settings."""
    return etree.iterparse(io.BytesIO(data), events=("end",), tag=tag, resolve_entities=False, no_network=True,
                           huge_tree=False, load_dtd=False)


def _forget(element: Element) -> None:
    """Clear a streamed element and drop the siblings before it."""
    element.clear()
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def _flag(element: Element | None, name: str) -> bool:
    return element is not None and (element.get(name) or "").strip().lower() in ("1", "true")


def _relationships(read: Reader, part: str) -> dict[str, tuple[str, str]]:
    """rId -> (relationship type, member name) for a part."""
    folder, base = posixpath.split(part)
    data = read(posixpath.join(folder, "_rels", base + ".rels"))
    if data is None:
        raise Unexpected(f"relationships of {part} missing")
    rels: dict[str, tuple[str, str]] = {}
    for rel in etree.fromstring(data, _parser()).iter(f"{PKG_REL}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        member = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        rels[rel.get("Id") or ""] = (rel.get("Type", ""), posixpath.normpath(member))
    return rels


def _target_of(rels: dict[str, tuple[str, str]], suffix: str) -> str | None:
    return next((member for kind, member in rels.values() if kind.endswith(suffix)), None)


def _text(element: Element) -> str:
    """A string item's text as openpyxl reads it: its t, then each run's t; phonetic runs left out."""
    if len(element) == 1:
        only = element[0]
        if only.tag == TEXT:  # the usual case: one plain text
            return only.text or ""
    return "".join(cast("list[str]", _run_texts()(element)))


def _run_texts() -> etree.XPath:
    """The t texts of a string item and of its runs, phonetic runs (rPh) left out: Calc writes each text as
    runs, one per script's font, and Japanese Excel keeps the reading typed with an IME. One per thread, as
    the parser (lxml's XPath evaluators are not to be shared between threads)."""
    texts = getattr(_parsers, "run_texts", None)
    if texts is None:
        texts = _parsers.run_texts = etree.XPath("m:t/text() | m:r/m:t/text()", namespaces={"m": MAIN[1:-1]},
                                                 smart_strings=False)
    return texts


def _shared_strings(read: Reader, member: str | None) -> StreamedStrings | list[str]:
    """The shared-strings table: up to WHOLE_TABLE_BYTES (a form's) read whole into a list, since a form's cells
    refer to nearly every entry; a bigger one read lazily (StreamedStrings)."""
    if member is None:
        return []
    data = read(member)
    if data is None:
        raise Unexpected(f"{member} missing")
    if len(data) > WHOLE_TABLE_BYTES:
        return StreamedStrings(data)
    return [decode_escapes(_text(entry)) for entry in etree.fromstring(data, _parser()).iterchildren(f"{MAIN}si")]


class StreamedStrings:
    """A shared-strings table too big to read whole: its entries' texts made only as far as the cells read refer
    to it (a form's cells use a few hundred strings, whatever number of entries the table holds), each streamed
    entry dropped once read."""

    def __init__(self, data: bytes):
        self.items: list[str] = []
        self._entries = _iterparse(data, f"{MAIN}si")

    def __getitem__(self, index: int) -> str:  # never negative: _SheetReader._cell refuses those
        items = self.items
        while index >= len(items):
            _, entry = next(self._entries, (None, None))
            if entry is None:
                raise IndexError(index)
            items.append(decode_escapes(_text(entry)))
            _forget(entry)  # memory stays flat however far the table is read
        return items[index]


_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def decode_escapes(text: str) -> str:
    """Stored text as Excel reads it: ``_xHHHH_`` is the character HHHH (a pasted line break is saved as
    _x000D_, a control character as _x0001_), and _x005F_ an underscore that keeps a literal "_x…_"."""
    if "_x" not in text:
        return text
    return _EXCEL_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


def _cell_formats(read: Reader, member: str | None) -> tuple[tuple[str, bool, bool], ...]:
    """Per cell style index: (number format, is a date format, is a duration format)."""
    if member is None:
        return ()
    data = read(member)
    if data is None:
        raise Unexpected(f"{member} missing")
    if len(data) > REMEMBERED_STYLES_BYTES:
        return _formats_in(data)
    return _remembered_formats(data)


REMEMBERED_STYLES_BYTES = 256 * 1024  # forms from one template share one styles part: read it once


@functools.lru_cache(maxsize=4)
def _remembered_formats(data: bytes) -> tuple[tuple[str, bool, bool], ...]:
    return _formats_in(data)


def _formats_in(data: bytes) -> tuple[tuple[str, bool, bool], ...]:
    root = etree.fromstring(data, _parser())
    custom = {}
    for fmt in root.iter(f"{MAIN}numFmt"):
        custom[int(fmt.get("numFmtId") or 0)] = fmt.get("formatCode") or "General"
    formats = []
    xfs = root.find(f"{MAIN}cellXfs")
    for xf in (xfs if xfs is not None else ()):
        number = int(xf.get("numFmtId") or 0)
        code = custom.get(number) or BUILTIN_FORMATS.get(number) or "General"
        formats.append(_format_kind(code))
    return tuple(formats)


@functools.lru_cache(maxsize=1024)
def _format_kind(code: str) -> tuple[str, bool, bool]:
    """(number format, is a date format, is a duration format): forms share their few formats."""
    return code, is_date_format(code), is_timedelta_format(code)


# --- a sheet ----------------------------------------------------------------------------------

class _SheetReader:
    def __init__(self, strings: StreamedStrings | list[str], formats: tuple[tuple[str, bool, bool], ...],
                 epoch: dt.datetime, max_rows: int, max_columns: int, max_empty_run: int):
        self.strings, self.formats, self.epoch = strings, formats, epoch
        self.max_rows, self.max_columns, self.max_empty_run = max_rows, max_columns, max_empty_run
        self.shared: dict[str, Translator] = {}
        self.bad_dates: list[tuple[str, str]] = []
        self.columns = _COLUMNS
        self.styles: dict[str | None, tuple[str, bool, bool]] = {}  # s attribute -> its format (_style)

    def read(self, data: bytes) -> tuple[dict, bool]:
        cells: dict = {}
        row_number, empty_run, truncated = 0, 0, False
        for row in self._rows(data):
            given = row.get("r")
            previous, row_number = row_number, int(given) if given else row_number + 1
            stop = False
            for gap_row in range(previous + 1, row_number):  # rows not in the file are empty rows
                if gap_row > self.max_rows:
                    truncated = stop = True
                    break
                empty_run += 1
                if empty_run >= self.max_empty_run:
                    stop = True
                    break
            if stop:
                break
            if row_number > self.max_rows:
                truncated = True
                break
            found = self._row(row, row_number, cells)
            empty_run = 0 if found else empty_run + 1
            if empty_run >= self.max_empty_run:
                break
        return cells, truncated

    @staticmethod
    def _rows(data: bytes) -> Iterator[Element]:
        """The sheet's row elements: from a whole tree for usual parts (faster), streamed for big ones."""
        if len(data) <= WHOLE_TREE_BYTES:
            yield from etree.fromstring(data, _parser()).iter(ROW)
            return
        for _, row in _iterparse(data, ROW):
            yield row
            _forget(row)  # keep memory flat on long sheets

    def _row(self, row: Element, row_number: int, cells: dict) -> bool:
        """The row's non-empty cells into `cells`; whether there were any. The hot loop: kept flat, with
        the usual cell (r="B12", a known style, one child: a v, or an is holding one t) on the fast path."""
        column, found, row_text = 0, False, str(row_number)
        columns, max_columns, read_cell = self.columns, self.max_columns, self._cell
        suffix = len(row_text)
        for element in row:
            if element.tag != CELL:
                continue
            reference = element.get("r")
            if reference:
                column = columns.get(reference[:-suffix], 0) if reference.endswith(row_text) else 0
                if not column:  # no column is 0: not on the fast path
                    column = self._column(reference, row_number)
            else:
                column += 1
            if column > max_columns or not len(element):
                continue  # past the column cap, or a blank (formatted but empty) cell
            value, formula, number_format = read_cell(element, reference)
            if formula is None and (value is None or value == ""):
                continue
            cells[(row_number, column)] = _new_cell(RawCell, (row_number, column, value, number_format, formula))
            found = True
        return found

    def _cell(self, element: Element, reference: str | None) -> tuple[object, str | None, str]:
        """(saved value, formula, number format) of a cell element with children."""
        style = element.get("s")
        number_format, is_date, is_duration = self.styles.get(style) or self._style(style)
        kind = element.get("t", "n")
        value: object = None
        text = formula = None
        for child in (element[0],) if len(element) == 1 else element:  # the usual cell has one child: no iterator
            tag = child.tag
            if tag == VALUE:
                if kind != "inlineStr":
                    text = child.text or None
            elif tag == FORMULA:
                formula = self._formula(child, reference)
            elif tag == INLINE and kind == "inlineStr":
                value = decode_escapes(_text(child))
        if text is not None:
            if kind == "s":
                index = int(text)
                if index < 0:  # no entry (a list would give one from its end)
                    raise Unexpected(f"shared string {text}")
                value = self.strings[index]
            elif kind == "n" and not is_date and "." not in text and "e" not in text and "E" not in text:
                value = int(text)
            else:
                value = self._value(text, kind, is_date, is_duration, reference)
        return value, formula, number_format

    def _column(self, reference: str, row_number: int) -> int:
        """The column of a reference off the fast path; its row must be this row."""
        letters = reference.rstrip("0123456789")
        digits = reference[len(letters):]
        if not digits.isdigit() or int(digits) != row_number:
            raise Unexpected(f"cell {reference} in row {row_number}")
        column = column_index_from_string(letters)
        if digits == str(row_number):  # written as the fast path expects: remember these letters
            self.columns[letters] = column
        return column

    def _style(self, style: str | None) -> tuple[str, bool, bool]:
        """A cell's (number format, is a date, is a duration) from its s attribute; remembered."""
        index = int(style) if style else 0
        if index < len(self.formats):
            found = self.formats[index]
        elif index == 0:
            found = ("General", False, False)
        else:
            raise Unexpected(f"cell style {style} not in the styles part")
        self.styles[style] = found
        return found

    def _value(self, text: str, kind: str, is_date: bool, is_duration: bool, reference: str | None) -> object:
        """A cell's saved value from its v text, typed as openpyxl types it (a shared string is _cell's)."""
        if kind == "n":
            number = float(text) if ("." in text or "e" in text or "E" in text) else int(text)
            if not is_date:
                return number
            try:
                return from_excel(number, self.epoch, timedelta=is_duration)
            except (OverflowError, ValueError):
                self.bad_dates.append((reference or "", text))
                return "#VALUE!"
        if kind == "b":
            return bool(int(text))
        if kind in ("str", "e"):
            return text
        if kind == "d":
            return from_ISO8601(text)
        raise Unexpected(f"cell type {kind!r}")

    def _formula(self, formula: Element, reference: str | None) -> str:
        """The formula text as openpyxl gives it (shared formulas translated to this cell)."""
        kind = formula.get("t")
        text = "=" + (formula.text or "")
        if kind == "dataTable":
            inputs = ",".join(r for r in (formula.get("r1"), formula.get("r2")) if r)
            return f"=TABLE({inputs})"
        if kind == "shared":
            index = formula.get("si") or ""
            if index in self.shared and reference:
                return self.shared[index].translate_formula(reference)
            if text != "=" and reference:
                self.shared[index] = Translator(text, reference)
        return text
