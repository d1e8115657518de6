"""The access log: one JSON object a line per answered request, written with one system call.

Fields: time (UTC, ISO 8601), client (address, through trusted proxies), method, route (the URL rule, not
the path, which may hold user text), status, duration (seconds), and for queries query (a hash of the
text, never the text), rows, cut (the row cap cut the answer), timeout (stopped at the time limit).
Every server process appends to the same file; a line written with O_APPEND in one call stays whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from datetime import datetime, timezone


class AccessLog:
    """Writes access-log lines to `target`: "-" for standard error, else a file path (appended to)."""

    def __init__(self, target: str):
        if target == "-":
            self.fd, self.owned = sys.stderr.fileno(), False
        else:
            self.fd, self.owned = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640), True

    def write(self, fields: dict) -> None:
        fields = {"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                  **fields}
        line = json.dumps(fields, ensure_ascii=True, separators=(",", ":")) + "\n"
        try:
            os.write(self.fd, line.encode("ascii"))
        except OSError:  # a full disk or a closed stderr must not fail the request
            pass

    def close(self) -> None:
        if self.owned:
            os.close(self.fd)


def query_hash(text: str) -> str:
    """A short, stable name for a query text (the first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
