"""A store's dataset as a stream of bytes: TriG or N-Quads, gzipped or not, produced while it is read.

The store writes its dump in a thread into a bounded queue of compressed chunks; the caller iterates.
Memory stays bounded by the queue whatever the dataset's size, and closing the iterator early (a client
that goes away) stops the writer at its next chunk.
"""

from __future__ import annotations

import io
import queue
import threading
import zlib
from collections.abc import Callable, Iterator

from kg.errors import quoted
from kg.store.base import Store

FORMATS = ("trig", "nquads")
CHUNK_BYTES = 1 << 16
QUEUE_CHUNKS = 16  # at most this many chunks wait for the reader: ~1 MiB
_END = object()


class _Cancelled(Exception):
    """The reader went away; the writer stops."""


def stream_dump(open_store: Callable[[], Store], fmt: str, *, gzip: bool = True) -> Iterator[bytes]:
    """Chunks of the dataset of the store that `open_store()` returns (closed afterwards) in `fmt`.

    With `gzip` the chunks together are one gzip member (no file name, time 0: equal data, equal bytes).
    ValueError for a format other than trig or nquads; a store error while writing is raised from the
    iterator.
    """
    if fmt not in FORMATS:
        raise ValueError(f"a dump is TriG or N-Quads ({', '.join(FORMATS)}), not {quoted(fmt)}")
    chunks: queue.Queue = queue.Queue(QUEUE_CHUNKS)
    cancelled = threading.Event()

    def put(item) -> None:
        while True:  # wait for room, but give up once the reader has gone
            if cancelled.is_set():
                raise _Cancelled
            try:
                chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            with open_store() as store:
                writer = _ChunkWriter(put, zlib.compressobj(6, zlib.DEFLATED, 31) if gzip else None)
                store.dump(writer, format=fmt)
                writer.finish()
            put(_END)
        except _Cancelled:
            return
        except BaseException as error:  # handed to the reader, which raises it
            try:
                put(error)
            except _Cancelled:
                return

    thread = threading.Thread(target=produce, name="dump-writer", daemon=True)
    thread.start()
    try:
        while True:
            item = chunks.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        cancelled.set()
        while thread.is_alive():  # let a writer blocked on a full queue see the cancel
            try:
                chunks.get_nowait()
            except queue.Empty:
                thread.join(0.1)


class _ChunkWriter(io.RawIOBase):
    """A binary file that gathers what it is given into chunks (compressed if asked) and hands them on."""

    def __init__(self, put: Callable[[bytes], None], compressor):
        self._put, self._compressor, self._buffer = put, compressor, bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._buffer += data
        if len(self._buffer) >= CHUNK_BYTES:
            self._hand_on(bytes(self._buffer))
            self._buffer.clear()
        return len(data)

    def finish(self) -> None:
        self._hand_on(bytes(self._buffer), final=True)
        self._buffer.clear()

    def _hand_on(self, data: bytes, *, final: bool = False) -> None:
        if self._compressor is not None:
            data = self._compressor.compress(data) + (self._compressor.flush() if final else b"")
        if data:
            self._put(data)
