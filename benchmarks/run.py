"""Time loading one generated N-Quads file into a fresh embedded Oxigraph store, four ways.

    (a) kg-cli         `kg load FILE --store oxigraph:DIR --no-progress`, the real CLI, as a subprocess
                       (wall time seen from outside: interpreter start, imports, first-use install of the
                       article, the load, the record, the final flush)
    (b) load_files     kg.loading.load_files into a fresh OxigraphStore, then close() (which flushes)
    (c) bulk_load      pyoxigraph Store.bulk_load(path=..., format=N_QUADS), then flush() (not atomic)
    (d) store_load     pyoxigraph Store.load(path=..., format=N_QUADS), then flush() (one transaction)

(b)-(d) run in a fresh worker process each (this file with --worker), timed inside it around the open, the
load and the flush; so every method starts with a cold process, and its peak RSS is that process's own
(os.wait4). Each repetition uses a new store directory under --work, removed afterwards. Methods are
interleaved within a round, so slow drift of the machine spreads over all of them.

Reports the median seconds, triples/s and the ratio to bulk_load; writes benchmarks/results/<date>-load.json.

    python benchmarks/run.py --triples 1000000 --repeat 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from itertools import islice
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

METHODS = ["kg-cli", "load_files", "bulk_load", "store_load"]
DIAGNOSTICS = ["parse_only", "kg_iterate", "raw_extend", "quads_bulk", "merge_bulk", "merge_blocks", "merge_twice",
               "sparql_merge", "kg-cli-fixed"]
BASELINE = "bulk_load"
TARGET = 1.1  # kg load should take at most this many times bulk_load (issue 11)


# --- the worker: one method, one fresh directory, in its own process -------------------------------------

def worker(method: str, data: Path, directory: Path) -> dict:
    import pyoxigraph as ox

    phases = {}
    start = time.perf_counter()
    if method == "parse_only":  # pyoxigraph's parser alone, quads handed to Python and dropped
        count = sum(1 for _ in ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS))
        phases["load"] = time.perf_counter() - start
        return {"seconds": phases["load"], "phases": phases, "quads": count}
    if method == "kg_iterate":  # kg load's Python per quad (parse, count, check, merge copy), nothing written
        from collections import deque

        from kg.loading import load_files
        from kg.store.oxigraph import OxigraphStore

        store = OxigraphStore(None)
        store._write_raw = lambda quads, large: deque(quads, maxlen=0)
        load_files(store, [data])
        phases["load"] = time.perf_counter() - start
        return {"seconds": phases["load"], "phases": phases, "quads": 0}
    if method == "load_files":
        from kg.loading import load_files
        from kg.store.oxigraph import OxigraphStore

        store = OxigraphStore(directory)
        load_files(store, [data])
        phases["load"] = time.perf_counter() - start
        store.close()  # flushes, as the CLI's `with open_store(...)` does
    else:
        store = ox.Store(str(directory))
        if method == "bulk_load":
            store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        elif method == "store_load":
            store.load(path=str(data), format=ox.RdfFormat.N_QUADS)
        elif method == "raw_extend":  # Store.extend over pyoxigraph's parser: no kg wrappers at all
            store.extend(ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS))
        elif method == "quads_bulk":  # the quads alone through Python into the bulk loader: no merge
            store.bulk_extend(ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS))
        elif method == "sparql_merge":  # the quads by bulk_load, the merge by one SPARQL INSERT (a transaction)
            store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
            phases["bulk"] = time.perf_counter() - start
            store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
            phases["merge"] = time.perf_counter() - start - phases["bulk"]
        elif method == "merge_twice":  # the quads, then the file again as the merge: blank nodes would differ
            store.bulk_extend(ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS))
            phases["bulk"] = time.perf_counter() - start
            store.bulk_extend(ox.Quad(each.subject, each.predicate, each.object)
                              for each in ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS))
            phases["merge"] = time.perf_counter() - start - phases["bulk"]
        elif method.startswith("merge_blocks"):  # merge_blocks[:N]: N quads, then their triples, each a bulk pass
            block = int(method.partition(":")[2] or 1_000_000)  # the bulk loader's batch is 1M quads
            source = ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS)
            while True:
                triples = []

                def taken():
                    for each in islice(source, block):
                        triples.append(ox.Quad(each.subject, each.predicate, each.object))
                        yield each
                store.bulk_extend(taken())
                store.bulk_extend(triples)
                if len(triples) < block:
                    break
        elif method == "merge_bulk":  # what kg's store writes, without kg: each quad and its triple in the merge
            store.bulk_extend(quad for each in ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS)
                              for quad in (each, ox.Quad(each.subject, each.predicate, each.object)))
        else:
            raise SystemExit(f"unknown method {method}")
        if method not in ("bulk_load", "store_load", "raw_extend"):
            written = time.perf_counter() - start
            phases.setdefault("bulk", written - phases.get("merge", 0.0))
            store.optimize()  # as kg/store/staging.py does: the bulk loader leaves overlapping files
            phases["optimize"] = time.perf_counter() - start - written
        phases["load"] = time.perf_counter() - start
        store.flush()
        del store
    seconds = time.perf_counter() - start
    phases["flush"] = seconds - phases["load"]
    import pyoxigraph as ox  # noqa: F811  (count outside the timing, from a reopened store)

    count = len(ox.Store.read_only(str(directory)))
    return {"seconds": seconds, "phases": phases, "quads": count}


# --- the driver --------------------------------------------------------------------------------------------

def kg_executable() -> str:
    beside = Path(sys.executable).parent / "kg"
    found = str(beside) if beside.exists() else shutil.which("kg")
    if not found:
        raise SystemExit("cannot find the `kg` command: install the project (pip install -e .) in this venv")
    return found


def spawn(command: list[str], env: dict | None = None) -> tuple[float, dict, str, str]:
    """Run a command; return its wall seconds, its own usage (peak RSS MB, CPU seconds) and its output."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    # read the pipes while waiting, then reap with wait4 for this child's own rusage
    out, err = process.stdout.read(), process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{err.decode(errors='replace')}")
    used = {"rss_mb": usage.ru_maxrss // 1024, "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3)}
    return seconds, used, out.decode(), err.decode()


def run_once(method: str, data: Path, directory: Path, tiny: Path) -> dict:
    shutil.rmtree(directory, ignore_errors=True)
    # Never the user's default store; and an empty one, as for an export: the generated data names the
    # project's own graphs, which a store holding the article keeps from a load.
    env = dict(os.environ, SAHEL_KG_HOME=str(directory.parent / "home"), SAHEL_KG_INSTALL_ARTICLE="false")
    try:
        if method in ("kg-cli", "kg-cli-fixed"):
            source = data if method == "kg-cli" else tiny
            seconds, used, _, err = spawn([kg_executable(), "load", str(source), "--store", f"oxigraph:{directory}",
                                          "--no-progress"], env)
            loaded = next((line for line in err.splitlines() if line.startswith("loaded ")), err.strip())
            import pyoxigraph as ox

            quads = len(ox.Store.read_only(str(directory)))
            return {"seconds": seconds, **used, "quads": quads, "note": loaded}
        seconds, used, out, _ = spawn([sys.executable, str(Path(__file__).resolve()), "--worker", method,
                                      str(data), str(directory)], env)
        result = json.loads(out)
        # Timed from outside, as kg-cli is, so that ratios compare like with like; the worker's own timing
        # (no interpreter start, no imports) is kept beside it. CPU seconds are the whole worker's too.
        result.update(used, seconds=seconds, seconds_inside=result["seconds"])
        return result
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def summarise(method: str, runs: list[dict], triples: int) -> dict:
    seconds = [run["seconds"] for run in runs]
    median = statistics.median(seconds)
    return {
        "method": method,
        "runs_seconds": [round(s, 3) for s in seconds],
        "median_seconds": round(median, 3),
        "triples_per_second": round(triples / median),
        "peak_rss_mb": max(run["rss_mb"] for run in runs),
        "median_cpu_seconds": round(statistics.median(run["cpu_seconds"] for run in runs), 3),
        "load_average_before": [run["load_average"] for run in runs],
        "quads_in_store": runs[-1]["quads"],
        "phases_median": {name: round(statistics.median(run["phases"][name] for run in runs), 3)
                          for name in runs[0].get("phases", {})},
    }


def table(rows: list[dict], baseline: float | None) -> str:
    lines = [f"{'method':<14} {'median s':>9} {'triples/s':>10} {'x bulk':>7} {'CPU s':>7} {'RSS MB':>7}  runs (s)"]
    for row in rows:
        ratio = f"{row['ratio_to_bulk_load']:.2f}" if baseline else "-"
        runs = ", ".join(f"{s:.1f}" for s in row["runs_seconds"])
        lines.append(f"{row['method']:<14} {row['median_seconds']:>9.2f} {row['triples_per_second']:>10,} "
                     f"{ratio:>7} {row['median_cpu_seconds']:>7.1f} {row['peak_rss_mb']:>7}  {runs}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", nargs=3, metavar=("METHOD", "DATA", "DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the generated file (default 1M)")
    parser.add_argument("--data", type=Path, help="N-Quads file to load (default: benchmarks/data/<N>.nq, "
                                                  "generated if missing)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each method (default 3)")
    parser.add_argument("--methods", default=",".join(METHODS),
                        help=f"comma-separated, from {', '.join(METHODS + DIAGNOSTICS)} (default: the first four)")
    parser.add_argument("--diagnostics", action="store_true",
                        help=f"also time {', '.join(DIAGNOSTICS)} (the parser alone, kg's Python per quad, "
                             "ways of writing the merge without kg, the CLI's fixed cost; see benchmarks/README.md)")
    parser.add_argument("--work", type=Path, default=HERE / ".work",
                        help="where the fresh store directories go (default benchmarks/.work; same disk as a real store)")
    parser.add_argument("--results", type=Path, default=HERE / "results", help="directory for the JSON results")
    args = parser.parse_args(argv)

    if args.worker:
        method, data, directory = args.worker
        print(json.dumps(worker(method, Path(data), Path(directory))))
        return 0

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    if args.diagnostics:
        methods += [m for m in DIAGNOSTICS if m not in methods]
    unknown = {m.partition(":")[0] for m in methods} - set(METHODS + DIAGNOSTICS)
    if unknown:
        parser.error(f"unknown method(s): {', '.join(sorted(unknown))}")

    data = args.data or HERE / "data" / f"{args.triples}.nq"
    if not data.exists():
        print(f"generating {args.triples} triples into {data} ...", file=sys.stderr)
        generate(data, args.triples)
    triples = sum(1 for _ in open(data, "rb")) if args.data else args.triples
    args.work.mkdir(parents=True, exist_ok=True)
    tiny = args.work / "tiny.nq"
    generate(tiny, 1)

    runs: dict[str, list[dict]] = {method: [] for method in methods}
    began = time.perf_counter()
    for round_number in range(1, args.repeat + 1):
        for method in methods:
            load_average = round(os.getloadavg()[0], 2)
            result = run_once(method, data, args.work / f"store-{method}", tiny)
            result["load_average"] = load_average
            runs[method].append(result)
            print(f"round {round_number}/{args.repeat} {method:<13} {result['seconds']:7.2f}s "
                  f"cpu {result['cpu_seconds']:.1f}s rss {result['rss_mb']} MB, {result['quads']} quads in store, "
                  f"load average before {load_average}", file=sys.stderr)
    total = time.perf_counter() - began

    rows = [summarise(method, runs[method], triples) for method in methods]
    baseline = next((row["median_seconds"] for row in rows if row["method"] == BASELINE), None)
    for row in rows:
        row["ratio_to_bulk_load"] = round(row["median_seconds"] / baseline, 3) if baseline else None
    print(table(rows, baseline))
    kg = next((row for row in rows if row["method"] == "kg-cli"), None)
    if kg and baseline:
        verdict = "meets" if kg["ratio_to_bulk_load"] <= TARGET else "misses"
        print(f"kg load is {kg['ratio_to_bulk_load']:.2f}x bulk_load: {verdict} the target of <= {TARGET}x")

    import pyoxigraph

    now = dt.datetime.now(dt.timezone.utc)
    report = {
        "benchmark": "load",
        "date": now.isoformat(timespec="seconds"),
        "command": "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "data": {"path": str(data), "triples": triples, "bytes": data.stat().st_size, "format": "nquads"},
        "repeat": args.repeat,
        "baseline": BASELINE,
        "target_ratio": TARGET,
        "results": rows,
        "total_seconds": round(total, 1),
        "machine": {"python": platform.python_version(), "pyoxigraph": pyoxigraph.__version__,
                    "platform": platform.platform(), "cpus": os.cpu_count()},
    }
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"{now.date().isoformat()}-load.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out} (run took {total:.0f}s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
