"""One SPARQL protocol request to a remote engine, within a deadline.

The answer is read as it arrives; at the deadline a watchdog shuts the socket, so no read outlives the
limit however the engine dribbles its bytes, and so does a stop of the query's helper thread (a cancel in
the console: kg.store.deadline.STOPPING), which no read between rows would see while the engine is silent.
An unreachable store is StoreUnavailable (503); kg.store.remote_failures says what an answer that is not a
success means.
"""

from __future__ import annotations

import base64
import functools
import http.client
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kg.errors import RemoteStoreFailure, StoreUnavailable
from kg.store.deadline import STOPPING, Stop
from kg.store.shown_urls import shown_url
from kg.store.digest_auth import digest_authorization, digest_challenge

READ_BYTES = 1 << 16
REPLY_BYTES = 1 << 16  # the most read of an answer whose body goes unused (the first ASK, an update's reply)
USER_AGENT = "sahel-kg (remote store)"


class DeadlinePassed(Exception):
    """The request's deadline passed while it was sent or read."""


@dataclass
class Answer:
    """An engine's answer being read: status, headers, media type, and its body as chunks."""

    url: str  # as messages name it: a password in it as ***
    status: int
    headers: http.client.HTTPMessage
    media_type: str
    _connection: http.client.HTTPConnection
    _response: http.client.HTTPResponse
    _deadline: float | None
    _watchdog: threading.Timer | None
    _unhook: Callable[[], None]

    @property
    def reason(self) -> str:
        """The words of the status line ("Bad Gateway"), as the server sent them; may be empty."""
        return str(self._response.reason or "")

    def chunks(self, *, whole: bool = True) -> Iterator[bytes]:
        """The body in pieces; raises DeadlinePassed if the deadline cuts it, and where `whole`, RemoteStoreFailure
        if it ends short of the length it announced or of its last chunk (what came is never a whole answer)."""
        try:
            while True:
                try:
                    chunk = self._response.read1(READ_BYTES)
                except http.client.IncompleteRead:  # chunked: the connection closed within the body
                    if self._late():
                        raise DeadlinePassed from None
                    if not whole:
                        return
                    raise RemoteStoreFailure(f"{self.url} broke off its answer within a chunk: nothing of it is "
                                             "used") from None
                except (OSError, http.client.HTTPException, ValueError, AttributeError):
                    if self._late():
                        raise DeadlinePassed from None
                    raise
                if self._late():
                    raise DeadlinePassed
                if not chunk:
                    short = self._response.length  # http.client counts down an announced Content-Length
                    if whole and short:
                        raise RemoteStoreFailure(f"{self.url} ended its answer {short} bytes short of the length it "
                                                 "announced: nothing of it is used")
                    return
                yield chunk
        finally:
            self.close()

    def read(self, most: int | None = None) -> bytes:
        """The body, or its first `most` bytes and more: then the connection is closed, the rest unread. Only for a
        body that is no result (a reply, an error's words): one cut short is taken as it came."""
        body, chunks = bytearray(), self.chunks(whole=False)
        try:
            for chunk in chunks:
                body += chunk
                if most is not None and len(body) >= most:
                    break
        finally:
            chunks.close()
        return bytes(body)

    def close(self) -> None:
        """Stop reading and hang up: a streaming engine stops its work when its writes fail."""
        _stop(self._connection, self._watchdog)
        self._unhook()

    def _late(self) -> bool:
        return self._deadline is not None and time.monotonic() >= self._deadline


def post(url: str, fields: list[tuple[str, str]], *, accept: str, deadline: float | None,
         credentials: tuple[str, str] | None = None) -> Answer:
    """POST `fields` as a form to `url`; the answer once its headers are in (any status). With `credentials`,
    Basic authentication, or Digest where the engine answers 401 with a Digest challenge (Virtuoso).

    Raises DeadlinePassed when the deadline passes first, StoreUnavailable when the store cannot be reached.
    """
    basic = credentials if url not in _DIGEST_ONLY else None
    answer = _post(url, fields, accept=accept, deadline=deadline, credentials=basic)
    if credentials is None or answer.status != 401:
        return answer
    challenge = digest_challenge(answer.headers.get("WWW-Authenticate", ""))
    if challenge is None and basic is not None:  # Virtuoso answers Basic with a bare 401: ask for its challenge
        answer.close()
        answer = _post(url, fields, accept=accept, deadline=deadline)
        challenge = digest_challenge(answer.headers.get("WWW-Authenticate", "")) if answer.status == 401 else None
    if challenge is None:
        return answer
    _DIGEST_ONLY.add(url)
    answer.close()  # the connection is not kept: each request has its own
    parts = urllib.parse.urlsplit(url)
    target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    try:
        authorization = digest_authorization(challenge, *credentials, "POST", target)
    except ValueError as error:
        raise StoreUnavailable(f"{shown_url(url)}: {error}") from None
    return _post(url, fields, accept=accept, deadline=deadline, authorization=authorization)


