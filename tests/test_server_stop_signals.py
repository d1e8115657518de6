"""Stop signals to a `kg serve` server process while it streams an answer: the answer ends whole, however many
come. granian took each as a new stop through a channel of one place read once, so a third blocked the event loop
for good: the answer stalled (seen in CI after a Ctrl-C, which sends two)."""

from __future__ import annotations

import json
import os
import re
import signal
import urllib.request
from pathlib import Path

from live_server import kg_server
from long_work import SOON, wait_until
from process_tree import children
from raw_http import query_url

ROWS = 100_000  # tens of MB of JSON: far more than the buffers between the server and a client that holds back


def pending(pid: int, signum: int) -> bool:
    """Whether signal `signum` sent to process `pid` waits to be taken by one of its threads (Linux's ShdPnd)."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    return bool(int(re.search(r"^ShdPnd:\s*([0-9a-f]+)$", status, re.MULTILINE)[1], 16) & 1 << (signum - 1))


def test_three_stop_signals_to_a_server_process_leave_the_answer_it_streams_whole(tmp_path):
    with kg_server(tmp_path, env={"SAHEL_KG_ROW_LIMIT": str(ROWS), "SAHEL_KG_QUERY_TIMEOUT": "600"}) as base:
        [worker] = children(base.pid)  # granian's server process
        url = query_url(base, f"SELECT * WHERE {{ ?a ?b ?c . ?d ?e ?f }} LIMIT {ROWS}")
        with urllib.request.urlopen(url, timeout=SOON) as response:
            first = response.read(65536)  # streaming; the rest is held back while the signals come
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGTERM):
                os.kill(worker, signum)  # each taken before the next is sent: two pending would be one
                wait_until(lambda: not pending(worker, signum), what=f"signal {signum} taken")
            rest = response.read()
    assert len(json.loads(first + rest)["results"]["bindings"]) == ROWS
