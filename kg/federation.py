"""SERVICE clauses evaluated by the project rather than the engine, politely.

pyoxigraph's own SERVICE client has no per-endpoint timeout, User-Agent, cache or back-off. So before
a query reaches the engine, each outermost `SERVICE [SILENT] <endpoint> { P }` is sent to its endpoint as
`SELECT * WHERE { P }`, and the clause is replaced, in place, by a VALUES block holding the solutions.
SPARQL 1.1 Federated Query evaluates P at the endpoint on its own and joins its solutions where the clause
stands, exactly as inline data standing there is joined, so the answer is the same; SILENT turns a failed
call into one solution with no bindings. Blank nodes in a remote answer become skolem IRIs (RDF 1.1 §3.5),
since VALUES cannot hold blank nodes.

Answers are cached (key: the URL called, a mirror's where one is set, and the query sent) for a time-to-live,
and a 429 (or a 503 with Retry-After) puts that URL on hold: until the time it asked for, calls are refused at
once with ServiceBusy rather than sent. Cache and holds live in kg.service_state.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import time
import urllib.parse
from pathlib import Path

import pyoxigraph as ox

from kg import __version__
from kg.endpoint_keys import ZONE_ID, as_uri, check_mirrors, has_zone_id, without_userinfo
from kg.error_text import answer_detail, first_line
from kg.errors import (PolicyError, QueryTimeout, ServiceBusy, ServiceError, ServiceFailure, ServiceTimeout,
                       shown_endpoint)
from kg.service_answers import MAX_ANSWER_BYTES, in_scope, parse_solutions, read_body, unasked_coding
from kg.service_state import ServiceState, retry_after
from kg.sparql_lexer import significant

ACCEPT = ("application/sparql-results+json, application/sparql-results+xml;q=0.9, "
          "text/tab-separated-values;q=0.8")
ERROR_BYTES = 1 << 14  # of an error answer: enough for its first line
MAX_GET_BYTES = 2000  # longer requests go as a form POST
INLINED_BYTES = MAX_ANSWER_BYTES  # of VALUES text a query's clauses may bring all told, as one answer may


def default_state_path() -> Path:
    """$SAHEL_KG_HOME/federation.sqlite, else $XDG_CACHE_HOME/sahel-kg/..., else ~/.cache/sahel-kg/..."""
    if os.environ.get("SAHEL_KG_HOME"):
        return Path(os.environ["SAHEL_KG_HOME"]) / "federation.sqlite"
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_home) / "sahel-kg" / "federation.sqlite"


class Federation:
    """How SERVICE endpoints are called: time limit per call, cache, User-Agent, back-off, row cap.

    `endpoints` maps a SERVICE IRI to the URL actually called (a mirror); by default the IRI itself.
    `state_path` is the SQLite file for the cache and holds; None keeps them in this process only.
    """

    def __init__(self, *, timeout: float = 10.0, cache_ttl: float = 300.0, contact: str | None = None,
                 row_limit: int = 10000, backoff: float = 60.0, endpoints: dict[str, str] | None = None,
                 state_path: str | os.PathLike | None = None):
        self.timeout, self.cache_ttl, self.contact = timeout, cache_ttl, contact
        self.row_limit, self.backoff = row_limit, backoff
        self.endpoints = dict(endpoints or {})
        self.state = ServiceState(state_path)

    @property
    def user_agent(self) -> str:
        contact = f"contact: {self.contact}" if self.contact else "no contact configured"
        return f"sahel-kg/{__version__} (SPARQL federation; {contact}) Python-urllib"

    def inline(self, text: str, clauses, endpoint_of, prologue_of, *, deadline: float | None = None) -> str:
        """`text` with each clause (kg.sparql_parts.ServiceClause, in text order) replaced by the VALUES of
        its endpoint's solutions; `endpoint_of(clause)` gives the IRI its target names, `prologue_of(clause)`
        gives the BASE and PREFIX lines its pattern needs.

        Raises ServiceBusy, ServiceFailure or ServiceTimeout, PolicyError for an answer past the row cap or cut
        by the endpoint's own (none of these for SILENT clauses) or answers past the row cap or INLINED_BYTES all
        told, QueryTimeout when the query's own deadline (a time.monotonic() value) passes first: that is the whole
        query's limit, not the call's, so SILENT keeps it.
        """
        pieces, cursor, brought, size = [], 0, 0, 0
        for clause in clauses:
            unbound = None  # a failed SILENT clause's variables
            try:
                variables, rows = self.solutions(endpoint_of(clause), clause.pattern, prologue=prologue_of(clause),
                                                 deadline=deadline)
            # SILENT (SPARQL 1.1 Federated Query §4) ignores any failure of the call, an answer too big to use too
            except (ServiceBusy, ServiceFailure, ServiceTimeout, PolicyError):
                if not clause.silent:
                    raise
                variables, rows = None, []  # SILENT: one solution, binding nothing (and counting no row)
                unbound = in_scope(clause.pattern, prologue_of(clause))
            brought += len(rows)
            if brought > self.row_limit:  # the query's own cap, SILENT or not: a cached answer repeated costs no call
                raise PolicyError(f"the SERVICE clauses of this query bring more than {self.row_limit} solutions in "
                                  "all; make their patterns more selective, or use fewer")
            if variables is None:  # its variables are in scope all the same, as SELECT * names them
                replacement = "{}" if unbound is None else values_block(unbound, [(None,) * len(unbound)])
            else:
                replacement = values_block(variables, rows)
            size += len(replacement)
            if size > INLINED_BYTES:  # wide rows: answers kept (or not) each called again, repeated clause after clause
                raise PolicyError(f"the SERVICE clauses of this query bring more than {INLINED_BYTES >> 20} MiB of "
                                  "solutions in all; make their patterns more selective, or use fewer")
            lines = text.count("\n", clause.start, clause.end)  # keep later line numbers as they were
            pieces += [text[cursor:clause.start], replacement, "\n" * lines]
            cursor = clause.end
        return "".join(pieces) + text[cursor:]

    def solutions(self, endpoint: str, pattern: str, *, prologue: str = "", deadline: float | None = None):
        """(variables, rows) of the group graph pattern `pattern` at `endpoint`, from the cache while fresh; rows
        hold pyoxigraph terms (None where unbound), blank nodes skolemised. An answer refused is never kept."""
        query = f"{prologue}SELECT * WHERE {pattern} LIMIT {self.row_limit + 1}"
        url = self.endpoints.get(endpoint, endpoint)  # what is asked: a new mirror has answered nothing yet
        mirrored, endpoint = endpoint in self.endpoints, shown_endpoint(endpoint)  # every message names it so
        key = hashlib.sha256(f"{url}\n{query}".encode()).hexdigest()
        cached = self.state.answer(key) if self.cache_ttl > 0 else None
        fresh, cut = cached is None, False  # a cut answer is never kept: a cached one was whole
        if fresh:
            held = self.state.held(_hold_key(url))
            if held:
                raise ServiceBusy(f"{endpoint} asked us to wait (429); not calling it for another {held}s",
                                  endpoint=endpoint, retry_after=held)
            *cached, cut = self._call(endpoint, url, query, deadline, mirrored)
        variables, rows, said = parse_solutions(endpoint, *cached, genid=key[:16], most=self.row_limit + 1)
        if len(rows) > self.row_limit:
            raise PolicyError(f"SERVICE <{endpoint}> has more than {self.row_limit} solutions; "
                              "make its pattern more selective")
        if cut or said:  # an endpoint's own row cap (kg serve's) cut it: as many rows as too many, never a part
            raise PolicyError(f"SERVICE <{endpoint}> cut its answer at a row limit of its own ({len(rows)} "
                              "solutions); make its pattern more selective")
        _check_variables(endpoint, variables, pattern)
        if fresh and self.cache_ttl > 0:  # kept once it is known to be used: a refused one never is
            self.state.keep(key, endpoint, cached, self.cache_ttl)
        return variables, rows

    def _call(self, endpoint: str, url: str, query: str, deadline: float | None,
              mirrored: bool) -> tuple[bytes, str, bool]:
        """One HTTP call to `url` (`endpoint`'s as shown, which errors name: a mirror's URL may hold credentials): GET
        (or POST when long), no redirects followed; (body, media type, whether a header says the endpoint cut the
        answer: kg serve's X-Result-Truncated)."""
        import http.client  # here, not above: a query worker loads an HTTP client only for a SERVICE call
        import urllib.error
        import urllib.request

        from kg.call_deadline import expired, finished, opener
        from kg.store.remote_answers import CUT_HEADER

        seconds = self.timeout
        if deadline is not None:
            seconds = min(seconds, deadline - time.monotonic())
            if seconds <= 0:
                raise QueryTimeout("the query's time limit ran out before SERVICE <%s> was called" % endpoint)
        url = urllib.parse.urldefrag(url).url  # a fragment is never sent: the query after it would be lost with it
        if has_zone_id(url):  # a list the settings did not check (kg.store.url_fault refuses it there)
            raise PolicyError(f"SERVICE <{endpoint}> is not called: {ZONE_ID}")
        form = urllib.parse.urlencode({"query": query})
        headers = {"Accept": ACCEPT, "Accept-Encoding": "identity", "User-Agent": self.user_agent}
        url, userinfo = without_userinfo(url)  # urllib took user:password@host for the name to resolve
        url = as_uri(url)  # http.client sends ASCII alone: an IRI's "é" in its path was a UnicodeEncodeError, a 500
        if userinfo is not None:  # sent as HTTP Basic credentials (RFC 7617), as a browser sends a URL's
            user, _, password = (urllib.parse.unquote(part) for part in userinfo.partition(":"))
            headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        if len(url) + len(form) < MAX_GET_BYTES:
            request = urllib.request.Request(f"{url}{'&' if '?' in url else '?'}{form}", headers=headers)
        else:
            request = urllib.request.Request(url, data=form.encode(), headers={
                **headers, "Content-Type": "application/x-www-form-urlencoded"})
        ends = time.monotonic() + seconds
        try:
            with opener().open(request, timeout=seconds) as response:
                if (coding := unasked_coding(response.headers)) is not None:  # its bytes are not the results
                    finished(response)
                    raise ServiceFailure(f"SERVICE <{endpoint}> answered in {coding}, an encoding not asked for "
                                         "(only identity is)", endpoint=endpoint)
                cut = (response.headers.get(CUT_HEADER) or "").strip().lower() == "true"
                try:
                    body = read_body(response, ends, endpoint)
                except (OSError, http.client.HTTPException):
                    if expired(response):
                        raise TimeoutError() from None
                    raise
                finally:
                    finished(response)
                if expired(response):  # the deadline shut it: what was read is a part, never used as whole
                    raise TimeoutError()
                if response.length:  # it hung up short of its Content-Length: a part (TSV's rows would read as whole)
                    raise ServiceFailure(f"SERVICE <{endpoint}> ended its answer {response.length} bytes short of "
                                         "the length it announced", endpoint=endpoint)
                return body, response.headers.get_content_type(), cut
        except ServiceError:  # read_body's own, already naming the endpoint: not wrapped as a failure of the call
            raise
        except urllib.error.HTTPError as error:
            raise self._refusal(endpoint, url, error, mirrored) from None
        except (TimeoutError, socket.timeout):
            raise self._slow(endpoint, seconds) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, (TimeoutError, socket.timeout)):
                raise self._slow(endpoint, seconds) from None
            raise ServiceFailure(f"SERVICE <{endpoint}> could not be reached: {_unnamed(error.reason, url, mirrored)}",
                                 endpoint=endpoint) from None
        except (OSError, http.client.HTTPException, ValueError) as error:  # ValueError: what http.client refuses to send
            raise ServiceFailure(f"SERVICE <{endpoint}> failed: {_unnamed(error, url, mirrored)}",
                                 endpoint=endpoint) from None

    def _slow(self, endpoint: str, seconds: float):
        if seconds < self.timeout:  # the query's own limit was the shorter one
            return QueryTimeout(f"the query's time limit ran out while SERVICE <{endpoint}> was answering")
        return ServiceTimeout(f"SERVICE <{endpoint}> did not answer within {seconds:g}s", endpoint=endpoint)

    def _refusal(self, endpoint: str, url: str, error: urllib.error.HTTPError, mirrored: bool):
        import http.client  # as in _call: only once a call is made
        wait = error.headers.get("Retry-After")
        if error.code == 429 or (error.code == 503 and wait):
            seconds = retry_after(wait, self.backoff)
            self.state.hold(_hold_key(url), seconds)
            return ServiceBusy(f"SERVICE <{endpoint}> answered {error.code} and asked us to wait {seconds}s",
                               endpoint=endpoint, retry_after=seconds)
        if 300 <= error.code < 400:
            return ServiceFailure(f"SERVICE <{endpoint}> redirected to {self._shown_location(mirrored, error)}; "
                                  "redirects are not followed (allow-list the new URL)", endpoint=endpoint)
        try:
            body = error.read(ERROR_BYTES)
        except (OSError, http.client.HTTPException) as cut:  # a broken chunk, or the deadline: what came is said
            body = getattr(cut, "partial", b"")
        media_type = error.headers.get_content_type() if error.headers.get("Content-Type") else None
        coding = unasked_coding(error.headers)
        detail = f"its text in {coding}, an encoding not asked for" if coding else answer_detail(body, media_type)
        status = f"{error.code} {first_line(str(error.reason or ''))}".rstrip()
        return ServiceFailure(f"SERVICE <{endpoint}> answered {status}" + (f": {detail}" if detail else ""),
                              endpoint=endpoint)

    @staticmethod
    def _shown_location(mirrored: bool, error) -> str:
        """Where a redirect points, as an answer may show it: a mirror's Location names the mirror (never shown), and
        any Location's user information and query (where credentials and keys go) are hidden as a refusal hides them."""
        if mirrored:
            return "a place not shown (the endpoint is a mirror, whose address answers never show)"
        where = first_line(error.headers.get("Location") or "")  # its words: cut as an error's
        return shown_endpoint(where) if where else "nowhere it says"

    def __getstate__(self):
        return {**self.__dict__, "state": self.state.path}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.state = ServiceState(state["state"])


