"""/sparql: the SPARQL 1.1 Protocol's query and update operations, and the service description."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, g, make_response, request
from werkzeug.sansio.utils import get_current_url

from api.conditional import check_dataset_preconditions, not_modified, unchanged, validators_for
from api.errors import Problem, unsupported_media
from api.numbers import seconds
from api.ops import recorded_at_end
from api.negotiation import GRAPHS, SOLUTIONS, in_next_format, negotiated
from api.body_charset import checked_body
from api.params import all_values as _all, format_param, one as _one_value, refuse_other_dataset, strict_params
from kg.iri_resolution import bidi_fault, iri_fault
from api.public_origin import origin, public_url
from api.query_warnings import warnings
from api.query_ui import query_page
from api.rsgi import RECEIVED
from api.service_description import describe_service, description_media
from api.write_access import authorize, changed_response
from kg.answers import STREAM_AFTER, QueryRequest, StreamedAnswer
from kg.namespaces import PREFIXES
from kg.query import QueryService
from kg.errors import FormatError, QuerySyntaxError
from kg.sparql_lexer import TooManyTokens, significant
from kg.sparql_parts import add_using, query_dataset
from kg.syntax_faults import not_a_query
from kg.text_reading import read
from kg.untrusted import BOM

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"


@bp.route("/sparql", methods=["GET", "POST"])
def sparql():
    """One endpoint for both operations, as the protocol has it; which one is told by the parameters."""
    if request.method in ("GET", "HEAD"):
        params = strict_params(request.query_string)
        if _has(params, "update"):
            raise Problem(400, "Update by GET", "updates must be sent with POST")
        if not _has(params, "query"):
            media = description_media(format_param(params))
            if media != "text/html":
                return describe_service(media)
            page = make_response(query_page())  # browsers get the page; others, at the same URL, the description
            page.vary.add("Accept")
            return page
        return _query(_one_value(params, "query", required=True), params)
    params = strict_params(request.query_string)
    kind, body = request.mimetype, checked_body()
    if kind == FORM:
        params = params + strict_params(body)
        if _has(params, "query") and _has(params, "update"):
            raise Problem(400, "Query and update", "a request carries a query or an update, not both")
        if _has(params, "update"):
            return _update(_one_value(params, "update", required=True), params)
        if _has(params, "query"):
            return _query(_one_value(params, "query", required=True), params)
        raise Problem(400, "Missing operation", "the form has neither a query nor an update parameter")
    if kind in (QUERY_BODY, UPDATE_BODY):
        if _has(params, "query") or _has(params, "update"):
            raise Problem(400, "Query and update", "with a SPARQL body the URL may not carry query or update")
        text = _utf8(body)
        return _query(text, params) if kind == QUERY_BODY else _update(text, params)
    raise unsupported_media(f"POST needs {FORM}, {QUERY_BODY} or {UPDATE_BODY}", kind)


def _query(text: str, params: list[tuple[str, str]]):
    refuse_other_dataset(params, "query")
    text = operation_text(text)
    settings = current_app.config
    _refuse_long(text, "query")
    # The base of relative IRIs: this endpoint's URL under the public origin, as for updates; the Host
    # header would let a client (or a proxy's) change what <x> or IRI("x") gives in an answer.
    base = endpoint_url(origin(), request.root_path, request.path)
    run, media = plan(text, params, request.headers.get("Accept"), base, settings)
    backend = current_app.extensions["sahel-kg"]
    version = backend.version()
    validators = validators_for(version, run, media, settings["CACHE_CONTROL"])
    if not_modified(validators, version):  # a POST query's preconditions give 412, never 304
        return unchanged(validators, media, negotiated=True)
    try:
        answer = backend.query(run, version, since=request.environ.get(RECEIVED))
    except FormatError as error:  # the negotiated format cannot write this answer: the client's next choice, if any
        kind = "graph" if run.reading.shape.form in ("CONSTRUCT", "DESCRIBE") else "solutions"
        runs = {fmt: replace(run, format=fmt) for _, fmt in (GRAPHS if kind == "graph" else SOLUTIONS)}
        media, fmt, answer = in_next_format(kind, None, format_param(params), run.format, error, lambda _, fmt: (
            backend.query(runs[fmt], version, since=request.environ.get(RECEIVED))))
        run = runs[fmt]
        validators = validators_for(version, run, media, settings["CACHE_CONTROL"])
        if not_modified(validators, version):  # a client revalidating the answer it was given in this format
            return unchanged(validators, media, negotiated=True)
    streamed = isinstance(answer, StreamedAnswer)  # too big to hold: sent as it is made, its size unknown
    response = Response(recorded_at_end(answer) if streamed else answer.body, mimetype=media)
    response.headers.extend(answer_headers(validators, answer, backend.near_terms))
    return response


def plan(text: str, params: list[tuple[str, str]], accept: str | None, base: str,
         settings) -> tuple[QueryRequest, str]:
    """The run a query asks for and its answer's media type, from its text, the request's parameters, Accept
    header and URL (`base`), and the settings. Raises Problem, QuerySyntaxError, FormatError."""
    reading = read(text, base)  # handed on with the run: a query worker reads it rather than the text again
    written, shape = reading.written, reading.shape  # the text as the checks and the engine read it (FROM service:g)
    if shape.is_update:
        raise Problem(400, "Update as query", "this is an update; send it as update= or application/sparql-update")
    if shape.form is None:  # QueryService says so too, but only after negotiation and If-None-Match (406, 304)
        raise not_a_query(written, set(PREFIXES) | set(shape.prefixes))
    kind = "graph" if shape.form in ("CONSTRUCT", "DESCRIBE") else "solutions"
    try:
        media, fmt = negotiated(kind, accept, format_param(params))
    except FormatError:
        # A fault in the text is the client's real mistake: a 406 would send them to mend the format instead.
        fault = QueryService(store=None).syntax_fault(text, base=base, reading=reading)
        if fault is not None:
            raise fault from None
        raise
    # A dataset given by the protocol replaces the query's FROM and FROM NAMED; either names graphs of
    # the store (nothing is fetched), and a dataset given at all has only the graphs it names.
    dataset = (_all(params, "default-graph-uri"), _all(params, "named-graph-uri"))
    if not any(dataset):
        dataset = query_dataset(written, PREFIXES, base) or (None, None)
    dataset = tuple(None if iris is None else tuple(map(graph_iri, iris)) for iris in dataset)
    # A dataset names graphs by IRI (SPARQL 1.1 §13.2): one named twice is one graph, in either part.
    dataset = tuple(None if iris is None else tuple(dict.fromkeys(iris)) for iris in dataset)
    run = QueryRequest(sparql=text, format=fmt, timeout=_timeout(params, settings["QUERY_TIMEOUT"]),
                       default_graphs=dataset[0], named_graphs=dataset[1],
                       row_limit=settings["ROW_LIMIT"], base=base, reading=reading,
                       stream=settings["ROW_LIMIT"] is None or settings["ROW_LIMIT"] > STREAM_AFTER)
    return run, media


def answer_headers(validators: dict, answer, near=None) -> list[tuple[str, str]]:
    """The headers an answer adds after its Content-Type and Content-Length, in the order they always had:
    validators, Vary, warnings (`near`: see warnings), then its count and cut; a StreamedAnswer, whose size is
    not known yet, gives the row cap in force instead (its body's end says whether the cap cut it, where the
    format can)."""
    headers = [*validators.items(), ("Vary", "Accept"), *warnings(answer.unknown_terms, near, answer.absent_graphs)]
    if isinstance(answer, StreamedAnswer):
        return headers if answer.limit is None else [*headers, ("X-Result-Limit", str(answer.limit))]
    headers.append(("X-Result-Count", str(answer.count)))
    if answer.truncated:
        headers += [("X-Result-Truncated", "true"), ("X-Result-Limit", str(answer.limit))]
    return headers


@lru_cache(maxsize=64)
def endpoint_url(public: str, root_path: str, path: str) -> str:
    """The URL of the requested path under the origin `public` (api.public_origin), quoted as request.base_url
    is; kept: building it cost 5% of a small query, for a URL that never changes."""
    scheme, _, host = public.partition("://")
    return get_current_url(scheme, host, root_path, path)


def _update(text: str, params: list[tuple[str, str]]):
    refuse_other_dataset(params, "update")
    text = operation_text(text)
    settings = current_app.config
    if not settings["UPDATES_ENABLED"]:
        raise Problem(403, "Updates disabled", "this endpoint is read-only")
    authorize()
    _refuse_long(text, "update")
    using = [graph_iri(iri) for iri in _all(params, "using-graph-uri")]
    using_named = [graph_iri(iri) for iri in _all(params, "using-named-graph-uri")]
    if using or using_named:
        try:
            text = add_using(text, using, using_named)
        except ValueError as error:
            raise Problem(400, "Dataset conflict", str(error)) from None
    backend = current_app.extensions["sahel-kg"]
    check_dataset_preconditions(backend.version())  # before the update's work, and again under the write lock
    # The base of what an update writes: the public origin, never a client's Host (it would name stored data).
    try:
        backend.update(text, base=public_url(), precondition=lambda: check_dataset_preconditions(backend.version()))
    except QuerySyntaxError as error:  # titled as the operation sent: api.errors would call it a malformed query
        raise Problem(400, "Malformed update", error.message, line=error.line, column=error.column) from None
    return changed_response(Response(status=204), backend)


def _refuse_long(text: str, kind: str) -> None:
    """A query or update over MAX_QUERY_BYTES or MAX_QUERY_TOKENS is 413: lexing and parsing cost grows with its
    length."""
    g.query_text = text  # for the access log
    title = f"{kind.capitalize()} too large"  # the operation the client sent, as the detail names it
    cap = current_app.config["MAX_QUERY_BYTES"]
    if too_long(text, cap):
        g.rejected = "query_too_large"
        raise Problem(413, title, f"the {kind} is over {cap} bytes (UTF-8)")
    most = current_app.config["MAX_QUERY_TOKENS"]
    if too_many_tokens(text, most):
        g.rejected = "query_too_large"
        raise Problem(413, title, f"the {kind} has more than {most} tokens (terms, keywords and signs)")


def too_long(text: str, cap: int) -> bool:
    """Whether a text is over `cap` bytes of UTF-8 (encoded only when it might be: most texts are short)."""
    return len(text) > cap // 4 and len(text.encode("utf-8")) > cap


def too_many_tokens(text: str, most: int) -> bool:
    """Whether a text has more than `most` tokens, lexed no further (its tokens are kept for the checks after)."""
    if len(text) <= most:  # a token is at least one character: a lookup the loop answers is then never lexed
        return False
    try:
        significant(text, most)
    except TooManyTokens:
        return True
    return False


def graph_iri(value: str) -> str:
    """A graph IRI a request gives, which must be absolute (and so safe between < and > in SPARQL)."""
    try:
        ox.NamedNode(value)
    except ValueError as error:
        raise Problem(400, "Bad graph IRI", iri_fault(value, error, "a graph is named by an absolute IRI, resolved "
                                                                    "against no base")) from None
    if bidi := bidi_fault(value):
        raise Problem(400, "Bad graph IRI", bidi)
    return value


def _timeout(params, default: float) -> float:
    value = _one_value(params, "timeout")
    # 0: no limit of the request's own, as Virtuoso's query form sends it
    number = None if value is None else seconds(value, "timeout", zero_means="no limit of the request's own")
    return default if not number else min(number, default)


def operation_text(text: str) -> str:
    """A query's or update's text as it arrived (body, form or URL), less a leading byte-order mark, which
    editors on Windows save and which is no part of it."""
    return text.removeprefix(BOM)


def _utf8(raw: bytes) -> str:
    """A body's text."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(400, "Not UTF-8", "the request body must be UTF-8") from None


def _has(params, name: str) -> bool:
    return any(key == name for key, _ in params)
