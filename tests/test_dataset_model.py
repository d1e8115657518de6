"""The dataset model: the default graph is the RDF merge of the named graphs (each triple once), and
writes to the default graph are kept in the declared graph DEFAULT_GRAPH. Run on every store backend."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.errors import EvaluationError, QuerySyntaxError
from kg.publish import install
from kg.store.merge import DEFAULT_GRAPH, MERGE_GRAPH
from kg.store.oxigraph import OxigraphStore

EX = "http://example.org/model/"
SAHEL = "https://sahel-kg.example.org/ontology#"
SK = "https://sahel-kg.example.org/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def triples(store, pattern: str = "?s ?p ?o") -> set:
    return {tuple(row) for row in store.query(f"SELECT ?s ?p ?o WHERE {{ {pattern} }}")}


def objects(store, pattern: str) -> set:
    return {row[0] for row in store.query(f"SELECT ?o WHERE {{ {pattern} }}")}


def assert_merge(store) -> None:
    """The default graph holds each triple of the named graphs once, and nothing else; no scratch graph is left."""
    rows = list(store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"))
    assert len(rows) == len(set(rows)), "the default graph repeats a triple"
    assert set(rows) == {tuple(row) for row in store.query(
        "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")}
    graphs = {row[0].value for row in store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert not [g for g in graphs if g.startswith("urn:uuid:") or g == MERGE_GRAPH]


def iri(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


def one(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))


@pytest.fixture
def clean(store, graph):
    """The store with no triples in the declared default graph before and after the test."""
    store.update("DROP SILENT GRAPH <%s>" % DEFAULT_GRAPH)
    yield store
    store.update("DROP SILENT GRAPH <%s>" % DEFAULT_GRAPH)


# --- 7.3's examples, on the built article --------------------------------------------------------

@pytest.fixture(scope="module")
def article():
    return build()


@pytest.fixture
def article_store(article, tmp_path):
    with OxigraphStore(tmp_path / "store") as store:
        install(store, article)
        yield store


def test_count_of_the_default_graph_is_the_number_of_distinct_triples(article, article_store):
    (count,), = article_store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(count.value) == article.triples < article.quads  # 1730 distinct triples, 1761 quads


def test_a_triple_stated_by_two_graphs_answers_once(article_store):
    rows = list(article_store.query(f"SELECT ?t WHERE {{ <{SK}aes> a ?t }}"))
    # sahel:Alliance once (the inferred graph adds its superclasses, each once too)
    assert rows.count((ox.NamedNode(SAHEL + "Alliance"),)) == 1 and len(rows) == len(set(rows))
    stated = list(article_store.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{SK}aes> a <{SAHEL}Alliance> }} }}"))
    assert len(stated) > 1  # the triple is in several graphs, yet the default graph has it once


def test_graph_patterns_still_see_every_graph_that_states_a_triple(article, article_store):
    graphs = {row[0].value for row in article_store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert graphs == {str(g.identifier) for g in article.dataset.graphs() if len(g)}
    assert article_store.count() == article.quads


# --- every kind of write keeps the merge ----------------------------------------------------------

def test_insert_data_without_graph_goes_to_the_declared_graph(clean, graph):
    g = graph()
    clean.update(f"PREFIX ex: <{EX}>\nINSERT DATA {{ ex:a ex:p 1 . GRAPH <{g}> {{ ex:a ex:p 1 . ex:b ex:p 2 }} }}")
    assert triples(clean, f"GRAPH <{DEFAULT_GRAPH}> {{ ?s ?p ?o }}") == {(iri("a"), iri("p"), one(1))}
    assert clean.count("") == 1
    assert_merge(clean)
    assert len(list(clean.query(f"SELECT * WHERE {{ <{EX}a> <{EX}p> 1 }}"))) == 1


def test_blank_nodes_are_the_same_nodes_in_the_merge(clean, graph):
    g = graph()
    clean.update(f"PREFIX ex: <{EX}>\nINSERT DATA {{ GRAPH <{g}> {{ ex:x ex:has [ ex:p 1 ; ex:list ( 1 [] ) ] }} "
                 f"_:b ex:p 2 . _:b ex:q _:c }}")
    assert_merge(clean)
    (node,), = clean.query(f"SELECT ?n WHERE {{ GRAPH <{g}> {{ <{EX}x> <{EX}has> ?n . ?n <{EX}p> 1 }} }}")
    assert clean.query(f"ASK {{ <{EX}x> <{EX}has> ?n . ?n <{EX}list>/<http://www.w3.org/1999/02/22-rdf-syntax-ns#"
                       f"first> 1 }}") is True
    assert isinstance(node, ox.BlankNode)


def test_delete_data_keeps_a_triple_another_graph_states(store, graph):
    g1, g2 = graph(), graph()
    store.update(f"INSERT DATA {{ GRAPH <{g1}> {{ <{EX}s> <{EX}p> 1 }} GRAPH <{g2}> {{ <{EX}s> <{EX}p> 1 }} }}")
    store.update(f"DELETE DATA {{ GRAPH <{g1}> {{ <{EX}s> <{EX}p> 1 }} }}")
    assert store.query(f"ASK {{ <{EX}s> <{EX}p> 1 }}") is True
    store.update(f"DELETE DATA {{ GRAPH <{g2}> {{ <{EX}s> <{EX}p> 1 }} }}")
    assert store.query(f"ASK {{ <{EX}s> <{EX}p> 1 }}") is False
    assert_merge(store)


def test_delete_where_and_modify(clean, graph):
    g1, g2 = graph(), graph()
    clean.update(f"INSERT DATA {{ GRAPH <{g1}> {{ <{EX}s> <{EX}p> 1, 2 }} GRAPH <{g2}> {{ <{EX}s> <{EX}p> 2 }} "
                 f"<{EX}s> <{EX}p> 3 }}")
    clean.update(f"DELETE WHERE {{ GRAPH <{g1}> {{ <{EX}s> <{EX}p> ?o }} }}")
    assert objects(clean, f"<{EX}s> <{EX}p> ?o") == {one(2), one(3)}
    # the WHERE of an update reads the merge; top-level template triples write the declared graph
    clean.update(f"DELETE {{ ?s <{EX}p> ?o }} INSERT {{ ?s <{EX}q> ?o }} WHERE {{ ?s <{EX}p> ?o }}")
    assert triples(clean, f"GRAPH <{DEFAULT_GRAPH}> {{ ?s ?p ?o }}") == {
        (iri("s"), iri("q"), one(2)), (iri("s"), iri("q"), one(3))}
    assert clean.query(f"ASK {{ <{EX}s> <{EX}p> 2 }}") is True  # still stated by g2
    assert_merge(clean)


def test_with_and_using(clean, graph):
    g1, g2 = graph(), graph()
    clean.update(f"INSERT DATA {{ GRAPH <{g1}> {{ <{EX}s> <{EX}p> 1 }} GRAPH <{g2}> {{ <{EX}t> <{EX}p> 2 }} }}")
    clean.update(f"WITH <{g1}> DELETE {{ ?s <{EX}p> ?o }} INSERT {{ ?s <{EX}r> ?o }} WHERE {{ ?s <{EX}p> ?o }}")
    assert triples(clean, f"GRAPH <{g1}> {{ ?s ?p ?o }}") == {(iri("s"), iri("r"), one(1))}
    clean.update(f"INSERT {{ GRAPH <{g1}> {{ ?s <{EX}u> ?o }} }} USING <{g2}> WHERE {{ ?s ?p ?o }}")
    assert objects(clean, f"GRAPH <{g1}> {{ <{EX}t> <{EX}u> ?o }}") == {one(2)}
    clean.update(f"INSERT {{ GRAPH ?g {{ ?s <{EX}v> 9 }} }} WHERE {{ GRAPH ?g {{ ?s <{EX}p> 2 }} }}")
    assert objects(clean, f"GRAPH <{g2}> {{ <{EX}t> <{EX}v> ?o }}") == {one(9)}
    assert_merge(clean)


def test_graph_management_operations(clean, graph):
    g1, g2 = graph(), graph()
    clean.update(f"INSERT DATA {{ <{EX}d> <{EX}p> 0 GRAPH <{g1}> {{ <{EX}a> <{EX}p> 1 }} "
                 f"GRAPH <{g2}> {{ <{EX}b> <{EX}p> 2 }} }}")
    clean.update(f"COPY DEFAULT TO <{g2}>")
    assert triples(clean, f"GRAPH <{g2}> {{ ?s ?p ?o }}") == {(iri("d"), iri("p"), one(0))}
    assert clean.query(f"ASK {{ <{EX}b> <{EX}p> 2 }}") is False
    clean.update(f"MOVE <{g1}> TO DEFAULT")
    assert triples(clean, f"GRAPH <{DEFAULT_GRAPH}> {{ ?s ?p ?o }}") == {(iri("a"), iri("p"), one(1))}
    assert clean.query(f"ASK {{ <{EX}d> <{EX}p> 0 }}") is True  # g2 holds it
    clean.update(f"ADD <{g2}> TO DEFAULT ; CLEAR DEFAULT")
    assert clean.count("") == 0 and clean.query(f"ASK {{ <{EX}d> <{EX}p> 0 }}") is True
    clean.update(f"DROP GRAPH <{g2}>")
    assert clean.query(f"ASK {{ <{EX}d> <{EX}p> 0 }}") is False
    assert_merge(clean)



def test_move_of_an_empty_default_graph_empties_its_target(clean, graph):
    """The default graph always exists, but MOVE DEFAULT TO <g> failed while nothing had been written to it:
    "The graph <…/graph/default> does not exist". Moving it, empty, leaves the target empty, as COPY does."""
    target = graph()
    clean.update(f"INSERT DATA {{ GRAPH <{target}> {{ <{EX}a> <{EX}p> 1 }} }}")
    clean.update(f"MOVE DEFAULT TO <{target}>")
    assert triples(clean, f"GRAPH <{target}> {{ ?s ?p ?o }}") == set()
    clean.update(f"INSERT DATA {{ <{EX}d> <{EX}p> 0 }} ; MOVE DEFAULT TO <{target}>")
    assert triples(clean, f"GRAPH <{target}> {{ ?s ?p ?o }}") == {(iri("d"), iri("p"), one(0))}
    assert triples(clean, f"GRAPH <{DEFAULT_GRAPH}> {{ ?s ?p ?o }}") == set()
    assert_merge(clean)

def test_drop_all_empties_every_graph_and_the_merge(tmp_path):
    with OxigraphStore(tmp_path / "store") as store:
        store.update(f"INSERT DATA {{ <{EX}d> <{EX}p> 0 GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 1 }} }}")
        store.update("CLEAR NAMED")
        assert len(store) == 0 and store.query("ASK { ?s ?p ?o }") is False
        store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 1 }} }} ; DROP ALL")
        assert store.query("ASK { ?s ?p ?o }") is False


def test_a_failing_update_leaves_the_merge_as_it_was(tmp_path):
    with OxigraphStore(tmp_path / "store") as store:
        with pytest.raises(EvaluationError):
            store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 1 }} }} ; CREATE GRAPH <{EX}g>")
        assert store.query("ASK { ?s ?p ?o }") is False


def test_collections_of_tagged_and_typed_literals_are_written_whole(clean):
    clean.update(f'INSERT DATA {{ <{EX}s> <{EX}list> ("x"@en "y" @en-US "z"^^<{EX}dt> "w" ^^ <{EX}dt> -1) }}')
    members = objects(clean, f"GRAPH <{DEFAULT_GRAPH}> {{ ?node <{RDF}first> ?o }}")  # no path: Virtuoso
    assert {(m.value, (m.language or "").lower(), m.datatype.value.rsplit("#", 1)[-1]) for m in members} == {
        ("x", "en", "langString"), ("y", "en-us", "langString"), ("z", "", EX + "dt"), ("w", "", EX + "dt"),
        ("-1", "", "integer")}
    assert_merge(clean)


# RDF 1.2: triple terms <<( )>>, reified triples << >> and annotations {| |}, whose unnamed reifiers are blank
# nodes; each update is valid (pyoxigraph runs it) and must keep the merge the union, blank nodes and all.
def test_a_signed_number_in_delete_where_is_a_number_not_a_path(clean, graph):
    """DELETE WHERE's pattern is also the WHERE the rewrite writes, where `<p> +2` would be the path <p>+."""
    g = graph()
    clean.update(f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}a> <{EX}p> <{EX}m> . <{EX}m> <{EX}p> 2 . "
                 f"<{EX}a> <{EX}q> <{EX}kept> . <{EX}m> <{EX}q> <{EX}gone> }} }}")
    clean.update(f"DELETE WHERE {{ GRAPH <{g}> {{ ?s <{EX}p> +2 . ?s <{EX}q> ?o }} }}")
    assert triples(clean, f"GRAPH <{g}> {{ ?s ?p ?o }}") == {(iri("a"), iri("p"), iri("m")),
                                                             (iri("a"), iri("q"), iri("kept"))}
    assert_merge(clean)