def _unnamed(error, url: str, mirrored: bool) -> str:
    """An error's words with a mirror's host, which answers never show (a TLS error names it), said as "the mirror"."""
    host = urllib.parse.urlsplit(url).hostname if mirrored else None
    return str(error).replace(host, "the mirror") if host else str(error)


def _check_variables(endpoint: str, variables: list[str], pattern: str) -> None:
    """ServiceFailure for an answer binding a variable its pattern never names: SELECT * of the pattern cannot bind
    it, and joined where the clause stands it would constrain, or bind, the query's own variable of that name."""
    named = {value[1:] for kind, value, _, _ in significant(pattern) if kind == "var"}
    foreign = [name for name in variables if name not in named]
    if foreign:
        raise ServiceFailure(f"SERVICE <{endpoint}> answered with variables its pattern does not name: "
                             + ", ".join(f"?{name}" for name in foreign[:5]), endpoint=endpoint)


def _hold_key(url: str) -> str:
    """What a hold is kept under: the URL that asked for it (a mirror's own), hashed, as it may hold credentials."""
    return hashlib.sha256(url.encode()).hexdigest()


def split_allowlist(entries) -> tuple[tuple[str, ...], dict[str, str]]:
    """The allowed SERVICE IRIs, and the mirrors: an entry `IRI>URL` allows IRI and sends its calls to URL
    (`>` cannot occur in an IRI); ConfigError for two entries sending one endpoint to different URLs."""
    check_mirrors(entries)
    allowed, mirrors = [], {}
    for entry in entries:
        iri, _, url = entry.partition(">")
        allowed.append(iri)
        if url:
            mirrors[iri] = url
    return tuple(allowed), mirrors


def values_block(variables: list[str], rows: list[tuple]) -> str:
    """A VALUES block holding `rows` (tuples of pyoxigraph terms, None for UNDEF) for `variables`."""
    head = " ".join(f"?{name}" for name in variables)
    body = " ".join("(" + " ".join(_term_text(term) for term in row) + ")" for row in rows)
    return f"VALUES ({head}) {{ {body} }}"


def _term_text(term) -> str:
    if term is None:
        return "UNDEF"
    if isinstance(term, ox.Triple):
        return f"<<( {_term_text(term.subject)} {_term_text(term.predicate)} {_term_text(term.object)} )>>"
    return str(term)
