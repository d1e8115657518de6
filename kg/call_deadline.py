"""SERVICE calls held to their time limit as a whole, from the start: name resolution, each connect, TLS and the
answer get what is left, and a timer shuts the socket at the deadline. Redirects are reported, never followed."""

from __future__ import annotations

import functools
import http.client
import ipaddress
import os
import socket
import threading
import time
import urllib.request

RESOLVERS = 4  # name resolutions in flight at once, in all: a hung resolver holds its thread until it gives up
_resolvers = threading.BoundedSemaphore(RESOLVERS)


def _fresh_resolvers() -> None:
    global _resolvers
    _resolvers = threading.BoundedSemaphore(RESOLVERS)


# A query worker forked while a resolution hung would keep its place taken with no thread to give it back.
os.register_at_fork(after_in_child=_fresh_resolvers)


class _Cut:
    """A connection shut when its request's time (its timeout, from when it is made) runs out: name resolution,
    connecting, TLS and the answer all count, since a timer started with the connection shuts its socket."""

    def start(self, seconds: float) -> None:
        self.ends, self.expired, self._raw, self._lock = time.monotonic() + seconds, False, None, threading.Lock()
        self._create_connection = self._connected  # http.client's hook for the socket connect() makes
        self._timer = threading.Timer(max(0.0, seconds), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _left(self) -> float:
        """Seconds the call has left; DeadlineExpired when none."""
        left = self.ends - time.monotonic()
        if left <= 0 or self.expired:
            self.expired = True
            raise DeadlineExpired()
        return left

    def _connected(self, address, timeout=None, source_address=None, *args, **kwargs):
        """socket.create_connection's work within the time left: resolution and each connect attempt."""
        error, found = None, _resolved(*address, self._left())
        if found is None:  # the resolver is still at it when the time is up
            self.expired = True
            raise DeadlineExpired()
        for family, kind, protocol, _, where in found:
            sock = socket.socket(family, kind, protocol)
            try:
                self._watch(sock)
                sock.settimeout(self._left())
                if source_address:
                    sock.bind(source_address)
                sock.connect(where)
                sock.settimeout(timeout)  # each read's own limit, as asked; the timer keeps the whole call's
                return sock
            except OSError as failure:
                sock.close()
                self._left()  # a deadline that passed is the reason, whatever the socket said
                error = failure
        raise error or OSError(f"{address[0]} has no address")

    def _watch(self, sock) -> None:
        """The socket the timer is to shut from now on (TLS wraps the plain one in a new object)."""
        with self._lock:
            self._raw = sock
        self._left()

    def _expire(self):
        with self._lock:
            self.expired = True
            raw = self._raw
        if raw is None:  # still resolving: _left() ends that
            return
        try:  # the plain socket's: a blocked connect or read, TLS or not, sees the end of the stream at once
            socket.socket.shutdown(raw, socket.SHUT_RDWR)
        except OSError:  # closed already, or not yet connected (connect's own timeout ends that)
            pass

    def stop(self) -> None:
        self._timer.cancel()


def _resolved(host: str, port: int, seconds: float) -> list | None:
    """getaddrinfo within `seconds`, else None (a resolver can take minutes and cannot be interrupted: it is left to
    finish in a thread of its own, one of at most RESOLVERS, and a call that gets none in time gets None too); an IP
    address is read at once."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    answer, done, ends = [], threading.Event(), time.monotonic() + seconds
    if not _resolvers.acquire(timeout=max(0.0, seconds)):  # every thread is held by a resolution still going on
        return None

    def resolve():
        try:
            answer.append(socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM))
        except Exception as error:  # noqa: BLE001 - handed to the caller as it is
            answer.append(error)
        finally:
            _resolvers.release()
            done.set()
    try:
        threading.Thread(target=resolve, name="service-resolver", daemon=True).start()
    except BaseException:  # no thread could be started: its place is free again
        _resolvers.release()
        raise
    if not done.wait(max(0.0, ends - time.monotonic())):
        return None
    if isinstance(answer[0], Exception):
        raise answer[0]
    return answer[0]


class _HTTP(_Cut, http.client.HTTPConnection):
    pass


class _HTTPS(_Cut, http.client.HTTPSConnection):
    def start(self, seconds: float) -> None:
        super().start(seconds)
        self._context = _Handshaking(self._context, self)


class _Handshaking:
    """A TLS context whose handshake is made on a socket the connection's timer can shut, within the time left."""

    def __init__(self, context, connection: _HTTPS):
        self._tls, self._connection = context, connection

    def wrap_socket(self, sock, server_hostname=None, **_):
        timeout = sock.gettimeout()
        tls = self._tls.wrap_socket(sock, server_hostname=server_hostname, do_handshake_on_connect=False)
        self._connection._watch(tls)
        tls.settimeout(self._connection._left())
        tls.do_handshake()
        tls.settimeout(timeout)
        return tls

    def __getattr__(self, name):
        return getattr(self._tls, name)


class DeadlineExpired(TimeoutError):
    """The call's time limit passed while the endpoint was answering."""


class _Handler(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    def http_open(self, request):
        return self._opened(_HTTP, request)

    def https_open(self, request):
        hostname = getattr(self, "_check_hostname", None)  # Python 3.11's, gone in 3.12
        return self._opened(_HTTPS, request, context=self._context,
                            **({} if hostname is None else {"check_hostname": hostname}))

    def _opened(self, kind, request, **options):
        made = []

        def connection(*args, **kwargs):
            made.append(kind(*args, **kwargs))
            made[-1].start(request.timeout)
            return made[-1]
        try:
            response = self.do_open(connection, request, **options)
        except Exception:
            if made:
                made[0].stop()
                if made[0].expired:
                    raise DeadlineExpired() from None
            raise
        response.cut_connection = made[0] if made else None
        return response


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@functools.cache
def opener():
    """An opener whose calls end at their timeout, all told, and which reports a redirect, never follows it: a
    redirect could lead off the allow-list."""
    return urllib.request.build_opener(_Handler, _NoRedirect)


def expired(response) -> bool:
    """Whether the deadline cut this response's connection (what was read is then a part)."""
    connection = getattr(response, "cut_connection", None)
    return connection is not None and connection.expired


def finished(response) -> None:
    """The response is read: its timer is stopped."""
    connection = getattr(response, "cut_connection", None)
    if connection is not None:
        connection.stop()
