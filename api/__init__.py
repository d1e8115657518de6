"""The HTTP layer (Flask). It only translates HTTP to and from kg's query service."""

from __future__ import annotations

from flask import Flask, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from api import (dumps, errors, fairness, graph_store, linked_data, ops, pages, problem_types, query_ui, reconcile,
                 search, security_headers, sparql, views, void)
from api.backend import Backend
from api.body_limit import TOO_LARGE, BodyLimit
from api.errors import Problem
from api.request_encoding import BAD_ENCODING, RequestEncoding
from kg import settings
from kg.errors import ConfigError


EXPOSED = ("ETag, Last-Modified, X-Result-Truncated, X-Result-Limit, X-Result-Count, X-Dataset-Version, "
           "X-Query-Warning")  # the headers of a query's answer that other sites' pages may read
MAX_URI_BYTES = 8190  # what common servers accept in a request line; SPARQLWrapper sends GET up to there
# RFC 9110 §9: methods are case-sensitive; one the server does not know (`get`, `FOO`) is 501, one it knows but
# a route does not take, 405 (Werkzeug upper-cases the method, so the check reads the environ itself).
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"})


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` overrides the environment (see kg.settings.SETTINGS)."""
    app = Flask(__name__)
    values = settings.resolve(config)
    if values["UPDATES_ENABLED"] and not values["UPDATE_TOKEN"]:
        raise ConfigError("UPDATES_ENABLED needs an UPDATE_TOKEN: writes are never open to everyone")
    app.config.update(values)
    app.config["MAX_CONTENT_LENGTH"] = values["MAX_BODY_BYTES"]  # Werkzeug answers 413 before reading
    # Chunked bodies are read (up to the cap) first, so that every body is checked for clean UTF-8.
    app.wsgi_app = BodyLimit(RequestEncoding(app.wsgi_app, values["MAX_BODY_BYTES"]), values["MAX_BODY_BYTES"])
    app.json.sort_keys = False
    app.extensions["sahel-kg"] = Backend(values)
    errors.register(app)
    ops.install(app)  # first, so that its clock starts before any other hook runs
    fairness.install(app)
    linked_data.register(app)
    security_headers.install(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(graph_store.bp)
    app.register_blueprint(reconcile.bp)
    app.register_blueprint(void.bp)
    app.register_blueprint(dumps.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(query_ui.bp)
    app.register_blueprint(problem_types.bp)
    app.register_blueprint(linked_data.bp)  # last: its catch-all /<path> resolves the dataset's IRIs

    @app.before_request
    def refuse_large_or_unclean_requests():
        method = request.environ.get("REQUEST_METHOD", "")
        if method not in KNOWN_METHODS:
            raise Problem(501, "Not Implemented", f"this server does not know the method {method!r}; "
                                                  "methods are case-sensitive (GET, not get)")
        if request.environ.get(TOO_LARGE) or (request.content_length or 0) > values["MAX_BODY_BYTES"]:
            g.rejected = "too_large"
            raise RequestEntityTooLarge(f"the body is over {values['MAX_BODY_BYTES']} bytes")
        if request.environ.get(BAD_ENCODING):
            g.rejected = "bad_encoding"
            raise Problem(400, "Bad encoding", request.environ[BAD_ENCODING]
                          + ": a request must be UTF-8, without NUL bytes, with %XX escapes only")
        target = len(request.environ.get("PATH_INFO", "")) + len(request.environ.get("QUERY_STRING", "")) + 1
        if target > MAX_URI_BYTES:  # SPARQL clients take 400 for a malformed query, so say what it is
            raise Problem(414, "URI Too Long", f"the request's URI is over {MAX_URI_BYTES} bytes; "
                                               "send a long query by POST")

    @app.after_request
    def cors(response):
        origins = app.config["CORS_ORIGINS"]
        public = app.config["PUBLIC"]  # a public server lets other sites' pages read GET answers only
        cross_origin = request.path == "/sparql" or request.path.startswith("/reconcile")  # both read-only
        if origins and cross_origin and not (public and request.method == "POST"):
            values = [("Access-Control-Allow-Origin", origins, True), ("Access-Control-Expose-Headers", EXPOSED, True)]
            if request.method == "OPTIONS":
                values += [("Access-Control-Allow-Methods", "GET, OPTIONS" if public else "GET, POST, OPTIONS", True),
                           ("Access-Control-Allow-Headers",
                            "Accept, Authorization" if public else "Content-Type, Accept, Authorization", True),
                           ("Access-Control-Max-Age", "86400", True)]
            security_headers.put(response.headers, values)
        return response

    return app
