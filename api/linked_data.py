"""IRIs that resolve: every IRI under IRI_BASE answers on this server at the same path.

`/id/jnim` (a thing, not a document) answers 303 See Other to a document about it: `/id/jnim.html`
for a browser, `/id/jnim.ttl` (or .jsonld, .nt, .rdf) by Accept; `.trig` and `.nq` give the same statements each
in the named graphs that state it, and a graph's content when the IRI names one (a claim). The document URLs
answer directly. An ontology's version IRI is served as the ontology.
An IRI the graph does not know is a 404: an HTML page for a browser, a problem document otherwise.
The server gets the path percent-decoded, so an IRI minted with escapes (`…/label/russia/en/Russian%20Federation`)
is found by looking up, as exact IRIs, the spellings such an IRI may have (api/iri_spellings.py); one
with %2F (`…/id/a%2Fb`), whose path decodes to a plain one (granian's RSGI scope has no raw path), by trying
its last slashes as %2F. A request's cost never grows with the store, whatever its path holds.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.routing import PathConverter
from werkzeug.urls import iri_to_uri

from api import page_data, pages
from api.conditional import conditional
from api.errors import Problem
from api.iri_spellings import UNRESERVED, spellings
from api.negotiation import GRAPH_ALIASES, best_match, format_names, graph_formats_for, prefers_html
from api.page_data import DOCUMENTS
from api.params import format_param, request_params
from api.query_warnings import as_uri
from api.redirects import redirect
from kg.namespaces import graph_iri
from kg.near_terms import did_you_mean, nearest

bp = Blueprint("linked_data", __name__)

LINK_CHARS = 2000  # the longest IRI a document's Link: <IRI>; rel="describes" header gives; the body names it anyway
_BY_MEDIA = {media: ext for ext, (media, _, _) in DOCUMENTS.items()}
# The other names of the graph formats, as /sparql takes them (api.negotiation), each for its document
_BY_MEDIA.update({media: next(ext for ext, (_, name, _) in DOCUMENTS.items() if name == fmt)
                  for media, fmt in GRAPH_ALIASES})
_BY_MEDIA["application/xhtml+xml"] = "html"


@bp.route("/<path:path>", methods=["GET", "HEAD"])
def resolve(path: str):
    """A thing's IRI: 303 to its document; a document's URL (path.ext): the document."""
    stem, dot, ext = path.rpartition(".")
    if dot and ext in DOCUMENTS and stem:
        described = resource_for(stem, missing=None)
        if described is not None:
            _agrees(ext)
            return document(described, ext)
        if resource_for(path, missing=None) is None:  # an IRI may end in .ttl itself
            raise not_found(page_data.iri_for(stem))
    iri = resource_for(path)
    chosen = _negotiate()
    return redirect(page_data.document_path(iri, chosen), 303)


def document(iri: str, ext: str):
    """The HTML page or an RDF serialisation of a known resource, with validators from the dataset version."""
    return conditional(("document", iri, ext), lambda: _made(iri, ext), DOCUMENTS[ext][0])


def _made(iri: str, ext: str):
    media, fmt, _ = DOCUMENTS[ext]
    ontology_graph = graph_iri("ontology", current_app.config["IRI_BASE"])
    version_of = page_data.first(page_data.rows("ontology-of-version", this=iri, graph=ontology_graph), "ontology")
    content = version_of.value if version_of else iri  # OWL 2 §3.3: a version IRI serves that version
    if fmt is None:
        return pages.resource_page(content)
    twin = page_data.document_path(iri, "trig")
    if fmt in page_data.QUAD_FORMATS:
        body = page_data.quads_document("resource-quads", fmt, this=content)
    else:  # a crawler that reads only triples is told of the quads twin, as the Link header tells a client of HTTP
        twin_iri = current_app.config["IRI_BASE"].rstrip("/") + twin if twin else None
        body = page_data.graph_document("resource-description", fmt, this=content, quadsDocument=twin_iri)
    response = Response(body, mimetype=media)  # Werkzeug adds charset=utf-8 to text/* and *+xml itself
    described = iri_to_uri(iri)  # a header is ASCII: the IRI as a URI
    if len(described) <= LINK_CHARS:  # a longer one (up to 3x the URI cap) would overflow a proxy's header buffer
        # The triples' document names its quads' twin: which graphs state each statement, and a claim's content.
        response.headers["Link"] = f'<{described}>; rel="describes"' + (
            f', <{twin}>; rel="alternate"; type="application/trig"' if fmt not in page_data.QUAD_FORMATS and twin else "")
    return response


_RAISE = object()


def resource_for(path: str, missing=_RAISE) -> str:
    """The known IRI a (percent-decoded) local path names: IRI_BASE + path, or the first known of its other
    spellings (api/iri_spellings.py), all looked up in one query. When the graph knows none: `missing` if given,
    else a NotFoundPage or 404 problem."""
    forms = spellings(path)
    if all(ch in UNRESERVED for ch in path):  # a "/" may have been sent as %2F: each form asked for alone
        forms += _slashes_escaped(path)
    found = known_among([page_data.iri_for(form) for form in forms])
    if found is not None:
        return found
    if missing is not _RAISE:
        return missing
    raise not_found(page_data.iri_for(path))


_ESCAPED_SLASHES = 4  # at most this many of a path's last slashes are tried as %2F (each one more IRI looked up)


def _slashes_escaped(path: str) -> list[str]:
    """`path` with its last one, two... slashes as %2F, its first (after the first segment) always kept."""
    head, _, rest = path.partition("/")
    parts = rest.split("/")
    return [head + "/" + "/".join(parts[:-count]) + "%2F" + "%2F".join(parts[-count:])
            for count in range(1, min(len(parts), _ESCAPED_SLASHES + 1))]


def known_among(iris: list[str]) -> str | None:
    """The first of `iris` the graph says anything about (a spelling that makes no valid IRI names nothing)."""
    valid = []
    for iri in iris:
        try:
            valid.append(ox.NamedNode(iri))
        except ValueError:
            continue
    if not valid:
        return None
    table = (("this",), [(iri,) for iri in valid])
    found = {row["this"].value for row in page_data.rows("resources-known", table=table)}
    return next((iri.value for iri in valid if iri.value in found), None)


def _negotiate() -> str:
    """The document extension format= (or output=) names, as /sparql and VoID read it; else the one Accept asks
    for (RFC 9110 §12.5.1, as /sparql negotiates); Turtle without either."""
    asked = format_param(request_params())
    if asked is not None and asked != "*/*":  # any type, as Accept writes it: no choice made (as on /sparql)
        return _named(asked)
    offered = [media for media, _, _ in DOCUMENTS.values()]
    offered = offered[:-1] + ["text/html"] + [m for m in _BY_MEDIA if m not in offered]
    best = best_match(request.headers.get("Accept"), offered)
    if best is None:
        raise Problem(406, "Not acceptable", "this resource is described in " + ", ".join(offered))
    return _BY_MEDIA[best]


def _agrees(ext: str) -> None:
    """A document's URL names its format: a format= (or output=) naming another is 400, as two format= naming
    different formats are (format=jsonld on /id/mali.ttl was answered in Turtle, silently; helper-193)."""
    asked = format_param(request_params())
    if asked is None or asked == "*/*":
        return
    named = _named(asked)
    quads_asked = DOCUMENTS[named][1] in page_data.QUAD_FORMATS and DOCUMENTS[ext][1] not in page_data.QUAD_FORMATS
    if named != ext and (quads_asked or DOCUMENTS[ext][1] not in graph_formats_for(asked) | {DOCUMENTS[named][1]}):
        raise Problem(400, "Conflicting parameters", f"the URL names the .{ext} document, and format={asked!r} "
                                                     f"another: ask for .{named}, or give no format=")


def _named(value: str) -> str:
    """The document extension a format= value names: an extension (nt, ttl), a name /sparql takes (turtle,
    ntriples, json) or a media type; 406 naming the usable ones otherwise."""
    value = value.strip().lower()
    if value in DOCUMENTS:
        return value
    if value in _BY_MEDIA:
        return _BY_MEDIA[value]
    graphs = {name for kind, name in format_names(value) if kind == "graph"}
    found = [ext for ext, (_, name, _) in DOCUMENTS.items() if name in graphs]
    if not found:
        raise Problem(406, "Not acceptable", f"format {value!r} names no document of this resource; use one of: "
                                             + ", ".join(DOCUMENTS))
    return found[0]


class NotFoundPage(Exception):
    """An unknown IRI or page: an HTML page for a browser, a problem document for any other client. `near`:
    known terms it is likeliest a slip for, as (prefixed name, local path or web IRI, else None) pairs."""

    def __init__(self, what: str, near: list[tuple[str, str]] = ()):
        super().__init__(what)
        self.what, self.near = what, near


def not_found(iri: str) -> Exception:
    """The 404 for an IRI the graph says nothing about, offering the known terms near it (sk:mail: sk:mali)."""
    near = current_app.extensions["sahel-kg"].near_terms(iri) or _near_graphs(iri)
    if prefers_html():
        # linked where it resolves here or on the web; any other scheme (urn:, javascript:) is shown, not linked
        return NotFoundPage(iri, [(page_data.compact(term), page_data.local_path(term)
                                   or (term if term.startswith(("http://", "https://")) else None)) for term in near])
    # the asked IRI written as the offers are, a URI in brackets: a path's space, '>' or line break ends no IRI early
    return Problem(404, "Not found", f"the graph says nothing about <{as_uri(iri)}>"
                   + did_you_mean([f"<{as_uri(term)}>" for term in near]))


def _near_graphs(iri: str) -> list[str]:
    """The graphs (claims, /graph/…) an IRI under /claim/ or /graph/ is likeliest a slip for (claim/aes-member:
    claim/aes-members), nearest first; the graphs' names read once per dataset version."""
    base = current_app.config["IRI_BASE"]
    section = iri[len(base):].split("/", 1)[0] if iri.startswith(base) else ""
    if section not in ("claim", "graph"):
        return []
    known = [row["graph"].value for row in page_data.rows_per_version("graph-names")]
    if iri.rstrip("/") in known:  # a slash too many: claim/aes-members/
        return [iri.rstrip("/")]
    return nearest(iri, known, (f"{base}{section}/",))


class AnyPath(PathConverter):
    """Werkzeug's path converter, taking control characters too: a path holding %0A reached no route, and its 404
    was Werkzeug's stock text rather than ours naming what was looked up."""

    regex = r"[^/][\s\S]*?"


def register(app) -> None:
    """Paths holding any character, and HTML 404 pages for browsers (the error handlers answer problem
    documents to everyone else). Before the blueprints: their rules take the converter when added."""
    app.url_map.converters["path"] = AnyPath

    @app.errorhandler(NotFoundPage)
    def _missing(error: NotFoundPage):
        return render_template("not_found.html", what=error.what, near=error.near), 404, {"Vary": "Accept"}
