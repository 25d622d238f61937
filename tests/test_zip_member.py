"""zip_member.inflate: the same bytes zipfile reads, or None (and zipfile's own error) for anything unusual."""
from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest

from kpireport import intake, zip_member
from kpireport.intake import IntakeLimits, read_submission

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return buffer.getvalue()


def _info(data: bytes, name: str) -> zipfile.ZipInfo:
    return zipfile.ZipFile(io.BytesIO(data)).getinfo(name)


def test_every_member_of_real_workbooks_reads_as_zipfile_reads_it(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "東京都"
    workbook.save(tmp_path / "made.xlsx")
    files = [tmp_path / "made.xlsx", *sorted(CORPUS.glob("*.xlsx"))]
    inflated = 0
    for path in files:
        data = path.read_bytes()
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            continue
        for info in archive.infolist():
            try:
                expected = archive.read(info)
            except Exception:  # zipfile cannot read it: neither may the direct path
                assert zip_member.inflate(data, info) is None
                continue
            content = zip_member.inflate(data, info)
            if content is not None:
                assert content == expected, (path.name, info.filename)
                inflated += 1
    assert inflated >= 100  # the usual member takes the direct path


def test_stored_and_unicode_named_members():
    data = _zip({"xl/シート.xml": "値".encode() * 50}, zipfile.ZIP_STORED)
    assert zip_member.inflate(data, _info(data, "xl/シート.xml")) == "値".encode() * 50


def _central_entry(data: bytes, name: str) -> int:
    """Where the member's central directory entry starts (CRC at +16, uncompressed size at +24)."""
    at = data.index(b"PK\x01\x02")
    while True:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_length] == name.encode():
            return at
        at = data.index(b"PK\x01\x02", at + 4)


def _patch(data: bytes, offset: int, fmt: str, value) -> bytes:
    patched = bytearray(data)
    struct.pack_into(fmt, patched, offset, value)
    return bytes(patched)


def test_a_lying_size_a_bad_crc_or_a_renamed_header_are_left_to_zipfile():
    noise = random.Random(1)
    content = b"<a>" + bytes(noise.randrange(65, 91) for _ in range(5000)) + b"</a>"  # deflates to ~3 KB
    data = _zip({"a.xml": content})
    info = _info(data, "a.xml")
    central = _central_entry(data, "a.xml")
    cases = {
        "declared smaller": _patch(data, central + 24, "<I", 1000),  # central directory's uncompressed size
        "declared larger": _patch(data, central + 24, "<I", len(content) + 10),
        "bad crc": _patch(data, central + 16, "<I", info.CRC ^ 1),
        "renamed in the local header": data.replace(b"a.xml", b"b.xml", 1),
        "corrupt deflate data": data[:30 + 5 + 100] + b"\xff" * 40 + data[30 + 5 + 140:],
    }
    for label, broken in cases.items():
        assert zip_member.inflate(broken, _info(broken, "a.xml")) is None, label
        archive = intake._Archive(zipfile.ZipFile(io.BytesIO(broken)), broken, IntakeLimits(), "a.xlsx")
        try:
            expected = zipfile.ZipFile(io.BytesIO(broken)).read("a.xml")
        except Exception:  # zipfile refuses it: so does intake, as a broken file
            with pytest.raises(intake._Refused) as refused:
                archive.read(archive.find("a.xml"))
            assert refused.value.finding.code == "file-broken", label
        else:  # zipfile reads it (a size declared too large): intake reads what zipfile reads
            assert label == "declared larger"
            assert archive.read(archive.find("a.xml")) == expected == content


def test_a_lying_size_never_inflates_more_than_declared(monkeypatch):
    content = b"a" * 2_000_000
    data = _zip({"bomb.xml": content})
    lying = _patch(data, _central_entry(data, "bomb.xml") + 24, "<I", 1000)
    seen = []
    real = zlib.decompressobj

    class Watched:
        def __init__(self, *args):
            self.inner = real(*args)

        def decompress(self, data, max_length=0):
            out = self.inner.decompress(data, max_length)
            seen.append(len(out))
            return out

    monkeypatch.setattr(zip_member.zlib, "decompressobj", Watched)
    assert zip_member.inflate(lying, _info(lying, "bomb.xml")) is None
    assert seen and max(seen) <= 1001


def test_archive_counts_direct_reads_against_the_limits(tmp_path):
    path = tmp_path / "a.zip"
    path.write_bytes(_zip({"one.xml": b"a" * 40_000, "two.xml": b"b" * 40_000}))
    archive = intake._Archive(zipfile.ZipFile(path), path.read_bytes(),
                              IntakeLimits(max_entry_bytes=50_000, max_total_bytes=60_000), "a.zip")
    archive.read(archive.find("one.xml"))
    with pytest.raises(intake._Refused) as refused:
        archive.read(archive.find("two.xml"))
    assert refused.value.finding.code == "file-suspicious"


def test_a_form_with_a_broken_member_is_refused_as_before(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = 1
    good = tmp_path / "good.xlsx"
    workbook.save(good)
    data = good.read_bytes()
    info = _info(data, "xl/worksheets/sheet1.xml")
    central = _central_entry(data, "xl/worksheets/sheet1.xml")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(_patch(data, central + 16, "<I", info.CRC ^ 1))
    submission = read_submission(broken)
    assert not submission.readable
    assert [f.code for f in submission.findings] == ["file-broken"]
