"""Published read views of an on-disk store, so that readers never open files the writer may remove.

RocksDB leaves a read-only opening of a store that another process writes undefined: a view opened just
after the writer flushed could miss table files that compaction removed, and a sorted query over it then
gathered engine errors until its memory cap. So after each write the writer publishes a checkpoint
(`pyoxigraph.Store.backup`: hard links to the table files; tens of ms, mostly its flush of the write log) beside the store, like its lock and
stamp: `.<name>.views/<number>/`. A reader opens the newest one and holds a shared flock on its
`<number>.lock` while it reads; the writer removes an older view only when it can lock it exclusively.
Readers never wait: a view being removed is skipped for the next newest.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import shutil
from pathlib import Path

import pyoxigraph

from kg.store import siblings, stamp

log = logging.getLogger(__name__)
TRIES = 20  # views chosen in turn by a reader while the writer publishes and removes them
WITHDRAWN = "withdrawn"  # in the views' folder: the last write has no view; read the store itself
WRITER = "writer"  # in the views' folder: locked by the store's writer as long as it is open


def views_dir(store: Path) -> Path:
    return siblings.beside(store, "views")


def _numbers(folder: Path) -> list[int]:
    try:
        return sorted(int(entry.name) for entry in os.scandir(folder)
                      if entry.name.isascii() and entry.name.isdigit() and entry.is_dir())  # not "²"
    except OSError:  # none there, or none that can be read: readers read the store itself
        return []


def same_file_system(folder: Path, store: Path) -> bool:
    """Whether a view in `folder` can link the table files of `store` (False for a store that is a mount point)."""
    return os.stat(folder).st_dev == os.stat(store).st_dev


def refresh(engine: pyoxigraph.Store | None, store: Path) -> None:
    """After a write, before its stamp: publish a view of what the writer's `engine` holds (None: the handle
    was lost, as when a bulk load's swap failed). Where that fails the write still stands: the views are
    withdrawn, so that readers open the store itself (as kg did before views), and the log says so."""
    try:
        if engine is None:
            raise OSError("the writer's handle was lost")
        publish(engine, store)
    except (OSError, RuntimeError) as error:
        # str(error): a log record keeping the error keeps its frames, and with them the writer's engine open
        log.error("no read view could be published after a write (%s): readers open the store itself", str(error))
        withdraw(store)
    except BaseException:  # Ctrl-C: the write is committed, and this process may not write again to publish it
        withdraw(store)
        raise


def invalidate(store: Path) -> None:
    """Before a write: forget what the newest view holds, so that a writer opening the store after this one
    died between its commit and its publish publishes anew (see refresh_if_behind)."""
    numbers = _numbers(views_dir(store))
    try:
        if numbers:
            (views_dir(store) / f"{numbers[-1]}.stamp").unlink(missing_ok=True)
    except OSError as error:  # the write may still go ahead, but not past a view claiming to be up to date
        log.error("the newest read view could not be marked as behind (%s): withdrawing the views", str(error))
        withdraw(store)


def hold_writer(store: Path) -> int | None:
    """At a writer's opening: lock the views' WRITER file until it closes (closing the descriptor lets go), so
    that readers tell a writer about to publish from one that died before it could. None where it cannot."""
    try:
        views_dir(store).mkdir(exist_ok=True)
        handle = os.open(views_dir(store) / WRITER, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return None
    for _ in range(TRIES):  # only readers' brief looks (_writer_alive) hold it; never wait on them
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            os.sched_yield()
        except OSError:
            break
    os.close(handle)  # unheld, readers take this writer for dead mid-write and read the store itself: safe
    return None


def _writer_alive(folder: Path) -> bool:
    try:
        handle = os.open(folder / WRITER, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except OSError:  # held (or no locks here: taken as alive, so the views are read as before)
        return True
    finally:
        os.close(handle)


def _held(store: Path) -> str | None:
    """What a view notes it holds: the store's version and RocksDB's id of the store (its IDENTITY file; a
    store deleted and made anew beside the old stamp is another store, though its inode may be the same)."""
    found = stamp.read(store)
    return None if found is None else f"{found[0]} {(store / 'IDENTITY').read_text().strip()}"


def record(store: Path) -> None:
    """After the stamp: note what the newest view holds (see refresh_if_behind)."""
    numbers = _numbers(views_dir(store))
    try:
        held = _held(store)
        if held is not None and numbers:
            (views_dir(store) / f"{numbers[-1]}.stamp").write_text(held)
    except OSError:  # only costs the next writer's opening a publish
        pass


def refresh_if_behind(engine: pyoxigraph.Store, store: Path) -> None:
    """At a writer's opening: publish a view unless the newest one notes it holds the store as it is."""
    numbers = _numbers(views_dir(store))
    try:
        noted = (views_dir(store) / f"{numbers[-1]}.stamp").read_text() if numbers else None
    except OSError:
        noted = None
    try:
        held = _held(store)
    except OSError:  # no IDENTITY file: publish
        held = None
    if noted is None or noted != held or (views_dir(store) / WITHDRAWN).exists():
        refresh(engine, store)
        record(store)
    else:
        prune(store)


