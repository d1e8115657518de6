"""Embedded updates within a time limit. pyoxigraph runs an update in one Rust call that nothing can interrupt,
so an update whose WHERE makes work of the data (a join of any size) runs in a child process that opens the
store, killed at the limit or at a Ctrl-C. An update is one transaction, committed at its end: a killed child
has written nothing, and RocksDB drops a log record cut short. Updates of data alone (INSERT DATA, DELETE DATA)
and graph operations (CLEAR, DROP, COPY, ...) do work bounded by their text or a graph's size: they run here.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import pyoxigraph

from kg.child import failure_line, python_command
from kg.errors import InputLimitError, QueryTimeout, StorageFailure, StoreUnavailable
from kg.sparql_lexer import significant

OPENING_ATTEMPTS = 50  # tenths of a second an opening for writing is tried while another handle lets go

# The child: the update on standard input, the store's path its argument; it answers one JSON line [kind, message].
# Its own text, importing nothing of kg: a child starts for each such update, and kg's imports would double that.
_PROGRAM = """
import ctypes, json, os, signal, sys
# Killed with the process that started it (PR_SET_PDEATHSIG), or it would write on, holding the store, after a kill -9.
ctypes.CDLL(None).prctl(1, signal.SIGKILL)
if os.getppid() != int(sys.argv[2]):
    sys.exit(0)  # that process was gone before the line above
import time
import pyoxigraph
text = sys.stdin.buffer.read().decode("utf-8", "surrogatepass")
for attempt in range(OPENING_ATTEMPTS):  # a reader that began before the hand-over may hold the old handle a moment
    try:
        store = pyoxigraph.Store(sys.argv[1])
        break
    except OSError as error:
        answer = ["unopened", str(error)]
        time.sleep(0.1)
else:
    store = None
if store is not None:
    try:
        store.update(text)
        answer = ["done", ""]
    except SyntaxError as error:
        answer = ["syntax", str(error)]
    except RuntimeError as error:
        answer = ["engine", str(error)]
    del store  # RocksDB closes before the parent reopens it
sys.stdout.write(json.dumps(answer))
""".replace("OPENING_ATTEMPTS", str(OPENING_ATTEMPTS))


def reads_the_data(sparql: str) -> bool:
    """Whether the update `sparql` has a WHERE clause (or is too long to tell): its work is the data's to decide."""
    try:
        return any(kind == "word" and word.upper() == "WHERE" for kind, word, _, _ in significant(sparql, 200_000))
    except InputLimitError:
        return True


def run(path: str, text: str, seconds: float | None) -> None:
    """Run the update `text` on the on-disk store at `path`, which no handle of this process may hold, in a child;
    QueryTimeout past `seconds` (None: no limit) and KeyboardInterrupt at a Ctrl-C, nothing written; the engine's
    SyntaxError or RuntimeError as it raises them; StoreUnavailable where the child could not open the store, and
    StorageFailure where it ended with no answer (killed by another hand, or out of memory)."""
    # In a session of its own, as query workers are: a terminal's Ctrl-C reaches this process, which decides.
    child = subprocess.Popen(python_command(_PROGRAM, path, str(os.getpid())), stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        said, noise = child.communicate(text.encode("utf-8", "surrogatepass"), timeout=seconds)
    except subprocess.TimeoutExpired:
        child.kill()  # the transaction is not committed: the store keeps none of it
        child.communicate()
        raise QueryTimeout.stopped(seconds, "update") from None
    except BaseException:  # a Ctrl-C or a dying thread: the child must not write after we return
        child.kill()
        child.communicate()
        raise
    try:
        kind, message = json.loads(said)
    except ValueError:  # killed by another hand, or out of memory: the server's trouble, not the update's
        said = failure_line(noise.decode("utf-8", "replace"), f"it ended with status {child.returncode}")
        raise StorageFailure(f"the update's process gave no answer: {said}") from None
    if kind == "syntax":
        raise SyntaxError(message)
    if kind == "unopened":
        raise StoreUnavailable(f"cannot open the store at {path}: {message}")
    if kind != "done":
        raise RuntimeError(message)


def reopened(path: str) -> pyoxigraph.Store:
    """The store at `path` opened for writing again after a child had it, tried while a reader of this process that
    began before the hand-over holds the old handle; StoreUnavailable after OPENING_ATTEMPTS tenths of a second."""
    for attempt in range(OPENING_ATTEMPTS):
        try:
            return pyoxigraph.Store(path)
        except OSError as error:
            if attempt == OPENING_ATTEMPTS - 1:
                raise StoreUnavailable(f"cannot open the store at {path} for writing again: {error}") from None
            time.sleep(0.1)
