"""The claim, article and entity pages ask only for what they show: the texts and triples of their own claims,
and each claim's quote found from the claim (its own query), not every claim's read to find one."""

from __future__ import annotations

import api.page_data as page_data
from api import pages
from api_fixtures import *  # noqa: F401,F403
from test_pages import BROWSER

SOURCE = "https://sahel-kg.example.org/source/us-sahel-quiet-ties"
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
