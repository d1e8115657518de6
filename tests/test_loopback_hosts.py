"""A Host header naming the loopback interface is taken as sent (off --public, without PUBLIC_ORIGIN) only from a
client on the loopback interface: a remote client of a server bound to 0.0.0.0 once sent `Host: localhost:7`
and so chose its query's base IRI and the URLs it was handed (service description, VoID, reconciliation
manifest, home page, a redirect's Location, a stored graph's name)."""

from __future__ import annotations

import json

import pytest
import rdflib

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, WRITABLE, build_app
from test_fast_sparql import call, offered_at_once, query, settled
from test_query_bases_from_requests import PATHS

IRI_BASE_ORIGIN = "https://sahel-kg.example.org"
LOCAL = "http://localhost:7"
HOST = {"Host": "localhost:7"}
REMOTE = "192.0.2.7"  # TEST-NET-1: a peer that is not the loopback interface
JSON = "application/sparql-results+json"
MADE_UP = 'SELECT (IRI("x") AS ?i) {}'
SD_ENDPOINT = rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#endpoint")


@pytest.fixture(scope="module")
def apps(tmp_path_factory, article_store):
    """Apps over the article: a plain one, and one behind a reverse proxy on 127.0.0.1 it trusts."""
    root = tmp_path_factory.mktemp("loopback-hosts")
    made = {"plain": build_app(root / "a", {"QUERY_BUDGET": 0}, article=article_store),
            "proxied": build_app(root / "b", {"TRUSTED_PROXIES": ("127.0.0.1",)}, article=article_store)}
    yield made
    for app in made.values():
        app.extensions["sahel-kg"].close()


def sent_from(peer: str, request: dict, forwarded_for: str | None = None, host: dict = HOST) -> dict:
    """`request` as `peer` sends it, with `host` (and an X-Forwarded-For naming `forwarded_for`)."""
    headers = {**request["headers"], **host, **({} if forwarded_for is None else {"X-Forwarded-For": forwarded_for})}
    return {**request, "headers": headers, "environ_base": {"REMOTE_ADDR": peer}}


def made_up(body: bytes) -> str:
    return json.loads(body)["results"]["bindings"][0]["i"]["value"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("peer, origin", [(REMOTE, IRI_BASE_ORIGIN), ("2001:db8::7", IRI_BASE_ORIGIN),
                                          ("127.0.0.1", LOCAL), ("::1", LOCAL)])
def test_a_querys_base_takes_a_loopback_host_only_from_a_loopback_peer(apps, path, peer, origin):
    status, _, body = call(apps["plain"].wsgi_app, **sent_from(peer, PATHS[path](MADE_UP, {})))
    assert status == "200 OK", body
    assert made_up(body) == origin + "/x"


@pytest.mark.parametrize("peer, origin", [(REMOTE, IRI_BASE_ORIGIN), ("127.0.0.1", LOCAL)])
def test_on_the_event_loop_too(apps, peer, origin):
    """The fast path answers on the loop: `<id/jnim>` is the dataset's sk:jnim under IRI_BASE's origin only; and a
    lookup's validators are keyed on the base (api.loop_lookups)."""
    app = apps["plain"]
    settled(app)
    answer = offered_at_once(app.wsgi_app, **sent_from(peer, query("SELECT ?p ?o WHERE { <id/jnim> ?p ?o }", JSON)))
    assert answer is not None and bool(json.loads(answer[2])["results"]["bindings"]) is (origin == IRI_BASE_ORIGIN)
    lookup = query("SELECT ?p ?o WHERE { sk:jnim ?p ?o }", JSON)
    tags = [dict(offered_at_once(app.wsgi_app, **sent_from(peer, lookup, host=host))[1])["ETag"]
            for host in (HOST, {"Host": "evil.example.com"})]
    assert (tags[0] == tags[1]) is (origin == IRI_BASE_ORIGIN)


@pytest.mark.parametrize("forwarded_for, origin", [(REMOTE, IRI_BASE_ORIGIN), ("127.0.0.1", LOCAL)])
def test_behind_a_trusted_proxy_the_client_it_names_is_the_peer(apps, forwarded_for, origin):
    """A proxy on 127.0.0.1 passes on a remote client's Host: that client is not on the loopback interface."""
    status, _, body = call(apps["proxied"].wsgi_app, **sent_from("127.0.0.1", query(MADE_UP, JSON), forwarded_for))
    assert status == "200 OK" and made_up(body) == origin + "/x"


@pytest.mark.parametrize("peer, origin", [(REMOTE, IRI_BASE_ORIGIN), ("127.0.0.1", LOCAL)])
def test_the_urls_handed_out_take_a_loopback_host_only_from_a_loopback_peer(shared, peer, origin):
    def get(path, **headers):
        return shared.get(path, headers={**HOST, **headers}, environ_base={"REMOTE_ADDR": peer})

    description = rdflib.Graph().parse(data=get("/sparql", Accept="text/turtle").get_data(as_text=True),
                                       format="turtle")
    assert set(map(str, description.objects(None, SD_ENDPOINT))) == {origin + "/sparql"}
    void = get("/.well-known/void", Accept="text/turtle").get_data(as_text=True)
    assert f"<{origin}/sparql>" in void and "localhost" not in void.replace(origin, "")
    manifest = get("/reconcile").get_json()
    assert manifest["documentation"] == origin + "/" and manifest["view"]["url"].startswith(origin + "/id/")
    assert origin + "/.well-known/void" in get("/", Accept="text/html").get_data(as_text=True)
    moved = get("/problems?x=1")
    assert moved.status_code == 308 and moved.headers["Location"] == origin + "/problems/?x=1"


def test_a_remote_peers_loopback_host_names_no_stored_graph(make_app):
    client = make_app(WRITABLE, article=False).test_client()
    response = client.post("/store", data=b"<a> <http://ex.org/p> 1 .", environ_base={"REMOTE_ADDR": REMOTE},
                           headers={**AUTH, **HOST, "Content-Type": "text/turtle"})
    assert response.status_code == 201 and response.headers["Location"].startswith(IRI_BASE_ORIGIN + "/store/")