@pytest.mark.parametrize("update, line, column", [
    # a sign apart from its digits: a number to the engine in a quad pattern, the path <x:p>+ in a WHERE
    ("DELETE WHERE { GRAPH <x:g> { ?s <x:p> + 2 . ?s <x:q> ?o } }", 1, 39),
    ("INSERT DATA { <x:s> <x:p> ( +#c\n2 ) }", 1, 29),
    ("INSERT DATA { <x:s> <x:p> +\u0662 }", 1, 28),  # an Arabic-Indic digit: \\d matches it, the grammar does not
    # the grammar's () and [] hold spaces only: the rewrite wrote rdf:nil or a blank node where the engine refuses
    ("INSERT DATA { <x:s> <x:p> ( #c\n ) }", 2, 2),
    ("INSERT { <x:s> <x:p> ( ( #c\n ) ) } WHERE {}", 2, 2),
    ("INSERT { [ #c\n ] <x:p> 1 } WHERE {}", 2, 2),
    ("DELETE WHERE { GRAPH <x:g> { ?s <x:p> [ #c\n ] } }", 2, 2),
    # spaces the grammar has not (it has space, tab, CR, LF; Python's \\s has every Unicode space)
    ("INSERT DATA { <x:s> <x:p> (\u00a0) }", 1, 28),
    ("INSERT DATA { <x:s> <x:p> ( 1\u00a02 ) }", 1, 30),  # two members to the lexer, an error to the engine
    ("INSERT DATA { <x:s> <x:p> [\x0c] }", 1, 28),
    ("INSERT DATA\u2003{ <x:s> <x:p> 1 }", 1, 12),  # outside a template: copied as it is, the engine refuses it
    # a triple term holds single terms; the rewrite wrote a collection's or a [ ]'s triples outside it
    ("INSERT DATA { <x:a> <x:b> <<( <x:s> <x:p> ( 1 ) )>> }", 1, 43),
    ("INSERT DATA { <x:a> <x:b> << [ <x:q> 1 ] <x:p> 1 >> }", 1, 37),  # where the engine's parser gives up
])
def test_what_the_rewrite_cannot_copy_faithfully_is_refused_where_it_is(update, line, column, tmp_path):
    # Refused before any rewrite, where the engine's parser puts the error in the text as given.
    with OxigraphStore(tmp_path / "store") as store:
        with pytest.raises(QuerySyntaxError) as raised:
            store.update(update)
        assert (raised.value.line, raised.value.column) == (line, column)
        assert store.count() == 0


