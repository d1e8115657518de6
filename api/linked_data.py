"""IRIs that resolve: every IRI under IRI_BASE answers on this server at the same path.

`/id/jnim` (a thing, not a document) answers 303 See Other to a document about it: `/id/jnim.html`
for a browser, `/id/jnim.ttl` (or .jsonld, .nt, .rdf) by Accept; `.trig` and `.nq` give the same statements each
in the named graphs that state it, and a graph's content when the IRI names one (a claim). The document URLs
answer directly. An ontology's version IRI is served as the ontology.
An IRI the graph does not know is a 404: an HTML page for a browser, a problem document otherwise.
The server gets the path percent-decoded, so an IRI minted with escapes (`…/label/russia/en/Russian%20Federation`)
is found by looking up, as exact IRIs, the few escaped spellings such an IRI has (see `escaped_forms`); one
with %2F (`…/id/a%2Fb`), whose path decodes to a plain one (granian's RSGI scope has no raw path), by trying
its last slashes as %2F. A request's cost never grows with the store, whatever its path holds.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, render_template, request
from werkzeug.routing import PathConverter
from werkzeug.urls import iri_to_uri

from api import page_data, pages
from api.conditional import conditional
from api.errors import Problem
from api.negotiation import N3, best_match, prefers_html
from api.page_data import DOCUMENTS
from kg.namespaces import graph_iri

bp = Blueprint("linked_data", __name__)

LINK_CHARS = 2000  # the longest IRI a document's Link: <IRI>; rel="describes" header gives; the body names it anyway
_BY_MEDIA = {media: ext for ext, (media, _, _) in DOCUMENTS.items()}
_BY_MEDIA.update({"application/x-turtle": "ttl", "application/json": "jsonld", "text/plain": "nt",
                  "application/xml": "rdf", "application/xhtml+xml": "html", **{media: "ttl" for media in N3}})


@bp.route("/<path:path>", methods=["GET", "HEAD"])
def resolve(path: str):
    """A thing's IRI: 303 to its document; a document's URL (path.ext): the document."""
    stem, dot, ext = path.rpartition(".")
    if dot and ext in DOCUMENTS and stem:
        described = resource_for(stem, missing=None)
        if described is not None or resource_for(path, missing=None) is None:  # an IRI may end in .ttl itself
            return document(described or resource_for(stem), ext)
    iri = resource_for(path)
    chosen = _negotiate()
    response = redirect(page_data.document_path(iri, chosen), code=303)
    response.headers["Vary"] = "Accept"
    return response


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
    if fmt in page_data.QUAD_FORMATS:
        body = page_data.quads_document("resource-quads", fmt, this=content)
    else:
        body = page_data.graph_document("resource-description", fmt, this=content)
    response = Response(body, mimetype=media)  # Werkzeug adds charset=utf-8 to text/* and *+xml itself
    described = iri_to_uri(iri)  # a header is ASCII: the IRI as a URI
    if len(described) <= LINK_CHARS:  # a longer one (up to 3x the URI cap) would overflow a proxy's header buffer
        # The triples' document names its quads' twin: which graphs state each statement, and a claim's content.
        twin = page_data.document_path(iri, "trig")
        response.headers["Link"] = f'<{described}>; rel="describes"' + (
            f', <{twin}>; rel="alternate"; type="application/trig"' if fmt not in page_data.QUAD_FORMATS and twin else "")
    return response


_RAISE = object()


def resource_for(path: str, missing=_RAISE) -> str:
    """The known IRI a (percent-decoded) local path names: IRI_BASE + path, or one of its escaped spellings
    (`escaped_forms`). When the graph knows none: `missing` if given, else a NotFoundPage or 404 problem."""
    iri = page_data.iri_for(path)
    for form in [path, *escaped_forms(path)]:
        if known(page_data.iri_for(form)):
            return page_data.iri_for(form)
    if all(ch in _UNRESERVED for ch in path):  # a "/" may have been sent as %2F: each form asked for alone
        for escaped in _slashes_escaped(path):
            if known(page_data.iri_for(escaped)):
                return page_data.iri_for(escaped)
    if missing is not _RAISE:
        return missing
    raise not_found(iri)


_ESCAPED_SLASHES = 4  # at most this many of a path's last slashes are tried as %2F (one lookup each)


def _slashes_escaped(path: str) -> list[str]:
    """`path` with its last one, two... slashes as %2F, its first (after the first segment) always kept."""
    head, _, rest = path.partition("/")
    parts = rest.split("/")
    return [head + "/" + "/".join(parts[:-count]) + "%2F" + "%2F".join(parts[-count:])
            for count in range(1, min(len(parts), _ESCAPED_SLASHES + 1))]


# What an IRI's path holds as it is (RFC 3987's ipchar but '%', and '/'), with any character past ASCII.
_IRI_KEEPS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")  # no IRI escapes
_SLASHED = 3  # how many of a path's last '/' may stand for an escaped '/' (%2F) of its last segment


def escaped_forms(path: str) -> list[str]:
    """The spellings an IRI minted with escapes has for a decoded path, other than the path itself, each
    looked up as an exact IRI: at most 12, so that a page request's cost never grows with the store (the
    server once compared the decoded form of every IRI under the path's prefix: seconds per request on a
    large store). They are what the IRI writes as it is: only what an IRI cannot hold escaped; that and any
    character past ASCII; each segment escaped whole but for letters, digits and `-._~` (kg/links.py's
    alias labels), and the same with the last one to three `/` escaped within the last segment (an alias
    holding a `/`). A path holding '#' may name a hash IRI (an ontology term): its fragment is spelt in the
    same ways after the '#'. An IRI spelt otherwise (`%41` for `A`, lowercase hex) is not found by its decoded path."""
    if all(ch in _UNRESERVED for ch in path):
        return []
    forms = _forms(path, first=1)
    if "#" in path:
        head, _, fragment = path.partition("#")
        forms += [f"{head}#{form}" for form in _forms(fragment, first=0)]
    return [form for form in dict.fromkeys(forms) if form != path]


def _forms(path: str, *, first: int) -> list[str]:
    """escaped_forms' spellings of `path`, the segments before `first` never taken into an escaped last one."""
    segments = path.split("/")
    last = len(segments) - 1
    cuts = [last - back for back in range(_SLASHED + 1) if back == 0 or last - back >= first]
    return [_escaped(path, lambda ch: ch in _IRI_KEEPS or ord(ch) > 127),
            _escaped(path, lambda ch: ch in _IRI_KEEPS),
            *("/".join([_whole(part) for part in segments[:cut]] + [_whole("/".join(segments[cut:]))])
              for cut in dict.fromkeys(cuts))]


