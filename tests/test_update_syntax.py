"""A malformed SPARQL Update is refused whole, at the line and column of the user's own text, on every store:
the rewrite that keeps the merge (kg.store.merge) never turns it into a well-formed one, nor moves its error."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from kg.errors import QuerySyntaxError
from kg.store.merge import Target, rewrite
from test_dataset_model import triples

# Each is malformed inside a collection or a bracketed blank node, the parts the rewrite replaces by labels.
MALFORMED = [
    "INSERT DATA { GRAPH <{g}> { <{g}a> <{g}b> ( 4 5 ] } }",  # a collection closed by "]": was written
    "INSERT DATA { GRAPH <{g}> { <{g}a> <{g}b> [ <{g}p> 5 ) } }",  # and a blank node closed by ")"
    "INSERT { GRAPH <{g}> { <{g}a> <{g}b> ( 1 2 ) ; <{g}c> ( 4\n 5 ] } } WHERE { }",
    'INSERT DATA { GRAPH <{g}> { <{g}a> <{g}b> ( 1 "x"^^ 3 ) } }',  # its column was 4 past the engine's
    "INSERT DATA { GRAPH <{g}> { <{g}a> <{g}b> ( 1 <{g}c> <{g}d> ; ) } }",
    "INSERT DATA {\n  <{g}a> <{g}b> [ <{g}p> ( 2 , ) ] }",
]


def engine_position(text: str) -> tuple[int, int]:
    """Where Oxigraph's parser puts the error in `text` (an empty store in memory: nothing of it runs)."""
    with pytest.raises(SyntaxError) as caught:
        ox.Store().update(text)
    line, column = re.match(r"error at (\d+):(\d+)", str(caught.value)).groups()
    return int(line), int(column)


@pytest.mark.parametrize("store", ["embedded", "memory", "oxigraph-serve", "virtuoso"], indirect=True)
@pytest.mark.parametrize("template", MALFORMED)
def test_a_malformed_update_is_refused_at_its_own_position_and_writes_nothing(store, graph, template):
    g = graph()
    text = template.replace("{g}", g)
    before = triples(store)
    with pytest.raises(QuerySyntaxError) as caught:
        store.update(text)
    assert (caught.value.line, caught.value.column) == engine_position(text), str(caught.value)
    assert triples(store) == before


def test_the_rewrite_refuses_a_malformed_update_before_rewriting_it():
    # The check runs nothing: a valid update only parses (see kg.store.base.check_update_syntax).
    text = "INSERT DATA { <http://e/a> <http://e/b> ( 4 5 ] }"
    with pytest.raises(QuerySyntaxError) as caught:
        rewrite(text, Target())
    assert (caught.value.line, caught.value.column) == engine_position(text) == (1, text.index("]") + 1)
    assert "GRAPH" in rewrite("INSERT DATA { <http://e/a> <http://e/b> ( 4 5 ) }", Target()).text
