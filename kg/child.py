"""The command line of a Python child process kg starts (the store's preparer, query workers, the server's
supervisor): `python -c PROGRAM`, with the working directory taken off the import path first, since `-c` puts
it there and a json.py or kg/ folder in it would be run in place of the real module."""

from __future__ import annotations

import sys
from pathlib import Path

# Where kg itself is found, put last on the path, for a checkout run without an install; an installed kg
# (an editable install included) is found before it.
_HOME = str(Path(__file__).resolve().parents[1])
_SAFE_PATH = f"import sys; sys.path[:] = [entry for entry in sys.path if entry not in ('', '.')] + [{_HOME!r}]; "


def python_command(program: str, *arguments: str) -> list[str]:
    """[the running Python, -c, `program` after the import path is made safe, `arguments`...]."""
    return [sys.executable, "-c", _SAFE_PATH + program, *arguments]
