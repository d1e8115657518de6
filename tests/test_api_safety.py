"""/sparql updates (SPARQL 1.1 Protocol update operation) and the service's safety: time limit, row cap,
policy, caching, and errors that never show a traceback."""

from __future__ import annotations

import time
from email.utils import formatdate
from urllib.parse import quote, urlencode

import pytest
import rdflib

import api.backend
from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, EX, FORM, WRITABLE, problem, recording_server

from live_server import gone
from long_work import CROSS_COUNT as HEAVY, SOON, wait_until  # HEAVY: ~5e9 rows over the article

UPDATE = "application/sparql-update"


def update(client, text: str, params: dict | None = None, *, direct: bool = False, headers=AUTH):
    pairs = [(key, value) for key, values in (params or {}).items()
             for value in (values if isinstance(values, list) else [values])]
    if direct:
        return client.post("/sparql?" + urlencode(pairs), data=text.encode(), content_type=UPDATE, headers=headers)
    return client.post("/sparql", data=urlencode([("update", text)] + pairs), content_type=FORM, headers=headers)


def ask(client, query: str) -> bool:
    response = client.post("/sparql", data=query.encode(), content_type="application/sparql-query",
                           headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json(force=True)["boolean"]


def count(client, where: str = "?s ?p ?o") -> int:
    response = client.get("/sparql?" + urlencode({"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"}))
    assert response.status_code == 200, response.get_data(as_text=True)
    return int(response.get_json()["results"]["bindings"][0]["n"]["value"])


# Updates


@pytest.mark.parametrize("direct", [False, True])
def test_insert_and_delete(empty_writer, direct):  # update_post_form, update_post_direct
    response = update(empty_writer, f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}s> <{EX}p> 1, 2 }} }}", direct=direct)
    assert response.status_code == 204 and response.data == b""
    assert count(empty_writer, f"GRAPH <{EX}g> {{ ?s ?p ?o }}") == 2
    assert update(empty_writer, f"DELETE WHERE {{ GRAPH <{EX}g> {{ ?s ?p 1 }} }}", direct=direct).status_code == 204
    assert count(empty_writer) == 1
    assert update(empty_writer, "CLEAR ALL", direct=direct).status_code == 204
    assert count(empty_writer) == 0


def test_relative_iris_resolve_against_the_endpoint(empty_writer):  # update_base_uri
    text = f"CLEAR SILENT GRAPH <{EX}base> ; INSERT DATA {{ GRAPH <{EX}base> {{ <{EX}s> <{EX}p> <test> }} }}"
    assert update(empty_writer, text).status_code == 204
    response = empty_writer.post("/sparql", data={"query": f"SELECT ?o WHERE {{ GRAPH <{EX}base> {{ ?s ?p ?o }} }}"})
    [row] = response.get_json()["results"]["bindings"]
    assert row["o"] == {"type": "uri", "value": "http://localhost/test"}


DOCS = f"""PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
DROP ALL ;
INSERT DATA {{
  GRAPH <{EX}data1> {{ <{EX}data1> a foaf:Document }}
  GRAPH <{EX}data2> {{ <{EX}data2> a foaf:Document }}
  GRAPH <{EX}data3> {{ <{EX}data3> a foaf:Document }}
}} ;
"""


@pytest.mark.parametrize("direct", [False, True])
def test_using_graph_uri(empty_writer, direct):  # update_dataset_default_graph(s)
    text = DOCS + f"INSERT {{ GRAPH <{EX}out> {{ ?s a dc:BibliographicResource }} }} WHERE {{ ?s a foaf:Document }}"
    assert update(empty_writer, text, {"using-graph-uri": [EX + "data1", EX + "data2"]}, direct=direct).status_code == 204
    found = f"GRAPH <{EX}out> {{ ?s a <http://purl.org/dc/terms/BibliographicResource> }}"
    assert count(empty_writer, found) == 2
    assert not ask(empty_writer, f"ASK {{ GRAPH <{EX}out> {{ <{EX}data3> ?p ?o }} }}")


