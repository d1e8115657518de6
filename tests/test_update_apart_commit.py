"""An update run in a child process (kg update) that the child committed stays seen as written, even where the
parent then fails to open the store again or is interrupted before reading the child's answer."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from kg.errors import StoreUnavailable
from kg.store import killable_update, stamp
from kg.store.oxigraph import OxigraphStore

EX = "http://example.org/apart/"
INSERT = f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}s> <{EX}p> <{EX}o> }} }}"
ASK = f"ASK {{ <{EX}s> <{EX}p> <{EX}o> }}"


@pytest.fixture(autouse=True)
def ctrl_c_raises():
    """SIGINT raised as KeyboardInterrupt here, as a terminal gives it, whatever this test run was started with (in
    the background: ignored, and a test waiting for its Ctrl-C waited for ever)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture
def writer(tmp_path):
    store = OxigraphStore(tmp_path / "store")
    store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> <{EX}b> }} }}")
    store.update_apart = True
    yield store
    store.close()


def _seen_by_readers(path) -> bool:
    OxigraphStore(path).close()  # a writer's opening publishes a view unless the newest notes it is current
    with OxigraphStore(path, read_only=True) as reader:
        return reader.query(ASK)


def test_a_committed_update_whose_reopening_fails_is_stamped_and_published(writer, monkeypatch):
    before = stamp.read(writer.path)

    def unopenable(path):
        raise StoreUnavailable(f"cannot open the store at {path} for writing again: (a test)")

    monkeypatch.setattr(killable_update, "reopened", unopenable)
    with pytest.raises(StoreUnavailable):
        writer.update(INSERT)
    assert stamp.read(writer.path) != before
    writer.close()
    assert _seen_by_readers(writer.path)


def test_a_ctrl_c_after_the_childs_commit_is_no_stop_with_nothing_written(writer, monkeypatch):
    # The child answers, then interrupts its parent (kg) and waits: the Ctrl-C comes after the commit. It is sent to
    # the parent's main thread (tgkill; its id is the process's): sent to the process, it could land on another
    # thread, leaving the main thread asleep on the pipe and the child paused for ever (a hung run).
    answered = "sys.stdout.write(json.dumps(answer))"
    assert answered in killable_update._PROGRAM
    monkeypatch.setattr(killable_update, "_PROGRAM", killable_update._PROGRAM.replace(
        answered, answered + "\nsys.stdout.flush()\n"
        "ctypes.CDLL(None).tgkill(int(sys.argv[2]), int(sys.argv[2]), signal.SIGINT)\nsignal.pause()"))
    before = stamp.read(writer.path)
    with pytest.raises(KeyboardInterrupt) as raised:
        writer.update(INSERT)
    assert not isinstance(raised.value, killable_update.Stopped)
    assert stamp.read(writer.path) != before
    writer.close()
    assert _seen_by_readers(writer.path)


def test_a_ctrl_c_between_the_childs_commit_and_its_answer_is_no_stop_with_nothing_written(writer, monkeypatch):
    # The child commits, then interrupts its parent before it answers: only the store's write log tells of the
    # commit. The Ctrl-C was taken as one before the commit ("nothing of it was written"), the update written.
    done = 'answer = ["done", ""]'
    assert done in killable_update._PROGRAM
    monkeypatch.setattr(killable_update, "_PROGRAM", killable_update._PROGRAM.replace(
        done, "ctypes.CDLL(None).tgkill(int(sys.argv[2]), int(sys.argv[2]), signal.SIGINT); signal.pause()"))
    with pytest.raises(KeyboardInterrupt) as raised:
        writer.update(INSERT)
    assert not isinstance(raised.value, killable_update.Stopped)
    writer.close()
    assert _seen_by_readers(writer.path)


def test_a_time_limit_between_the_childs_commit_and_its_answer_says_it_may_have_been_written(writer, monkeypatch):
    # The child commits, says so on standard error and waits; the limit comes then (_answer raises as it would).
    done = 'answer = ["done", ""]'
    monkeypatch.setattr(killable_update, "_PROGRAM", killable_update._PROGRAM.replace(
        done, 'sys.stderr.write("committed\\n"); sys.stderr.flush(); signal.pause()'))

    def limit_after_the_commit(child, text, seconds):
        child.stdin.write(text)
        child.stdin.close()
        child.stdin = None  # sent whole, as communicate() would have: the stop's communicate() reads the rest
        assert child.stderr.readline() == b"committed\n"
        raise subprocess.TimeoutExpired(child.args, seconds)

    monkeypatch.setattr(killable_update, "_answer", limit_after_the_commit)
    writer.update_seconds = 5
    before = writer.version()
    with pytest.raises(killable_update.MaybeWritten, match="may have been written"):
        writer.update(INSERT)
    assert writer.version() != before  # caches keyed on the version must not keep the old answers
    writer.close()
    assert _seen_by_readers(writer.path)


def test_a_ctrl_c_before_the_childs_update_is_a_stop_with_nothing_written(writer, monkeypatch):
    # The child has opened the store (RocksDB starts a new write log then) and interrupts its parent.
    monkeypatch.setattr(killable_update, "_PROGRAM", killable_update._PROGRAM.replace(
        "store.update(text)", "ctypes.CDLL(None).tgkill(int(sys.argv[2]), int(sys.argv[2]), signal.SIGINT); "
                              "signal.pause()"))
    with pytest.raises(killable_update.Stopped):
        writer.update(INSERT)
    writer.close()
    assert not _seen_by_readers(writer.path)


def test_a_store_that_cannot_be_opened_again_after_the_child_is_told_at_once(tmp_path, monkeypatch):
    # The child is reaped before the reopening: no other process holds the store, so no wait can help it.
    waits = []
    monkeypatch.setattr(time, "sleep", waits.append)
    (tmp_path / "not a store").write_text("")
    with pytest.raises(StoreUnavailable, match="for writing again"):
        killable_update.reopened(str(tmp_path / "not a store"))
    assert waits == []


# A kg whose main thread blocks SIGINT, as it is when the kernel hands a Ctrl-C to another of its threads (the
# engine's): the child interrupts it before committing anything, then waits for ever.
_CTRL_C_ELSEWHERE = """
import signal, sys, threading
from kg.store import killable_update
helper = threading.Thread(target=threading.Event().wait, daemon=True)
helper.start()  # started before the mask: it takes the signal
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
killable_update._PROGRAM = killable_update._PROGRAM.replace(
    "import pyoxigraph", "os.kill(int(sys.argv[2]), signal.SIGINT)\\nsignal.pause()\\nimport pyoxigraph")
try:
    killable_update.run(sys.argv[1], "INSERT DATA { <http://e/s> <http://e/p> 1 }", None)
except killable_update.Stopped:
    print("stopped")
"""


def test_a_ctrl_c_taken_by_another_thread_still_stops_the_update(tmp_path):
    """A Ctrl-C that landed on another thread of kg set Python's flag but woke nothing: the main thread slept on
    the child's pipe until the update ended (here, never)."""
    OxigraphStore(tmp_path / "store").close()
    done = subprocess.run([sys.executable, "-c", _CTRL_C_ELSEWHERE, str(tmp_path / "store")], capture_output=True,
                          text=True, timeout=120, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert done.stdout.strip() == "stopped", done.stderr[-2000:]