RDF_1_2_UPDATES = [
    "INSERT DATA { <x:s> <x:p> <<( <x:a> <x:b> <x:c> )>> }",
    "INSERT DATA { <x:s> <x:p> ( <<( <x:a> <x:b> <<( <x:c> <x:d> <x:e> )>> )>> 1 ) }",
    "INSERT DATA { <x:s> <x:p> << <x:a> <x:b> <x:c> >> }",
    "INSERT DATA { <x:s> <x:p> ( << <x:a> <x:b> << <x:c> <x:d> <x:e> >> >> \"z\"@fr ) }",
    "INSERT DATA { <x:s> <x:p> ( << [] <x:b> <x:c> >> ) }",
    "INSERT DATA { << <x:a> <x:b> <x:c> ~ <x:r> >> <x:p> 1 }",
    "INSERT DATA { <x:s> <x:p> <x:o> {| <x:q> ( 1 2 ) |} {| <x:w> << <x:a> <x:b> <x:c> >> |} }",
    "INSERT DATA { <x:s> <x:p> <x:o> ~ {| <x:q> 1 |} . <x:t> <x:p> <x:o> ~ _:r {| <x:q> 2 |} }",
    "INSERT { ?s <x:p> <<( ?s <x:q> ?s )>>, << ?s <x:q> 1 >> } WHERE { BIND(<x:s> AS ?s) }",
    "INSERT DATA { <x:s> <x:p> <x:o> } ; DELETE WHERE { <x:s> <x:p> <<( <x:a> <x:b> <x:c> )>> }",
    "INSERT DATA { <x:m> a +2.5 ~ <x:r> } ; DELETE WHERE { <x:m> a +2.5 ~ ?r }",
    "INSERT DATA { <x:a> <x:p> << <x:s> <x:p> <x:o> ~ [] >> }",  # [] names the reifier: one blank node, not two
    "INSERT { << <x:s> <x:p> <x:o> ~ [] >> <x:p> 1 . <x:s> <x:p> <x:o> ~ [] {| <x:q> 2 |} } WHERE {}",
]