def test_using_named_graph_uri(empty_writer):  # update_dataset_named_graphs, update_dataset_full
    text = DOCS + (f"INSERT {{ GRAPH <{EX}out> {{ ?s <{EX}in> ?in }} }} WHERE {{ "
                   "{ GRAPH ?g { ?s a foaf:Document } BIND(?g AS ?in) } UNION { ?s a foaf:Document BIND(\"default\" AS ?in) } }")
    params = {"using-graph-uri": EX + "data1", "using-named-graph-uri": EX + "data2"}
    assert update(empty_writer, text, params).status_code == 204
    assert ask(empty_writer, f'ASK {{ GRAPH <{EX}out> {{ <{EX}data1> <{EX}in> "default" . '
                             f'<{EX}data2> <{EX}in> <{EX}data2> }} }}')
    assert count(empty_writer, f"GRAPH <{EX}out> {{ ?s ?p ?o }}") == 2


@pytest.mark.parametrize("clause", [f"WITH <{EX}addresses>", ""])
def test_using_graph_uri_with_using_or_with_is_400(empty_writer, clause):  # bad_update_dataset_conflict
    using = "" if clause else f"USING <{EX}people>"
    text = (f"PREFIX foaf: <http://xmlns.com/foaf/0.1/> {clause} DELETE {{ ?p foaf:givenName 'Bill' }} "
            f"INSERT {{ ?p foaf:givenName 'William' }} {using} WHERE {{ ?p foaf:givenName 'Bill' }}")
    problem(update(empty_writer, text, {"using-named-graph-uri": EX + "people"}), 400)
    problem(update(empty_writer, text, {"using-graph-uri": EX + "people"}, direct=True), 400)


def test_failing_update_changes_nothing(empty_writer):
    update(empty_writer, f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}s> <{EX}p> 1 }} }}")
    text = f"INSERT DATA {{ <{EX}s> <{EX}p> 2 }} ; DROP ALL ; CREATE GRAPH <{EX}g> ; CREATE GRAPH <{EX}g>"
    response = update(empty_writer, text)
    assert response.status_code in (400, 500) and response.mimetype == "application/problem+json"
    assert "Traceback" not in response.get_data(as_text=True)
    assert count(empty_writer) == 1 and ask(empty_writer, f"ASK {{ GRAPH <{EX}g> {{ <{EX}s> <{EX}p> 1 }} }}")


@pytest.mark.parametrize("coding", ["gzip", "deflate, gzip", "br"])
def test_a_body_in_a_content_coding_is_415_and_changes_nothing(empty_writer, coding):
    """RFC 9110 §15.5.16: a content coding the server does not decode is 415, saying in Accept-Encoding what it
    takes; it was read as if plain (a gzipped body was 400 'has a NUL byte', a plain one labelled gzip ran)."""
    import gzip
    import io

    text = f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}s> <{EX}p> 1 }} }}"
    for body in (text.encode(), gzip.compress(text.encode())):
        for path, media in (("/sparql", "application/sparql-update"), (f"/store?graph={EX}g", "text/turtle")):
            sent = body if path == "/sparql" else body.replace(b"INSERT DATA", b"").strip(b"{} ")
            response = empty_writer.post(path, data=sent, headers={**AUTH, "Content-Type": media,
                                                                    "Content-Encoding": coding})
            assert "content coding" in problem(response, 415)["detail"]
            assert response.headers["Accept-Encoding"] == "identity"
    chunked = empty_writer.post("/sparql", input_stream=io.BytesIO(gzip.compress(text.encode())),
                                headers={**AUTH, "Content-Type": "application/sparql-update", "Content-Encoding": coding,
                                         "Transfer-Encoding": "chunked"})
    assert "content coding" in problem(chunked, 415)["detail"]
    assert count(empty_writer) == 0
    plain = empty_writer.post("/sparql", data=text, headers={**AUTH, "Content-Type": "application/sparql-update",
                                                             "Content-Encoding": "identity"})
    assert plain.status_code == 204 and count(empty_writer) == 1


