"""Results of whole-dataset queries made in a request (the home page's bounded lists, the editor's completions),
computed once per dataset version; counts, which may take longer than a request, are api.background_counts'.

On a large store such a query costs up to a second or so; a page that ran it on every request would let any
visitor make the server do that work again and again. A query that
ran out of time is remembered too, for FAILURE_SECONDS, then tried again (the machine may have been busy).
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from flask import current_app

from api.ops import request_deadline
from kg.errors import QueryTimeout

FAILURE_SECONDS = 60.0


def once_per_version(name: str, compute: Callable[[], Any]) -> Any:
    """compute()'s value for the dataset's version now, computed at most once per version (every time
    for a remote store, whose version is unknown). Raises what compute() raises."""
    version = current_app.extensions["sahel-kg"].version()
    if version is None:
        return compute()
    cache = current_app.extensions.setdefault("sahel-kg-per-version", {})
    # One computation at a time; the others wait for its value, but no longer than their own time limit (from
    # their arrival): a computation that failed otherwise than by its time limit is not kept, and each waiter
    # in turn then ran its own, the last waiting for all of them.
    limit, deadline = current_app.config["QUERY_TIMEOUT"], request_deadline()
    lock = _lock(current_app.extensions, name)
    if not lock.acquire(timeout=max(0.0, deadline - time.monotonic()) if deadline is not None else -1):
        raise QueryTimeout(f"{name} was still being computed for another request at the end of this one's time "
                           f"limit of {limit:g}s", waited=True)
    try:
        entry = cache.get(name)  # (version number, value, monotonic time it failed or None)
        if entry is not None and entry[0] == version.number:
            if entry[2] is None:
                return entry[1]
            if time.monotonic() - entry[2] < FAILURE_SECONDS:
                raise QueryTimeout(str(entry[1]))
        try:
            value = compute()
        except QueryTimeout as error:
            if not error.waited:  # one that waited for a worker says nothing of the computation: not kept
                cache[name] = (version.number, error, time.monotonic())
            raise
        cache[name] = (version.number, value, None)  # keyed by version: a request racing a write keeps nothing old
        return value
    finally:
        lock.release()


_LOCKS_LOCK = threading.Lock()


def _lock(extensions: dict, name: str) -> threading.RLock:
    """The lock of `name`'s computation in this app: visitors arriving together would each start it."""
    with _LOCKS_LOCK:
        return extensions.setdefault("sahel-kg-per-version-locks", {}).setdefault(name, threading.RLock())
