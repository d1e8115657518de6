"""The origin (scheme://host[:port]) this server writes into the absolute URLs it hands out: the
service description, VoID, the reconciliation manifest, the home page, a query's base IRI.

The Host header is a client's word: copied into a manifest or a cached page it would let anyone point
other people's clients elsewhere. So it is used only when it names the loopback interface (a server
reached at 127.0.0.1 shows that address); otherwise the PUBLIC_ORIGIN setting, else IRI_BASE's origin.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from flask import current_app, request

def origin() -> str:
    """This server's origin for the current request (no trailing slash)."""
    configured = current_app.config["PUBLIC_ORIGIN"]
    if configured:
        return configured
    if _loopback(urlsplit("//" + request.host).hostname or ""):
        return f"{request.scheme}://{request.host}"
    base = urlsplit(current_app.config["IRI_BASE"])
    return f"{base.scheme}://{base.netloc}"


def public_url(path: str | None = None) -> str:
    """The absolute URL of `path` (starting with /) here, or of the requested path without its query."""
    if path is None:
        path = request.base_url[len(request.host_url) - 1:]  # the path as sent, still percent-encoded
    return origin() + path


def _loopback(hostname: str) -> bool:
    """localhost, or an address of the loopback interface written in full (127.0.0.1.evil.example is a name)."""
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False