def test_load_is_refused_and_never_fetched(empty_writer):
    with recording_server() as (url, requests):
        for text in (f"LOAD <{url}/data.ttl>", f"LOAD SILENT <{url}/data.ttl> INTO GRAPH <{EX}g>",
                     f"INSERT DATA {{ <{EX}s> <{EX}p> 1 }} ; LOAD <{url}/x>"):
            body = problem(update(empty_writer, text), 400)
            assert "LOAD" in body["detail"]
            problem(update(empty_writer, text, direct=True), 400)
    assert requests == [] and count(empty_writer) == 0


def test_update_syntax_error_has_position(empty_writer):  # bad_update_syntax
    body = problem(update(empty_writer, "CLEAR XYZ", {"using-graph-uri": EX + "g"}), 400)
    assert body["line"] == 1 and body["column"] >= 1
    body = problem(update(empty_writer, f"INSERT DATA {{\n <{EX}s> <{EX}p> \n}}", direct=True), 400)
    assert body["line"] == 3
    malformed = f"INSERT DATA {{ <{EX}s> <{EX}p> ( 4 5 ] }}"  # was rewritten into a well-formed update, and ran
    body = problem(update(empty_writer, malformed), 400)
    assert (body["line"], body["column"]) == (1, malformed.index("]") + 1)
    assert count(empty_writer) == 0


def test_update_errors(empty_writer):
    problem(update(empty_writer, "", {"update": "CLEAR ALL"}), 400)  # bad_multiple_updates
    problem(empty_writer.post("/sparql", data="CLEAR NAMED", content_type="text/plain", headers=AUTH), 415)
    problem(empty_writer.post("/sparql", data="CLEAR NAMED", headers=AUTH), 415)  # bad_update_missing_form_type
    problem(empty_writer.post("/sparql", data="CLEAR NAMED".encode("utf-16"),  # bad_update_non_utf8
                              content_type="application/sparql-update; charset=UTF-16", headers=AUTH), 400)
    problem(empty_writer.post("/sparql", data="SELECT * {}", content_type=UPDATE, headers=AUTH), 400)


def test_updates_need_the_token_and_the_setting(empty_writer, app):
    response = update(empty_writer, "CLEAR ALL", headers={})
    problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    problem(update(empty_writer, "CLEAR ALL", headers={"Authorization": "Bearer nope"}), 403)
    problem(update(app.test_client(), "CLEAR ALL"), 403)


# Time limit


def worker_pids(app) -> list[int]:
    return [process.pid for process, _ in list(app.extensions["sahel-kg"].runner._idle.queue)]


def test_timeout_kills_the_query_and_the_next_one_answers(make_app):
    app = make_app({"QUERY_TIMEOUT": 1})
    client = app.test_client()
    [pid] = worker_pids(app)
    started = time.monotonic()
    body = problem(client.get("/sparql?" + urlencode({"query": HEAVY})), 503)
    assert time.monotonic() - started < SOON  # the query itself would take minutes
    assert "time limit" in body["detail"]
    wait_until(lambda: gone(pid), what="the busy worker's end")  # killed, not left burning CPU
    wait_until(lambda: worker_pids(app), what="a new worker")
    assert worker_pids(app) and worker_pids(app) != [pid]
    assert client.get("/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"})).status_code == 200


def test_timeout_parameter_lowers_the_limit_but_cannot_raise_it(make_app):
    lowered = make_app({"QUERY_TIMEOUT": 120}).test_client()
    started = time.monotonic()
    problem(lowered.get("/sparql?" + urlencode({"query": HEAVY, "timeout": "1"})), 503)
    assert time.monotonic() - started < SOON
    capped = make_app({"QUERY_TIMEOUT": 1}).test_client()
    started = time.monotonic()
    problem(capped.post("/sparql", data={"query": HEAVY, "timeout": "3600"}), 503)
    assert time.monotonic() - started < SOON


