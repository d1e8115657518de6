"""SERVICE endpoints compared as RFC 3986 §6.2.2.1 compares them (scheme and host in any case), their user
information kept apart, and the allow-list's entries that give one endpoint two different mirrors."""

from __future__ import annotations

import re
from urllib.parse import quote

from kg.errors import ConfigError, shown_endpoint

# RFC 3986 appendix B, for absolute IRIs with an authority: scheme, authority, the rest
_WITH_AUTHORITY = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)(.*)", re.DOTALL)
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def endpoint_key(iri: str) -> str:
    """`iri` with its scheme and host in lower case, the only case-insensitive parts: ASCII letters only
    (str.lower() makes the Kelvin sign a 'k'); user information, port, escapes and path stay as written."""
    match = _WITH_AUTHORITY.fullmatch(iri)
    if match is None:
        return iri
    scheme, authority, rest = match.groups()
    userinfo, at, host = authority.rpartition("@")
    return f"{scheme.translate(_ASCII_LOWER)}://{userinfo}{at}{host.translate(_ASCII_LOWER)}{rest}"


def without_userinfo(url: str) -> tuple[str, str | None]:
    """`url` without its user information, and that information (None when it has none): what is called, and the
    credentials that go in a header, never in the host's name."""
    match = _WITH_AUTHORITY.fullmatch(url)
    if match is None or "@" not in match.group(2):
        return url, None
    scheme, authority, rest = match.groups()
    userinfo, _, host = authority.rpartition("@")
    return f"{scheme}://{host}{rest}", userinfo


ZONE_ID = ("an IPv6 zone id (fe80::1%25eth0) names a network interface of one machine and is not supported; "
           "give the endpoint's global address or host name")


def has_zone_id(url: str) -> bool:
    """Whether `url`'s host is an IPv6 literal with a zone id (RFC 6874), escaped or not."""
    match = _WITH_AUTHORITY.fullmatch(url)
    host = match.group(2).rpartition("@")[2] if match else ""
    return host.startswith("[") and "%" in host.partition("]")[0]


def as_uri(url: str) -> str:
    """An IRI as the URI a request line can carry (RFC 3987 §3.1): each character past ASCII after its authority
    sent as its UTF-8 bytes percent-escaped; the host is left to IDNA, as the socket encodes it."""
    match = _WITH_AUTHORITY.fullmatch(url)
    if match is None or url.isascii():
        return url
    scheme, authority, rest = match.groups()
    return f"{scheme}://{authority}{_NOT_ASCII.sub(lambda found: quote(found.group(), safe=''), rest)}"


def check_mirrors(entries) -> None:
    """ConfigError naming the first two entries (`IRI` or `IRI>URL`) that send one endpoint to different URLs;
    each is named by its place and IRI, since a mirror's URL may hold credentials."""
    seen: dict[str, tuple[int, str, str]] = {}
    for place, entry in enumerate(entries, 1):
        iri, _, mirror = entry.partition(">")
        called = endpoint_key(mirror or iri)
        earlier = seen.setdefault(endpoint_key(iri), (place, iri, called))
        if earlier[2] != called:
            raise ConfigError(f"entries {earlier[0]} ({_said(earlier[1], earlier[2])}) and {place} "
                              f"({_said(iri, called)}) send the same endpoint to different URLs; keep one")


def _said(iri: str, called: str) -> str:
    shown = repr(shown_endpoint(iri))  # its credentials are as secret as a mirror's
    return shown if called == endpoint_key(iri) else f"{shown} with a mirror"
