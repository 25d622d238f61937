"""A command run on a terminal (a pseudo-terminal): what a person sees, standard output and error together,
with the progress lines a terminal gets and a pipe does not. POSIX only: the tests that use it run on the
CI machine, the Windows stand-in being a Python path, not another system."""
from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path


def on_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, bytes]:
    """``python -m kpireport *args`` on a terminal: its exit code and every byte it showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "kpireport", *args], cwd=cwd, env=env, stdin=follower,
                               stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=600)
    os.close(leader)
    return process.returncode, b"".join(chunks)
