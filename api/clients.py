"""Who sent a request: the client's address, read through the reverse proxies the operator trusts."""

from __future__ import annotations

import ipaddress
from functools import lru_cache


def client_address(environ: dict, trusted_proxies: tuple[str, ...]) -> str:
    """The peer's address (of a WSGI environ); when the peer is a trusted proxy, the nearest X-Forwarded-For
    entry that is not one (entries a client wrote itself, further left, are never believed)."""
    address = environ.get("REMOTE_ADDR") or ""
    if address not in trusted_proxies:
        return address
    # A WSGI server joins repeated headers with commas, so one value holds every hop.
    for entry in reversed(environ.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        entry = entry.strip()
        if entry and entry not in trusted_proxies:
            return entry
    return address


@lru_cache(maxsize=1024)  # parsing an address costs more than the rest of naming its client
def is_loopback(address: str) -> bool:
    """Whether `address` (a peer's, as REMOTE_ADDR writes it) is one of the loopback interface."""
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
