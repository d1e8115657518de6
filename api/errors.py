"""One error shape for every failure: an RFC 9457 problem document in JSON, never a traceback."""

from __future__ import annotations

import logging
import re

from flask import Flask, g, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from kg.errors import (BindingTypeError, ClientGone, ConfigError, EvaluationError, InputLimitError, ParseError,
                       PolicyError, ProjectGraphError, QueryMemoryExceeded, QuerySyntaxError, QueryTimeout,
                       RemoteStoreFailure, ServiceBusy, ServiceFailure, ServiceTimeout, StorageFailure, StoreError,
                       StoreUnavailable, UpdateOutcomeUnknown, UpdateTimeout)
from kg.catalogue import ReconciliationError
from kg.results import FormatError

PROBLEM_TYPE = "https://sahel-kg.example.org/problems/"
_ADDRESS = re.compile(r"\b[a-z][a-z0-9+.-]*://\S*[^\s:,.;)]", re.IGNORECASE)  # a URL, less a final stop
log = logging.getLogger(__name__)


class Problem(Exception):
    """An HTTP error a view raises on purpose: status, short title, detail, extra members, headers, and
    `rejected`, why the request was refused before any query ran (for the access log and metrics)."""

    def __init__(self, status: int, title: str, detail: str = "", *, headers: dict | None = None,
                 rejected: str | None = None, **extra):
        super().__init__(detail or title)
        self.status, self.title, self.detail = status, title, detail
        self.headers, self.extra, self.rejected = headers or {}, extra, rejected


def unsupported_media(needs: str, media: str, sent_in: str = "the request", **extra) -> Problem:
    """415: `needs` says what the route reads; the body (`sent_in`: the request, or a part of it) came as
    `media`, or (empty) with no Content-Type, which is said so rather than as if it were a type."""
    if not media:
        return Problem(415, "Unsupported media type", f"{needs}, and {sent_in} has no Content-Type", **extra)
    where = "" if sent_in == "the request" else f" in {sent_in}"
    return Problem(415, "Unsupported media type", f"{needs}, not {media}{where}", **extra)


def sentence_case(title: str) -> str:
    """A title in the one case every problem title takes: its first word as written, the others in lower case
    but for acronyms ("Method Not Allowed" -> "Method not allowed", "URI Too Long" -> "URI too long")."""
    first, *rest = title.split(" ")
    return " ".join([first, *(word if word.isupper() and len(word) > 1 else word.lower() for word in rest)])


def slug(title: str) -> str:
    """The last segment of a problem type's IRI, from its title ("Not found" -> not-found)."""
    return title.lower().replace(" ", "-")


def problem_response(status: int, title: str, detail: str = "", *, headers: dict | None = None, **extra):
    """A problem document; a browser (which prefers HTML) gets the same as a page."""
    from api.negotiation import prefers_html

    body = problem_document(status, title, detail, **extra)
    response = problem_page(body) if prefers_html() else jsonify(body)
    response.status_code = status
    if response.mimetype != "text/html":
        response.mimetype = "application/problem+json"
    response.vary.add("Accept")  # a page or a document by Accept: a cache must not give one for the other
    response.headers.update(headers or {})
    return response


