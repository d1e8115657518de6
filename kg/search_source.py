"""What the search index (kg.search) is read from: the store's names, texts and claims, by SPARQL, in one query
per table where the store gives every row, else a page at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from kg.errors import RemoteStoreFailure

Select = Callable[[str, int], Iterable[Sequence[str | None]]]  # runs a SELECT under a row cap: rows of strings
WHOLE_ROWS = 10**7  # rows a query of the index may give at once; past them, or a store's own cap, it is paged
PAGE = 5000  # rows per SELECT while paging, under any server's row cap

# Each thing with a name or a text, and which column the text goes to.
DOCUMENTS_QUERY = """
SELECT DISTINCT ?item ?column ?text WHERE {
  {
    ?item rdfs:label|skos:prefLabel ?literal . BIND ("label" AS ?column)
    # a claim's label is its id, its quote is what it says; the reading of it (an annotation) is not a thing
    FILTER NOT EXISTS { ?item a sahel:Claim } FILTER NOT EXISTS { ?item a oa:Annotation }
  } UNION {
    ?item a sahel:Claim ; rdfs:label ?literal . BIND ("display" AS ?column)
  } UNION {
    ?item skos:altLabel ?literal . BIND ("alias" AS ?column)
  } UNION {
    ?item skos:definition|dct:description|rdfs:comment|skos:scopeNote|^oa:hasBody/sahel:interpretation ?literal .
    BIND ("text" AS ?column)
  } UNION {
    ?item a sahel:Claim ; ^oa:hasBody/oa:hasTarget/oa:hasSelector/oa:exact ?literal . BIND ("text" AS ?column)
  }
  FILTER (isIRI(?item) && isLITERAL(?literal))
  BIND (STR(?literal) AS ?text)
}
ORDER BY ?item ?column ?text
"""

# Which claims state something about each thing (as subject or object), with their quotes.
CLAIMS_QUERY = """
SELECT DISTINCT ?item ?claim ?quote WHERE {
  ?claim a sahel:Claim ; ^oa:hasBody/oa:hasTarget/oa:hasSelector/oa:exact ?quote .
  { GRAPH ?claim { ?item ?p ?o } } UNION { GRAPH ?claim { ?s ?p ?item } FILTER (isIRI(?item)) }
}
ORDER BY ?item ?claim
"""

# A claim found by its quote names itself.
OWN_QUOTES_QUERY = """
SELECT DISTINCT (?claim AS ?item) ?claim ?quote WHERE {
  ?claim a sahel:Claim ; ^oa:hasBody/oa:hasTarget/oa:hasSelector/oa:exact ?quote .
}
ORDER BY ?claim
"""


class RowsCut(RemoteStoreFailure):
    """The store cut a query of the index at a row limit of its own."""


def table_rows(select: Select, sparql: str) -> list[tuple]:
    """Every row of `sparql`, which ends in its ORDER BY: from one query without it where the store gives them
    all, else PAGE at a time in order. Each page has the engine make and sort the whole answer again: at 1M
    statements a page of CLAIMS_QUERY took 33 s, and all its 228,588 rows unordered 4.4 s."""
    try:
        return [tuple(row) for row in select(sparql[:sparql.rindex("ORDER BY")], WHOLE_ROWS)]
    except RowsCut:
        return list(_paged(select, sparql))


def _paged(select: Select, sparql: str) -> Iterable[tuple]:
    """All rows of an ordered query, PAGE at a time (a server's row cap never cuts the index)."""
    offset = 0
    while True:
        rows = [tuple(row) for row in select(f"{sparql} LIMIT {PAGE} OFFSET {offset}", PAGE)]
        yield from rows
        if len(rows) < PAGE:
            return
        offset += PAGE


def documents(rows: Iterable[tuple]) -> list[tuple[str, str, str, str, str]]:
    """One document per thing: what to show, its labels, aliases and texts, values on separate lines, each
    column's in order (the rows come in the engine's order; its first name is the one shown)."""
    columns: dict[str, dict[str, list[str]]] = {}
    for item, column, text in rows:
        if item and column and text:
            columns.setdefault(item, {"display": [], "label": [], "alias": [], "text": []})[column].append(text)
    return [(item, *("\n".join(sorted(found[name])) for name in ("display", "label", "alias", "text")))
            for item, found in columns.items()]


def service_select(service) -> Select:
    """A Select over a kg.query.QueryService."""
    def select(sparql: str, row_limit: int):
        result = service.query(sparql, row_limit=row_limit)
        whole_page(result.truncated)
        return [tuple(None if term is None else term.value for term in row) for row in result.rows]
    return select


def whole_page(cut: bool) -> None:
    """RowsCut (a RemoteStoreFailure) for rows the store cut at a row limit of its own (a remote engine's): the
    index is then read a page at a time, and a page cut (a limit below PAGE) would leave it short without a word."""
    if cut:
        raise RowsCut(f"the store cut a page of {PAGE} rows for the search index at a row limit of its "
                      "own: raise it (Virtuoso: ResultSetMaxRows; kg serve: ROW_LIMIT) above that")
