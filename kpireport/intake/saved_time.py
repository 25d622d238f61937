"""When a department last saved its workbook: the time Excel writes into the workbook's own properties
(docProps/core.xml, dcterms:modified), which copying, mailing and unzipping leave alone, unlike the
file's time on disk."""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

CORE = "docProps/core.xml"
MODIFIED = "{http://purl.org/dc/terms/}modified"
MAX_CORE_BYTES = 256 * 1024  # the properties part is a few hundred bytes; a larger one is not read
# a saved time this far ahead of now is a PC clock set wrong, no time: it would put its file after every later one
FUTURE_SLACK = dt.timedelta(days=1)


def saved_time(path: Path) -> dt.datetime | None:
    """The workbook's saved time (UTC), or None when the file has none, one in the future (a wrong clock), or is not
    a readable workbook."""
    try:
        with zipfile.ZipFile(path) as package:
            info = package.getinfo(CORE)
            if info.file_size > MAX_CORE_BYTES:
                return None
            node = fromstring(package.read(info)).find(MODIFIED)
    except (OSError, KeyError, zipfile.BadZipFile, ParseError, DefusedXmlException, RuntimeError):
        return None
    if node is None or not node.text:
        return None
    try:
        stamp = dt.datetime.fromisoformat(node.text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)
    return None if stamp > dt.datetime.now(dt.timezone.utc) + FUTURE_SLACK else stamp


def saved_order(path: Path, saved: dt.datetime | None) -> tuple[float, float]:
    """Sort key putting files in the order they were saved: the workbook's own time (``saved``, as saved_time
    read it), then the file's."""
    on_disk = path.stat().st_mtime
    return (saved.timestamp() if saved else on_disk, on_disk)
