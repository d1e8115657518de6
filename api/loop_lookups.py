"""Lookups (kg.lookup_text) answered on the server's event loop with the least work: one regular expression
where the general path lexes the text twice, rows read and written once, fixed headers made once.

api.fast_sparql offers a plain query to /sparql (GET, or POST of a form or a query) here first when it is
asked at once (api.rsgi). The answer is the one the general path gives (body, headers, access-log line and
metrics, the queries in flight among them; tests/test_loop_lookups.py holds the two side by side): only its
cost differs. A request that is not such a
lookup, or whose run would wait, gets None and goes on down the general path.
"""

from __future__ import annotations

import time
from functools import lru_cache

from werkzeug.utils import get_content_type

from api import cors, security_headers
from api.conditional import validators
from api.errors import Problem
from api.negotiation import negotiated
from api.public_origin import origin_for
from api.query_warnings import warnings
from api.sparql import endpoint_url
from kg.answers import STREAM_AFTER, QueryRequest
from kg.lookup_text import lookup
from kg.nearby import LOOP_ROWS, WouldWait

PATH = "/sparql"


class LoopLookups:
    """Answers lookups for the app whose backend, accounting and budget namer it is given (see api.fast_sparql)."""

    def __init__(self, settings, backend, accounting, budget_client):
        self.settings, self.backend, self.accounting, self.budget_client = settings, backend, accounting, budget_client
        self.prefixes = backend.nearby.service.prefixes if backend.nearby is not None else {}
        self._by_media: dict[tuple, tuple[str, str, list[tuple[str, str]]]] = {}  # see _fixed
        self._origins = set(settings["CORS_ORIGINS"].split(" ")) - {"", "*"}

    def answer(self, environ, text: str, started: float) -> tuple[list[tuple[str, str]], bytes] | None:
        """The headers and body of a 200 to `text`, a plain request's query, or None: not a lookup answered here."""
        nearby, settings = self.backend.nearby, self.settings
        row_limit = settings["ROW_LIMIT"]
        if nearby is None or row_limit is None or row_limit > STREAM_AFTER:
            return None
        found = lookup(text, self.prefixes)
        if found is None or not found.few_rows(LOOP_ROWS) or self.budget_client(environ) is not None:
            return None
        accepted = _negotiated(environ.get("HTTP_ACCEPT"))
        version = self.backend.version()
        if accepted is None or version is None:
            return None
        media, fmt = accepted
        base = endpoint_url(origin_for(settings, environ), "", PATH)
        # The result cache's key, as api.sparql.plan's request makes it: a kept answer is the general path's to
        # give (and to count); an answer made here is kept as that path keeps its own.
        key = self.backend.cache_key(QueryRequest(sparql=text, format=fmt, timeout=settings["QUERY_TIMEOUT"],
                                                  row_limit=row_limit, base=base), version)
        if key is not None and self.backend.cache.get(key) is not None:
            return None
        fairness = self.backend.fairness  # counted in flight, and in its gauge, as the general path's run is
        try:
            fairness.start()
        except Problem:  # past its bound on queries in flight: the general path answers 503
            return None
        try:
            answer = nearby.lookup(found, text, fmt, row_limit=row_limit, version=version.number)
        except WouldWait:
            return None
        except Exception:  # the general path runs it again and answers its error as it always does
            return None
        finally:
            fairness.end()
        if key is not None and answer.elapsed >= settings["RESULT_CACHE_MIN_SECONDS"]:
            self.backend.cache.put(key, answer)
        shape = (text, base, None, None, row_limit, media)  # as api.conditional.validators_for
        method = environ["REQUEST_METHOD"]
        content_type, vary, tail = self._fixed(method, media, environ.get("HTTP_ORIGIN"))
        headers = [("Content-Type", content_type), ("Content-Length", str(len(answer.body))),
                   *validators(version, shape, settings["CACHE_CONTROL"]).items(), ("Vary", vary),
                   *warnings(answer.unknown_terms, self.backend.near_terms), ("X-Result-Count", str(answer.count))]
        if answer.truncated:
            headers += [("X-Result-Truncated", "true"), ("X-Result-Limit", str(answer.limit))]
        headers += tail
        self.accounting.record(environ, method, PATH, 200, time.perf_counter() - started, dict(headers),
                               query_text=text)
        return headers, answer.body

    def _fixed(self, method: str, media: str, origin: str | None) -> tuple[str, str, list[tuple[str, str]]]:
        """The Content-Type, Vary, and the CORS and security headers, of an answer of `media` to `method` for a
        page of `origin`."""
        allowed = origin if origin in self._origins else None  # so the keys are bounded, whatever clients send
        found = self._by_media.get((method, media, allowed))
        if found is None:
            # Nothing before them names a CORS or security header, so security_headers.put would add each.
            values = cors.values_for(self.settings, PATH, method, allowed) + security_headers.values_for(PATH, media)
            vary = ", ".join(["Accept"] + [value for name, value, _ in values if name == "Vary"])
            found = self._by_media[(method, media, allowed)] = (
                get_content_type(media, "utf-8"), vary, [(name, value) for name, value, _ in values if name != "Vary"])
        return found


@lru_cache(maxsize=64)
def _negotiated(accept: str | None) -> tuple[str, str] | None:
    """(media type, results format) for an Accept header, or None where none is acceptable (a 406 to give)."""
    try:
        return negotiated("solutions", accept, None)
    except Exception:
        return None
