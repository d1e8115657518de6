"""Cross-origin reads (CORS): which answers other sites' pages may read, and which of their headers."""

from __future__ import annotations

from flask import request

from api import security_headers

EXPOSED = ("ETag, Last-Modified, X-Result-Truncated, X-Result-Limit, X-Result-Count, X-Dataset-Version, "
           "X-Query-Warning")  # the headers of a query's answer that other sites' pages may read


def install(app) -> None:
    """Add the CORS headers (CORS_ORIGINS) to the answers of the read-only routes, errors included."""

    @app.after_request
    def cors(response):
        security_headers.put(response.headers, values_for(app.config, request.path, request.method))
        return response


def values_for(settings, path: str, method: str) -> list[tuple[str, str, bool]]:
    """The CORS headers (name, value, replace) of an answer to `method` at `path`, for security_headers.put."""
    origins = settings["CORS_ORIGINS"]
    public = settings["PUBLIC"]  # a public server lets other sites' pages read GET answers only
    cross_origin = path == "/sparql" or path.startswith("/reconcile")  # both read-only
    if not origins or not cross_origin or (public and method == "POST"):
        return []
    values = [("Access-Control-Allow-Origin", origins, True), ("Access-Control-Expose-Headers", EXPOSED, True)]
    if method == "OPTIONS":
        values += [("Access-Control-Allow-Methods", "GET, OPTIONS" if public else "GET, POST, OPTIONS", True),
                   ("Access-Control-Allow-Headers",
                    "Accept, Authorization" if public else "Content-Type, Accept, Authorization", True),
                   ("Access-Control-Max-Age", "86400", True)]
    return values
