"""A command whose first write into a store fails (kg load, kg update, kg events load, kg build --install) leaves
the file system as it found it: an empty directory given stays empty, and the parent folders made go."""

from __future__ import annotations

import gc
import os

import pytest
from click.testing import CliRunner

from kg import loading, publish
from kg.cli import main
from kg.errors import StoreUnavailable
from kg.store import old_model, views
from kg.store.oxigraph import OxigraphStore

EX = "http://example.org/first-write/"
# A syntax error on line 3: the first two quads are read (and would be written) before it
BAD_NQUADS = "".join(f"<{EX}s> <{EX}p> <{EX}o{n}> <{EX}g> .\n" for n in range(2)) + f"<{EX}s> <{EX}p> oops .\n"


def kg(*args):
    result = CliRunner().invoke(main, [str(arg) for arg in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def tree(root) -> list[str]:
    return sorted(os.path.relpath(os.path.join(top, name), root)
                  for top, folders, files in os.walk(root) for name in folders + files)


@pytest.fixture
def bad_file(tmp_path):
    path = tmp_path / "input" / "bad.nq"
    path.parent.mkdir()
    path.write_text(BAD_NQUADS, encoding="utf-8")
    return path


@pytest.mark.parametrize("install", ["false", "true"])
def test_a_failed_first_load_into_an_empty_directory_leaves_it_empty(tmp_path, bad_file, monkeypatch, install):
    monkeypatch.setenv("SAHEL_KG_INSTALL_ARTICLE", install)
    (tmp_path / "stores" / "empty").mkdir(parents=True)
    before = tree(tmp_path)
    result = kg("load", bad_file, "--store", f"oxigraph:{tmp_path / 'stores' / 'empty'}")
    assert result.exit_code == 1 and "bad.nq:3:" in result.output
    assert tree(tmp_path) == before


@pytest.mark.parametrize("install", ["false", "true"])
def test_a_failed_first_bulk_load_into_an_empty_directory_leaves_it_empty(tmp_path, bad_file, monkeypatch, install):
    """A large load goes through a copy (kg.store.staging); the store stayed open after the discard, and wrote its
    CURRENT and MANIFEST back into the directory as it closed."""
    monkeypatch.setenv("SAHEL_KG_INSTALL_ARTICLE", install)
    monkeypatch.setattr(loading, "LARGE_BYTES", 1)
    (tmp_path / "stores" / "empty").mkdir(parents=True)
    before = tree(tmp_path)
    result = kg("load", bad_file, "--store", f"oxigraph:{tmp_path / 'stores' / 'empty'}")
    assert result.exit_code == 1 and "bad.nq:3:" in result.output
    del result  # its exception's traceback, and whatever that held, gone as at a process's end
    gc.collect()
    assert tree(tmp_path) == before


def test_a_failed_first_load_into_a_nested_path_removes_the_folders_it_made(tmp_path, bad_file, monkeypatch):
    monkeypatch.setenv("SAHEL_KG_INSTALL_ARTICLE", "false")
    (tmp_path / "stores").mkdir()
    before = tree(tmp_path)
    result = kg("load", bad_file, "--store", f"oxigraph:{tmp_path / 'stores' / 'a' / 'b' / 'c' / 'store'}")
    assert result.exit_code == 1 and "bad.nq:3:" in result.output
    assert tree(tmp_path) == before


def test_a_failed_first_load_through_a_link_to_an_empty_directory_empties_only_what_it_wrote(tmp_path, bad_file,
                                                                                             monkeypatch):
    monkeypatch.setenv("SAHEL_KG_INSTALL_ARTICLE", "false")
    (tmp_path / "target").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "target")
    before = tree(tmp_path)
    assert kg("load", bad_file, "--store", f"oxigraph:{tmp_path / 'link'}").exit_code == 1
    assert tree(tmp_path) == before


def test_a_failed_first_update_or_events_load_leaves_no_store_with_the_article(tmp_path):
    (tmp_path / "table.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    before = tree(tmp_path)
    updated = kg("update", f"CLEAR GRAPH <{EX}none>", "--store", f"oxigraph:{tmp_path / 'u' / 'v' / 'store'}")
    assert updated.exit_code == 1 and "does not exist" in updated.output
    events = kg("events", "load", tmp_path / "table.csv", "--store", f"oxigraph:{tmp_path / 'e' / 'store'}")
    assert events.exit_code == 1 and "lacks" in events.output
    assert tree(tmp_path) == before


@pytest.mark.parametrize("given", ["new", "empty"])
def test_a_build_install_that_fails_as_it_writes_leaves_no_store(tmp_path, monkeypatch, given):
    real = publish.install

    def fails_after_writing(store, *args, **options):
        real(store, *args, **options)
        raise StoreUnavailable("the disk went away")  # as a write that fails once the first has committed

    monkeypatch.setattr(publish, "install", fails_after_writing)
    if given == "empty":
        (tmp_path / "a" / "store").mkdir(parents=True)
    before = tree(tmp_path)
    result = kg("build", "--install", "--store", f"oxigraph:{tmp_path / 'a' / 'store'}")
    assert result.exit_code != 0 and "the disk went away" in result.output
    del result
    gc.collect()
    assert tree(tmp_path) == before


def test_a_library_with_block_that_fails_keeps_the_store_it_made(tmp_path):
    """Discarding is the console's, for a command's own first write: a script's store, written and then left by an
    error of the script's own, kept its data (a store it had filled was removed whole)."""
    from kg.store import open_store

    path = tmp_path / "made" / "store"
    with pytest.raises(ZeroDivisionError):
        with open_store(f"oxigraph:{path}") as store:
            store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}s> <{EX}p> <{EX}o> }} }}")
            1 / 0
    with open_store(f"oxigraph:{path}", read_only=True) as store:
        assert store.count() > 0


