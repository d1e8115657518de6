"""Which URL a SERVICE call goes to: the cache and holds follow the URL asked (a mirror's)."""

from __future__ import annotations

import pytest

from kg.errors import ServiceBusy
from test_federation import endpoint, service_for  # noqa: F401  (fixtures)
from test_federation import article  # noqa: F401

WDQS = "http://query.wikidata.org/sparql"
ASK = "SELECT * WHERE {{ SERVICE <{}> {{ ?x ?p ?o }} }}"


def test_a_new_mirror_is_asked_not_served_the_old_mirrors_answer(article, endpoint, tmp_path):  # noqa: F811
    """The cache was keyed on the SERVICE IRI: with the mirror changed, the old one's answer came back for 300 s."""
    old, _ = endpoint("two-rows")
    new, asked = endpoint("429")
    state = tmp_path / "federation.sqlite"
    assert len(service_for(article, f"{WDQS}>{old}", state_path=state).query(ASK.format(WDQS)).rows) == 2
    with pytest.raises(ServiceBusy):
        service_for(article, f"{WDQS}>{new}", state_path=state).query(ASK.format(WDQS))
    assert len(asked) == 1


def test_a_hold_asked_by_an_old_mirror_does_not_hold_the_new_one(article, endpoint, tmp_path):  # noqa: F811
    busy, _ = endpoint("429")
    free, asked = endpoint("two-rows")
    state = tmp_path / "federation.sqlite"
    with pytest.raises(ServiceBusy):
        service_for(article, f"{WDQS}>{busy}", state_path=state).query(ASK.format(WDQS))
    assert len(service_for(article, f"{WDQS}>{free}", state_path=state).query(ASK.format(WDQS)).rows) == 2
    assert len(asked) == 1
