"""Every text from the data on the HTML pages is isolated for its direction (<bdi>, or an element with dir), tagged
with a language or not: right-to-left words among left-to-right ones cannot reorder their neighbours."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from api_fixtures import *  # noqa: F401,F403
from kg.namespaces import PREFIXES

BROWSER = {"Accept": "text/html"}
JNIM_AR = "جماعة نصرة الإسلام والمسلمين"  # JNIM's Arabic name
RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
SEED = f"""
@prefix sk: <{PREFIXES["sk"]}> . @prefix sahel: <{PREFIXES["sahel"]}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<http://example.org/rtl-graph> {{
  sk:rtl-group a sahel:JihadistGroup ; rdfs:label "{JNIM_AR}" ; skos:altLabel "نصرة" , "نصرة الإسلام"@ar--rtl ;
    rdfs:comment "جماعة مسلحة (2017)" ; sahel:operatesIn sk:mali ; rdfs:seeAlso "ملاحظة 1" .
  sk:jnim sahel:allyOf sk:rtl-group .
}}
<http://example.org/rtl-graph> rdfs:label "رسم بياني" .
"""
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Unisolated(HTMLParser):
    """Right-to-left text in the body whose element is neither a <bdi> nor has a dir attribute (a <mark> is
    part of the text it marks: its parent is the one to isolate)."""

    def __init__(self, html: str):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.found: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, tag == "bdi" or any(name == "dir" for name, _ in attrs)))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        tags = [tag for tag, _ in self.stack]
        holder = next((isolated for tag, isolated in reversed(self.stack) if tag != "mark"), False)
        if RTL.search(data) and "title" not in tags and "script" not in tags and not holder:
            self.found.append(f"{'>'.join(tags[-3:])}: {data.strip()}")


@pytest.fixture(scope="module")
def client(tmp_path_factory, article_store):
    app = build_app(tmp_path_factory.mktemp("bidi") / "store", article=article_store, seed=SEED)  # noqa: F405
    yield app.test_client()
    app.extensions["sahel-kg"].close()


@pytest.mark.parametrize("path", ["/id/rtl-group.html", "/id/jnim.html", "/id/mali.html", "/",
                                  "/search?q=%D9%86%D8%B5%D8%B1%D8%A9"])
def test_right_to_left_text_from_the_data_is_isolated(client, path):
    response = client.get(path, headers=BROWSER)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and RTL.search(text), path
    assert Unisolated(text).found == []


def test_a_directional_string_keeps_its_direction_and_an_untagged_label_finds_its_own(client):
    text = client.get("/id/rtl-group.html", headers=BROWSER).get_data(as_text=True)
    assert f'<h1><bdi dir="auto">{JNIM_AR}</bdi></h1>' in text
    assert '<bdi lang="ar" dir="rtl">نصرة الإسلام</bdi>' in text
