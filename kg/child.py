"""The command line of a Python child process kg starts (the store's preparer, query workers, the server's
supervisor): `python -c PROGRAM`, with the working directory taken off the import path first, since `-c` puts
it there and a json.py or kg/ folder in it would be run in place of the real module; and the one line a failed
child's standard error is told in."""

from __future__ import annotations

import re
import sys
from pathlib import Path

# Where kg itself is found, put last on the path, for a checkout run without an install; an installed kg
# (an editable install included) is found before it.
_HOME = str(Path(__file__).resolve().parents[1])
_SAFE_PATH = f"import sys; sys.path[:] = [entry for entry in sys.path if entry not in ('', '.')] + [{_HOME!r}]; "


def python_command(program: str, *arguments: str) -> list[str]:
    """[the running Python, -c, `program` after the import path is made safe, `arguments`...]."""
    return [sys.executable, "-c", _SAFE_PATH + program, *arguments]


# An exception's own line: Python's last ("KeyError: 'x'"), or Java's ("Exception in thread "main" a.b.C: x",
# "Caused by: a.b.C: x"); the class is named without its module.
_RAISED = re.compile(r'(?:Exception in thread "[^"]*" |Caused by: )?(?:[\w$]+\.)*([A-Za-z_][\w$]*'
                     r'(?:Error|Exception|Exit|Interrupt|Fault|Failure))(?::\s*(.*))?')
MAX_SAID = 300  # characters of a child's last words kept in a message


def failure_line(stderr: str, fallback: str) -> str:
    """One line telling why a child process failed: the last exception its standard error names (never the
    traceback around it), else its last line of text; `fallback` when it said nothing."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    raised = [found for line in lines if (found := _RAISED.fullmatch(line))]
    if raised:
        name, said = raised[-1].group(1), (raised[-1].group(2) or "").strip()
        line = f"{name}: {said}" if said else name
    else:
        told = [line for line in lines if not line.startswith(("Traceback", "File ", "at ", "^", "~"))]
        line = told[-1] if told else fallback
    return line if len(line) <= MAX_SAID else line[:MAX_SAID - 1] + "…"
