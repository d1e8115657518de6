"""What SERVICE calls leave behind: cached answers and endpoints on hold, in a small SQLite file shared by
every process of a server (gunicorn workers and query workers alike), or in memory for one process."""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import timezone
from pathlib import Path

CACHE_ENTRIES = 1000  # the oldest answers beyond this many are dropped...
CACHE_BYTES = 64 << 20  # ...and beyond this many bytes of bodies in all: the file lies beside the store
ANSWER_BYTES = 8 << 20  # a bigger answer is used but not kept
MAX_HOLD_SECONDS = 86400  # a Retry-After further away than this is taken as a day
log = logging.getLogger(__name__)


class ServiceState:
    """The answer cache and the endpoints on hold, in SQLite (a file shared by processes, or memory)."""

    # auto_vacuum gives the space of dropped answers back to the disk (it takes effect in a new file only).
    SCHEMA = ("PRAGMA auto_vacuum = FULL;"
              "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, endpoint TEXT, body BLOB, "
              "media_type TEXT, expires REAL);"
              "CREATE TABLE IF NOT EXISTS holds (endpoint TEXT PRIMARY KEY, until REAL);")

    def __init__(self, path):
        self.path = None if path is None else str(path)
        self._lock = threading.Lock()
        self._memory = None

    def answer(self, key: str) -> tuple[bytes, str] | None:
        """The cached (body, media type) under `key` while it is fresh, else None."""
        with self._connection() as db:
            row = db.execute("SELECT body, media_type FROM answers WHERE key = ? AND expires > ?",
                             (key, time.time())).fetchone()
        return None if row is None else (bytes(row[0]), row[1])

    def keep(self, key: str, endpoint: str, answer: tuple[bytes, str], ttl: float) -> None:
        """Cache an answer for `ttl` seconds (one over ANSWER_BYTES is not kept); expired ones, and the oldest
        past CACHE_ENTRIES answers or CACHE_BYTES of bodies, go."""
        if len(answer[0]) > ANSWER_BYTES:
            return
        now = time.time()
        with self._connection() as db:
            db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?)",
                       (key, endpoint, answer[0], answer[1], now + ttl))
            db.execute("DELETE FROM answers WHERE expires <= ? OR key IN (SELECT key FROM (SELECT key, "
                       "ROW_NUMBER() OVER newest AS place, SUM(LENGTH(body)) OVER newest AS held FROM answers "
                       "WINDOW newest AS (ORDER BY expires DESC, key)) WHERE place > ? OR held > ?)",
                       (now, CACHE_ENTRIES, CACHE_BYTES))

    def hold(self, endpoint: str, seconds: float) -> None:
        """Put an endpoint on hold for `seconds`: it is not called until then."""
        with self._connection() as db:
            db.execute("INSERT OR REPLACE INTO holds VALUES (?, ?)", (endpoint, time.time() + seconds))

    def held(self, endpoint: str) -> int:
        """Whole seconds the endpoint is still on hold (0: free to call)."""
        with self._connection() as db:
            row = db.execute("SELECT until FROM holds WHERE endpoint = ?", (endpoint,)).fetchone()
        return max(0, math.ceil(row[0] - time.time())) if row else 0

    @contextmanager
    def _connection(self):
        """A connection that commits on leaving; one per use for a file, so forks and threads share
        nothing but the file."""
        if self.path is None:
            with self._lock:
                if self._memory is None:
                    self._memory = sqlite3.connect(":memory:", check_same_thread=False)
                    self._memory.executescript(self.SCHEMA)
                with self._memory:
                    yield self._memory
            return
        try:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10)
            db.executescript(self.SCHEMA)
            if db.execute("PRAGMA auto_vacuum").fetchone()[0] == 0:  # a file from before auto_vacuum: once
                db.executescript("PRAGMA auto_vacuum = FULL; VACUUM;")
        except (sqlite3.Error, OSError) as error:  # a cache must never fail a query: keep it in memory
            log.warning("SERVICE cache %s cannot be used (%s); this process keeps its own", self.path, error)
            self.path = None
            with self._connection() as db:
                yield db
            return
        try:
            with db:
                yield db
        finally:
            db.close()


def retry_after(value: str | None, default: float) -> int:
    """Whole seconds to wait from a Retry-After header (delta-seconds or an HTTP date), at least 1."""
    from email.utils import parsedate_to_datetime

    seconds = default
    if value:
        value = value.strip()
        try:
            if value.isascii() and value.isdigit():
                seconds = min(float(value), MAX_HOLD_SECONDS)  # a number of thousands of digits is no infinity
            else:
                moment = parsedate_to_datetime(value)
                moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # asctime's form is GMT
                seconds = moment.timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):  # a year past a C long overflows
            seconds = default
    return int(min(max(1, math.ceil(seconds)), MAX_HOLD_SECONDS))
