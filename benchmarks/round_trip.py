"""What the round trip to a query worker adds: median latency of small queries on a live `kg serve`, those it
answers in its own process (one pattern, DESCRIBE of an IRI) beside those a query worker answers.

One kept-alive connection, GET /sparql, JSON results (N-Triples for DESCRIBE), a new text on every request (no
result cache answers), the kinds interleaved over `--rounds`. Nothing here is a test.

    python benchmarks/round_trip.py --store <a store serving.py made, e.g. /tmp/bench-work/kg-store>
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

BIN = Path(sys.executable).parent
SUBJECT = "https://sahel-kg.example.org/claim/synthetic-1000"
QUERIES = {  # what answers it, and the text
    "in process: ASK of one pattern": ("application/sparql-results+json", f"ASK {{ <{SUBJECT}> ?p ?o }}"),
    "in process: DESCRIBE of an IRI": ("application/n-triples", f"DESCRIBE <{SUBJECT}>"),
    "worker: ASK {}": ("application/sparql-results+json", "ASK {}"),
    "worker: ASK of two patterns": ("application/sparql-results+json", f"ASK {{ <{SUBJECT}> ?p ?o . ?o ?q ?r }}"),
}


def ask(connection: http.client.HTTPConnection, text: str, accept: str) -> float:
    started = time.perf_counter()
    connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": text}), headers={"Accept": accept})
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise SystemExit(f"HTTP {response.status} for {text}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="an embedded store directory")
    parser.add_argument("--port", type=int, default=18301)
    parser.add_argument("--requests", type=int, default=200, help="requests of each kind a round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "SAHEL_KG_HOME": home, "SAHEL_KG_QUERY_TIMEOUT": "3600"}
        server = subprocess.Popen([str(BIN / "kg"), "serve", "--store", f"oxigraph:{args.store}", "--host",
                                   "127.0.0.1", "--port", str(args.port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            connection = http.client.HTTPConnection("127.0.0.1", args.port)
            for _ in range(300):  # until it answers
                try:
                    ask(connection, "ASK {}", "application/sparql-results+json")
                    break
                except OSError:
                    connection = http.client.HTTPConnection("127.0.0.1", args.port)
                    time.sleep(0.2)
            times = {name: [] for name in QUERIES}
            for number in range(args.rounds):
                for name, (accept, text) in QUERIES.items():
                    times[name] += [ask(connection, f"{text} # {number} {each}", accept)
                                    for each in range(args.requests)]
            print("| query | median ms | 10th percentile ms |\n|---|---:|---:|")
            for name, seconds in times.items():
                print(f"| {name} | {statistics.median(seconds) * 1000:.2f} | "
                      f"{sorted(seconds)[len(seconds) // 10] * 1000:.2f} |")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
