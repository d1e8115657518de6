"""The access log: one JSON object a line per answered request, written with one system call.

Fields: time (UTC, ISO 8601), client (address, through trusted proxies), method, route (the URL rule, not
the path, which may hold user text), status, duration (seconds), and for queries query (a hash of the
text, never the text), rows, cut (the row cap cut the answer), timeout (stopped at the time limit).
Every server process appends to the same file; a line written with O_APPEND in one call stays whole.
A request thread only queues its fields: a writer thread formats the lines and writes what has queued up
in one call, so neither the formatting nor a slow disk or terminal is on the request's path.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import sys
import threading
import time
from datetime import datetime, timezone

_STOP = object()


class AccessLog:
    """Writes access-log lines to `target`: "-" for standard error, else a file path (appended to)."""

    def __init__(self, target: str):
        if target == "-":
            self.fd, self.owned = sys.stderr.fileno(), False
        else:
            self.fd, self.owned = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640), True

        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write_lines, name="kg-access-log", daemon=True)
        self._writer.start()

    def write(self, fields: dict) -> None:
        """Queue one request's line (the time is taken now)."""
        self._queue.put((time.time(), fields))

    def _write_lines(self) -> None:
        while True:
            items = [self._queue.get()]
            while True:  # whatever else has queued up goes in the same write
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            lines = [_line(*item) for item in items if item is not _STOP]
            if lines:
                try:
                    os.write(self.fd, "".join(lines).encode("ascii"))
                except OSError:  # a full disk or a closed stderr must not fail anything
                    pass
            if any(item is _STOP for item in items):
                return

    def close(self) -> None:
        """Write what is queued, then let go of the file."""
        self._queue.put(_STOP)
        self._writer.join(timeout=5)
        if self.owned:
            os.close(self.fd)


def _line(at: float, fields: dict) -> str:
    stamp = datetime.fromtimestamp(at, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps({"time": stamp, **fields}, ensure_ascii=True, separators=(",", ":")) + "\n"


def query_hash(text: str) -> str:
    """A short, stable name for a query text (the first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
