"""A Ctrl-C before any command runs (while kg's modules load, or while click reads the arguments) ends kg as
one at any later stage does: the one line of kg.errors.INTERRUPTED and exit 130, never a traceback."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from kg.errors import EXIT_INTERRUPTED, INTERRUPTED
from test_cli import KG

# Runs the installed `kg` script, held at one point until SIGINT comes: the import of a module (a slow disk)
# or the opening of a file (a FIFO with no writer yet), the first time. "held" on standard output says it is there.
HELD = """
import importlib.abc, runpy, signal, sys
kind, name, *arguments = sys.argv[1:]

held = []

def hold():
    held.append(True)
    print("held", flush=True)
    while True:
        signal.pause()

class Held(importlib.abc.MetaPathFinder):  # once: the message after the Ctrl-C may import the module again
    def find_spec(self, fullname, path, target=None):
        if fullname == name and not held:
            hold()

if kind == "import":
    sys.meta_path.insert(0, Held())
else:
    sys.addaudithook(lambda event, args: event == "open" and not held and str(args[0]).endswith(name) and hold())
sys.argv = [sys.argv[0], *arguments]
runpy.run_path({kg!r}, run_name="__main__")
"""


def interrupted_at(kind: str, name: str, *arguments: str) -> subprocess.CompletedProcess:
    """Run kg held at `name`, send SIGINT once it says so, and return how it ended."""
    process = subprocess.Popen([sys.executable, "-c", HELD.format(kg=str(KG)), kind, name, *arguments],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as a shell starts it
    try:
        assert process.stdout.readline() == "held\n", process.stderr.read()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


# kg.errors: the script imports kg.launch outside any try; kg.table: read as click made its context
@pytest.mark.parametrize("module", ["kg.errors", "click", "kg.cli_store", "kg.cli", "kg.table"])
def test_a_ctrl_c_while_kg_loads_is_the_one_line_of_any_other(module):
    ended = interrupted_at("import", module, "info", "--store", "memory:")
    assert (ended.returncode, ended.stderr) == (EXIT_INTERRUPTED, INTERRUPTED + "\n")


def test_a_ctrl_c_while_click_opens_a_file_it_was_given_is_the_one_line_of_any_other(tmp_path):
    """click opens -f FILE while it reads the arguments, before the command's own handling: a FIFO that no
    one writes to holds it there, and click said "Aborted!" and exited 1."""
    query = tmp_path / "held.rq"
    query.write_text("ASK {}", encoding="utf-8")
    ended = interrupted_at("open", "held.rq", "query", "--store", "memory:", "-f", str(query))
    assert (ended.returncode, ended.stderr) == (EXIT_INTERRUPTED, INTERRUPTED + "\n")
