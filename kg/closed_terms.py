"""Terms of the project's own namespaces (sahel:, sk:) that a query names and neither the ontology nor the data
has: most likely misspelt, so warned of as a closed namespace would be, the query run all the same."""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.namespaces import PREFIXES, graph_iri
from kg.near_terms import nearest
from kg.errors import KGError
from kg.sparql_lexer import is_iri
from kg.sparql_parts import named_iris
from kg.sparql_text import Shape, scan

# The project's own namespaces: every term in them is one the ontology or the data has.
CLOSED = (PREFIXES["sahel"], PREFIXES["sk"])
KNOWN_TERMS = 4096  # closed-namespace terms whose lookup is kept until the store changes
LOOKUP_BYTES = 16384  # text of the terms looked up in one query, about: well under any endpoint's size limit
WARNED_TERMS = 5  # unknown terms a warning names (HTTP headers, console lines); then how many more there are
# The graphs whose terms a warning may offer in place of an unknown one: the ontology's and the entities'.
VOCABULARY_GRAPHS = (graph_iri("ontology"), graph_iri("entities"))


# Asked last, only of a term the default graph lacks: where that graph is not the merge of the named graphs (an
# oxigraph serve or a Fuseki holding a `kg export`), a term the data has may be in named graphs alone.
_IN_NAMED_GRAPHS = "EXISTS { GRAPH ?g { { ?t ?p ?o } UNION { ?s ?t ?o } UNION { ?s ?p ?t } } }"
_HOSTS = tuple({namespace.split("/", 3)[2] for namespace in CLOSED})  # where the closed namespaces live
_BASE = re.compile(r"\bBASE\b", re.IGNORECASE)
_RELATIVE = re.compile(r"<(?![A-Za-z][A-Za-z0-9+.-]*:)[^<>\s]*>")  # an IRI without a scheme (or a comparison)


def _batches(iris: list[str]):
    """The IRIs in lists of about LOOKUP_BYTES of text each: the lookup of 20,000 terms, a megabyte, was refused by
    a remote endpoint's size limit (another kg serve's MAX_QUERY_BYTES) and the answer with it."""
    batch, size = [], 0
    for iri in iris:
        if batch and size + len(iri) > LOOKUP_BYTES:
            yield batch
            batch, size = [], 0
        batch.append(iri)
        size += len(iri) + 3
    if batch:
        yield batch


def _may_resolve_into_ours(sparql: str, base: str | None) -> bool:
    """Whether relative IRIs of the text may resolve into a closed namespace: it declares a BASE, or it has a
    relative IRI and the request's `base` is on the closed namespaces' host."""
    return _BASE.search(sparql) is not None or (base is not None and any(host in base for host in _HOSTS)
                                                 and _RELATIVE.search(sparql) is not None)


class ClosedTerms:
    """What kg.query.QueryService knows of its closed namespaces: it has the `store`, `prefixes`, `timeout` and
    `_known` (the terms looked up at one store version) these read."""

    def unknown_terms(self, sparql: str, shape: Shape | None = None, base: str | None = None,
                      bindings: dict | None = None) -> list[str]:
        """The IRIs of the project's namespaces (sahel:, sk:) the query names or binds that no triple or graph name
        of the store has in any graph (likely misspelt, warned of by callers): index lookups, once a store version."""
        # `shape`: scan(sparql)'s where the caller has it; `base`: what relative IRIs resolve against (the text's
        # BASE aside); `bindings` as QueryService.query takes them: a value bound with --bind (sk:mal for sk:mali)
        # finds nothing as silently as one written in the text.
        bound = [value.value for value in (bindings or {}).values() if isinstance(value, ox.NamedNode)]
        # Most lookups name nothing of ours: neither a namespace IRI (which a PREFIX line of the text would
        # hold too) nor a prefixed name under one of the service's prefixes for them. Then no list is needed.
        # (A namespace IRI spelt with \u escapes goes unwarned.)
        ours = "|".join(re.escape(name) for name, iri in self.prefixes.items() if iri.startswith(CLOSED))
        if not any(namespace in sparql for namespace in CLOSED) \
                and not (ours and re.search(rf"(?:{ours}):", sparql)) \
                and not _may_resolve_into_ours(sparql, base):  # a false "maybe" costs only time
            return self.unknown_among(list(dict.fromkeys(bound)))
        declared = {**self.prefixes, **(scan(sparql) if shape is None else shape).prefixes}
        return self.unknown_among(list(dict.fromkeys(named_iris(sparql, declared, base) + bound)))

    def unknown_among(self, iris: list[str]) -> list[str]:
        """unknown_terms, of a query known to name `iris`; those the store cannot be asked about are left out."""
        terms = [iri for iri in iris if iri.startswith(CLOSED) and iri not in CLOSED]
        terms = [iri for iri in terms if is_iri(iri)]
        if not terms:
            return []
        known = self._known_terms()
        has = {iri: known[iri] for iri in terms if iri in known}
        asked = [iri for iri in terms if iri not in has]
        for batch in _batches(asked):
            values = " ".join(str(ox.NamedNode(iri)) for iri in batch)
            try:
                found = {row[0].value for row in self.store.query(
                    f"SELECT ?t WHERE {{ VALUES ?t {{ {values} }} FILTER(EXISTS {{ ?t ?p ?o }} || "
                    "EXISTS { ?s ?t ?o } || EXISTS { ?s ?p ?t } || EXISTS { GRAPH ?t { ?s ?p ?o } } || "
                    f"{_IN_NAMED_GRAPHS}) }}", timeout=self.timeout)}
            except KGError:  # a warning is a help, never a reason for the answer (already made) to fail
                break  # the terms left go unwarned: the store could not say (its limits, its time, gone)
            fresh = {iri: iri in found for iri in batch}
            if len(known) + len(fresh) > KNOWN_TERMS:
                known.clear()
            known.update(fresh)
            has.update(fresh)
        return [iri for iri in terms if has.get(iri) is False]

    def near_terms(self, iri: str) -> list[str]:
        """Terms named in the ontology's and the entities' graphs (VOCABULARY_GRAPHS) that an unknown term `iri`
        is likeliest a slip for, nearest first (kg.near_terms); none where the store cannot say in its time limit."""
        if not iri.startswith(CLOSED):
            return []
        version = getattr(self.store, "view_version", None)
        now = version() if version is not None else None
        if now is None or self._vocabulary[0] != now:
            graphs = " ".join(f"<{graph}>" for graph in VOCABULARY_GRAPHS)
            try:
                terms = tuple(row[0].value for row in self.store.query(
                    f"SELECT DISTINCT ?t WHERE {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ {{ ?t ?p ?o }} UNION "
                    "{ ?s ?t ?o } UNION { ?s ?p ?t } } FILTER(isIRI(?t)) }", timeout=self.timeout))
            except KGError:  # a suggestion is a help, never a reason for the answer to fail
                return []
            self._vocabulary = (now, terms)
        return nearest(iri, self._vocabulary[1], CLOSED)

    def _known_terms(self) -> dict[str, bool]:
        """Terms looked up, and whether the store has them, kept while the version of the data the store reads
        stays the same; a store that cannot tell it (a remote one) keeps none."""
        version = getattr(self.store, "view_version", None)
        now = version() if version is not None else None
        if now is None:
            return {}
        if self._known[0] != now:
            self._known = (now, {})
        return self._known[1]
