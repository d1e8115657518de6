"""`kg serve --public`: one switch for a public deployment (SECURITY.md), and its refusals to start."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from kg.settings import public_defaults, resolve
from kg.errors import ConfigError
from kg.serve_checks import public_warnings
from live_server import kg_server
from long_work import SOON
from raw_http import http, problem, query_url, raw_request

LONG_TOKEN = "p" * 32
# Long enough for the cheap queries here on a loaded machine (a 40,000-row answer took over 2 s beside
# other suites); HEAVY takes hours, so the limit is still what stops it.
QUERY_TIMEOUT = 20.0
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # hours on the article


# --- settings -----------------------------------------------------------------------------------

def test_public_defaults_apply_unless_a_setting_is_given():
    values = resolve({"PUBLIC": True}, environ={})
    assert public_defaults() and all(values[name] == value for name, value in public_defaults().items())
    assert resolve({"PUBLIC": True, "MAX_QUERY_BYTES": 1000}, environ={})["MAX_QUERY_BYTES"] == 1000
    assert resolve({"PUBLIC": True}, environ={"SAHEL_KG_MAX_QUERY_BYTES": "2000"})["MAX_QUERY_BYTES"] == 2000
    assert resolve({}, environ={})["MAX_QUERY_BYTES"] == 1 << 20  # not public: the ordinary default


@pytest.mark.parametrize("config, fault", [
    ({"UPDATES_ENABLED": True, "UPDATE_TOKEN": LONG_TOKEN}, "updates are on"),
    ({"UPDATE_TOKEN": "short-token"}, "UPDATE_TOKEN must be at least 32 bytes"),
    ({"QUERY_BUDGET": 0}, "QUERY_BUDGET must be a positive number"),
    ({"QUEUE_SIZE": 0}, "QUEUE_SIZE must be a positive number"),
    ({"BUDGET_LOOPBACK": False}, "BUDGET_LOOPBACK is off"),
    ({"CLIENT_TOKENS": "a-short-one " + "x" * 32}, "CLIENT_TOKENS must be at least 32 bytes"),
])
def test_an_unsafe_public_configuration_is_refused(config, fault):
    with pytest.raises(ConfigError, match=fault):
        resolve({"PUBLIC": True, **config}, environ={})
    resolve(config, environ={})  # the same settings are accepted when not public


def test_a_public_server_with_its_origin_has_nothing_to_warn_of():
    assert public_warnings(resolve({"PUBLIC": True, "PUBLIC_ORIGIN": "https://kg.example.net"}, environ={})) == []
    assert public_warnings(resolve({}, environ={})) == []  # not public: a loopback Host serves for links


def kg_serve(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "serve", "--store", "memory:",
                           "--port", "1", *args], capture_output=True, text=True, env=environment, timeout=120)


@pytest.mark.parametrize("args, env, fault", [
    (["--public", "--enable-updates"], {"SAHEL_KG_UPDATE_TOKEN": LONG_TOKEN}, "updates are on"),
    (["--public"], {"SAHEL_KG_UPDATES_ENABLED": "1", "SAHEL_KG_UPDATE_TOKEN": LONG_TOKEN}, "updates are on"),
    (["--public"], {"SAHEL_KG_UPDATE_TOKEN": "0123456789"}, "at least 32 bytes"),
    ([], {"SAHEL_KG_PUBLIC": "true", "SAHEL_KG_QUERY_BUDGET": "0"}, "QUERY_BUDGET"),
])
def test_kg_serve_public_refuses_to_start(args, env, fault):
    done = kg_serve(*args, env=env)
    assert done.returncode == 1, done.stderr
    assert "refusing a public server" in done.stderr and fault in done.stderr
    assert "Traceback" not in done.stderr


# --- a live public server -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def public(tmp_path_factory):
    env = {"SAHEL_KG_QUERY_TIMEOUT": str(QUERY_TIMEOUT)}
    with kg_server(tmp_path_factory.mktemp("public"), env=env, args=("--public",)) as url:
        yield url


def test_a_public_server_without_its_origin_warns_that_its_links_name_another(public):
    """Its service description and VoID named https://sahel-kg.example.org without a word at start-up."""
    log = public.log.read_text(encoding="utf-8")
    assert "warning: no PUBLIC_ORIGIN: the URLs this server hands out" in log
    assert "name https://sahel-kg.example.org, IRI_BASE's origin; set SAHEL_KG_PUBLIC_ORIGIN" in log, log


def test_no_server_banner_on_any_answer(public):
    for status, headers, _ in [http(query_url(public, "ASK {}")), http(public + "/nowhere"),
                               http(public + "/sparql", method="DELETE")]:
        assert headers.get("Server") == "sahel-kg", (status, dict(headers))  # the service, not its stack
    # answered by granian itself, before the app: a bare 400, still without a banner
    status, headers, body = raw_request(public, b"NOT HTTP AT ALL\r\n\r\n")
    assert status == 400 and "server" not in headers and b"Traceback" not in body


def test_cors_is_for_get_only(public):
    _, headers, _ = http(query_url(public, "ASK {}"), headers={"Origin": "https://elsewhere.example"})
    assert headers["Access-Control-Allow-Origin"] == "*"
    _, headers, _ = http(public + "/sparql", method="OPTIONS",
                         headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"})
    assert headers["Access-Control-Allow-Methods"] == "GET, OPTIONS"
    # a conditional read may come from another site's page; nothing a write needs is let through
    assert headers["Access-Control-Allow-Headers"] == "Accept, Authorization, If-None-Match, If-Modified-Since"
    status, headers, _ = http(public + "/sparql", method="POST", data=b"ASK {}",
                              headers={"Content-Type": "application/sparql-query", "Origin": "https://elsewhere.example"})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers


def test_public_server_is_read_only(public):
    status, headers, body = http(public + "/sparql", method="POST", data=b"DROP ALL",
                                 headers={"Content-Type": "application/sparql-update",
                                          "Authorization": f"Bearer {LONG_TOKEN}"})
    problem(status, headers, body, 403)
    status, headers, body = http(public + "/store?default", method="PUT", data=b"<a:b> <a:c> <a:d> .",
                                 headers={"Content-Type": "application/n-triples"})
    problem(status, headers, body, 403)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <http://169.254.169.254/latest/meta-data/> { ?s ?p ?o } }",
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
])
def test_service_and_outside_data_are_refused_or_not_fetched(public, query):
    status, headers, body = http(query_url(public, query))
    if status == 200:  # FROM only selects graphs of the store: an empty dataset, nothing read
        assert b'"bindings":[]' in body.replace(b" ", b"")
    else:
        problem(status, headers, body, 400)


def test_time_limit_row_cap_and_query_size_are_on(public):
    started = time.monotonic()
    status, headers, body = http(query_url(public, HEAVY))
    assert problem(status, headers, body, 503)["title"] == "Query timeout"
    assert time.monotonic() - started < QUERY_TIMEOUT + SOON
    numbers = " ".join(str(number) for number in range(200))
    status, headers, _ = http(query_url(public, f"SELECT * {{ VALUES ?a {{ {numbers} }} VALUES ?b {{ {numbers} }} }}"))
    assert status == 200 and headers["X-Result-Truncated"] == "true" and headers["X-Result-Limit"] == "10000"
    text = "ASK {}" + " " * (1 << 16)
    status, headers, body = http(public + "/sparql", method="POST", data=text.encode(),
                                 headers={"Content-Type": "application/sparql-query"})
    assert "65536" in problem(status, headers, body, 413)["detail"]
