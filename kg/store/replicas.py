"""Read replicas of a remote store: queries go to healthy ones in turn; a failed one is taken out and
probed until it answers again.

A replica is taken out when a connection to it fails, or when a probe (a trivial query, every
PROBE_SECONDS) does not answer within PROBE_TIMEOUT, which also catches one that accepts connections but
no longer answers. A query that could not reach its replica is sent to the next: queries only read, so
sending one again is safe. A query that reached a replica and failed there (a timeout, an error) is not
sent again: the fault may be the query's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from kg.errors import StoreUnavailable

PROBE_SECONDS = 1.0
PROBE_TIMEOUT = 2.0
T = TypeVar("T")


class Replicas:
    """Query URLs with their health; `probe(url)` says (True/False) whether one answers now."""

    def __init__(self, urls: list[str], probe: Callable[[str], bool]):
        self.urls, self.probe = list(dict.fromkeys(urls)), probe
        self._up = set(self.urls)
        self._next = 0
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._prober: threading.Thread | None = None

    def healthy(self) -> list[str]:
        """The replicas in service, in the order the next query tries them."""
        self._start_probing()
        with self._lock:
            start = self._next
            self._next = (self._next + 1) % len(self.urls)
            turn = self.urls[start:] + self.urls[:start]
            return [url for url in turn if url in self._up]

    def up(self) -> int:
        with self._lock:
            return len(self._up)

    def run(self, call: Callable[[str], T]) -> T:
        """`call(url)` on the healthy replicas in turn, until one is reached; StoreUnavailable if none is."""
        for url in self.healthy():
            try:
                return call(url)
            except StoreUnavailable:
                self.mark(url, False)
        raise StoreUnavailable(f"none of the store's {len(self.urls)} replicas answers; try again shortly")

    def mark(self, url: str, healthy: bool) -> None:
        with self._lock:
            (self._up.add if healthy else self._up.discard)(url)

    def close(self) -> None:
        self._closed.set()

    def _start_probing(self) -> None:
        with self._lock:
            if self._prober is not None:
                return
            self._prober = threading.Thread(target=self._probe_forever, name="kg-replica-probe", daemon=True)
        self._prober.start()

    def _probe_forever(self) -> None:
        while not self._closed.wait(PROBE_SECONDS):
            for url in self.urls:
                try:
                    answered = self.probe(url)
                except Exception:  # a probe that fails in any way says the replica is not fit to serve
                    answered = False
                self.mark(url, answered)
