"""Ctrl-C typed in a real terminal (a pty), where SIGINT goes to the whole foreground process group: the kg
process decides what it stops, never its query workers, and nothing prints a traceback."""

from __future__ import annotations

import json
import os
import sys
import urllib.request

from long_work import SOON, wait_until
from on_terminal import OnTerminal
from raw_http import http, query_url
from servers import free_port

KG = [sys.executable, "-c", "from kg.launch import main; main()"]
ROWS = 100_000  # tens of MB of JSON: far more than the pipes and buffers between a query worker and a client hold


def environment(home, **settings: str) -> dict[str, str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    return {**clean, "SAHEL_KG_HOME": str(home), "PYTHONUNBUFFERED": "1", **settings}


def test_ctrl_c_stops_kg_serve_once_it_has_finished_the_answer_it_is_streaming(tmp_path):
    """A query worker shared the terminal's process group: Ctrl-C killed it mid-answer ("a query worker died"),
    and the answer was cut, though the server stops as on SIGTERM, answering what is in flight."""
    port = free_port()
    server = OnTerminal([*KG, "serve", "--port", str(port)], cwd=tmp_path,
                        env=environment(tmp_path / "home", SAHEL_KG_ROW_LIMIT=str(ROWS),
                                        SAHEL_KG_QUERY_TIMEOUT="600"))
    base = f"http://127.0.0.1:{port}"
    try:
        server.expect("Listening at", timeout=120)

        def answers() -> bool:
            try:
                return http(base + "/healthz", timeout=SOON)[0] == 200
            except OSError:
                return False

        wait_until(answers, seconds=120, what="the server's first answer")
        url = query_url(base, f"SELECT * WHERE {{ ?a ?b ?c . ?d ?e ?f }} LIMIT {ROWS}")
        with urllib.request.urlopen(url, timeout=SOON) as response:
            first = response.read(65536)  # the answer is streaming; the client holds the rest back for now
            server.ctrl_c()
            server.expect("Shutting down granian")
            rest = response.read()
        assert len(json.loads(first + rest)["results"]["bindings"]) == ROWS
        assert server.wait(timeout=120) == 0
    finally:
        server.close()
    assert "Traceback" not in server.seen and "query worker died" not in server.seen, server.seen
