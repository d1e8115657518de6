"""A bounded cache of serialised query answers, keyed on everything that shapes an answer.

The key is the dataset version, the query text (with its base), the dataset given by the protocol, the
row limit and the result format; so a write, which moves the version, makes every older entry
unreachable (and the Backend empties the cache on its own writes). Least recently used entries go first
once the bodies held pass `max_bytes`; an answer over an eighth of that is not kept.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

# An answer that calls other endpoints (SERVICE) depends on more than our dataset (the federation keeps
# its own cache, with its own time to live); one with NOW(), RAND() or fresh identifiers differs each time.
# A comment may stand between a function's name and its "(" (NOW#x⏎()): the engine reads past it.
_UNCACHEABLE = re.compile(r"\bSERVICE\b|\b(?:NOW|RAND|UUID|STRUUID|BNODE)(?:\s|#[^\r\n]*)*\(", re.IGNORECASE)
_UNCACHEABLE_WORDS = ("SERVICE", "NOW", "RAND", "UUID", "BNODE")  # STRUUID holds UUID


def varies_without_writes(text: str) -> bool:
    """Whether a query's answer may change with no write (SERVICE, NOW(), RAND()...): _UNCACHEABLE, looked for only
    in a text holding one of its words (the pattern alone took 20-30 us a query). İ is the one letter it matches as
    one of theirs whose upper case is not theirs."""
    upper = text.upper()
    return (any(word in upper for word in _UNCACHEABLE_WORDS) or "\u0130" in text) and bool(_UNCACHEABLE.search(text))


class ResultCache:
    """Answers by key, at most `max_bytes` of bodies in all; 0 keeps nothing."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.held_bytes = 0
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """The answer kept for `key`, or None."""
        with self._lock:
            answer = self._entries.get(key)
            if answer is not None:
                self._entries.move_to_end(key)
            return answer

    def put(self, key, answer) -> None:
        """Keep `answer` (with a `body` of bytes) unless it is too big for the bound."""
        size = len(answer.body)
        if size > self.max_bytes // 8:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self.held_bytes -= len(previous.body)
            self._entries[key] = answer
            self.held_bytes += size
            while self.held_bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.held_bytes -= len(dropped.body)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.held_bytes = 0

    def __len__(self) -> int:
        return len(self._entries)
