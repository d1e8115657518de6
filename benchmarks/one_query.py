"""One of the mix's queries asked over and over by one kept-alive client, each time a new text: its median time,
and the CPU a request of each thread of the server (as thread_cpu.py reads them), for `kg serve` or its peers.

Run py-spy beside it to see where that query's time goes. Nothing here is a test.

    python benchmarks/one_query.py --session 5044 --port 8000 --name ask
    python benchmarks/one_query.py --session 6001 --port 7878 --path /query --name ask     # oxigraph serve
"""

from __future__ import annotations

import argparse
import collections
import http.client
import statistics
import time
from urllib.parse import quote

import mix
from thread_cpu import TICK_US, threads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--session", type=int, required=True, help="the server's session id")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/sparql", help="the query endpoint (oxigraph serve: /query)")
    parser.add_argument("--name", default="ask", help="a query of mix.py")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--triples", type=int, default=1_000_000, help="statements the store was made from")
    args = parser.parse_args()
    text = mix.queries(args.triples)[args.name]
    accept = mix.ACCEPT_GRAPH if mix.is_graph_query(args.name) else mix.ACCEPT_SOLUTIONS
    connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=600)
    salt, times = time.time_ns(), []
    before = threads(args.session)
    ends = time.monotonic() + args.seconds
    while time.monotonic() < ends:
        path = f"{args.path}?query={quote(f'{text}{chr(10)}# {salt}-{len(times)}', safe='')}"
        started = time.perf_counter()
        connection.request("GET", path, headers={"Accept": accept})
        response = connection.getresponse()
        body = response.read()
        times.append(time.perf_counter() - started)
        if response.status != 200:
            raise SystemExit(f"answered {response.status}: {body[:300]!r}")
    after = threads(args.session)
    used = collections.Counter({key: ticks - before.get(key, (name, 0))[1] for key, (name, ticks) in after.items()})
    with open("/proc/loadavg") as load:
        print(f"{args.name}: {len(times)} requests, median {statistics.median(times) * 1000:.2f} ms, "
              f"{sum(used.values()) * TICK_US / len(times):.0f} us of CPU a request, load average {load.read().split()[0]}")
    for (pid, tid), ticks in used.most_common(8):
        if ticks:
            print(f"  pid {pid} thread {tid}: {ticks * TICK_US / len(times):.0f} us a request")


if __name__ == "__main__":
    main()