_DIGEST_ONLY: set[str] = set()  # URLs that answered Basic with 401 and a Digest challenge: Digest from then on


def _post(url: str, fields: list[tuple[str, str]], *, accept: str, deadline: float | None,
          credentials: tuple[str, str] | None = None, authorization: str | None = None) -> Answer:
    parts = urllib.parse.urlsplit(url)
    remaining = None if deadline is None else deadline - time.monotonic()
    if remaining is not None and remaining <= 0:
        raise DeadlinePassed
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=remaining)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept, "User-Agent": USER_AGENT}
    if authorization:
        headers["Authorization"] = authorization
    elif credentials:
        token = base64.b64encode(":".join(credentials).encode("utf-8")).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    # Hooked before the connect: a stop (a cancel in the console), like the deadline, hangs up whatever is
    # awaited, a connect or a TLS handshake that never ends included.
    line, watchdog, answered = _Line(STOPPING.get()), None, False
    try:
        connection.sock = _connect(parts.hostname, connection.port, remaining, line)
        if parts.scheme == "https":
            connection.sock = _secure(connection.sock, parts.hostname, line)
        if remaining is not None:  # from here on the deadline, not a per-read timeout, ends the request
            connection.sock.settimeout(None)
            watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), line.hang_up)
            watchdog.daemon = True
            watchdog.start()
        connection.request("POST", path, urllib.parse.urlencode(fields).encode("utf-8"), headers)
        response = connection.getresponse()
        answered = True
    except (socket.timeout, TimeoutError):
        raise DeadlinePassed from None
    except (OSError, http.client.HTTPException) as error:
        if deadline is not None and time.monotonic() >= deadline:
            raise DeadlinePassed from None
        raise StoreUnavailable(f"cannot reach {shown_url(url)}: {error}") from None
    finally:
        if not answered:  # Ctrl-C in this thread too (a request made outside a helper)
            _stop(connection, watchdog)
            line.unhook()
    media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return Answer(shown_url(url), response.status, response.headers, media, connection, response, deadline, watchdog,
                  line.unhook)


def _nothing() -> None:
    pass


class _Line:
    """The socket a request is on, kept where a stop finds it. Its own, not http.client's: once the answer's
    head is read, http.client may hand the socket to the response (a body without a length) and forget it."""

    def __init__(self, stopping: Stop | None):
        self.sock: socket.socket | None = None
        self._stopping = stopping
        self.unhook = stopping.on_stop(self.hang_up) if stopping is not None else _nothing

    def use(self, sock: socket.socket) -> None:
        self.sock = sock
        if self.stopped():  # stopped before: the hook found no socket to hang up
            _hang_up(sock)

    def stopped(self) -> bool:
        return self._stopping is not None and self._stopping.is_set()

    def hang_up(self) -> None:
        if self.sock is not None:
            _hang_up(self.sock)


def _connect(host: str, port: int, timeout: float | None, line: _Line) -> socket.socket:
    """As socket.create_connection, but each socket is on `line` before it connects."""
    failure: OSError = OSError(f"no address for {host}")
    for family, kind, protocol, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        sock = socket.socket(family, kind, protocol)
        line.use(sock)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as http.client does: no Nagle delay
            return sock
        except OSError as error:
            sock.close()
            failure = error
            if line.stopped():
                break
    raise failure


def _secure(sock: socket.socket, host: str, line: _Line):
    """`sock` under TLS, put on `line` before the handshake (the raw socket is given up to it)."""
    tls = _tls_context().wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False)
    line.use(tls)
    tls.do_handshake()
    return tls


@functools.lru_cache(maxsize=1)
def _tls_context():
    """What http.client.HTTPSConnection uses by default: the system's CAs, names checked, ALPN http/1.1."""
    import ssl

    context = ssl.create_default_context()
    context.set_alpn_protocols(["http/1.1"])
    return context


def _hang_up(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # closed already (a closed socket object holds no descriptor another may reuse)
        pass


def _stop(connection, watchdog) -> None:
    if watchdog is not None:
        watchdog.cancel()
    connection.close()
