"""Control characters in literals are shown on every HTML page as pictures (NUL as U+2400): a browser drops them,
so the value shown differed from the data. The data answers (JSON, RDF) keep them exact."""

from __future__ import annotations

import json
import re

import pytest

from api_fixtures import *  # noqa: F401,F403
from api.visible_controls import shown
from kg.namespaces import PREFIXES

BROWSER = {"Accept": "text/html"}
SEED = f"""
@prefix sk: <{PREFIXES["sk"]}> . @prefix sahel: <{PREFIXES["sahel"]}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<http://example.org/control-graph> {{
  sk:ctl-group a sahel:JihadistGroup ; rdfs:label "Zzctlgroup\\u0000Nul" ; skos:altLabel "Zzalt\\u0001one" ;
    rdfs:comment "bell\\u0007 escape\\u001b delete\\u007f cr\\r tab\\there" ; sahel:operatesIn sk:mali .
  sk:c1-group a sahel:JihadistGroup ; rdfs:label "Zzcone\\u0085Nel\\u009bCsi" ;
    rdfs:comment "soft\\u00adhyphen zero\\u200bwidth rlo\\u202eolr line\\u2028sep tag\\U000e0041 ok\\u0627\\u200c\\u0628" ;
    rdfs:seeAlso <http://example.org/zero\\u200bwidth> ; sahel:operatesIn sk:mali .
}}
"""
HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # what a browser would drop or not show
# C1 controls, format characters, separators and tags: shown as nothing, or acted on, by a browser
INVISIBLE = re.compile("[\x80-\x9f\u00ad\u200b\u202e\u2028\U000e0000-\U000e007f]")
C1_SHOWN = "Zzcone\\x85Nel\\x9bCsi"


@pytest.fixture(scope="module")
def client(tmp_path_factory, article_store):
    app = build_app(tmp_path_factory.mktemp("controls") / "store", article=article_store, seed=SEED)  # noqa: F405
    settled(app)  # noqa: F405  (the search index)
    yield app.test_client()
    app.extensions["sahel-kg"].close()


def page(client, path: str) -> str:
    response = client.get(path, headers=BROWSER)
    assert response.status_code == 200 and response.mimetype == "text/html", path
    return response.get_data(as_text=True)


def test_an_entity_page_shows_each_control_character_as_its_picture(client):
    text = page(client, "/id/ctl-group.html")
    assert HIDDEN.search(text) is None
    assert "Zzctlgroup\u2400Nul" in text and "Zzalt\u2401one" in text
    assert "bell\u2407 escape\u241b delete\u2421 cr\u240d tab\there" in text
    assert "<title>Zzctlgroup\u2400Nul · sahel-kg</title>" in text


@pytest.mark.parametrize("path", ["/search?q=zzctlgroup", "/search?q=zzalt", "/id/mali.html"])
def test_search_results_and_pages_linking_to_it_show_the_pictures_too(client, path):
    text = page(client, path)
    assert HIDDEN.search(text) is None and "Zzctlgroup\u2400Nul" in text


def test_the_data_answers_keep_the_characters_exact(client):
    document = client.get("/id/ctl-group.jsonld").get_data(as_text=True)
    labels = [node["http://www.w3.org/2000/01/rdf-schema#label"] for node in json.loads(document)
              if node["@id"].endswith("/ctl-group")]
    assert labels == [[{"@value": "Zzctlgroup\x00Nul"}]]
    turtle = client.get("/id/ctl-group.ttl").get_data(as_text=True)
    assert "Zzctlgroup\\u0000Nul" in turtle or "Zzctlgroup\x00Nul" in turtle
    answer = client.get("/sparql", query_string={"query": "SELECT ?l { sk:ctl-group rdfs:label ?l }"},
                        headers={"Accept": "application/sparql-results+json"}).get_json()
    assert answer["results"]["bindings"][0]["l"]["value"] == "Zzctlgroup\x00Nul"


def test_only_text_is_changed():
    assert shown("a\x00b\tc\nd\x7f") == "a\u2400b\tc\nd\u2421"
    assert shown(None) is None and shown(3) == 3 and shown(True) is True


@pytest.mark.parametrize("path", ["/id/c1-group.html", "/search?q=zzcone", "/id/mali.html"])
def test_c1_controls_and_format_characters_show_as_escapes_as_on_a_terminal(client, path):
    """C0 controls were pictures, but C1 controls (U+0085, U+009B), the soft hyphen, zero-width and bidirectional
    formats, separators and tags reached the page as they were: shown as nothing, or reordering the text."""
    text = page(client, path)
    assert INVISIBLE.search(text) is None and C1_SHOWN in text


def test_every_invisible_character_of_a_literal_is_shown_and_a_joiner_that_joins_is_kept(client):
    text = page(client, "/id/c1-group.html")
    assert ("soft\\xadhyphen zero\\u200bwidth rlo\\u202eolr line\\u2028sep tag\\U000e0041 "
            "ok\u0627\u200c\u0628") in text
    assert f"<title>{C1_SHOWN} · sahel-kg</title>" in text
    assert 'href="http://example.org/zero%E2%80%8Bwidth"' in text  # a link leads where the IRI says


@pytest.mark.parametrize("path, said", [("/id/zz%C2%85x%E2%80%8By.html", "zz\\x85x\\u200by"),
                                        ("/reconcile/preview?id=zz%E2%80%AEx%E2%80%8By", "zz\\u202ex\\u200by")])
def test_error_pages_show_them_too(client, path, said):
    response = client.get(path, headers=BROWSER)
    text = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html", text
    assert INVISIBLE.search(text) is None and said in text


def test_only_text_is_changed_and_tab_and_line_feed_stay():
    assert shown("a\x85b\u200bc\td\ne") == "a\\x85b\\u200bc\td\ne"
