"""An on-disk store's version stamp: one small file beside the store that every write through kg rewrites.

The number grows with every write, even two in the same clock tick, so caches keyed on it never serve a
stale answer. It lives beside the store directory (like the lock file), so a staged bulk load's swap
keeps it. Readers map the file once and read the stamp from memory (a server reads it twice a request):
writers change it in place, under a sequence number that is odd while they write (a seqlock), so a
reader never takes half of a stamp. A reader checks that its mapped file is still the one at the path
(an fstat, no path lookup); a file replaced by an older kg (text, `<number> <time>`) is read the old way.
"""

from __future__ import annotations

import logging
import mmap
import os
import struct
import threading
import time
from os import PathLike
from pathlib import Path

from kg.store import siblings

log = logging.getLogger(__name__)
MAGIC = b"kgstamp1"
# Native layout, every field 8-byte aligned: each field is then read and written with one machine move.
RECORD = struct.Struct("@8sQQd")  # magic, sequence (odd while a writer writes), number, unix time
_SEQUENCE = struct.Struct("@Q")
_DATA = struct.Struct("@Qd")
_SPINS = 10_000  # looks at a sequence that is odd (a write under way) before this reader lets the writer run
_WAIT = 2.0  # seconds a sequence may stay odd: past them the writer died mid-write (read as unknown)

_mapped: dict[str, _Mapping] = {}
_opening = threading.Lock()


def stamp_path(store: str | PathLike) -> Path:
    return siblings.beside(store, "version")


class _Mapping:
    """The stamp file of one store, open and mapped for reading."""

    def __init__(self, path: Path):
        self.fd = -1
        self.fd = os.open(path, os.O_RDONLY)  # on any error below, __del__ closes it
        if os.fstat(self.fd).st_size < RECORD.size:
            raise ValueError("not a mapped stamp")
        self.map = mmap.mmap(self.fd, RECORD.size, access=mmap.ACCESS_READ)
        if self.map[:8] != MAGIC:
            raise ValueError("not a mapped stamp")

    def current(self) -> bool:
        found = os.fstat(self.fd)  # no link: replaced or removed since we mapped it; cut short: unsafe to map
        return found.st_nlink > 0 and found.st_size >= RECORD.size

    def read(self) -> tuple[int, float] | None:
        deadline = None
        while True:
            for _ in range(_SPINS):
                before = _SEQUENCE.unpack_from(self.map, 8)[0]
                if before & 1:
                    continue
                number, modified = _DATA.unpack_from(self.map, 16)
                if _SEQUENCE.unpack_from(self.map, 8)[0] == before:
                    return number, modified
            # A writer descheduled mid-write (a busy machine) needs the CPU to finish: yield it, within a bound.
            if deadline is None:
                deadline = time.monotonic() + _WAIT
            elif time.monotonic() > deadline:
                return None
            time.sleep(0.001)

    def __del__(self) -> None:  # not closed by hand: another thread may be reading it still
        if self.fd >= 0:
            os.close(self.fd)


def read(store: str | PathLike) -> tuple[int, float] | None:
    """(number, unix time) of the last write through kg, or None if no write has stamped the store."""
    key = os.fspath(store)
    mapping = _mapped.get(key)
    if mapping is None or not mapping.current():
        mapping = _remap(key)
        if mapping is None:
            return _read_text(store)
    return mapping.read()


def _remap(key: str) -> _Mapping | None:
    with _opening:
        _mapped.pop(key, None)
        try:
            mapping = _mapped[key] = _Mapping(stamp_path(key))
        except (OSError, ValueError):
            return None
        return mapping


def _read_text(store: str | PathLike) -> tuple[int, float] | None:
    """A stamp written by an older kg, `<number> <unix time>`, replaced whole on each write."""
    try:
        with open(stamp_path(store), "rb") as handle:
            number, modified = handle.read(64).split()
        return int(number), float(modified)
    except (OSError, ValueError):
        return None


def bump(store: str | PathLike) -> tuple[int, float]:
    """Record a write (the caller holds the store's writer lock): a larger number and the time now."""
    now = time.time()
    previous = _mapped_record(store) or _read_text(store)
    number = max(int(now * 1_000_000), previous[0] + 1 if previous else 0)
    path = stamp_path(store)
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        fd = None
    if fd is not None:
        try:
            if os.fstat(fd).st_size == RECORD.size:
                with mmap.mmap(fd, RECORD.size) as record:
                    if record[:8] == MAGIC:
                        _write_under_sequence(record, number, now)
                        return number, now
        finally:
            os.close(fd)
    # No stamp yet, or one an older kg wrote: a whole new file, swapped in (readers reopen it).
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as handle:
        handle.write(RECORD.pack(MAGIC, 0, number, now))
    os.replace(partial, path)
    return number, now


def bump_after_write(store: str | PathLike) -> None:
    """Bump the stamp after a committed write; if that fails, the write still stands (no error for the caller):
    the stamp is removed, so that readers go by the store files' times instead, and where even that fails (a
    directory that cannot be written) the log says readers will not see it."""
    try:
        bump(store)
    except OSError as error:
        try:  # a stale stamp would hide the write from other processes
            os.unlink(stamp_path(store))
            left = "readers in other processes go by the store's files"
        except OSError:
            left = "the stale stamp could not be removed either: other processes will not see this write " \
                   "until one can stamp the store"
        log.error("a write is committed but the store's version stamp could not be updated (%s); %s",
                  str(error), left)


def _write_under_sequence(record: mmap.mmap, number: int, now: float) -> None:
    """Write the stamp in place, the sequence odd meanwhile. The sequence is stored by one 8-byte move:
    struct's pack_into zero-fills its field before writing it, and a reader that saw that 0 (even) before
    and after a write in progress would take half of a stamp."""
    with memoryview(record) as view, view.cast("Q") as words:
        sequence = words[1] | 1  # odd: a write in progress
        words[1] = sequence
        _DATA.pack_into(record, 16, number, now)  # zero-filled first, while the sequence is odd
        words[1] = sequence + 1


def _mapped_record(store: str | PathLike) -> tuple[int, float] | None:
    """The stamp as the mapped file holds it (None if it is not a mapped stamp)."""
    try:
        mapping = _Mapping(stamp_path(store))
    except (OSError, ValueError):
        return None
    return _DATA.unpack_from(mapping.map, 16)
