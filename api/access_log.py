"""The access log: one JSON object a line per answered request, written with one system call.

Fields: time (UTC, ISO 8601), client (address, through trusted proxies), method, route (the URL rule, not
the path, which may hold user text), status, duration (seconds), and for queries query (a hash of the
text, never the text), rows, cut (the row cap cut the answer), timeout (stopped at the time limit).
Every server process appends to the same file; a line written with O_APPEND in one call stays whole.
A request thread only appends its fields to a deque: a writer thread wakes every FLUSH_SECONDS, formats
what has gathered and writes it in one call, so neither the formatting nor a slow disk or terminal is on
the request's path, and no request wakes a thread (a wake per request cost 17% of a lookup's CPU).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
from collections import deque
from datetime import datetime, timezone

from kg.serve_checks import open_access_log

FLUSH_SECONDS = 0.05  # how long a line may wait before it is written


class AccessLog:
    """Writes access-log lines to `target`: "-" for standard error, else a file path (appended to)."""

    def __init__(self, target: str):
        if target == "-":
            self.fd, self.owned = sys.stderr.fileno(), False
        else:
            self.fd, self.owned = open_access_log(target), True  # ConfigError, as any setting's fault

        self._pending: deque = deque()  # append and popleft are atomic: no lock on the request's path
        self._closing = threading.Event()
        self._writer = threading.Thread(target=self._write_lines, name="kg-access-log", daemon=True)
        self._writer.start()

    def write(self, fields: dict) -> None:
        """Queue one request's line (the time is taken now)."""
        self._pending.append((time.time(), fields))

    def _write_lines(self) -> None:
        while not self._closing.wait(FLUSH_SECONDS):
            self._flush()
        self._flush()

    def _flush(self) -> None:
        lines = []
        while self._pending:  # whatever has gathered goes in one write
            lines.append(_line(*self._pending.popleft()))
        if lines:
            try:
                os.write(self.fd, "".join(lines).encode("ascii"))
            except OSError:  # a full disk or a closed stderr must not fail anything
                pass

    def close(self) -> None:
        """Write what is queued, then let go of the file."""
        self._closing.set()
        self._writer.join(timeout=5)
        if self.owned:
            os.close(self.fd)


def _line(at: float, fields: dict) -> str:
    stamp = datetime.fromtimestamp(at, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps({"time": stamp, **fields}, ensure_ascii=True, separators=(",", ":")) + "\n"


def query_hash(text: str) -> str:
    """A short, stable name for a query text (the first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
