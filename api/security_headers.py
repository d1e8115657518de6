"""Headers that tell browsers what a response may do: a Content-Security-Policy (scripts, styles,
fetches and frames from this origin only), no MIME sniffing, no framing by other sites.

Pages load only the vendored scripts under /static; YASGUI and vis-timeline set inline styles, hence
style-src 'unsafe-inline'. The reconciliation preview is framed by OpenRefine (another origin), so it
alone may be framed by any site. Other answers (JSON, RDF, JSONP) get the strictest policy: they are data; XML
may be styled inline, as a browser's viewer of it does.
"""

from __future__ import annotations

from flask import request

PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors {frames}")
DATA_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
# A browser shows XML (VoID and the service description for its Accept, RDF/XML, SPARQL XML) in a viewer of its own
# that styles the tree inline and draws its folds as data: images: under DATA_POLICY it logged errors and ran the
# text together (helper-210).
XML_POLICY = DATA_POLICY + "; style-src 'unsafe-inline'; img-src data:"
FRAMED_ANYWHERE = ("/reconcile/preview",)


def install(app) -> None:
    """Add the headers to every response, errors included."""

    @app.after_request
    def _secure(response):
        put(response.headers, values_for(request.path, response.mimetype))
        return response


def values_for(path: str, mimetype: str) -> list[tuple[str, str, bool]]:
    """The headers (name, value, replace) for a response at `path` of `mimetype` (no parameters), for put."""
    framed = path in FRAMED_ANYWHERE
    if mimetype == "text/html":
        policy = PAGE_POLICY.format(frames="*" if framed else "'none'")
    else:
        policy = XML_POLICY if (mimetype or "").endswith(("/xml", "+xml")) else DATA_POLICY
    return [("Content-Security-Policy", policy, False), ("X-Content-Type-Options", "nosniff", True),
            *([] if framed else [("X-Frame-Options", "DENY", True)]), ("Referrer-Policy", "same-origin", False)]


def put(headers, values) -> None:
    """Set (replace True) or set by default (False) each (name, value, replace) of `values` in `headers`; a Vary
    there already gets the value added to its list.

    Names present are looked at once: Headers.set and setdefault each scan every header, lower-casing its
    name (a fifth of a small query's CPU went to such scans).
    """
    present = {name.lower() for name, _ in headers.items()}
    for name, value, replace in values:
        if name.lower() not in present:
            headers.add(name, value)
        elif name.lower() == "vary":
            if value.lower() not in (token.strip().lower() for token in headers[name].split(",")):
                headers.set(name, f"{headers[name]}, {value}")
        elif replace:
            headers.set(name, value)
