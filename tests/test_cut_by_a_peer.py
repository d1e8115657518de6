"""Another sahel-kg server as a store, an --endpoint or a SERVICE endpoint: its row cap's signals (helper-114).

A `kg serve` says its row cap cut an answer in an `X-Result-Truncated` header (a whole answer) or at the end
of a streamed one (`"truncated": true` after the bindings, a `# truncated:` comment in N-Triples and Turtle).
Those were not read: an export ended at the cap with exit 0, a query said nothing of the cut, and SERVICE
failed with 502 on the JSON member it could not read.
"""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from api import create_app
from kg.errors import PolicyError, StoreError
from kg.federation import Federation
from kg.service_answers import parse_solutions
from kg.query import Policy, QueryService
from kg.results import Result
from kg.store import open_store, sparql_json
from kg.store.remote import RemoteStore
from kg.streaming import Cut, capped
from live_server import kg_server

WHOLE_CAP, STREAMED_CAP = 100, 10001  # kg serve streams an answer past 10,000 rows: its cut is said at the end
MANY = "SELECT * WHERE { ?s a ?x . [] rdfs:label ?n }"  # the article's types crossed with its labels
MANY_TRIPLES = "CONSTRUCT { ?s ?p ?x } WHERE { ?s ?p ?o . ?x a ?t }"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def peers(tmp_path_factory):
    """Two kg serve holding the article: one cutting at 100 rows (a whole answer, the header), one at 10001
    (a streamed answer, the end of its body)."""
    with kg_server(tmp_path_factory.mktemp("whole"), env={"SAHEL_KG_ROW_LIMIT": str(WHOLE_CAP)}) as whole, \
            kg_server(tmp_path_factory.mktemp("streamed"), env={"SAHEL_KG_ROW_LIMIT": str(STREAMED_CAP)}) as streamed:
        yield {"whole": whole + "/sparql", "streamed": streamed + "/sparql"}


def kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=120)


def test_an_export_from_a_peer_that_cut_it_fails(peers, tmp_path):
    """`kg export --store` of a kg serve with ROW_LIMIT=1000 wrote 1000 of its 3222 quads and exited 0."""
    with pytest.raises(StoreError, match="ROW_LIMIT"):
        RemoteStore(peers["whole"]).dump(io.BytesIO(), format="nquads")
    done = kg("export", "--store", peers["whole"], "--format", "nquads", "-o", str(tmp_path / "out.nq"))
    assert done.returncode == 1 and "cut the dump at its own row limit" in done.stderr


def test_a_dump_to_a_file_that_a_peer_cut_leaves_the_file_as_it_was(peers, tmp_path):
    """Store.dump to a path wrote the rows before the cut into the file, replacing what it held."""
    out = tmp_path / "out.nq"
    out.write_text("<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n")
    with pytest.raises(StoreError, match="ROW_LIMIT"):
        RemoteStore(peers["whole"]).dump(out, format="nquads")
    assert out.read_text() == "<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
    assert [path.name for path in tmp_path.iterdir()] == ["out.nq"]


@pytest.mark.parametrize("peer", ["whole", "streamed"])
@pytest.mark.parametrize("text", [MANY, MANY_TRIPLES], ids=["select", "construct"])
def test_an_answer_a_peer_cut_is_said_to_be_cut_collected_and_streamed(peers, peer, text):
    cap = WHOLE_CAP if peer == "whole" else STREAMED_CAP
    service = QueryService(RemoteStore(peers[peer]))
    result = service.query(text, row_limit=20000)
    assert len(result) == cap and result.truncated
    rows, _ = service.rows(text, row_limit=20000)
    cut = Cut(source=rows)
    assert len(list(capped(rows, 20000, cut))) == cap and cut.truncated


def test_the_console_says_a_peer_cut_the_answer(peers, tmp_path):
    """`kg query --endpoint … --limit 20000` printed "10000 result(s)" and nothing of the cut."""
    done = kg("query", "--endpoint", peers["streamed"], "--limit", "20000", "-o", str(tmp_path / "out.json"), MANY)
    assert done.returncode == 0, done.stderr
    assert f"{STREAMED_CAP} result(s)" in done.stderr and "cut by the store's own row limit" in done.stderr
    # the limit that cut it: the store's own (the rows it gave), not the console's 20000
    assert (tmp_path / "out.json").read_text().rstrip().endswith(f',"truncated":true,"limit":{STREAMED_CAP}}}')


@pytest.mark.parametrize("peer", ["whole", "streamed"])
def test_the_api_over_a_peer_says_its_answer_is_cut(peers, peer):
    app = create_app({"STORE": peers[peer], "ROW_LIMIT": 20000 if peer == "streamed" else 5000})
    response = app.test_client().get("/sparql", query_string={"query": MANY}, headers=JSON)
    assert response.status_code == 200
    assert response.get_json()["truncated"] is True
    if peer == "whole":  # a whole answer of its own says so in a header too
        assert response.headers["X-Result-Truncated"] == "true"


def test_a_search_index_is_not_built_from_pages_a_peer_cut(peers, tmp_path):
    """Paged by LIMIT 5000 OFFSET, the index took a page the store cut at 100 rows for the last one, and
    found a fraction of the things without a word."""
    app = create_app({"STORE": peers["whole"]})
    response = app.test_client().get("/search", query_string={"q": "Mali"}, headers={"Accept": "application/json"})
    assert response.status_code == 502 and "row limit of its own" in response.get_json()["detail"], response.data
    done = kg("search", "--store", peers["whole"], "Mali")
    assert done.returncode == 1 and "row limit of its own" in done.stderr


