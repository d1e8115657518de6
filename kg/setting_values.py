"""How a setting's text becomes its value (kg.settings declares which reader each setting takes): a reader
raises ValueError, saying what the value must be, for text it refuses."""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Callable

from kg.errors import quoted, shown_endpoint


def boolean(text: str) -> bool:
    lowered = str(text).strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a boolean: {quoted(text)}")


def words(text) -> tuple[str, ...]:
    if isinstance(text, (list, tuple)):
        return tuple(text)
    return tuple(word for word in str(text).replace(",", " ").split() if word)


_ENDPOINT = re.compile(r"https?://[^\s<>\"{}|\\^`]+", re.IGNORECASE)  # an absolute http(s) IRI, as SERVICE names one


def endpoints(text) -> tuple[str, ...]:
    """SERVICE_ALLOWLIST's entries (words): each an endpoint's http(s) IRI, or IRI>URL (a mirror), both such."""
    entries = words(text)
    for entry in entries:
        if not all(_ENDPOINT.fullmatch(part) for part in entry.split(">", 1)):
            shown = " with a mirror" if ">" in entry else ""  # a mirror's URL is never shown, nor credentials
            raise ValueError(f"endpoints such as https://query.wikidata.org/sparql (or IRI>URL, a mirror) are "
                             f"needed, not {quoted(shown_endpoint(entry.partition('>')[0]))}{shown}")
        from kg.store import url_fault  # here: only an allowlist given reads it

        iri, _, mirror = entry.partition(">")
        named = quoted(shown_endpoint(iri))
        for part, shown in ((iri, named), (mirror, f"the mirror of {named}")):  # a mirror's URL: never shown
            if part and (fault := url_fault(part)) is not None:  # a host no call reaches: a traceback at the first
                raise ValueError(f"{shown} is no endpoint's URL: {fault}")
    from kg.endpoint_keys import check_mirrors

    check_mirrors(entries)  # a ConfigError, which is a ValueError: said with the setting's name
    return entries


def store_urls(text) -> tuple[str, ...]:
    """STORE_REPLICAS (words), or STORE_UPDATE_URL (one word), each a URL a request can go to (kg.store.url_fault);
    refused with its password hidden, as the console shows a store."""
    urls = words(text)
    if urls:  # here, and only then: kg serve's supervisor reads the settings and must not load the engine
        from kg.store import shown_spec, url_fault
    for url in urls:
        if (fault := url_fault(url)) is not None:  # each was a traceback at its first request (a..b: UnicodeError)
            raise ValueError(f"{quoted(shown_spec(url))} is no SPARQL endpoint's URL: {fault}")
    return urls


def store_url(text) -> str | None:
    """STORE_UPDATE_URL: a URL as store_urls checks each, or None for none."""
    url = optional(text)
    if url is not None and len(words(url)) != 1:
        store_urls(url)  # its words, each said if it is no URL
        raise ValueError(f"one URL is needed, not {len(words(url))}")
    return url if url is None else store_urls(url)[0]


def optional(text) -> str | None:
    return None if text in (None, "") else str(text)


_HEADER_TEXT = re.compile(r"[\x20-\x7e\t]*")  # what an HTTP field value carries everywhere (RFC 9110 §5.5)


def header_text(text) -> str:
    """Text that goes into a header: visible ASCII, spaces and tabs (no newline, control or non-ASCII)."""
    text = str(text)
    if not _HEADER_TEXT.fullmatch(text):
        raise ValueError(f"a header value of visible ASCII, spaces and tabs is needed, not {quoted(text)}")
    return text


def optional_header_text(text) -> str | None:
    return None if text in (None, "") else header_text(text)


def iri_base(text) -> str:
    text = str(text)
    if not text.startswith(("http://", "https://")) or not text.endswith("/"):
        raise ValueError(f"an absolute http(s) IRI ending in '/' is needed, not {quoted(text)}")
    return text


def origin(text) -> str | None:
    if text in (None, ""):
        return None
    text = str(text)
    scheme, _, rest = text.partition("://")
    if scheme not in ("http", "https") or not rest or any(ch in rest for ch in "/?#@ "):
        raise ValueError(f"an origin such as https://kg.example.org (scheme, host, optional port) is needed, "
                         f"not {quoted(text)}")
    return text


# An origin as a browser writes it in Origin, to which it compares Access-Control-Allow-Origin byte for byte: lower
# case, a host of letters, digits, '-', '_' and '.' (or an IPv6 address in brackets), a port only where not the default.
_BROWSER_ORIGIN = re.compile(r"(?P<scheme>https?)://(?P<host>[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?|\[[0-9a-f:.]+\])"
                             r"(?::(?P<port>[1-9][0-9]{0,4}))?")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def allowed_origin(text) -> str:
    """CORS_ORIGINS: * (every site), origins separated by spaces or commas, or empty (CORS off), as one string
    (several joined by a space); each as a browser writes its page's, to which it compares it byte for byte."""
    # So a URL with a path, a host in capitals, an IP address written otherwise, a default or impossible port
    # are refused: taken, they would match no page.
    text = header_text(text).strip()
    if text in ("", "*"):
        return text
    listed = list(dict.fromkeys(re.split(r"[\s,]+", text.strip(" ,"))))
    for each in listed:
        _browser_origin(each, several=len(listed) > 1)
    return " ".join(listed)


