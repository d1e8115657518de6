"""pyoxigraph's failures told apart: a request's own fault or the storage failing under it, and a read-only
view opened again when a writer's compaction moved files away as it opened or as it read."""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph

from kg.errors import EvaluationError, StorageFailure, StoreError, StoreUnavailable, os_error_words
from kg.store import views

STALE_RETRIES = 6  # opening a read-only view while the writer compacts may meet files just removed
STALE_PAUSE = 0.01  # seconds before the first retry, doubled each time
STORAGE_SIGNS = ("IO error", "Corruption", "No such file")  # in an error: the storage failed, not the request
VANISHED = "No such file"  # a table file removed under a read-only opening of the store itself


def read_only_view(path: str) -> tuple[pyoxigraph.Store, object | None]:
    """A read-only view of the store at `path` and the lock that keeps it (kg.store.views.open_view), tried
    again a few times if the writer moved files away."""
    attempt = 0
    while True:
        try:
            return views.open_view(Path(path))
        except (OSError, RuntimeError) as error:
            if attempt == STALE_RETRIES or not any(sign in str(error) for sign in STORAGE_SIGNS):
                raise
        time.sleep(STALE_PAUSE * 2 ** attempt)
        attempt += 1


def read_again(read, reopen):
    """`read()`; where a file it needed had vanished (a read-only opening of the store itself, while the writer
    compacts; views withdrawn), `reopen()` the handle and read once more. A second such failure: StorageFailure."""
    try:
        return read()
    except (OSError, RuntimeError) as error:
        if VANISHED not in str(error):
            raise
    reopen()
    try:
        return read()
    except (OSError, RuntimeError) as error:
        if any(sign in str(error) for sign in STORAGE_SIGNS):
            raise StorageFailure(str(error)) from None
        raise


def evaluated(rows, again=None):
    """The rows of a lazy result, with errors met while reading them as the library's errors. Where the first row
    met a vanished file (see read_again), the rows of `again()` (the query reopened and run anew) instead."""
    started = False
    try:
        for row in rows:
            started = True
            yield row
        return
    except (OSError, RuntimeError) as error:
        if started or again is None or VANISHED not in str(error):
            raise evaluation_error(error) from None
    try:
        rows = again()
    except (OSError, RuntimeError) as error:
        raise evaluation_error(error) from None
    yield from evaluated(rows)


def evaluation_error(error: RuntimeError | OSError) -> StoreError:
    """The request's own fault (EvaluationError), or the storage failing under it (StorageFailure)."""
    if isinstance(error, StoreError):  # told apart already
        return error
    if isinstance(error, OSError) or any(sign in str(error) for sign in STORAGE_SIGNS):
        return StorageFailure(str(error))
    return EvaluationError(str(error))


def opening_error(path: str, error: Exception, *, writer: bool = False) -> StoreError | StoreUnavailable:
    """Why the store at `path` did not open (for a `writer`, or a reader): the system refused (StoreUnavailable), or
    its files are damaged or are no store's (StorageFailure; pyoxigraph raised a bare RuntimeError, a traceback)."""
    if isinstance(error, OSError):
        refused = writer and "Permission denied" in str(error)  # RocksDB's words, with no errno: its files or folder read-only
        return StoreUnavailable(f"cannot open the store at {path}: {os_error_words(error)}"
                                + ("; a writer needs its directory and files writable (readers, such as kg query, "
                                   "do not)" if refused else ""))
    return StorageFailure(f"cannot open the store at {path}: {error}; its files are damaged, or are not a store's")
