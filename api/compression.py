"""gzip for the answers a client accepts it for (RFC 9110 §8.4.1.3, §12.5.3): query results, RDF, pages and problem
bodies of COMPRESSED_TYPES past MIN_BYTES, compressed as they stream.

A gzipped answer is another representation, so its strong ETag gets TAG_SUFFIX ("x" becomes "x-gzip"), as Apache
does: a client's If-None-Match or If-Match naming it is read as the plain tag it stands for, so that a revalidation
answers 304 and a write conditional on a graph read gzipped is not refused. If-Range is left as it came: a range (206,
/static alone) is of the plain bytes, and a range of the gzipped ones cannot be given; where a Range is ignored (every
other route, /sparql among them) the whole answer is gzipped as it would be without it. Every answer of a type that may be gzipped
says Vary: Accept-Encoding, gzipped or not, so that a shared cache keeps the two apart.
"""

from __future__ import annotations

import itertools
import re
import time
import zlib

MIN_BYTES = 1024  # smaller answers (a lookup, most problems) gain too little to pay for the work
FLUSH_SECONDS = 1.0  # a slow answer's bytes are held back no longer than about this (and the gap between chunks)
TAG_SUFFIX = "-gzip"
COMPRESSED_TYPES = ("text/", "application/sparql-results+", "application/json", "application/problem+json",
                    "application/ld+json", "application/n-triples", "application/n-quads", "application/trig",
                    "application/rdf+xml", "application/xml", "application/javascript", "image/svg+xml",
                    "application/x-turtle", "application/turtle", "application/x-trig",  # the formats' older names
                    "application/schema+json", "application/vnd.oai.openapi")
_NOT_COMPRESSED = (204, 206, 304)  # no body, a byte range of the plain representation, or a validation
_GZIP_TAG = re.compile(r'-gzip"')


