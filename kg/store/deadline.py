"""Time limits for embedded queries, which pyoxigraph cannot cancel by itself.

What we found (pyoxigraph 0.5): evaluation releases the GIL. Streaming queries (joins, filters) do their
work lazily, one row per `next()`; aggregates, ORDER BY and GROUP BY do all of it in one Rust call (in
`Store.query` or the first `next()`) that nothing can interrupt.

So a limited query runs in a helper thread that hands rows over in batches:
- the caller gets QueryTimeout as soon as the limit passes, whatever the engine is doing;
- streaming work stops at the next row, since the helper checks a stop flag between rows;
- a blocking step already started runs on in the helper thread until it ends, then its result is dropped.
A hard bound on CPU therefore needs a worker process that can be killed (the HTTP layer's job).

Work a flag between rows cannot reach (a remote engine's answer awaited on a socket, a nested helper's queue)
registers with the helper's Stop (STOPPING, set in the helper thread), which calls it when the query stops.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from kg.errors import QueryTimeout

log = logging.getLogger(__name__)
BATCH_ROWS = 512  # rows per hand-over: fewer queue operations per row, little extra latency
BATCH_SECONDS = 0.05  # but never keep rows back longer than this
_DONE = object()


class Stop:
    """A query's stop signal: a flag, and what to call once it is set (to hang up work it cannot reach)."""

    def __init__(self):
        self._set, self._lock, self._hooks = False, threading.Lock(), []

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        with self._lock:
            if self._set:
                return
            self._set, hooks, self._hooks = True, self._hooks, []
        for hook in hooks:
            try:
                hook()
            except Exception:  # the others must still run: each hangs up work nothing else can stop
                log.exception("a query's stop hook failed")

    def on_stop(self, hook: Callable[[], None]) -> Callable[[], None]:
        """Call `hook()` once this is set (now, if it is); returns what unregisters it."""
        with self._lock:
            if not self._set:
                self._hooks.append(hook)
                return lambda: self._forget(hook)
        hook()
        return lambda: None

    def _forget(self, hook) -> None:
        with self._lock:
            if hook in self._hooks:
                self._hooks.remove(hook)


# The Stop of the helper thread this code runs in, if any (a new thread starts with none).
STOPPING: ContextVar[Stop | None] = ContextVar("sahel_kg_stopping", default=None)


class Stopped(Exception):
    """Raised to a helper reading another helper's rows when the outer query stopped the inner one."""


def limited(start: Callable[[], tuple[object, Iterator]], seconds: float | None) -> tuple[object, Iterator]:
    """Run `start()` -> (head, rows) and the reading of `rows` in a helper thread, within `seconds` in all.

    Returns the head and an iterator over the rows that raises QueryTimeout once time is up; closing
    or dropping that iterator stops the helper at its next row. With `seconds` None there is no limit,
    but the caller's thread still only waits on a queue, so a KeyboardInterrupt there (Ctrl-C) is raised
    at once, whatever the engine is doing, and stops the helper too.
    """
    deadline = None if seconds is None else time.monotonic() + seconds
    handover: queue.Queue = queue.Queue(maxsize=8)  # bounded: the helper never runs far ahead
    stop = Stop()
    # Called in another helper (a console reading a store's rows): when that one stops, so does this one,
    # and a read of this one's queue waiting in that helper's thread wakes (a full queue wakes it anyway).
    unlink = outer.on_stop(stop.set) if (outer := STOPPING.get()) is not None else None
    stop.on_stop(lambda: _offer(handover, ("stopped", None)))

    def send(item) -> bool:
        while not stop.is_set():
            try:
                handover.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def helper():
        STOPPING.set(stop)
        rows, batch = None, []
        try:
            head, rows = start()
            if not send(("head", head)):
                return
            del head  # the caller's now: kept here, it could keep the rows (a console's Started holds them) alive
            batch, flushed = [], time.monotonic()
            for row in rows:
                if stop.is_set():
                    return
                batch.append(row)
                if len(batch) >= BATCH_ROWS or time.monotonic() - flushed > BATCH_SECONDS:
                    if not send(("rows", batch)):
                        return
                    batch, flushed = [], time.monotonic()
            send(("rows", batch))
            send(("end", _DONE))
        except BaseException as error:  # handed to the caller, who raises it after the rows read before it
            if batch and not send(("rows", batch)):
                return
            send(("error", error))
        finally:
            close = getattr(rows, "close", None)
            if close is not None:  # rows from another helper: stop it now, not when they are collected
                close()
            if unlink is not None:
                unlink()


    def receive():
        try:
            kind, value = _taken(handover, deadline)
        except queue.Empty:
            stop.set()
            raise QueryTimeout.stopped(seconds) from None
        except BaseException:  # KeyboardInterrupt while waiting: the caller gives up
            stop.set()
            raise
        if kind == "error":
            stop.set()
            raise value
        if kind == "stopped" or stop.is_set():
            raise Stopped("the query was stopped")
        return kind, value

    def rows_of_helper():
        try:
            yield None  # taken at once below: a generator closed before its first step skips its `finally`
            while True:
                kind, value = receive()
                if kind == "end":
                    return
                yield from value
        finally:
            stop.set()

    try:
        # Started in here: Thread.start waits for the thread to run, and a Ctrl-C during that wait must stop it.
        threading.Thread(target=helper, name="kg-query", daemon=True).start()
        kind, head = receive()
        rows = rows_of_helper()
        next(rows)  # started: closing or dropping the rows, read or not, runs its `finally`: the helper stops
    except BaseException:  # Ctrl-C before the caller has the rows to close: no one else can stop the helper
        stop.set()
        raise
    return head, rows


WAKE = 0.25  # seconds a wait for the helper lasts at a time: see _taken


def _taken(handover: queue.Queue, deadline: float | None):
    """The next item of `handover`, or queue.Empty at `deadline` (a time.monotonic(); None: never). It waits WAKE
    at a time: Python runs a Ctrl-C's handler in the main thread alone, and one the kernel hands another thread
    (this helper, reading from a socket) would not end a wait here until an item came."""
    while True:
        left = WAKE if deadline is None else min(WAKE, deadline - time.monotonic())
        if left <= 0:
            raise queue.Empty
        try:
            return handover.get(timeout=left)
        except queue.Empty:
            continue


def _offer(handover: queue.Queue, item) -> None:
    try:
        handover.put_nowait(item)
    except queue.Full:  # whoever waits will find the stop flag set when they take the next item
        pass
