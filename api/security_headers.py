"""Headers that tell browsers what a response may do: a Content-Security-Policy (scripts, styles,
fetches and frames from this origin only), no MIME sniffing, no framing by other sites.

Pages load only the vendored scripts under /static; YASGUI and vis-timeline set inline styles, hence
style-src 'unsafe-inline'. The reconciliation preview is framed by OpenRefine (another origin), so it
alone may be framed by any site. Other answers (JSON, RDF, JSONP) get the strictest policy: they are data.
"""

from __future__ import annotations

from flask import request

PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors {frames}")
DATA_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
FRAMED_ANYWHERE = ("/reconcile/preview",)


def install(app) -> None:
    """Add the headers to every response, errors included."""

    @app.after_request
    def _secure(response):
        framed = request.path in FRAMED_ANYWHERE
        if response.mimetype == "text/html":
            policy = PAGE_POLICY.format(frames="*" if framed else "'none'")
        else:
            policy = DATA_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers["X-Content-Type-Options"] = "nosniff"
        if not framed:
            response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
