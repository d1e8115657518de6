"""using-graph-uri and using-named-graph-uri (SPARQL 1.1 Protocol §2.2.3) hold for a DELETE WHERE too: its pattern
is matched in the graphs they name, as the DELETE ... WHERE it stands for would be."""

from __future__ import annotations

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, WRITABLE, problem
from kg.sparql_parts import add_using

UPDATE = "application/sparql-update"
EX = "http://example.org/"


def update(client, text: str, **params):
    answer = client.post("/sparql", query_string=params, data=text.encode(), content_type=UPDATE, headers=AUTH)
    assert answer.status_code == 204, answer.get_data(as_text=True)


def ask(client, pattern: str) -> bool:
    return client.get("/sparql", query_string={"query": f"ASK {{ {pattern} }}"}).get_json()["boolean"]


def test_delete_where_matches_only_in_the_graphs_the_protocol_names(empty_writer):
    """It was matched in the whole dataset: the parameters were added to DELETE ... WHERE alone."""
    update(empty_writer, f"INSERT DATA {{ GRAPH <{EX}a> {{ <{EX}s> <{EX}p> 1 }} "
                         f"GRAPH <{EX}b> {{ <{EX}s> <{EX}p> 2 }} }}")
    update(empty_writer, f"DELETE WHERE {{ GRAPH ?g {{ <{EX}s> <{EX}p> ?o }} }}", **{"using-named-graph-uri": EX + "b"})
    assert ask(empty_writer, f"GRAPH <{EX}a> {{ <{EX}s> <{EX}p> 1 }}")
    assert not ask(empty_writer, f"GRAPH <{EX}b> {{ ?s ?p ?o }}")
    update(empty_writer, f"DELETE WHERE {{ <{EX}s> <{EX}p> ?o }}", **{"using-graph-uri": EX + "nothing"})
    assert ask(empty_writer, f"GRAPH <{EX}a> {{ <{EX}s> <{EX}p> 1 }}")


def test_the_rewritten_text_says_the_pattern_twice_and_leaves_other_operations_as_they_were():
    text = 'PREFIX e: <http://e/> delete where { e:s e:p "}" } ; DELETE { ?a ?b ?c } WHERE { ?a ?b ?c }'
    assert add_using(text, [EX + "g"], []) == (
        'PREFIX e: <http://e/> delete { e:s e:p "}" } USING <http://example.org/g> WHERE { e:s e:p "}" } ; '
        'DELETE { ?a ?b ?c } USING <http://example.org/g> WHERE { ?a ?b ?c }')


@pytest.mark.parametrize("operation, name", [("update", "default-graph-uri"), ("update", "named-graph-uri"),
                                             ("query", "using-graph-uri"), ("query", "using-named-graph-uri")])
def test_the_other_operations_dataset_parameters_are_refused(empty_writer, operation, name):
    """They were ignored: an update sent with default-graph-uri to change one graph changed every graph."""
    update(empty_writer, f"INSERT DATA {{ GRAPH <{EX}a> {{ <{EX}s> <{EX}p> 1 }} "
                         f"GRAPH <{EX}b> {{ <{EX}s> <{EX}p> 2 }} }}")
    text = "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }" if operation == "update" else "ASK {}"
    form = {operation: text, name: f"{EX}a"}
    answer = empty_writer.post("/sparql", data=form, headers=AUTH)
    body = problem(answer, 400)
    assert body["title"] == "Misplaced dataset" and name in body["detail"], body
    assert ask(empty_writer, f"GRAPH <{EX}b> {{ ?s ?p ?o }}")  # nothing was deleted
