"""Work that takes minutes on any machine, or more memory than a query worker's cap, and how long a quick thing
may take on a loaded one.

Time-limit and cancel tests use these so that none depends on the machine's speed: the long work cannot
end before the limit however fast the machine, and SOON is far above what a quick answer needs beside
CPU hogs yet far below what the long work needs anywhere.
"""

from __future__ import annotations

import threading
import time

# Over a store of 1500 triples or more (the article has about 1750): a cross product of the store with
# itself three times is 3.4e9 rows or more, several minutes of work for an engine at 10-20M rows a second.
CROSS_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# The same rows streamed, for an embedded store, which stops streaming work at its next row but cannot
# interrupt an aggregate once started (kg/store/deadline.py): a test must not leave one running for minutes.
CROSS_ROWS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MIN_TRIPLES = 1500


def doubling(steps: int) -> str:
    """A short query whose string grows eightfold a step: 2 * 8**steps characters at the end (10: 2 GiB)."""
    binds = " ".join(f"BIND(CONCAT({','.join([f'?v{i - 1}'] * 8)}) AS ?v{i})" for i in range(1, steps + 1))
    return f'SELECT (STRLEN(?v{steps}) AS ?n) {{ BIND(CONCAT("x","x") AS ?v0) {binds} }}'

SOON = 30.0  # seconds


def wait_until(condition, seconds: float = SOON, what: str = "the condition") -> None:
    """Poll `condition()` until it is true; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds:g}s")
        time.sleep(0.02)


def threads_named(name: str, *, besides: list[threading.Thread] = ()) -> list[threading.Thread]:
    """Live threads called `name`, other than those in `besides` (taken before a test started its own)."""
    return [thread for thread in threading.enumerate() if thread.name == name and thread not in besides]
