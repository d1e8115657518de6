"""The read views around a write when their folder misbehaves, a reader of the store itself, and a symlinked store."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pyoxigraph
import pytest

from kg.errors import StorageFailure, StoreUnavailable

from kg.store import views
from kg.store.oxigraph import OxigraphStore
from writer_deaths import stopped_at_publish

EX = "http://example.org/sahel/"


def newest(store_path) -> Path:
    folder = views.views_dir(store_path)
    return folder / str(max(int(name) for name in os.listdir(folder) if name.isdigit()))


def test_a_write_stands_and_is_read_when_the_newest_views_note_cannot_be_removed(tmp_path, caplog):
    """Before a write, the newest view's note of what it holds is removed; where that failed (here the note is
    a directory; an unwritable folder fails the same way) the update raised, though it could stand."""
    path = tmp_path / "db"
    with OxigraphStore(path) as store:
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
        note = newest(path).with_suffix(".stamp")
        note.unlink()
        note.mkdir()
        with caplog.at_level(logging.ERROR, logger="kg.store.views"):
            store.update(f"INSERT DATA {{ <{EX}b> <{EX}p> 2 }}")
        with OxigraphStore(path, read_only=True) as reader:
            assert reader.query(f"ASK {{ <{EX}b> <{EX}p> 2 }}") is True
    with OxigraphStore(path, read_only=True) as reader:
        assert reader.count() == 2


def test_a_views_folder_that_refuses_every_change_fails_no_write(tmp_path, monkeypatch, caplog):
    """As a folder without write permission behaves for a user other than root (the tests run as root): every
    change inside it raises. The write stands, the views are moved out of readers' way, and the next write
    publishes again."""
    path = tmp_path / "db"
    with OxigraphStore(path) as store:
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
        folder = str(views.views_dir(path))
        real_unlink, real_open = os.unlink, os.open

        def refused(name, *args, **kwargs):
            raise PermissionError(13, "Permission denied", name)

        def unlink(name, *args, **kwargs):
            return refused(name) if str(name).startswith(folder) else real_unlink(name, *args, **kwargs)

        def open_(name, flags, *args, **kwargs):
            if str(name).startswith(folder) and flags & (os.O_CREAT | os.O_WRONLY | os.O_RDWR):
                refused(name)
            return real_open(name, flags, *args, **kwargs)

        monkeypatch.setattr(os, "unlink", unlink)
        monkeypatch.setattr(os, "open", open_)
        with caplog.at_level(logging.ERROR, logger="kg.store.views"):
            store.update(f"INSERT DATA {{ <{EX}b> <{EX}p> 2 }}")
        monkeypatch.undo()
        assert "moved aside" in caplog.text
        with OxigraphStore(path, read_only=True) as reader:
            assert reader.query(f"ASK {{ <{EX}b> <{EX}p> 2 }}") is True
        store.update(f"INSERT DATA {{ <{EX}c> <{EX}p> 3 }}")  # views again
        assert newest(path).is_dir() and not Path(f"{views.views_dir(path)}.withdrawn").exists()
    with OxigraphStore(path, read_only=True) as reader:
        assert reader.count() == 3


def test_a_writer_opening_a_store_whose_views_were_withdrawn_publishes_again(tmp_path):
    """A held view outlived a failed publish still noted as up to date: the next writer's opening published
    nothing, and new readers read the store itself (racing compactions) until some later write."""
    path = tmp_path / "db"
    with OxigraphStore(path) as store:
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
        reader = OxigraphStore(path, read_only=True)
        blocker = views.views_dir(path) / str(int(newest(path).name) + 1)
        blocker.write_text("in the next view's place")
        store.update(f"INSERT DATA {{ <{EX}b> <{EX}p> 2 }}")
        assert (views.views_dir(path) / views.WITHDRAWN).exists()
    blocker.unlink()
    reader.close()
    with OxigraphStore(path):
        pass
    assert not (views.views_dir(path) / views.WITHDRAWN).exists()
    with OxigraphStore(path, read_only=True) as fresh:
        assert fresh._view_lock is not None and fresh.count() == 2


def linked_store(tmp_path) -> tuple[Path, Path]:
    """A store at tmp_path/"data"/"store", and tmp_path/"db", a symbolic link to it."""
    (tmp_path / "data").mkdir()
    target, link = tmp_path / "data" / "store", tmp_path / "db"
    link.symlink_to(target, target_is_directory=True)
    with OxigraphStore(target) as store:
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 0 }}")
    return target, link


def test_a_bulk_load_through_a_link_loads_into_its_target_and_keeps_the_link(tmp_path):
    """The swap renamed the link itself: its rmtree of the old copy refused a link, or the new store took the
    link's place while the directory it named was left as it was."""
    target, link = linked_store(tmp_path)
    with OxigraphStore(link) as store:
        store.extend((pyoxigraph.Quad(pyoxigraph.NamedNode(f"{EX}s{n}"), pyoxigraph.NamedNode(f"{EX}p"),
                                      pyoxigraph.Literal(n)) for n in range(1, 2001)), large=True)
        assert store.count() == 2001
    assert link.is_symlink() and os.readlink(link) == str(target)
    with OxigraphStore(target, read_only=True) as reader:
        assert reader.count() == 2001
    assert sorted(os.listdir(tmp_path)) == ["data", "db"]  # nothing of the load beside the link


