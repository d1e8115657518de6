"""Credentials in an allowed SERVICE IRI (`http://reader:s3cret@host/sparql`) reach no answer, message or log line:
a 502's `endpoint` and `detail` gave the IRI whole (helper-181)."""

from __future__ import annotations

import logging

import pytest

from api import create_app
from kg.errors import KGError, PolicyError
from test_federation import article, down_endpoint, endpoint, service_for  # noqa: F401  (fixtures)

SECRET = "s3cret"


def _with_credentials(url: str) -> str:
    return url.replace("http://", f"http://reader:{SECRET}@", 1)


def _failing(reply, endpoint, down_endpoint):  # noqa: F811
    return _with_credentials(down_endpoint if reply == "down" else endpoint(reply)[0])


@pytest.mark.parametrize("reply", ["down", "429", "redirect", "trace-500", "html-404", "nothing", "cut", "two-rows"])
def test_no_failure_of_a_call_names_its_credentials(article, endpoint, down_endpoint, reply):  # noqa: F811
    url = _failing(reply, endpoint, down_endpoint)
    service = service_for(article, url, timeout=0.5, row_limit=1)
    for _ in range(2):  # the second time a hold, where there is one, answers
        with pytest.raises((KGError, PolicyError)) as raised:
            service.query(f"SELECT * {{ SERVICE <{url}> {{ ?x ?p ?o }} }}")
        said = f"{raised.value} {getattr(raised.value, 'endpoint', '')}"
        assert SECRET not in said and "reader" not in said
        assert "127.0.0.1" in said


@pytest.mark.parametrize("reply", ["down", "429", "trace-500", "nothing"])
def test_no_problem_document_nor_log_line_names_them(endpoint, down_endpoint, reply, caplog):  # noqa: F811
    url = _failing(reply, endpoint, down_endpoint)
    app = create_app({"STORE": "memory:", "SERVICE_ALLOWLIST": url, "SERVICE_TIMEOUT": "0.5"})
    with caplog.at_level(logging.DEBUG):
        response = app.test_client().get("/sparql", query_string={
            "query": f"SELECT * {{ SERVICE <{url}> {{ ?x ?p ?o }} }}"})
    assert response.status_code in (502, 503, 504)
    problem = response.get_json()
    assert problem["endpoint"].startswith("http://…@127.0.0.1:")
    assert SECRET not in response.get_data(as_text=True) and SECRET not in caplog.text


def test_a_refusal_hides_the_credentials_the_user_wrote(article):  # noqa: F811
    with pytest.raises(PolicyError) as refused:
        service_for(article, "http://a.example/sparql").query(
            f"SELECT * {{ SERVICE <http://reader:{SECRET}@b.example/sparql> {{ ?x ?p ?o }} }}")
    assert SECRET not in str(refused.value) and "<http://…@b.example/sparql> is not allowed" in str(refused.value)


def test_an_error_naming_a_mirrors_host_names_the_mirror_alone(article, monkeypatch):  # noqa: F811
    """A mirror's address is never shown, but an error's own words were: a TLS failure names the host it checked."""
    import socket
    import ssl

    def failing(host, *args, **kwargs):
        raise ssl.SSLCertVerificationError(f"certificate verify failed: certificate is not valid for '{host}'")
    monkeypatch.setattr(socket, "getaddrinfo", failing)
    with pytest.raises(KGError) as raised:
        service_for(article, "http://q.example/sparql>https://hidden-mirror.internal/sparql").query(
            "SELECT * { SERVICE <http://q.example/sparql> { ?x ?p ?o } }")
    assert "hidden-mirror" not in str(raised.value) and "not valid for 'the mirror'" in str(raised.value)
