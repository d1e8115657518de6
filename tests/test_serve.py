"""`kg serve` as a user runs it: it answers, writes go through, and it stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from live_server import kg_server

TOKEN = "serve-test-token"


def ask_claims(base: str) -> int:
    query = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?c a sahel:Claim }")
    with urllib.request.urlopen(f"{base}/sparql?query={query}", timeout=30) as response:
        return int(json.load(response)["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("updates", [False, True], ids=["read-only", "updates"])
def test_serve_answers_and_stops_cleanly(tmp_path, updates):
    env = {"SAHEL_KG_UPDATE_TOKEN": TOKEN} if updates else {}
    with kg_server(tmp_path, env=env, enable_updates=updates) as base:
        assert ask_claims(base) == 32  # the article was installed before the workers started
        if updates:
            request = urllib.request.Request(f"{base}/sparql", method="POST",
                                             data=b"INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
                                             headers={"Content-Type": "application/sparql-update",
                                                      "Authorization": f"Bearer {TOKEN}"})
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 204
    log = base.log_text()
    assert "Granian shutdown completed" in log  # it stopped on SIGTERM, not by the SIGKILL after a hang
    # A worker that crashed on its way out (RocksDB state inherited over fork, or left to interpreter
    # teardown) shows as a signal here.
    assert "was sent SIG" not in log and "terminate called" not in log, log


def test_serve_on_a_memory_store_holds_the_article(tmp_path):
    with kg_server(tmp_path, store="memory:") as base:
        assert ask_claims(base) == 32
