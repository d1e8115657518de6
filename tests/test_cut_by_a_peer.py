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
from kg.errors import StoreError
from kg.query import QueryService
from kg.store import sparql_json
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
    assert (tmp_path / "out.json").read_text().rstrip().endswith(',"truncated":true,"limit":20000}')


@pytest.mark.parametrize("peer", ["whole", "streamed"])
def test_the_api_over_a_peer_says_its_answer_is_cut(peers, peer):
    app = create_app({"STORE": peers[peer], "ROW_LIMIT": 20000 if peer == "streamed" else 5000})
    response = app.test_client().get("/sparql", query_string={"query": MANY}, headers=JSON)
    assert response.status_code == 200
    assert response.get_json()["truncated"] is True
    if peer == "whole":  # a whole answer of its own says so in a header too
        assert response.headers["X-Result-Truncated"] == "true"


def test_text_after_a_json_answer_is_malformed():
    with pytest.raises(sparql_json.MalformedAnswer, match="text follows"):
        list(sparql_json.read([b'{"head":{"vars":[]},"results":{"bindings":[]}} {}'])[1])
