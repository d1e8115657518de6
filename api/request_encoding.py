"""Refuse a request whose text is not clean: invalid UTF-8, a NUL byte or bad percent-encoding anywhere.

The path, the query string, every header and the body are checked before any view reads them, so that
no part of the service guesses at bytes (a NUL can cut a string short in C code; a stray byte can make a
parser and a policy check disagree). A faulty request is marked and answered 400 by the app, in the one
error shape; its body is not passed on.
"""

from __future__ import annotations

import io
import re
from urllib.parse import unquote_to_bytes

from api.body_limit import TRANSFER_ENCODING

BAD_ENCODING = "sahel_kg.bad_encoding"
_BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")
_HIGH_ESCAPE = re.compile(rb"%[89A-Fa-f][0-9A-Fa-f]")  # an escape of a byte above 0x7F
_HOST = re.compile(r"(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
FORM = "application/x-www-form-urlencoded"


class RequestEncoding:
    """WSGI middleware: mark (environ[BAD_ENCODING] = the reason) a request that is not clean UTF-8.

    `limit` is the body cap: a larger body is left for the cap's 413 and not read here.
    """

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    def __call__(self, environ, start_response):
        reason = _fault(environ, self.limit)
        if reason:
            environ[BAD_ENCODING] = reason
            environ["wsgi.input"] = io.BytesIO(b"")
            environ["CONTENT_LENGTH"] = "0"
        return self.app(environ, start_response)


def _fault(environ, limit: int) -> str | None:
    """Why the request is not clean, or None."""
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw_uri is not None:
        reason = _percent_fault(raw_uri.encode("latin-1", "replace"), "the URL")
        if reason:
            return reason
    reason = _text_fault(environ.get("PATH_INFO", ""), "the path") or _replaced(environ.get("PATH_INFO", "")) or \
        _percent_fault(environ.get("QUERY_STRING", "").encode("latin-1", "replace"), "the query string")
    if reason:
        return reason
    host = environ.get("HTTP_HOST")
    if host is not None and not _HOST.fullmatch(host):
        return "the Host header is not a host name (and port)"
    for key, value in environ.items():
        # A clean value (ASCII, no NUL: the usual header) is passed over before its name is written out.
        if (key.startswith("HTTP_") or key == "CONTENT_TYPE") and isinstance(value, str) \
                and ("\0" in value or not value.isascii()):
            reason = _text_fault(value, f"the {key.removeprefix('HTTP_').replace('_', '-').title()} header")
            if reason:
                return reason
    if not undecoded_coding(environ) and not undecoded_transfer_coding(environ):  # refused whole (415, 501),
        return _body_fault(environ, limit)  # not read as bad UTF-8
    return None


def undecoded_transfer_coding(environ) -> str:
    """The transfer codings of the body other than chunked (RFC 9112 §6.1: gzip, deflate...), which granian leaves
    undone and hands over as if they were the body; '' for none."""
    sent = environ.get(TRANSFER_ENCODING, environ.get("HTTP_TRANSFER_ENCODING", ""))  # api.body_limit keeps it
    codings = [coding.strip().lower() for coding in sent.split(",")]
    return ", ".join(coding for coding in codings if coding not in ("", "chunked", "identity"))


def undecoded_coding(environ) -> str:
    """The body's content coding (RFC 9110 §8.4), which the server never decodes; '' for none or identity."""
    coding = environ.get("HTTP_CONTENT_ENCODING", "").strip().lower()
    return "" if coding == "identity" else coding


def _text_fault(value: str, where: str) -> str | None:
    """A WSGI string (bytes read as Latin-1) must hold UTF-8 and no NUL."""
    if "\0" in value:
        return f"{where} has a NUL byte"
    if value.isascii():
        return None
    try:
        value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return f"{where} is not UTF-8"
    return None


def _replaced(path: str) -> str | None:
    """granian decodes the path before the app sees it, each invalid UTF-8 byte (%FF) becoming U+FFFD; no IRI
    may hold U+FFFD (RFC 3987 ucschar stops at U+FFEF), so a path holding it is refused as not UTF-8."""
    return "the path is not UTF-8" if "\ufffd".encode("utf-8").decode("latin-1") in path else None


def _percent_fault(raw: bytes, where: str) -> str | None:
    """Percent-encoded text: every % starts an escape, and what the escapes give is UTF-8 without NUL."""
    if _BAD_PERCENT.search(raw):
        return f"{where} has a % that does not start a %XX escape"
    if raw.isascii() and not _HIGH_ESCAPE.search(raw):  # decodes to ASCII, so to UTF-8: no decoding needed
        # Every % starts an escape here, so a NUL comes only from a NUL byte or from %00 itself.
        return f"{where} has a NUL byte" if b"\0" in raw or b"%00" in raw else None
    decoded = unquote_to_bytes(raw) if b"%" in raw else raw
    if b"\0" in decoded:
        return f"{where} has a NUL byte"
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return f"{where} is not UTF-8"
    return None


def _body_fault(environ, limit: int) -> str | None:
    """A body within the cap is read here (and handed on) and must be UTF-8 without NUL."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return "the Content-Length header is not a number"
    if length <= 0 or length > limit:
        return None
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    if environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower() == FORM:
        return _percent_fault(body, "the form body")
    if b"\0" in body:
        return "the body has a NUL byte"
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"the body is not UTF-8 (byte {error.start})"
    return None
