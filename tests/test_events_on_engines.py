"""The example queries that read conflict events (`# needs: conflict events loaded`) answer the same rows on every
engine as on the embedded store, with the fixture's events loaded beside the article: the example tests install the
article alone, where these answer nothing, and on Virtuoso `event-name-links.rq` gave 1 row of 17 (helper-202)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.events import load_events
from kg.namespaces import graph_iri
from kg.paths import QUERIES_DIR
from kg.publish import install
from kg.query import QueryService
from kg.store.oxigraph import OxigraphStore
from kg.store.remote import RemoteStore

EVENTS = Path(__file__).parent / "fixtures" / "acled-style-events-FIXTURE.csv"
NEEDING_EVENTS = sorted(path.stem for path in QUERIES_DIR.glob("*.rq")
                        if "# needs: conflict events loaded" in path.read_text(encoding="utf-8"))
LOADS = graph_iri("loads")


XSD = "http://www.w3.org/2001/XMLSchema#"
# Virtuoso's own spellings, in the README's table of engines: an xsd:nonNegativeInteger stays so typed
SPELT = {f"^^<{XSD}nonNegativeInteger>": f"^^<{XSD}integer>"}


def _text(term) -> str | None:
    if term is None:
        return None
    text = str(term)
    for theirs, ours in SPELT.items():
        text = text.replace(theirs, ours)
    return text


def answers(store) -> dict[str, list[tuple]]:
    service = QueryService(store)
    return {name: sorted(tuple(map(_text, row))
                         for row in service.query((QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")).rows)
            for name in NEEDING_EVENTS}


@pytest.fixture(scope="module")
def embedded_answers():
    with OxigraphStore() as store:
        install(store)
        load_events(store, EVENTS)
        return answers(store)


@pytest.mark.parametrize("engine", ["oxigraph_url", "virtuoso_url"])
def test_the_queries_of_events_answer_the_same_on_every_engine(engine, embedded_answers, request):
    url = request.getfixturevalue(engine)
    update_url = url.rsplit("/", 1)[0] + "/update" if url.endswith("/query") else url
    with RemoteStore(url, update_url=update_url) as store:
        install(store)
        loads = list(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{LOADS}> {{ ?s ?p ?o }} }}"))
        loaded = load_events(store, EVENTS)
        try:
            found = answers(store)
        finally:  # the session's engine serves other tests, which know nothing of these events
            store.replace_graphs({LOADS: loads}, dropped=(loaded.graph, f"{loaded.graph}/links", LOADS))
    assert all(embedded_answers.values()), embedded_answers  # each query finds events to answer with
    assert found == embedded_answers
