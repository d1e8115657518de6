"""The HTTP layer (Flask). It only translates HTTP to and from kg's query service."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge

from api import errors, graph_store, settings, sparql
from api.backend import Backend
from api.body_limit import TOO_LARGE, BodyLimit
from kg.errors import ConfigError


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` overrides the environment (see api.settings.SETTINGS)."""
    app = Flask(__name__)
    values = settings.resolve(config)
    if values["UPDATES_ENABLED"] and not values["UPDATE_TOKEN"]:
        raise ConfigError("UPDATES_ENABLED needs an UPDATE_TOKEN: writes are never open to everyone")
    app.config.update(values)
    app.config["MAX_CONTENT_LENGTH"] = values["MAX_BODY_BYTES"]  # Werkzeug answers 413 before reading
    app.wsgi_app = BodyLimit(app.wsgi_app, values["MAX_BODY_BYTES"])  # and so for chunked bodies
    app.json.sort_keys = False
    app.extensions["sahel-kg"] = Backend(values)
    errors.register(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(graph_store.bp)

    @app.before_request
    def refuse_large_bodies():
        if request.environ.get(TOO_LARGE):
            raise RequestEntityTooLarge(f"the body is over {values['MAX_BODY_BYTES']} bytes")

    @app.after_request
    def cors(response):
        origins = app.config["CORS_ORIGINS"]
        if origins and request.path == "/sparql":
            response.headers["Access-Control-Allow-Origin"] = origins
            response.headers["Access-Control-Expose-Headers"] = (
                "ETag, Last-Modified, X-Result-Truncated, X-Result-Limit, X-Result-Count, X-Dataset-Version")
            if request.method == "OPTIONS":
                response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
                response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept, Authorization"
                response.headers["Access-Control-Max-Age"] = "86400"
        return response

    return app
