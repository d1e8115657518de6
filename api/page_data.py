"""What pages and views read: the queries kept in ontology/queries/pages, run through the query service.

Rows come back as dicts of Term (an IRI, a literal or a blank node with its value); IRIs under the
IRI_BASE setting are given the local path they resolve at, so templates link to this server.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote

import pyoxigraph as ox
from flask import current_app, g

from api.iri_spellings import found_by
from api.version_cache import once_per_version
from kg.namespaces import PREFIXES
from kg.paths import QUERIES_DIR
from kg.store.sparql_json import binding_term
from kg.turtle_names import plain_names

PAGE_QUERIES = QUERIES_DIR / "pages"


@dataclass(frozen=True)
class Term:
    """One value of a result row: `kind` is "uri", "literal" or "bnode"; `href` the page to link to."""

    kind: str
    value: str
    datatype: str | None = None
    language: str | None = None
    href: str | None = None
    direction: str | None = None  # a directional string's its:dir, "ltr" or "rtl"

    def __str__(self) -> str:
        return self.value

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"

    @property
    def short(self) -> str:
        """The IRI written with a known prefix (sk:jnim), else the value itself."""
        return compact(self.value) if self.is_iri else self.value

    @property
    def truth(self) -> bool:
        return self.value in ("true", "1")


@lru_cache(maxsize=None)
def query_text(name: str) -> str:
    """The text of a page query (ontology/queries/pages/NAME.rq)."""
    return (PAGE_QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def bare_text(name: str) -> str:
    """A page query's text without its comment lines (its title and description)."""
    return "\n".join(line for line in query_text(name).splitlines() if not line.lstrip().startswith("#"))


# A page query's own LIMIT: the last line that is `LIMIT n` (graphs.rq's is in the subquery its labels join)
_LIMIT = re.compile(r"^[ \t]*LIMIT[ \t]+(\d+)[ \t]*(?:\n|\Z)", re.MULTILINE)


def own_limit(text: str) -> re.Match:
    """Where the page query `text` says its LIMIT (group 1: the most rows it asks for)."""
    return list(_LIMIT.finditer(text))[-1]


def rows(name: str, table: tuple[tuple[str, ...], list[tuple]] | None = None, **bindings) -> list[dict[str, Term]]:
    """Run a SELECT page query with variables bound (str values are IRIs) and return its rows; `table` binds
    several variables to rows of values (names, rows; None leaves one unbound in its row)."""
    return _solutions(name, {**bindings, **({table[0]: table[1]} if table else {})}, _term)


def terms(name: str, table: tuple[tuple[str, ...], list[tuple]] | None = None, **bindings) -> list[dict[str, object]]:
    """`rows`, each value as the pyoxigraph term it is (to bind it in another page query)."""
    return _solutions(name, {**bindings, **({table[0]: table[1]} if table else {})}, binding_term)


def _solutions(name: str, bindings: dict, read) -> list[dict]:
    """The SELECT page query's rows, each value of the SPARQL JSON results read by `read`."""
    body = json.loads(_run(name, "json", bindings))
    return [{var: read(value) for var, value in row.items()} for row in body["results"]["bindings"]]


def rows_per_version(name: str) -> list[dict[str, Term]]:
    """`rows(name)` of an unbound page query, computed once per dataset version (see api.version_cache):
    the home page runs such queries, and on a large store they cost seconds. A cut answer is said cut each time."""
    def computed():  # whether this query's answer was cut, whatever the request's others said
        before = g.pop("page_cut", None)
        found, cut = rows(name), g.get("page_cut")
        if before is not None:
            g.page_cut = before
        return found, cut

    found, cut = once_per_version(f"page-rows:{name}", computed)
    if cut is not None:
        g.page_cut = cut
    return found


def ask(name: str, **bindings) -> bool:
    return bool(json.loads(_run(name, "json", bindings))["boolean"])


def graph_document(name: str, rdf_format: str, **bindings) -> bytes:
    """A CONSTRUCT page query's answer serialised in `rdf_format` (a kg.results format name)."""
    return _run(name, rdf_format, bindings)


# Document extension -> (media type, kg.results format name, its name for people); the first RDF one is the
# default. TriG and N-Quads are made here (QUAD_FORMATS): a CONSTRUCT gives triples only.
DOCUMENTS = {
    "ttl": ("text/turtle", "turtle", "Turtle"),
    "jsonld": ("application/ld+json", "jsonld", "JSON-LD"),
    "nt": ("application/n-triples", "ntriples", "N-Triples"),
    "rdf": ("application/rdf+xml", "rdfxml", "RDF/XML"),
    "trig": ("application/trig", "trig", "TriG (with the graphs stating each triple)"),
    "nq": ("application/n-quads", "nquads", "N-Quads"),
    "html": ("text/html", None, "HTML"),
}
QUAD_FORMATS = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}


def quads_document(name: str, rdf_format: str, **bindings) -> bytes:
    """A SELECT ?g ?s ?p ?o page query's answer as a dataset in `rdf_format` ("trig" or "nquads"); terms are
    read from the JSON answer as they are, triple terms and directional strings included."""
    body = json.loads(_run(name, "json", bindings))
    quads = [ox.Quad(*(binding_term(row[var]) for var in ("s", "p", "o", "g"))) for row in body["results"]["bindings"]]
    return plain_names(ox.serialize(quads, format=QUAD_FORMATS[rdf_format], prefixes=PREFIXES), PREFIXES)