def test_writers_and_readers_through_a_link_and_through_its_target_are_one(tmp_path):
    """The lock, the version stamp and the views were kept beside whichever name was given: a writer by one name
    did not keep out a writer by the other, and a reader by one name missed a write made by the other."""
    target, link = linked_store(tmp_path)
    with OxigraphStore(target) as store:
        with pytest.raises(StoreUnavailable, match="open for writing"):
            OxigraphStore(link)
        with OxigraphStore(link, read_only=True) as reader:
            store.update(f"INSERT DATA {{ <{EX}b> <{EX}p> 1 }}")
            assert reader.reopen_if_changed() and reader.count() == 2
            assert reader._view_lock is not None  # a view, not the store itself


VANISHED = ("IO error: No such file or directory: While open a file for random read: db/000089.sst: "
            "No such file or directory")


class Vanishing:
    """A read-only engine whose first read fails as RocksDB's does when a table file the reader had yet to open
    was removed by the writer's compaction (which no test can time); a read through a reopened engine works."""

    def __init__(self, lazily: bool = False):
        self.lazily = lazily

    def query(self, *args, **kwargs):
        if self.lazily:  # the query starts; its first row needs the file
            return self._rows()
        raise FileNotFoundError(VANISHED)

    def _rows(self):
        raise FileNotFoundError(VANISHED)
        yield

    def __getattr__(self, name):
        raise FileNotFoundError(VANISHED)

    def __len__(self):
        raise FileNotFoundError(VANISHED)


def reader_of_the_store_itself(tmp_path, *, lazily: bool = False) -> tuple[OxigraphStore, OxigraphStore]:
    """A writer whose views are withdrawn, and a reader of the store itself whose table files then vanish."""
    path = tmp_path / "db"
    store = OxigraphStore(path)
    store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
    views.withdraw(path)
    reader = OxigraphStore(path, read_only=True)
    assert reader._view_lock is None
    store.update(f"INSERT DATA {{ <{EX}b> <{EX}p> 2 }}")  # publishes again: the reopened reader takes the view
    reader._store = Vanishing(lazily)
    return store, reader


@pytest.mark.parametrize("read", [lambda reader: reader.count(), lambda reader: len(reader.graphs()),
                                  lambda reader: int(reader.query(f"ASK {{ <{EX}b> ?p ?o }}")),
                                  lambda reader: len(list(reader.query("SELECT * WHERE { ?s ?p ?o }")))],
                         ids=["count", "graphs", "ask", "select"])
def test_a_reader_whose_table_files_vanished_reopens_once_and_reads_on(tmp_path, read):
    """A read-only opening of the store itself (views withdrawn) races the writer's compaction: a table file it
    had yet to open could be gone, and every read through it failed ("IO error: No such file or directory")."""
    store, reader = reader_of_the_store_itself(tmp_path)
    with store, reader:
        assert read(reader) in (1, 2)
        assert reader._view_lock is not None  # reopened on the view the writer published since


def test_a_query_whose_first_row_meets_a_vanished_file_is_run_again(tmp_path):
    store, reader = reader_of_the_store_itself(tmp_path, lazily=True)
    with store, reader:
        assert len(list(reader.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))) == 2


def test_a_read_that_fails_again_after_reopening_is_a_storage_failure(tmp_path, monkeypatch):
    store, reader = reader_of_the_store_itself(tmp_path)
    monkeypatch.setattr(OxigraphStore, "_reopen", lambda self: setattr(self, "_store", Vanishing()))
    with store, reader, pytest.raises(StorageFailure, match="No such file"):
        reader.count()


class HalfBackup:
    """An engine whose checkpoint fails part-way, as on a full disk: some files are made, then ENOSPC."""

    def backup(self, target: str) -> None:
        os.mkdir(target)
        Path(target, "MANIFEST-000005").write_text("half")
        raise OSError(28, "No space left on device", target)


def test_a_publish_that_fails_part_way_leaves_no_half_view_behind(tmp_path, caplog):
    """The half-made checkpoint (staged-N) stayed on the full disk until some later publish removed it."""
    path = tmp_path / "db"
    with OxigraphStore(path) as store:
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
        with caplog.at_level(logging.ERROR, logger="kg.store.views"):
            views.refresh(HalfBackup(), path)
        assert "No space left" in caplog.text
        assert [name for name in os.listdir(views.views_dir(path)) if name.startswith("staged")] == []
        assert (views.views_dir(path) / views.WITHDRAWN).exists()


