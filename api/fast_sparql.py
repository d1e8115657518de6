"""A query to /sparql answered without Flask's request context, URL matching and hooks, for the plain case.

Only a clean, unconditional request of /sparql is answered here: a bodiless GET whose one parameter is query=,
or a POST with no query string whose UTF-8 body is a form of query= alone or the query itself; with
the functions the view and the hooks call (api.sparql, api.cors, api.security_headers, api.fairness,
api.ops), so its answer, its metrics and its access-log line are those Flask gives. Every other request goes
to Flask unchanged, and so does one refused before its query runs (Flask refuses it the same way). A query
that fails goes to Flask with its error (environ[FAILED]), raised there as the view would have raised it, so
Flask's error handlers and hooks answer it and no query ever runs twice.

Asked to answer at once (environ[AT_ONCE], on the server's event loop: api.rsgi), it answers only a query
of a client with no budget that this process runs row by row within its row cap (Backend.in_process) and
that asks for few rows (kg.one_pattern.few_rows); it raises NotAtOnce, having answered nothing, for any
other request, and for one whose run would wait (kg.nearby.WouldWait), which then goes to a request thread.
"""

from __future__ import annotations

import io
import time
from urllib.parse import unquote_plus, unquote_to_bytes

from flask import g, request
from werkzeug.datastructures import Headers
from werkzeug.http import parse_options_header
from werkzeug.utils import get_content_type

from api import cors, security_headers
from api.body_charset import check_charset
from api.body_limit import TOO_LARGE, uri_too_long
from api.conditional import validators_for
from api.errors import Problem
from api.fairness import CLIENT
from api.loop_lookups import LoopLookups
from api.ops import arrival
from api.request_encoding import BAD_ENCODING, undecoded_transfer_coding
from api.rsgi import AT_ONCE, RECEIVED, NotAtOnce
from api.params import strict_params
from api.public_origin import origin_for
from api.sparql import (FORM, QUERY_BODY, answer_headers, endpoint_url, operation_text, plan, too_long,
                        too_many_tokens)
from kg.errors import FormatError, QuerySyntaxError
from kg.nearby import LOOP_ROWS, NO_WAITING, WouldWait
from kg.one_pattern import few_rows

FAILED = "sahel_kg.fast_sparql.failed"  # environ: (error, start time, query text), for Flask to answer
PATH = "/sparql"
OFFERED_BYTES = 2048  # longest query string or body offered at once: reading a text costs about 1 ms a kilobyte
# Conditional requests (304 and 412, which Flask's view answers), coded bodies (415) and faulty ones are left to Flask.
_FLASKS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
           "HTTP_TRANSFER_ENCODING", "HTTP_CONTENT_ENCODING", BAD_ENCODING, TOO_LARGE)


def install(app):
    """The fast path over `app`'s own wsgi_app; its hook, the last before-request one, hands Flask a failure."""

    @app.before_request
    def raise_failure():
        failed = request.environ.get(FAILED)
        if failed is not None:  # as the view would have: its text for the log, its clock from the start
            error, g.started, g.query_text = failed
            raise error

    return FastSparql(app, app.wsgi_app)


def worth_offering(environ) -> bool:
    """A first look for api.rsgi: a GET of /sparql?query=…, or a POST of a short body to /sparql with no query
    string, which may be answered at once."""
    if environ["PATH_INFO"] != PATH:
        return False
    query_string, method = environ.get("QUERY_STRING", ""), environ["REQUEST_METHOD"]
    if method == "POST":
        length = environ.get("CONTENT_LENGTH", "")
        return not query_string and length.isdigit() and int(length) <= OFFERED_BYTES
    return method == "GET" and query_string.startswith("query=") and len(query_string) <= OFFERED_BYTES


