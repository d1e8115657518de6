"""The fast path's query string: decoded as unquote_plus decodes it (the view's own reading), hostile ones too,
an ASCII one in one pass over its bytes."""

from __future__ import annotations

import sys
import urllib.parse
from urllib.parse import unquote_plus, urlencode

import pytest

from api.fast_sparql import _get_query
from api.params import strict_params

TEXTS = ["SELECT ?p ?o WHERE { <https://sahel-kg.example/claim/x> ?p ?o }\n# 12", "é ü 𝄞 \u2028", "a+b c%20d", ""]
RAWS = [urlencode({"query": text}) for text in TEXTS] + [
    "query=", "query=%", "query=%4", "query=%zz%41", "query=%C3%A9%E9", "query=%ff", "query=%ED%A0%80",
    "query=%00x", "query=++%2B", "query=a%2", "query=\u00c3\u00a9", "query=\u00e9", "query=%C3\u00a9",
    "query=\xff%41", "query=a&query=b", "query=a&", "query=%26x", "query=caf%C3%A9+%3F",
]


def viewed(raw: str):
    """What _get_query answered before an ASCII query string had a path of its own."""
    try:
        params = strict_params(raw.encode("latin-1")) if "&" in raw \
            else [("query", unquote_plus(raw[6:].encode("latin-1").decode("utf-8"), errors="strict"))]
    except Exception as error:
        return type(error)
    return params[0][1] if len(params) == 1 and params[0][0] == "query" else None


@pytest.mark.parametrize("raw", RAWS)
def test_a_query_string_reads_as_unquote_plus_reads_it(raw):
    try:
        found = _get_query({"QUERY_STRING": raw})
    except Exception as error:
        found = type(error)
    assert found == viewed(raw)


def test_an_ascii_query_string_is_not_split_into_runs():
    asked = []

    def watch(frame, event, arg):
        if event == "call" and frame.f_code in (urllib.parse.unquote.__code__, urllib.parse.unquote_plus.__code__):
            asked.append(frame.f_code.co_name)

    raw = urlencode({"query": TEXTS[0]})
    sys.setprofile(watch)
    try:
        found = _get_query({"QUERY_STRING": raw})
    finally:
        sys.setprofile(None)
    assert found == TEXTS[0] and asked == []
