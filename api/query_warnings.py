"""The X-Query-Warning headers of a query's answer: the terms of the project's namespaces it names that the
store does not have, each with the known terms it is likeliest a slip for, and the graphs of its dataset the
store does not have."""

from __future__ import annotations

from urllib.parse import quote

from kg.closed_terms import WARNED_TERMS
from kg.near_terms import did_you_mean

_URI_SAFE = ":/?#[]@!$&'()*+,;=%~"  # what an IRI keeps as it is made a URI
WARNED_IRI_CHARS = 200  # characters of an IRI (as a URI) an X-Query-Warning header shows


def warnings(unknown_terms, near=None, absent_graphs=()) -> list[tuple[str, str]]:
    """An X-Query-Warning header for each term of the project's namespaces the store does not have: the first
    WARNED_TERMS of them, each IRI cut to WARNED_IRI_CHARS and followed by the known terms `near` (IRI -> IRIs;
    QueryService.near_terms) offers for it, then one saying how many more there are. The headers stay within a
    few KB whatever the query names (a 70,000-character IRI made a 70 KB header, which Python's http.client
    refuses and a proxy's buffers answer 502). Then the graphs of the dataset the store does not have (absent)."""
    headers = [("X-Query-Warning", f"unknown term {_uri(iri)}: neither the ontology nor the data has it"
                                   + did_you_mean([_uri(term) for term in near(iri)] if near else []))
               for iri in unknown_terms[:WARNED_TERMS]]
    if len(unknown_terms) > WARNED_TERMS:  # a header is ASCII: each IRI as a URI
        more = len(unknown_terms) - WARNED_TERMS
        headers.append(("X-Query-Warning", f"and {more} more unknown term{'s' if more > 1 else ''}, not listed"))
    return headers + absent(absent_graphs)


def absent(graphs) -> list[tuple[str, str]]:
    """An X-Query-Warning header for each of the first WARNED_TERMS graphs of a query's dataset the store does
    not have (QueryService.absent_graphs), then one saying how many more there are."""
    headers = [("X-Query-Warning", f"graph {_uri(iri)} of the dataset is not in the store: the query reads it as "
                                   "empty") for iri in graphs[:WARNED_TERMS]]
    if len(graphs) > WARNED_TERMS:
        more = len(graphs) - WARNED_TERMS
        headers.append(("X-Query-Warning", f"and {more} more absent graph{'s' if more > 1 else ''}, not listed"))
    return headers


def _uri(iri: str) -> str:
    """An IRI as a header shows it: a URI (a header is ASCII) in angle brackets, cut to WARNED_IRI_CHARS."""
    return f"<{_shortened(as_uri(iri))}>"


def as_uri(iri: str) -> str:
    """An IRI as a URI, every character it holds escaped (werkzeug's iri_to_uri drops a tab or line break)."""
    return quote(iri, safe=_URI_SAFE)


def _shortened(uri: str) -> str:
    """A URI cut to WARNED_IRI_CHARS with '...' (never within a %XX escape), or whole if it is that short."""
    if len(uri) <= WARNED_IRI_CHARS:
        return uri
    cut = uri[:WARNED_IRI_CHARS - 3]
    escape = cut.rfind("%", len(cut) - 2)
    return (cut if escape < 0 else cut[:escape]) + "..."