def _run(name: str, fmt: str, bindings: dict) -> bytes:
    return run_text(query_text(name), fmt, bindings)


def run_text(sparql: str, fmt: str, bindings: dict) -> bytes:
    """The answer to a page's query `sparql` in `fmt`, with `bindings` (str values are IRIs), within the page's
    time limit and row cap."""
    from api.ops import received
    from kg.answers import QueryRequest

    bound = {key: ox.NamedNode(value) if isinstance(value, str) else value
             for key, value in bindings.items() if value is not None}
    request = QueryRequest(sparql=sparql, format=fmt, bindings=bound or None,
                           timeout=current_app.config["QUERY_TIMEOUT"], row_limit=current_app.config["ROW_LIMIT"])
    # A page's queries share the request's time limit, counted from its arrival: a page of many holds it too.
    answer = current_app.extensions["sahel-kg"].query(request, since=received())
    if answer.truncated:  # said on the page, in its headers and in a view's JSON (api.pages.said_cut)
        g.page_cut = answer.limit
    return answer.body


_BOOLEAN = PREFIXES["xsd"] + "boolean"
_BOOLEAN_SPELLINGS = {"1": "true", "0": "false"}  # xsd:boolean's other lexical forms, as pages and views spell them


def _term(raw: dict) -> Term:
    kind = raw["type"]
    if kind == "typed-literal":
        kind = "literal"
    # a triple term's value is its parts (SPARQL 1.2 JSON): kept as the text that writes it, as for any other term
    value = f"<<( {binding_term(raw)} )>>" if kind == "triple" else raw["value"]
    if raw.get("datatype") == _BOOLEAN and value in _BOOLEAN_SPELLINGS:  # Virtuoso keeps true as 1: the same value
        value = _BOOLEAN_SPELLINGS[value]
    return Term(kind=kind, value=value, datatype=raw.get("datatype"), language=raw.get("xml:lang"),
                href=local_path(value) if kind == "uri" else None, direction=raw.get("its:dir"))


# What a path may carry as it is: RFC 3986's pchar, '/', and '%' (an IRI's own escapes stay as they are).
# The server gets the path decoded once, so anything else ('?', '#', a space) is sent escaped.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
# An IRI's own %2F but as %252F: decoded, it would read as a '/', which another IRI may hold in its place.
_ESCAPED_SLASH = re.compile("%2([Ff])")


def _path(rest: str) -> str:
    sent = _ESCAPED_SLASH.sub(r"%252\1", quote(rest, safe=_PATH_SAFE))
    if "%" in rest and not found_by(rest, unquote(sent)):  # the decoded path would not lead back to it:
        sent = quote(rest, safe=_PATH_SAFE.replace("%", ""))  # its own escapes sent escaped, to arrive as they are
    return "/".join(_kept_whole(segment) for segment in sent.split("/"))


def _kept_whole(segment: str) -> str:
    """A segment a browser would take for a dot segment and remove with the one before it (WHATWG URL: '.', '..',
    and '.' written %2e), escaped once more: its dots arrive as %2E (iri_spellings reads them as dots), its
    escapes as they are."""
    if segment.replace("%2e", ".").replace("%2E", ".") not in (".", ".."):
        return segment
    return segment.replace("%", "%25").replace(".", "%252E")


def local_path(iri: str) -> str | None:
    """Where an IRI resolves on this server (a path), or None for an IRI outside IRI_BASE. An ontology term's
    fragment is kept as one, for its section of the ontology's page; any other hash IRI is a page of its own (its
    '#' escaped): the page of the IRI before it has no section for it (`…yaml#curator`, `…/since-2023#beginning`
    led to a page that never named them; helper-210)."""
    base = current_app.config["IRI_BASE"]
    if not iri.startswith(base):
        return None
    rest, hash_, fragment = iri[len(base):].partition("#")
    if hash_ and rest != "ontology":
        return "/" + _path(rest + hash_ + fragment)
    return "/" + _path(rest) + hash_ + fragment


def document_path(iri: str, ext: str) -> str | None:
    """The path of the document (extension `ext`) about `iri` itself, a '#' in it escaped like the rest."""
    base = current_app.config["IRI_BASE"]
    if not iri.startswith(base):
        return None
    return "/" + _path(iri[len(base):]) + "." + ext


def iri_for(path: str) -> str:
    """The IRI that a local path (without its leading slash) stands for."""
    return current_app.config["IRI_BASE"] + path


def editor_link(query: str) -> str:
    """The query editor's link that opens `query` in a tab of its own."""
    return "/sparql#query=" + quote(query, safe="")


def compact(iri: str) -> str:
    """An IRI as prefix:local when a known prefix fits and the rest is a plain name."""
    for name, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if iri.startswith(namespace):
            local = iri[len(namespace):]
            if local and all(ch.isalnum() or ch in "-_." for ch in local):
                return f"{name}:{local}"
    return iri


def first(found: list[dict[str, Term]], var: str) -> Term | None:
    """The first row's value of `var`, if any row has it."""
    return next((row[var] for row in found if var in row), None)
