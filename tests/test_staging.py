"""Large embedded loads go through a checkpoint copy and a swap; every crash state recovers to all or nothing."""

from __future__ import annotations

import gzip
import os
import shutil
import threading

import pyoxigraph as ox
import pytest

from kg.errors import ParseError
from kg.store import staging
from kg.store.base import read_quads
from kg.store.oxigraph import OxigraphStore

EX = "http://example.org/"


def quad(n: int) -> ox.Quad:
    return ox.Quad(ox.NamedNode(f"{EX}s{n}"), ox.NamedNode(f"{EX}p"), ox.Literal(n))


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "store"
    with OxigraphStore(path) as store:
        store.extend([quad(0)])
    return path


def count(path) -> int:
    with OxigraphStore(path) as store:
        return store.count()


def test_a_large_extend_adds_everything_and_leaves_no_sibling(store_path):
    with OxigraphStore(store_path) as store:
        assert store.extend((quad(n) for n in range(1, 5001)), large=True) == 5000
        assert store.count() == 5001  # the handle works after the swap
        store.update(f"INSERT DATA {{ <{EX}after> <{EX}p> 1 }}")
    assert count(store_path) == 5002
    assert sorted(p.name for p in store_path.parent.iterdir()) == [".store.lock", ".store.version", ".store.views", "store"]


def test_a_parse_error_in_a_large_extend_changes_nothing(store_path, tmp_path):
    bad = tmp_path / "bad.nt"
    bad.write_text("".join(f"<{EX}s{n}> <{EX}p> {n} .\n" for n in range(1000)) + "<broken\n")
    with OxigraphStore(store_path) as store:
        with pytest.raises(ParseError):
            store.extend(read_quads(bad, format="ntriples"), large=True)
        assert store.count() == 1
    assert count(store_path) == 1
    assert not staging.sibling(store_path, "staging").exists()


def test_a_staging_copy_that_cannot_be_removed_does_not_hide_the_loads_own_error(store_path, tmp_path, monkeypatch):
    """Removing the copy after a failed load can fail (once seen: "Directory not empty" after Ctrl-C); the user
    is told the load's own error, and the copy is left for the next writer, which removes it first."""
    bad = tmp_path / "bad.nt"
    bad.write_text("".join(f"<{EX}s{n}> <{EX}p> {n} .\n" for n in range(1000)) + "<broken\n")

    def failing_remove(path):
        if path == staging.sibling(store_path, "staging") and path.exists():  # the clean-up after the failure
            raise OSError(39, "Directory not empty", str(path))
        if path.exists():
            shutil.rmtree(path)

    monkeypatch.setattr(staging, "_remove", failing_remove)
    with OxigraphStore(store_path) as store:
        with pytest.raises(ParseError):
            store.extend(read_quads(bad, format="ntriples"), large=True)
        assert store.count() == 1
    assert staging.sibling(store_path, "staging").exists()
    monkeypatch.undo()
    assert count(store_path) == 1 and not staging.sibling(store_path, "staging").exists()


def test_a_ctrl_c_while_the_store_is_copied_leaves_no_copy(store_path):
    """A Ctrl-C (KeyboardInterrupt) that lands once the checkpoint copy is on disk, before the bulk load: the
    store is as it was, and no copy is left (the copy was made outside the clean-up's reach)."""

    class InterruptedCopy:
        def __init__(self, store):
            self.store = store

        def backup(self, path):
            self.store.backup(path)
            raise KeyboardInterrupt

    store = ox.Store(str(store_path))
    with pytest.raises(KeyboardInterrupt):
        staging.load_copy(InterruptedCopy(store), store_path, iter([quad(1)]))
    del store
    assert not staging.sibling(store_path, "staging").exists()
    assert count(store_path) == 1


def copy_with_more(store_path, tmp_path):
    """A staged copy holding one more quad than the store, as load_copy leaves it before the commit."""
    copy = tmp_path / "copy"
    shutil.copytree(store_path, copy)
    with OxigraphStore(copy) as store:
        store.extend([quad(99)])
    return copy


