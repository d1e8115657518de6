"""Where clients' buckets of query seconds are kept: a SQLite file that every server process of one
`kg serve` shares (in its run directory), so a client has one budget whichever process answers it; or
SQLite in memory, for one process (create_app alone).

A bucket holds at most `capacity` seconds and refills at `rate` seconds a second. Each change is one SQL
statement that computes the refilled balance and writes the new one (an upsert), so it is atomic across
threads and processes without a transaction of several statements, in WAL mode without fsync (budgets need
not outlive the server): 1.5 times faster than a read-then-write transaction (benchmarks/budgets.py).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

BUDGETS_FILE = "budgets.sqlite3"  # in the run directory (RUN_DIRECTORY)
BUSY_SECONDS = 5.0  # a process waits this long for another's write before giving up on the file
PRUNE_EVERY = 1000  # changes made by a process between forgetting the buckets that are full again
log = logging.getLogger(__name__)

# The balance of a bucket at :now: what was left, refilled since it was counted (never from a count in the
# future: another process's clock reading may be a little later than ours), up to the capacity.
_BALANCE = "min(:capacity, seconds_left + max(0.0, :now - counted) * :rate)"
_SCHEMA = "CREATE TABLE IF NOT EXISTS buckets (client TEXT PRIMARY KEY, seconds_left REAL, counted REAL) WITHOUT ROWID"
_TAKE = (f"INSERT INTO buckets VALUES (:client, :capacity - :seconds, :now) ON CONFLICT (client) DO UPDATE SET "
         f"seconds_left = {_BALANCE} - :seconds, counted = :now WHERE {_BALANCE} > 0")  # else no row changes
_GIVE = (f"INSERT INTO buckets VALUES (:client, :capacity + :seconds, :now) ON CONFLICT (client) DO UPDATE SET "
         f"seconds_left = {_BALANCE} + :seconds, counted = :now")
_LEFT = f"SELECT {_BALANCE} FROM buckets WHERE client = :client"
_PRUNE = f"DELETE FROM buckets WHERE {_BALANCE} >= :capacity"


class BucketTable:
    """Buckets of `capacity` seconds refilling at `rate` a second, in the SQLite file at `path` (None: in
    this process's memory). A file that cannot be used (a full disk, a lock held past BUSY_SECONDS) is
    logged and the process keeps its buckets in memory from then on: a budget is a defence, never a reason
    to refuse every query."""

    def __init__(self, path: str | Path | None, *, capacity: float, rate: float):
        self.path = None if path is None else str(path)
        self.capacity, self.rate = capacity, rate
        self._lock = threading.Lock()  # one connection per process, used by one thread at a time
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._changes = 0

    def take(self, client: str, seconds: float, now: float) -> float | None:
        """Take `seconds` if the bucket holds any; else leave it and return its balance (0 or less)."""
        if self._run(_TAKE, client=client, seconds=seconds, now=now)[0]:  # RETURNING would cost more
            return None
        left = self._run(_LEFT, client=client, now=now)[1]
        return min(0.0, left[0]) if left else 0.0

    def give(self, client: str, seconds: float, now: float) -> None:
        """Add `seconds` (less than 0: take them) to the refilled balance."""
        self._run(_GIVE, client=client, seconds=seconds, now=now)
        self._changes += 1
        if self._changes % PRUNE_EVERY == 0:
            self._run(_PRUNE, now=now)

    def _run(self, statement: str, **values) -> tuple[int, tuple | None]:
        """The rows `statement` changed, and the first it read."""
        values.update(capacity=self.capacity, rate=self.rate)
        with self._lock:
            try:
                cursor = self._connection().execute(statement, values)
                return cursor.rowcount, cursor.fetchone()
            except sqlite3.Error as error:
                if self.path is None:
                    raise
                log.warning("budgets file %s cannot be used (%s); this process keeps its own", self.path, error)
                self.path, self._db = None, None
        return self._run(statement, **values)

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():  # a connection never crosses a fork
            deadline, pause = time.monotonic() + BUSY_SECONDS, 0.005
            while True:
                db = sqlite3.connect(self.path or ":memory:", timeout=BUSY_SECONDS, isolation_level=None,
                                     check_same_thread=False)
                try:
                    _set_up(db, on_disk=self.path is not None)
                    break
                except sqlite3.OperationalError as error:
                    # Two processes setting up a new file at once: SQLite answers "locked" at once to one of
                    # them, without waiting (the busy timeout does not cover a change of journal mode).
                    db.close()
                    if "locked" not in str(error) or time.monotonic() > deadline:
                        raise
                    time.sleep(pause)
                    pause = min(pause * 2, 0.1)
            self._db, self._pid = db, os.getpid()
        return self._db


def _set_up(db: sqlite3.Connection, *, on_disk: bool) -> None:
    if on_disk:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")
    db.execute(_SCHEMA)