@pytest.mark.parametrize("peer", ["whole", "streamed"])
def test_a_service_a_peer_cut_is_refused_as_too_many_rows(peers, peer):
    """SERVICE to a kg serve that cut its answer was a 502 ("Unexpected JSON after the end of the bindings
    array") when streamed, and a silent part of the answer when whole."""
    url = peers[peer]
    service = QueryService(open_store("memory:"), policy=Policy(service_allowlist=(url,)),
                           federation=Federation(row_limit=20000, cache_ttl=0))
    with pytest.raises(PolicyError, match="cut its answer at a row limit of its own"):
        service.query(f"SELECT ?s ?n {{ SERVICE <{url}> {{ ?s a ?x . [] rdfs:label ?n }} }}")
    if peer == "whole":  # over HTTP: the 400 the README promises for a pattern with too many rows
        app = create_app({"STORE": "memory:", "SERVICE_ALLOWLIST": url})
        response = app.test_client().get("/sparql", query_string={
            "query": f"SELECT ?s ?n {{ SERVICE <{url}> {{ ?s a ?x . [] rdfs:label ?n }} }}"}, headers=JSON)
        assert response.status_code == 400 and "row limit of its own" in response.get_json()["detail"]


ROW = '{"s":{"type":"uri","value":"http://e/a"}}'
ANY_ORDER = [  # the JSON results format allows members in any order, and members of its extensions
    '{"head":{"vars":["s"],"link":["http://e/about"]},"results":{"bindings":[%s]},"elsewhere":{"a":[1]}}' % ROW,
    '{"head":{"vars":["s"]},"results":{"bindings":[%s],"ordered":false}}' % ROW,
]


@pytest.mark.parametrize("text", ANY_ORDER, ids=["after-results", "after-bindings"])
def test_service_reads_results_in_any_member_order(text):
    variables, rows, said = parse_solutions("http://e/sparql", text.encode(), "application/sparql-results+json", genid="g")
    assert (variables, [row[0].value for row in rows], said) == (["s"], ["http://e/a"], False)


def test_a_cut_said_before_the_results_counts_too():
    text = '{"truncated":true,"head":{"vars":["s"]},"results":{"bindings":[%s]}}' % ROW
    assert parse_solutions("http://e/sparql", text.encode(), "application/sparql-results+json", genid="g")[2] is True


@pytest.mark.parametrize("fmt, media", [("json", "application/sparql-results+json"),
                                        ("xml", "application/sparql-results+xml")])
def test_kg_serves_own_note_of_a_cut_is_read_by_service(fmt, media):
    import pyoxigraph as ox

    cut = Result(kind="solutions", variables=["s"], rows=[(ox.NamedNode("http://e/a"),)], truncated=True, limit=1)
    variables, rows, said = parse_solutions("http://e/sparql", cut.serialize(fmt), media, genid="g")
    assert (variables, len(rows), said) == (["s"], 1, True)
    cut.truncated = False
    assert parse_solutions("http://e/sparql", cut.serialize(fmt), media, genid="g")[2] is False


def test_text_after_a_json_answer_is_malformed():
    with pytest.raises(sparql_json.MalformedAnswer, match="text follows"):
        list(sparql_json.read([b'{"head":{"vars":[]},"results":{"bindings":[]}} {}'])[1])


@pytest.fixture(scope="module")
def tiny_peer(tmp_path_factory):
    """A kg serve holding the article that cuts at 5 rows: fewer than its named graphs."""
    with kg_server(tmp_path_factory.mktemp("tiny"), env={"SAHEL_KG_ROW_LIMIT": "5"}) as server:
        yield server + "/sparql"


def test_statistics_a_peer_cut_are_not_given_as_whole(tiny_peer):
    """The service description listed the 5 graphs of a cut count per graph as the dataset's named graphs,
    with no word of the cut, and the home page called them all of them."""
    import pyoxigraph as ox

    client = create_app({"STORE": tiny_peer}).test_client()
    response = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    triples = list(ox.parse(response.data, format=ox.RdfFormat.N_TRIPLES))
    comments = [t.object.value for t in triples if t.predicate.value.endswith("rdf-schema#comment")]
    assert comments and "cut its counts per graph" in comments[0]
    void = "http://rdfs.org/ns/void#"
    described = {t.object for t in triples if t.predicate.value == "http://www.w3.org/ns/sparql-service-description#graph"}
    assert len(described) == 5
    counted = {t.subject for t in triples if t.predicate.value == void + "triples" and t.subject in described}
    assert counted == described  # a cut count per graph drops whole graphs; the five it gave are right
    page = client.get("/").get_data(as_text=True)
    assert "At least <strong>5</strong> named graphs" in page


def test_link_counts_a_peer_cut_are_left_out_of_void(tiny_peer):
    """VoID summed the five rows of the six counts of links a peer gave, and stated those sums as the linksets'."""
    import pyoxigraph as ox

    response = create_app({"STORE": tiny_peer}).test_client().get(
        "/.well-known/void", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    triples = list(ox.parse(response.data, format=ox.RdfFormat.N_TRIPLES))
    linksets = {t.subject for t in triples if t.object.value == "http://rdfs.org/ns/void#Linkset"}
    assert len(linksets) == 3  # one per dataset linked to, none per predicate: those come from the counts
    assert not [t for t in triples if t.subject in linksets and t.predicate.value == "http://rdfs.org/ns/void#triples"]
    assert any("cut the counts of links" in t.object.value for t in triples
               if t.predicate.value.endswith("rdf-schema#comment"))
