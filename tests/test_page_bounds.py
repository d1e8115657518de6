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
SEED = "<http://example.org/many> {\n" + "".join(
    f'<{BASE}id/many-{i}> <{BASE}ontology#recipient> <{BASE}id/mali> ; '
    f'<http://www.w3.org/2000/01/rdf-schema#label> "many {i}"@en .\n' for i in range(EXTRA)) + "}\n"


def sections(page: str) -> dict[str, str]:
    """Each property's section of an entity page, by its heading's text (a "(of)" one lists incoming values)."""
    parts = page.split('<section class="property">')[1:]
    return {re.sub(r"<[^>]+>|\s+", " ", part.split("</h3>")[0]).strip(): part.split("</section>")[0]
            for part in parts}


@pytest.fixture(scope="module")
def pages(tmp_path_factory, article_store):  # noqa: F811
    """The article's page of sk:mali, and its page on the article with EXTRA more recipients (test clients)."""
    apps = [build_app(tmp_path_factory.mktemp("bounds") / "store", article=article_store, seed=seed)
            for seed in (None, SEED)]
    yield [app.test_client() for app in apps]
    for app in apps:
        app.extensions["sahel-kg"].close()


def test_a_property_with_more_values_than_the_bound_lists_the_bound_says_the_count_and_links_to_the_rest(pages):
    article, seeded = pages
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


def test_the_page_takes_whole_the_properties_the_values_query_would_not_cut():
    from api import pages

    assert pages.MOST_VALUES == MOST_VALUES


def test_fragment_nodes_follow_only_links_going_out_of_the_resource():
    """Links into the resource are not read: a resource pointed at 300,000 times costs no more (5.3 s before)."""
    text = (QUERIES_DIR / "pages" / "fragment-nodes.rq").read_text(encoding="utf-8")
    patterns = re.findall(r"[{.]\s*(\?\w+)\s+\?\w+\s+(\?\w+)", text)
    assert patterns and all(obj != "?this" for _, obj in patterns)
