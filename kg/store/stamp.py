"""An on-disk store's version stamp: one small file beside the store that every write through kg rewrites.

Reading it costs one small file read, where finding the newest of the store's files costs a stat() of
each (a third of a busy server's time). The file holds `<number> <unix time>`: the number grows with
every write, even two in the same clock tick, so caches keyed on it never serve a stale answer. It
lives beside the store directory (like the lock file), so a staged bulk load's swap keeps it.
"""

from __future__ import annotations

import os
import time
from os import PathLike
from pathlib import Path


def stamp_path(store: str | PathLike) -> Path:
    store = Path(store)
    return store.with_name(f".{store.name}.version")


def read(store: str | PathLike) -> tuple[int, float] | None:
    """(number, unix time) of the last write through kg, or None if no write has stamped the store."""
    try:
        with open(stamp_path(store), "rb") as handle:
            number, modified = handle.read(64).split()
        return int(number), float(modified)
    except (OSError, ValueError):
        return None


def bump(store: str | PathLike) -> tuple[int, float]:
    """Record a write (the caller holds the store's writer lock): a larger number and the time now."""
    now = time.time()
    previous = read(store)
    number = max(int(now * 1_000_000), previous[0] + 1 if previous else 0)
    path = stamp_path(store)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as handle:
        handle.write(f"{number} {now:.6f}\n".encode())
    os.replace(partial, path)  # readers see the old stamp or the new one, never half of one
    return number, now
