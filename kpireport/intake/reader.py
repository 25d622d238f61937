"""Open a submitted workbook safely and return its raw cells with their positions.

Nothing in a submitted file is trusted. The file is read once into memory; its type is
recognised from its content (never its name); the zip container is checked for bombs and every
XML part for DOCTYPE/ENTITY declarations before any XML parser sees a byte of it. The cells are then
read from that same checked copy in one pass (xlsx_cells); a file that reader does not expect is read by
openpyxl instead, whose own diagnosis becomes the finding. Every problem becomes one file-level :class:`Finding` with a Japanese
message, and :func:`read_submission` never raises.
"""
from __future__ import annotations

import hashlib
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from defusedxml import ElementTree as DefusedET
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from kpireport.intake.xlsx_cells import decode_escapes, read_sheets
from kpireport.messages import finding
from kpireport.model import Finding, RawCell, RawSheet, Submission

__all__ = ["IntakeLimits", "read_submission"]


@dataclass(frozen=True)
class IntakeLimits:
    """How much of a submitted file intake is willing to read."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_entries: int = 2_000  # zip members
    max_entry_bytes: int = 100 * 1024 * 1024  # uncompressed, per member
    max_total_bytes: int = 300 * 1024 * 1024  # uncompressed, all members
    max_ratio: int = 200  # uncompressed/compressed per member (zip bomb)
    max_rows: int = 20_000  # rows read per sheet
    max_columns: int = 200
    max_empty_run: int = 2_000  # stop a sheet after this many consecutive empty rows


# --- constants --------------------------------------------------------------------------------

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
OLE_ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))

CONTENT_TYPES = "[Content_Types].xml"
CT_WORKBOOK = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
               "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml")
CT_MACRO = ("application/vnd.ms-excel.sheet.macroenabled.main+xml",
            "application/vnd.ms-excel.template.macroenabled.main+xml",
            "application/vnd.ms-excel.addin.macroenabled.main+xml")
CT_XLSB = "application/vnd.ms-excel.sheet.binary.macroenabled.main"
STRICT_NAMESPACE = b"purl.oclc.org/ooxml"

KEEP_PART_BYTES = 8 * 1024 * 1024  # XML parts up to this (declared) size are inflated once and kept
RATIO_FLOOR = 1024 * 1024  # members smaller than this are not checked for their ratio
CHUNK = 64 * 1024
# Members never parsed as XML; every other member (.xml, .rels, .vml, odd names) is scanned.
BINARY_SUFFIXES = (".bin", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf",
                   ".emz", ".wdp", ".jfif")
_DECLARATIONS = tuple(
    word.encode(encoding)
    for word in ("<!doctype", "<!entity")
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
)
_OVERLAP = max(len(d) for d in _DECLARATIONS)

BOMB = "展開後のサイズが極端に大きい（圧縮爆弾の疑い）"
DOCTYPE = "XMLに外部実体の宣言（DOCTYPE）がある"


class _Refused(Exception):
    """Internal: a step refuses the file with this finding."""

    def __init__(self, found: Finding):
        super().__init__(found.code)
        self.finding = found


# --- entry point ------------------------------------------------------------------------------

def read_submission(path: Path, limits: IntakeLimits = IntakeLimits(), skip_cells: frozenset[str] = frozenset()
                    ) -> Submission:
    """Read a submitted file. Never raises: every problem is a file-level Finding. The cells of sheets named
    in ``skip_cells`` (ones the caller never looks at) may be left unread: such a sheet has ``cells_read`` False."""
    sha, size = "", 0
    try:
        path = Path(path)
    except Exception as exc:  # not a path at all
        return Submission(path=str(path), name=str(path), sha256="", size=0, sheets=(),
                          findings=(_unreadable(str(path), exc),), readable=False)
    name = path.name
    try:
        data, sha, size = _read_bytes(path, limits)
        check_size(size, limits, name)
        sniff(data, name)
        with check_zip(data, limits, name) as archive:
            workbook_part = check_content_types(archive, name)
            check_xml_parts(archive, name)
            fast = read_cells_fast(archive, workbook_part, limits, name, skip_cells)
            listed = listed_sheets(archive, workbook_part) if fast is None else None  # for openpyxl's reading
        sheets, notes = fast if fast is not None else read_cells(data, limits, name, listed)
        return Submission(path=str(path), name=name, sha256=sha, size=size, sheets=sheets,
                          findings=notes, readable=True)
    except _Refused as refusal:
        return _refused(path, sha, size, refusal.finding)
    except Exception as exc:  # the promise: nothing unexpected escapes
        return _refused(path, sha, size, _unreadable(name, exc))


def _refused(path: Path, sha: str, size: int, found: Finding) -> Submission:
    return Submission(path=str(path), name=path.name, sha256=sha, size=size, sheets=(),
                      findings=(found,), readable=False)


def _unreadable(name: str, exc: BaseException) -> Finding:
    """file-unreadable naming the exception class and the first line of its message."""
    try:
        lines = str(exc).strip().splitlines()
    except Exception:  # an exception whose message cannot be shown
        lines = []
    text = lines[0].strip() if lines else ""
    if len(text) > 160:
        text = text[:157] + "..."
    what = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return finding("file-unreadable", file=name, detail=f"読み取り中にエラー「{what}」が起きました")


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".removesuffix(".0") + "MB"


# --- step 1: size and bytes -------------------------------------------------------------------

def _read_bytes(path: Path, limits: IntakeLimits) -> tuple[bytes, str, int]:
    """The file's bytes (none when over the size limit), sha256 and size."""
    try:
        size = path.stat().st_size
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            if size > limits.max_file_bytes:
                data = b""
                for chunk in iter(lambda: fh.read(1024 * 1024), b""):
                    digest.update(chunk)
            else:
                data = fh.read(limits.max_file_bytes + 1)
                digest.update(data)
                size = len(data)  # the bytes actually read are what is checked and parsed
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise _Refused(finding("file-unreadable", file=path.name,
                               detail=f"ファイルを開けませんでした「{type(exc).__name__}: {reason}」")) from None
    return data, digest.hexdigest(), size


