"""A remote SPARQL 1.1 endpoint (oxigraph serve, Virtuoso, Fuseki...) reached through SPARQLWrapper.

Results come back as SPARQL JSON (SELECT/ASK) or Turtle (CONSTRUCT/DESCRIBE) and are turned into
pyoxigraph terms. `load` parses the whole source first, so a file that does not parse sends nothing, then
sends it as SPARQL Update in chunks: INSERT DATA, and `INSERT {...} WHERE {}` for quads with blank nodes
(Virtuoso 7.2 refuses those in INSERT DATA). Both work on oxigraph serve and on Virtuoso, whose Graph Store
endpoint would need authentication set up.
What the server commits is its affair: Virtuoso commits each operation of a request on its own, so only
a parse error is guaranteed to load nothing, and a multi-operation update that fails half-way may stick.
"""

from __future__ import annotations

import ast
import json
import re
import socket
import time
import urllib.error
import uuid
from collections.abc import Iterator

import pyoxigraph
from SPARQLWrapper import BASIC, CONSTRUCT, DESCRIBE, INSERT, JSON, POST, SELECT, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (EndPointInternalError, EndPointNotFound, QueryBadFormed,
                                            SPARQLWrapperException, Unauthorized)

from kg.errors import QueryTimeout, StoreError, StoreUnavailable
from kg.store.base import DUMP_FORMATS, QueryResult, Solutions, Store, Triples, rdf_format, syntax_error
from kg.store.replicas import PROBE_TIMEOUT, Replicas

RDF_MEDIA_TYPES = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "text/plain": pyoxigraph.RdfFormat.N_TRIPLES,
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
}
CHUNK_QUADS = 5000  # quads per INSERT DATA request: small enough for any server's request limits
BLANK_CHUNK_QUADS = 200  # Virtuoso compiles an INSERT template to SQL of at most 10000 lines
READ_BYTES = 1 << 16


