"""The claim, article and entity pages ask only for what they show: the texts and triples of their own claims,
and each claim's quote found from the claim (its own query), not every claim's read to find one."""

from __future__ import annotations

import api.page_data as page_data
from api import entity_statements, pages
from api.entity_statements import MOST_SOURCES, MOST_VALUES
from api_fixtures import *  # noqa: F401,F403
from test_pages import BROWSER

BASE = "https://sahel-kg.example.org/"
SOURCE = f"{BASE}source/us-sahel-quiet-ties"
# The quote as claim-details once asked for it, under OPTIONAL: at 1M statements the engine read every claim's
# quote to find one (about a second a claim page) and an article's page passed its time limit (503).
QUOTE = """  OPTIONAL {
    ?claim ^oa:hasBody/oa:hasTarget/oa:hasSelector ?quoteSelector, ?positionSelector .
    ?quoteSelector oa:exact ?exact .
    ?positionSelector oa:start ?start ; oa:end ?end .
  }
}
ORDER BY ?start ?claim"""


def test_a_claim_s_quote_asked_on_its_own_gives_the_rows_the_single_query_gave(app):
    text = page_data.query_text("claim-details")
    whole = text.replace("?ongoing ?interpretation", "?ongoing ?exact ?start ?end ?interpretation")
    whole = whole[:whole.rindex("}")].rstrip() + "\n" + QUOTE[:QUOTE.rindex("}")] + "}\nORDER BY ?start ?claim"
    page_data.query_text.cache_clear()
    original = page_data.query_text
    try:
        page_data.query_text = lambda name: whole if name == "claim-details" else original(name)
        with app.test_request_context("/"):
            before = page_data.rows("claim-details", source=SOURCE)
    finally:
        page_data.query_text = original
    with app.test_request_context("/"):
        after = pages._claim_details(source=SOURCE)
    assert len(before) == 32 and all("exact" in row for row in before)
    assert [{key: (term.kind, term.value) for key, term in row.items()} for row in after] == \
           [{key: (term.kind, term.value) for key, term in row.items()} for row in before]


def test_pages_read_the_texts_and_triples_of_their_own_claims_alone(client, monkeypatch):
    asked = []
    run = page_data._run
    monkeypatch.setattr(page_data, "_run", lambda name, fmt, bindings: asked.append((name, bindings)) or
                        run(name, fmt, bindings))
    for path in ("/claim/aes-members.html", "/source/us-sahel-quiet-ties.html", "/id/jnim.html"):
        asked.clear()
        assert client.get(path, headers=BROWSER).status_code == 200
        unbound = [name for name, bindings in asked if name in ("source-text", "claim-triples")
                   and not any(key in bindings for key in ("source", "claim", ("source",), ("claim",)))]
        assert unbound == [], (path, unbound)  # each read every source's text, or every claim's triples


def _cut_entity(name: str, properties: int, statements: int) -> str:
    """TriG for an entity `name` with `properties` properties cut at MOST_VALUES values and `statements` statements
    each stated in more graphs than MOST_SOURCES."""
    this, ex = f"<{BASE}id/{name}>", "http://example.org/cut/"
    values = "".join(f"{this} <{ex}p{i}> <{ex}{name}-v{i}-{j}> .\n"
                     for i in range(properties) for j in range(MOST_VALUES + 3))
    stated = "".join(f"<{ex}{name}-g{k}> {{ {this} <{ex}q{i}> <{ex}w{i}> }}\n"
                     for i in range(statements) for k in range(MOST_SOURCES + 2))
    return f"<{ex}{name}> {{\n{values}}}\n{stated}"


def test_an_entity_page_asks_for_the_rest_of_what_it_cuts_in_as_many_queries_however_much_it_cuts(
        make_app, monkeypatch):
    """The rest of each property cut at MOST_VALUES, and the graphs of each statement cut at MOST_SOURCES, are asked
    together (api.page_batches), not a query each: a page cutting 15 properties and 8 statements makes as many
    queries as one cutting 3 and 2, and shows what asking for each on its own showed."""
    app = make_app(article=False, seed=_cut_entity("few", 3, 2) + _cut_entity("many", 15, 8))
    backend, client = app.extensions["sahel-kg"], app.test_client()
    asked = []
    query = backend.query
    monkeypatch.setattr(backend, "query", lambda request, *args, **kwargs: asked.append(request.sparql) or
                        query(request, *args, **kwargs))

    def page(name: str) -> tuple[int, str]:
        asked.clear()
        response = client.get(f"/id/{name}.html", headers=BROWSER)
        assert response.status_code == 200
        return len(asked), response.get_data(as_text=True)

    (few, _), (many, batched) = page("few"), page("many")
    assert many == few
    assert batched.count(f"{MOST_VALUES} of {MOST_VALUES + 3} values listed") == 15
    assert batched.count(f"{MOST_SOURCES} of {MOST_SOURCES + 2} graphs stating it listed") == 8
    monkeypatch.setattr(entity_statements, "terms_each",  # each asked on its own, as pages did
                        lambda name, bound: [page_data.terms(name, **bindings) for bindings in bound])
    one_by_one, alone = page("many")
    assert one_by_one >= many + 15 + 8 - 2
    assert alone == batched
