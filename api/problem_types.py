"""The problem types the service answers with, documented where their IRIs resolve (/problems/NAME).

Every problem document's `type` is PROBLEM_TYPE + a slug of its title (RFC 9457 §3.1.1: a type IRI,
dereferenced, documents the problem). A browser gets a page, any other client JSON.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from werkzeug.exceptions import default_exceptions
from werkzeug.http import HTTP_STATUS_CODES

from api.errors import PROBLEM_TYPE, Problem, slug
from api.negotiation import prefers_html

bp = Blueprint("problem_types", __name__)

# slug: (HTTP status, what it means and what to do). The slugs of werkzeug's own errors are added below.
MEANINGS = {
    "malformed-query": (400, "The query is not SPARQL 1.1; line and column say where the parser stopped."),
    "malformed-update": (400, "The update is not SPARQL 1.1 Update; line and column say where the parser stopped. "
                              "Nothing of it was written."),
    "bad-binding": (400, "A value bound to a variable of the query is not of the type the query declares for it "
                         "(a `# binding:` line): of another type, or no valid value of it (a date of no calendar)."),
    "malformed-data": (400, "The RDF sent does not parse in the media type it was labelled with."),
    "refused-by-policy": (400, "The query asks for something this server does not do: SERVICE to an endpoint "
                               "not allow-listed, LOAD, or FROM a URL that is not a graph of the store."),
    "bad-reconciliation-request": (400, "A reconciliation query is not shaped as the Reconciliation API says; a "
                                        "batch's `queries` names each query at fault by its key."),
    "bad-data-extension-request": (400, "A data extension request is not shaped as the Reconciliation API says."),
    "project-graph": (409, "The write would change one of the project's own graphs (a build's, the loads record): "
                          "`kg build --install` keeps them; write to a graph of your own. Nothing was written."),
    "request-refused-by-the-store": (400, "The store refused to evaluate the request; detail says why."),
    "content-too-large": (413, "An upload or a text is over the size this server accepts."),
    "not-acceptable": (406, "No format the client accepts can carry this answer; detail lists those offered."),
    "bad-gateway": (502, "A SERVICE endpoint (named in `endpoint`) failed or answered something unreadable."),
    "gateway-timeout": (504, "A SERVICE endpoint (named in `endpoint`) was too slow or asked us to wait."),
    "service-endpoint-busy": (503, "A SERVICE endpoint asked us to back off; try again after Retry-After."),
    "store-unavailable": (503, "The store could not be reached or read; try again after Retry-After."),
    "update-outcome-unknown": (504, "An update to a remote store ran past its time limit: it may or may not "
                                    "have been applied; read before writing again."),
    "query-timeout": (503, "The query ran past its time limit and was stopped; ask for less, or a smaller part. "
                           "With Retry-After it only waited past its limit to start: ask again then."),
    "update-timeout": (503, "The update ran past its time limit and was stopped; read what it was to change before "
                            "writing again, and send less at once (a smaller INSERT DATA, a narrower WHERE)."),
    "client-closed-request": (499, "The client went away before its answer, so the query was stopped; only the "
                                   "server's log and metrics see this."),
    "query-memory-limit": (503, "The query needed more memory than a query worker may take and was stopped; "
                                "ask for less (smaller strings, fewer rows held for a sort or a group)."),
    "store-failure": (502, "The remote store answered with an error."),
    "store-error": (500, "The store failed; the error is logged."),
    "configuration-error": (500, "The server is configured wrongly; the operator's log says how."),
    "internal-server-error": (500, "The server failed; the error is logged."),
    "not-found": (404, "Nothing is at this address: the graph says nothing about the IRI, or no page is there."),
    "method-not-allowed": (405, "The address does not take the request's method; Allow lists those it takes."),
    "no-such-graph": (404, "The store has no graph by that name."),
    "precondition-failed": (412, "If-Match or If-None-Match does not hold for the graph or dataset as it is "
                                 "now; read it again before writing."),
    "range-not-satisfiable": (416, "No range the Range header asks for starts within the file (Content-Range gives "
                                   "its length); a range not served (another unit, an invalid one, several) gives "
                                   "the whole file instead."),
    "unknown-entity": (404, "No entity of the reconciliation service has that id."),
    "ambiguous-graph": (400, "A Graph Store request names more than one graph, or names one twice over."),
    "no-graph": (400, "A Graph Store request names no graph: give ?graph=IRI or ?default."),
    "no-rdf": (400, "The upload carries no RDF."),
    "bad-graph-iri": (400, "A graph name is not an absolute IRI."),
    "graph-url-not-usable": (400, "A graph URL under /store/ holds % or a dot segment, which the decoded path cannot "
                                  "tell apart from another graph's: name the graph with ?graph=IRI."),
    "unsupported-media-type": (415, "The body's Content-Type is not one this route reads; detail lists them."),
    "update-by-get": (400, "Updates change data and are sent with POST only."),
    "update-as-query": (400, "The text is an update sent as a query; send it as update= or application/sparql-update."),
    "query-and-update": (400, "A request carries a query or an update, not both."),
    "missing-operation": (400, "The request carries neither a query nor an update."),
    "misplaced-dataset": (400, "A query was sent with using-graph-uri or using-named-graph-uri, or an update with "
                               "default-graph-uri or named-graph-uri: the other operation's parameters, which would "
                               "be ignored. A query names its dataset with default-graph-uri and named-graph-uri, an "
                               "update with using-graph-uri and using-named-graph-uri."),
    "dataset-conflict": (400, "The protocol's default-graph-uri/named-graph-uri and the query's FROM disagree."),
    "query-too-large": (413, "The query text is over MAX_QUERY_BYTES or MAX_QUERY_TOKENS."),
    "update-too-large": (413, "The update text is over MAX_QUERY_BYTES or MAX_QUERY_TOKENS; send it in parts."),
    "not-utf-8": (400, "Text must be UTF-8."),
    "bad-charset": (400, "The Content-Type's charset parameter (named in `parameter`) is empty, malformed or given "
                         "twice: write charset=utf-8, or leave it out."),
    "bad-encoding": (400, "The request is not clean: invalid UTF-8, a NUL byte or a bad %XX escape."),
    "bad-duration": (400, "A duration (timeout=) must be a positive number of seconds."),
    "repeated-parameter": (400, "A parameter that is given once was given several times; detail names it."),
    "conflicting-parameters": (400, "format= and output= both name the format of the answer, and they differ: give one."),
    "missing-parameter": (400, "A parameter the request needs is missing; detail names it."),
    "bad-date": (400, "A date must be written YYYY-MM-DD."),
    "bad-request": (400, "A parameter is missing or out of range; detail says which."),
    "bad-callback": (400, "A JSONP callback must be a JavaScript function name."),
    "unauthorized": (401, "Writes need an Authorization: Bearer token."),
    "forbidden": (403, "The token given does not allow writes."),
    "updates-disabled": (403, "This server is read-only (UPDATES_ENABLED is off)."),
    "queries-and-extend": (400, "A reconciliation request carries queries or extend, not both."),
    "missing-queries": (400, "A reconciliation request needs queries= (or extend=)."),
    "missing-prefix": (400, "Suggest needs the prefix= to complete."),
    "missing-id": (400, "A preview needs the id= of the entity to show."),
    "malformed-json": (400, "A JSON parameter does not parse, or nests too deeply."),
    "batch-too-large": (413, "More queries or ids in one request than batchSize allows."),
    "too-many-requests": (429, "This client has spent its query time for the minute; wait for Retry-After."),
    "too-busy": (503, "Too many queries are running or waiting; try again after Retry-After."),
    "not-ready": (503, "The store did not answer the readiness probe in time."),
    "uri-too-long": (414, "The URL is too long; send a long query by POST."),
    "request-timeout": (408, "The request's body did not arrive in time."),
}
for _code, _error in default_exceptions.items():
    MEANINGS.setdefault(slug(HTTP_STATUS_CODES[_code]), (_code, _error.description))


@bp.route("/problems/")
def listing():
    """Every problem type, with its status and meaning."""
    if not prefers_html():
        return jsonify([_document(name) for name in sorted(MEANINGS)])
    return render_template("problem_types.html", problems=[_document(name) for name in sorted(MEANINGS)])


@bp.route("/problems/<name>")
def problem_type(name: str):
    """One problem type: its status and what it means."""
    if name not in MEANINGS:
        raise Problem(404, "Not found", f"no problem type is called {name!r}")
    if not prefers_html():
        return jsonify(_document(name))
    return render_template("problem_types.html", problems=[_document(name)])


def _document(name: str) -> dict:
    status, meaning = MEANINGS[name]
    return {"type": PROBLEM_TYPE + name, "name": name, "status": status, "description": meaning}
