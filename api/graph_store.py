"""/store: the SPARQL 1.1 Graph Store HTTP Protocol.

Indirect identification: /store?graph=IRI names a graph, /store?default the default graph. Direct
identification: a URL under /store/ is itself the graph's IRI (POST /store of a graph creates one there). A GET
of /store itself gives the whole dataset (N-Quads or TriG), and a POST of N-Quads or TriG adds to it. Reads
are open like queries; writes need UPDATES_ENABLED and the bearer token, and each is one SPARQL
update, so it happens whole or not at all.
"""

from __future__ import annotations

import uuid

from pyoxigraph import DefaultGraph, Triple

from flask import Blueprint, Response, current_app, request

from api.conditional import (check_dataset_preconditions, check_unmodified_since, entity_tags, not_modified,
                             unchanged, validators_for)
from api.dumps import dataset_response
from api.errors import Problem, unsupported_media
from api.negotiation import GRAPHS, N3, choose, in_next_format
from api.ops import received
from api.body_charset import check_charset, checked_body
from api.params import format_param, one, request_params, strict_params
from api.public_origin import public_url
from api.sparql import graph_iri
from api.write_access import authorize, changed_response
from kg.answers import QueryRequest
from kg.errors import FormatError, ParseError, QuerySyntaxError, SourceError
from kg.format_sniff import FORMAT_NAMES, HEAD_BYTES, likely_format
from kg.kept_graphs import refuse_graph_write, refuse_graph_writes
from kg.store.base import parse_quads, parse_triples
from kg.store.insert_data import unreadable
from kg.store.merge import DEFAULT_GRAPH

bp = Blueprint("graph_store", __name__)

# Media types a PUT or POST body may have: graph syntaxes only (a graph store holds triples).
READABLE = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/turtle": "turtle",
    "application/n-triples": "ntriples", "text/plain": "ntriples",
    "application/rdf+xml": "rdfxml", "application/ld+json": "jsonld", **{media: "turtle" for media in N3},
}
GRAPH_OFFER = [(media, fmt) for media, fmt in GRAPHS if fmt in ("turtle", "ntriples", "jsonld", "rdfxml")]
# GET /store: every graph (the registered types first, then their older names)
DATASET_OFFER = [("application/n-quads", "nquads"), ("application/trig", "trig"), ("text/x-nquads", "nquads"),
                 ("application/x-trig", "trig")]
DATASET_MEDIA = dict(DATASET_OFFER)  # what a POST to /store itself may send to add to several graphs


METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]
_CHANGES = {"PUT": "a PUT would replace", "POST": "a POST would add to", "DELETE": "a DELETE would drop"}


@bp.route("/store", methods=METHODS)
def graph_store():
    return _operate(_target())


@bp.route("/store/<path:name>", methods=METHODS)
def graph_by_url(name: str):
    """Direct identification: the request URL, without its query, is the graph's IRI."""
    if request.query_string:
        raise Problem(400, "Ambiguous graph", "a graph URL under /store/ takes no ?graph or ?default")
    # The server is given the path decoded (granian hands over no raw path): %2F and /, %25 and % look alike,
    # so such a name, or one with dot segments, would land on another graph's IRI. It is named with ?graph.
    if "%" in name or {".", ".."} & set(name.split("/")):
        raise Problem(400, "Graph URL not usable", "a graph IRI holding %-escapes or dot segments cannot be "
                      "named by its URL here (the server sees the path decoded): use /store?graph=IRI")
    return _operate(graph_iri(public_url()))  # the path may hold what no IRI may: 400, not a 500 later


