"""SQLite connections to one database file lent one per reader, so that no reader waits for another."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

from kg.errors import KGError


class Connections:
    """Connections to the file at `path`, each lent to one user at a time; a few idle ones are kept, so that
    request threads coming and going neither open the file each time nor leave a handle open behind them."""

    KEEP = 4  # idle connections kept open

    def __init__(self, path: Path):
        self._path = path
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()  # guards the list only, never held while SQLite works
        self._closed = False

    @contextmanager
    def taken(self):
        """A connection of the caller's own while the block runs: an idle one, else a new one."""
        with self._lock:
            if self._closed:
                raise KGError(f"the connections to {self._path} are closed")
            connection = self._idle.pop() if self._idle else None
        if connection is None:
            connection = connect(self._path)
        try:
            yield connection
        finally:
            with self._lock:
                kept = not self._closed and len(self._idle) < self.KEEP and not connection.in_transaction
                if kept:
                    self._idle.append(connection)
            if not kept:
                connection.close()

    def close(self) -> None:
        """Close the idle connections now, and those lent out as they come back."""
        with self._lock:
            self._closed, idle, self._idle = True, self._idle, []
        for connection in idle:
            connection.close()


def connect(path: Path) -> sqlite3.Connection:
    """A connection any thread may use (one at a time), in autocommit unless a BEGIN says otherwise."""
    # timeout: a writer waits this long for another's transaction (another process's rebuild) to commit
    return sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)


def end_read(connection: sqlite3.Connection) -> None:
    """Roll back the connection's transaction, if it still has one."""
    if connection.in_transaction:  # an interrupted statement may have ended it already
        connection.execute("ROLLBACK")
