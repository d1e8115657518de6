"""Documents about resources and the VoID description carry ETag and Last-Modified from the dataset version
(the format in the ETag) and answer 304, as query responses do; a write makes them stale; a remote store's
answers carry none."""

from __future__ import annotations

import time
import uuid

import pytest

import api
from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, WRITABLE
from kg.namespaces import PREFIXES
from kg.store.remote import RemoteStore

DOCUMENTS = ["/id/jnim.ttl", "/id/jnim.jsonld", "/id/jnim.nt", "/id/jnim.rdf", "/id/jnim.html",
             "/claim/aes-members.ttl", "/claim/aes-members.html", "/source/us-sahel-quiet-ties.html",
             "/graph/background.ttl", "/graph/background.html", "/ontology.ttl", "/ontology.html"]
VOID = [("/.well-known/void", "text/turtle"), ("/.well-known/void", "application/ld+json"),
        ("/.well-known/void", "application/n-triples")]
EVERY = [(path, "*/*") for path in DOCUMENTS] + VOID


def settled(app) -> None:
    """Wait until the last change is a whole second old: only then is Last-Modified sent (see validators)."""
    version = app.extensions["sahel-kg"].version()
    time.sleep(max(0.0, version.modified + 1.05 - time.time()))


def vary(response) -> set[str]:
    return {name.strip() for name in response.headers.get("Vary", "").split(",") if name.strip()}


@pytest.mark.parametrize("path, accept", EVERY)
def test_a_document_has_validators_and_answers_304(shared_app, path, accept):
    settled(shared_app)
    client = shared_app.test_client()
    first = client.get(path, headers={"Accept": accept})
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["X-Dataset-Version"] == str(shared_app.extensions["sahel-kg"].version().number)
    negotiated = path == "/.well-known/void"
    assert ("Accept" in vary(first)) is negotiated and "Accept-Encoding" in vary(first)
    for conditions in ({"If-None-Match": etag}, {"If-None-Match": f'"other", W/{etag}'},
                       {"If-Modified-Since": modified}):
        again = client.get(path, headers={"Accept": accept, **conditions})
        assert (again.status_code, again.data, again.headers["ETag"]) == (304, b"", etag), conditions
        assert vary(again) == vary(first)
    assert client.head(path, headers={"Accept": accept, "If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"Accept": accept, "If-None-Match": '"other"'}).status_code == 200


def test_each_format_has_its_own_etag(shared):
    tags = [shared.get(path).headers["ETag"] for path in DOCUMENTS]
    tags += [shared.get(path, headers={"Accept": accept}).headers["ETag"] for path, accept in VOID]
    assert len(set(tags)) == len(tags)


def test_a_write_makes_the_validators_stale(make_app):
    client = make_app(WRITABLE).test_client()
    before = {path: client.get(path).headers["ETag"] for path in ("/id/jnim.ttl", "/id/jnim.html", "/.well-known/void")}
    written = client.post("/sparql", headers={**AUTH, "Content-Type": "application/sparql-update"},
                          data=f'INSERT DATA {{ <{PREFIXES["sk"]}jnim> <http://example.org/p> "new" }}')
    assert written.status_code == 204
    for path, etag in before.items():
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 200 and again.headers["ETag"] != etag, path


def test_a_restart_with_settings_that_shape_a_document_makes_its_validators_stale(make_app):
    """The same data served again with another row cap (which cuts a description) gives another ETag, so a
    client revalidating its copy gets the new document, not 304 (helper-53: the tags were the same)."""
    first = make_app()
    path = first.extensions["sahel-kg"].path
    tags = [first.test_client().get("/id/jnim.ttl").headers["ETag"]]
    first.extensions["sahel-kg"].close()
    second = api.create_app({"STORE": f"oxigraph:{path}", "INSTALL_ARTICLE": False, "QUERY_WORKERS": 1,
                             "TESTING": True, "ROW_LIMIT": 3})
    try:
        again = second.test_client().get("/id/jnim.ttl", headers={"If-None-Match": tags[0]})
        assert again.status_code == 200 and again.headers["ETag"] != tags[0]
    finally:
        second.extensions["sahel-kg"].close()


def test_a_remote_stores_documents_have_no_validators(oxigraph_url):
    graph, thing = f"http://test.sahel-kg.example/{uuid.uuid4().hex}/", f"{PREFIXES['sk']}{uuid.uuid4().hex}"
    with RemoteStore(oxigraph_url, update_url=oxigraph_url.rsplit("/", 1)[0] + "/update") as remote:
        remote.update(f'INSERT DATA {{ GRAPH <{graph}> {{ <{thing}> <http://example.org/p> "x" }} }}')
        try:
            client = api.create_app({"STORE": oxigraph_url, "INSTALL_ARTICLE": False, "TESTING": True}).test_client()
            for path in ("/" + thing.removeprefix(PREFIXES["sk"].removesuffix("id/")) + ".ttl", "/.well-known/void"):
                # a tag from elsewhere; If-None-Match: * is a 304 where there is a document (RFC 9110 §13.1.2)
                answer = client.get(path, headers={"If-None-Match": '"a-tag"', "If-Modified-Since": "Wed, 01 Jan 2048 "
                                                                                                   "00:00:00 GMT"})
                assert answer.status_code == 200 and "ETag" not in answer.headers, path
                assert "Last-Modified" not in answer.headers
        finally:
            remote.update(f"DROP SILENT GRAPH <{graph}>")
