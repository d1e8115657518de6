"""The HTTP benchmark: `kg serve` (as shipped and with each documented serving option) against its peers.

In one run, on one generated data set: `kg load` into an embedded store (timed, with pyoxigraph's
bulk_load of the same file as the yardstick); then every contender is started (startup time) and asked
the analyst query mix (benchmarks/mix.py) in interleaved rounds, each query a new text per round so no
result cache answers it (per-query medians); the mix is asked twice more with the same text (what a
result cache saves); then wrk runs the claim lookup (a different claim each request) and the server's
constant route against each in turn. CPU seconds, RSS and PSS are those of all of a server's processes.
Ratios are to `oxigraph serve` on the same kind of storage. Nothing here is a test.

    python benchmarks/serving.py --size 1M
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import mix  # noqa: E402
import report  # noqa: E402
from contenders import Running, kg_contenders, oxigraph_contenders, rdflib_contender  # noqa: E402
from generate import generate  # noqa: E402
from measure import run_mix, run_repeated, run_wrk  # noqa: E402
from run import spawn  # noqa: E402
from kg import allocator  # noqa: E402

# `kg serve` as shipped, then each documented serving option: (name, arguments, environment, storage)
KG_OPTIONS = [
    ("kg serve (shipped)", [], {}, "disk"),
    ("kg serve --workers 2", ["--workers", "2"], {}, "disk"),
    ("kg serve --threads 8", ["--threads", "8"], {}, "disk"),
    ("kg serve QUERY_WORKERS=4", [], {"SAHEL_KG_QUERY_WORKERS": "4"}, "disk"),
    ("kg serve READ_FROM_MEMORY", [], {"SAHEL_KG_READ_FROM_MEMORY": "true"}, "memory"),
    # as shipped, but with query workers on the C library's malloc (jemalloc is preloaded where installed)
    ("kg serve MALLOC=system", [], {"SAHEL_KG_MALLOC": "system"}, "disk"),
]
RDFLIB_MAX = 100_000  # rdflib-endpoint holds everything in Python objects: run it at this size and below


def size(text: str) -> int:
    found = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", text.strip())
    if not found:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (say 10k, 1M, 10M or a number)")
    return int(float(found.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[found.group(2).lower()])


def prepare(data: Path, work: Path, triples: int) -> dict:
    """`kg load` into work/kg-store (kept), bulk_load into a scratch store (the yardstick), and a dump."""
    import pyoxigraph as ox

    store, home = work / "kg-store", work / "home"
    shutil.rmtree(store, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
    # The generated data names the project's own graphs (graph/background...), as an export would: so the store
    # starts empty, without the article, which would keep those graphs from a load.
    env = dict(os.environ, SAHEL_KG_HOME=str(home), SAHEL_KG_INSTALL_ARTICLE="false")
    seconds, used, _, _ = spawn([str(Path(sys.executable).parent / "kg"), "load", str(data), "--store",
                                 f"oxigraph:{store}", "--no-progress"], env)
    kg_load = {"seconds": round(seconds, 2), **used}
    scratch = work / "bulk-store"
    shutil.rmtree(scratch, ignore_errors=True)
    seconds, used, out, _ = spawn([sys.executable, str(HERE / "run.py"), "--worker", "bulk_load", str(data),
                                   str(scratch)], env)
    shutil.rmtree(scratch, ignore_errors=True)
    # Both timed from outside the process (interpreter start to exit), so that the ratio compares like with like.
    bulk = {"seconds": round(seconds, 2), "seconds_inside": round(json.loads(out)["seconds"], 2), **used}
    disk_copy = work / "oxigraph-store"
    shutil.rmtree(disk_copy, ignore_errors=True)
    shutil.copytree(store, disk_copy)
    reader = ox.Store.read_only(str(store))
    # The dataset model decides: a store whose default graph proper holds the merge is queried plainly;
    # one with every triple in named graphs is queried through the union view.
    union = next(iter(reader.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is None
    dump = work / "dataset.nq"
    reader.dump(str(dump), ox.RdfFormat.N_QUADS)
    # The dataset's quads: the merge in the default graph is derived from them, so it is not counted.
    (merged,), = reader.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    quads = len(reader) - (0 if union else int(merged.value))
    del reader
    return {"store": store, "home": home, "disk_copy": disk_copy, "dump": dump, "union": union,
            "quads_in_store": quads, "kg_load": kg_load, "bulk_load": bulk,
            "kg_load_ratio": round(kg_load["seconds"] / bulk["seconds"], 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=size, default=size("1M"), help="statements to generate (10k, 1M, 10M...)")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds of the query mix (default 7)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the first-and-again pass (default 3)")
    parser.add_argument("--wrk-seconds", type=int, default=10, help="seconds of each wrk run (default 10)")
    parser.add_argument("--wrk-rounds", type=int, default=2, help="wrk runs per server and target (default 2)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--only", default="", help="comma-separated contender names to keep (substring match)")
    parser.add_argument("--work", type=Path, default=HERE / ".work" / "serving", help="scratch directory")
    parser.add_argument("--results", type=Path, default=HERE / "results", help="where the JSON goes")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the servers are stopped on the way out
    if not shutil.which("wrk"):
        parser.error("wrk is not installed (Debian: apt-get install wrk)")

    triples = args.size
    data = HERE / "data" / f"{triples}.nq"
    if not data.exists():
        print(f"generating {triples} statements into {data} ...", file=sys.stderr)
        generate(data, triples)
    args.work.mkdir(parents=True, exist_ok=True)
    load_average_at_start = os.getloadavg()
    print("loading: kg load, then bulk_load of the same file ...", file=sys.stderr)
    prepared = prepare(data, args.work, triples)
    print(f"  kg load {prepared['kg_load']['seconds']}s, bulk_load {prepared['bulk_load']['seconds']}s "
          f"({prepared['kg_load_ratio']}x); union view: {prepared['union']}", file=sys.stderr)

    contenders = kg_contenders(prepared["store"], prepared["home"], KG_OPTIONS)
    contenders += oxigraph_contenders(prepared["disk_copy"], prepared["dump"], prepared["union"])
    if triples <= RDFLIB_MAX:
        contenders.append(rdflib_contender(prepared["store"], args.work))
    if args.only:
        keep = [word.strip() for word in args.only.split(",") if word.strip()]
        contenders = [c for c in contenders if c.kind == "oxigraph" or any(w in c.name for w in keep)]

    servers: list[Running] = []
    queries = mix.queries(triples)
    try:
        for contender in contenders:
            print(f"starting {contender.name} ...", file=sys.stderr)
            servers.append(Running(contender, args.work))
            rss, pss = servers[-1].memory_mb()
            print(f"  answered after {servers[-1].startup_seconds:.2f}s (+{servers[-1].load_seconds:.1f}s load), "
                  f"RSS {rss:.0f} MB, PSS {pss:.0f} MB in {servers[-1].processes()} processes", file=sys.stderr)
        print(f"query mix: {len(queries)} queries x {args.rounds} rounds ...", file=sys.stderr)
        mixed = run_mix(servers, queries, args.rounds)
        print("the mix asked twice ...", file=sys.stderr)
        repeated = run_repeated(servers, queries, args.repeats)
        print("wrk ...", file=sys.stderr)
        loads = run_wrk(servers, args.work, triples, args)
        for server in servers:
            server.memory_mb()
        measured = report.summarise(servers, queries, mixed, repeated, loads)
    finally:
        for server in servers:
            server.stop()

    import pyoxigraph

    now = dt.datetime.now(dt.timezone.utc)
    document = {
        "benchmark": "serving",
        "date": now.isoformat(timespec="seconds"),
        "command": "python benchmarks/serving.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "data": {"triples": triples, "quads_in_store": prepared["quads_in_store"], "union_view": prepared["union"]},
        "load": {key: prepared[key] for key in ("kg_load", "bulk_load", "kg_load_ratio")},
        "settings": {key: value for key, value in vars(args).items() if key not in ("work", "results")},
        "load_average": {"start": load_average_at_start, "end": os.getloadavg()},
        "machine": {"python": platform.python_version(), "pyoxigraph": pyoxigraph.__version__,
                    "platform": platform.platform(), "cpus": os.cpu_count(),
                    "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
                    "cpu": report.cpu_model(),
                    # what kg serve preloads unless a contender says otherwise (kg.allocator)
                    "malloc": allocator.preload(allocator.choice(os.environ.get("SAHEL_KG_MALLOC", "auto")))
                    or "the C library's"},
        "queries": queries,
        **measured,
    }
    print(report.render(document))
    args.results.mkdir(parents=True, exist_ok=True)
    label = f"{triples // 1_000_000}M" if triples >= 1_000_000 else f"{triples // 1000}k"
    out = args.results / f"{now.date().isoformat()}-serving-{label}.json"
    if out.exists():  # an earlier run of the same day and size is kept
        out = out.with_name(f"{now.strftime('%Y-%m-%dT%H%M')}-serving-{label}.json")
    out.write_text(json.dumps(document, indent=2, default=str) + "\n")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
