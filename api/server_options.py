"""`OPTIONS *` (RFC 9110 §9.3.7) asks what the server as a whole allows; `*` is no other request's target."""

from __future__ import annotations

from flask import request

from api.errors import Problem, in_order


def install(app) -> None:
    """Answer `OPTIONS *` with every method some route takes (call once every route is registered)."""
    taken = set().union(*(rule.methods or () for rule in app.url_map.iter_rules()))
    allow = in_order(taken)

    @app.before_request
    def whole_server():
        # Werkzeug reads the target `*` as the path /*, which the linked-data resolver took for an IRI's.
        if request.environ.get("PATH_INFO") != "*":
            return None
        if request.method != "OPTIONS":
            raise Problem(400, "Bad request", "the request target is not a path starting with '/' (origin form); "
                                              "'*' (asterisk form) is the target of OPTIONS alone")
        response = app.response_class(status=200, headers={"Allow": allow})
        del response.headers["Content-Type"]  # no content, as every other OPTIONS answer
        return response