def _escaped(text: str, keeps) -> str:
    """`text` with every character `keeps` refuses percent-encoded (its UTF-8 bytes, uppercase hex), but a
    "%2F" kept as it is: pages link an IRI's own %2F as %252F (page_data.local_path), which reaches us so."""
    return "".join(piece if index % 2 else "".join(ch if keeps(ch) else quote(ch, safe="") for ch in piece)
                   for index, piece in enumerate(_SENT_SLASH.split(text)))


def _whole(segment: str) -> str:
    """`segment` escaped as quote(safe="") escapes it, but a "%2F" that arrived as such kept."""
    return _escaped(segment, lambda ch: ch in _UNRESERVED and ch != "/")


_SENT_SLASH = re.compile("(%2[Ff])")


def known(iri: str) -> bool:
    """Whether the graph says anything about `iri` (a path that makes no valid IRI names nothing)."""
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return page_data.ask("resource-exists", this=iri)


def _negotiate() -> str:
    """The document extension Accept asks for (RFC 9110 §12.5.1, as /sparql negotiates); Turtle without one."""
    offered = [media for media, _, _ in DOCUMENTS.values()]
    offered = offered[:-1] + ["text/html"] + [m for m in _BY_MEDIA if m not in offered]
    best = best_match(request.headers.get("Accept"), offered)
    if best is None:
        raise Problem(406, "Not acceptable", "this resource is described in " + ", ".join(offered))
    return _BY_MEDIA[best]


class NotFoundPage(Exception):
    """An unknown IRI or page: an HTML page for a browser, a problem document for any other client."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


def not_found(iri: str) -> Exception:
    if prefers_html():
        return NotFoundPage(iri)
    return Problem(404, "Not found", f"the graph says nothing about {iri}")


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
        return render_template("not_found.html", what=error.what), 404, {"Vary": "Accept"}  # see not_found
