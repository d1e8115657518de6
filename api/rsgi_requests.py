"""What api.rsgi makes of an RSGI request before the app sees it: a WSGI environ, the faults of its head that
are refused at once (with a problem document), and whether it has a body to read."""

from __future__ import annotations

import json
import sys

from api.request_encoding import BAD_ENCODING


def request_fault(scope, environ) -> str | None:
    """Why a request's head is refused before the app sees it (RFC 9112 §3.2, §3.2.1), or None."""
    if not _length_ok(environ.get("CONTENT_LENGTH")):  # granian refuses these itself; another server may not
        return "the Content-Length header is not a number"
    if not scope.path.startswith("/") and not (scope.method == "OPTIONS" and scope.path == "*"):
        return "the request target is not a path starting with '/' (origin form)"
    if scope.http_version == "1.1" and "HTTP_HOST" not in environ:  # or it came, and granian withheld its value
        return environ[BAD_ENCODING] if "host" in scope.headers.keys() and BAD_ENCODING in environ else \
            "an HTTP/1.1 request must have a Host header"
    return None


def _length_ok(declared: str | None) -> bool:
    """A Content-Length is absent or ASCII digits (str.isdigit alone takes "²" and other digits)."""
    return declared is None or (declared.isascii() and declared.isdigit())


def bodiless(scope, environ) -> bool:
    """Whether a request surely has no body: none is read, and no timer started for it."""
    return scope.method in ("GET", "HEAD", "OPTIONS", "DELETE") and not environ.get("CONTENT_LENGTH") \
        and "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "")


def environ_for(scope) -> dict:
    """A WSGI environ for an RSGI scope (the body is added once read)."""
    host, _, port = scope.server.rpartition(":")
    environ = {
        "REQUEST_METHOD": scope.method, "SCRIPT_NAME": "",
        # WSGI strings carry bytes as Latin-1; granian gives the path and query string as text (UTF-8 read),
        # the path already percent-decoded (once: decoding it again would read %2541 as A)
        "PATH_INFO": scope.path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.query_string.encode("utf-8").decode("latin-1"),
        "SERVER_NAME": host, "SERVER_PORT": port, "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
        "REMOTE_ADDR": peer_address(scope.client), "wsgi.version": (1, 0), "wsgi.url_scheme": scope.scheme,
        "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True,
        "wsgi.run_once": False, "wsgi.input_terminated": True,
    }
    for name, value in scope.headers.items():
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        else:
            key = "HTTP_" + key
            environ[key] = f"{environ[key]},{value}" if key in environ else value
    # granian hands over only header values of visible ASCII, dropping the others unseen (RSGIHeaders.items
    # in its src/rsgi/types.rs); the name is still listed, and get() finds no value if the first was dropped.
    for name in scope.headers.keys():
        if scope.headers.get(name) is None:
            environ[BAD_ENCODING] = f"the {name.title()} header has bytes outside ASCII, which the HTTP server does not pass on"
    return environ


def peer_address(client: str) -> str:
    """REMOTE_ADDR of an RSGI scope's client ("host:port", "[v6]:port"), as other WSGI servers write it: an IPv6
    address unbracketed, an IPv4-mapped one (a dual-stack socket's IPv4 peer) as the IPv4 address."""
    host = client.rpartition(":")[0] if ":" in client else client
    if host.startswith("["):  # "[::1]" was loopback to no one, and "[::ffff:127.0.0.1]" no TRUSTED_PROXIES entry
        host = host[1:-1]
        if host[:7].lower() == "::ffff:" and "." in host:
            host = host[7:]
    return host


def problem(status: int, title: str, detail: str) -> bytes:
    from api.errors import problem_document

    return json.dumps(problem_document(status, title, detail)).encode()