class RemoteStore(Store):
    """A SPARQL endpoint at `query_url`; updates go to `update_url` (default: the same URL). With `replicas`
    (more query URLs of read replicas), queries go to the healthy ones in turn (kg.store.replicas)."""

    def __init__(self, query_url: str, *, update_url: str | None = None, user: str | None = None,
                 password: str | None = None, timeout: float | None = 60, replicas: tuple[str, ...] = ()):
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.credentials = (user, password or "") if user else None
        self.timeout = timeout  # for requests made without a timeout of their own
        self.replicas = Replicas([query_url, *replicas], self._answers) if replicas else None

    def query(self, sparql, *, default_graphs=None, named_graphs=None, timeout=None) -> QueryResult:
        """As Store.query; the dataset goes as default-graph-uri and named-graph-uri. Given only one of
        them, whether the other kind is every graph or none is the server's call (oxigraph serve: none,
        Virtuoso: every); give both to be sure."""
        if self.replicas is not None:
            return self.replicas.run(lambda url: self._query_at(url, sparql, default_graphs, named_graphs, timeout))
        return self._query_at(self.query_url, sparql, default_graphs, named_graphs, timeout)

    def _query_at(self, url, sparql, default_graphs, named_graphs, timeout) -> QueryResult:
        wrapper = self._wrapper(url, sparql, update=False)
        for iri in _or_no_graph(default_graphs):
            wrapper.addDefaultGraph(iri)
        for iri in _or_no_graph(named_graphs):
            wrapper.addNamedGraph(iri)
        media_type, body = self._send(wrapper, timeout or self.timeout)
        if media_type in ("application/sparql-results+json", "application/json"):
            return _json_result(json.loads(body))
        if media_type in RDF_MEDIA_TYPES:
            quads = pyoxigraph.parse(body, RDF_MEDIA_TYPES[media_type])
            return Triples(pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in quads)
        raise StoreError(f"{url} answered with {media_type!r}, which is no SPARQL result")

    def _answers(self, url: str) -> bool:
        """Whether the endpoint at `url` answers a trivial query within PROBE_TIMEOUT (replica probing)."""
        return self._query_at(url, "ASK {}", None, None, PROBE_TIMEOUT) is True

    def close(self) -> None:
        if self.replicas is not None:
            self.replicas.close()

    def update(self, sparql: str) -> None:
        self._send(self._wrapper(self.update_url, sparql, update=True), self.timeout)

    def extend(self, quads, *, large: bool = False) -> int:
        quads = list(quads)  # read it all first: a source that fails to parse sends nothing
        plain = [q for q in quads if not _blank_nodes(q)]
        for start in range(0, len(plain), CHUNK_QUADS):
            self.update(f"INSERT DATA {{ {_quads_pattern(plain[start:start + CHUNK_QUADS])} }}")
        # Blank nodes are refused in INSERT DATA by Virtuoso 7.2, and are scoped to one INSERT template:
        # so quads that share a blank node go in the same INSERT {...} WHERE {}.
        for chunk in _chunks_keeping_blank_nodes_together([q for q in quads if _blank_nodes(q)]):
            self.update(f"INSERT {{ {_quads_pattern(chunk)} }} WHERE {{}}")
        return len(quads)

    def dump(self, output, *, format, graph=None) -> None:
        rdf_format(format, DUMP_FORMATS)
        if graph is None and format in ("turtle", "ntriples"):
            raise ValueError(f"{format} holds one graph: name it (\"\" for the default graph)")
        if graph is not None:
            where = "{ ?s ?p ?o }" if graph == "" else f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            triples = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {where}")
            pyoxigraph.serialize(triples, output, rdf_format(format))
            return
        quads = [pyoxigraph.Quad(s, p, o, g)
                 for g, s, p, o in self.query(f"SELECT ?g ?s ?p ?o WHERE {{ {_ALL_QUADS} }}")]
        pyoxigraph.serialize(quads, output, rdf_format(format))

    def graphs(self) -> list[str]:
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(g.value for (g,) in rows if isinstance(g, pyoxigraph.NamedNode))

    def count(self, graph=None) -> int:
        if graph is None:
            where = _ALL_QUADS
        else:
            where = "?s ?p ?o" if graph == "" else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
        (n,), = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        return int(n.value)

    def _wrapper(self, url: str, sparql: str, *, update: bool) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(url)
        wrapper.setMethod(POST)
        wrapper.setQuery(sparql)
        # SPARQLWrapper guesses the form from the first keyword, which decides query= or update=;
        # the caller knows better, so an update never goes out as a query or the reverse.
        if update != wrapper.isSparqlUpdateRequest():
            wrapper.queryType = INSERT if update else SELECT
        # Ask for one format by content negotiation only: SPARQLWrapper's format=... parameters upset
        # Virtuoso, and offered both kinds Virtuoso answers CONSTRUCT with a SPARQL JSON table.
        wrapper.setOnlyConneg(True)
        wrapper.setReturnFormat(TURTLE if wrapper.queryType in (CONSTRUCT, DESCRIBE) else JSON)
        if self.credentials:
            wrapper.setHTTPAuth(BASIC)
            wrapper.setCredentials(*self.credentials)
        return wrapper

    def _send(self, wrapper: SPARQLWrapper, timeout: float | None) -> tuple[str, bytes]:
        """Make the request and read the answer whole; map failures onto the library's errors."""
        wrapper.timeout = timeout  # set directly: setTimeout() rounds down to whole seconds
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            response = wrapper.query().response
            media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            body = bytearray()
            while chunk := response.read(READ_BYTES):
                body += chunk
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError
            return media_type, bytes(body)
        except QueryBadFormed as error:
            raise syntax_error(_server_message(error)) from None
        except (EndPointNotFound, Unauthorized) as error:
            raise StoreUnavailable(f"{wrapper.endpoint}: {_server_message(error)}") from None
        except (EndPointInternalError, SPARQLWrapperException, urllib.error.HTTPError) as error:
            raise StoreError(f"{wrapper.endpoint}: {_server_message(error)}") from None
        except (TimeoutError, socket.timeout):
            raise _timed_out(wrapper.endpoint, timeout) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, (TimeoutError, socket.timeout)):
                raise _timed_out(wrapper.endpoint, timeout) from None
            raise StoreUnavailable(f"cannot reach {wrapper.endpoint}: {error.reason}") from None
        except ConnectionError as error:
            raise StoreUnavailable(f"cannot reach {wrapper.endpoint}: {error}") from None


# Quads of the named graphs, plus default-graph triples in no named graph (for Virtuoso, whose default
# graph is the union of all graphs, that part is empty), so nothing is counted or dumped twice.
_ALL_QUADS = "{ GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?h { ?s ?p ?o } } }"


def _or_no_graph(iris) -> list[str]:
    """Protocol parameters for a list of graph IRIs. No parameter at all would leave the dataset to the
    server, so an empty list (an empty default graph, or no named graphs) names a graph that is nowhere."""
    if iris is None:
        return []
    return list(iris) or [f"urn:uuid:{uuid.uuid4()}"]


