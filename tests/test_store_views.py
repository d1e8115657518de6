"""The read views an embedded store's writer publishes for readers in other processes (kg.store.views)."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from kg.errors import StoreUnavailable
from kg.store import view_reading, views
from kg.store.oxigraph import OxigraphStore
from kg.store.store_files import write_log
from writer_deaths import stopped_at_publish

EX = "http://example.org/sahel/"


def published(store_path) -> list[int]:
    return sorted(int(name) for name in os.listdir(views.views_dir(store_path)) if name.isdigit())


def test_a_reader_told_of_a_write_just_flushed_reads_it_whole(tmp_path):
    """A reader reopening right after the writer's handle flushed (as RocksDB does when a memtable fills, and
    kg did past 16 MiB of write log) read the store's own files while compaction removed some: the sorted
    query below then gathered engine errors until its memory ran out (bad_alloc, or the worker's cap) within a
    few rounds. Run apart, its memory capped."""
    script = textwrap.dedent(f"""
        import pathlib, resource, sys
        from kg.namespaces import PREFIXES
        from kg.publish import ensure_installed
        from kg.store.oxigraph import OxigraphStore
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
        query = "".join(f"PREFIX {{k}}: <{{v}}>\\n" for k, v in PREFIXES.items()) + \\
            pathlib.Path("ontology/queries/analyst-arguments.rq").read_text()
        path = {str(tmp_path / "store")!r}
        store = OxigraphStore(path)
        ensure_installed(store)
        reader = OxigraphStore(path, read_only=True)
        for round_ in range(30):
            graph = f"http://load.example/{{round_ % 5}}"
            store.update(f"DELETE WHERE {{{{ GRAPH <{{graph}}> {{{{ ?s ?p ?o }}}} }}}} ;"
                         f"INSERT DATA {{{{ GRAPH <{{graph}}> {{{{ <{{graph}}#s> <{{graph}}#p> {{round_}} }}}} }}}}")
            store._store.flush()
            assert reader.reopen_if_changed()
            rows = sum(1 for _ in reader.query(query))
            assert reader.count() == store.count(), (round_, reader.count(), store.count())
        print("read whole", rows)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert done.returncode == 0 and "read whole" in done.stdout, done.stderr[-2000:]


def test_a_view_is_kept_while_a_reader_holds_it_and_removed_after(tmp_path):
    path = tmp_path / "db"
    with OxigraphStore(path) as store:
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
        reader = OxigraphStore(path, read_only=True)
        held = published(path)[-1]
        for number in range(3):
            store.update(f"INSERT DATA {{ <{EX}b> <{EX}p> {number} }}")
        assert published(path) == sorted([held, published(path)[-1]])
        assert reader.query(f"ASK {{ <{EX}b> ?p ?o }}") is False  # the view it opened, whole
        reader.close()
        store.update(f"INSERT DATA {{ <{EX}c> <{EX}p> 1 }}")
        assert held not in published(path) and len(published(path)) == 1


def test_a_reopened_reader_keeps_the_view_it_left_until_its_next_reopen(tmp_path):
    """Another thread of the reader's process may still be reading the view a reopen replaced."""
    path = tmp_path / "db"
    with OxigraphStore(path) as store, OxigraphStore(path, read_only=True) as reader:
        first = published(path)[-1]
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
        assert reader.reopen_if_changed()
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 2 }}")
        assert first in published(path)
        assert reader.reopen_if_changed()
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 3 }}")
        assert first not in published(path) and len(published(path)) == 3


def test_a_view_holds_no_long_write_log_to_replay(tmp_path):
    """A read-only opening replays the write log it finds (seconds after a big write): a view has none left."""
    triples = " ".join(f"<{EX}s{n}> <{EX}p> 'value {n}' ." for n in range(25_000))  # about 21 MiB of log
    with OxigraphStore(tmp_path / "db") as store:
        store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ {triples} }} }}")
        newest = views.views_dir(tmp_path / "db") / str(published(tmp_path / "db")[-1])
        assert write_log(newest)[1] < 1 << 20
        with OxigraphStore(tmp_path / "db", read_only=True) as reader:
            assert reader.count() == 25_000


