"""Input files that are no plain regular ones: a pipe, FIFO or terminal read within a time limit (a writer that never
writes, or never closes, cannot hold a load past it), standard input copied within the limits, and a file that is no
regular one refused where it would be read twice; a read's failure said with the file's name."""

from __future__ import annotations

import contextlib
import io
import os
import select
import stat
import tempfile
import time
from pathlib import Path

from kg.errors import ConfigError, InputLimitError, SourceError, os_error_words

GZIP_MAGIC = b"\x1f\x8b"  # RFC 1952's first two bytes, a control character no RDF syntax starts with
# Deflate stores incompressible data in blocks of up to 65535 bytes with 5 bytes of framing each, after a header
# of 10 or more bytes: a gzip stream this much past a size cannot unpack to that size or less (a stream of empty
# members could, and is refused: no exporter writes one).
_GZIP_SLACK = 1 << 20
# What the copy of standard input leaves free on its disk (the scratch folder's: TMPDIR), looked at every
# _DISK_LOOK bytes: endless input (`kg load - < /dev/zero`) must not fill a disk that others write to.
DISK_RESERVE = 1 << 30
_DISK_LOOK = 64 << 20


def deadline_in(seconds: float | None) -> float | None:
    """The time.monotonic() `seconds` from now, or None for no limit."""
    return None if seconds is None else time.monotonic() + seconds


class WaitingReader(io.RawIOBase):
    """The raw bytes of the open file `fd`; where it is no regular file and `deadline` is set, each read waits for
    data at most until then, and raises InputLimitError past it. `own`: close `fd` with the reader."""

    def __init__(self, fd: int, *, deadline: float | None = None, seconds: float | None = None,
                 name: str | None = None, own: bool = True):
        self.fd, self.deadline, self.seconds, self.name, self.own = fd, deadline, seconds, name, own
        self.poller = None
        if deadline is not None and not stat.S_ISREG(os.fstat(fd).st_mode):
            self.poller = select.poll()
            self.poller.register(fd, select.POLLIN)

    @classmethod
    def open(cls, path, *, deadline: float | None = None, seconds: float | None = None,
             name: str | None = None) -> WaitingReader:
        """The file at `path`; where `deadline` is set, a FIFO is opened without waiting for a writer (its reads
        wait instead)."""
        if deadline is None:
            return cls(os.open(path, os.O_RDONLY), name=name)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO's opening would wait for a writer, unbounded
        try:
            os.set_blocking(fd, True)  # poll tells when a read will not wait: before any writer, it tells nothing
            return cls(fd, deadline=deadline, seconds=seconds, name=name)
        except BaseException:
            os.close(fd)
            raise

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def readinto(self, buffer) -> int:
        if self.poller is not None:
            left = self.deadline - time.monotonic()
            if left <= 0 or not self.poller.poll(left * 1000):
                raise InputLimitError(f"reading took more than {self.seconds:g}s: no more data came (a pipe or FIFO "
                                      "whose writer neither writes nor closes)", path=self.name)
        return os.readv(self.fd, [buffer])

    def close(self) -> None:
        if not self.closed and self.own:
            os.close(self.fd)
        super().close()


@contextlib.contextmanager
def held_copy(source, *, max_bytes: int | None = None, seconds: float | None = None, name: str | None = None):
    """A path to a copy of the binary stream `source` (standard input), made within `seconds` (where it is a pipe or
    a terminal) and `max_bytes` (as _copy_within; past either, InputLimitError), readable while the block runs. The
    copy has no name on disk where /proc/self/fd shows it (Linux): a load killed midway leaves nothing behind."""
    try:
        reader = WaitingReader(source.fileno(), deadline=deadline_in(seconds), seconds=seconds, name=name, own=False)
    except (AttributeError, io.UnsupportedOperation):  # a stream with no file (click's tests give one)
        reader = source
    unnamed = os.path.isdir("/proc/self/fd")
    with (tempfile.TemporaryFile if unnamed else tempfile.NamedTemporaryFile)(prefix="kg-load-") as out:
        try:
            _copy_within(reader, out, max_bytes=max_bytes, name=name, folder=tempfile.gettempdir())
        except InputLimitError as error:
            raise InputLimitError(error.message + "; nothing was loaded", path=name) from None
        out.flush()
        yield Path(f"/proc/self/fd/{out.fileno()}" if unnamed else out.name)


def _copy_within(reader, out, *, max_bytes: int | None, name: str | None, folder: str) -> None:
    """Copy binary `reader` into `out`, refusing (InputLimitError) data that cannot unpack to `max_bytes` or less
    (over it, or, gzipped, far enough over it), and data that would leave less than DISK_RESERVE free on the disk
    of `folder` (the copy's): a copy of endless data (`< /dev/zero`) stops there, with or without a limit."""
    head, limit, copied = b"", max_bytes, 0
    while chunk := reader.read(1 << 20):
        if copied % _DISK_LOOK < len(chunk):  # the first chunk, and every 64 MiB
            left = os.statvfs(folder)
            if (left.f_bavail * left.f_frsize) - _DISK_LOOK < DISK_RESERVE:
                raise InputLimitError(f"its copy would leave less than {DISK_RESERVE >> 20} MiB free on the disk of "
                                      f"the temporary folder {folder}: save it to a file and load that, or give "
                                      "--max-bytes", path=name)
        if len(head) < 2:
            head = (head + chunk)[:2]
            if limit is not None and head == GZIP_MAGIC:
                limit = max_bytes + max_bytes // 10000 + _GZIP_SLACK
        copied += len(chunk)
        if limit is not None and copied > limit:
            raise InputLimitError(f"the data is over {max_bytes} bytes", path=name)
        out.write(chunk)


def refuse_reading_twice(paths) -> None:
    """Raise ConfigError where a file that is no regular one (a FIFO, a pipe, a device) is named twice: its data
    is gone once read, and a FIFO's second opening waits for a writer that may never come."""
    seen = {}
    for path in paths:
        try:  # "-" is standard input's own file, which /dev/stdin or /proc/self/fd/0 may name too
            found = os.fstat(0) if str(path) == "-" else os.stat(path)
        except OSError:
            continue  # said when it is opened
        if stat.S_ISREG(found.st_mode):
            continue
        key = (found.st_dev, found.st_ino)
        if key in seen:
            also = "" if seen[key] == Path(path) else f" (as {seen[key]})"
            raise ConfigError(f"{path} is named twice{also}: it is no regular file (a FIFO, a pipe or a device), "
                              "and its data can be read once")
        seen[key] = Path(path)


def refuse_unless_regular(path) -> None:
    """Raise SourceError where `path` is no regular file, for a reader that reads it more than once: a FIFO's
    second opening waits for a writer, a pipe's data is gone once read, a device such as /dev/zero never ends."""
    if not os.path.isfile(path):
        raise SourceError("is no regular file (a FIFO, a pipe or a device), and is read more than once: save it "
                          "to a file and give that; nothing was loaded", path=str(path))


def read_whole(path) -> bytes:
    """The bytes of the file at `path`; a read that fails raises SourceError naming it (an OSError of a read names
    no file: /proc/self/mem's 'Input/output error')."""
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise SourceError(f"cannot read the file: {os_error_words(error)}", path=str(path)) from None
