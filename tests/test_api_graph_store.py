"""/store against the SPARQL 1.1 Graph Store HTTP Protocol (indirect identification: ?graph=IRI, ?default)."""

from __future__ import annotations

import io
import threading
from urllib.parse import quote, urlencode

import pytest
import rdflib
from werkzeug.datastructures import MultiDict

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, EX, WRITABLE, problem
from api.errors import Problem
from kg.answers import QueryRequest

G = EX + "person/1"
URL = "/store?graph=" + quote(G, safe="")
TURTLE = "text/turtle; charset=utf-8"
JOHN = """@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix v: <http://www.w3.org/2006/vcard/ns#> .
<http://example.org/person/1> a foaf:Person ; foaf:businessCard [ a v:VCard ; v:fn "John Doe" ] .
"""
JANE = JOHN.replace("John Doe", "Jane Doe")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
PERSON = rdflib.URIRef(G)


def graph_at(client, url: str = URL, accept: str = "text/turtle", syntax: str = "turtle") -> rdflib.Graph:
    response = client.get(url, headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == accept
    return rdflib.Graph().parse(data=response.get_data(as_text=True), format=syntax)


def same(graph: rdflib.Graph, turtle: str) -> bool:
    return graph.isomorphic(rdflib.Graph().parse(data=turtle, format="turtle"))


def put(client, body: str, url: str = URL, content_type: str = TURTLE, headers=AUTH):
    return client.put(url, data=body.encode(), content_type=content_type, headers=headers)


def version(response) -> int:
    return int(response.headers["X-Dataset-Version"])


def test_a_graph_sent_as_n3_is_read_as_turtle_and_comes_back_as_n3(empty_writer):
    """Turtle is N3: the bytes a GET gave under text/n3 go back in a PUT under the same type."""
    assert put(empty_writer, JOHN, content_type="text/n3").status_code == 201
    assert same(graph_at(empty_writer, accept="text/n3", syntax="n3"), JOHN)
    assert put(empty_writer, JANE, content_type="text/rdf+n3").status_code == 204
    assert same(graph_at(empty_writer, accept="text/rdf+n3", syntax="n3"), JANE)
    problem(put(empty_writer, "{ <x:a> <x:b> <x:c> } => { <x:a> <x:b> <x:d> } .", content_type="text/n3"), 400)


def test_put_creates_then_replaces(empty_writer):  # put__initial_state, put__graph_already_in_store
    created = put(empty_writer, JOHN)
    assert created.status_code == 201 and created.data == b""
    assert same(graph_at(empty_writer), JOHN)
    replaced = put(empty_writer, JANE)
    assert replaced.status_code == 204 and replaced.data == b""
    assert same(graph_at(empty_writer), JANE)
    assert version(replaced) > version(created)


@pytest.mark.parametrize("accept, syntax", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                            ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")])
def test_get_in_each_syntax_has_exactly_the_triples(empty_writer, accept, syntax):
    put(empty_writer, JOHN)
    assert same(graph_at(empty_writer, accept=accept, syntax=syntax), JOHN)


def test_get_defaults_to_turtle_and_406_when_nothing_fits(empty_writer):
    put(empty_writer, JOHN)
    response = empty_writer.get(URL)
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    problem(empty_writer.get(URL, headers={"Accept": "text/csv"}), 406)


def test_head_has_headers_only(empty_writer):  # head_on_an_existing_graph, head_on_a_nonexisting_graph
    put(empty_writer, JOHN)
    head = empty_writer.head(URL)
    assert head.status_code == 200 and head.data == b"" and head.mimetype == "text/turtle"
    assert empty_writer.head("/store?graph=" + quote(EX + "person/4")).status_code == 404


def test_head_says_the_length_a_get_would_send(empty_writer):
    # RFC 9110 §8.6: a HEAD response may omit Content-Length, but one it sends is the GET body's length
    put(empty_writer, JOHN)
    for accept in ("text/turtle", "application/n-triples", "application/ld+json"):
        get = empty_writer.get(URL, headers={"Accept": accept})
        head = empty_writer.head(URL, headers={"Accept": accept})
        assert head.status_code == 200 and head.data == b""
        assert int(head.headers["Content-Length"]) == len(get.data) > 0
        assert head.headers["ETag"] == get.headers["ETag"]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_the_type_the_server_sends_is_acceptable_back(empty_writer, method):
    put(empty_writer, JOHN)
    for accept in ("text/turtle; charset=utf-8", "text/turtle;charset=UTF-8;q=0.9, text/csv",
                   "application/n-triples; charset=utf-8"):
        response = empty_writer.open(URL, method=method, headers={"Accept": accept})
        assert response.status_code == 200, (accept, response.get_data(as_text=True))
        assert response.mimetype == accept.split(";")[0]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("accept", ["text/csv", "text/turtle", "image/png;q=0.5"])
def test_a_missing_graph_is_404_whatever_the_accept(empty_writer, method, accept):
    response = empty_writer.open("/store?graph=" + quote(EX + "nowhere"), method=method, headers={"Accept": accept})
    assert response.status_code == 404


def test_a_write_whose_precondition_fails_is_412_and_changes_nothing(empty_writer):
    # RFC 9110 §13.1.1-2: If-Match and If-None-Match are evaluated before the method; a client that read
    # the graph (its ETag) does not overwrite a newer one, and If-None-Match: * does not overwrite at all
    put(empty_writer, JOHN)
    etag = empty_writer.get(URL).headers["ETag"]
    problem(put(empty_writer, JANE, headers={**AUTH, "If-Match": '"stale"'}), 412)
    problem(put(empty_writer, JANE, headers={**AUTH, "If-Match": "W/" + etag}), 412)  # compared strongly
    problem(put(empty_writer, JANE, headers={**AUTH, "If-None-Match": "*"}), 412)
    problem(empty_writer.delete(URL, headers={**AUTH, "If-Match": '"stale"'}), 412)
    problem(empty_writer.post(URL, data=JANE, content_type=TURTLE, headers={**AUTH, "If-None-Match": etag}), 412)
    problem(empty_writer.get(URL, headers={"If-Match": '"stale"'}), 412)
    assert same(graph_at(empty_writer), JOHN)
    assert put(empty_writer, JANE, headers={**AUTH, "If-Match": f'"other", {etag}'}).status_code == 204
    assert same(graph_at(empty_writer), JANE)
    other = "/store?graph=" + quote(EX + "person/9", safe="")
    problem(put(empty_writer, JOHN, url=other, headers={**AUTH, "If-Match": "*"}), 412)  # not there
    assert put(empty_writer, JOHN, url=other, headers={**AUTH, "If-None-Match": "*"}).status_code == 201
    assert empty_writer.delete(other, headers={**AUTH, "If-Match": "*"}).status_code == 204
    problem(empty_writer.delete(other, headers={**AUTH, "If-Match": '"stale"'}), 404)  # 404 comes first


def test_post_merges(empty_writer):  # post__existing_graph, get_of_post__existing_graph
    put(empty_writer, JANE)
    added = empty_writer.post(URL, data=f'<{G}> <http://xmlns.com/foaf/0.1/name> "Jane Doe" .',
                              content_type=TURTLE, headers=AUTH)
    assert added.status_code in (200, 204)
    graph = graph_at(empty_writer)
    assert len(graph) == 5 and graph.value(PERSON, FOAF.name) == rdflib.Literal("Jane Doe")
    assert graph.value(graph.value(PERSON, FOAF.businessCard), VCARD.fn) == rdflib.Literal("Jane Doe")


@pytest.mark.parametrize("method", ["put", "post"])
def test_a_graph_of_many_triples_is_written_whole(empty_writer, method):
    """101 triples were refused (400: "query has 101 patterns"): the INSERT DATA a write becomes was checked as
    if its triples were patterns to plan, those inside its GRAPH block (helper-88)."""
    body = "".join(f"<{EX}s{n}> <{EX}p> {n} .\n" for n in range(1000))
    response = getattr(empty_writer, method)(URL, data=body, content_type=TURTLE, headers=AUTH)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert len(graph_at(empty_writer)) == 1000


def test_post_to_a_new_graph_creates_it(empty_writer):
    response = empty_writer.post(URL, data=JOHN, content_type=TURTLE, headers=AUTH)
    assert response.status_code == 201
    assert same(graph_at(empty_writer), JOHN)


def test_post_to_the_store_creates_a_graph_with_location(empty_writer):  # post__create__new_graph
    alice = "[] a <http://xmlns.com/foaf/0.1/Person> ; <http://xmlns.com/foaf/0.1/givenName> \"Alice\" ."
    response = empty_writer.post("/store", data=alice, content_type=TURTLE, headers=AUTH)
    assert response.status_code == 201
    location = response.headers["Location"]  # the new graph's IRI, which is also its URL
    assert location.startswith("http://localhost/store/")
    assert same(graph_at(empty_writer, location), alice)  # get_of_post__create__new_graph
    assert same(graph_at(empty_writer, "/store?graph=" + quote(location, safe="")), alice)
    other = empty_writer.post("/store", data=alice, content_type=TURTLE, headers=AUTH)
    assert other.headers["Location"] != location


def test_delete_then_get_is_404(empty_writer):  # delete__existing_graph, get_of_delete__existing_graph
    put(empty_writer, JOHN)
    deleted = empty_writer.delete(URL, headers=AUTH)
    assert deleted.status_code in (200, 204)
    problem(empty_writer.get(URL), 404)
    problem(empty_writer.delete(URL, headers=AUTH), 404)  # delete__nonexistent_graph


def test_empty_graph_exists_until_deleted(empty_writer):
    assert put(empty_writer, "").status_code == 201
    response = empty_writer.get(URL)
    assert response.status_code == 200 and len(rdflib.Graph().parse(data=response.get_data(as_text=True))) == 0
    assert empty_writer.delete(URL, headers=AUTH).status_code == 204
    problem(empty_writer.get(URL), 404)


def test_default_graph(empty_writer):  # put__default_graph, get_of_put__default_graph
    put(empty_writer, JOHN)  # a named graph: not part of the default graph
    alice = "[] a <http://xmlns.com/foaf/0.1/Person> ; <http://xmlns.com/foaf/0.1/givenName> \"Alice\" ."
    empty = graph_at(empty_writer, "/store?default")
    assert len(empty) == 0
    assert put(empty_writer, alice, "/store?default").status_code == 201
    assert same(graph_at(empty_writer, "/store?default"), alice)
    assert put(empty_writer, alice, "/store?default").status_code == 204
    assert same(graph_at(empty_writer, "/store?default"), alice)
    assert empty_writer.delete("/store?default", headers=AUTH).status_code == 204
    assert len(graph_at(empty_writer, "/store?default")) == 0
    assert same(graph_at(empty_writer), JOHN)


def test_bad_body_is_400_with_position_and_changes_nothing(empty_writer):
    put(empty_writer, JOHN)
    before = empty_writer.get(URL).data
    body = problem(put(empty_writer, '@prefix ex: <http://example.org/> .\nex:a ex:b "unterminated .\n'), 400)
    assert body["line"] == 2 and body["column"] >= 1
    body = problem(empty_writer.post(URL, data="<a> <b> .", content_type=TURTLE, headers=AUTH), 400)
    assert body["line"] == 1
    problem(put(empty_writer, "<not rdf/>", content_type="application/rdf+xml"), 400)
    assert empty_writer.get(URL).data == before


@pytest.mark.parametrize("content_type, body", [
    (TURTLE, JOHN),
    ("application/n-triples", '<http://example.org/person/1> <http://xmlns.com/foaf/0.1/nick> "JD" .\n'),
    ("application/rdf+xml", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
     'xmlns:foaf="http://xmlns.com/foaf/0.1/"><rdf:Description rdf:about="http://example.org/person/1">'
     '<foaf:nick>JD</foaf:nick></rdf:Description></rdf:RDF>'),
    ("application/ld+json", '{"@id": "http://example.org/person/1", "http://xmlns.com/foaf/0.1/nick": "JD"}'),
])
def test_a_body_starting_with_a_byte_order_mark_is_read_without_it(empty_writer, content_type, body):
    """Editors on Windows save one; only a leading one is skipped (one elsewhere is the parser's to refuse)."""
    assert put(empty_writer, "\ufeff" + body, content_type=content_type).status_code == 201
    turtle = rdflib.Graph().parse(data=body, format={TURTLE: "turtle"}.get(content_type, content_type))
    assert graph_at(empty_writer).isomorphic(turtle)
    parts = {"part": (io.BytesIO(("\ufeff" + body).encode()), "part", content_type)}
    assert empty_writer.post(URL, data=parts, content_type="multipart/form-data", headers=AUTH).status_code == 204
    assert problem(put(empty_writer, body + "\ufeff" + body, content_type=content_type), 400)


@pytest.mark.parametrize("content_type, body, said", [
    ("application/n-triples", JOHN, "the body reads as Turtle: send it as text/turtle"),
    (TURTLE, '{"@id": "http://example.org/person/1", "http://xmlns.com/foaf/0.1/nick": "JD"}',
     "the body reads as JSON-LD: send it as application/ld+json"),
    ("application/ld+json", '<http://example.org/person/1> <http://xmlns.com/foaf/0.1/nick> "JD" .\n',
     "the body reads as N-Triples: send it as application/n-triples"),
])
def test_a_body_in_another_format_than_its_content_type_says_which(empty_writer, content_type, body, said):
    """A body sent under the wrong media type got the parser's words alone ("The subject of a triple must be...")."""
    detail = problem(put(empty_writer, body, content_type=content_type), 400)["detail"]
    assert detail.endswith(said), detail


def test_a_body_that_is_wrong_in_its_own_format_gets_no_other_format(empty_writer):
    """A real slip in a Turtle body reads no better as TriG, which takes every Turtle document: no hint."""
    detail = problem(put(empty_writer, '@prefix ex: <http://example.org/> .\nex:a ex:b "cut .\n'), 400)["detail"]
    assert "reads as" not in detail, detail


def test_a_body_opening_like_json_but_in_turtle_is_not_sent_to_json_ld(empty_writer):
    """Turtle's [] (and TriG's { []) were taken for JSON from the first bytes alone."""
    body = '[] <http://example.org/p> 1 .\n<http://example.org/s> <http://example.org/p> oops .\n'
    detail = problem(put(empty_writer, body), 400)["detail"]
    assert "reads as" not in detail, detail


def test_a_number_comes_back_in_its_canonical_form_as_the_readme_says(empty_writer):
    """The engine keeps a valid number by its value: "01" and "1" of xsd:integer are one term in the store."""
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    sent = "".join(f'<http://example.org/s> <http://example.org/p> "{lexical}"^^{integer} .\n'
                   for lexical in ("1", "01"))
    assert put(empty_writer, sent, content_type="application/n-triples").status_code == 201
    back = empty_writer.get(URL, headers={"Accept": "application/n-triples"}).get_data(as_text=True)
    assert back.splitlines() == [f'<http://example.org/s> <http://example.org/p> "1"^^{integer} .']


def test_unsupported_body_type_is_415(empty_writer):
    problem(put(empty_writer, JOHN, content_type="application/pdf"), 415)
    missing = problem(empty_writer.put(URL, data=JOHN, headers=AUTH), 415)["detail"]
    assert missing.endswith(", and the request has no Content-Type"), missing
    problem(empty_writer.get(URL), 404)


def test_bad_graph_identification_is_400(empty_writer):
    problem(empty_writer.get("/store?graph=person/1"), 400)  # not absolute
    problem(empty_writer.get("/store?graph=" + quote(G) + "&default"), 400)
    problem(empty_writer.get("/store?graph=" + quote(G) + "&graph=" + quote(EX)), 400)
    problem(put(empty_writer, JOHN, "/store"), 400)


def test_writes_need_the_token(empty_writer):
    response = put(empty_writer, JOHN, headers={})
    problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    problem(put(empty_writer, JOHN, headers={"Authorization": "Bearer wrong"}), 403)
    problem(put(empty_writer, JOHN, headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401)
    problem(empty_writer.delete(URL), 401)
    problem(empty_writer.post("/store", data=JOHN, content_type=TURTLE), 401)
    problem(empty_writer.get(URL), 404)


def test_updates_disabled_refuses_writes_but_reads(make_app):
    client = make_app(seed="<http://example.org/s> <http://example.org/p> 1 .", article=False).test_client()
    for response in (put(client, JOHN), client.post(URL, data=JOHN, content_type=TURTLE, headers=AUTH),
                     client.delete("/store?default", headers=AUTH)):
        problem(response, 403)
    assert len(graph_at(client, "/store?default")) == 1


def test_every_change_bumps_the_dataset_version(empty_writer):
    versions = [version(put(empty_writer, JOHN)), version(put(empty_writer, JANE)),
                version(empty_writer.post(URL, data=JOHN, content_type=TURTLE, headers=AUTH)),
                version(empty_writer.post("/store", data=JOHN, content_type=TURTLE, headers=AUTH)),
                version(empty_writer.delete(URL, headers=AUTH))]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)


def test_changes_show_in_queries(empty_writer):
    put(empty_writer, JOHN)
    query = "/sparql?query=" + quote(f"ASK {{ GRAPH <{G}> {{ ?s ?p \"John Doe\" }} }}")
    assert empty_writer.get(query).get_json()["boolean"] is True
    empty_writer.delete(URL, headers=AUTH)
    assert empty_writer.get(query).get_json()["boolean"] is False


class Endless(io.RawIOBase):
    """A body that would never end: reading it at all is the failure."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        buffer[:len(buffer)] = b"#" * len(buffer)
        self.read_bytes += len(buffer)
        return len(buffer)


def test_body_over_the_cap_is_413_before_it_is_read(make_app):
    client = make_app({**WRITABLE, "MAX_BODY_BYTES": 1000}, article=False).test_client()
    body = Endless()
    response = client.put(URL, content_type=TURTLE, headers=AUTH,
                          environ_overrides={"wsgi.input": body, "CONTENT_LENGTH": str(10 ** 9)})
    problem(response, 413)
    assert body.read_bytes == 0
    problem(client.post("/sparql", data="x" * 2000, content_type="application/sparql-update", headers=AUTH), 413)
    assert put(client, JOHN).status_code == 201  # under the cap


def chunked(body: bytes) -> dict:
    """The environment of a request whose body comes chunked: no Content-Length, a terminated stream."""
    import io

    return {"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": "", "HTTP_TRANSFER_ENCODING": "chunked",
            "wsgi.input_terminated": True}


def test_a_chunked_body_over_the_cap_is_413_and_nothing_of_it_applies(make_app):
    client = make_app({**WRITABLE, "MAX_BODY_BYTES": 1000}, article=False).test_client()
    one = b"INSERT DATA { <http://example.org/s> <http://example.org/p> 1 } ;\n"
    response = client.post("/sparql", content_type="application/sparql-update", headers=AUTH,
                           environ_overrides=chunked(one * 40))
    problem(response, 413)
    asked = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert asked.get_json()["boolean"] is False
    small = client.post("/sparql", content_type="application/sparql-update", headers=AUTH,
                        environ_overrides=chunked(one * 3))
    assert small.status_code == 204
    assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).get_json()["boolean"] is True


def test_a_url_under_the_store_is_the_graph_it_names(empty_writer):  # direct identification
    url = "/store/person/1.ttl"
    assert put(empty_writer, JOHN, url=url).status_code == 201
    assert same(graph_at(empty_writer, url), JOHN)
    assert same(graph_at(empty_writer, "/store?graph=" + quote("http://localhost" + url, safe="")), JOHN)
    assert put(empty_writer, JANE, url=url).status_code == 204
    assert same(graph_at(empty_writer, url), JANE)
    assert empty_writer.delete(url, headers=AUTH).status_code == 204
    problem(empty_writer.get(url), 404)
    problem(empty_writer.get(url + "?default"), 400)


def test_multipart_form_data_merges_every_part(empty_writer):  # post__multipart_formdata
    import io

    parts = {"john": (io.BytesIO(JOHN.encode()), "john.ttl", "text/turtle"),
             "extra": (io.BytesIO(b"<http://example.org/person/1> <http://xmlns.com/foaf/0.1/nick> \"JD\" .\n"),
                       "extra.nt", "application/n-triples")}
    response = empty_writer.post(URL, data=parts, content_type="multipart/form-data", headers=AUTH)
    assert response.status_code == 201, response.get_data(as_text=True)
    graph = graph_at(empty_writer)
    assert len(graph) == len(rdflib.Graph().parse(data=JOHN, format="turtle")) + 1
    bad = {"good": (io.BytesIO(JOHN.encode()), "good.ttl", "text/turtle"),
           "b": (io.BytesIO(b"<x> <y"), "bad.ttl", "text/turtle")}
    found = problem(empty_writer.post(URL, data=bad, content_type="multipart/form-data", headers=AUTH), 400)
    assert found["detail"].startswith("part 'b' (bad.ttl): ") and found["part"] == "b" and found["line"], found
    odd = {"b": (io.BytesIO(b"x"), "bad.pdf", "application/pdf")}
    found = problem(empty_writer.post(URL, data=odd, content_type="multipart/form-data", headers=AUTH), 415)
    assert found["detail"].endswith("not application/pdf in part 'b' (bad.pdf)") and found["part"] == "b", found
    assert len(graph_at(empty_writer)) == len(graph)
    # Parts sharing a name (curl -F a=@x -F a=@y) are each read, not only the first.
    same = MultiDict([("a", (io.BytesIO(JOHN.encode()), "john.ttl", "text/turtle")),
                      ("a", (io.BytesIO(b"<x> <y"), "bad.ttl", "text/turtle"))])
    assert problem(empty_writer.post(URL, data=same, content_type="multipart/form-data", headers=AUTH), 400)


def test_get_carries_validators_and_answers_304(empty_writer):
    put(empty_writer, JOHN)
    first = empty_writer.get(URL, headers={"Accept": "text/turtle"})
    assert first.status_code == 200 and first.headers["ETag"]
    assert "Last-Modified" not in first.headers  # the change is less than a second old: see validators_for
    again = empty_writer.get(URL, headers={"Accept": "text/turtle", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    put(empty_writer, JANE)
    changed = empty_writer.get(URL, headers={"Accept": "text/turtle", "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_the_graph_store_refuses_a_format_it_does_not_offer(shared):
    url = "/store?graph=" + quote(EX + "g1", safe="")
    for value in ("trig", "nquads", "application/trig"):
        problem(shared.get(f"{url}&format={value}"), 406)
    assert shared.get(f"{url}&format=nt").status_code == 200


def subjects(client) -> int:
    response = client.get("/sparql?" + urlencode({"query": "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }"}))
    return int(response.get_json()["results"]["bindings"][0]["n"]["value"])


def test_put_of_an_empty_graph_leaves_it_empty_not_gone(empty_writer):
    assert empty_writer.put(URL, data=f"<{EX}s> <{EX}p> 1 .", content_type="text/turtle",
                            headers=AUTH).status_code == 201
    assert empty_writer.put(URL, data=b"", content_type="text/turtle", headers=AUTH).status_code == 204
    response = empty_writer.get(URL, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200 and response.data.strip() == b""


def test_blank_nodes_of_two_parts_stay_apart_and_of_one_body_together(empty_writer):
    parts = {"one": (io.BytesIO(f"_:b <{EX}p> 1 .".encode()), "one.ttl", "text/turtle"),
             "two": (io.BytesIO(f"_:b <{EX}p> 2 .".encode()), "two.ttl", "text/turtle")}
    assert empty_writer.put(URL, data=parts, content_type="multipart/form-data",
                            headers=AUTH).status_code == 201
    assert subjects(empty_writer) == 2
    assert empty_writer.put(URL, data=f"_:b <{EX}p> 1 . _:b <{EX}p> 2 .", content_type="text/turtle",
                            headers=AUTH).status_code == 204
    assert subjects(empty_writer) == 1


def test_a_writes_precondition_holds_the_write_lock_until_it_is_decided(make_app):
    # If-Match is checked again under the write lock: another write cannot land between check and change.
    backend = make_app(WRITABLE, article=False).extensions["sahel-kg"]
    other_done = threading.Event()

    def precondition():
        threading.Thread(target=lambda: (backend.update(f"INSERT DATA {{ <{EX}b> <{EX}p> 2 }}"), other_done.set()),
                         daemon=True).start()
        assert not other_done.wait(1.0), "another write went through while a precondition was being checked"
        raise Problem(412, "Precondition failed", "refused")

    with pytest.raises(Problem):
        backend.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}", precondition=precondition)
    assert other_done.wait(60)
    answer = backend.query(QueryRequest(sparql=f"SELECT ?s WHERE {{ ?s <{EX}p> ?o }}", format="csv"))
    assert answer.body.split() == [b"s", f"{EX}b".encode()]


@pytest.mark.parametrize("charset, status", [("iso-8859-1", 400), ("windows-1252", 400), ("UTF-8", 201),
                                             ("us-ascii", 400)])
def test_an_upload_labelled_with_another_charset_than_utf_8_is_refused(empty_writer, charset, status):
    # Read as UTF-8 whatever its label, Latin-1 "Ã©" (valid UTF-8 bytes) was stored as "é" without a word;
    # /sparql refuses such a body (400 "Not UTF-8"), and so does an upload now: US-ASCII only over ASCII.
    body = '<http://example.org/person/1> <http://xmlns.com/foaf/0.1/nick> "caf\u00e9" .\n'
    response = put(empty_writer, body, content_type=f"text/turtle; charset={charset}")
    assert response.status_code == status, response.get_data(as_text=True)
    if status == 400:
        assert "UTF-8" in problem(response, 400)["detail"]
        assert empty_writer.get(URL).status_code == 404
    part = {"a": (io.BytesIO(body.encode()), "a.ttl", f"text/turtle; charset={charset}")}
    response = empty_writer.post(URL, data=part, content_type="multipart/form-data", headers=AUTH)
    assert response.status_code == (status if status == 400 else 204), response.get_data(as_text=True)
