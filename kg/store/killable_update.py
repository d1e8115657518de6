"""An embedded update that a Ctrl-C or a time limit can stop (for `kg update`). pyoxigraph runs an update in one
Rust call that no signal interrupts, so the update runs in a child process holding the store, killed when it must
stop. An update is one transaction, committed at its end: a child killed before it has written nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import pyoxigraph

from kg.child import failure_line, python_command
from kg.errors import NothingWritten, QueryTimeout, StorageFailure, StoreUnavailable, UpdateTimeout
from kg.store.store_files import write_log

OPENINGS = 50  # tenths of a second the child tries to open the store while this process's handle lets go of it

# The child: the update on standard input, the store's path and the parent's id its arguments; it answers one
# JSON line [kind, message]. It imports nothing of kg, which would double its start.
_PROGRAM = """
import ctypes, json, os, signal, sys, time
ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: a kill -9 of kg must not leave it writing
if os.getppid() != int(sys.argv[2]):
    sys.exit(0)  # the parent was gone before that line
import pyoxigraph
text = sys.stdin.buffer.read().decode("utf-8", "surrogatepass")
store, answer = None, ["unopened", "no attempt"]
for attempt in range(OPENINGS):
    try:
        store = pyoxigraph.Store(sys.argv[1])
        break
    except OSError as error:
        answer = ["unopened", str(error)]
        time.sleep(0.1)
if store is not None:
    try:
        store.update(text)
        answer = ["done", ""]
    except SyntaxError as error:
        answer = ["syntax", str(error)]
    except RuntimeError as error:
        answer = ["engine", str(error)]
    del store  # closed before the parent opens the store again
sys.stdout.write(json.dumps(answer))
""".replace("OPENINGS", str(OPENINGS))


class MaybeWritten(UpdateTimeout):
    """An update stopped at its time limit as its child committed: it may have been written."""


class Stopped(NothingWritten):
    """A Ctrl-C that killed the child before its commit: nothing was written."""


def run(path: str, text: str, seconds: float | None) -> None:
    """Run the update `text` on the store at `path` (which no handle of this process may hold) in a child process:
    UpdateTimeout past `seconds` (None: no limit) and Stopped at a Ctrl-C, with nothing written (MaybeWritten, and
    a plain KeyboardInterrupt, where the child may have committed before it was stopped); the
    engine's SyntaxError or RuntimeError as it raises them; StoreUnavailable where the child could not open the
    store, StorageFailure where it ended without an answer (killed by another hand, out of memory)."""
    before = _log(path)  # a commit the child made but did not live to tell shows in the log's growth
    # In a session of its own: a terminal's Ctrl-C reaches kg alone, which kills the child.
    child = subprocess.Popen(python_command(_PROGRAM, path, str(os.getpid())), stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        said, noise = _answer(child, text.encode("utf-8", "surrogatepass"), seconds)
    except subprocess.TimeoutExpired:
        said, noise = _stop(child)
        if _answered_done(said):
            return  # the limit came after the commit: the update is written
        if _log_grew(path, before):
            raise MaybeWritten(f"{QueryTimeout.stopped(seconds, 'update')} as it committed: it may have been "
                               "written") from None
        raise QueryTimeout.stopped(seconds, "update") from None
    except KeyboardInterrupt:
        said, noise = _stop(child)
        if _answered_done(said) or _log_grew(path, before):  # after the commit, maybe: a plain one, no claim
            raise KeyboardInterrupt() from None
        raise Stopped() from None
    except BaseException:  # the child must not write on, holding the store, after we return
        _stop(child)
        raise
    try:
        kind, message = json.loads(said)
    except ValueError:
        why = failure_line(noise.decode("utf-8", "replace"), f"it ended with status {child.returncode}")
        raise StorageFailure(f"the update's process gave no answer: {why}") from None
    if kind == "syntax":
        raise SyntaxError(message)
    if kind == "unopened":
        raise StoreUnavailable(f"cannot open the store at {path}: {message}")
    if kind != "done":
        raise RuntimeError(message)


# How often this process wakes while the child works: a Ctrl-C may land on another of its threads (the engine's),
# whose signal handler wakes nothing; Python runs the handler once the main thread runs again.
WAKE_SECONDS = 0.25


def _answer(child: subprocess.Popen, text: bytes, seconds: float | None) -> tuple[bytes, bytes]:
    """The child's output once it ends; TimeoutExpired past `seconds` (None: none)."""
    ends = None if seconds is None else time.monotonic() + seconds
    given = text
    while True:
        left = WAKE_SECONDS if ends is None else min(WAKE_SECONDS, ends - time.monotonic())
        try:
            return child.communicate(given, timeout=max(left, 0))
        except subprocess.TimeoutExpired:
            if ends is not None and time.monotonic() >= ends:
                raise
        given = None  # the input is sent once; the calls after the first go on where it left off


def _stop(child: subprocess.Popen) -> tuple[bytes, bytes]:
    """Kill the child and reap it (its hold on the store's files is then gone); what it wrote before."""
    child.kill()  # a transaction not yet committed: the store keeps none of it
    try:
        return child.communicate()  # the pipes' rest: an answer written before the kill tells of a commit
    except BaseException:  # a second Ctrl-C: the child is reaped all the same
        child.wait()
        raise


def _log(path: str) -> tuple[int, int] | None:
    """The store's write log as kg.store.store_files.write_log reads it; None where it cannot be read."""
    try:
        return write_log(path)
    except OSError:
        return None


def _answered_done(said: bytes) -> bool:
    """Whether the child's answer says its update was committed."""
    try:
        return json.loads(said)[0] == "done"
    except (ValueError, IndexError, TypeError):
        return False


def _log_grew(path: str, before: tuple[int, int] | None) -> bool:
    """Whether the store's write log grew since `before`, or cannot be told: the child, killed before it answered,
    may have committed (RocksDB logs a transaction as it commits; a child that only opened the store leaves a new,
    empty log). Growth is no proof of a commit: a kill midway through writing a large one's record grows it too."""
    after = _log(path)
    return before is None or after is None or after != before and after[1] > 0


def reopened(path: str) -> pyoxigraph.Store:
    """The store at `path` opened for writing again after `run`; StoreUnavailable if it cannot be. Tried once: `run`
    reaped the child, so no process holds the store any more, and waiting cannot free a hold of this one's."""
    try:
        return pyoxigraph.Store(path)
    except OSError as error:
        raise StoreUnavailable(f"cannot open the store at {path} for writing again: {error}") from None


class UpdateApart:
    """For kg.store.oxigraph.OxigraphStore (its `path` and engine in `_store`): kg update's update of a store on disk,
    run by `run` in a child process when `update_apart` is set, stopped past `update_seconds` (None: no limit)."""

    update_apart, update_seconds = False, None

    def _update_apart(self, text: str) -> None:
        """Run the update in a child process, this handle closed meanwhile (RocksDB: one handle at a time)."""
        self._store = None
        try:
            run(self.path, text, self.update_seconds)
        finally:
            self._store = reopened(self.path)
