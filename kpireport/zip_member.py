"""Inflate a small zip member straight from the archive's bytes.

zipfile makes a reader object per member (the local header read through a file object, a decompressor,
a CRC check wrapped around it), which for the dozen small parts of a form costs more than inflating them.
This reads the usual member (stored or deflated, not encrypted, its local header naming it) from the bytes
already in memory, and checks its size and CRC as zipfile does. Anything else gives None: zipfile then
reads the member, and its error says what is wrong.
"""
from __future__ import annotations

import struct
import zipfile
import zlib
from typing import Optional

__all__ = ["inflate"]

_LOCAL_HEADER = struct.Struct("<4s2xH18xHH")  # signature, flags, ..., name length, extra length
_SIGNATURE = b"PK\x03\x04"
_UTF8_NAME = 0x800
_ODD_FLAGS = 0x1 | 0x20 | 0x40  # encrypted, patched data, strong encryption: zipfile's business


def inflate(data: bytes, info: zipfile.ZipInfo) -> Optional[bytes]:
    """The member's content, or None when zipfile should read it."""
    if info.flag_bits & _ODD_FLAGS or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    start = info.header_offset
    if start < 0 or start + _LOCAL_HEADER.size > len(data):
        return None
    signature, flags, name_length, extra_length = _LOCAL_HEADER.unpack_from(data, start)
    name_start = start + _LOCAL_HEADER.size
    begin = name_start + name_length + extra_length
    try:
        name = data[name_start:name_start + name_length].decode("utf-8" if flags & _UTF8_NAME else "cp437")
    except UnicodeDecodeError:
        return None
    if signature != _SIGNATURE or name != info.orig_filename:
        return None
    compressed = memoryview(data)[begin:begin + info.compress_size]
    if len(compressed) != info.compress_size:
        return None
    if info.compress_type == zipfile.ZIP_DEFLATED:
        try:
            content = zlib.decompressobj(-zlib.MAX_WBITS).decompress(compressed, info.file_size + 1)
        except zlib.error:
            return None
    else:
        content = bytes(compressed)
    if len(content) != info.file_size or zlib.crc32(content) != info.CRC:
        return None
    return content