def gzipped_type(media: str, settings) -> bool:
    """Whether answers of `media` may be gzipped under `settings` (and so vary by Accept-Encoding)."""
    return settings["GZIP_LEVEL"] > 0 and media.lower().startswith(COMPRESSED_TYPES)


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding header takes gzip: named (or as x-gzip), else by *, with a q above 0 and not
    below identity's where it names identity. The parameter's name is read in any case, among any others; a
    coding named twice has its lower weight."""
    weights: dict[str, float] = {}
    for element in header.split(","):
        coding, *params = (part.strip() for part in element.split(";"))
        coding = "gzip" if coding.lower() == "x-gzip" else coding.lower()  # the same coding (RFC 9110 §8.4.1.3)
        if not coding:
            continue
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                weight = _weight(value.strip())
        weights[coding] = min(weight, weights.get(coding, weight))
    gzip = weights.get("gzip", weights.get("*", 0.0))
    # RFC 9110 §12.5.3: the acceptable coding of the highest weight is preferred, and identity is one a client
    # may weigh ("gzip;q=0.1, identity" asks for the plain bytes); left unnamed, it is no preference.
    return gzip > 0 and gzip >= weights.get("identity", 0.0)


def _weight(value: str) -> float:
    try:
        weight = float(value)
    except ValueError:  # "q=1.0.0": no weight a client meant
        return 0.0
    return weight if weight == weight else 0.0  # nan


class ResponseCompression:
    """WSGI middleware gzipping what `app` answers where the request accepts it (level `level`; 0: never)."""

    def __init__(self, app, *, level: int):
        self.app, self.level = app, level

    def __call__(self, environ, start_response):
        if self.level == 0:
            return self.app(environ, start_response)
        coding = environ.get("HTTP_ACCEPT_ENCODING")
        # Range does not enter: a route that serves ranges answers 206 (never gzipped), one that ignores them the
        # whole answer, gzipped as for a request without Range (a plain copy would be another representation).
        gzip_ok = coding is not None and accepts_gzip(coding)
        untagged = _plain_tags(environ, gzip_ok)
        chosen = {"gzip": False}

        def start(status, headers, exc_info=None):
            code, media = int(status[:3]), _header(headers, "content-type")
            if media is not None and media.lower().startswith(COMPRESSED_TYPES):
                headers = _vary(headers)
                length = _header(headers, "content-length")
                chosen["gzip"] = gzip_ok and code not in _NOT_COMPRESSED and code >= 200 \
                    and _header(headers, "content-encoding") is None and (length is None or int(length) >= MIN_BYTES)
            if chosen["gzip"]:
                headers = _tagged([(name, value) for name, value in headers if name.lower() != "content-length"])
                headers.append(("Content-Encoding", "gzip"))
            elif code == 304 and untagged:  # the validation of a gzipped copy names its tag (its Vary: unchanged())
                headers = _tagged(headers)
            return start_response(status, headers, exc_info)

        body = self.app(environ, start)
        if not gzip_ok:  # most requests (wrk, curl, SPARQL clients): nothing more to do
            return body
        if environ.get("REQUEST_METHOD") == "HEAD" and chosen["gzip"]:  # no length: it is known only once made
            _close(body)
            return []
        return _Gzipped(body, chosen, self.level)


class _Gzipped:
    """The app's answer, gzipped as it is read if start_response chose so (which a lazy app does at its first
    chunk); closing it closes the app's iterable, which stops the work behind an answer a client left."""

    def __init__(self, body, chosen: dict, level: int):
        self.body, self.chosen, self.level = body, chosen, level

    def __iter__(self):
        chunks = iter(self.body)
        first = next(chunks, None)
        if not self.chosen["gzip"]:
            if first is not None:
                yield first
            yield from chunks
            return
        packer = zlib.compressobj(self.level, zlib.DEFLATED, 31)  # 31: a gzip header and trailer
        flushed = time.monotonic()
        try:
            for chunk in itertools.chain([first] if first is not None else [], chunks):
                packed = packer.compress(chunk)
                # zlib holds back what it has not yet packed into a block: tens of rows of a slow answer, or
                # minutes of them; what came over FLUSH_SECONDS after the last flush goes out now, as it would plain
                if time.monotonic() - flushed >= FLUSH_SECONDS:
                    packed, flushed = packed + packer.flush(zlib.Z_SYNC_FLUSH), time.monotonic()
                yield packed
        except Exception:
            # Failed midway (a time limit): what was made goes out, as a plain answer's does, and the gzip stream
            # stays unfinished (no trailer), so that the client's decompressor says the answer is not whole.
            yield packer.flush(zlib.Z_SYNC_FLUSH)
            raise
        yield packer.flush()

    def close(self) -> None:
        _close(self.body)


def _close(body) -> None:
    close = getattr(body, "close", None)
    if close is not None:
        close()


def _plain_tags(environ, gzip_ok: bool) -> bool:
    """Read the gzipped copy's tags in If-Match and If-None-Match as the plain ones; whether any in If-None-Match
    was. A GET or HEAD that does not take gzip keeps them: the gzipped copy is not what it would be sent, and a
    cache that keeps both copies and names both tags must not be told, by a 304, to give it the gzipped one."""
    found = False
    reads = environ.get("REQUEST_METHOD") in ("GET", "HEAD")
    for key in ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH"):
        value = environ.get(key)
        if value and TAG_SUFFIX in value and (gzip_ok or key == "HTTP_IF_MATCH" or not reads):
            environ[key], count = _GZIP_TAG.subn('"', value)
            found = found or (count > 0 and key == "HTTP_IF_NONE_MATCH")
    return found


def _header(headers, name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)


def _vary(headers) -> list:
    """The headers with Accept-Encoding in Vary."""
    vary = _header(headers, "vary")
    if vary is None:
        return [*headers, ("Vary", "Accept-Encoding")]
    if "accept-encoding" in vary.lower() or vary.strip() == "*":
        return list(headers)
    return [(name, f"{value}, Accept-Encoding" if name.lower() == "vary" else value) for name, value in headers]


def _tagged(headers) -> list:
    """The headers with TAG_SUFFIX added inside a strong or weak ETag's quotes."""
    return [(name, value[:-1] + TAG_SUFFIX + '"' if name.lower() == "etag" and value.endswith('"') else value)
            for name, value in headers]
