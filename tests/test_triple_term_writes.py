"""RDF 1.2 triple terms in what kg writes as update text: a Graph Store upload, a remote store's INSERT DATA."""

from __future__ import annotations

from urllib.parse import quote

import pyoxigraph
import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH
from kg.store.insert_data import insert_data_requests

G = "http://example.org/g"
URL = "/store?graph=" + quote(G, safe="")
TRIPLE_TERM = "<http://ex/a> <http://ex/says> <<( <http://ex/a> <http://ex/b> <http://ex/c> )>> .\n"
REIFIED = "<< <http://ex/a> <http://ex/b> <http://ex/c> >> <http://ex/said> <http://ex/d> .\n"
BLANK_INSIDE = "<http://ex/a> <http://ex/says> <<( _:x <http://ex/b> _:y )>> .\n_:x <http://ex/name> \"x\" .\n"


@pytest.mark.parametrize("content_type, body", [("text/turtle", TRIPLE_TERM), ("application/n-triples", TRIPLE_TERM),
                                                ("text/turtle", REIFIED), ("text/turtle", BLANK_INSIDE)],
                         ids=["turtle", "n-triples", "reifier", "blank-node-inside"])
def test_an_upload_with_a_triple_term_is_stored_as_sent(empty_writer, content_type, body):
    """It was a 400 "Malformed query": the update kg made wrote the triple term without its <<( )>>."""
    sent = empty_writer.put(URL, data=body.encode(), content_type=content_type, headers=AUTH)
    assert sent.status_code == 201, sent.get_data(as_text=True)
    back = empty_writer.get(URL, headers={"Accept": "application/n-triples"})
    stored = set(pyoxigraph.parse(back.get_data(), format=pyoxigraph.RdfFormat.N_TRIPLES))
    expected = set(pyoxigraph.parse(body.encode(), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(stored) == len(expected) and {t.predicate for t in stored} == {t.predicate for t in expected}
    assert any(isinstance(t.object, pyoxigraph.Triple) for t in stored)


def test_insert_data_for_a_remote_store_writes_triple_terms_and_keeps_their_blank_nodes_together():
    quads = [pyoxigraph.Quad(q.subject, q.predicate, q.object, pyoxigraph.NamedNode(G))
             for q in pyoxigraph.parse(BLANK_INSIDE.encode(), format=pyoxigraph.RdfFormat.TURTLE)]
    requests = list(insert_data_requests(quads))
    assert len(requests) == 1 and requests[0].quads == 2  # _:x inside the triple term joins the two quads
    store = pyoxigraph.Store()
    store.update(requests[0].text)
    assert len(store) == 2
