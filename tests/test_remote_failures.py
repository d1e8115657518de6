"""A remote store's error body is read as its words whatever it holds: JSON nested past Python's recursion limit
raised RecursionError out of the store, a 500 with a traceback, rather than the engine's error (helper-176)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kg.errors import QuerySyntaxError, RemoteStoreFailure, StoreUnavailable
from kg.store.remote_failures import failure


@pytest.mark.parametrize("status, kind", [(400, QuerySyntaxError), (500, RemoteStoreFailure), (503, StoreUnavailable)])
def test_an_error_body_nested_too_deeply_is_said_as_the_engines_words(status, kind):
    body = b"[" * 60_000
    answer = SimpleNamespace(read=lambda size: body[:size], media_type="application/json", reason="Bad",
                             status=status, url="http://remote.example/sparql", headers={})
    error = failure(answer)
    assert isinstance(error, kind) and "[[[" in str(error)
