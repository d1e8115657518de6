"""Where clients' budgets are kept: in this process, or in a SQLite file that every server process of one
`kg serve` shares (its run directory), so that a client has one budget whichever process answers it.

A table holds one row per client, (seconds left, when counted), and changes a row only through
`change(client, new_row)`, which reads the row and writes what `new_row(row)` gives back as one atomic step
across threads and processes; `new_row` may raise, and then nothing is written.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

BUDGETS_FILE = "budgets.sqlite3"  # in the run directory (RUN_DIRECTORY)
Row = tuple[float, float]  # seconds left, when counted (time.monotonic(), the same clock in every process)
PRUNE_AT = 10_000  # clients remembered before the full buckets are forgotten
log = logging.getLogger(__name__)


class MemoryTable:
    """Rows in this process only."""

    def __init__(self):
        self._rows: dict[str, Row] = {}
        self._lock = threading.Lock()

    def change(self, client: str, new_row: Callable[[Row | None], Row], full: Callable[[Row], bool]) -> None:
        with self._lock:
            self._rows[client] = new_row(self._rows.get(client))
            if len(self._rows) > PRUNE_AT:
                for name in [name for name, row in self._rows.items() if full(row)]:
                    del self._rows[name]


class SQLiteTable:
    """Rows in the SQLite file at `path`, shared by processes.

    One connection per process, used by one thread at a time; a change is one immediate write transaction,
    in WAL mode and without fsync (budgets need not outlive the server), which costs tens of microseconds.
    A file that cannot be used (a full disk, a lock held past BUSY_SECONDS) is logged and this process
    keeps its rows in memory from then on: a budget is a defence, never a reason to refuse every query.
    """

    BUSY_SECONDS = 5.0
    PRUNE_EVERY = 1000  # changes made by this process between forgetting the full buckets

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._changes = 0
        self._fallback: MemoryTable | None = None

    def change(self, client: str, new_row: Callable[[Row | None], Row], full: Callable[[Row], bool]) -> None:
        if self._fallback is None:
            with self._lock:
                try:
                    return self._change(client, new_row, full)
                except sqlite3.Error as error:
                    log.warning("budgets file %s cannot be used (%s); this process keeps its own", self.path, error)
                    self._fallback = MemoryTable()
        self._fallback.change(client, new_row, full)

    def _change(self, client: str, new_row, full) -> None:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")  # the write lock at once: no two processes read the same balance
        try:
            found = db.execute("SELECT seconds_left, counted FROM buckets WHERE client = ?", (client,)).fetchone()
            db.execute("INSERT OR REPLACE INTO buckets VALUES (?, ?, ?)", (client, *new_row(found)))
            self._changes += 1
            if self._changes % self.PRUNE_EVERY == 0:
                full_ones = [name for name, *row in db.execute("SELECT * FROM buckets") if full(tuple(row))]
                db.executemany("DELETE FROM buckets WHERE client = ?", [(name,) for name in full_ones])
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():  # a connection never crosses a fork
            db = sqlite3.connect(self.path, timeout=self.BUSY_SECONDS, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")
            db.execute("CREATE TABLE IF NOT EXISTS buckets (client TEXT PRIMARY KEY, seconds_left REAL, "
                       "counted REAL) WITHOUT ROWID")
            self._db, self._pid = db, os.getpid()
        return self._db