def _operate(target):
    if request.method in ("GET", "HEAD"):
        return _read(target)
    if not current_app.config["UPDATES_ENABLED"]:
        raise Problem(403, "Updates disabled", "this graph store is read-only")
    authorize()
    if request.method == "POST" and target is _STORE and request.mimetype in DATASET_MEDIA:
        return _add_dataset()  # quads, each to its graph, as Oxigraph's server takes them: a dump posted back
    if request.method == "POST" and target is _STORE and request.mimetype not in (*READABLE, "multipart/form-data"):
        raise unsupported_media(f"send a graph as one of: {', '.join(READABLE)}; or quads to add, each to its graph, "
                                f"as {' or '.join(list(DATASET_MEDIA)[:2])}", request.mimetype)  # the registered two
    if request.method == "POST" and target is _STORE:  # a new graph, named by the server under /store/
        target = f"{public_url().rstrip('/')}/{uuid.uuid4()}"  # the public origin: never a client's Host
        response = _write("POST", target)
        response.status_code = 201
        response.headers["Location"] = target
        return response
    if target is _STORE:
        raise Problem(400, "No graph", "name a graph with ?graph=IRI or ?default")
    if request.method == "DELETE" and target != "" and not _exists(target):  # the default graph is always there
        raise Problem(404, "No such graph", f"the store has no graph {target}")  # whatever the preconditions
    backend = current_app.extensions["sahel-kg"]
    refuse_graph_write(backend.writer, target, _CHANGES[request.method])  # said as the method, not an update's
    _check_preconditions(target, backend.version(), write=True)  # before the body is read
    if request.method == "DELETE":
        backend.update("CLEAR DEFAULT" if target == "" else f"DROP GRAPH <{target}>", precondition=_guard(target))
        return changed_response(Response(status=204), backend)
    return _write(request.method, target)


def _guard(target: str):
    """The preconditions again, checked under the write lock: a write that came in since does not slip by."""
    backend = current_app.extensions["sahel-kg"]
    return lambda: _check_preconditions(target, backend.version(), write=True)


_STORE = object()  # no ?graph and no ?default: the request is about the graph store itself


def _target():
    params = strict_params(request.query_string)
    name, default = one(params, "graph"), one(params, "default") is not None
    if name is not None and default:
        raise Problem(400, "Ambiguous graph", "give one ?graph=IRI or ?default, not several")
    if default:
        return ""
    if name is not None:
        return graph_iri(name)
    return _STORE


def _exists(target: str) -> bool:
    """Whether a named graph is in the store (even empty, where the store keeps or notes empty graphs), or the
    declared default graph has triples."""
    backend = current_app.extensions["sahel-kg"]
    empty = target != "" and backend.keeps_empty_graphs  # elsewhere a graph exists while it holds a triple
    pattern = f"{{ GRAPH <{target}> {{}} }}" if empty else f"{{ {_triples(target)} }}"
    # Counted from the request's arrival, as the request's other queries are: not a whole limit of its own.
    answer = backend.query(QueryRequest(sparql=f"ASK {pattern}", format="json"), since=received())
    return b'"boolean":true' in answer.body or (target != "" and not empty and backend.writer.noted_empty(target))


def _triples(target: str) -> str:
    """The pattern of a graph's triples. A query's default graph is the merge of all graphs; what clients
    write to the default graph is kept in the declared graph DEFAULT_GRAPH, which ?default stands for."""
    return f"GRAPH <{DEFAULT_GRAPH if target == '' else target}> {{ ?s ?p ?o }}"


def _reading(target: str, fmt: str) -> QueryRequest:
    """The query a GET of the graph runs (its ETag is made from it)."""
    return QueryRequest(sparql=f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {_triples(target)} }}", format=fmt)


def _check_preconditions(target: str, version, *, write: bool) -> None:
    """RFC 9110 §13.1.1-2, evaluated before the method: If-Match holds when the graph is there (`*`) or
    one of its current ETags is listed (compared strongly); for a write, If-None-Match fails when the
    graph is there (`*`) or one of its ETags is listed (compared weakly), and without If-Match If-Unmodified-Since
    fails when the data changed after its date. A failed one is 412."""
    if_match, if_none_match = request.headers.get("If-Match"), request.headers.get("If-None-Match")
    since = write and if_match is None and request.headers.get("If-Unmodified-Since") is not None
    if if_match is None and not since and (if_none_match is None or not write):
        return
    there = target == "" or _exists(target)  # the default graph is always there, perhaps empty
    if since and there:  # a graph not there has no date to compare (RFC 9110 §13.1.4); its ETag follows the data's
        check_unmodified_since(version)
    cache_control = current_app.config["CACHE_CONTROL"]
    current = {validators_for(version, _reading(target, fmt), media, cache_control, own_query=True)["ETag"]
               for media, fmt in GRAPH_OFFER} if there and version is not None else set()
    if if_match is not None:
        tags = entity_tags(if_match)
        if not (("*" in tags and there) or current & tags):
            raise Problem(412, "Precondition failed", "If-Match names no current ETag of this graph: read it again")
    if write and if_none_match is not None:
        tags = entity_tags(if_none_match, weak=True)
        if ("*" in tags and there) or current & tags:
            raise Problem(412, "Precondition failed", "If-None-Match matches the graph as it is now")


