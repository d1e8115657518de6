"""All-or-nothing bulk loads for an on-disk store: load a copy, then swap it in.

RocksDB transactions grow costly and memory-hungry with their size, and pyoxigraph's bulk loader is
fast but commits in pieces. So a large load goes to a checkpoint of the store (hard links, instant),
through the bulk loader, and is compacted; a marker file is the commit point; then the copy replaces the store.
A process killed before the marker leaves the store as it was; one killed after it leaves a swap that
the next opening finishes. Sibling paths of STORE: .STORE.staging, .STORE.committed, .STORE.old (for a STORE
that is a symbolic link, these and the copy's swap are the directory's it names: the link stays).
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable
from itertools import islice
from pathlib import Path

import pyoxigraph

from kg.errors import StoreUnavailable
from kg.store import siblings

log = logging.getLogger(__name__)


def sibling(path: Path, role: str) -> Path:
    return siblings.beside(path, role)


def recover(path: Path) -> bool:
    """Finish a committed swap, or throw away an unfinished load, left by a process that died. True where a load
    was committed (its swap finished now or before): the caller tells readers of it, then calls told(path); the
    marker stays until then, so that a death between the two leaves the telling to the next opening."""
    path = siblings.real(path)
    staging, committed, old = sibling(path, "staging"), sibling(path, "committed"), sibling(path, "old")
    swapped = committed.exists()
    if swapped and staging.exists():
        if path.exists():
            _remove(old)
            path.rename(old)
        staging.rename(path)
        _sync_directory(path.parent)
    _remove(staging)
    _remove(old)
    return swapped


def told(path: Path) -> None:
    """After readers were told of a load that recover() found committed: its commit marker goes."""
    committed = sibling(siblings.real(path), "committed")
    committed.unlink(missing_ok=True)
    _sync_directory(committed.parent)


def load_copy(store: pyoxigraph.Store, path: Path, quads: Iterable[pyoxigraph.Quad], *, first: str | None = None,
              chunk: int | None = None) -> None:
    """Bulk-load a checkpoint of `store` (open read-write at `path`) with `quads`, up to the commit point.

    `first`: an update the copy runs before the load; `chunk`: quads a bulk call at most (its memory). The caller
    then closes its handle and calls recover(path) to swap the copy in. An error raised while iterating
    `quads` leaves the store untouched.
    """
    path = siblings.real(path)
    staging, committed = sibling(path, "staging"), sibling(path, "committed")
    _remove(staging)
    copy = None
    try:
        _copy(store, staging)  # within the try: a Ctrl-C while it copies left the half copy behind
        copy = pyoxigraph.Store(str(staging))
        if first is not None:
            copy.update(first)
        if chunk is None:
            copy.bulk_extend(quads)
        else:
            quads = iter(quads)
            while part := list(islice(quads, chunk)):
                copy.bulk_extend(part)
        # The bulk loader leaves overlapping files (34 for 1M quads and their merge): until RocksDB compacts
        # them, heavy queries cost 43-50% more CPU. Compacting costs about 3.6 CPU s per 1M quads, once.
        copy.optimize()
        copy.flush()
        copy = None  # RocksDB closes when the last reference goes
        _sync_tree(staging)
    except BaseException:
        # Closed first: an open copy may still be writing files (a flush, a compaction) while they are removed,
        # and rmtree then failed with "Directory not empty", in place of the load's own error (helper-48). The
        # store's reference goes too: the traceback keeps this frame, and a store a failed first load discarded,
        # open through it, wrote its CURRENT and MANIFEST back into the emptied directory as it closed.
        copy = store = None
        try:
            _remove(staging)
        except OSError as error:  # left for the next writer, which removes it first (above)
            # str(): the error's traceback holds the frames, and with them the open store, as long as the record
            log.warning("could not remove the staging copy %s: %s", staging, str(error))
        raise
    committed.touch()  # the commit point: from here on the copy wins, even after a crash
    _sync_directory(path.parent)


def _copy(store: pyoxigraph.Store, staging: Path) -> None:
    """The checkpoint a bulk load writes into; StoreUnavailable, in words, where the folder beside the store refuses it
    (the engine's words name a `.tmp` folder and no remedy)."""
    try:
        store.backup(str(staging))
    except (OSError, RuntimeError) as error:  # RocksDB's IO errors are OSErrors, its others RuntimeErrors
        raise StoreUnavailable(f"cannot make the copy of the store that a large write goes through, at {staging} "
                               f"({error}): the folder {staging.parent} must be writable; nothing was written") from None


def _remove(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)


def _sync_tree(directory: Path) -> None:
    for entry in directory.iterdir():
        if entry.is_file():
            with open(entry, "rb") as handle:
                os.fsync(handle.fileno())
    _sync_directory(directory)


def _sync_directory(directory: Path) -> None:
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