def test_a_store_moved_away_under_its_writer_fails_its_writes_as_storage_and_closes(tmp_path):
    """Its next writes raised pyoxigraph's bare FileNotFoundError (a traceback over HTTP), and close() raised it
    from its flush before letting go of the lock: the store could not be opened for writing again."""
    path, moved = tmp_path / "db", tmp_path / "moved"
    store = OxigraphStore(path)
    store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
    os.rename(path, moved)
    with pytest.raises(StorageFailure, match="No such file"):
        for number in range(3):  # the first may still land in the write log, the moved store's
            store.update(f"INSERT DATA {{ <{EX}b> <{EX}p> {number} }}")
    store.close()
    os.rename(moved, path)
    with OxigraphStore(path) as again:
        assert again.query(f"ASK {{ <{EX}a> <{EX}p> 1 }}") is True


def test_a_write_interrupted_as_its_view_is_published_reaches_readers(tmp_path):
    """Ctrl-C while `kg update` published its view (after the commit) left the views and the version stamp
    as before the write: readers missed the committed write until some writer opened the store again."""
    path = tmp_path / "db"
    with OxigraphStore(path) as store:
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
        before = store.version()[0]
    stopped = stopped_at_publish(path, "SIGINT", f"INSERT DATA {{ <{EX}b> <{EX}p> 2 }}")
    assert "KeyboardInterrupt" in stopped.stderr, stopped.stderr[-2000:]
    with OxigraphStore(path, read_only=True) as reader:
        assert reader.version()[0] > before
        assert reader.query(f"ASK {{ <{EX}b> <{EX}p> 2 }}") is True


def test_a_write_whose_writer_was_killed_before_its_view_reaches_readers_with_no_writer_after(tmp_path):
    """A writer killed between its commit and its view left the newest view unnoted, and readers read it,
    missing the committed write, until some writer opened the store again (which may never come)."""
    path = tmp_path / "db"
    with OxigraphStore(path) as store:
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
    assert stopped_at_publish(path, "SIGKILL", f"INSERT DATA {{ <{EX}b> <{EX}p> 2 }}").returncode == -9
    with OxigraphStore(path, read_only=True) as reader:
        assert reader.query(f"ASK {{ <{EX}b> <{EX}p> 2 }}") is True
    with OxigraphStore(path, read_only=True) as reader, OxigraphStore(path):  # a writer opening publishes it
        assert reader.query(f"ASK {{ <{EX}b> <{EX}p> 2 }}") is True


def test_a_reader_takes_the_newest_view_while_its_writer_is_between_commit_and_publish(tmp_path, monkeypatch):
    """A live writer publishes its view in a moment: readers meanwhile keep to the views (no race with its
    compactions), reading the store as it was before the write, whose stamp is not yet bumped."""
    path = tmp_path / "db"
    with OxigraphStore(path) as store:
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
        seen = []

        def publish_later(engine, store_path):
            with OxigraphStore(path, read_only=True) as reader:
                seen.append(reader._view_lock is not None)
            views.publish.__wrapped__(engine, store_path)

        publish_later.__wrapped__ = views.publish
        monkeypatch.setattr(views, "publish", publish_later)
        store.update(f"INSERT DATA {{ <{EX}b> <{EX}p> 2 }}")
        assert seen == [True]


def test_a_write_that_changes_nothing_leaves_the_newest_view_noted(tmp_path):
    """An update that changes nothing publishes no view, but its start removed the newest view's note: once its
    writer closed, readers took the view for one lacking a write and read the store itself."""
    path = tmp_path / "db"
    with OxigraphStore(path) as store:
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")  # there already
    with OxigraphStore(path, read_only=True) as reader:
        assert reader._view_lock is not None and reader.count() == 1


def test_a_publish_stopped_before_its_view_showed_leaves_no_checkpoint_for_good(tmp_path, monkeypatch):
    """A checkpoint left by a publish stopped mid-way (a Ctrl-C at its rename, a kill) stayed for good once the views
    it counted from were withdrawn: later publishes removed only staged-N of the number they were about to use."""
    path = tmp_path / "db"
    renaming = os.rename

    def interrupted(source, target):
        if str(source).startswith(str(views.views_dir(path) / "staged-")):
            raise KeyboardInterrupt()
        renaming(source, target)

    with OxigraphStore(path) as store:
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
        monkeypatch.setattr(os, "rename", interrupted)
        with pytest.raises(KeyboardInterrupt):
            store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 2 }}")
        monkeypatch.undo()
        store._store.backup(str(views.views_dir(path) / "staged-9"))  # as a writer killed mid-publish leaves it
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 3 }}")
        assert [name for name in os.listdir(views.views_dir(path)) if name.startswith("staged")] == []