def _read(target):
    if target is _STORE:  # the whole dataset, as Oxigraph's server and Fuseki give it
        unknown = sorted({name for name, _ in request_params()} - {"format", "output"})
        if unknown:  # a slip (graph-uri=, grpah=) must not start a dump of everything
            raise Problem(400, "Bad request", f"/store takes graph=IRI or default to name a graph, and "
                          f"format= alone for the whole dataset; not {', '.join(unknown)}")
        media, fmt = choose("graph", DATASET_OFFER, format_param(request_params()))
        return dataset_response(fmt, media, gzipped=False, headers={}, negotiated=True)
    if target != "" and not _exists(target):  # the default graph is always there, perhaps empty
        raise Problem(404, "No such graph", f"the store has no graph {target}")  # whatever the Accept
    media, fmt = choose("graph", GRAPH_OFFER, format_param(request_params()))
    backend = current_app.extensions["sahel-kg"]
    run = _reading(target, fmt)
    version = backend.version()
    # As for queries: the dataset version and the request.
    validators = validators_for(version, run, media, current_app.config["CACHE_CONTROL"], own_query=True)
    _check_preconditions(target, version, write=False)  # If-None-Match is not_modified's, for a read
    if not_modified(validators, version, matched=True):
        return unchanged(validators, media, negotiated=True)
    try:
        answer = backend.query(run, version, since=received())
    except FormatError as error:  # RDF/XML cannot write one of its predicates: the client's next choice, if any
        media, fmt, answer = in_next_format("graph", GRAPH_OFFER, format_param(request_params()), fmt, error,
                                            lambda _, fmt: backend.query(_reading(target, fmt), version,
                                                                         since=received()))
        validators = validators_for(version, _reading(target, fmt), media, current_app.config["CACHE_CONTROL"],
                                    own_query=True)
        if not_modified(validators, version, matched=True):  # revalidating the answer it was given in this format
            return unchanged(validators, media, negotiated=True)
    response = Response(answer.body, mimetype=media)  # for HEAD the body is left out, its length kept
    response.headers.update(validators)
    response.headers["Vary"] = "Accept"
    if answer.truncated:
        response.headers["X-Result-Truncated"] = "true"
        response.headers["X-Result-Limit"] = str(answer.limit)
    return response


def _write(method: str, target: str) -> Response:
    """PUT replaces the graph, POST adds to it; one update either way."""
    triples = _parse_body(_upload_base(target))
    backend = current_app.extensions["sahel-kg"]
    existed = _exists(target)
    data = " ".join(f"{triple} ." for triple in triples)  # a Triple's own text writes a triple term as <<( )>>
    into = f"{{ {data} }}" if target == "" else f"{{ GRAPH <{target}> {{ {data} }} }}"
    operations = []
    if method == "PUT":
        operations.append("CLEAR SILENT DEFAULT" if target == "" else f"DROP SILENT GRAPH <{target}>")
    if data:
        operations.append(f"INSERT DATA {into}")
    elif target != "" and (method == "PUT" or not existed):  # an empty graph is still a graph
        operations.append(f"CREATE SILENT GRAPH <{target}>")
    if operations:
        try:
            backend.update(" ;\n".join(operations), precondition=_guard(target))
        except QuerySyntaxError as error:  # the update is ours, made from a body that parsed
            raise unreadable(error) from None
    status = 204 if existed else 201
    return changed_response(Response(status=status), backend)


