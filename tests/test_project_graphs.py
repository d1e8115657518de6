"""Writes over HTTP may not change the project's own graphs (a build's, the loads record): `kg build --install`
keeps them, and a client's PUT or CLEAR there once emptied /ontology. 409, nothing written; other graphs and
variable-graph deletes that reach only other graphs still work."""

from __future__ import annotations

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, WRITABLE, problem

ONTOLOGY = "https://sahel-kg.example.org/graph/ontology"
LOADS = "https://sahel-kg.example.org/graph/loads"
TRIPLE = "<http://example.org/s> <http://example.org/p> \"x\""
UPDATES = [f"CLEAR GRAPH <{ONTOLOGY}>", f"DROP SILENT GRAPH <{ONTOLOGY}>", "CLEAR ALL", "DROP NAMED",
           f"INSERT DATA {{ GRAPH <{LOADS}> {{ {TRIPLE} }} }}",
           "PREFIX kgg: <https://sahel-kg.example.org/graph/>\n"
           f"DELETE DATA {{ GRAPH kgg:ontology {{ {TRIPLE} }} }}",
           # a relative prefix IRI resolves against the BASE in force where it is declared
           "BASE <https://sahel-kg.example.org/> PREFIX kgg: <graph/>\n"
           f"INSERT DATA {{ GRAPH kgg:ontology {{ {TRIPLE} }} }}",
           f"BASE <{ONTOLOGY}> PREFIX this: <> INSERT DATA {{ GRAPH this: {{ {TRIPLE} }} }}",
           f"WITH <{ONTOLOGY}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
           f"DELETE {{ GRAPH <{ONTOLOGY}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{ONTOLOGY}> {{ ?s ?p ?o }} }}",
           f"DELETE WHERE {{ GRAPH <{ONTOLOGY}> {{ ?s ?p ?o }} }}", f"ADD <http://example.org/g> TO <{LOADS}>",
           f"MOVE <{ONTOLOGY}> TO <http://example.org/mine>", f"COPY DEFAULT TO <{ONTOLOGY}>",
           "CREATE SILENT GRAPH <https://sahel-kg.example.org/graph/provenance>",
           f"DROP SILENT GRAPH <{LOADS}> ; INSERT DATA {{ GRAPH <{LOADS}> {{ {TRIPLE} }} }}"]


@pytest.fixture
def writer(make_app):
    return make_app(WRITABLE).test_client()


def count(client, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    answer = client.get("/sparql", query_string={"query": query},
                        headers={"Accept": "application/sparql-results+json"})
    return int(answer.json["results"]["bindings"][0]["n"]["value"])


def post(client, update: str):
    return client.post("/sparql", data=update, content_type="application/sparql-update", headers=AUTH)


@pytest.mark.parametrize("update", UPDATES)
def test_an_update_that_would_change_a_project_graph_is_409(writer, update):
    before = count(writer, ONTOLOGY)
    found = problem(post(writer, update), 409)
    assert "kg build --install" in found["detail"] and "graph" in found["detail"], found
    if update not in ("CLEAR ALL", "DROP NAMED"):  # those name no graph: they say what they would clear
        assert "which this update would change" in found["detail"], found
    assert count(writer, ONTOLOGY) == before > 0


CHANGES = {"put": "a PUT would replace", "post": "a POST would add to", "delete": "a DELETE would drop"}


@pytest.mark.parametrize("method", ["put", "post", "delete"])
def test_the_graph_store_refuses_a_project_graph(writer, method):
    before = count(writer, LOADS) + count(writer, ONTOLOGY)
    for graph in (LOADS, ONTOLOGY) if method != "delete" else (ONTOLOGY,):  # a DELETE of none is 404 first
        response = getattr(writer, method)("/store", query_string={"graph": graph}, data=TRIPLE + " .",
                                           content_type="application/n-triples", headers=AUTH)
        detail = problem(response, 409)["detail"]
        assert detail == (f"the graph <{graph}> is one of the project's own graphs, which {CHANGES[method]}: "
                          "only `kg build --install` writes them; write to a graph of your own")  # no talk of an update
    assert count(writer, LOADS) + count(writer, ONTOLOGY) == before
    assert writer.get("/ontology").status_code != 404


def test_a_variable_graph_delete_reaches_only_other_graphs(writer):
    before = count(writer, ONTOLOGY)
    mine = "http://example.org/mine"
    insert = f"INSERT DATA {{ GRAPH <{mine}> {{ {TRIPLE} }} }}"
    assert post(writer, insert).status_code == 204
    for update in ["DELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
                   "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }"]:
        response = post(writer, update)
        assert response.status_code == 204, response.get_data(as_text=True)
        assert count(writer, mine) == 0 and count(writer, ONTOLOGY) == before
    # Reading a project graph to write one's own stays allowed.
    copy = f"INSERT {{ GRAPH <{mine}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{ONTOLOGY}> {{ ?s ?p ?o }} }}"
    assert post(writer, copy).status_code == 204
    assert count(writer, mine) == before
