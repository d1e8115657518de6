"""SERVICE calls held to their time limit as a whole (a socket's timeout bounds each read alone): a timer shuts
the connection at the call's deadline. Redirects are reported, never followed."""

from __future__ import annotations

import functools
import http.client
import socket
import threading
import time
import urllib.request


class _Cut:
    """A connection shut when its request's time (its timeout, from when it is made) runs out."""

    def start(self, seconds: float) -> None:
        self.ends, self.expired, self._timer = time.monotonic() + seconds, False, None

    def connect(self):
        super().connect()
        self._raw = self.sock  # the response reads on after urllib drops self.sock
        self._timer = threading.Timer(max(0.0, self.ends - time.monotonic()), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self):
        self.expired = True
        try:  # the plain socket's: a blocked read, TLS or not, sees the end of the stream at once
            socket.socket.shutdown(self._raw, socket.SHUT_RDWR)
        except OSError:  # closed already
            pass

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


class _HTTP(_Cut, http.client.HTTPConnection):
    pass


class _HTTPS(_Cut, http.client.HTTPSConnection):
    pass


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
            if made and made[0].expired:
                raise DeadlineExpired() from None
            if made:
                made[0].stop()
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