def _browser_origin(text: str, *, several: bool) -> None:
    found = _BROWSER_ORIGIN.fullmatch(text)
    port = found and found["port"]
    address = found and _address_written(found["host"])
    if found and address in (None, found["host"]) \
            and not (port and (int(port) > 65535 or port == _DEFAULT_PORTS[found["scheme"]])):
        return
    why = "* already names every site" if text == "*" else "an origin is a scheme, a host and an optional port"
    if address not in (None, found and found["host"]):
        why = (f"a browser writes this address as {address}" if address else
               "its host reads as an IP address that is none (a number out of range or misspelt)")
    elif text != text.lower() and _BROWSER_ORIGIN.fullmatch(text.lower()):
        why = f"a browser compares it to its page's origin written in lower case, {quoted(text.lower())}"
    elif port:
        why = (f"a browser writes its page's origin without the default port {port}" if int(port) <= 65535 else
               "no port is above 65535")
    raise ValueError(f"* or origins such as https://app.example (scheme, host, optional port; several separated by "
                     f"spaces or commas) are needed, not {quoted(text)}{' among them' if several else ''}: {why}")


def _address_written(host: str) -> str | None:
    """The IP address `host` names as a browser writes it in an origin (WHATWG URL: IPv6 compressed, IPv4 as four
    decimals, whatever the page's URL wrote: [0:0::1] is [::1], 127.1 and 0x7f.0.0.1 are 127.0.0.1), "" if it reads
    as an address but is none; None if `host` is a name."""
    if host.startswith("["):
        try:
            return f"[{_ipv6_written(int(ipaddress.IPv6Address(host[1:-1])))}]"
        except ValueError:
            return ""
    parts = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if not re.fullmatch(r"[0-9]+|0x[0-9a-f]*", parts[-1]):  # a host "ending in a number" is an IPv4 address
        return None
    try:
        numbers = [int(part[2:] or "0", 16) if part.startswith("0x") else int(part, 8 if part[:1] == "0" and
                                                                                 len(part) > 1 else 10)
                   for part in parts]
    except ValueError:  # an empty part, a letter in a decimal or an 8 or 9 in an octal one
        return ""
    if len(numbers) > 4 or any(number > 255 for number in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        return ""
    value = sum(number * 256 ** (3 - at) for at, number in enumerate(numbers[:-1])) + numbers[-1]
    return str(ipaddress.IPv4Address(value))


def _ipv6_written(value: int) -> str:
    """An IPv6 address as WHATWG URL writes it: eight hex pieces, the first longest run of two or more zero pieces
    as '::', never an embedded IPv4 (Python 3.13's str() writes ::ffff:1.2.3.4)."""
    pieces = [f"{value >> (112 - 16 * at) & 0xFFFF:x}" for at in range(8)]
    start, length = 0, 0
    for at in range(8):
        run = next((end for end in range(at, 8) if pieces[end] != "0"), 8) - at
        if run > length:
            start, length = at, run
    if length < 2:
        return ":".join(pieces)
    return ":".join(pieces[:start]) + "::" + ":".join(pieces[start + length:])


# Numbers are read as plain ASCII decimals, as request parameters are (api/numbers.py): float() and int()
# take "nan", "inf", "1e999", " 5", "1_0" and digits other than 0-9, none of which a limit should be.
_WHOLE = re.compile(r"[0-9]{1,19}")  # up to 10^18, which has 19 digits; MOST bounds the value
_DECIMAL = re.compile(r"[0-9]{1,18}(?:\.[0-9]{1,18})?|\.[0-9]{1,18}")
MOST = {True: 10 ** 18, False: 10 ** 9}  # seconds: about 31 years (waits refuse timeouts past 9.2e9 s)


def number(*, whole: bool, zero: str | None = None, most: int | None = None) -> Callable[[Any], Any]:
    """The reader of a count (`whole`) or of seconds: from 1 (counts) or more than 0 (seconds), or from 0
    when `zero` says what 0 means, up to `most` or MOST; a number, or its ASCII digits (and a decimal part for
    seconds)."""
    low = f"0 ({zero})" if zero else "1" if whole else None
    top = most or MOST[whole]
    kind = (f"a whole number from {low} to {most or '10^18'}" if whole else
            f"a number of seconds from {low} to 10^9" if low else "a number of seconds more than 0, at most 10^9")
    kind += " (such as 30 or 2.5)" if not whole else ""  # plain digits: 1e3, +5 and 5. are refused

    def read(raw):
        if isinstance(raw, str):
            value = (int if whole else float)(raw) if (_WHOLE if whole else _DECIMAL).fullmatch(raw) else None
        elif isinstance(raw, bool) or not isinstance(raw, int if whole else (int, float)):
            value = None
        else:
            value = raw if whole else float(raw)
        if value is None or not (0 if zero or not whole else 1) <= value <= top \
                or (value == 0 and not zero):  # NaN fails every comparison, so it is refused too
            shown = repr(raw) if len(repr(raw)) <= 40 else repr(raw)[:40] + "…"
            raise ValueError(f"must be {kind}, not {shown}")
        return value

    read.kind = kind  # what a value must be (the tests try every numeric setting)
    return read


SECONDS, COUNT = number(whole=False), number(whole=True)
