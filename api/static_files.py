"""/static files by RFC 9110: preconditions in §13.2.2's order (api.conditional's), then at most one byte range.

Werkzeug's own handling (send_file's make_conditional) answers 416 to ranges it may only ignore (another unit, an
invalid range-spec, several ranges, a HEAD), 206 to a weak or later-dated If-Range, and skips If-Unmodified-Since.
"""

from __future__ import annotations

import re
import time

from flask import Response, current_app, request, send_from_directory
from werkzeug.security import safe_join

from api.conditional import evaluate, one_date, unchanged
from api.errors import Problem

# What a 304 carries of its 200 (RFC 9110 §15.4.5): what a cache would otherwise have to drop or keep stale.
KEPT = ("Cache-Control", "Content-Location", "ETag", "Expires", "Last-Modified", "Vary")
_RANGE_SPEC = re.compile(r"([0-9]*)-([0-9]*)")
# More bytes than any file has: a longer number means the same, and int() refuses over 4,300 digits (a 500).
_PAST_ANY_FILE = 10**19


def install(app) -> None:
    """Serve the app's static route with `static_file` instead of Flask's own view."""
    app.view_functions["static"] = static_file


def static_file(filename: str) -> Response:
    """One file of the static folder: 304 or 412 as its validators and the request's say, else the whole file or
    the one byte range a GET asks for (206), or 416 when no range asked for is in the file."""
    folder = current_app.static_folder
    response = send_from_directory(folder, filename, max_age=current_app.get_send_file_max_age(filename),
                                   conditional=False)  # Werkzeug's ETag and Last-Modified, none of its answers
    response.headers["Accept-Ranges"] = "bytes"
    etag, modified = response.headers["ETag"], response.last_modified.timestamp()
    try:
        if evaluate(etag, modified, dated=True):
            response.close()
            return unchanged({name: response.headers[name] for name in KEPT if name in response.headers},
                             response.mimetype)
        span = None
        if request.method == "GET" and "Range" in request.headers and _if_range_holds(etag, modified):
            span = requested_range(request.headers["Range"], response.content_length)
    except Problem:
        response.close()
        raise
    return response if span is None else _partial(response, safe_join(folder, filename), span)


def _if_range_holds(etag: str, modified: float) -> bool:
    """RFC 9110 §13.1.5: an entity tag compared strongly (a weak one never holds), a date that is exactly the
    Last-Modified, a second old at least; no If-Range holds too."""
    value = request.headers.get("If-Range")
    if value is None:
        return True
    value = value.strip()
    if value.startswith(('"', "W/")):
        return value == etag
    date = one_date(value)
    # A Last-Modified less than a second before now is weak (§8.8.2.2): the file may change again within it.
    return date is not None and date == int(modified) and time.time() - modified >= 1


def requested_range(header: str, length: int) -> tuple[int, int] | None:
    """The one byte range (first, last) a Range header asks of `length` bytes; None where the header is to be
    ignored (another unit, an invalid range-spec, several ranges: RFC 9110 §14.2 lets a server send the whole);
    Problem 416 where no range-spec asks for a byte the file has (§14.1.1-2)."""
    unit, equals, specs = header.partition("=")
    if not equals or unit.strip().lower() != "bytes" or length == 0:
        return None
    asked = []
    for spec in specs.split(","):
        if not spec.strip(" \t"):  # an empty list element, which a recipient accepts (§5.6.1.2)
            continue
        match = _RANGE_SPEC.fullmatch(spec.strip(" \t"))
        if match is None or match.groups() == ("", ""):
            return None
        first, last = (_number(part) if part else None for part in match.groups())
        if first is not None and last is not None and last < first:  # invalid, so the whole header is (§14.1.1)
            return None
        asked.append((first, last))
    if not asked:
        return None
    if not any(last > 0 if first is None else first < length for first, last in asked):
        raise Problem(416, "Range not satisfiable", f"no range asked for starts within the {length} bytes there are",
                      headers={"Content-Range": f"bytes */{length}"})
    if len(asked) > 1:  # no multipart/byteranges here: the whole file is the answer §14.2 allows
        return None
    first, last = asked[0]
    if first is None:  # a suffix: the last `last` bytes, or all of them when there are fewer
        return max(length - last, 0), length - 1
    return first, length - 1 if last is None else min(last, length - 1)


def _number(digits: str) -> int:
    """A range-spec's position, any past every file's length read as _PAST_ANY_FILE."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) < 19 else _PAST_ANY_FILE


def _partial(response: Response, path: str, span: tuple[int, int]) -> Response:
    """206 Partial Content: bytes `span` of the file at `path`, with the 200's headers and a Content-Range."""
    first, last = span
    length = response.content_length
    response.close()
    with open(path, "rb") as file:
        file.seek(first)
        body = file.read(last - first + 1)
    response.direct_passthrough = False
    response.set_data(body)
    response.status_code = 206
    response.headers["Content-Range"] = f"bytes {first}-{last}/{length}"
    return response