class FastSparql:
    """WSGI app: a plain query to /sparql (GET or POST) answered here, everything else by `flask` (Flask's wsgi_app
    of `app`)."""

    def __init__(self, app, flask):
        self.app, self.flask = app, flask
        self.backend = app.extensions["sahel-kg"]
        self.accounting = app.extensions["sahel-kg.accounting"]
        self.budget_client = app.extensions["sahel-kg.budget-client"]
        self.lookups = LoopLookups(app.config, self.backend, self.accounting, self.budget_client)

    def __call__(self, environ, start_response):
        """Answer a plain query here, or hand the request to Flask (unchanged, or with its query's error)."""
        started = arrival(environ)
        at_once = environ.get(AT_ONCE, False)
        text = self._plain_query(environ)
        if text is None:
            return self._to_flask(environ, start_response, at_once)
        if at_once:  # a lookup is answered with the least work; any other query as below
            try:
                answered = self.lookups.answer(environ, text, started)
            except Exception:  # whatever failed fails again below, where it is answered as the view answers it
                answered = None
            if answered is not None:
                start_response("200 OK", answered[0])
                return [answered[1]]
            if not few_rows(text, LOOP_ROWS):  # checked below too; here it spares the loop the plan of most queries
                raise NotAtOnce
        settings = self.app.config
        try:  # what the view does before its query runs; a refusal here is Flask's to give
            base = endpoint_url(origin_for(settings, environ), "", PATH)
            run, media = plan(text, [("query", text)], environ.get("HTTP_ACCEPT"), base, settings)
        except (QuerySyntaxError, FormatError) as error:
            if at_once:
                raise NotAtOnce from None
            # Raised in Flask as the view raises it: planning again would parse the text again (see plan).
            environ[FAILED] = (error, started, text)
            return self.flask(environ, start_response)
        except Exception:
            return self._to_flask(environ, start_response, at_once)
        if run.stream:  # the answer may come as a StreamedAnswer, which Flask sends
            return self._to_flask(environ, start_response, at_once)
        client = self.budget_client(environ)
        if at_once and (client is not None or not self.backend.in_process(run) or not few_rows(text, LOOP_ROWS)):
            # A budget is kept in a file other processes lock; a worker's answer is waited for; many rows
            # would hold the loop, and every other client with it.
            raise NotAtOnce
        CLIENT.set(client)
        waiting = NO_WAITING.set(at_once)
        try:
            version = self.backend.version()
            validators = validators_for(version, run, media, settings["CACHE_CONTROL"])
            answer = self.backend.query(run, version, since=environ.get(RECEIVED))
        except WouldWait:  # a reopen after a write, or more rows than the loop may spend on: a thread's work
            raise NotAtOnce from None
        except FormatError:  # the view asks again in the client's next format (api.sparql), if it has one
            return self._to_flask(environ, start_response, at_once)
        except Exception as error:
            environ[FAILED] = (error, started, text)
            return self.flask(environ, start_response)
        finally:
            NO_WAITING.reset(waiting)
        # As Response(body, mimetype=media), the view's headers, then the after-request hooks (CORS, security).
        method = environ["REQUEST_METHOD"]
        headers = Headers([("Content-Type", get_content_type(media, "utf-8")),
                           ("Content-Length", str(len(answer.body)))])
        headers.extend(answer_headers(validators, answer, self.backend.near_terms))
        security_headers.put(headers, cors.values_for(settings, PATH, method, environ.get("HTTP_ORIGIN")))
        security_headers.put(headers, security_headers.values_for(PATH, media))
        self.accounting.record(environ, method, PATH, 200, time.perf_counter() - started, headers, query_text=text)
        start_response("200 OK", headers.to_wsgi_list())
        return [answer.body]

    def _to_flask(self, environ, start_response, at_once: bool):
        if at_once:  # Flask's view may run the query in a worker and wait for it
            raise NotAtOnce
        return self.flask(environ, start_response)

    def _plain_query(self, environ) -> str | None:
        """The query text of a request answered here, or None for one Flask answers."""
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "POST") or environ.get("PATH_INFO") != PATH or environ.get("SCRIPT_NAME") \
                or any(key in environ for key in _FLASKS) or uri_too_long(environ) \
                or undecoded_transfer_coding(environ):
            return None
        settings = self.app.config
        if settings["SERVER_NAME"] is not None or settings["TRUSTED_HOSTS"] is not None:  # Flask checks the host
            return None
        try:
            text = _get_query(environ) if method == "GET" else _posted_query(environ, settings["MAX_BODY_BYTES"])
        except Exception:  # not UTF-8, a bad form: Flask's view refuses it
            return None
        if text is None or too_long(text, settings["MAX_QUERY_BYTES"]) \
                or too_many_tokens(text, settings["MAX_QUERY_TOKENS"]):
            return None
        return operation_text(text)


def _get_query(environ) -> str | None:
    """The query of a bodiless GET whose one parameter is query=, else None."""
    raw = environ.get("QUERY_STRING", "")
    if environ.get("CONTENT_LENGTH") not in (None, "", "0") or not raw.startswith("query="):
        return None
    if "&" in raw:
        params = strict_params(raw.encode("latin-1"))
        return params[0][1] if len(params) == 1 and params[0][0] == "query" else None
    # one parameter needs no splitting (parse_qsl splits at '&' alone)
    if raw.isascii():  # as unquote_plus reads it (one ASCII run, decoded as UTF-8), with no str pieces between
        return unquote_to_bytes(raw[6:].replace("+", " ")).decode("utf-8")
    return unquote_plus(raw[6:].encode("latin-1").decode("utf-8"), errors="strict")


def _posted_query(environ, max_body: int) -> str | None:
    """The query of a POST with no query string whose UTF-8 body is a form of query= alone or a query, else None.

    The body is read as api.request_encoding left it (whole, in memory) and left unread for Flask; one over
    `max_body` is Flask's to refuse (413), even if the server in front read it whole."""
    body, length = environ.get("wsgi.input"), environ.get("CONTENT_LENGTH", "")
    if environ.get("QUERY_STRING") or not isinstance(body, io.BytesIO) or body.tell() != 0 \
            or not length.isdigit() or int(length) != len(body.getbuffer()) or int(length) > max_body:
        return None
    data = body.getvalue()  # a copy: taken once
    try:
        check_charset(environ.get("CONTENT_TYPE"), data)
    except Problem:  # Flask's 400
        return None
    kind = parse_options_header(environ.get("CONTENT_TYPE"))[0].lower()
    if kind == QUERY_BODY:
        return data.decode("utf-8")
    if kind != FORM:
        return None
    params = strict_params(data)
    return params[0][1] if len(params) == 1 and params[0][0] == "query" else None
