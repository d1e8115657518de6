"""An update is parsed whole by the embedded store's parser before any engine sees it: a fault only found at the
text's end (a group left open) is refused on a remote engine as on the embedded store, and nothing is written."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import QuerySyntaxError
from kg.store.base import syntax_error
from kg.store.oxigraph import OxigraphStore
from kg.store.update_check import check_whole_update
from test_dataset_model import triples

XSD = "http://www.w3.org/2001/XMLSchema#"
# An endpoint pyoxigraph refuses to call (port 9 is discard's): evaluating an update that reads it raises OSError.
CALLED = "http://127.0.0.1:9/sparql"

# Each is refused by the embedded store at or past its last character. Virtuoso ran the FILTER(TRUE) one (deleting
# the graph's triples) and the blank node shared by two blocks; it refused the others, naming a line alone.
AT_THE_END = [
    "DELETE { GRAPH <{g}> { ?s ?p ?o } }\nWHERE { GRAPH <{g}> { ?s ?p ?o } FILTER(true)",
    "INSERT DATA { GRAPH <{g}> { <{g}a> <{g}b> 2 }",
    "DELETE { GRAPH <{g}> { ?s ?p ?o } } WHERE { GRAPH <{g}> { ?s ?p ?o } FILTER(TRUE) }",
    "DROP GRAPH <{g}> ;\nINSERT DATA { GRAPH <{g}> { <{g}a> <{g}b> 2 } } ; INSERT",
    "CLEAR GRAPH <{g}> ; WITH <{g}>",
    "INSERT DATA { GRAPH <{g}> { _:b <{g}b> 2 } } ;\nINSERT DATA { GRAPH <{g}> { _:b <{g}b> 3 } }",
    'INSERT DATA { GRAPH <{g}> { <{g}a> <{g}b> """2 } }',
]


def parser_position(text: str) -> tuple[int | None, int | None]:
    """Where the embedded store's parser places the fault of `text` (in memory: nothing of it runs)."""
    with pytest.raises(SyntaxError) as caught:
        ox.Store().update(text)
    found = syntax_error(str(caught.value))
    return found.line, found.column


def embedded_position(text: str) -> tuple[int | None, int | None]:
    """Where the embedded store places the fault of `text`: the rewrite places some itself (WITH without DELETE)."""
    with OxigraphStore() as store, pytest.raises(QuerySyntaxError) as caught:
        store.update(text)
    return caught.value.line, caught.value.column


@pytest.mark.parametrize("store", ["embedded", "memory", "oxigraph-serve", "virtuoso"], indirect=True)
@pytest.mark.parametrize("template", AT_THE_END)
def test_a_fault_at_the_end_is_refused_where_the_embedded_store_places_it_and_writes_nothing(store, graph, template):
    g = graph()
    store.update(f"INSERT DATA {{ GRAPH <{g}> {{ <{g}a> <{g}b> 1 }} }}")
    text = template.replace("{g}", g)
    before = triples(store, f"GRAPH <{g}> {{ ?s ?p ?o }}")
    with pytest.raises(QuerySyntaxError) as caught:
        store.update(text)
    assert (caught.value.line, caught.value.column) == embedded_position(text), str(caught.value)
    assert triples(store, f"GRAPH <{g}> {{ ?s ?p ?o }}") == before


def valid_updates(g: str) -> list[str]:
    """Standard updates of the forms Virtuoso has dialect rewrites for: each must pass the check and run."""
    return [
        f'PREFIX xsd: <{XSD}>\nINSERT DATA {{ GRAPH <{g}> {{ <{g}a> <{g}b> "2"^^xsd:integer, "1.5"^^<{XSD}decimal>, '
        f'"2024-01-01"^^xsd:date, "x"@fr ; <{g}n> _:n . _:n <{g}m> [ <{g}k> 1 ] }} }}',
        f"WITH <{g}> INSERT {{ ?s <{g}w> ?o }} WHERE {{ ?s <{g}b> ?o }}",
        f"INSERT {{ GRAPH <{g}> {{ ?s <{g}u> ?o }} }} USING <{g}> WHERE {{ ?s <{g}b> ?o }}",
        f"INSERT {{ GRAPH <{g}> {{ [] <{g}t> ?o }} }} WHERE {{ GRAPH <{g}> {{ ?s <{g}m> ?o }} }}",
        f"DELETE WHERE {{ GRAPH <{g}> {{ ?s <{g}w> \"x\"@fr }} }} ;\n# the last operation\n",
        f"CREATE SILENT GRAPH <{g}c> ; COPY <{g}> TO <{g}c> ; DROP SILENT GRAPH <{g}c> ;",
    ]


@pytest.mark.parametrize("store", ["embedded", "memory", "oxigraph-serve", "virtuoso"], indirect=True)
def test_standard_updates_of_virtuosos_dialect_pass_the_check_and_run(store, graph):
    g = graph()
    for text in valid_updates(g):
        store.update(text)
    written = triples(store, f"GRAPH <{g}> {{ ?s ?p ?o }}")
    by_predicate = {p.value.removeprefix(g) for _, p, _ in written}
    assert by_predicate == {"b", "n", "m", "k", "u", "t", "w"}
    assert len([t for t in written if t[1].value == f"{g}w"]) == 3  # the @fr one deleted
    assert len([t for t in written if t[1].value == f"{g}u"]) == 4


def test_the_check_parses_and_runs_nothing():
    """Evaluating these would call an endpoint or fail on the data; the check only parses them."""
    for text in (f"LOAD <{CALLED}>", f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{CALLED}> {{ ?s ?p ?o }} }}",
                 "CREATE GRAPH <x:g> ; CREATE GRAPH <x:g>", "DROP GRAPH <x:none>"):
        check_whole_update(text)
    with pytest.raises(OSError):
        ox.Store().update(f"LOAD <{CALLED}>")


@pytest.mark.parametrize("text", ["", "PREFIX a: <x:>", "INSERT DATA { <x:a> <x:b> 1 } ;", "CLEAR ALL # done",
                                  "INSERT DATA { _:b <x:b> 1 } ;\nINSERT DATA { _:c <x:b> 1 } ;\n# and no more"])
def test_a_valid_update_passes_however_it_ends(text):
    check_whole_update(text)


@pytest.mark.parametrize("template", AT_THE_END)
def test_the_check_places_a_fault_as_the_embedded_store_does(template):
    text = template.replace("{g}", "x:")
    with pytest.raises(QuerySyntaxError) as caught:
        check_whole_update(text)
    assert (caught.value.line, caught.value.column) == parser_position(text)
