"""A store takes a directory of its own: a writer refuses a path that is a file or a directory holding other
files (a bulk load swaps in a copy of the store's files, which deleted the rest), and leaves nothing beside it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import StoreUnavailable
from kg.store.oxigraph import OxigraphStore

KG = Path(sys.executable).parent / "kg"
TURTLE = '<http://example.org/room/s> <http://example.org/room/p> "o" .\n'


def kg(*args) -> subprocess.CompletedProcess:
    return subprocess.run([str(KG), *map(str, args)], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, env={**os.environ, "SAHEL_KG_INSTALL_ARTICLE": "false"})


def test_a_load_into_a_directory_of_other_files_is_refused_and_keeps_them(tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n")
    (tmp_path / "data.ttl").write_text(TURTLE)
    done = kg("load", tmp_path / "data.ttl", "--graph", "http://example.org/room/g", "--store", f"oxigraph:{folder}")
    assert done.returncode == 1, done.stderr
    assert done.stderr == (f"error: {folder} is a directory holding other files (notes.txt), not a store: a store "
                           "needs a directory of its own (a new or empty one), whose files its loads replace\n")
    assert [path.name for path in folder.iterdir()] == ["notes.txt"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["data.ttl", "documents"]  # no lock file beside it


def test_a_reader_or_a_writer_of_a_file_says_it_is_a_file(tmp_path):
    file = tmp_path / "data.ttl"
    file.write_text(TURTLE)
    words = f"error: {file} is a file, not a store: name a directory for the store (a new or empty one)\n"
    for command in (("load", file), ("info",)):
        done = kg(*command, "--store", f"oxigraph:{file}")
        assert (done.returncode, done.stderr) == (1, words)
    assert [path.name for path in tmp_path.iterdir()] == ["data.ttl"]
    assert file.read_text() == TURTLE


def test_a_new_or_empty_directory_or_a_store_opens_for_writing(tmp_path):
    (tmp_path / "empty").mkdir()
    for path in (tmp_path / "new", tmp_path / "empty", tmp_path / "new"):  # the last time, a store
        with OxigraphStore(path) as store:
            assert store.count() == 0
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "a.txt").write_text("")
    with pytest.raises(StoreUnavailable, match="holding other files"):
        OxigraphStore(tmp_path / "other")


@pytest.mark.parametrize("command", [["load", "data.ttl"], ["update", "INSERT DATA { <http://a> <http://b> 1 }"],
                                     ["query", "ASK {}"], ["info"], ["export"], ["build", "--install"]])
def test_a_store_path_that_is_not_utf8_is_refused_and_leaves_no_lock(tmp_path, command):
    """`--store /tmp/x$'\\xff'y`: a writer made its lock file beside the path before the engine refused the path (it
    takes UTF-8 only), and left it there; every command now refuses the path first, naming its byte, and makes
    nothing."""
    (tmp_path / "data.ttl").write_text(TURTLE)
    args = [tmp_path / "data.ttl" if arg == "data.ttl" else arg for arg in command]
    before = sorted(os.listdir(os.fsencode(tmp_path)))
    store = os.fsdecode(os.fsencode(tmp_path) + b"/new/x\xffy")
    done = kg(*args, "--store", f"oxigraph:{store}")
    assert done.returncode == 2, done.stderr
    assert f"the store's path {tmp_path}/new/x\\xffy is not UTF-8" in done.stderr and "Traceback" not in done.stderr
    assert sorted(os.listdir(os.fsencode(tmp_path))) == before  # no lock, version, views, nor the folder new/


def test_a_store_that_fails_to_open_or_to_take_its_first_load_leaves_nothing_beside_it(tmp_path, monkeypatch):
    """What a writer makes beside a store (its lock, version and views) was left where no store stayed: a failed
    first `kg load` removed the store's directory only, and an engine that refused to open left the lock file."""
    (tmp_path / "bad.ttl").write_text("garbage <\n")
    done = kg("load", tmp_path / "bad.ttl", "--store", f"oxigraph:{tmp_path / 'store'}")
    assert done.returncode == 1 and "garbage" in done.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bad.ttl"]

    def refused(path):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("kg.store.oxigraph.pyoxigraph.Store", refused)
    with pytest.raises(StoreUnavailable, match="Input/output error"):
        OxigraphStore(tmp_path / "other")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bad.ttl"]


@pytest.mark.parametrize("made", [True, False], ids=["a store it made", "a store that was there"])
def test_a_writer_whose_opening_fails_after_the_engine_opened_lets_go_of_the_store(tmp_path, monkeypatch, made):
    """A failure past the engine's opening (no room for the version stamp) escaped as the system's OSError, the
    handle never given back: this process kept the writer's lock for its whole life, and a made store stayed."""
    path = tmp_path / "store"
    if not made:
        OxigraphStore(path).close()
        (tmp_path / ".store.version").unlink()  # the opening stamps it anew

    def full(store):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr("kg.store.oxigraph.stamp.bump", full)
        with pytest.raises(StoreUnavailable, match="No space left"):
            OxigraphStore(path)
    assert (tmp_path / "store").exists() is not made
    OxigraphStore(path).close()  # the lock was let go


def test_a_writer_interrupted_right_after_taking_the_lock_lets_go_of_it(tmp_path, monkeypatch):
    """A Ctrl-C (or a failing look) between the lock and the opening left the lock held by this process for good."""
    path = tmp_path / "store"
    OxigraphStore(path).close()

    def interrupted(store):
        raise KeyboardInterrupt()

    with monkeypatch.context() as patched:
        patched.setattr("kg.store.oxigraph.holds_store", interrupted)
        with pytest.raises(KeyboardInterrupt):
            OxigraphStore(path)
    OxigraphStore(path).close()  # the lock was let go
