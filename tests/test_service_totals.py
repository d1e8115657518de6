"""One SERVICE answer of as many rows as the cap allows, repeated in a query clause after clause, was called once
(the rest came from the cache) and inlined each time: a 2.5 kB query of 40 clauses made 400,000 rows of VALUES and
320 MB (helper-181). The row cap now holds for the query's SERVICE clauses all told, SILENT ones too."""

from __future__ import annotations

import pytest

from kg.errors import PolicyError
from test_federation import article, endpoint, service_for, values  # noqa: F401  (fixtures)


def _clauses(url: str, count: int, silent: str = "") -> str:
    union = " UNION ".join(f"{{ SERVICE {silent} <{url}> {{ ?x ?p ?o }} }}" for _ in range(count))
    return f"SELECT (COUNT(*) AS ?n) {{ {union} }}"


@pytest.mark.parametrize("silent", ["", "SILENT"])
def test_the_row_cap_holds_for_all_the_clauses_of_a_query(article, endpoint, silent):  # noqa: F811
    url, requests = endpoint("two-rows")
    service = service_for(article, url, row_limit=5)
    with pytest.raises(PolicyError, match="bring more than 5 solutions in all"):
        service.query(_clauses(url, 3, silent))
    assert len(requests) == 1  # the others were the cache's: cheap to ask, not to inline


def test_clauses_within_the_cap_are_answered(article, endpoint):  # noqa: F811
    url, _ = endpoint("two-rows")
    assert values(service_for(article, url, row_limit=4).query(_clauses(url, 2))) == [("4",)]


def test_a_silent_clause_that_failed_brings_no_row_to_the_count(article, endpoint):  # noqa: F811
    busy, _ = endpoint("429")
    url, _ = endpoint("two-rows")
    query = f"SELECT * {{ {{ SERVICE <{url}> {{ ?x ?p ?o }} }} UNION {{ SERVICE SILENT <{busy}> {{ ?y ?p ?o }} }} }}"
    assert len(service_for(article, url, busy, row_limit=2).query(query).rows) == 3


def test_the_values_the_clauses_bring_are_capped_in_bytes_all_told(article, endpoint, monkeypatch):  # noqa: F811
    """Rows as wide as an answer may be (64 MiB, 8 MiB kept in the cache) were inlined clause after clause."""
    from kg import federation

    url, _ = endpoint("two-rows")
    one = len(federation.values_block(["x"], [(None,), (None,)]))  # a little more than a clause's VALUES
    monkeypatch.setattr(federation, "INLINED_BYTES", one * 2 + 8, raising=False)
    service = service_for(article, url)
    assert values(service.query(_clauses(url, 2))) == [("4",)]
    with pytest.raises(PolicyError, match="bring more than 0 MiB of solutions in all"):
        service.query(_clauses(url, 3))
