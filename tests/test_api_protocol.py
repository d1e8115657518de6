"""/sparql against the SPARQL 1.1 Protocol and Service Description: operations, datasets, formats,
content negotiation, errors, CORS. The W3C protocol tests' names are given where one is covered."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest
import rdflib

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, EX, FORM, TOKEN, problem, recording_server

SRX = "{http://www.w3.org/2005/sparql-results#}"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
ENTITIES = "https://sahel-kg.example.org/graph/entities"

LABELS = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?s ?label "
          f"WHERE {{ GRAPH <{ENTITIES}> {{ ?s rdfs:label ?label }} }} ORDER BY ?s LIMIT 5")
SEED_QUERY = "SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?s"


def send(client, how: str, query: str, params: dict | None = None, **options):
    """The query sent by GET, POST form or POST direct; `params` (lists allowed) go where the protocol
    puts them: the URL for GET and direct POST, the body for a form."""
    pairs = [(key, value) for key, values in (params or {}).items()
             for value in (values if isinstance(values, list) else [values])]
    if how == "get":
        return client.get("/sparql?" + urlencode([("query", query)] + pairs), **options)
    if how == "form":
        return client.post("/sparql", data=urlencode([("query", query)] + pairs), content_type=FORM, **options)
    return client.post("/sparql?" + urlencode(pairs), data=query.encode(), content_type="application/sparql-query",
                       **options)


HOWS = ["get", "form", "direct"]


def subjects(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [row["s"]["value"] for row in response.get_json(force=True)["results"]["bindings"]]


# Operations and query forms


@pytest.mark.parametrize("how", HOWS)
def test_each_query_form_by_each_operation(shared, how):  # query_get, query_post_form, query_post_direct
    select = send(shared, how, SEED_QUERY)
    assert select.mimetype == "application/sparql-results+json"
    assert subjects(select) == [EX + "a", EX + "b", EX + "d"]
    ask = send(shared, how, "ASK { <http://example.org/a> <http://example.org/p> 1 }")
    assert ask.get_json(force=True)["boolean"] is True
    construct = send(shared, how, "CONSTRUCT { ?s <http://example.org/r> ?o } WHERE { ?s <http://example.org/p> ?o }")
    assert construct.mimetype == "text/turtle"
    graph = rdflib.Graph().parse(data=construct.get_data(as_text=True), format="turtle")
    assert len(graph) == 3 and (rdflib.URIRef(EX + "d"), rdflib.URIRef(EX + "r"), rdflib.Literal("in the default graph")) in graph
    describe = send(shared, how, "DESCRIBE <http://example.org/b>")
    assert describe.status_code == 200 and describe.mimetype == "text/turtle"
    described = rdflib.Graph().parse(data=describe.get_data(as_text=True), format="turtle")
    assert set(described.predicates(rdflib.URIRef(EX + "b"))) == {rdflib.URIRef(EX + "p"), rdflib.URIRef(EX + "q")}


# Datasets


@pytest.mark.parametrize("how", HOWS)
def test_one_default_graph_uri(shared, how):  # query_dataset_default_graph
    assert subjects(send(shared, how, SEED_QUERY, {"default-graph-uri": EX + "g1"})) == [EX + "a"]


@pytest.mark.parametrize("how", HOWS)
def test_several_default_graph_uris_merge(shared, how):  # query_dataset_default_graphs_get/_post
    response = send(shared, how, SEED_QUERY, {"default-graph-uri": [EX + "g1", EX + "g2"]})
    assert subjects(response) == [EX + "a", EX + "b"]


@pytest.mark.parametrize("how", HOWS)
def test_named_graph_uris(shared, how):  # query_dataset_named_graphs_get/_post
    query = "SELECT ?g ?s WHERE { GRAPH ?g { ?s <http://example.org/p> ?o } } ORDER BY ?g"
    response = send(shared, how, query, {"named-graph-uri": [EX + "g2"]})
    rows = response.get_json(force=True)["results"]["bindings"]
    assert [(row["g"]["value"], row["s"]["value"]) for row in rows] == [(EX + "g2", EX + "b")]
    # A dataset with named graphs only has an empty default graph.
    assert subjects(send(shared, how, SEED_QUERY, {"named-graph-uri": EX + "g2"})) == []


def test_full_protocol_dataset(shared):  # query_dataset_full
    query = ("ASK { <http://example.org/a> ?p ?o GRAPH ?g1 { <http://example.org/b> ?p2 ?o2 } "
             "FILTER NOT EXISTS { GRAPH ?g3 { <http://example.org/a> ?p3 ?o3 } } }")
    response = send(shared, "form", query, {"default-graph-uri": EX + "g1", "named-graph-uri": EX + "g2"})
    assert response.get_json(force=True)["boolean"] is True


def test_from_and_from_named_select_graphs_of_the_store(shared):
    assert subjects(send(shared, "get", "SELECT ?s FROM <http://example.org/g2> WHERE { ?s ?p ?o }")) \
        == [EX + "b", EX + "b"]
    prefixed = "PREFIX ex: <http://example.org/> SELECT DISTINCT ?s FROM ex:g1 FROM ex:g2 WHERE { ?s ex:p ?o } ORDER BY ?s"
    assert subjects(send(shared, "get", prefixed)) == [EX + "a", EX + "b"]
    named = "SELECT ?g ?s FROM NAMED <http://example.org/g1> WHERE { GRAPH ?g { ?s ?p ?o } }"
    rows = send(shared, "get", named).get_json(force=True)["results"]["bindings"]
    assert {row["g"]["value"] for row in rows} == {EX + "g1"}
    # FROM NAMED alone: the default graph is empty.
    assert subjects(send(shared, "get", "SELECT ?s FROM NAMED <http://example.org/g1> WHERE { ?s ?p ?o }")) == []


@pytest.mark.parametrize("how", HOWS)
def test_protocol_dataset_overrides_from(shared, how):  # query_multiple_dataset
    query = "SELECT ?s FROM <http://example.org/g2> WHERE { ?s <http://example.org/p> ?o }"
    assert subjects(send(shared, how, query, {"default-graph-uri": EX + "g1"})) == [EX + "a"]
    named = "SELECT ?g FROM NAMED <http://example.org/g2> WHERE { GRAPH ?g { ?s ?p ?o } }"
    rows = send(shared, how, named, {"named-graph-uri": EX + "g1"}).get_json(force=True)["results"]["bindings"]
    assert {row["g"]["value"] for row in rows} == {EX + "g1"}


def test_from_never_fetches(shared):
    with recording_server() as (url, requests):
        query = f"SELECT * FROM <{url}/data.ttl> FROM NAMED <{url}/named.ttl> WHERE {{ ?s ?p ?o }}"
        assert subjects(send(shared, "get", query)) == []
        assert subjects(send(shared, "form", SEED_QUERY, {"default-graph-uri": f"{url}/x"})) == []
        named = f"SELECT * WHERE {{ GRAPH <{url}/g> {{ ?s ?p ?o }} }}"
        assert send(shared, "direct", named, {"named-graph-uri": f"{url}/g"}).status_code == 200
    assert requests == []


def test_relative_iris_resolve_against_the_endpoint(shared):  # update_base_uri, for queries
    response = send(shared, "get", "SELECT ?o WHERE { BIND(<test> AS ?o) }")
    assert response.get_json()["results"]["bindings"][0]["o"]["value"] == "http://localhost/test"


# Result formats


def solutions_in(response) -> list[dict]:
    """Rows of a SELECT response in any format, as {variable: value} (IRIs and literal texts)."""
    text = response.get_data(as_text=True)
    if response.mimetype in ("application/sparql-results+json", "application/json"):
        return [{key: cell["value"] for key, cell in row.items()} for row in json.loads(text)["results"]["bindings"]]
    if response.mimetype in ("application/sparql-results+xml", "application/xml", "text/xml"):
        root = ET.fromstring(text)
        return [{binding.get("name"): binding[0].text for binding in result.iter(SRX + "binding")}
                for result in root.iter(SRX + "result")]
    if response.mimetype == "text/csv":
        return list(csv.DictReader(io.StringIO(text)))
    assert response.mimetype == "text/tab-separated-values"
    lines = text.rstrip("\n").split("\n")
    names = [name[1:] for name in lines[0].split("\t")]
    rows = []
    for line in lines[1:]:
        cells = [cell.strip("<>") if cell.startswith("<") else cell.rsplit("@", 1)[0].strip('"')
                 for cell in line.split("\t")]
        rows.append(dict(zip(names, cells)))
    return rows


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values"])
def test_select_formats(shared, accept):  # query_content_type_select
    expected = solutions_in(send(shared, "get", LABELS))
    assert len(expected) == 5
    response = send(shared, "get", LABELS, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    assert solutions_in(response) == expected


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values"])
def test_ask_formats(shared, accept):  # query_content_type_ask
    response = send(shared, "form", "ASK { ?s ?p ?o }", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    text = response.get_data(as_text=True)
    if accept.endswith("json"):
        assert json.loads(text) == {"head": {}, "boolean": True}
    elif accept.endswith("xml"):
        assert ET.fromstring(text).find(SRX + "boolean").text == "true"
    else:
        assert text.split()[-1] == "true"


GRAPH_SYNTAXES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
                  "application/rdf+xml": "xml", "application/trig": "trig", "application/n-quads": "nquads",
                  "text/n3": "n3", "text/rdf+n3": "n3",
                  # older names RDF4J and Oxigraph's server take, which were 406 here (helper-206)
                  "application/turtle": "turtle", "text/xml": "xml", "application/x-trig": "trig",
                  "text/x-nquads": "nquads"}


def parsed_graph(response) -> rdflib.Graph:
    syntax = GRAPH_SYNTAXES[response.mimetype]
    data = response.get_data(as_text=True)
    if syntax in ("trig", "nquads"):  # through N-Triples: rdflib's dataset parsers are deprecated
        quads = ox.parse(response.get_data(), format=ox.RdfFormat.TRIG if syntax == "trig" else ox.RdfFormat.N_QUADS)
        lines = [f"{q.subject} {q.predicate} {q.object} ." for q in quads if q.graph_name == ox.DefaultGraph()]
        return rdflib.Graph().parse(data="\n".join(lines), format="nt")
    return rdflib.Graph().parse(data=data, format=syntax)


@pytest.mark.parametrize("accept", list(GRAPH_SYNTAXES))
@pytest.mark.parametrize("form", ["CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <http://example.org/g2> { ?s ?p ?o } }",
                                  "DESCRIBE <http://example.org/b>"])
def test_graph_formats(shared, accept, form):  # query_content_type_construct, query_content_type_describe
    response = send(shared, "get", form, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    b, a = rdflib.URIRef(EX + "b"), rdflib.URIRef(EX + "a")
    assert set(parsed_graph(response)) == {(b, rdflib.URIRef(EX + "p"), rdflib.Literal(2)),
                                           (b, rdflib.URIRef(EX + "q"), a)}


# Content negotiation


@pytest.mark.parametrize("accept, expected", [
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/csv, application/sparql-results+json;q=0.1", "text/csv"),
    ("*/*", "application/sparql-results+json"),
    ("text/*", "text/*"),
    ("application/json", "application/json"),
    ("text/html;q=1, text/tab-separated-values;q=0.2", "text/tab-separated-values"),
])
def test_accept_with_q_values_and_wildcards(shared, accept, expected):
    response = send(shared, "get", LABELS, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype.startswith("text/") if expected == "text/*" else response.mimetype == expected
    assert "Accept" in response.headers["Vary"]
    assert solutions_in(response) == solutions_in(send(shared, "get", LABELS))


@pytest.mark.parametrize("query, fmt, expected", [
    (LABELS, "xml", "application/sparql-results+xml"),
    (LABELS, "csv", "text/csv"),
    (LABELS, "tsv", "text/tab-separated-values"),
    (LABELS, "json", "application/sparql-results+json"),
    (LABELS, "text/csv", "text/csv"),
    ("CONSTRUCT WHERE { ?s <http://example.org/p> ?o }", "json", "application/ld+json"),  # SPARQLWrapper
    ("CONSTRUCT WHERE { ?s <http://example.org/p> ?o }", "xml", "application/rdf+xml"),
    ("CONSTRUCT WHERE { ?s <http://example.org/p> ?o }", "nt", "application/n-triples"),
    ("CONSTRUCT WHERE { ?s <http://example.org/p> ?o }", "application/trig", "application/trig"),
    # a media type as the server labels its answers, with parameters, as Accept takes it
    (LABELS, "application/sparql-results+xml; charset=utf-8", "application/sparql-results+xml"),
    (LABELS, "Text/CSV;charset=UTF-8", "text/csv"),
    ("CONSTRUCT WHERE { ?s <http://example.org/p> ?o }", "text/turtle; charset=utf-8", "text/turtle"),
])
def test_format_parameter_overrides_accept(shared, query, fmt, expected):
    response = send(shared, "get", query, {"format": fmt}, headers={"Accept": "text/turtle, text/csv"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == expected
    if query.startswith("CONSTRUCT"):
        assert len(parsed_graph(response)) == 3


@pytest.mark.parametrize("raw, expected", [
    ("format=application/sparql-results+xml", "application/sparql-results+xml"),
    ("output=application/sparql-results+json;%20charset=utf-8", "application/sparql-results+json"),
    ("format=json&format=application/sparql-results+json", "application/sparql-results+json")])
def test_a_media_type_typed_into_a_url_keeps_its_plus(shared, raw, expected):
    """A URL's raw '+' reads as a space: format=application/sparql-results+xml was 406 ('…results xml'; helper-194)."""
    response = shared.get(f"/sparql?{urlencode({'query': LABELS})}&{raw}")
    assert response.status_code == 200 and response.mimetype == expected


