"""Cross-origin reads (CORS): which answers other sites' pages may read, and which of their headers.

Access-Control-Allow-Origin holds `*` or one origin: with several allowed, an answer names the page's own origin
when it is one of them (none otherwise) and says Vary: Origin, so that a shared cache keeps the answers apart.
"""

from __future__ import annotations

from flask import request

from api import security_headers

OPERATORS = ("/metrics", "/healthz", "/readyz")  # about the server, not the data: not for other sites' pages
# The headers other sites' pages may read: a query's answer's, a byte range's (206, 416), when to ask again (429,
# 503), and the document's links (the IRI it describes, its quads' twin)
EXPOSED = ("ETag, Last-Modified, X-Result-Truncated, X-Result-Limit, X-Result-Count, X-Dataset-Version, "
           "X-Query-Warning, Content-Range, Retry-After, Link")
# The request headers other sites' pages may send: a conditional read (304) needs its validators, a conditional
# update (412) If-Match, as the ETag and Last-Modified they may read (EXPOSED) are for.
READ_HEADERS = "Accept, Authorization, If-None-Match, If-Modified-Since"
WRITE_HEADERS = f"Content-Type, {READ_HEADERS}, If-Match, If-Unmodified-Since"


def install(app) -> None:
    """Add the CORS headers (CORS_ORIGINS) to the answers of the read-only routes, errors included."""

    @app.after_request
    def cors(response):
        values = values_for(app.config, request.path, request.method, request.headers.get("Origin"))
        security_headers.put(response.headers, values)
        return response


def values_for(settings, path: str, method: str, origin: str | None) -> list[tuple[str, str, bool]]:
    """The CORS headers (name, value, replace) of an answer to `method` at `path` for a page of `origin` (the
    request's Origin header, or None), for security_headers.put."""
    origins = settings["CORS_ORIGINS"]
    public = settings["PUBLIC"]  # a public server lets other sites' pages read GET answers only
    posted = path == "/sparql" or path.startswith("/reconcile")  # read-only, and asked by POST too
    # Every other GET reads the data (entity documents, VoID, dumps, the API's description) as /sparql does:
    # linked-data clients in a browser read them too. Not the operator's routes, nor the Graph Store's.
    read = method in ("GET", "HEAD", "OPTIONS") and path not in OPERATORS and not path.startswith("/store")
    if not origins or not (posted or read) or (method == "POST" and (public or not posted)):
        return []
    values = [("Access-Control-Allow-Origin", origins, True), ("Access-Control-Expose-Headers", EXPOSED, True)]
    if " " in origins:  # several: the header names one, the page's own if listed, so the answer varies with Origin
        values[0] = ("Vary", "Origin", False)
        if origin in origins.split(" "):
            values.append(("Access-Control-Allow-Origin", origin, True))
    if method == "OPTIONS":
        writes = posted and not public
        values += [("Access-Control-Allow-Methods", "GET, POST, OPTIONS" if writes else "GET, OPTIONS", True),
                   ("Access-Control-Allow-Headers", WRITE_HEADERS if writes else READ_HEADERS, True),
                   ("Access-Control-Max-Age", "86400", True)]
    return values
