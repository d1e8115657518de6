"""What the server tells browsers: a Content-Security-Policy, no sniffing and no framing on every answer
(pages, data, JSONP, errors), and absolute URLs that never copy an unchecked Host header."""

from __future__ import annotations

import pytest
import rdflib

from api_fixtures import *  # noqa: F401,F403
from kg.errors import ConfigError

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
EVIL = {"Host": "evil.example.com"}


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip()[len(part.split()[0]):].strip() for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path, accept", [
    ("/", BROWSER), ("/id/jnim.html", BROWSER), ("/sparql", BROWSER), ("/network", BROWSER), ("/id/nothing", BROWSER),
    ("/views/network.json", None), ("/id/jnim.ttl", None), ("/reconcile", None), ("/reconcile?callback=cb", None),
    ("/sparql?query=ASK%7B%7D", None), ("/sparql?query=nonsense", None), ("/static/site.css", None),
    ("/.well-known/void", BROWSER), ("/id/jnim.rdf", None), ("/sparql?query=ASK%7B%7D&format=xml", None),
])
def test_every_answer_says_what_a_browser_may_do_with_it(shared, path, accept):
    response = shared.get(path, headers=accept or {})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    policy = directives(response)
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'"
    if response.mimetype == "text/html":
        assert policy["script-src"] == "'self'" and policy["connect-src"] == "'self'"
        assert policy["default-src"] == "'none'" and "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    else:
        assert policy["default-src"] == "'none'" and "script-src" not in policy
        # XML may be styled inline, as a browser's own viewer of it does (helper-210); other data not at all
        xml = response.mimetype.endswith(("/xml", "+xml"))
        assert (policy.get("style-src"), policy.get("img-src")) == (("'unsafe-inline'", "data:") if xml else (None, None))


def test_jsonp_is_labelled_as_a_script_that_may_not_be_sniffed_as_anything_else(shared):
    response = shared.get("/reconcile?callback=cb")
    assert response.mimetype == "application/javascript"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_reconciliation_preview_may_be_framed_by_openrefine(shared):
    response = shared.get("/reconcile/preview?id=jnim")
    assert response.status_code == 200 and "X-Frame-Options" not in response.headers
    assert directives(response)["frame-ancestors"] == "*"


def test_a_foreign_host_header_is_never_copied_into_urls_the_server_hands_out(shared):
    manifest = shared.get("/reconcile", headers=EVIL).get_json()
    assert manifest["documentation"] == "https://sahel-kg.example.org/"
    assert manifest["view"]["url"].startswith("https://sahel-kg.example.org/id/")
    void = shared.get("/.well-known/void", headers=EVIL).get_data(as_text=True)
    description = shared.get("/sparql", headers={**EVIL, "Accept": "text/turtle"}).get_data(as_text=True)
    home = shared.get("/", headers={**EVIL, **BROWSER}).get_data(as_text=True)
    preview = shared.get("/reconcile/preview?id=jnim", headers=EVIL).get_data(as_text=True)
    for text in (void, description, home, preview):
        assert "evil.example.com" not in text
    assert "https://sahel-kg.example.org/sparql" in home and "https://sahel-kg.example.org/sparql" in void


def test_a_foreign_host_header_is_in_no_link_redirect_or_api_description(shared):
    """Links the server gives in headers and in its OpenAPI description are paths or the dataset's own IRIs."""
    redirect = shared.get("/id/jnim", headers={**EVIL, "Accept": "text/turtle"})
    assert redirect.status_code == 303 and redirect.headers["Location"] == "/id/jnim.ttl"
    document = shared.get("/id/jnim.ttl", headers=EVIL)
    assert document.headers["Link"].startswith("<https://sahel-kg.example.org/id/jnim>")
    assert "evil" not in document.headers["Link"] and "evil" not in document.get_data(as_text=True)
    description = shared.get("/openapi.json", headers=EVIL)
    assert description.get_json()["servers"] == [{"url": "/"}] and "evil" not in description.get_data(as_text=True)
    page = shared.get("/id/jnim", headers={**EVIL, **BROWSER}, follow_redirects=True).get_data(as_text=True)
    assert "evil" not in page


@pytest.mark.parametrize("path, target", [("/problems", "/problems/"), ("/problems?x=1", "/problems/?x=1")])
def test_the_routers_trailing_slash_redirect_names_the_public_origin(shared, make_app, path, target):
    """Werkzeug's redirect to a route's trailing slash was built from the Host header (a Location to anywhere)."""
    for host in ("evil.example.com", "127.0.0.1.evil.example.com"):
        response = shared.get(path, headers={"Host": host})
        assert response.status_code == 308 and response.headers["Location"] == "https://sahel-kg.example.org" + target
    assert shared.get(path, headers={"Host": "127.0.0.1:8000"}).headers["Location"] == "http://127.0.0.1:8000" + target
    configured = make_app({"PUBLIC_ORIGIN": "https://kg.example.net"}, article=False).test_client()
    assert configured.get(path, headers=EVIL).headers["Location"] == "https://kg.example.net" + target


def test_a_loopback_host_is_shown_as_it_was_reached(shared):
    manifest = shared.get("/reconcile", headers={"Host": "127.0.0.1:8000"}).get_json()
    assert manifest["documentation"] == "http://127.0.0.1:8000/"
    graph = rdflib.Graph().parse(data=shared.get("/sparql", headers={"Host": "[::1]:8000", "Accept": "text/turtle"})
                                 .get_data(as_text=True), format="turtle")
    endpoints = {str(o) for o in graph.objects(None, rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#endpoint"))}
    assert endpoints == {"http://[::1]:8000/sparql"}


@pytest.mark.parametrize("host", ["127.0.0.1.evil.example.com", "127.evil.example.com:8000", "localhost.evil.example.com"])
def test_a_name_that_starts_like_a_loopback_address_is_a_foreign_host(shared, host):
    manifest = shared.get("/reconcile", headers={"Host": host}).get_json()
    assert manifest["documentation"] == "https://sahel-kg.example.org/"
    description = shared.get("/sparql", headers={"Host": host, "Accept": "text/turtle"}).get_data(as_text=True)
    assert "evil" not in description


def test_the_public_origin_setting_names_the_server(make_app):
    client = make_app({"PUBLIC_ORIGIN": "https://kg.example.net"}).test_client()
    for host in ("evil.example.com", "127.0.0.1"):
        manifest = client.get("/reconcile", headers={"Host": host}).get_json()
        assert manifest["documentation"] == "https://kg.example.net/"
    assert "https://kg.example.net/.well-known/void" in client.get("/", headers=BROWSER).get_data(as_text=True)


@pytest.mark.parametrize("origin", ["kg.example.net", "https://kg.example.net/", "https://kg.example.net/path",
                                    "ftp://kg.example.net"])
def test_a_public_origin_that_is_not_an_origin_is_refused(make_app, origin):
    with pytest.raises(ConfigError, match="PUBLIC_ORIGIN"):
        make_app({"PUBLIC_ORIGIN": origin}, article=False)
