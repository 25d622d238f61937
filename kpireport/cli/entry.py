"""The `kpireport` command's entry point. It imports nothing heavy itself, so that Ctrl+C pressed while the
commands are still loading (their imports take most of a second) ends as it does later: one line, no traceback."""
from __future__ import annotations

import sys


def main() -> None:
    try:
        from kpireport.cli.commands import main as command
    except KeyboardInterrupt:
        print("中断しました。", file=sys.stderr)
        sys.exit(1)
    command()