def test_a_format_of_any_type_narrows_nothing(shared):
    """format=*/* was 406 ("format '*/*'"): as Accept: */* it takes what Accept and the form would pick."""
    chosen = send(shared, "get", LABELS, {"format": "*/*"}, headers={"Accept": "text/csv"})
    assert chosen.status_code == 200 and chosen.mimetype == "text/csv"
    default = send(shared, "get", "CONSTRUCT WHERE { ?s <http://example.org/p> ?o }", {"format": "*/*"})
    assert default.status_code == 200 and default.mimetype == "text/turtle"


def test_nothing_acceptable_is_406(shared):
    problem(send(shared, "get", LABELS, headers={"Accept": "image/png"}), 406)
    problem(send(shared, "get", "CONSTRUCT WHERE { ?s ?p ?o }", headers={"Accept": "text/csv"}), 406)
    problem(send(shared, "get", LABELS, {"format": "pdf"}), 406)
    problem(send(shared, "get", "ASK {}", {"format": "turtle"}), 406)
    problem(send(shared, "get", LABELS, {"format": "text/csv; charset=latin1"}), 406)  # every answer is UTF-8


# RFC 9110 §12.5.1: a media range's parameters do not keep it from matching the type (every answer is
# UTF-8, so a charset must name UTF-8); the most specific range that matches a type gives its weight.
CONSTRUCT_P = "CONSTRUCT WHERE { ?s <http://example.org/p> ?o }"


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("query, accept, expected", [
    (CONSTRUCT_P, "text/turtle; charset=utf-8", "text/turtle"),  # the type the server labels Turtle with
    (CONSTRUCT_P, "text/turtle;charset=UTF-8", "text/turtle"),
    (CONSTRUCT_P, 'application/n-triples; charset="utf-8"', "application/n-triples"),
    (CONSTRUCT_P, "application/ld+json; profile=\"http://www.w3.org/ns/json-ld#expanded\"", "application/ld+json"),
    (CONSTRUCT_P, "text/turtle;charset=utf-8;q=0.2, application/n-triples;q=0.5", "application/n-triples"),
    (CONSTRUCT_P, "text/n3", "text/n3"),  # Turtle, which is N3: SPARQLWrapper's N3 and older clients ask so
    (CONSTRUCT_P, "text/rdf+n3;q=0.8, application/rdf+xml;q=0.1", "text/rdf+n3"),
    (LABELS, "application/sparql-results+json; charset=utf-8", "application/sparql-results+json"),
    (LABELS, "text/csv; charset=utf-8; header=present", "text/csv"),
    (LABELS, "text/*;q=0.3, text/csv;q=0, text/xml;q=0", "text/tab-separated-values"),  # refused by name
    (LABELS, "*/*;q=0.1, application/sparql-results+xml", "application/sparql-results+xml"),
    (LABELS, "text/csv;q=2, text/tab-separated-values;q=0.5", "text/tab-separated-values"),  # a bad q spoils its range
    (None, "text/turtle; charset=utf-8", "text/turtle"),  # the service description
    (None, "application/n-triples;charset=utf-8, text/html;q=0.9", "application/n-triples"),
])
def test_media_ranges_with_parameters_match_on_the_type_and_honour_q(shared, method, query, accept, expected):
    url = "/sparql" + ("?" + urlencode({"query": query}) if query else "")
    response = shared.open(url, method=method, headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == expected
    if method == "GET" and query == CONSTRUCT_P:
        assert len(parsed_graph(response)) == 3


# A wildcard is answered with a format's own registered type before any alias (application/json,
# text/xml, application/x-turtle, text/plain …): else a client that refuses or rates low a format gets
# that very format under another name.
WILDCARDS = [
    (LABELS, "application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
    (LABELS, "text/*", "text/csv"),
    (CONSTRUCT_P, "text/turtle;q=0, */*", "application/n-triples"),
    (CONSTRUCT_P, "application/*;q=0.9, text/turtle;q=0.1", "application/n-triples"),
    (CONSTRUCT_P, "*/*", "text/turtle"),
    (LABELS, "*/*", "application/sparql-results+json"),
]


@pytest.mark.parametrize("accept, expected", [
    ("text/turtle;q=0, application/n-triples;q=0, application/ld+json;q=0, application/rdf+xml;q=0, "
     "application/trig;q=0, application/n-quads;q=0, */*", None),  # was application/x-turtle, Turtle after all
    ("text/turtle;q=0, application/turtle, */*;q=0.1", "application/turtle"),  # an alias named is honoured
    ("application/n-quads;q=0, text/*", "text/turtle"),
])
def test_a_wildcard_never_picks_another_name_of_a_format_whose_own_type_was_refused(shared, accept, expected):
    response = send(shared, "get", CONSTRUCT_P, headers={"Accept": accept})
    assert (response.status_code, response.mimetype if expected else None) == (200 if expected else 406, expected)


def test_a_wildcard_picks_a_registered_type_before_an_alias(shared):
    answered = [(accept, send(shared, "get", query, headers={"Accept": accept})) for query, accept, _ in WILDCARDS]
    assert [(accept, r.status_code, r.mimetype) for accept, r in answered] == \
        [(accept, 200, expected) for _, accept, expected in WILDCARDS]


@pytest.mark.parametrize("accept", ["text/turtle; charset=iso-8859-1", "text/csv;q=0, */*;q=0",
                                    "application/sparql-results+json;q=0"])
def test_a_range_that_refuses_or_names_another_charset_is_not_acceptable(shared, accept):
    problem(send(shared, "get", LABELS if "sparql" in accept else CONSTRUCT_P, headers={"Accept": accept}), 406)


@pytest.mark.parametrize("query, fmt, accept, expected", [
    (CONSTRUCT_P, "n3", "application/n-triples", "application/n-triples"),  # N-Triples is N3 too
    (CONSTRUCT_P, "turtle", "application/n-triples;q=0.9, text/csv", "application/n-triples"),
    (CONSTRUCT_P, "n3", "application/rdf+xml", "text/turtle"),  # Accept does not satisfy format=: format= wins
    (CONSTRUCT_P, "json", "application/json", "application/json"),
    (LABELS, "json", "application/json", "application/json"),
    (LABELS, "xml", "text/xml, application/sparql-results+json", "text/xml"),
    (LABELS, "csv", "text/csv; charset=utf-8", "text/csv"),
])
def test_format_and_an_accept_that_satisfies_it_answer_the_accepted_type(shared, query, fmt, accept, expected):
    response = send(shared, "get", query, {"format": fmt}, headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == expected


# Errors


def test_malformed_query_is_a_problem_with_position(shared):  # bad_query_syntax
    for how in HOWS:
        body = problem(send(shared, how, "SELECT * WHERE {\n  ?s ?p \n}"), 400)
        assert body["type"].endswith("/malformed-query") and body["detail"]
        assert body["line"] == 3 and body["column"] >= 1
    body = problem(send(shared, "get", "PREFIX ex: <http://example.org/>\nSELECT * WHERE { ?s ex:p ?o ?z }"), 400)
    assert body["line"] == 2


def test_a_malformed_querys_position_counts_cr_line_ends_as_lf_ones(shared):
    """With CR alone between lines, every error was placed on line 1."""
    for end in ("\n", "\r\n", "\r"):
        body = problem(send(shared, "get", end.join(["SELECT * WHERE {", "  ?s ?p ?o .", "  ?s ?p ?o ?z", "}"])), 400)
        assert (body["line"], body["column"]) == (3, 12), (end, body)


@pytest.mark.parametrize("headers", [{}, {"If-None-Match": "*"}, {"Accept": "text/turtle"}])
def test_a_text_that_is_no_query_is_400_with_a_position_before_negotiation_and_validators(shared, headers):
    body = problem(shared.get("/sparql?" + urlencode({"query": "SELEC * {}"}), headers=headers), 400)
    assert (body["line"], body["column"]) == (1, 1)


@pytest.mark.parametrize("how", HOWS)
def test_a_byte_order_mark_before_a_query_is_not_part_of_its_text(shared, how):
    response = send(shared, how, "\ufeffASK { ?s ?p ?o }")
    assert response.status_code == 200 and response.get_json()["boolean"] is True, response.get_data(as_text=True)


@pytest.mark.parametrize("how", ["form", "direct"])
def test_a_byte_order_mark_before_an_update_is_not_part_of_its_text(writer, how):
    update = "\ufeffINSERT DATA { GRAPH <http://example.org/bom> { <http://example.org/s> <http://example.org/p> 1 } }"
    if how == "form":
        response = writer.post("/sparql", data=urlencode({"update": update}), content_type=FORM, headers=AUTH)
    else:
        response = writer.post("/sparql", data=update.encode(), content_type="application/sparql-update", headers=AUTH)
    assert response.status_code == 204, response.get_data(as_text=True)
    assert send(writer, "get", "ASK { GRAPH <http://example.org/bom> { ?s ?p 1 } }").get_json()["boolean"] is True


@pytest.mark.parametrize("how", ["form", "direct"])
def test_an_update_that_does_not_parse_is_a_malformed_update_with_its_position(writer, how):
    """It was titled "Malformed query" (type malformed-query), naming an operation the client did not send."""
    update = "INSERT DATA {\n  <http://example.org/s> <http://example.org/p> }"
    response = writer.post("/sparql", headers=AUTH, **({"data": {"update": update}} if how == "form" else
                           {"data": update.encode(), "content_type": "application/sparql-update"}))
    body = problem(response, 400)
    assert (body["title"], body["line"]) == ("Malformed update", 2) and body["type"].endswith("/malformed-update")
    assert body["detail"] and body["column"] >= 1
    assert problem(send(writer, "get", "SELECT * WHERE {\n  ?s ?p \n}"), 400)["title"] == "Malformed query"


def test_unsupported_or_missing_content_type_is_415(shared):
    # bad_query_wrong_media_type, bad_query_missing_form_type, bad_query_missing_direct_type
    problem(shared.post("/sparql", data="ASK {}", content_type="text/plain"), 415)
    problem(shared.post("/sparql", data=urlencode({"query": "ASK {}"})), 415)
    missing = problem(shared.post("/sparql", data="ASK {}"), 415)["detail"]
    assert missing.endswith(", and the request has no Content-Type") and "not no content type" not in missing


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_405_with_allow(shared, method):  # bad_query_method
    response = getattr(shared, method)("/sparql?query=" + quote("ASK {}"))
    problem(response, 405)
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_query_and_update_together_is_400(shared):
    problem(shared.post("/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"}), 400)
    problem(shared.post("/sparql?update=CLEAR%20ALL", data="ASK {}", content_type="application/sparql-query"), 400)


def test_two_queries_are_400(shared):  # bad_multiple_queries
    problem(shared.get("/sparql?" + urlencode([("query", "ASK {}"), ("query", "SELECT * {}")])), 400)
    problem(shared.post("/sparql", data=urlencode([("query", "ASK {}"), ("query", "ASK {}")]), content_type=FORM), 400)
    problem(shared.post("/sparql?query=ASK%20%7B%7D", data=urlencode([("query", "ASK {}")]), content_type=FORM), 400)


def test_non_utf8_queries_are_400(shared):  # bad_query_non_utf8
    latin1 = "ASK { ?s ?p \"café\" }".encode("latin-1")
    problem(shared.get("/sparql?query=" + quote(latin1)), 400)
    problem(shared.post("/sparql", data=b"query=" + quote(latin1).encode(), content_type=FORM), 400)
    problem(shared.post("/sparql", data=latin1, content_type="application/sparql-query"), 400)
    for utf16 in ("ASK {}".encode("utf-16"), "ASK {}".encode("utf-16-le")):
        problem(shared.post("/sparql", data=utf16, content_type="application/sparql-query; charset=UTF-16"), 400)
    assert shared.post("/sparql", data=b"ASK {}", content_type="application/sparql-query; charset=utf-8").status_code == 200


def test_update_by_get_is_400(shared):  # bad_update_get
    problem(shared.get("/sparql?" + urlencode({"update": "CLEAR ALL", "using-graph-uri": EX + "g1"})), 400)
    assert subjects(send(shared, "get", SEED_QUERY)) == [EX + "a", EX + "b", EX + "d"]


def test_a_query_sent_as_an_update_is_400_saying_so(writer):
    response = writer.post("/sparql", data={"update": "SELECT * WHERE { ?s ?p ?o }"},
                           headers={"Authorization": f"Bearer {TOKEN}"})
    body = problem(response, 400)
    assert "this is a SELECT query" in body["detail"] and "VERSION" not in body["detail"]
    asked = writer.post("/sparql", data={"update": "ASK {}"}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert "this is an ASK query" in problem(asked, 400)["detail"]  # it said "a ASK"


def test_update_sent_as_query_is_400(shared):
    problem(send(shared, "form", "CLEAR ALL"), 400)


# Service description


def description(client, accept: str | None = None, syntax: str = "turtle", headers=(), **options) -> rdflib.Graph:
    response = client.get("/sparql", headers={**dict(headers), **({"Accept": accept} if accept else {})}, **options)
    assert response.status_code == 200, response.get_data(as_text=True)
    return rdflib.Graph().parse(data=response.get_data(as_text=True), format=syntax)


@pytest.mark.parametrize("accept, syntax", [(None, "turtle"), ("text/turtle", "turtle"),
                                            ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"),
                                            ("application/n-triples", "nt")])
def test_service_description_formats(shared, accept, syntax):  # returns-rdf, has-endpoint-triple
    graph = description(shared, accept, syntax)
    service = graph.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert service is not None
    assert graph.value(service, SD.endpoint) == rdflib.URIRef("http://localhost/sparql")
    assert SD.SPARQL11Query in set(graph.objects(service, SD.supportedLanguage))
    assert SD.SPARQL11Update not in set(graph.objects(service, SD.supportedLanguage))
    formats = {str(term) for term in graph.objects(service, SD.resultFormat)}
    assert {"http://www.w3.org/ns/formats/SPARQL_Results_JSON", "http://www.w3.org/ns/formats/SPARQL_Results_XML",
            "http://www.w3.org/ns/formats/SPARQL_Results_CSV", "http://www.w3.org/ns/formats/Turtle"} <= formats
    assert graph.value(service, SD.defaultDataset) is not None


def test_service_description_endpoint_is_the_public_url_never_a_host_header(shared, make_app):
    """sd:endpoint is this server's public URL (PUBLIC_ORIGIN, else IRI_BASE's origin): a Host header a
    client sends is not copied into a description others may cache (loopback hosts excepted)."""
    for headers in ({"Host": "sparql.example.net:8080"}, {}):
        graph = description(shared, headers=headers, base_url="https://kg.example.com/")
        assert set(graph.objects(None, SD.endpoint)) == {rdflib.URIRef("https://sahel-kg.example.org/sparql")}
    graph = description(shared, headers={"Host": "127.0.0.1:8080"})
    assert set(graph.objects(None, SD.endpoint)) == {rdflib.URIRef("http://127.0.0.1:8080/sparql")}
    configured = make_app({"PUBLIC_ORIGIN": "https://kg.example.com"}).test_client()
    graph = description(configured, headers={"Host": "sparql.example.net:8080"})
    assert set(graph.objects(None, SD.endpoint)) == {rdflib.URIRef("https://kg.example.com/sparql")}


def test_service_description_says_updates_when_enabled(writer):
    graph = description(writer)
    assert SD.SPARQL11Update in set(graph.objects(None, SD.supportedLanguage))


def count(client, query: str) -> int:
    return int(subjects_value(send(client, "get", query)))


def subjects_value(response) -> str:
    return response.get_json()["results"]["bindings"][0]["n"]["value"]


def test_void_statistics_match_count_queries(shared):
    graph = description(shared)
    default = graph.value(graph.value(predicate=rdflib.RDF.type, object=SD.Dataset), SD.defaultGraph)
    assert int(graph.value(default, VOID.triples)) == count(shared, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert int(graph.value(default, VOID.classes)) == count(shared, "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?s a ?c }")
    assert int(graph.value(default, VOID.properties)) == count(shared, "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }")
    names = {}
    for named in graph.objects(None, SD.namedGraph):
        names[str(graph.value(named, SD.name))] = graph.value(named, SD.graph)
    assert {EX + "g1", EX + "g2", ENTITIES} <= set(names)
    for name in (EX + "g1", EX + "g2", ENTITIES):
        described, where = names[name], f"GRAPH <{name}> {{ ?s ?p ?o }}"
        assert int(graph.value(described, VOID.triples)) == count(shared, f"SELECT (COUNT(*) AS ?n) {{ {where} }}")
        assert int(graph.value(described, VOID.properties)) \
            == count(shared, f"SELECT (COUNT(DISTINCT ?p) AS ?n) {{ {where} }}")
        assert int(graph.value(described, VOID.classes)) \
            == count(shared, f"SELECT (COUNT(DISTINCT ?c) AS ?n) {{ GRAPH <{name}> {{ ?s a ?c }} }}")
    assert int(graph.value(names[EX + "g1"], VOID.classes)) == 1


def test_browsers_get_the_query_page(shared):
    response = shared.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "<form" in response.get_data(as_text=True)
    # The same URL gives a SPARQL client the service description: a shared cache must not hand it the page.
    assert response.headers["Vary"] == "Accept, Accept-Encoding"


def test_service_description_406(shared):
    problem(shared.get("/sparql", headers={"Accept": "image/png"}), 406)


# HEAD, CORS


def test_head_has_headers_and_no_body(shared):
    got = send(shared, "get", LABELS)
    head = shared.head("/sparql?" + urlencode({"query": LABELS}))
    assert head.status_code == 200 and head.data == b""
    assert head.mimetype == got.mimetype and head.headers["ETag"] == got.headers["ETag"]


def test_cors_preflight_and_responses(shared):
    preflight = shared.options("/sparql", headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "Content-Type"})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    # helper-83: a conditional request from another site's page failed its preflight
    allowed = {name.strip() for name in preflight.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since"} <= allowed
    response = send(shared, "get", "ASK {}", headers={"Origin": "https://app.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]


def test_documents_of_the_data_are_readable_cross_origin_but_not_the_operators_routes(shared):
    """A linked-data client in a browser reads /id/jnim.jsonld, VoID and the API's description as it reads
    /sparql (they were without Access-Control-Allow-Origin); metrics and health checks stay the operator's."""
    origin = {"Origin": "https://app.example"}
    for path in ("/id/jnim.jsonld", "/id/jnim", "/.well-known/void", "/openapi.json", "/dump.nq.gz", "/search?q=Mali"):
        response = shared.get(path, headers=origin)
        assert response.status_code in (200, 303) and response.headers["Access-Control-Allow-Origin"] == "*", path
    preflight = shared.options("/id/jnim.jsonld", headers={**origin, "Access-Control-Request-Method": "GET"})
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, OPTIONS"
    for path in ("/metrics", "/healthz", "/readyz", "/store?default"):
        assert "Access-Control-Allow-Origin" not in shared.get(path, headers=origin).headers, path


def test_cors_origins_setting(make_app):
    one = make_app({"CORS_ORIGINS": "https://app.example"}, article=False).test_client()
    assert send(one, "get", "ASK {}").headers["Access-Control-Allow-Origin"] == "https://app.example"
    off = make_app({"CORS_ORIGINS": ""}, article=False).test_client()
    response = send(off, "get", "ASK {}")
    assert response.status_code == 200 and "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Origin" not in off.options("/sparql").headers


def test_several_cors_origins_each_read_as_their_own_and_answers_vary_with_origin(make_app):
    """Only `*` or one origin could be allowed: a server read by two sites' pages had to allow every site."""
    client = make_app({"CORS_ORIGINS": "https://a.example, https://b.example"}).test_client()
    for origin in ("https://a.example", "https://b.example"):
        for response in (send(client, "get", "ASK {}", headers={"Origin": origin}),
                         send(client, "form", "ASK {}", headers={"Origin": origin}),
                         client.get("/id/jnim.ttl", headers={"Origin": origin}),
                         client.options("/sparql", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})):
            assert response.headers["Access-Control-Allow-Origin"] == origin, response.request.path
            assert "Origin" in [token.strip() for token in response.headers["Vary"].split(",")]
            assert len(response.headers.getlist("Vary")) == 1
    # not listed, or no page at all: no site named, and a shared cache told the answer depends on Origin
    for headers in ({"Origin": "https://c.example"}, {"Origin": "null"}, {}):
        response = send(client, "get", "ASK {}", headers=headers)
        assert response.status_code == 200 and "Access-Control-Allow-Origin" not in response.headers
        assert {"Accept", "Origin"} <= {token.strip() for token in response.headers["Vary"].split(",")}
    tagged = client.get("/id/jnim.ttl", headers={"Origin": "https://a.example"})
    again = client.get("/id/jnim.ttl", headers={"Origin": "https://b.example", "If-None-Match": tagged.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Access-Control-Allow-Origin"] == "https://b.example"
    assert "Origin" in again.headers["Vary"]


def test_an_update_whose_precondition_fails_is_412_and_writes_nothing(writer):
    """RFC 9110 §13.1.1-2: an update's target is the dataset, whose entity tag is its version, quoted."""
    version = writer.get("/sparql?" + urlencode({"query": "ASK {}"})).headers["X-Dataset-Version"]
    written = f"ASK {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 1 }} }}"

    def update(**preconditions):
        return writer.post("/sparql", data={"update": f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 1 }} }}"},
                           headers={"Authorization": f"Bearer {TOKEN}", **preconditions})

    problem(update(**{"If-Match": '"stale"'}), 412)
    problem(update(**{"If-Match": f'W/"{version}"'}), 412)  # compared strongly
    problem(update(**{"If-None-Match": "*"}), 412)  # the dataset is always there
    problem(update(**{"If-None-Match": f'W/"{version}"'}), 412)  # compared weakly
    assert send(writer, "get", written).get_json()["boolean"] is False
    assert update(**{"If-Match": f'"other", "{version}"'}).status_code == 204
    assert send(writer, "get", written).get_json()["boolean"] is True
    problem(update(**{"If-Match": f'"{version}"'}), 412)  # the write moved the version on
    assert update(**{"If-Match": "*"}).status_code == 204


@pytest.mark.parametrize("text", ["", "  # nothing to do\n", "PREFIX ex: <http://example.org/>"])
def test_an_update_of_no_operation_is_204_and_leaves_the_version(writer, text):
    """SPARQL's grammar allows an update of no operation; it moved the dataset's version (and so every ETag)."""
    version = writer.get("/sparql?" + urlencode({"query": "ASK {}"})).headers["X-Dataset-Version"]
    assert writer.post("/sparql", data={"update": text}, headers=AUTH).status_code == 204
    assert writer.get("/sparql?" + urlencode({"query": "ASK {}"})).headers["X-Dataset-Version"] == version
    problem(writer.post("/sparql", data={"update": "PREFIX ex: <http://example.org/> nonsense"}, headers=AUTH), 400)


@pytest.mark.parametrize("how", ["form", "direct"])
def test_a_post_query_evaluates_its_preconditions_with_412_never_304(shared, how):
    """RFC 9110 §13.2.2: If-Match and If-Unmodified-Since hold or give 412 whatever the method; If-None-Match that
    holds gives a POST 412 (304 is a GET's or HEAD's), and If-Modified-Since is ignored for it."""
    tag = send(shared, how, "ASK {}").headers["ETag"]
    problem(send(shared, how, "ASK {}", headers={"If-Match": '"stale"'}), 412)
    assert send(shared, how, "ASK {}", headers={"If-Match": tag}).status_code == 200
    problem(send(shared, how, "ASK {}", headers={"If-None-Match": tag}), 412)
    problem(send(shared, how, "ASK {}", headers={"If-None-Match": "*"}), 412)
    assert send(shared, how, "ASK {}", headers={"If-None-Match": '"other"'}).status_code == 200
    problem(send(shared, how, "ASK {}", headers={"If-Unmodified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}), 412)
    future = "Fri, 01 Jan 2100 00:00:00 GMT"
    assert send(shared, how, "ASK {}", headers={"If-Modified-Since": future}).status_code == 200
    assert send(shared, "get", "ASK {}", headers={"If-None-Match": tag}).status_code == 304  # the same answer
