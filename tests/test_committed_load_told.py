"""A staged bulk load past its commit point (kg.store.staging) changes the store even when its writer is then
interrupted or killed: readers get a view holding it and a new version, not the old data under a new number."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys

import pyoxigraph
import pytest

from kg.errors import StoreUnavailable
from kg.store import staging, stamp
from kg.store.oxigraph import OxigraphStore

EX = "http://example.org/committed-load/"
QUAD = pyoxigraph.Quad(pyoxigraph.NamedNode(f"{EX}s"), pyoxigraph.NamedNode(f"{EX}p"), pyoxigraph.NamedNode(f"{EX}o"),
                       pyoxigraph.NamedNode(f"{EX}g2"))
ASK = f"ASK {{ <{EX}s> <{EX}p> <{EX}o> }}"

# A writer whose large load reaches the commit point, then is killed (SIGKILL) before it swaps the copy in.
_KILLED_AFTER_COMMIT = """
import os, signal, sys
import pyoxigraph
from kg.store import staging
from kg.store.oxigraph import OxigraphStore
committing = staging.load_copy
def killed(*args, **kwargs):
    committing(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
staging.load_copy = killed
ex = sys.argv[2]
node = pyoxigraph.NamedNode
OxigraphStore(sys.argv[1]).extend([pyoxigraph.Quad(node(ex + "s"), node(ex + "p"), node(ex + "o"), node(ex + "g2"))],
                                  large=True)
"""

# A writer whose opening finishes that swap, then is killed (SIGKILL) before it tells readers of it.
_KILLED_AFTER_SWAP = """
import os, signal, sys
from kg.store import staging
from kg.store.oxigraph import OxigraphStore
swapping = staging.recover
def killed(path):
    swapping(path)
    os.kill(os.getpid(), signal.SIGKILL)
staging.recover = killed
OxigraphStore(sys.argv[1])
"""


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "store"
    with OxigraphStore(path) as writer:
        writer.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> <{EX}b> }} }}")
    return path


def _reader_sees_it(path) -> bool:
    with OxigraphStore(path, read_only=True) as reader:
        return reader.query(ASK)


def test_a_writer_killed_after_the_commit_point_is_told_at_the_next_opening(store_path):
    before = stamp.read(store_path)
    killed = subprocess.run([sys.executable, "-c", _KILLED_AFTER_COMMIT, str(store_path), EX])
    assert killed.returncode == -signal.SIGKILL
    assert staging.sibling(store_path, "committed").exists()
    OxigraphStore(store_path).close()  # finishes the swap
    assert stamp.read(store_path)[0] > before[0]
    assert _reader_sees_it(store_path)


def test_a_writer_killed_as_its_opening_finished_the_swap_leaves_the_telling_to_the_next(store_path):
    subprocess.run([sys.executable, "-c", _KILLED_AFTER_COMMIT, str(store_path), EX])
    before = stamp.read(store_path)
    killed = subprocess.run([sys.executable, "-c", _KILLED_AFTER_SWAP, str(store_path)])
    assert killed.returncode == -signal.SIGKILL
    OxigraphStore(store_path).close()
    assert stamp.read(store_path)[0] > before[0]
    assert _reader_sees_it(store_path)
    assert not staging.sibling(store_path, "committed").exists()


def test_a_ctrl_c_after_the_commit_point_publishes_the_load_not_the_store_before_it(store_path, monkeypatch):
    committing = staging.load_copy

    def interrupted(*args, **kwargs):
        committing(*args, **kwargs)
        raise KeyboardInterrupt()

    monkeypatch.setattr(staging, "load_copy", interrupted)
    before = stamp.read(store_path)
    writer = OxigraphStore(store_path)
    try:
        with pytest.raises(KeyboardInterrupt):
            writer.extend([QUAD], large=True)
        assert stamp.read(store_path)[0] > before[0]
        assert _reader_sees_it(store_path)
        assert writer.query(ASK)
    finally:
        writer.close()
    assert not os.path.exists(staging.sibling(store_path, "committed"))
    assert _reader_sees_it(store_path)


def test_a_handle_that_lost_its_engine_says_so_in_the_librarys_words(store_path, monkeypatch):
    """A swap whose reopening failed raised pyoxigraph's OSError, and the handle, left without an engine, then
    raised AttributeError or TypeError (tracebacks) for every read and write; so did a handle used after close()."""
    recovering = staging.recover

    def unopenable(*args):
        raise OSError(5, "IO error: (a test)")

    def recovered_then_unopenable(path):  # the swap done, the engine cannot open the store
        swapped = recovering(path)
        monkeypatch.setattr(pyoxigraph, "Store", unopenable)
        return swapped

    writer = OxigraphStore(store_path)
    monkeypatch.setattr(staging, "recover", recovered_then_unopenable)
    with pytest.raises(StoreUnavailable, match="a test"):
        writer.extend([QUAD], large=True)
    monkeypatch.undo()
    assert _reader_sees_it(store_path)  # the swap was done, and readers told
    for use in (writer.count, writer.graphs, lambda: writer.query(ASK), lambda: writer.update(f"CLEAR GRAPH <{EX}g>"),
                lambda: writer.extend([QUAD]), lambda: writer.dump(io.BytesIO(), format="nquads")):
        with pytest.raises(StoreUnavailable, match="not open in this handle"):
            use()
    writer.close()
    OxigraphStore(store_path).close()  # the lock was let go
    closed = OxigraphStore(store_path, read_only=True)
    closed.close()
    with pytest.raises(StoreUnavailable, match="not open in this handle"):
        closed.count()
