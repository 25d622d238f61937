"""Output that a Japanese Windows console (or a file it redirects to, in cp932) can take.

Our own texts use only characters cp932 has (a test checks). Department text and file names can hold
anything: what the console's encoding lacks is written as the cp932 look-alike where one exists
(− U+2212 as －, 〜 as ～), else as "?", instead of stopping the command.
"""
from __future__ import annotations

import codecs
import sys

ERRORS = "kpireport-console"
LOOK_ALIKES = {"\u2212": "\uff0d", "\u301c": "\uff5e", "\u2016": "\u2225", "\u2014": "\u2015", "\u00a2": "\uffe0",
               "\u00a3": "\uffe1", "\u00ac": "\uffe2", "\u00a6": "\uffe4"}


def _substitute(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    replaced = []
    for character in error.object[error.start:error.end]:
        look_alike = LOOK_ALIKES.get(character, "?")
        try:
            look_alike.encode(error.encoding)
        except (UnicodeError, LookupError):
            look_alike = "?"
        replaced.append(look_alike)
    return "".join(replaced), error.end


codecs.register_error(ERRORS, _substitute)


def make_output_safe() -> None:
    """Let standard output and error write any text in their encoding without raising."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure") and getattr(stream, "errors", "") == "strict":
            stream.reconfigure(errors=ERRORS)