def _add_dataset() -> Response:
    """POST /store of N-Quads or TriG: each quad added to its graph (a default graph's to the declared one), in
    one update; a project graph among them refuses the whole body."""
    backend = current_app.extensions["sahel-kg"]
    check_dataset_preconditions(backend.version())  # before the body is read, and again under the write lock
    quads = parse_quads(checked_body(), format=DATASET_MEDIA[request.mimetype], base_iri=public_url(),
                        seconds=current_app.config["UPLOAD_TIMEOUT"])
    graphs: dict[str, list[str]] = {}
    for quad in quads:
        name = "" if isinstance(quad.graph_name, DefaultGraph) else quad.graph_name.value
        graphs.setdefault(name, []).append(f"{Triple(quad.subject, quad.predicate, quad.object)} .")
    refuse_graph_writes(backend.writer, graphs, "a POST would add to")
    blocks = [" ".join(triples) if name == "" else f"GRAPH <{name}> {{ {' '.join(triples)} }}"
              for name, triples in graphs.items()]
    if blocks:
        try:
            backend.update(f"INSERT DATA {{ {' '.join(blocks)} }}",
                           precondition=lambda: check_dataset_preconditions(backend.version()))
        except QuerySyntaxError as error:  # the update is ours, made from a body that parsed
            raise unreadable(error) from None
    return changed_response(Response(status=204), backend)


def _upload_base(target: str) -> str:
    """The base of an upload's relative IRIs: the graph it writes, however it is named (its URL, ?graph=, a POST
    to /store creating it); the default graph, which has no IRI, takes the graph store's URL (README)."""
    # One body then gives the same triples whichever way its graph is named, and `<>` is that graph.
    return target or public_url()


def _parse_body(base: str) -> list:
    """The request's triples: one RDF body, or every file part of a multipart/form-data body."""
    if request.mimetype == "multipart/form-data":
        parts = list(request.files.items(multi=True))  # values() would give one part of each name
        if not parts:
            raise Problem(400, "No RDF", "the multipart body has no file parts")
        return [triple for name, part in parts for triple in _parse_part(name, part, base)]
    return _parse(checked_body(), request.mimetype, None, base)


def _parse_part(name: str, part, base: str) -> list:
    """One part's triples. A fault in it names the part (form name, file name) in its detail and a `part`
    member: line and column alone do not say which of several files is wrong."""
    label = f"part {name!r} ({part.filename or 'no file name'})"
    data = part.read()
    check_charset(part.content_type, data, label, part=name)
    try:
        return _parse(data, part.mimetype, part.filename, base, label=label, part=name)
    except SourceError as error:
        error.message, error.part = f"{label}: {error.message}", name
        raise


def _parse(data: bytes, media: str, name: str | None, base: str, *, label: str = "the request",
           part: str | None = None) -> list:
    if media not in READABLE:
        raise unsupported_media(f"send the graph as one of: {', '.join(READABLE)}", media, label, part=part)
    # Blank nodes get labels of their own, so that two parts of a multipart body stay apart; the parse is
    # bounded in time (RDF/XML can be slow to parse), and RDF/XML may not carry a DTD (see kg.untrusted).
    try:
        return parse_triples(data, format=READABLE[media], base_iri=base, name=name,
                             seconds=current_app.config["UPLOAD_TIMEOUT"])
    except ParseError as error:
        error.message += _sent_otherwise(data, READABLE[media], error.line, base)
        raise


def _sent_otherwise(data: bytes, fmt: str, line: int | None, base: str) -> str:
    """What to add to a parse error where the body reads in another format: the media type to send it as."""
    other = likely_format(data[:HEAD_BYTES], fmt, fault_line=line, whole=len(data) <= HEAD_BYTES, base=base)
    media = next((media for media, name in READABLE.items() if name == other), None)
    if other is None or media is None:  # N-Quads or TriG name graphs, which a request to one graph cannot hold
        return ""
    return f"; the body reads as {FORMAT_NAMES[other]}: send it as {media}"
