"""What the HTTP benchmark (serving.py) measures of servers already running: the query mix asked over
kept-alive connections in interleaved rounds, the mix asked twice (what a result cache saves), and wrk."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import mix
from contenders import Running


def ask(connection_pool: dict, running: Running, text: str, graph: bool) -> tuple[float, int, int]:
    """(seconds, status, rows) for one query by GET over a kept-alive connection.

    A server may close an idle kept-alive connection (gunicorn after 2 s): then the query is asked again on
    a new one, and only that ask is timed.
    """
    import http.client
    from urllib.parse import urlencode

    path = running.contender.query_path + "?" + urlencode({"query": text})
    accept = mix.ACCEPT_GRAPH if graph else mix.ACCEPT_SOLUTIONS
    for attempt in range(2):
        connection = connection_pool.get(running.base)
        fresh = connection is None
        if fresh:
            connection = connection_pool[running.base] = http.client.HTTPConnection("127.0.0.1", running.port,
                                                                                    timeout=600)
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Accept": accept})
            response = connection.getresponse()
            body = response.read()
        except (ConnectionError, http.client.HTTPException):
            connection.close()
            connection_pool.pop(running.base, None)
            if fresh:
                raise
            continue
        seconds = time.perf_counter() - started
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
            connection_pool.pop(running.base, None)
        return seconds, response.status, rows_in(body, graph, response.status)
    raise RuntimeError("unreachable")


def rows_in(body: bytes, graph: bool, status: int) -> int:
    if status != 200:
        return -1
    if graph:
        return sum(1 for line in body.splitlines() if line.strip() and not line.startswith(b"#"))
    document = json.loads(body)
    return int(document["boolean"]) if "boolean" in document else len(document["results"]["bindings"])


def run_mix(servers: list[Running], queries: dict[str, str], rounds: int) -> dict:
    """Per server and query: every round's seconds, the rows, and the server CPU seconds per round."""
    pool: dict = {}
    times = {s.contender.name: {name: [] for name in queries} for s in servers}
    rows = {s.contender.name: {} for s in servers}
    cpu = {s.contender.name: 0.0 for s in servers}
    for number in range(rounds):
        for name, text in queries.items():
            tagged = f"{text}\n# round {number}"  # a new text each round: no result cache answers it
            order = servers[number % len(servers):] + servers[:number % len(servers)]
            for server in order:
                before = server.cpu_seconds()
                seconds, status, count = ask(pool, server, tagged, mix.is_graph_query(name))
                cpu[server.contender.name] += server.cpu_seconds() - before
                times[server.contender.name][name].append(seconds)
                rows[server.contender.name][name] = count if status == 200 else f"HTTP {status}"
        print(f"  mix round {number + 1}/{rounds} done, load average {os.getloadavg()[0]:.2f}", file=sys.stderr)
    for server in servers:
        server.memory_mb()
    return {"times": times, "rows": rows, "cpu_seconds_per_round": {k: v / rounds for k, v in cpu.items()}}


def run_repeated(servers: list[Running], queries: dict[str, str], repeats: int) -> dict:
    """For each server: sum over the mix of the first ask of a text, and of asking it again at once."""
    pool: dict = {}
    result = {}
    for server in servers:
        first, again = {name: [] for name in queries}, {name: [] for name in queries}
        for number in range(repeats):
            for name, text in queries.items():
                tagged = f"{text}\n# repeated {number} {time.time()}"
                graph = mix.is_graph_query(name)
                first[name].append(ask(pool, server, tagged, graph)[0])
                again[name].append(ask(pool, server, tagged, graph)[0])
        one = sum(statistics.median(v) for v in first.values())
        two = sum(statistics.median(v) for v in again.values())
        result[server.contender.name] = {"first_seconds": one, "again_seconds": two, "ratio": two / one}
    return result


def wrk(url: str, seconds: int, connections: int, threads: int, script: Path | None) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    done = subprocess.run(command + [url], capture_output=True, text=True, check=True)
    out = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p50_ms = float(p50.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p50.group(2)] if p50 else None
    return {"requests_per_second": rate, "requests": total, "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1) if errors else None, "p50_ms": p50_ms}


def run_wrk(servers: list[Running], work: Path, triples: int, args) -> dict:
    """wrk against every server in turn, rounds interleaved: the lookup, then the constant route."""
    results = {s.contender.name: {"lookup": [], "constant": []} for s in servers}
    for number in range(args.wrk_rounds):
        for server in servers:
            script = work / f"lookup-{server.port}.lua"
            script.write_text(mix.wrk_script(server.contender.query_path, triples))
            for target, url, lua in (("lookup", server.base, script),
                                     ("constant", server.base + server.contender.constant_path, None)):
                before = server.cpu_seconds()
                measured = wrk(url, args.wrk_seconds, args.connections, args.wrk_threads, lua)
                used = server.cpu_seconds() - before
                measured["server_cpu_ms_per_request"] = 1000 * used / max(1, measured["requests"])
                measured["load_average_before"] = round(os.getloadavg()[0], 2)
                results[server.contender.name][target].append(measured)
                server.memory_mb()
                print(f"  wrk {number + 1}/{args.wrk_rounds} {server.contender.name} {target}: "
                      f"{measured['requests_per_second']:,.0f} req/s, server CPU "
                      f"{measured['server_cpu_ms_per_request']:.3f} ms/request", file=sys.stderr)
    return results