def test_a_writer_opening_an_up_to_date_store_publishes_nothing_new(tmp_path):
    with OxigraphStore(tmp_path / "db") as store:
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
    before = published(tmp_path / "db")
    with OxigraphStore(tmp_path / "db"):
        pass
    assert published(tmp_path / "db") == before


def test_a_view_that_cannot_be_published_leaves_readers_the_store_itself(tmp_path, caplog):
    """The write stands and readers see it (reading the store directly), the log says why; the next write
    publishes again."""
    path = tmp_path / "db"
    with OxigraphStore(path) as store:
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
        shutil.rmtree(views.views_dir(path))
        views.views_dir(path).write_text("in the way")  # a file where the views' folder goes
        with caplog.at_level(logging.ERROR, logger="kg.store.views"):
            store.update(f"INSERT DATA {{ <{EX}b> <{EX}p> 2 }}")
        assert "no read view could be published" in caplog.text
        assert not views.views_dir(path).exists()
        with OxigraphStore(path, read_only=True) as reader:
            assert reader.query(f"ASK {{ <{EX}b> <{EX}p> 2 }}") is True
        store.update(f"INSERT DATA {{ <{EX}c> <{EX}p> 3 }}")
        with OxigraphStore(path, read_only=True) as reader:
            assert reader.count() == 3 and len(published(path)) == 1


def test_a_store_deleted_and_made_anew_is_not_read_through_the_old_ones_view(tmp_path):
    """The stamp and views beside a store outlive an `rm -r` of its directory: a writer opening the new store
    at the same path must publish its own view, not take the old one as up to date."""
    path = tmp_path / "db"
    with OxigraphStore(path) as store:
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
    shutil.rmtree(path)
    with OxigraphStore(path):
        pass
    with OxigraphStore(path, read_only=True) as reader:
        assert reader.count() == 0


def test_stray_names_beside_the_views_neither_break_nor_mislead_a_reader(tmp_path):
    path = tmp_path / "db"
    with OxigraphStore(path) as store:
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
        (views.views_dir(path) / "\u00b2").mkdir()  # str.isdigit takes it; int() does not
        with OxigraphStore(path, read_only=True) as reader:
            assert reader.count() == 1
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 2 }}")
    shutil.rmtree(views.views_dir(path))
    views.views_dir(path).write_text("not a folder")
    with OxigraphStore(path, read_only=True) as reader:
        assert reader.count() == 2


def test_a_view_a_reader_holds_stays_whole_when_the_next_cannot_be_published(tmp_path, caplog):
    """Withdrawing the views after a failed publish removed them all, the one a reader held too: it then failed
    on its next query (its table files gone). Now it reads on; new readers read the store itself."""
    path = tmp_path / "db"
    with OxigraphStore(path) as store:
        for number in range(40):  # each a table file of its own, which a reader opens when it first reads it
            store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> {number} }}")
        reader = OxigraphStore(path, read_only=True)
        (views.views_dir(path) / str(published(path)[-1] + 1)).write_text("in the next view's place")
        with caplog.at_level(logging.ERROR, logger="kg.store.views"):
            store.update(f"INSERT DATA {{ <{EX}b> <{EX}p> 2 }}")
        assert "no read view could be published" in caplog.text
        assert reader.count() == 40 and reader.query(f"ASK {{ <{EX}a> ?p 39 }}") is True
    # A reader of the store itself races the writer's compaction (the hazard views exist for), so a new
    # reader is checked once the writer has closed.
    with OxigraphStore(path, read_only=True) as fresh:
        assert fresh.count() == 41
    reader.close()


def test_a_write_whose_writer_died_before_its_view_reaches_readers(tmp_path):
    """A writer killed between its commit and its view left the newest view noted as up to date: the next
    writer published none, and readers missed the committed write until some later one. The writer here
    dies as its publish starts."""
    path = tmp_path / "db"
    with OxigraphStore(path) as store:
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
    assert stopped_at_publish(path, "SIGKILL", f"INSERT DATA {{ <{EX}b> <{EX}p> 2 }}").returncode == -9
    with OxigraphStore(path):
        pass
    with OxigraphStore(path, read_only=True) as reader:
        assert reader.query(f"ASK {{ <{EX}b> <{EX}p> 2 }}") is True


