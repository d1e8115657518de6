"""Caps on a request's size: a body cap that also holds for chunked requests, which carry no
Content-Length, and the longest URI (uri_too_long).

Werkzeug refuses a declared length over the cap before reading, but it cuts an undeclared (chunked)
body short at the cap, which would hand a view half an update. This middleware reads such a body up to
one byte past the cap: over it, the request is marked too large; within it, it gets its length.
"""

from __future__ import annotations

import io

TOO_LARGE = "sahel_kg.body_too_large"
TRANSFER_ENCODING = "sahel_kg.transfer_encoding"  # the Transfer-Encoding sent, kept once its body has a length
MAX_URI_BYTES = 8190  # what common servers accept in a request line; SPARQLWrapper sends GET up to there


class BodyLimit:
    """WSGI middleware: give every body a Content-Length, or mark the request as too large."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    def __call__(self, environ, start_response):
        if not environ.get("CONTENT_LENGTH") and _has_body(environ):
            body = environ["wsgi.input"].read(self.limit + 1)
            if len(body) > self.limit:
                environ[TOO_LARGE] = True
                body = b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ[TRANSFER_ENCODING] = environ.pop("HTTP_TRANSFER_ENCODING", "")
            environ["wsgi.input_terminated"] = False
        return self.app(environ, start_response)


def _has_body(environ) -> bool:
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower() or \
        environ.get("wsgi.input_terminated", False)


def uri_too_long(environ) -> bool:
    """Whether the request's target (path, ?, query string) is over MAX_URI_BYTES."""
    return len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", "")) + 1 > MAX_URI_BYTES
