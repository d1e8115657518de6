"""Where a live server's time goes: a py-spy raw profile split into the parts of kg serve's request path.

Record the profile under load (wrk, or thread_cpu.py), then summarise it:

    py-spy record --gil --subprocesses --format raw -r 200 -d 20 -o lookup.raw -p <kg serve's first pid>
    python benchmarks/profile_shares.py lookup.raw --requests 41600        # shares, and us a request
    python benchmarks/profile_shares.py lookup.raw --processes             # the same, per process
    python benchmarks/profile_shares.py lookup.raw --part "query text"     # the frames one part got

A sample goes to the access log or metrics if any frame of it is theirs (the access log formats its lines on a
thread of its own), to granian if the adapter was calling into it, else to the part of its deepest frame that
names one. With `--requests` (those answered while sampling) and `--rate`, each share is also given as
microseconds a request: with --gil, the time some thread held the GIL. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import collections
import re

ANYWHERE = [("access log", r"api/access_log"), ("metrics", r"api/metrics|prometheus_client")]
# Calls into granian's Rust from the adapter: the response written, the loop's callbacks, the scope's fields read.
GRANIAN = re.compile(r"RSGIApp.__rsgi__ \(api/rsgi.py:99\)|_cbsched|_spawn_rsgi_worker|"
                     r"environ_for \(api/rsgi_requests.py:(48|53|54)\)")
DEEPEST = [  # (part, pattern on a frame), checked from the deepest frame outwards
    ("engine (pyoxigraph)", r"pyoxigraph|kg/store/"),
    ("result writing", r"kg/results|json/encoder|json/__init__|kg/streaming|kg/bindings|serialize"),
    ("query text (lexing, lookup form, policy, shape)",
     r"kg/sparql_lexer|kg/lookup_text|kg/sparql_text|kg/sparql_parts|kg/untrusted|kg/shape_limits|"
     r"kg/keyword_prefixes|kg/glued|kg/invisible|kg/star_order|kg/federation|kg/syntax_faults|kg/one_pattern|"
     r"too_many_tokens"),
    ("worker round trip", r"kg/worker|multiprocessing/connection|kg/child|kg/worker_processes|kg/runner|pickle"),
    ("query service checks (kg/query: prologue, unknown terms)", r"kg/query\.py"),
    ("query string decoding (urllib unquote)", r"urllib/parse"),
    ("request hygiene (request_encoding, body_limit, params)", r"api/request_encoding|api/body_limit|api/params"),
    ("ETag validators (api/conditional)", r"api/conditional"),
    ("fast path and lookup glue", r"api/fast_sparql|api/loop_lookups|kg/nearby|kg/answers|api/fairness|"
                                  r"api/result_cache|api/public_origin|api/negotiation|api/sparql|api/backend|api/ops"),
    ("Flask, werkzeug and hooks", r"flask/|werkzeug/|api/(?!rsgi)"),
    ("RSGI adapter (api/rsgi*.py)", r"api/rsgi"),
    ("threads, futures, granian/asyncio (hand-overs)", r"granian|asyncio|concurrent/futures|threading|queue\.py|"
                                                    r"selectors|contextvars"),
]
ANYWHERE_RE = [(part, re.compile(pattern)) for part, pattern in ANYWHERE]
DEEPEST_RE = [(part, re.compile(pattern)) for part, pattern in DEEPEST]
GRANIAN_PART = "granian/Rust (calls into granian from the adapter)"


def samples(path: str):
    """(process id, frames outermost first, count) of each line of a raw profile."""
    with open(path) as lines:
        for line in lines:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            frames = stack.split(";")
            processes = [frame for frame in frames if frame.startswith("process ")]
            pid = processes[-1].split(":")[0].removeprefix("process ") if processes else "-"
            yield pid, [frame for frame in frames if not frame.startswith("process ")], int(count)


def part_of(frames: list[str]) -> str:
    """The part of the request path a sample's frames belong to."""
    for part, pattern in ANYWHERE_RE:
        if any(pattern.search(frame) for frame in frames):
            return part
    if frames and GRANIAN.search(frames[-1]):
        return GRANIAN_PART
    for frame in reversed(frames):
        for part, pattern in DEEPEST_RE:
            if pattern.search(frame):
                return part
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", help="py-spy record --format raw output")
    parser.add_argument("--requests", type=int, help="requests answered while sampling: adds us a request")
    parser.add_argument("--rate", type=float, default=200, help="py-spy's sampling rate (-r), default 200")
    parser.add_argument("--processes", action="store_true", help="split each part by process")
    parser.add_argument("--part", help="list the deepest frames of the samples of the part starting so")
    args = parser.parse_args()
    counts, frames_of, total = collections.Counter(), collections.Counter(), 0
    for pid, frames, count in samples(args.profile):
        total += count
        part = part_of(frames)
        counts[(pid if args.processes else "", part)] += count
        if args.part and part.startswith(args.part) and frames:
            frames_of[re.sub(r":\d+\)", ")", frames[-1])] += count
    per_request = total / args.rate / args.requests * 1e6 if args.requests else None
    print(f"{total} samples" + (f", {per_request:.0f} us a request" if per_request else ""))
    print("| process | part | share | us a request |\n|---|---|---:|---:|")
    for (pid, part), count in sorted(counts.items(), key=lambda item: (item[0][0], -item[1])):
        micro = f"{count / total * per_request:.0f}" if per_request else ""
        print(f"| {pid} | {part} | {100 * count / total:.1f}% | {micro} |")
    for frame, count in frames_of.most_common(15):
        print(f"    {100 * count / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
