"""Multiprocess metrics (prometheus_client's files, one a process): an update asks no process id, and a forked
child still counts in a file of its own, so /metrics sums both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent("""
    import json, os, sys
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector
    from api.metrics import Metrics

    metrics = Metrics()
    metrics.observe("/sparql", "GET", 200, 0.001)  # files opened, keys written: the first update of each value
    metrics.count_in_flight(1)
    asked = []
    sys.setprofile(lambda frame, event, arg: asked.append(1) if event == "c_call" and arg is os.getpid else None)
    metrics.observe("/sparql", "GET", 200, 0.001)
    metrics.count_in_flight(0)
    sys.setprofile(None)
    child = os.fork()
    if child == 0:
        metrics.observe("/sparql", "GET", 200, 0.001)
        os._exit(0)
    os.waitpid(child, 0)
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    print(json.dumps({"asked": len(asked), "parent": os.getpid(), "child": child,
                      "requests": registry.get_sample_value("sahel_kg_http_requests_total",
                                                            {"route": "/sparql", "method": "GET", "status": "200"})}))
""")


def test_an_update_asks_no_process_id_and_a_forked_child_counts_in_its_own_file(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["asked"] == 0
    assert found["requests"] == 3  # two in the parent, one in the child: none lost, none counted twice
    counters = {path.name for path in tmp_path.glob("counter_*.db")}
    assert counters == {f"counter_{found['parent']}.db", f"counter_{found['child']}.db"}