def _timed_out(endpoint: str, timeout: float | None) -> QueryTimeout:
    if timeout is None:  # no limit of ours: the operating system gave up on the connection
        return QueryTimeout(f"{endpoint} did not answer: the connection timed out")
    return QueryTimeout(f"{endpoint} did not answer within {timeout:g}s")


def _server_message(error: Exception) -> str:
    """The server's own words, out of the repr'd bytes SPARQLWrapper wraps them in; no echo of the query."""
    text = str(error.args[0]) if error.args else str(error)
    _, found, response = text.partition("\n\nResponse:\n")
    if found:
        try:
            text = ast.literal_eval(response).decode("utf-8", "replace")
        except (ValueError, SyntaxError, AttributeError):
            text = response
    text = text.split("\n\nSPARQL query:")[0].strip()  # Virtuoso repeats the query after its message
    try:  # a problem document (RFC 9457), as sahel-kg's own API answers
        problem = json.loads(text)
    except ValueError:
        return text
    if not isinstance(problem, dict) or "detail" not in problem:
        return text
    if problem.get("line") is not None:  # in the form syntax_error reads the position from
        return f"error at {problem['line']}:{problem.get('column') or 1}: {problem['detail']}"
    return str(problem["detail"])


def _json_result(document: dict) -> QueryResult:
    if "boolean" in document:
        return bool(document["boolean"])
    variables = document.get("head", {}).get("vars", [])
    bindings = document.get("results", {}).get("bindings", [])
    if variables == ["__ASK_RETVAL"]:  # Virtuoso answers ASK with default-graph-uri as a one-row SELECT
        return bool(bindings) and bindings[0].get("__ASK_RETVAL", {}).get("value") not in (None, "0")
    rows = (tuple(_term(b[v]) if v in b else None for v in variables) for b in bindings)
    return Solutions(list(variables), rows)


def _term(binding: dict):
    """A pyoxigraph term from one SPARQL JSON binding, including Virtuoso's legacy "typed-literal"."""
    kind, value = binding["type"], binding.get("value")
    if kind == "uri":
        return pyoxigraph.NamedNode(value)
    if kind == "bnode":
        # Labels like Virtuoso's "nodeID://b10000" are no valid blank node label; keep them apart, stably.
        return pyoxigraph.BlankNode(re.sub(r"[^A-Za-z0-9_-]", "_", value) or "b")
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in binding:
            return pyoxigraph.Literal(value, language=binding["xml:lang"])
        if "datatype" in binding:
            return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(binding["datatype"]))
        return pyoxigraph.Literal(value)
    if kind == "triple":
        return pyoxigraph.Triple(*(_term(value[part]) for part in ("subject", "predicate", "object")))
    raise StoreError(f"unknown binding type {kind!r} in a SPARQL JSON result")


def _blank_nodes(quad: pyoxigraph.Quad) -> list:
    return [t for t in (quad.subject, quad.object, quad.graph_name) if isinstance(t, pyoxigraph.BlankNode)]


def _chunks_keeping_blank_nodes_together(quads: list) -> Iterator[list]:
    """Groups of about BLANK_CHUNK_QUADS quads, never splitting quads joined through blank nodes."""
    parent: dict = {}

    def root(node):
        while parent.setdefault(node, node) != node:
            parent[node] = node = parent[parent[node]]
        return node

    for quad in quads:  # union-find: blank nodes in one quad belong together
        first, *others = _blank_nodes(quad)
        for other in others:
            parent[root(other)] = root(first)
    components: dict = {}
    for quad in quads:
        components.setdefault(root(_blank_nodes(quad)[0]), []).append(quad)
    chunk: list = []
    for component in components.values():
        if chunk and len(chunk) + len(component) > BLANK_CHUNK_QUADS:
            yield chunk
            chunk = []
        chunk += component
    if chunk:
        yield chunk


def _quads_pattern(quads: list[pyoxigraph.Quad]) -> str:
    """Quads as an update template, one GRAPH block per run of the same graph."""
    parts, current = [], None
    for quad in quads:
        graph = None if isinstance(quad.graph_name, pyoxigraph.DefaultGraph) else str(quad.graph_name)
        if graph != current:
            parts.append("} " if current is not None else "")
            parts.append(f"GRAPH {graph} {{ " if graph is not None else "")
            current = graph
        parts.append(f"{quad.subject} {quad.predicate} {quad.object} .\n")
    if current is not None:
        parts.append("}")
    return "".join(parts)
