"""An entity page lists at most MOST_VALUES values of a property, says how many there are and links to a query
for all of them: a resource that 300,000 statements point at (sk:mali) had a page past the time limit."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import unquote

import pytest

from api_fixtures import *  # noqa: F401,F403
from kg.paths import QUERIES_DIR

BASE = "https://sahel-kg.example.org/"
MOST_VALUES = int(re.search(r"LIMIT (\d+)", (QUERIES_DIR / "pages" / "resource-values.rq").read_text()).group(1))
EXTRA = MOST_VALUES + 10
MOST_SOURCES = int(re.search(r"LIMIT (\d+)", (QUERIES_DIR / "pages" / "statement-sources.rq").read_text()).group(1))
SEED = "<http://example.org/many> {\n" + "".join(
    f'<{BASE}id/many-{i}> <{BASE}ontology#recipient> <{BASE}id/mali> ; '
    f'<http://www.w3.org/2000/01/rdf-schema#label> "many {i}"@en .\n' for i in range(EXTRA)) + "}\n"


# One statement of the article's (claim us-intelligence-sharing states it) stated by MORE_GRAPHS graphs more
MORE_GRAPHS = MOST_SOURCES * 100  # enough that the store's own order would leave the claim out
STATED = f"<{BASE}id/us-intelligence-sharing> <{BASE}ontology#recipient> <{BASE}id/mali> ."
STATED_ON = {"/id/mali.html": "id/us-intelligence-sharing", "/id/us-intelligence-sharing.html": "id/mali"}
SOURCES_SEED = "".join(f"<http://example.org/source-{i}> {{ {STATED} }}\n" for i in range(MORE_GRAPHS))


def sections(page: str) -> dict[str, str]:
    """Each property's section of an entity page, by its heading's text (a "(of)" one lists incoming values)."""
    parts = page.split('<section class="property">')[1:]
    return {re.sub(r"<[^>]+>|\s+", " ", part.split("</h3>")[0]).strip(): part.split("</section>")[0]
            for part in parts}


@pytest.fixture(scope="module")
def pages(tmp_path_factory, article_store):  # noqa: F811
    """The article's page of sk:mali, and its page on the article with EXTRA more recipients (test clients)."""
    apps = [build_app(tmp_path_factory.mktemp("bounds") / "store", article=article_store, seed=seed)
            for seed in (None, SEED, SOURCES_SEED)]
    yield [app.test_client() for app in apps]
    for app in apps:
        app.extensions["sahel-kg"].close()


def test_a_property_with_more_values_than_the_bound_lists_the_bound_says_the_count_and_links_to_the_rest(pages):
    article, seeded, _ = pages
    before = sections(article.get("/id/mali.html").get_data(as_text=True))
    response = seeded.get("/id/mali.html")
    assert response.status_code == 200
    after = sections(response.get_data(as_text=True))
    recipients = next(key for key in after if key.startswith("recipient") and key.endswith("(of)"))
    cut = after[recipients]
    total = EXTRA + before[recipients].count('class="statement"')
    assert cut.count('class="statement"') == MOST_VALUES
    assert f"{MOST_VALUES} of {total} values listed" in cut
    listed = re.findall(r'<li class="statement">(.*?)</ul>\s*</li>', cut, re.S)
    for value in listed:  # each with its evidence: the article's claim, or the graph stating it
        assert ('class="evidence' in value) != ("http://example.org/many" in value), value
    assert any('class="evidence' in value for value in listed)  # 8 of the 68 are the article's: some are listed
    rest = unescape(unquote(re.search(r'<a href="/sparql#query=([^"]+)">all of them', cut).group(1)))
    answer = seeded.get("/sparql", query_string={"query": rest}, headers={"Accept": "text/csv"})
    assert len({line.split(",")[0] for line in answer.get_data(as_text=True).splitlines()[1:]}) == total
    # every other property, in either direction, is listed as on the article's own page
    assert {key: text for key, text in after.items() if key != recipients} == \
           {key: text for key, text in before.items() if key != recipients}


def test_a_statement_in_more_graphs_than_the_bound_lists_its_claim_first_says_the_count_and_links_to_the_rest(pages):
    """50,000 graphs stating one statement about sk:mali made its page take 8 s (and 100,000 a 503)."""
    article, _, seeded = pages
    for page, direction in (("/id/mali.html", "(of)"), ("/id/us-intelligence-sharing.html", "")):
        before = sections(article.get(page).get_data(as_text=True))
        after = sections(seeded.get(page).get_data(as_text=True))
        recipients = next(key for key in after if key.startswith("recipient") and key.endswith(direction))
        statements = after[recipients].split('<li class="statement">')[1:]
        statement = next(part for part in statements if "graphs stating it" in part)
        sources = statement.split('<ul class="sources">')[1].split("</ul>")[0]
        assert sources.count("<li>") == MOST_SOURCES
        assert sources.count('class="evidence') == 1  # the claim is among them, in whichever place the store keeps it
        assert f"{MOST_SOURCES} of {MORE_GRAPHS + 1:,} graphs stating it listed" in statement
        rest = unescape(unquote(re.search(r'<a href="/sparql#query=([^"]+)">all of them', statement).group(1)))
        answer = seeded.get("/sparql", query_string={"query": rest}, headers={"Accept": "text/csv"})
        assert len(answer.get_data(as_text=True).splitlines()[1:]) == MORE_GRAPHS + 1
        assert {key: text for key, text in after.items() if key != recipients} == \
               {key: text for key, text in before.items() if key != recipients}
        assert [part for part in statements if part != statement] == \
               [part for part in before[recipients].split('<li class="statement">')[1:] if STATED_ON[page] not in part]


def test_the_page_takes_whole_what_the_page_queries_would_not_cut():
    from api import entity_statements

    assert entity_statements.MOST_VALUES == MOST_VALUES
    assert entity_statements.MOST_SOURCES == MOST_SOURCES


def test_fragment_nodes_follow_only_links_going_out_of_the_resource():
    """Links into the resource are not read: a resource pointed at 300,000 times costs no more (5.3 s before)."""
    text = (QUERIES_DIR / "pages" / "fragment-nodes.rq").read_text(encoding="utf-8")
    patterns = re.findall(r"[{.]\s*(\?\w+)\s+\?\w+\s+(\?\w+)", text)
    assert patterns and all(obj != "?this" for _, obj in patterns)