def test_a_store_on_another_file_system_than_its_views_is_read_directly(tmp_path, monkeypatch, caplog):
    """A checkpoint links the store's files only on the same file system; elsewhere (a store that is a mount
    point: the folder beside it is on the disk above) each view was a whole copy of the store, at every write."""
    monkeypatch.setattr(views, "same_file_system", lambda folder, store: False)  # no mount in a test
    with caplog.at_level(logging.ERROR, logger="kg.store.views"), OxigraphStore(tmp_path / "db") as store:
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
        with OxigraphStore(tmp_path / "db", read_only=True) as reader:
            assert reader.count() == 1
    assert "another file system" in caplog.text
    assert not any(name.isdigit() for name in os.listdir(views.views_dir(tmp_path / "db")))


def test_a_store_linked_from_another_file_system_has_its_views_beside_its_directory(tmp_path):
    """The views sit beside the directory a link names, on its file system, so they link its files."""
    elsewhere = Path(tempfile.mkdtemp(dir="/dev/shm"))  # tmpfs: another file system than tmp_path's
    try:
        assert os.stat(elsewhere).st_dev != os.stat(tmp_path).st_dev
        (elsewhere / "db").mkdir()
        (tmp_path / "db").symlink_to(elsewhere / "db", target_is_directory=True)
        with OxigraphStore(tmp_path / "db") as store:
            store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
            with OxigraphStore(tmp_path / "db", read_only=True) as reader:
                assert reader.count() == 1 and reader._view_lock is not None
        assert sorted(os.listdir(tmp_path)) == ["db"]
        assert views.views_dir(tmp_path / "db") == elsewhere / ".db.views"
    finally:
        shutil.rmtree(elsewhere)


def test_a_reopen_that_fails_leaves_the_reader_holding_its_views(tmp_path, monkeypatch):
    """A reopen that failed once (the store away for a moment) must not let a later one drop the view still read."""
    path = tmp_path / "db"
    with OxigraphStore(path) as store, OxigraphStore(path, read_only=True) as reader:
        first = published(path)[-1]
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")

        def refused(path):
            raise OSError(errno.EIO, "cannot open (a test)")

        with monkeypatch.context() as patched:
            patched.setattr(view_reading, "read_only_view", refused)
            with pytest.raises(OSError, match="a test"):
                reader.reopen_if_changed()
        assert reader.query(f"ASK {{ <{EX}a> ?p ?o }}") is False  # still the view it opened, whole
        assert reader.reopen_if_changed()
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 2 }}")
        assert first in published(path)  # left by this reopen: another thread may be reading it still


def test_a_copy_in_memory_that_fails_lets_go_of_the_view_it_read(tmp_path, monkeypatch):
    path = tmp_path / "db"
    OxigraphStore(path).close()
    held = []

    class Unreadable:
        """The view's engine, whose reading for the copy fails (as out of memory)."""

        def __init__(self, engine):
            self.engine = engine

        def __getattr__(self, name):
            return getattr(self.engine, name)

        def quads_for_pattern(self, *pattern):
            if pattern == (None, None, None, None):  # the copy's reading of everything
                raise MemoryError()
            return self.engine.quads_for_pattern(*pattern)

    def opened(store_path):
        engine, lock = views.open_view(Path(store_path))
        held.append(lock)
        return Unreadable(engine), lock

    monkeypatch.setattr("kg.store.oxigraph.read_only_view", opened)
    with pytest.raises(MemoryError):
        OxigraphStore.memory_copy(path)
    assert held[0] is not None and held[0].closed


@pytest.mark.parametrize("reopen", ["reopen_if_changed", "_reopen"])
def test_a_closed_reader_does_not_reopen_itself(tmp_path, reopen):
    """reopen_if_changed took a closed handle (no engine) for one whose view was let go and opened the newest view,
    whose lock no close() would then let go of: the writer could never remove that view. It is now refused."""
    path = tmp_path / "db"
    with OxigraphStore(path) as store:
        reader = OxigraphStore(path, read_only=True)
        reader.close()
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
        newest = published(path)[-1]
        with pytest.raises(StoreUnavailable, match="not open in this handle"):
            getattr(reader, reopen)()
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 2 }}")
        assert newest not in published(path)