# Valid updates whose FILTER has a "<" the lexer reads as an IRI's start (<'>), so that quotes pair up wrongly
# after it: the checks on what the rewrite writes anew (spaces, triple terms) must not look there.
MISREAD_FILTERS = [
    "INSERT { <x:s> <x:p> ?x } WHERE { BIND(1 AS ?x) FILTER(?x<'>' || ?x != '\u00a0') }",
    "INSERT DATA { <x:s> <x:p> 1 } ; INSERT { <x:s> <x:p> ?x } WHERE { BIND('a' AS ?x) FILTER(?x<'>' || ?x = '<<') } ; "
    "INSERT DATA { <x:s> <x:p> [ <x:q> 1 ] }",
]


@pytest.mark.parametrize("update", RDF_1_2_UPDATES + MISREAD_FILTERS)
def test_triple_terms_and_reifiers_are_written_to_the_merge_as_the_same_nodes(update, tmp_path):
    stated = ox.Store()
    stated.update(update)
    with OxigraphStore(tmp_path / "store") as store:
        store.update(update)
        assert len(list(store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"))) == len(stated)
        assert_merge(store)


def test_a_syntax_error_is_placed_in_the_text_as_written(store):
    update = f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }} ;\nINSERT DATA {{ <{EX}a> <{EX}p> 1 }} ; DELETE WHERE {{ ?s ?p }}"
    with pytest.raises(QuerySyntaxError) as raised:
        store.update(update)
    assert raised.value.line == 2
    if raised.value.column is not None:  # the engine says where: after "?p", at the closing brace
        assert update.splitlines()[1][raised.value.column - 1] == "}"


