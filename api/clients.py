"""Who sent a request: the client's address, read through the reverse proxies the operator trusts."""

from __future__ import annotations

from flask import Request


def client_address(request: Request, trusted_proxies: tuple[str, ...]) -> str:
    """The peer's address; when the peer is a trusted proxy, the nearest X-Forwarded-For entry that is
    not one (entries a client wrote itself, further left, are never believed)."""
    address = request.remote_addr or ""
    if address not in trusted_proxies:
        return address
    for hop in reversed(request.headers.getlist("X-Forwarded-For")):
        for entry in reversed(hop.split(",")):
            entry = entry.strip()
            if entry and entry not in trusted_proxies:
                return entry
    return address