def publish(engine: pyoxigraph.Store, store: Path) -> None:
    """Publish a view of what the writer's `engine` holds now, then remove older views no reader holds.

    Raises OSError or RuntimeError (the engine's) if the view cannot be made, or would be a copy of the store
    rather than links to its files (the views' folder on another file system, as beside a mount point).
    """
    folder = views_dir(store)
    folder.mkdir(exist_ok=True)
    if not same_file_system(folder, store):
        raise OSError(errno.EXDEV, "the store is on another file system than the folder beside it; a view "
                                   "would copy the whole store at each write")
    older = _numbers(folder)
    number = older[-1] + 1 if older else 1
    for leftover in folder.glob("staged-*"):  # a writer stopped mid-publish (a kill) left it under any number
        _remove_staged(leftover)
    staged = folder / f"staged-{number}"
    try:  # a checkpoint left (a full disk, Ctrl-C) would hold the space of old table files
        engine.backup(str(staged))
        (folder / f"{number}.lock").touch()  # before the view shows: a reader that finds it finds its lock
        os.rename(staged, folder / str(number))
    except BaseException:
        _remove_staged(staged)
        raise
    (folder / WITHDRAWN).unlink(missing_ok=True)
    prune(store)
    _clear_aside(folder.with_name(folder.name + ".withdrawn"))


def _clear_aside(aside: Path) -> None:
    """Remove the views moved aside that no reader holds (their links keep old table files on disk)."""
    if not aside.is_dir() or aside.is_symlink():
        return
    for number in _numbers(aside):
        _remove_unless_read(aside, number)
    if not _numbers(aside):
        shutil.rmtree(aside, ignore_errors=True)


def _remove_staged(staged: Path) -> None:
    if staged.is_dir() and not staged.is_symlink():
        shutil.rmtree(staged, ignore_errors=True)
    else:
        staged.unlink(missing_ok=True)


def prune(store: Path) -> None:
    """Remove the views older than the newest that no reader holds (a held one stays for a later prune)."""
    folder = views_dir(store)
    for old in _numbers(folder)[:-1]:
        _remove_unless_read(folder, old)


def withdraw(store: Path) -> None:
    """Tell readers to open the store itself (a marker in the views' folder) and remove the views none holds;
    a held view stays, whole, for its reader. Whatever stands in the folder's place is removed."""
    folder = views_dir(store)
    try:
        if folder.is_dir() and not folder.is_symlink():
            (folder / WITHDRAWN).touch()
            for number in _numbers(folder)[-1:]:  # a held view stays, but no longer claims to be up to date
                (folder / f"{number}.stamp").unlink(missing_ok=True)
            prune(store)
            for number in _numbers(folder)[-1:]:
                _remove_unless_read(folder, number)
        elif folder.is_symlink() or folder.exists():
            folder.unlink()
    except OSError as error:
        _move_aside(folder, error)


def _move_aside(folder: Path, error: OSError) -> None:
    """Last resort where the folder refuses the marker: rename it (in the store's parent) out of readers' way.
    A reader holding a view in it may then fail a read, and reopens (kg.store.engine_faults)."""
    aside = folder.with_name(folder.name + ".withdrawn")
    try:
        _clear_aside(aside)
        os.rename(folder, aside)
        log.error("the store's read views could not be withdrawn in place (%s): moved aside to %s", str(error), aside)
    except OSError as second:
        log.error("the store's read views could not be withdrawn (%s; %s): readers may miss the last write",
                  str(error), str(second))


def _remove_unless_read(folder: Path, number: int) -> None:
    lock = folder / f"{number}.lock"
    try:
        handle = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        log.warning("an old view of the store could not be removed: %s", str(error))
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # a reader holds it: a later write removes it
        os.close(handle)
        return
    except OSError as error:  # no locks on this file system: a view that may be read is kept
        os.close(handle)
        log.warning("an old view of the store could not be locked for removal: %s", str(error))
        return
    try:  # the lock file goes last: a reader that opened it finds it unlinked and takes another view
        shutil.rmtree(folder / str(number), ignore_errors=True)
        for leftover in (folder / f"{number}.stamp", lock):
            leftover.unlink(missing_ok=True)
    except OSError as error:  # the next prune tries again
        log.warning("an old view of the store could not be removed: %s", str(error))
    finally:
        os.close(handle)


def open_view(store: Path) -> tuple[pyoxigraph.Store, object | None]:
    """The newest published view, read-only, and the open lock file that keeps it (close it, or drop it, when
    done); (the store itself opened read-only, None) where no view was published.

    Raises what pyoxigraph.Store.read_only raises (OSError, RuntimeError).
    """
    folder = views_dir(store)
    # Views outlive a store moved away or deleted by hand: without it, the read fails as it would without views.
    withdrawn = (folder / WITHDRAWN).exists()
    for _ in range(TRIES if store.is_dir() and not withdrawn else 0):
        numbers = _numbers(folder)
        if not numbers:
            break
        try:
            lock = open(folder / f"{numbers[-1]}.lock", "rb")
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:  # the writer is removing it, so a newer view exists
            lock.close()
            continue
        if os.fstat(lock.fileno()).st_nlink == 0:
            lock.close()
            continue
        if not (folder / f"{numbers[-1]}.stamp").exists() and not _writer_alive(folder):
            lock.close()  # its writer died between its commit and its view: only the store has that write
            break
        try:
            return pyoxigraph.Store.read_only(str(folder / str(numbers[-1]))), lock
        except BaseException:
            lock.close()
            raise
    else:
        if store.is_dir() and not withdrawn:
            log.warning("no read view of %s could be taken in %d tries: reading the store itself", store, TRIES)
    return pyoxigraph.Store.read_only(str(store)), None