def check_size(size: int, limits: IntakeLimits, name: str) -> None:
    """Refuse empty and too large files."""
    if size == 0:
        raise _Refused(finding("file-empty", file=name))
    if size > limits.max_file_bytes:
        raise _Refused(finding("file-too-large", file=name,
                               detail=f"{_megabytes(size)}、上限は{_megabytes(limits.max_file_bytes)}"))


# --- step 2: recognise by content -------------------------------------------------------------

def sniff(data: bytes, name: str) -> None:
    """Refuse anything that is not a zip container; OLE files are encrypted or old .xls."""
    if data.startswith(ZIP_MAGIC):
        return
    if data.startswith(OLE_MAGIC):
        if any(stream in data for stream in OLE_ENCRYPTION_STREAMS):
            raise _Refused(finding("file-encrypted", file=name))
        raise _Refused(finding("file-old-xls", file=name))
    raise _Refused(finding("file-not-workbook", file=name, detail=_guess_kind(data)))


def _guess_kind(data: bytes) -> str:
    """A cheap Japanese guess at what a non-workbook file is."""
    head = data[:4096]
    if head.startswith(b"%PDF"):
        return "PDFファイル"
    if head.startswith((b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf\x27\x1c")):
        return "ZIP以外の圧縮ファイル"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "画像ファイル"
    text = _as_text(head)
    if text is None:
        return "形式不明"
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if lowered.startswith("mime-version:") or "multipart/related" in lowered[:2048]:
        return "Webページ（MHT）形式"
    if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
        return "XMLスプレッドシート 2003 形式"
    if lowered.startswith(("<!doctype html", "<html")) or "<html" in lowered[:1024]:
        return "Webページ（HTML）形式"
    return "文字だけのファイル（CSVなど）"


def _as_text(head: bytes) -> str | None:
    """The start of the file as text if it looks like text, else None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if b"\x00" in head:
        return None
    for encoding in ("utf-8", "cp932"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a character cut at the end of the sample is fine
                continue
            text = head[:exc.start].decode(encoding)
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
        if controls <= len(text) // 100:
            return text
    return None


# --- step 3: the zip container ----------------------------------------------------------------

class _Archive:
    """An open zip with a budget on the bytes read from it."""

    def __init__(self, zf: zipfile.ZipFile, limits: IntakeLimits, name: str):
        self.zf, self.limits, self.name = zf, limits, name
        self.total = 0
        self.names = {info.filename: info for info in zf.infolist()}
        self.cache: dict[str, bytes] = {}

    def __enter__(self) -> _Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zf.close()

    def find(self, member: str) -> zipfile.ZipInfo | None:
        """A member by name: exact, else ignoring case and slash direction."""
        if member in self.names:
            return self.names[member]
        wanted = member.lower().replace("\\", "/").lstrip("/")
        for filename, info in self.names.items():
            if filename.lower().replace("\\", "/").lstrip("/") == wanted:
                return info
        return None

    def chunks(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """A member's bytes in chunks, never more than the limits, whatever it declares."""
        read = 0
        try:
            with self.zf.open(info) as fh:
                while True:
                    chunk = fh.read(CHUNK)
                    if not chunk:
                        return
                    read += len(chunk)
                    self._count(len(chunk), read)
                    yield chunk
        except _Refused:
            raise
        except Exception as exc:
            raise _Refused(_broken_member(self.name, info, exc)) from None

    def _count(self, size: int, member_total: int) -> None:
        """Count ``size`` more inflated bytes (``member_total`` so far of this member) against the limits."""
        self.total += size
        if member_total > self.limits.max_entry_bytes or self.total > self.limits.max_total_bytes:
            raise _Refused(finding("file-suspicious", file=self.name, detail=BOMB))

    def scan(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """A member's bytes for a search: kept whole (and for later) up to KEEP_PART_BYTES, else in chunks."""
        return iter((self.read(info),)) if info.file_size <= KEEP_PART_BYTES else self.chunks(info)

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """A member's bytes; kept after the first read (the XML check reads every part before the cells
        are read), so each part is inflated once and counted once against the limits."""
        if info.filename not in self.cache:
            self.cache[info.filename] = b"".join(self.chunks(info))
        return self.cache[info.filename]


def _broken_member(name: str, info: zipfile.ZipInfo, exc: Exception) -> Finding:
    if isinstance(exc, RuntimeError) and info.flag_bits & 0x1:
        detail = f"ZIPの中の「{info.filename}」が暗号化されている"
    elif isinstance(exc, NotImplementedError):
        detail = f"ZIPの中の「{info.filename}」が対応していない圧縮方式で保存されている"
    else:
        detail = f"ZIPの中の「{info.filename}」のデータが壊れている"
    return finding("file-broken", file=name, detail=detail)


def check_zip(data: bytes, limits: IntakeLimits, name: str) -> _Archive:
    """Open the zip and refuse it if broken or if its declared sizes look like a bomb."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception:
        raise _Refused(finding("file-broken", file=name, detail="ZIP形式として開けない")) from None
    try:
        if len(infos) > limits.max_entries:
            raise _Refused(finding("file-suspicious", file=name,
                                   detail=f"中に含まれる部品が多すぎる（{len(infos):,}個、上限{limits.max_entries:,}個）"))
        total = 0
        for info in infos:
            total += info.file_size
            bomb = (info.file_size > limits.max_entry_bytes
                    or total > limits.max_total_bytes
                    or (info.file_size > RATIO_FLOOR
                        and info.file_size / max(info.compress_size, 1) > limits.max_ratio))
            if bomb:
                raise _Refused(finding("file-suspicious", file=name, detail=BOMB))
    except BaseException:
        zf.close()
        raise
    return _Archive(zf, limits, name)


# --- step 4: what kind of package -------------------------------------------------------------

def check_content_types(archive: _Archive, name: str) -> str:
    """Refuse ODS, xlsb, macro-enabled, Strict OOXML and non-spreadsheet packages.

    Returns the name of the workbook part.
    """
    info = archive.find(CONTENT_TYPES)
    if info is None:
        raise _refuse_package_without_content_types(archive, name)
    types = archive.read(info).lower()
    if CT_XLSB.encode() in types:
        raise _Refused(finding("file-other-format", file=name, detail="Excelバイナリブック（.xlsb）"))
    if any(ct.encode() in types for ct in CT_MACRO) or any(
            filename.lower().endswith("vbaproject.bin") for filename in archive.names):
        raise _Refused(finding("file-macro", file=name))
    part = _workbook_part(types)
    workbook = archive.find(part or "xl/workbook.xml")
    if workbook is not None:
        if _contains(archive.scan(workbook), (STRICT_NAMESPACE,)):
            raise _Refused(finding("file-strict-ooxml", file=name))
    if part is None:
        raise _Refused(finding("file-not-workbook", file=name, detail=_package_kind(types)))
    return part


def _refuse_package_without_content_types(archive: _Archive, name: str) -> _Refused:
    """Why a package without [Content_Types].xml is refused."""
    mimetype = archive.find("mimetype")
    kind = archive.read(mimetype)[:200].lower() if mimetype is not None else b""
    if b"opendocument.spreadsheet" in kind:
        return _Refused(finding("file-other-format", file=name, detail="OpenDocument（.ods）"))
    if b"opendocument" in kind:
        return _Refused(finding("file-not-workbook", file=name, detail="OpenDocument形式の文書"))
    return _Refused(finding("file-not-workbook", file=name, detail="ZIP圧縮ファイル"))


_OVERRIDE = re.compile(rb"<override\b[^>]*>")
_CONTENT_TYPE = re.compile(rb"contenttype\s*=\s*[\"']([^\"']*)[\"']")
_PART_NAME = re.compile(rb"partname\s*=\s*[\"']([^\"']*)[\"']")


def _workbook_part(types: bytes) -> str | None:
    """The workbook part named in (lower-cased) [Content_Types].xml, or None if there is none."""
    wanted = tuple(ct.encode() for ct in CT_WORKBOOK)
    for element in _OVERRIDE.finditer(types):
        text = element.group(0)
        content_type = _CONTENT_TYPE.search(text)
        part = _PART_NAME.search(text)
        if content_type and part and content_type.group(1).strip() in wanted:
            return part.group(1).decode("utf-8", errors="replace").lstrip("/")
    if any(ct in types for ct in wanted):  # declared as a Default: openpyxl assumes xl/workbook.xml
        return "xl/workbook.xml"
    return None


def _package_kind(types: bytes) -> str:
    if b"wordprocessingml" in types:
        return "Word文書（.docx）"
    if b"presentationml" in types:
        return "PowerPointプレゼンテーション（.pptx）"
    return "中にExcelブックの本体がない"


# --- step 5: XML parts ------------------------------------------------------------------------

def check_xml_parts(archive: _Archive, name: str) -> None:
    """Refuse a DOCTYPE or ENTITY declaration in any XML part (read in bounded chunks)."""
    for info in archive.zf.infolist():
        if info.is_dir() or info.filename.lower().endswith(BINARY_SUFFIXES):
            continue
        if info.file_size <= KEEP_PART_BYTES:  # kept for the cell reader
            data = archive.read(info)
            # a declaration starts with "<!" (in UTF-16 "<\0!"), which most parts never hold: no lower-cased copy
            found = (b"<!" in data or b"<\x00!" in data) and _contains(iter((data,)), _DECLARATIONS, lower=True)
        else:
            found = _contains(archive.chunks(info), _DECLARATIONS, lower=True)
        if found:
            raise _Refused(finding("file-suspicious", file=name, detail=DOCTYPE))


def _contains(chunks: Iterator[bytes], needles: tuple[bytes, ...], lower: bool = False) -> bool:
    """Whether any needle occurs in the stream of chunks (matches across chunk borders)."""
    tail = b""
    for chunk in chunks:
        window = tail + (chunk.lower() if lower else chunk)
        if any(needle in window for needle in needles):
            return True
        tail = window[-_OVERLAP:]
    return False


# --- step 6: cells ----------------------------------------------------------------------------

def listed_sheets(archive: _Archive, part: str) -> list[str] | None:
    """Sheet names the workbook part lists (openpyxl silently skips a sheet whose part is
    missing), or None when the part cannot be parsed here (openpyxl will then say why)."""
    info = archive.find(part)
    if info is None:
        return None
    try:
        root = DefusedET.fromstring(archive.read(info))
    except _Refused:
        raise
    except Exception:
        return None
    return [element.get("name", "") for element in root.iter()
            if isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1] == "sheet"]


def read_cells_fast(archive: _Archive, workbook_part: str, limits: IntakeLimits, name: str,
                    skip_cells: frozenset[str] = frozenset()) -> tuple[tuple[RawSheet, ...], tuple[Finding, ...]] | None:
    """Every worksheet's non-empty cells in one lxml pass (see xlsx_cells), or None when that reader
    meets something unexpected: the caller then reads the file with openpyxl (read_cells)."""
    def member(part: str) -> bytes | None:
        info = archive.find(part)
        return None if info is None else archive.read(info)

    try:
        read = read_sheets(member, workbook_part, limits.max_rows, limits.max_columns, limits.max_empty_run,
                           skip_cells)
    except _Refused:
        raise
    except Exception:
        return None
    sheets: list[RawSheet] = []
    notes: list[Finding] = []
    for sheet, truncated, bad_dates in read:
        sheets.append(sheet)
        notes.extend(finding("cell-date-out-of-range", file=name, sheet=sheet.name, cell=cell, value=serial)
                     for cell, serial in bad_dates)
        if truncated:
            notes.append(_truncated(name, sheet.name, limits))
    return tuple(sheets), tuple(notes)


def _truncated(name: str, sheet: str, limits: IntakeLimits) -> Finding:
    return finding("file-too-large", file=name, sheet=sheet, severity="warning",
                   detail=f"シート「{sheet}」は{limits.max_rows:,}行を超えているため、"
                          f"{limits.max_rows:,}行目までだけを読みました")


def read_cells(data: bytes, limits: IntakeLimits, name: str, listed: list[str] | None = None
               ) -> tuple[tuple[RawSheet, ...], tuple[Finding, ...]]:
    """Every worksheet's non-empty cells (the fallback for read_cells_fast). openpyxl reads the checked bytes twice in read-only mode,
    once for saved values and once for formulas; the two row streams are walked side by side."""
    books = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for data_only in (True, False):
                books.append(openpyxl.load_workbook(io.BytesIO(data), read_only=True,
                                                    data_only=data_only, keep_links=False))
            values_book, formula_book = books
            missing = [sheet for sheet in (listed or ()) if sheet not in values_book.sheetnames]
            if missing:
                raise _Refused(finding("file-broken", file=name,
                                       detail=f"シート「{missing[0]}」の中身がファイルの中にない"))
            if not values_book.worksheets:
                raise _Refused(finding("file-no-sheets", file=name))
            sheets, notes = [], []
            for values_ws, formula_ws in zip(values_book.worksheets, formula_book.worksheets):
                seen = len(caught)
                sheet, truncated = _read_sheet(values_ws, formula_ws, limits)
                sheets.append(sheet)
                notes.extend(_silent_substitutions(name, sheet.name, caught[seen:]))
                if truncated:
                    notes.append(_truncated(name, sheet.name, limits))
            return tuple(sheets), tuple(notes)
    except _Refused:
        raise
    except Exception as exc:
        raise _Refused(_unreadable(name, exc)) from None
    finally:
        for book in books:
            try:
                book.close()
            except Exception:
                pass


_DATE_OUT_OF_RANGE = re.compile(r"Cell (?P<cell>[A-Z]+[0-9]+) is marked as a date but the serial value (?P<value>\S+)")


def _silent_substitutions(name: str, sheet: str, caught: list[warnings.WarningMessage]) -> list[Finding]:
    """openpyxl turns a date out of range into #VALUE! with only a warning: make it a finding."""
    found: dict[str, Finding] = {}  # both read passes warn: one finding per cell
    for item in caught:
        match = _DATE_OUT_OF_RANGE.search(str(item.message))
        if match and match["cell"] not in found:
            found[match["cell"]] = finding("cell-date-out-of-range", file=name, sheet=sheet, cell=match["cell"],
                                           value=match["value"])
    return list(found.values())


def _read_sheet(values_ws: Any, formula_ws: Any, limits: IntakeLimits) -> tuple[RawSheet, bool]:
    """One sheet; stops at max_rows or after max_empty_run empty rows. Returns (sheet, truncated)."""
    for ws in (values_ws, formula_ws):
        ws.reset_dimensions()
    value_rows = values_ws.iter_rows(min_row=1, min_col=1, max_col=limits.max_columns)
    formula_rows = formula_ws.iter_rows(min_row=1, min_col=1, max_col=limits.max_columns)
    cells: dict = {}
    empty_run = 0
    truncated = False
    for row, (value_row, formula_row) in enumerate(zip(value_rows, formula_rows), start=1):
        if row > limits.max_rows:
            truncated = True
            break
        found = False
        # openpyxl pads each row to max_columns with EMPTY_CELL; skip those cheaply
        for index in [i for i, cell in enumerate(formula_row) if cell is not EMPTY_CELL]:
            cell = _raw_cell(row, index + 1, value_row[index], formula_row[index])
            if cell is not None:
                cells[(row, index + 1)] = cell
                found = True
        empty_run = 0 if found else empty_run + 1
        if empty_run >= limits.max_empty_run:
            break
    state = getattr(values_ws, "sheet_state", "visible") or "visible"
    return RawSheet(name=values_ws.title, state=state, cells=cells), truncated


def _raw_cell(row: int, column: int, value_cell: Any, formula_cell: Any) -> RawCell | None:
    value = value_cell.value
    if value is None and formula_cell.value is None:
        return None
    formula = _formula_text(formula_cell)
    if formula is None and (value is None or value == ""):
        return None
    number_format = getattr(value_cell, "number_format", None) or "General"
    if isinstance(value, str):  # openpyxl keeps Excel's _xHHHH_ escapes as they are stored
        value = decode_escapes(value)
    return RawCell(row=row, column=column, value=value, number_format=number_format, formula=formula)


def _formula_text(cell: Any) -> str | None:
    """The formula of a cell read with data_only=False, or None."""
    value = getattr(cell, "value", None)
    if isinstance(value, ArrayFormula):
        return value.text or None
    if isinstance(value, DataTableFormula):
        inputs = ",".join(str(r) for r in (value.r1, value.r2) if r)
        return f"=TABLE({inputs})"
    if isinstance(value, str) and value.startswith("=") and getattr(cell, "data_type", None) == "f":
        return value
    return None
