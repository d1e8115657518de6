"""The HTTP layer (Flask). It only translates HTTP to and from kg's query service."""

from __future__ import annotations

from flask import Flask, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from api import (conditional, cors, dumps, errors, fairness, fast_sparql, graph_store, linked_data, negotiation, ops,
                 pages, problem_types, public_origin, query_ui, reconcile, search, security_headers, server_options,
                 software, sparql, static_files, visible_controls, views, void)
from api.backend import Backend
from api.body_limit import MAX_URI_BYTES, TOO_LARGE, BodyLimit, uri_too_long
from api.compression import ResponseCompression
from api.errors import Problem
from api.request_encoding import BAD_ENCODING, RequestEncoding, undecoded_coding, undecoded_transfer_coding
from kg import settings
from kg.errors import ConfigError


# RFC 9110 §9: methods are case-sensitive; one the server does not know (`get`, `FOO`) is 501, one it knows but
# a route does not take, 405 (Werkzeug upper-cases the method, so the check reads the environ itself).
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"})


class App(Flask):
    """Flask, but for the answer to OPTIONS: its Allow and no content, so no Content-Type (Flask's says text/html)."""

    def make_default_options_response(self):
        response = super().make_default_options_response()
        del response.headers["Content-Type"]  # else an empty body is an HTML page, with the page's CSP
        return response


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` overrides the environment (see kg.settings.SETTINGS)."""
    app = App(__name__)
    values = settings.resolve(config)
    if values["UPDATES_ENABLED"] and not values["UPDATE_TOKEN"]:
        raise ConfigError("UPDATES_ENABLED needs an UPDATE_TOKEN: writes are never open to everyone")
    app.config.update(values)
    app.config["MAX_CONTENT_LENGTH"] = values["MAX_BODY_BYTES"]  # Werkzeug answers 413 before reading
    app.json.sort_keys = False
    app.extensions["sahel-kg"] = Backend(values)
    software.stamp()  # read at start (about 20 ms), not while a first request waits
    errors.register(app)
    ops.install(app)  # first, so that its clock starts before any other hook runs
    fairness.install(app)
    linked_data.register(app)
    security_headers.install(app)
    negotiation.install(app)
    static_files.install(app)
    visible_controls.install(app)
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
            raise Problem(501, "Not implemented", f"this server does not know the method {method!r}; "
                                                  "methods are case-sensitive (GET, not get)")
        if request.environ.get(TOO_LARGE) or (request.content_length or 0) > values["MAX_BODY_BYTES"]:
            g.rejected = "too_large"
            raise RequestEntityTooLarge(f"the body is over {values['MAX_BODY_BYTES']} bytes")
        coding = undecoded_coding(request.environ)
        if coding and request.environ.get("CONTENT_LENGTH") not in (None, "", "0"):  # chunked ones have one by now
            g.rejected = "content_coding"
            raise Problem(415, "Unsupported media type", f"the body is in the content coding {coding!r}, which "
                          "this server does not decode: send it uncompressed", headers={"Accept-Encoding": "identity"})
        if transfer := undecoded_transfer_coding(request.environ):  # RFC 9112 §6.1: not understood, so 501
            g.rejected = "content_coding"
            raise Problem(501, "Not implemented", f"the body is sent in the transfer coding {transfer!r}, which this "
                          "server does not decode: send it chunked alone, or with a Content-Length")
        if request.environ.get(BAD_ENCODING):
            g.rejected = "bad_encoding"
            raise Problem(400, "Bad encoding", request.environ[BAD_ENCODING]
                          + ": a request must be UTF-8, without NUL bytes, with %XX escapes only")
        if uri_too_long(request.environ):  # SPARQL clients take 400 for a malformed query, so say what it is
            raise Problem(414, "URI too long", f"the request's URI is over {MAX_URI_BYTES} bytes; "
                                               "send a long query by POST")

    server_options.install(app)  # after every route, whose methods its Allow lists
    public_origin.install(app)  # after the checks above: a refused request is refused, not redirected
    cors.install(app)  # after the other hooks, so that its headers are set first
    conditional.install(app)  # its 412 replaces an answer, so it comes before CORS's and the others' hooks
    # Chunked bodies are read (up to the cap) first, so that every body is checked for clean UTF-8; only a
    # clean request within the caps may be answered by the fast path, which hands every other to Flask.
    app.wsgi_app = ResponseCompression(BodyLimit(RequestEncoding(fast_sparql.install(app), values["MAX_BODY_BYTES"]),
                                                 values["MAX_BODY_BYTES"]), level=values["GZIP_LEVEL"])
    return app