@pytest.mark.parametrize("zero", ["0", "0.0", "000"])
def test_a_timeout_of_0_asks_no_limit_of_its_own_and_the_servers_holds(make_app, zero):
    """Virtuoso's query form sends timeout=0 for "none": it was 400 here (helper-206)."""
    capped = make_app({"QUERY_TIMEOUT": 1}).test_client()
    assert capped.get("/sparql?" + urlencode({"query": "ASK {}", "timeout": zero})).status_code == 200
    started = time.monotonic()
    problem(capped.get("/sparql?" + urlencode({"query": HEAVY, "timeout": zero})), 503)
    assert time.monotonic() - started < SOON


@pytest.mark.parametrize("value", ["abc", "-1", "-0", "nan", "0."])
def test_bad_timeout_is_400(shared, value):
    body = problem(shared.get("/sparql?" + urlencode({"query": "ASK {}", "timeout": value})), 400)
    assert "more than 0, or 0 for no limit of the request's own" in body["detail"]  # 0 is not refused (helper-209)


# Row cap


def test_row_cap_says_the_result_was_cut(make_app):
    client = make_app({"ROW_LIMIT": 3}).test_client()
    response = client.get("/sparql?" + urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"}))
    assert response.status_code == 200
    assert response.headers["X-Result-Truncated"] == "true" and response.headers["X-Result-Limit"] == "3"
    body = response.get_json(force=True)
    assert body["truncated"] is True and body["limit"] == 3 and len(body["results"]["bindings"]) == 3
    graph = client.get("/sparql?" + urlencode({"query": "CONSTRUCT WHERE { ?s ?p ?o }"}),
                       headers={"Accept": "application/n-triples"})
    assert graph.headers["X-Result-Truncated"] == "true" and len(graph.data.splitlines()) == 4
    assert graph.data.splitlines()[-1] == b"# truncated: the row cap of 3 triples cut this answer"
    whole = client.get("/sparql?" + urlencode({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 2"}))
    assert "X-Result-Truncated" not in whole.headers and "truncated" not in whole.get_json(force=True)


@pytest.mark.parametrize("fmt, rdflib_format", [("turtle", "turtle"), ("ntriples", "nt"), ("trig", "trig"),
                                                 ("nquads", "nquads"), ("rdfxml", "xml")])
def test_a_whole_graph_answer_the_cap_cut_says_so_in_its_body_as_a_streamed_one_does(make_app, fmt, rdflib_format):
    """Saved with curl -o, a cut Turtle answer kept no trace of the cut: only the header said it (helper-194)."""
    client = make_app({"ROW_LIMIT": 3}).test_client()
    graph = client.get("/sparql?" + urlencode({"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": fmt}))
    assert graph.headers["X-Result-Truncated"] == "true"
    assert b"truncated: the row cap of 3 triples cut this answer" in graph.data.splitlines()[-1]
    read = rdflib.Dataset() if fmt in ("trig", "nquads") else rdflib.Graph()
    assert len(read.parse(data=graph.data, format=rdflib_format)) == 3  # a comment every reader skips


# Policy


def test_service_is_refused_unless_allowed(make_app):
    with recording_server() as (url, requests):
        query = f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"
        closed = make_app(article=False).test_client()
        body = problem(closed.get("/sparql?" + urlencode({"query": query})), 400)
        assert "SERVICE" in body["detail"]
        problem(closed.get("/sparql?" + urlencode({"query": "SELECT * { SERVICE SILENT <http://x.example/> {} }"})), 400)
        assert requests == []
        allowed = make_app({"SERVICE_ALLOWLIST": f"{url}/sparql"}, article=False).test_client()
        response = allowed.get("/sparql?" + urlencode({"query": query}))
        assert "refused-by-policy" not in response.get_data(as_text=True)
        problem(allowed.get("/sparql?" + urlencode({"query": query.replace("/sparql>", "/other>")})), 400)


def test_nesting_deeper_than_the_limit_is_400(make_app):
    client = make_app({"MAX_QUERY_DEPTH": 5}, article=False).test_client()
    shallow = "SELECT * WHERE { { { ?s ?p ?o } } }"
    assert client.get("/sparql?" + urlencode({"query": shallow})).status_code == 200
    deep = "SELECT * WHERE " + "{ " * 8 + "?s ?p ?o" + " }" * 8
    assert "deep" in problem(client.get("/sparql?" + urlencode({"query": deep})), 400)["detail"]


def test_define_pragma_is_400(shared):
    query = 'DEFINE input:grab-all "yes" SELECT * WHERE { ?s ?p ?o }'
    assert "DEFINE" in problem(shared.get("/sparql?" + urlencode({"query": query})), 400)["detail"]


# Graph IRIs a request gives


@pytest.mark.parametrize("params", [
    {"query": "ASK {}", "default-graph-uri": "not an iri"},
    {"query": "ASK {}", "named-graph-uri": EX + "g>"},
    {"query": "SELECT * FROM <x y> WHERE { ?s ?p ?o }"},
])
def test_a_bad_graph_iri_in_a_query_is_400(shared, params):
    assert problem(shared.get("/sparql?" + urlencode(params)), 400)["title"] == "Bad graph IRI"


@pytest.mark.parametrize("iri, said", [("graphs/g", "<graphs/g> is a relative IRI (it has no scheme, such as http:)"),
                                       ("not an iri", "<not an iri> is not an IRI: an IRI cannot hold ' '")])
def test_a_bad_graph_iris_problem_says_why_in_our_words(shared, iri, said):
    """The detail was pyoxigraph's "No scheme found in an absolute IRI" or "Invalid IRI code point ' '"."""
    detail = problem(shared.get("/sparql?" + urlencode({"query": "ASK {}", "default-graph-uri": iri})), 400)["detail"]
    assert detail.startswith(said) and "No scheme found" not in detail


@pytest.mark.parametrize("url", ["/store?graph=" + quote(EX + "a\u202egnp.exe", safe=""),
                                 "/store/a%E2%80%AEb", "/store/a%E2%81%A6b"])
def test_a_graph_named_with_a_bidirectional_formatting_character_is_refused(empty_writer, url):
    """RFC 3987 §4.1 forbids them in IRIs: shown, U+202E makes a name read as another. The PUT made the graph."""
    answer = empty_writer.put(url, data=f"<{EX}s> <{EX}p> 1 .", content_type="text/turtle", headers=AUTH)
    body = problem(answer, 400)
    assert body["title"] == "Bad graph IRI" and "bidirectional formatting character" in body["detail"], body
    assert empty_writer.get("/sparql?" + urlencode({"query": "ASK { GRAPH ?g { ?s ?p ?o } }"})).get_json()["boolean"] \
        is False


@pytest.mark.parametrize("name", ["using-graph-uri", "using-named-graph-uri"])
def test_a_bad_graph_iri_in_an_update_is_400_and_changes_nothing(empty_writer, name):
    sneaked = (f"{EX}g> WHERE {{}} ; INSERT DATA {{ <{EX}s> <{EX}p> <{EX}o> }} ; "
               f"INSERT {{ <{EX}t> <{EX}p> 1 }} USING <{EX}g")  # a valid update once spliced in
    body = urlencode({"update": f"INSERT {{ <{EX}u> <{EX}p> 1 }} WHERE {{}}", name: sneaked})
    assert problem(empty_writer.post("/sparql", data=body, content_type=FORM, headers=AUTH), 400)["title"] \
        == "Bad graph IRI"
    assert empty_writer.get("/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"})).get_json()["boolean"] is False


# Caching


def test_etag_and_last_modified_validate(writer):
    url = "/sparql?" + urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    time.sleep(1.1)  # Last-Modified is sent once the last change is a second old (opening the store wrote)
    first = writer.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "no-cache"
    again = writer.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert writer.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert writer.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    csv = writer.get(url, headers={"Accept": "text/csv"})
    assert csv.headers["ETag"] != etag  # another representation
    time.sleep(1.1)  # Last-Modified has whole seconds
    assert update(writer, f"INSERT DATA {{ <{EX}s> <{EX}p> 1 }}").status_code == 204
    changed = writer.get(url, headers={"If-None-Match": etag, "If-Modified-Since": modified})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert writer.get(url, headers={"If-Modified-Since": modified}).status_code == 200


def test_cache_control_from_settings(make_app):
    client = make_app({"CACHE_CONTROL": "public, max-age=60"}, article=False).test_client()
    assert client.get("/sparql?query=" + quote("ASK {}")).headers["Cache-Control"] == "public, max-age=60"


def test_if_modified_since_is_no_stale_304_after_a_write_in_the_same_second(shared, monkeypatch):
    second = float(int(time.time()))
    current = [api.backend.Version(number=1, modified=second + 0.1)]
    monkeypatch.setattr(api.backend.Backend, "version", lambda self: current[0])
    url = "/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"})
    first = shared.get(url)
    assert first.headers["ETag"] and "Last-Modified" not in first.headers  # the change is too recent
    current[0] = api.backend.Version(number=2, modified=second + 0.5)  # another write, the same second
    assert shared.get(url, headers={"If-Modified-Since": formatdate(second, usegmt=True)}).status_code == 200
    current[0] = api.backend.Version(number=2, modified=second - 2)  # a settled change
    settled = shared.get(url)
    assert settled.headers["Last-Modified"]
    assert shared.get(url, headers={"If-Modified-Since": settled.headers["Last-Modified"]}).status_code == 304


