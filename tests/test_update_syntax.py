"""A malformed SPARQL Update is refused whole, at the line and column of the user's own text, on every store:
the rewrite that keeps the merge (kg.store.merge) never turns it into a well-formed one, nor moves its error."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from kg.errors import PolicyError, QuerySyntaxError
from kg.store.merge import MAX_NESTING, Target, rewrite
from kg.sparql_lexer import lex
from kg.store import text_edits
from kg.store.oxigraph import OxigraphStore
from test_dataset_model import assert_merge, triples

# Each is malformed inside a collection or a bracketed blank node, the parts the rewrite replaces by labels.
MALFORMED = [
    "INSERT DATA { GRAPH <{g}> { ( 1 2 <{g}c> 1 ] } }",  # the rewrite crashed on these (TypeError)
    "INSERT { GRAPH <{g}> { [ ) } } WHERE {}",
    "INSERT DATA { GRAPH <{g}> { <{g}a> <{g}b> ( 4 5 ] } }",  # a collection closed by "]": was written
    "INSERT DATA { GRAPH <{g}> { <{g}a> <{g}b> [ <{g}p> 5 ) } }",  # and a blank node closed by ")"
    "INSERT { GRAPH <{g}> { <{g}a> <{g}b> ( 1 2 ) ; <{g}c> ( 4\n 5 ] } } WHERE { }",
    'INSERT DATA { GRAPH <{g}> { <{g}a> <{g}b> ( 1 "x"^^ 3 ) } }',  # its column was 4 past the engine's
    "INSERT DATA { GRAPH <{g}> { <{g}a> <{g}b> ( 1 <{g}c> <{g}d> ; ) } }",
    "INSERT DATA {\n  <{g}a> <{g}b> [ <{g}p> ( 2 , ) ] }",
]
# What the engine refuses in data only at the end of the block: refused at the term (`?`, `_:` or `[` here).
# Where the engine takes no blank nodes in data (Virtuoso), INSERT DATA was made a template, which ran them.
IN_DATA = [
    "INSERT DATA { GRAPH ?g { <{g}a> <{g}b> [ <{g}p> 1 ] } }",
    "INSERT DATA { GRAPH <{g}> { <{g}a> <{g}b> ( 1 2 ?o ) } }",
    "INSERT DATA {\n GRAPH <{g}> { ?s <{g}b> 1 } }",
    "DELETE DATA { GRAPH <{g}> { _:b <{g}b> 1 } }",
    "DELETE DATA { GRAPH <{g}> { <{g}a> <{g}b> [ <{g}c> 1 ] } }",
]
# Each with where its error is: the engine took the first (a glued keyword) and wrote around the merge; the
# rewrite failed on the others with a ValueError or an IndexError.
REWRITE_REFUSES = [
    ("INSERTDATA { GRAPH <{g}> { <{g}a> <{g}b> 1 } }", "INSERTDATA"),
    ("PREFIXx: <{g}> INSERT DATA { GRAPH <{g}> { x:a x:b 1 } }", "PREFIXx"),
    ("WITH <{g}>", "<"),
    ("WITH <{g}> # and nothing else", "<"),
]


def position_of(text: str, *signs: str) -> tuple[int, int]:
    """The line and column of the first of `signs` in `text`."""
    offset = min(text.find(sign) for sign in signs if sign in text)
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def term_position(text: str) -> tuple[int, int]:
    """Where the first variable or blank node of `text` is."""
    return position_of(text, "?", "_:", "[ <")


def engine_position(text: str) -> tuple[int, int]:
    """Where Oxigraph's parser puts the error in `text` (an empty store in memory: nothing of it runs)."""
    with pytest.raises(SyntaxError) as caught:
        ox.Store().update(text)
    line, column = re.match(r"error at (\d+):(\d+)", str(caught.value)).groups()
    return int(line), int(column)


@pytest.mark.parametrize("store", ["embedded", "memory", "oxigraph-serve", "virtuoso"], indirect=True)
@pytest.mark.parametrize("template, position", [(text, engine_position) for text in MALFORMED]
                         + [(text, term_position) for text in IN_DATA]
                         + [(text, lambda given, sign=sign: position_of(given, sign)) for text, sign in REWRITE_REFUSES])
def test_a_malformed_update_is_refused_at_its_own_position_and_writes_nothing(store, graph, template, position):
    g = graph()
    text = template.replace("{g}", g)
    before = triples(store)
    with pytest.raises(QuerySyntaxError) as caught:
        store.update(text)
    assert (caught.value.line, caught.value.column) == position(text), str(caught.value)
    assert triples(store) == before