def problem_document(status: int, title: str, detail: str = "", **extra) -> dict:
    """The members of an RFC 9457 problem document (extra members with a value of None are left out)."""
    # One type, one title (RFC 9457 §3.1.3), whether the project or Werkzeug ("Not Found", a 405) raised it.
    title = sentence_case(title)
    body = {"type": PROBLEM_TYPE + slug(title), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update({key: value for key, value in extra.items() if value is not None})
    return body


def problem_page(body: dict):
    """A problem document as an HTML page (for a browser, or a frame that shows HTML whatever it asked for)."""
    from flask import make_response, render_template

    return make_response(render_template("problem.html", problem=body,
                                         type_path="/problems/" + body["type"].rsplit("/", 1)[-1]), body["status"])


METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS")


def in_order(methods) -> str:
    """Methods as an Allow header lists them, in one order whatever set they came from."""
    return ", ".join(sorted(methods, key=lambda name: (METHOD_ORDER + (name,)).index(name)))


def own_detail(error: HTTPException) -> str:
    """A Werkzeug error's detail: the words it was raised with, else the project's own, never Werkzeug's stock
    text, which speaks to a person at a browser ("If you entered the URL manually please check your spelling")."""
    if error.description != type(error).description:
        return error.description or ""
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        return f"{request.path} takes {in_order(error.valid_methods)}, not {request.method} (Allow lists them)"
    if isinstance(error, NotFound):
        return f"nothing is at {request.path}"
    return ""  # the type's IRI documents what the status means


# The library's errors and the HTTP status each one means.
_STATUS = [
    (QuerySyntaxError, 400, "Malformed query"),
    (BindingTypeError, 400, "Bad binding"),
    (InputLimitError, 413, "Content too large"),
    (ParseError, 400, "Malformed data"),
    (PolicyError, 400, "Refused by policy"),
    (ProjectGraphError, 409, "Project graph"),
    (ReconciliationError, 400, "Bad reconciliation request"),
    (FormatError, 406, "Not acceptable"),
    (ServiceFailure, 502, "Bad gateway"),  # a SERVICE endpoint's failure, named in "endpoint"
    (ServiceTimeout, 504, "Gateway timeout"),
    (ServiceBusy, 503, "Service endpoint busy"),
    (StorageFailure, 503, "Store unavailable"),
    (EvaluationError, 400, "Request refused by the store"),
    (UpdateOutcomeUnknown, 504, "Update outcome unknown"),
    (UpdateTimeout, 503, "Update timeout"),  # before QueryTimeout, its base class
    (QueryTimeout, 503, "Query timeout"),
    (ClientGone, 499, "Client closed request"),  # nginx's code: for the access log alone, as nobody reads it
    (QueryMemoryExceeded, 503, "Query memory limit"),
    (RemoteStoreFailure, 502, "Store failure"),
    (StoreUnavailable, 503, "Store unavailable"),
    (StoreError, 500, "Store error"),
    (ConfigError, 500, "Configuration error"),
]


def _wait(error: Exception) -> int | None:
    """Seconds a 503 invites the client to wait before asking again, or None where the same request would fail
    the same way: a query stopped at its time limit, or at the memory cap (a Retry-After invites retry loops)."""
    if isinstance(error, QueryTimeout):
        return 1 if error.waited else None
    if isinstance(error, QueryMemoryExceeded):
        return None
    return getattr(error, "retry_after", None) or 1


def register(app: Flask) -> None:
    """Install the handlers that turn every error into a problem document."""

    @app.errorhandler(Problem)
    def _problem(error: Problem):
        if error.rejected:  # for the access log and metrics (api.ops)
            g.rejected = error.rejected
        return problem_response(error.status, error.title, error.detail, headers=error.headers, **error.extra)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        headers = dict(error.get_headers())
        headers.pop("Content-Type", None)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers["Allow"] = in_order(error.valid_methods)
        return problem_response(error.code or 500, error.name, own_detail(error), headers=headers)

    @app.errorhandler(Exception)
    def _any(error: Exception):
        if isinstance(error, QueryTimeout):  # for the access log and metrics (api.ops)
            g.timed_out = True
        elif isinstance(error, PolicyError):
            g.rejected = "policy"
        elif isinstance(error, InputLimitError):
            g.rejected = "upload_limit"
        for kind, status, title in _STATUS:
            if isinstance(error, kind):
                extra = {name: getattr(error, name, None) for name in ("line", "column", "endpoint", "part")}
                detail = getattr(error, "message", None) or str(error)
                if isinstance(error, StorageFailure):  # the server's trouble: log it, tell no paths
                    log.error("storage failure: %s", error)
                    detail = "the store could not be read; try again shortly"
                elif status >= 500 and isinstance(error, (StoreError, StoreUnavailable, QueryTimeout)):
                    if _ADDRESS.search(detail):  # a remote store's address is the operator's, not the client's
                        log.warning("%s: %s", title, detail)
                        detail = _ADDRESS.sub("the store", detail)
                headers = {"Retry-After": str(wait)} if status == 503 and (wait := _wait(error)) else None
                return problem_response(status, title, detail, headers=headers, **extra)
        log.exception("unexpected error")
        return problem_response(500, "Internal server error", "the server failed; the error is logged")
