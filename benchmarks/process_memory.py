"""Where a live server's memory goes, process by process: RSS, PSS, anonymous, shared and private pages of each
of its processes, read from /proc/PID/smaps_rollup at rest, after the query mix and after each wrk run.

`kg serve` is started as serving.py starts it (contenders.kg_contenders), on a store serving.py made; give it a
copy (`cp -a WORK/kg-store /tmp/copy`), as `oxigraph serve` writes to the directory it opens. Nothing here is a test.

    python benchmarks/process_memory.py --store /tmp/copy --workers 2
    python benchmarks/process_memory.py --store /tmp/oxigraph-copy --oxigraph
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import mix  # noqa: E402
from contenders import Running, kg_contenders, oxigraph_contenders  # noqa: E402
from measure import run_mix, wrk  # noqa: E402

FIELDS = ("Rss", "Pss", "Anonymous", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty")


def process(pid: int) -> dict | None:
    """smaps_rollup's fields of `pid` in MB, and what the process is; None once it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            found = {parts[0].rstrip(":"): int(parts[1]) // 1024 for parts in map(str.split, handle)
                     if len(parts) == 3 and parts[0].rstrip(":") in FIELDS}
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            command = handle.read().replace(b"\0", b" ").decode(errors="replace")
        with open(f"/proc/{pid}/stat") as handle:
            parent = int(handle.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None
    return {**found, "pid": pid, "parent": parent, "command": command}


def roles(rows: list[dict]) -> None:
    """Name each process: granian forks its server processes from the supervisor, so they share its command."""
    pids = {row["pid"] for row in rows}
    for row in rows:
        if "kg.worker" in row["command"]:
            row["role"] = "query worker"
        elif "supervise" in row["command"]:
            row["role"] = "server process" if row["parent"] in pids else "supervisor"
        else:
            row["role"] = Path(row["command"].split(" ", 1)[0]).name


def stage(running: Running, label: str, stages: list) -> None:
    rows = [row for row in map(process, running.pids()) if row]
    roles(rows)
    rss, pss = sum(row["Rss"] for row in rows), sum(row["Pss"] for row in rows)
    print(f"{label}: RSS {rss} MB, PSS {pss} MB in {len(rows)} processes; load average {os.getloadavg()[0]:.1f}")
    for row in sorted(rows, key=lambda row: (row["role"], -row["Rss"])):
        print(f"  {row['role']:<15} RSS {row['Rss']:>4} PSS {row['Pss']:>4} anonymous {row['Anonymous']:>4} "
              f"shared clean/dirty {row['Shared_Clean']:>3}/{row['Shared_Dirty']:>3} "
              f"private clean/dirty {row['Private_Clean']:>3}/{row['Private_Dirty']:>4}")
    stages.append({"stage": label, "rss_mb": rss, "pss_mb": pss, "processes": rows})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a copy of a store serving.py made")
    parser.add_argument("--oxigraph", action="store_true", help="oxigraph serve on it instead of kg serve")
    parser.add_argument("--workers", type=int, default=1, help="kg serve's --workers (default 1)")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for kg serve (repeatable)")
    parser.add_argument("--size", default="1M", help="statements the store holds, for the queries (default 1M)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the query mix (default 3)")
    parser.add_argument("--wrk-seconds", type=int, default=10, help="seconds of each wrk run (default 10)")
    parser.add_argument("--json", type=Path, help="write the readings here too")
    args = parser.parse_args(argv)
    from serving import size

    triples = size(args.size)
    work = Path(tempfile.mkdtemp(prefix="process-memory-"))
    if args.oxigraph:
        contender = oxigraph_contenders(args.store, Path(os.devnull), union=False)[0]
    else:
        env = dict(item.split("=", 1) for item in args.env)
        contender = kg_contenders(args.store, work / "home", [("kg serve", ["--workers", str(args.workers)], env,
                                                                "disk")])[0]
    running, stages = Running(contender, work), []
    try:
        stage(running, "at rest", stages)
        run_mix([running], mix.queries(triples), args.rounds)
        stage(running, "after the mix", stages)
        script = work / "lookup.lua"
        script.write_text(mix.wrk_script(contender.query_path, triples))
        for number in (1, 2):
            for target, url, lua in (("lookups", running.base, script),
                                     ("constant", running.base + contender.constant_path, None)):
                rate = wrk(url, args.wrk_seconds, 8, 2, lua)["requests_per_second"]
                stage(running, f"after wrk {target} {number} ({rate:,.0f} a second)", stages)
    finally:
        running.stop()
    if args.json:
        args.json.write_text(json.dumps(stages, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