@pytest.mark.parametrize("step", [(views, "refresh_if_behind"), (old_model, "detected")])
def test_a_first_opening_that_fails_after_its_engine_leaves_an_empty_directory_empty(tmp_path, monkeypatch, step):
    """The failed step's frame, kept by the error's traceback, held the engine past the discard, and the engine
    wrote its CURRENT and MANIFEST back into the emptied directory as it closed."""
    def failing(store, *rest):  # holds the engine in its frame, as the real steps do
        raise OSError(28, "No space left on device (a test)")

    monkeypatch.setattr(*step, failing)
    given = tmp_path / "stores" / "empty"
    given.mkdir(parents=True)
    before = tree(tmp_path)
    with pytest.raises(StoreUnavailable, match="a test"):
        OxigraphStore(given)
    assert tree(tmp_path) == before


def test_a_first_write_interrupted_as_it_tells_readers_leaves_an_empty_directory_empty(tmp_path, monkeypatch):
    """A Ctrl-C in the view's refresh after the write kept the engine in that step's frame past __exit__'s discard,
    and the engine wrote its CURRENT and MANIFEST back into the emptied directory as it closed."""
    def interrupted(store, *rest):  # holds the engine in its frame, as views.refresh does
        raise KeyboardInterrupt

    given = tmp_path / "stores" / "empty"
    given.mkdir(parents=True)
    before = tree(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        with OxigraphStore(given, discard_if_failed=True) as store:
            monkeypatch.setattr(views, "refresh", interrupted)
            store.update(f"INSERT DATA {{ <{EX}s> <{EX}p> 1 }}")
    assert tree(tmp_path) == before


def test_a_writers_lock_whose_holder_cannot_be_written_is_let_go(tmp_path, monkeypatch):
    """Taken, the lock's file had no room for the holder's name (no space left): writer_lock raised a bare OSError
    with the flock still held, and the same process could never open the store for writing again."""
    path = tmp_path / "store"
    OxigraphStore(path).close()

    def full(*args):
        raise OSError(28, "No space left on device (a test)")

    monkeypatch.setattr(os, "pwrite", full)
    with pytest.raises(StoreUnavailable, match="a test"):
        OxigraphStore(path)
    monkeypatch.undo()
    OxigraphStore(path).close()  # the lock was let go
