"""An allowed SERVICE IRI past ASCII (`http://host/spärql`, `?q=ü`) went to http.client as it was, whose request line
takes ASCII alone: a UnicodeEncodeError out of the query, a 500 with a traceback logged (helper-181). It is called
as the URI the IRI maps to (RFC 3987 §3.1)."""

from __future__ import annotations

import pytest

from api import create_app
from test_federation import article, endpoint, service_for  # noqa: F401  (fixtures)


@pytest.mark.parametrize("suffix, sent", [("/spärql", "/sp%C3%A4rql?"), ("/s?q=ü", "/s?q=%C3%BC&"),
                                          ("/données/𝔰", "/donn%C3%A9es/%F0%9D%94%B0?")])
def test_an_iri_past_ascii_is_called_as_its_uri(article, endpoint, suffix, sent):  # noqa: F811
    url, requests = endpoint("two-rows")
    iri = url.rsplit("/", 1)[0] + suffix
    assert len(service_for(article, iri).query(f"SELECT * {{ SERVICE <{iri}> {{ ?x ?p ?o }} }}").rows) == 2
    assert requests[0]["path"].startswith(sent)


def test_over_http_it_is_answered_not_a_500(endpoint):  # noqa: F811
    url, requests = endpoint("two-rows")
    iri = url.rsplit("/", 1)[0] + "/spärql"
    app = create_app({"STORE": "memory:", "SERVICE_ALLOWLIST": iri})
    response = app.test_client().get("/sparql", query_string={"query": f"SELECT * {{ SERVICE <{iri}> {{ ?x ?p ?o }} }}"},
                                     headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)


def test_the_host_and_user_information_are_left_as_they_are():
    from kg.endpoint_keys import as_uri

    assert as_uri("http://bücher.example/é") == "http://bücher.example/%C3%A9"
    assert as_uri("http://a.example/already%20escaped") == "http://a.example/already%20escaped"