def test_loads_keep_the_merge(store, graph, tmp_path):
    g = graph()
    store.extend([ox.Quad(iri("a"), iri("p"), one(1), ox.NamedNode(g)),
                  ox.Quad(iri("a"), iri("p"), one(1), ox.DefaultGraph())])
    assert store.count(g) == 1 and store.count("") >= 1
    assert len(list(store.query(f"SELECT * WHERE {{ <{EX}a> <{EX}p> 1 }}"))) == 1
    store.update(f"DROP SILENT GRAPH <{DEFAULT_GRAPH}>")
    assert_merge(store)


# --- stores written before the model ------------------------------------------------------------

def old_store(path) -> None:
    """A store as sahel-kg wrote it before: client triples in the default graph proper, no merge."""
    raw = ox.Store(str(path))
    raw.extend([ox.Quad(iri("d"), iri("p"), one(0), ox.DefaultGraph()),
                ox.Quad(iri("a"), iri("p"), one(1), iri("g1")),
                ox.Quad(iri("a"), iri("p"), one(1), iri("g2"))])
    raw.flush()
    del raw


def test_an_old_store_is_read_as_before_and_migrated_when_opened_for_writing(tmp_path):
    old_store(tmp_path / "store")
    with OxigraphStore(tmp_path / "store", read_only=True) as reader:
        assert reader.query(f"ASK {{ <{EX}a> <{EX}p> 1 }}") is True and reader.count() == 3
    with OxigraphStore(tmp_path / "store") as store:
        assert triples(store, f"GRAPH <{DEFAULT_GRAPH}> {{ ?s ?p ?o }}") == {(iri("d"), iri("p"), one(0))}
        assert len(list(store.query(f"SELECT * WHERE {{ <{EX}a> <{EX}p> 1 }}"))) == 1
        assert store.count() == 3 and sorted(store.graphs()) == sorted([DEFAULT_GRAPH, EX + "g1", EX + "g2"])
        assert_merge(store)
    with OxigraphStore(tmp_path / "store", read_only=True) as reader:
        assert reader.count() == 3 and len(list(reader.query(f"SELECT * WHERE {{ <{EX}a> <{EX}p> 1 }}"))) == 1