@pytest.mark.parametrize("state, expected", [
    ("staged, not committed", 1),          # killed during the bulk load: the load is dropped
    ("committed, not swapped", 2),         # killed after the commit point: the swap is finished
    ("committed, store moved aside", 2),   # killed between the two renames
    ("committed and swapped", 2),          # killed before the marker was removed
])
def test_opening_recovers_each_crash_state(store_path, tmp_path, state, expected):
    copy = copy_with_more(store_path, tmp_path)
    staged, committed, old = (staging.sibling(store_path, role) for role in ("staging", "committed", "old"))
    if state == "committed and swapped":
        store_path.rename(old)
        copy.rename(store_path)
    else:
        copy.rename(staged)
    if state.startswith("committed"):
        committed.touch()
    if state == "committed, store moved aside":
        store_path.rename(old)
    assert count(store_path) == expected
    assert sorted(p.name for p in store_path.parent.iterdir() if p.name.startswith(".store")) == [".store.lock", ".store.version", ".store.views"]


def test_a_second_writer_is_refused_and_cannot_disturb_a_load(store_path):
    """Opening for writing takes the store's lock file first, so it never 'recovers' another's load."""
    from kg.errors import StoreUnavailable

    with OxigraphStore(store_path) as writer:
        staged = staging.sibling(store_path, "staging")
        staged.mkdir()  # as a load in progress has it
        with pytest.raises(StoreUnavailable, match="open for writing by process"):
            OxigraphStore(store_path)
        assert staged.exists()
        reader = OxigraphStore(store_path, read_only=True)  # readers take no lock
        assert reader.count() == 1
        staged.rmdir()
    OxigraphStore(store_path).close()  # free again once the writer closed


def _loaded_in_bulk(store_path, tmp_path, monkeypatch, path) -> bool:
    """Whether `kg.loading.load_files` of `path` took the bulk path; it must load every quad either way."""
    from kg import loading

    monkeypatch.setattr(loading, "LARGE_QUADS", 100)
    copies = []
    load_copy = staging.load_copy
    monkeypatch.setattr(staging, "load_copy", lambda *args, **options: copies.append(args[1]) or load_copy(*args, **options))  # not the store: it must close
    with OxigraphStore(store_path) as store:
        report = loading.load_files(store, [path], fmt="ntriples", graph=f"{EX}loaded")
        assert store.count(f"{EX}loaded") == report.quads > 0
    return bool(copies)


def _lines(count: int) -> bytes:
    return "".join(f"<{EX}s{n}> <{EX}p> \"{n}\" .\n" for n in range(count)).encode()


@pytest.mark.parametrize("count, bulk", [(150, True), (50, False)], ids=["many", "few"])
def test_a_pipe_of_many_quads_is_bulk_loaded(store_path, tmp_path, monkeypatch, count, bulk):
    """A pipe's size reads as 0 bytes: `kg load <(zcat big.nq.gz)` went to one transaction of every quad, held in
    memory. The quads are now counted ahead, up to LARGE_QUADS, to choose."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    writer = threading.Thread(target=pipe.write_bytes, args=(_lines(count),), daemon=True)
    writer.start()
    assert _loaded_in_bulk(store_path, tmp_path, monkeypatch, pipe) is bulk


def test_a_small_gzipped_file_of_many_quads_is_bulk_loaded(store_path, tmp_path, monkeypatch):
    """A gzipped file's size is a tenth or less of what it holds; its quads are counted ahead as a pipe's are."""
    packed = tmp_path / "data.nt.gz"
    packed.write_bytes(gzip.compress(_lines(150)))
    assert _loaded_in_bulk(store_path, tmp_path, monkeypatch, packed)


@pytest.mark.parametrize("count, bulk", [(150, True), (50, False)], ids=["many", "few"])
def test_a_pipe_of_gzip_is_read_through_gzip(store_path, tmp_path, monkeypatch, count, bulk):
    """`kg load <(curl -s …/data.nt.gz)`, a gzipped stream in a pipe, whose start no one looked at before reading
    it, failed at 1:1 with the parser's "'\\x1f' is not allowed at the beginning of a prefix name"."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    threading.Thread(target=pipe.write_bytes, args=(gzip.compress(_lines(count)),), daemon=True).start()
    assert _loaded_in_bulk(store_path, tmp_path, monkeypatch, pipe) is bulk


def test_a_pipe_of_gzip_gzipped_again_is_refused_saying_so(store_path, tmp_path):
    from kg import loading

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    threading.Thread(target=pipe.write_bytes, args=(gzip.compress(gzip.compress(_lines(5))),), daemon=True).start()
    with OxigraphStore(store_path) as store, pytest.raises(ParseError, match="gzipped twice"):
        loading.load_files(store, [pipe], fmt="ntriples", graph=f"{EX}loaded")
