"""An answer in a coding not asked for (gzip, though only identity is asked) was read as results and refused as
"not UTF-8": the 502 now says what came (helper-181)."""

from __future__ import annotations

import gzip
import json

import pytest

from kg.errors import ServiceFailure
from test_federation import article, endpoint, service_for  # noqa: F401  (fixtures)
from test_service_endpoints import raw_endpoint  # noqa: F401  (fixture)

ASK = "SELECT * {{ SERVICE <{}> {{ ?x ?p ?o }} }}"
RESULTS = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": []}}).encode()


def _answer(status: str, headers: str, body: bytes) -> bytes:
    return f"HTTP/1.1 {status}\r\n{headers}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body


@pytest.mark.parametrize("status, headers, body, said", [
    ("200 OK", "Content-Type: application/sparql-results+json\r\nContent-Encoding: gzip\r\n", gzip.compress(RESULTS, mtime=0),
     "answered in Content-Encoding 'gzip', an encoding not asked for"),
    ("200 OK", "Content-Type: application/sparql-results+json\r\nContent-Encoding: br\r\n", b"\x8b\x00\x80",
     "answered in Content-Encoding 'br', an encoding not asked for"),
    ("200 OK", "Content-Type: text/tab-separated-values\r\nContent-Encoding: gzip\r\n", gzip.compress(b"?x\n", mtime=0),
     "answered in Content-Encoding 'gzip'"),  # TSV's reader took the bytes for rows
    ("200 OK", "Content-Type: application/sparql-results+json\r\nTransfer-Encoding: gzip, chunked\r\n", b"\x1f\x8b",
     "answered in Transfer-Encoding 'gzip, chunked'"),  # http.client undoes chunked framing alone
    ("500 Oops", "Content-Type: text/plain\r\nContent-Encoding: gzip\r\n", gzip.compress(b"engine trouble", mtime=0),
     "answered 500 Oops: its text in Content-Encoding 'gzip', an encoding not asked for"),
], ids=["gzip-results", "br-results", "gzip-tsv", "gzip-transfer", "gzip-error-text"])  # pytest-xdist's workers
# must collect the same ids: gzip's header would otherwise carry the time of collection
def test_an_answer_in_a_coding_not_asked_for_is_said_so(article, raw_endpoint, status, headers, body, said):  # noqa: F811
    url = raw_endpoint(_answer(status, headers, body))
    with pytest.raises(ServiceFailure, match=said):
        service_for(article, url).query(ASK.format(url))


def test_only_identity_is_asked_for(article, endpoint):  # noqa: F811
    url, requests = endpoint("two-rows")
    assert len(service_for(article, url).query(ASK.format(url)).rows) == 2
    assert requests[0]["headers"]["Accept-Encoding"] == "identity"
