"""IRIs that resolve (303 to HTML or RDF), the entity, claim, article, graph and home pages, 404 pages."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote

import pyoxigraph as ox
import pytest
import rdflib

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import problem
from kg.namespaces import PREFIXES
from kg.paths import QUERIES_DIR

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SK = PREFIXES["sk"]
SAHEL = PREFIXES["sahel"]


def page(client, path: str) -> str:
    response = client.get(path, headers=BROWSER)
    assert response.status_code == 200 and response.mimetype == "text/html", (path, response.status_code)
    return response.get_data(as_text=True)


def plain(html: str) -> str:
    """A page without the <bdi> that isolates each text from the data (test_page_bidi.py checks those)."""
    return re.sub(r"</?bdi\b[^>]*>", "", html)


class Ids(HTMLParser):
    """The ids, the hrefs and the script elements of an HTML page."""

    def __init__(self, text: str):
        super().__init__()
        self.ids, self.hrefs, self.scripts = set(), [], 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if "href" in attrs:
            self.hrefs.append(attrs["href"])
        self.scripts += tag == "script"


@pytest.mark.parametrize("accept, document, media", [
    (BROWSER["Accept"], "/id/jnim.html", "text/html"),
    ("text/turtle", "/id/jnim.ttl", "text/turtle"),
    ("application/ld+json", "/id/jnim.jsonld", "application/ld+json"),
    ("application/n-triples", "/id/jnim.nt", "application/n-triples"),
    ("application/rdf+xml", "/id/jnim.rdf", "application/rdf+xml"),
    ("*/*", "/id/jnim.ttl", "text/turtle"),
    # the other names /sparql takes for these formats (helper-83: 406 here)
    ("application/xml", "/id/jnim.rdf", "application/rdf+xml"),
    ("application/json", "/id/jnim.jsonld", "application/ld+json"),
    ("text/plain", "/id/jnim.nt", "application/n-triples"),
    ("text/n3", "/id/jnim.ttl", "text/turtle"),
    ("text/turtle;q=0, */*", "/id/jnim.jsonld", "application/ld+json"),  # a wildcard picks no alias of Turtle
])
def test_an_entity_iri_answers_303_to_the_document_accept_asks_for(shared, accept, document, media):
    response = shared.get("/id/jnim", headers={"Accept": accept})
    assert response.status_code == 303 and response.headers["Location"] == document
    assert "Accept" in response.headers["Vary"]
    followed = shared.get(document, headers={"Accept": accept})
    assert followed.status_code == 200 and followed.mimetype == media


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("accept, document", [
    ("text/turtle; charset=utf-8", "/id/jnim.ttl"),  # the very type the Turtle document is labelled with
    ('application/n-triples; charset="UTF-8"', "/id/jnim.nt"),
    ("text/html;q=0.5, application/ld+json; profile=\"http://www.w3.org/ns/json-ld#compacted\"", "/id/jnim.jsonld"),
    ("text/*;q=0.2, text/turtle;q=0, text/plain;q=0", "/id/jnim.html"),  # refused by name, weighed by range
])
def test_media_ranges_with_parameters_match_on_the_type_here_too(shared, method, accept, document):
    response = shared.open("/id/jnim", method=method, headers={"Accept": accept})
    assert response.status_code == 303 and response.headers["Location"] == document


@pytest.mark.parametrize("ext, rdf_format", [("ttl", ox.RdfFormat.TURTLE), ("jsonld", ox.RdfFormat.JSON_LD),
                                             ("nt", ox.RdfFormat.N_TRIPLES), ("rdf", ox.RdfFormat.RDF_XML)])
def test_the_rdf_documents_hold_the_entitys_triples(shared, ext, rdf_format):
    body = shared.get(f"/id/jnim.{ext}").data
    triples = {(t.subject, t.predicate, t.object) for t in ox.parse(body, format=rdf_format)}
    jnim = ox.NamedNode(SK + "jnim")
    assert (jnim, ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(SAHEL + "JihadistGroup")) in triples
    assert (jnim, ox.NamedNode(PREFIXES["rdfs"] + "label"), ox.Literal("JNIM", language="en")) in triples
    assert any(o == jnim for _, _, o in triples)  # what points at it (the intelligence sharing that targets it)


def test_a_claims_document_carries_its_quote_selectors(shared):
    graph = rdflib.Graph().parse(data=shared.get("/claim/aes-members.ttl").data, format="turtle")
    exact = list(graph.objects(None, rdflib.URIRef(PREFIXES["oa"] + "exact")))
    assert [str(value) for value in exact] == ["the Alliance of Sahel States (AES) composed of Mali, Niger, and Burkina Faso"]


def test_the_ontology_resolves_and_its_terms_have_their_place_on_its_page(shared):
    assert shared.get("/ontology", headers=BROWSER).headers["Location"] == "/ontology.html"
    ids = Ids(page(shared, "/ontology.html")).ids
    ontology = rdflib.Graph().parse(str(QUERIES_DIR.parent / "sahel.ttl"))
    terms = {str(s)[len(SAHEL):] for s in ontology.subjects() if str(s).startswith(SAHEL) and str(s) != SAHEL}
    assert terms and terms <= ids
    turtle = rdflib.Graph().parse(data=shared.get("/ontology.ttl").data, format="turtle")
    assert len(turtle) >= len(ontology) * 0.9  # the whole ontology graph, not only the ontology node


@pytest.mark.parametrize("path", ["/id/no-such-thing", "/claim/no-such-claim", "/nowhere/at/all", "/id/no-such-thing.ttl"])
def test_unknown_iris_are_a_404_page_for_browsers_and_a_problem_otherwise(shared, path):
    response = shared.get(path, headers=BROWSER)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Not found" in response.get_data(as_text=True)
    problem(shared.get(path, headers={"Accept": "application/json"}), 404)
    problem(shared.get(path), 404)


def test_the_entity_page_shows_statements_with_their_evidence(shared):
    text = plain(page(shared, "/id/jnim.html"))
    assert "<h1>JNIM</h1>" in text and 'href="/ontology#JihadistGroup"' in text
    # The statement that the US intelligence sharing targets JNIM rests on this sentence, quote marked.
    assert "Washington continues to share targeted intelligence to confront specific threats from " in text
    assert re.search(r"<mark>[^<]*JNIM and ISGS[^<]*</mark>", text)
    assert "the article&#39;s own voice" in text and "asserted" in text
    assert "precision: relative to the source" in text
    assert 'href="/claim/us-intelligence-sharing"' in text
    assert "wd:Q28877411" in text and "skos:closeMatch" in text
    assert "Also called:" in text and "Jama" in text  # its sourced SKOS-XL names
    assert "/sparql#query=DESCRIBE%20%3Chttps%3A%2F%2Fsahel-kg.example.org%2Fid%2Fjnim%3E" in text


def test_a_status_phase_is_named_by_its_owner_and_status(shared):
    """A phase has no name of its own, and the inauguration's page showed sk:traditional-partnerships-disrupted
    (helper-204)."""
    text = plain(page(shared, "/id/aes-joint-force-inauguration.html"))
    assert "traditional regional and international partnerships: disrupted" in text
    assert ">sk:traditional-partnerships-disrupted<" not in text


def test_claims_of_each_modality_look_and_read_apart(shared):
    text = page(shared, "/id/sahel-vulnerability.html")
    assert 'class="evidence modality-warned"' in text and ">warned<" in text and ">experts<" in text
    forecast = page(shared, "/id/us-sahel-approach.html")
    assert "modality-forecast" in forecast and ">forecast<" in forecast and ">likely<" in forecast


def test_statements_not_from_a_claim_name_their_graph(shared):
    text = plain(page(shared, "/id/mali.html"))
    assert "from <a href=\"/graph/background\">Background facts from Wikidata</a>" in text
    assert "from <a href=\"/graph/background-un-sahel\">Background facts from the UN integrated strategy" in text
    assert "https://sws.geonames.org/2453866/" in text


def test_links_show_the_status_source_and_date_their_records_give(shared):
    text = plain(page(shared, "/id/mali.html"))
    assert re.search(r'wd:Q912</a> — <span class="relation">skos:exactMatch</span>\s*<span class="link-status">'
                     r'\(status: <strong>verified</strong>; source: ', text)
    jnim = plain(page(shared, "/id/jnim.html"))
    assert re.search(r"wd:Q28877411</a> — <span class=\"relation\">skos:closeMatch</span>\s*<span class=\"link-status\">"
                     r"\(status: <strong>one source</strong>", jnim)


def test_a_stated_link_without_a_record_says_so(make_app):
    seed = f"<{SK}jnim> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <http://example.org/elsewhere> ."
    text = plain(page(make_app(seed=seed).test_client(), "/id/jnim.html"))
    assert "http://example.org/elsewhere</a> — <span class=\"relation\">rdfs:seeAlso</span>" in text
    assert "the graph records no status for this link" in text



def test_an_identity_link_without_a_record_is_listed_with_the_links(make_app):
    """A loaded `sk:mali owl:sameAs wd:Q1` was left out of "In other datasets" (only the statements showed it),
    though the strongest link; it is listed, saying that no status is recorded. The verified ones the same-as
    graph repeats are listed once, as their skos:exactMatch."""
    seed = f"<{SK}mali> <http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q1> ."
    text = plain(page(make_app(seed=seed).test_client(), "/id/mali.html"))
    links = text[text.index('id="links-heading"'):text.index('id="statements-heading"')]
    assert re.search(r'wd:Q1</a> — <span class="relation">owl:sameAs</span>\s*<span class="link-status">'
                     r'\(the graph records no status for this link\)', links)
    assert links.count("wd:Q912</a>") == 1 and "sws.geonames.org/2453866/</a> — <span class=\"relation\">owl" not in links

def test_the_claim_page_has_its_quote_claimer_modality_time_and_triples(shared):
    text = plain(page(shared, "/claim/aes-members.html"))
    assert "<mark>the Alliance of Sahel States (AES) composed of Mali, Niger, and Burkina Faso</mark>" in text
    assert "from 2023, still holding as of the article" in text and "precision: year" in text
    assert "characters 252–328" in text
    assert text.count("<tr>") >= 12  # a header row and the claim's triples


def test_a_claim_pages_describe_gives_its_quote_and_reading(shared):
    # DESCRIBE follows a resource's own statements: the claim's alone would miss its annotation, target and
    # selectors, which its page shows (helper-103).
    text = page(shared, "/claim/aes-members.html")
    link = re.search(r'href="/sparql#query=([^"]+)"', text).group(1)
    query = unquote(link)
    claim = "https://sahel-kg.example.org/claim/aes-members"
    for node in (claim, f"{claim}#annotation", f"{claim}#target", f"{claim}#quote", f"{claim}#position"):
        assert f"<{node}>" in query
    described = shared.get("/sparql", query_string={"query": query}, headers={"Accept": "application/n-triples"})
    assert described.status_code == 200
    body = described.get_data(as_text=True)
    assert "Alliance of Sahel States (AES) composed of Mali, Niger, and Burkina Faso" in body
    assert f"<{claim}#annotation> <http://purl.org/dc/terms/creator> " in body
    assert f"<{claim}> <http://purl.org/dc/terms/isReferencedBy> <{claim}#annotation> ." in body


def test_a_claims_own_describe_links_to_its_reading(shared):
    claim = "https://sahel-kg.example.org/claim/aes-members"
    described = shared.get("/sparql", query_string={"query": f"DESCRIBE <{claim}>"},
                           headers={"Accept": "application/n-triples"}).get_data(as_text=True)
    assert f"<{claim}> <http://purl.org/dc/terms/isReferencedBy> <{claim}#annotation> ." in described


@pytest.mark.parametrize("path", ["/claim/us-intelligence-sharing.html", "/source/us-sahel-quiet-ties.html",
                                  "/id/us-intelligence-sharing.html"])
def test_a_reading_says_whose_it_is(shared, path):
    # The reading of a quote as a claim is the curator's (its annotation's dct:creator), shown beside the claimer:
    # without a name it read as the claimer's own.
    text = plain(page(shared, path))
    curator = '<a href="/build/input/claims/us-sahel-quiet-ties.yaml%23curator">sahel-kg maintainers</a>'
    assert f'<p class="interpretation">Reading by {curator}: The article names no recipient' in text


@pytest.mark.parametrize("page_path, link, named", [
    ("/claim/us-intelligence-sharing.html", "/build/input/claims/us-sahel-quiet-ties.yaml%23curator",
     "sahel-kg maintainers"),
    ("/id/since-2023.html", "/id/since-2023%23beginning", "2023"),
])
def test_a_link_to_a_hash_iri_leads_to_its_own_page(shared, page_path, link, named):
    """`…yaml#curator` and `…/since-2023#beginning` were linked with their fragment, to the page of the IRI before
    it, which has no section for them and never names them (helper-210); an ontology term keeps its section."""
    assert f'href="{link}"' in page(shared, page_path)
    landed = shared.get(link, headers=BROWSER, follow_redirects=True)
    assert landed.status_code == 200 and named in plain(landed.get_data(as_text=True))
    assert 'href="/ontology#Claim"' in page(shared, "/claim/us-intelligence-sharing.html")


def test_the_article_page_gives_both_bounds_of_an_unknown_publication_date(shared):
    """The page said "unknown (not before 2025-09-01)", leaving out the upper bound the data holds."""
    text = plain(page(shared, "/source/us-sahel-quiet-ties.html"))
    assert "Publication date: unknown (not before 2025-09-01, not after 2026-11-27)." in text


def test_the_article_marks_every_claim_and_keeps_overlaps_readable(shared):
    text = page(shared, "/source/us-sahel-quiet-ties.html")
    parsed = Ids(text)
    claims = {anchor for anchor in parsed.ids if anchor.startswith("claim-")}
    assert len(claims) == 32
    linked = {href[1:] for href in parsed.hrefs if href.startswith("#claim-")}
    covered = set(re.findall(r'data-claims="([^"]+)"', text))
    assert {claim for group in covered for claim in group.split()} == claims  # every claim has a marked span
    assert linked <= claims
    # aes-members lies inside us-limited-communication: the shared stretch names both, innermost first.
    assert any(group.split()[:2] == ["claim-aes-members", "claim-us-limited-communication"] for group in covered)


def count(client, sparql: str) -> int:
    answer = client.post("/sparql", data={"query": sparql}, headers={"Accept": "application/sparql-results+json"})
    return int(answer.get_json()["results"]["bindings"][0]["n"]["value"])


def test_the_home_page_has_counts_from_the_service_description(shared):
    from rdflib.namespace import VOID
    description = rdflib.Graph().parse(data=shared.get("/sparql", headers={"Accept": "text/turtle"}).data,
                                       format="turtle")
    default = next(description.objects(None, rdflib.URIRef(PREFIXES["sd"] + "defaultGraph")))
    triples = int(description.value(default, VOID.triples))
    text = page(shared, "/")
    assert f"<strong>{triples}</strong> distinct triples in the default graph" in text
    assert triples == count(shared, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }")
    quads = count(shared, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert quads > triples and f"<strong>{quads}</strong> quads" in text  # what each number counts is said
    assert text.count("/sparql#query=") == len(list(QUERIES_DIR.glob("*.rq")))
    assert 'href="/source/us-sahel-quiet-ties"' in text and 'href="/ontology"' in text
    assert "http://localhost/sparql" in text and "http://localhost/store?graph=IRI" in text


def test_the_home_page_asks_the_store_once_per_version_and_follows_every_write(writable_app):
    from api_fixtures import AUTH, settled
    client, asked = writable_app.test_client(), []
    backend = writable_app.extensions["sahel-kg"]
    query = backend.query
    backend.query = lambda request, *args, **named: asked.append(request.sparql) or query(request, *args, **named)
    page(client, "/")
    settled(writable_app)  # its counts are made in the background
    first = len(asked)
    page(client, "/")
    assert first > 0 and len(asked) == first  # nothing changed: no page query runs again (GET / cost seconds at 1M)
    update = "INSERT DATA { GRAPH <https://example.org/graph/new> { <https://example.org/a> a <https://example.org/B> } }"
    assert client.post("/sparql", data={"update": update}, headers=AUTH).status_code in (200, 204)
    assert "https://example.org/graph/new" in page(client, "/")  # a write is seen at once


def test_the_example_files_are_read_once_per_process_not_per_page(shared, monkeypatch):
    """GET / read the 50 example files and quoted each text at every request (two thirds of its CPU)."""
    import pathlib

    page(shared, "/")
    read = []
    original = pathlib.Path.read_text
    monkeypatch.setattr(pathlib.Path, "read_text", lambda self, *a, **k: read.append(self) or original(self, *a, **k))
    home, editor = page(shared, "/"), page(shared, "/sparql")
    assert not [path for path in read if path.suffix == ".rq" and path.parent == QUERIES_DIR]
    texts = [path.read_text(encoding="utf-8") for path in sorted(QUERIES_DIR.glob("*.rq"))]
    assert home.count('<a href="/sparql#query=') >= len(texts) > 40  # every example, as before
    assert all(path.stem in editor for path in QUERIES_DIR.glob("*.rq"))


def test_counts_past_their_time_limit_are_not_made_again_on_every_request(writable_app):
    """At 1M triples the home page's counts ran to the time limit on every GET / (503): any visitor could make the
    server do that work again and again. Made in the background now, counts stopped at their limit are kept as
    such for the version: the page says so (200), the descriptions come without them, and only a write makes
    them again."""
    from api.background_counts import MOST_COUNT_ROWS
    from api_fixtures import AUTH, settled
    from kg.errors import QueryTimeout

    client, asked = writable_app.test_client(), []
    backend = writable_app.extensions["sahel-kg"]
    query = backend.query

    def counts_out_of_time(request, *args, **named):  # what the runner raises for a count past its limit
        if request.row_limit != MOST_COUNT_ROWS:
            return query(request, *args, **named)
        asked.append(request.sparql)
        raise QueryTimeout("query stopped after its time limit of 60s")

    backend.query = counts_out_of_time
    for path in ("/sparql", "/.well-known/void"):
        answer = client.get(path, headers={"Accept": "application/n-triples"})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert "did not finish within their time limit of 60s (COUNT_TIMEOUT)" in answer.get_data(as_text=True)
    assert "The counts were not finished: they did not finish within" in page(client, "/")
    settled(writable_app)
    first = len(asked)
    for _ in range(2):
        assert "The counts were not finished" in page(client, "/")
        assert client.get("/.well-known/void").status_code == 200 and client.get("/sparql").status_code == 200
    settled(writable_app)
    assert first > 0 and len(asked) == first  # nothing ran again
    update = "INSERT DATA { GRAPH <https://example.org/graph/new> { <https://example.org/a> a <https://example.org/B> } }"
    assert client.post("/sparql", data={"update": update}, headers=AUTH).status_code in (200, 204)
    page(client, "/")
    settled(writable_app)
    assert len(asked) > first  # a new version: tried again


def test_a_graph_resolves_to_its_page(shared):
    text = page(shared, "/graph/links.html")
    assert "Links to other datasets" in text and "/store?graph=https" in text


@pytest.mark.parametrize("path", ["/", "/id/jnim.html", "/claim/aes-members.html", "/source/us-sahel-quiet-ties.html",
                                  "/ontology.html", "/graph/links.html", "/id/no-such-thing"])
def test_pages_need_no_javascript_and_have_their_landmarks(shared, path):
    response = shared.get(path, headers=BROWSER)
    parsed = Ids(response.get_data(as_text=True))
    assert parsed.scripts == 0
    assert {"main"} <= parsed.ids
    assert '<html lang="en">' in response.get_data(as_text=True)


def test_the_iri_base_setting_maps_this_server_to_another_base(make_app):
    seed = '<http://data.example/id/thing> <http://www.w3.org/2000/01/rdf-schema#label> "A thing" .'
    client = make_app({"IRI_BASE": "http://data.example/"}, article=False, seed=seed).test_client()
    assert client.get("/id/thing", headers=BROWSER).headers["Location"] == "/id/thing.html"
    assert "<h1>A thing</h1>" in plain(page(client, "/id/thing.html"))
    assert client.get("/id/jnim", headers=BROWSER).status_code == 404


def test_the_article_link_leads_to_the_article(shared):
    assert shared.get("/article", headers=BROWSER).headers["Location"] == "/source/us-sahel-quiet-ties"


def test_a_span_known_only_to_end_says_which_bound_it_gives(shared):
    """"not after" with no earlier "starts not before" would read as the end; it says "starts not after"."""
    text = page(shared, "/source/us-sahel-quiet-ties.html")
    assert "; starts not after " in text
    assert not re.search(r"\(precision: [^;()]*, not after", text)


def test_a_label_in_another_script_is_isolated_for_its_direction(shared):
    text = page(shared, "/id/jnim.html")
    assert re.search(r'<bdi lang="ar" dir="auto">', text)


def test_an_example_that_shows_nothing_here_says_what_it_needs(shared):
    """Run every example on the article alone: one with no rows (or refused) names what it needs, on the
    home page too, unless its description says an empty answer is the good one."""
    import html
    home = html.unescape(page(shared, "/"))
    for path in sorted(QUERIES_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        answer = shared.post("/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"})
        body = answer.get_json() if answer.status_code == 200 else {}
        if answer.status_code == 200 and ("boolean" in body or body["results"]["bindings"]):
            continue
        if "should be empty" in text:
            continue
        needs = re.search(r"^# (?:needs|service): (.+)$", text, re.MULTILINE)
        assert needs, f"{path.name} shows nothing here and does not say what it needs"
        if answer.status_code == 200:
            assert f"Shows nothing until there is {needs.group(1)}"[:60] in home, path.name
        else:  # refused (a SERVICE off the allow-list), which "shows nothing" misread as an empty answer
            refused = f"Refused until SERVICE to {needs.group(1)} is allowed"
            assert answer.status_code == 400 and refused in home, path.name


def test_visitors_arriving_together_share_one_computation_of_a_page_query(writable_app):
    """At 1M triples wrk's 8 clients asking for / at once each started the page's queries (6 s alone), so
    they all ran past the time limit and / answered 503 for a minute. Now one computes, the others wait."""
    import threading

    from api.version_cache import once_per_version

    started, release, second_computed, calls = threading.Event(), threading.Event(), threading.Event(), []

    def compute():
        calls.append(1)
        if len(calls) > 1:
            second_computed.set()
        started.set()
        release.wait(60)
        return len(calls)

    answers = []

    def visit():
        with writable_app.app_context():
            answers.append(once_per_version("a page's counts", compute))

    first = threading.Thread(target=visit)
    first.start()
    assert started.wait(60)
    second = threading.Thread(target=visit)
    second.start()
    computed_twice = second_computed.wait(2)  # the old code computes again at once; the new one waits
    release.set()
    first.join(60)
    second.join(60)
    assert not computed_twice and len(calls) == 1 and answers == [1, 1]


def test_an_iri_of_no_web_scheme_is_shown_never_linked(make_app):
    """skos:exactMatch <javascript:alert('x6')> became <a href="javascript:…">: only the page's policy kept it from
    running (helper-88). A data: or javascript: IRI is text; a web address stays a link."""
    seed = ("<https://sahel-kg.example.org/id/mali> <http://www.w3.org/2004/02/skos/core#exactMatch> "
            "<javascript:alert('x6')> , <data:text/html,hi> , <https://example.org/fine> .")
    page = make_app(seed=seed).test_client().get("/id/mali.html", headers=BROWSER).get_data(as_text=True)
    hrefs = re.findall(r'<a [^>]*href="([^"]*)"', page)  # links (the page's own icon is data:,)
    assert not [href for href in hrefs if href.lower().startswith(("javascript:", "data:"))]
    assert "https://example.org/fine" in hrefs and "alert(&#39;x6&#39;)" in page


def test_a_page_a_document_or_a_view_the_row_cap_cut_says_so():
    """An entity of 12,001 statements showed 9,918 and its .ttl 10,000 triples, without a word (helper-88)."""
    from api import create_app

    client = create_app({"STORE": "memory:", "ROW_LIMIT": 5}).test_client()
    page = client.get("/id/mali.html", headers=BROWSER)
    assert page.headers["X-Result-Truncated"] == "true" and page.headers["X-Result-Limit"] == "5"
    assert "reached the row cap of 5" in page.get_data(as_text=True)
    document = client.get("/id/mali.ttl")
    assert document.status_code == 200 and document.headers["X-Result-Truncated"] == "true"
    for view in ("/views/network.json", "/views/timeline.json"):
        answer = client.get(view)
        assert answer.get_json()["truncated"] is True and answer.headers["X-Result-Truncated"] == "true"
    whole = create_app({"STORE": "memory:"}).test_client()
    assert "X-Result-Truncated" not in whole.get("/id/mali.html", headers=BROWSER).headers
    assert whole.get("/views/network.json").get_json()["truncated"] is False
    assert "row cap" not in whole.get("/", headers=BROWSER).get_data(as_text=True)
