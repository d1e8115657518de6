"""The origin (scheme://host[:port]) this server writes into the absolute URLs it hands out: the
service description, VoID, the reconciliation manifest, the home page, and the base IRI of a query, an
update or an upload.

The Host header is a client's word: copied into a manifest or a cached page it would let anyone point
other people's clients elsewhere, and as a base IRI it would let anyone change what `<x>` means in an
answer. So the PUBLIC_ORIGIN setting names the server, else IRI_BASE's origin; a Host header is used only
when it names the loopback interface, the server is not public and the client is on the loopback interface
too (one reached at 127.0.0.1 shows that; a remote client of a server bound to 0.0.0.0 could send any Host).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app, request
from werkzeug.routing import RequestRedirect
from werkzeug.wsgi import get_host

from api.clients import client_address, is_loopback
from api.redirects import redirect


def origin() -> str:
    """This server's origin for the current request (no trailing slash)."""
    return origin_for(current_app.config, request.environ)


def origin_for(settings, environ) -> str:
    """The origin under `settings` of the request of WSGI `environ`: for code that answers without Flask's request
    (api.fast_sparql)."""
    if settings["PUBLIC_ORIGIN"]:
        return settings["PUBLIC_ORIGIN"]
    # The client, not the peer, when the peer is a trusted proxy: a proxy on 127.0.0.1 passes remote clients' Hosts.
    local = not settings["PUBLIC"] and is_loopback(client_address(environ, settings["TRUSTED_PROXIES"]))
    return _unconfigured(environ["wsgi.url_scheme"], environ.get("HTTP_HOST"), environ.get("SERVER_NAME"),
                         environ.get("SERVER_PORT"), settings["IRI_BASE"], local)


def public_url(path: str | None = None) -> str:
    """The absolute URL of `path` (starting with /) here, or of the requested path without its query."""
    if path is None:
        path = request.base_url[len(request.host_url) - 1:]  # the path as sent, still percent-encoded
    return origin() + path


def install(app) -> None:
    """Werkzeug's own redirects (to a route's trailing slash: /problems to /problems/) name the public origin."""

    @app.before_request
    def public_routing_redirect():
        # Werkzeug builds their Location from the Host header, and Flask sends them past every error handler.
        moved = request.routing_exception
        if isinstance(moved, RequestRedirect):
            target = urlsplit(moved.new_url)
            return redirect(public_url(target.path) + (f"?{target.query}" if target.query else ""), moved.code)
        return None


@lru_cache(maxsize=64)
def _unconfigured(scheme: str, host_header: str | None, server_name: str | None, server_port: str | None,
                  iri_base: str, local: bool) -> str:
    """Without PUBLIC_ORIGIN: the loopback Host (werkzeug's get_host of the environ's Host, SERVER_NAME and
    SERVER_PORT) as sent by a `local` client (loopback, of a server not public), else IRI_BASE's origin. Kept, as
    every query asks for it (many Hosts sent only turn the entries over)."""
    # A public server's loopback Host is a proxy's own (nginx sends 127.0.0.1:8000) or a client's invention.
    if local:
        given = {"HTTP_HOST": host_header, "SERVER_NAME": server_name, "SERVER_PORT": server_port}
        environ = {name: value for name, value in given.items() if value is not None}
        host = get_host({"wsgi.url_scheme": scheme, **environ})
        if _loopback(urlsplit("//" + host).hostname or ""):
            return f"{scheme}://{host}"
    base = urlsplit(iri_base)
    return f"{base.scheme}://{base.netloc}"


def _loopback(hostname: str) -> bool:
    """localhost, or an address of the loopback interface written in full (127.0.0.1.evil.example is a name)."""
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False
