"""What a remote engine gives whole, or not at all: a dump, the list of graphs and the counts of quads, which must
fail where the engine cut them at a row limit of its own, never end as if whole. A part of RemoteStore
(kg.store.remote)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph

from kg.errors import RemoteStoreFailure
from kg.output_files import atomic_output
from kg.store.base import DUMP_FORMATS, rdf_format
from kg.store.merge import DEFAULT_GRAPH
from kg.store.oxigraph_dump import write_quads
from kg.store.shown_urls import shown_url


class WholeReads:
    """dump, graphs and count, over RemoteStore's own query() and query_url."""

    def dump(self, output, *, format, graph=None) -> None:
        rdf_format(format, DUMP_FORMATS)
        if graph is None and format in ("turtle", "ntriples"):
            raise ValueError(f"{format} holds one graph: name it (\"\" for the default graph)")
        if not hasattr(output, "write"):  # a path: replaced only by a whole dump, never one the engine cut
            with atomic_output(Path(output)) as file:
                self.dump(file, format=format, graph=graph)
            return
        if graph is not None:  # a SELECT: Virtuoso says it cut one (X-SPARQL-MaxRows), never a CONSTRUCT
            iri = DEFAULT_GRAPH if graph == "" else graph
            rows = self.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
            triples = (pyoxigraph.Triple(*row) for row in whole_rows(rows, self.query_url, names="s p o"))
            write_quads(triples, output, format)
            return
        rows = self.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
        quads = (pyoxigraph.Quad(s, p, o, g) for g, s, p, o in whole_rows(rows, self.query_url, names="g s p o"))
        write_quads(quads, output, format)

    def graphs(self) -> list[str]:
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(g.value for (g,) in whole_rows(rows, self.query_url, "the list of graphs", names="g")
                      if isinstance(g, pyoxigraph.NamedNode))

    def count(self, graph=None) -> int:
        if graph is None:
            where = "GRAPH ?g { ?s ?p ?o }"
        else:
            where = f"GRAPH <{DEFAULT_GRAPH if graph == '' else graph}> {{ ?s ?p ?o }}"
        rows = list(whole_rows(self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"), self.query_url, "a count",
                           names="n"))
        if len(rows) != 1 or not isinstance(rows[0][0], pyoxigraph.Literal) or not rows[0][0].value.isdigit():
            raise RemoteStoreFailure(f"{shown_url(self.query_url)} answered a count with {len(rows)} rows, not one "
                                     "number")
        return int(rows[0][0].value)


def whole_rows(result, url: str, what: str = "the dump", *, names: str):
    """The rows or triples of `result`, raising RemoteStoreFailure at the end where the engine cut it at a row
    limit of its own (Virtuoso's ResultSetMaxRows, another kg serve's ROW_LIMIT): a dump or a list of graphs
    that lost rows must fail, never end as if whole. A row that leaves a variable of the store's own SELECT unbound,
    or other variables than `names` (the SELECT's, space-separated) raise it too, where a reader would fail with no
    word of the store."""
    for row in result:
        if list(result.variables) != names.split():  # judged by a row: an empty answer may list none (no harm)
            raise RemoteStoreFailure(f"{shown_url(url)} answered {what} with the variables "
                                     f"{' '.join('?' + name for name in result.variables) or '(none)'}, not "
                                     f"{' '.join('?' + name for name in names.split())} as asked")
        if None in row:
            raise RemoteStoreFailure(f"{shown_url(url)} answered {what} with rows that leave a variable unbound")
        yield row
    if result.cut:
        raise RemoteStoreFailure(f"{shown_url(url)} cut {what} at its own row limit (Virtuoso: [SPARQL] "
                                 "ResultSetMaxRows in virtuoso.ini; kg serve: ROW_LIMIT): raise it above the store's "
                                 "quads, or dump with the engine's own tools")
