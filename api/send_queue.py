"""Backpressure for a streamed answer. granian queues what the adapter sends without bound (its channel to the
connection), so a client that reads slowly, or not at all, had the rest of a big answer made and held in the
server's memory. Past an answer's first FREE_BYTES, the adapter waits before making its next batch until the
connection's kernel send queue is below half the socket's send buffer (granian moves its own queue into the
kernel's as fast as the kernel takes it, so a kernel queue that low means granian's is empty), and gives up on a
client whose queue drained nothing for STALL_SECONDS, as nginx's send_timeout does."""

from __future__ import annotations

import asyncio
import socket
import struct
import time

from api.connection_cut import connection_socket

FREE_BYTES = 1 << 20  # an answer up to this size is sent without looking at the socket
STALL_SECONDS = 60.0  # nothing drained for this long: the client is taken as gone
_ESTABLISHED = 1  # TCP_ESTABLISHED in Linux's include/net/tcp_states.h
LOOKS = (0.002, 0.1)  # seconds between two looks at a queue still full: the first, and the most, doubling between


class Stalled(Exception):
    """A client that read nothing of its answer for STALL_SECONDS."""


class SendQueue:
    """The kernel send queue of the connection from `client` to `server` (an RSGI scope's), found when first needed."""

    def __init__(self, client: str, server: str):
        self.client, self.server = client, server
        self.sent = 0
        self._socket: socket.socket | None = None
        self._looked = False

    async def drained(self, sent: int) -> bool:
        """After `sent` more bytes, wait until the queue is below half the send buffer. False when nothing drained
        for STALL_SECONDS (the caller ends the connection); True at once where the socket cannot be looked at."""
        self.sent += sent
        if self.sent <= FREE_BYTES:
            return True
        if not self._looked:
            self._looked, self._socket = True, connection_socket(self.client, self.server)
        if self._socket is None:
            return True
        lowest, since, pause = None, time.monotonic(), LOOKS[0]
        while True:
            try:
                if not _established(self._socket):  # reset or closed: its queue is never read now
                    return True  # the next send fails, which ends the answer
                queued = _queued(self._socket)
                if queued <= self._socket.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) // 2:
                    return True
            except OSError:  # the connection is gone, or no queue to read: the next send will tell
                return True
            if lowest is None or queued < lowest:
                lowest, since = queued, time.monotonic()
            elif time.monotonic() - since > STALL_SECONDS:
                return False
            await asyncio.sleep(pause)  # polled: the kernel says nothing when a send queue drains
            pause = min(2 * pause, LOOKS[1])

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()  # a duplicate of granian's: the connection stays open


def _established(connection: socket.socket) -> bool:
    """Whether the TCP connection is still established (the first byte of Linux's TCP_INFO is its state)."""
    return connection.getsockopt(socket.IPPROTO_TCP, getattr(socket, "TCP_INFO", 11), 1)[0] == _ESTABLISHED


def _queued(connection: socket.socket) -> int:
    """Bytes in the socket's send queue not yet acknowledged by the peer (Linux's SIOCOUTQ); OSError elsewhere."""
    try:
        import fcntl
        import termios
    except ImportError:
        raise OSError("no send queue to read on this system") from None
    return struct.unpack("i", fcntl.ioctl(connection.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