@pytest.mark.parametrize("store", ["embedded", "memory", "oxigraph-serve", "virtuoso"], indirect=True)
def test_a_collection_or_a_bracketed_blank_node_may_be_a_statement_by_itself(store, graph):
    # valid SPARQL that was refused: the rewrite left its label alone as a statement (`_:l .`)
    g = graph()
    store.update(f"INSERT DATA {{ GRAPH <{g}> {{ [ <{g}p> 1 ] . <{g}a> <{g}b> ( 1 2 ) . ( 3 ( 4 ) ) }} }}")
    store.update(f"INSERT {{ GRAPH <{g}> {{ [ <{g}p> 2 ] }} }} WHERE {{ }}")
    written = triples(store, f"GRAPH <{g}> {{ ?s ?p ?o }}")
    assert len(written) == 1 + 5 + 6 + 1  # each [ ] one triple; a list two a member, and the (4) inside
    assert {row[2].value for row in written if row[1].value == f"{g}p"} == {"1", "2"}
    if store.backend in ("embedded", "memory"):  # the remote ones are shared with other tests' graphs
        assert_merge(store)


@pytest.mark.parametrize("text", [
    "INSERT{[)}", "DELETE WHERE{[)}", "INSERT DATA { ( 1 2 <x:c> 1 ] }", "INSERT DATA { ( 1 2 ) . [ <x:p)}",
    "WITH", "WITH #", "INSERT DATA { <x:a> <x:b> 1 . [] }", "INSERT DATA { ( 1 ) . () }",
])
def test_what_the_engine_finds_only_past_the_end_the_rewrite_refuses_too(text):
    # these crashed the rewrite (TypeError, IndexError), or it dropped the empty group and wrote the rest
    with OxigraphStore(None) as store:
        with pytest.raises(QuerySyntaxError):
            store.update(text)
        assert store.count() == 0


def test_the_rewrite_refuses_a_malformed_update_before_rewriting_it():
    # The check runs nothing: a valid update only parses (see kg.store.base.check_update_syntax).
    text = "INSERT DATA { <http://e/a> <http://e/b> ( 4 5 ] }"
    with pytest.raises(QuerySyntaxError) as caught:
        rewrite(text, Target())
    assert (caught.value.line, caught.value.column) == engine_position(text) == (1, text.index("]") + 1)
    assert "GRAPH" in rewrite("INSERT DATA { <http://e/a> <http://e/b> ( 4 5 ) }", Target()).text


def test_an_update_nested_past_the_limit_is_refused_before_the_engine_parses_it():
    # 30,000 levels overflowed the engine parser's stack: the process died (SIGSEGV), no error to catch
    text = "INSERT DATA { <http://e/a> <http://e/b> " + "( " * 30_000 + "1" + " )" * 30_000 + " }"
    with pytest.raises(PolicyError, match="30001 levels deep"):
        rewrite(text, Target())
    for deep in ("<< <http://e/a> <http://e/b> " * 30_000 + "1" + " >>" * 30_000, "!" * 30_000 + "true"):
        with pytest.raises(PolicyError, match=f"; the limit is {MAX_NESTING}"):
            rewrite(f"INSERT {{ <http://e/a> <http://e/b> 1 }} WHERE {{ BIND({deep} AS ?x) }}", Target())
    deep = "INSERT DATA { <http://e/a> <http://e/b> " + "( " * (MAX_NESTING - 1) + "1" + " )" * (MAX_NESTING - 1) + " }"
    assert rewrite(deep, Target()).text


def test_the_rewrite_reads_each_token_a_bounded_number_of_times(monkeypatch):
    """The rewrite of an update of many operations runs in time linear in its length: each space check read
    the tokens after its operation, copied (n operations took time in n²: 16,000 took 18 s)."""
    class Tokens(list):
        copied = 0

        def __getitem__(self, key):
            got = super().__getitem__(key)
            Tokens.copied += len(got) if isinstance(key, slice) else 0
            return got

    monkeypatch.setattr(text_edits, "lex", lambda text: Tokens(lex(text)))
    operations = " ;\n".join(f"INSERT DATA {{ <http://e/{i}> <http://e/p> {i} }}" for i in range(2000))
    rewrite(operations, Target())
    assert Tokens.copied < 2 * len(lex(operations))