def test_a_store_directory_briefly_away_gives_no_validators_not_500(shared, monkeypatch):
    def swapping(path):
        raise FileNotFoundError(2, "No such file or directory", str(path))

    monkeypatch.setattr(api.backend, "directory_changed_at", swapping)  # as during a staged load's swap
    monkeypatch.setattr(api.backend.stamp, "read", lambda path: None)  # of a store no kg writer stamped
    response = shared.get("/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"}))
    assert response.status_code == 200 and "ETag" not in response.headers


# Errors


def test_internal_errors_are_problems_without_traceback(app, monkeypatch):
    backend = app.extensions["sahel-kg"]

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal state /home/someone/file.py line 12")

    monkeypatch.setattr(backend, "query", broken)
    client = app.test_client()
    # the service description's counts are made in the background: their failure is answered as its own
    for response in (client.get("/sparql?query=" + quote("ASK {}")), client.get("/sparql"),
                     client.get("/store?default"), client.get("/.well-known/void")):
        body = problem(response, 500)
        assert "secret" not in response.get_data(as_text=True) and "File \"" not in body.get("detail", "")


def test_an_update_the_store_refuses_as_given_is_400_and_changes_nothing(empty_writer):
    assert update(empty_writer, f"CREATE GRAPH <{EX}made>").status_code == 204
    body = problem(update(empty_writer, f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }} ; CREATE GRAPH <{EX}made>"), 400)
    assert body["title"] == "Request refused by the store"
    asked = empty_writer.get("/sparql", query_string={"query": f"ASK {{ <{EX}a> <{EX}p> 1 }}"})
    assert asked.get_json()["boolean"] is False


def test_a_write_answers_without_a_body_or_a_content_type(empty_writer):
    response = update(empty_writer, f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
    assert response.status_code == 204 and response.get_data() == b""
    assert "Content-Type" not in response.headers
