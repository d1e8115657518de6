"""A Ctrl-C before any command runs (while kg's modules load, or while click reads the arguments) ends kg as
one at any later stage does: the one line of kg.errors.INTERRUPTED and exit 130, never a traceback."""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
import threading

import pytest

from kg.errors import EXIT_INTERRUPTED, INTERRUPTED
from test_cli import KG

# Runs the installed `kg` script, held at one point until SIGINT comes: the import of a module (a slow disk)
# or the opening of a file (a FIFO with no writer yet), the first time. "held" on standard output says it is there.
# With kind "open-twice", a second Ctrl-C comes as kg starts to say that the first stopped it: standard error
# sends SIGINT to kg as that is written, and a call after lets Python act on it before the words are out.
HELD = """
import importlib.abc, io, os, runpy, signal, sys
kind, name, *arguments = sys.argv[1:]

class SecondCtrlC(io.TextIOWrapper):
    sent = False

    def write(self, text):
        if text.startswith("interrupted") and not self.sent:
            self.sent = True
            signal.raise_signal(signal.SIGINT)  # in this thread: sent to the process, another could take it
            (lambda: None)()
        return super().write(text)

if kind == "open-twice":
    sys.stderr = SecondCtrlC(io.BufferedWriter(io.FileIO(2, "w", closefd=False)), encoding="utf-8",
                             errors="backslashreplace", line_buffering=True)

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
        # to its main thread, which waits in pause(): sent to the process, another thread could take it and the
        # main thread would sleep on (a hang of 60 s in CI)
        ctypes.CDLL(None).tgkill(process.pid, process.pid, signal.SIGINT)
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


def test_a_second_ctrl_c_does_not_cut_the_first_ones_message_short(tmp_path):
    """A second Ctrl-C as kg said that the first stopped it raised KeyboardInterrupt there: the line was cut, and
    click said "Aborted!" and exited 1. It is ignored from then on, as the entry point's own message did already."""
    query = tmp_path / "held.rq"
    query.write_text("ASK {}", encoding="utf-8")
    ended = interrupted_at("open-twice", "held.rq", "query", "--store", "memory:", "-f", str(query))
    assert (ended.returncode, ended.stderr) == (EXIT_INTERRUPTED, INTERRUPTED + "\n")


def test_the_ctrl_c_message_of_a_command_run_in_a_thread(capsys):
    """Commands run in threads too (click's CliRunner, in tests): only the main thread may set a signal's handler,
    so there the second Ctrl-C is left as it is, and the message and exit status are as ever."""
    from kg.cli_support import stop_interrupted

    ended = []

    def interrupted():
        try:
            stop_interrupted()
        except BaseException as error:  # SystemExit, or what went wrong: the test's subject
            ended.append(error)

    previous = signal.getsignal(signal.SIGINT)
    thread = threading.Thread(target=interrupted)
    thread.start()
    thread.join()
    assert [type(error) for error in ended] == [SystemExit] and ended[0].code == EXIT_INTERRUPTED
    assert capsys.readouterr().err == INTERRUPTED + "\n"
    assert signal.getsignal(signal.SIGINT) is previous
