"""What the dataset model costs and saves at scale: store size, heavy queries, updates.

The same generated N-Quads file is loaded twice, each into a fresh directory, in a fresh process:
    old   pyoxigraph's bulk_load: the quads as they are, which is what sahel-kg stored before the model;
          queries read it through Oxigraph's union view of all graphs (a bag: a triple in two graphs twice)
    new   kg.loading.load_files (what `kg load` runs): each quad, and its triple in the default graph,
          which holds the merge; queries read that plain default graph (a set)
Then each heavy query runs on both (a warm-up, then --repeat timed runs, medians) as loaded, and again
after both stores are compacted (pyoxigraph's Store.optimize, timed: a load may leave RocksDB files that
overlap, and reads pay for it until a compaction). Each update runs on a fresh copy of each
(compacted) store: on the old one as plain SPARQL (as sahel-kg ran it before), on the new one through
OxigraphStore.update, which rewrites it to keep the merge.

    python benchmarks/model.py --triples 1000000 --repeat 3

Writes benchmarks/results/<date>-model.json. Load times against bulk_load are benchmarks/run.py's job.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from run import spawn  # noqa: E402

PREFIXES = """PREFIX sahel: <https://sahel-kg.example.org/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX org: <http://www.w3.org/ns/org#>
"""
QUERIES = {
    "two-hop-partnerships": """SELECT (COUNT(*) AS ?n) WHERE {
  ?r1 sahel:provider ?a ; sahel:recipient ?b . ?r2 sahel:provider ?b ; sahel:recipient ?c . FILTER (?a != ?c) }""",
    "date-filter": """SELECT (COUNT(*) AS ?n) WHERE { ?claim a sahel:Claim ; sahel:validDuring ?span .
  ?span sahel:startsNotBefore ?start FILTER (?start >= "2010-01-01"^^xsd:date && ?start < "2016-01-01"^^xsd:date) }""",
    "property-path": """SELECT (COUNT(*) AS ?n) WHERE {
  ?relationship sahel:hasStatusPhase/sahel:during/time:hasBeginning/time:inXSDgYear ?year }""",
    "quote-path": "SELECT (COUNT(*) AS ?n) WHERE { ?claim ^oa:hasBody/oa:hasTarget/oa:hasSelector/oa:exact ?quote }",
    "alliances-typed": "SELECT (COUNT(*) AS ?n) WHERE { ?alliance a sahel:Alliance }",
    "count-triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "count-distinct-triples": "SELECT (COUNT(DISTINCT *) AS ?n) WHERE { ?s ?p ?o }",
}
# How each query is run: (the store it reads, whether through the union view). Not the new store's union
# view: Oxigraph's takes in the default graph too, so there it would read every triple twice.
VIEWS = {"old": ("old", True), "new": ("new", False)}
CLAIM = "https://sahel-kg.example.org/claim/synthetic-100"
NEW_TRIPLES = " ".join(f"<https://sahel-kg.example.org/id/bench-{i}> sahel:trend sahel:Persistent ." for i in range(20))
UPDATES = {
    "insert-data-20": f"INSERT DATA {{ GRAPH <https://example.org/bench> {{ {NEW_TRIPLES} }} }}",
    "delete-data-1": f"DELETE WHERE {{ GRAPH <{CLAIM}> {{ ?s a sahel:SecurityRelationship }} }}",
    "graph-store-put": f"DROP SILENT GRAPH <{CLAIM}> ; INSERT DATA {{ GRAPH <{CLAIM}> {{ {NEW_TRIPLES} }} }}",
    "drop-background": "DROP GRAPH <https://sahel-kg.example.org/graph/background>",
    "delete-trends-everywhere": "DELETE { GRAPH ?g { ?s sahel:trend ?o } } WHERE { GRAPH ?g { ?s sahel:trend ?o } }",
    "drop-provenance": "DROP GRAPH <https://sahel-kg.example.org/graph/provenance>",
}


# --- workers, each in its own process ------------------------------------------------------------------

def worker(task: str, model: str, directory: Path, argument: str, repeat: int) -> dict:
    import pyoxigraph as ox

    if task == "load":
        start = time.perf_counter()
        if model == "old":
            store = ox.Store(str(directory))
            store.bulk_load(path=argument, format=ox.RdfFormat.N_QUADS)
            store.flush()
            del store
        else:
            from kg.loading import load_files
            from kg.store.oxigraph import OxigraphStore

            with OxigraphStore(directory) as store:
                load_files(store, [Path(argument)])
        return {"seconds": time.perf_counter() - start}
    if task == "optimize":
        store = ox.Store(str(directory))
        start = time.perf_counter()
        store.optimize()
        store.flush()
        return {"seconds": time.perf_counter() - start}
    if task == "query":
        store = ox.Store.read_only(str(directory))
        text = PREFIXES + QUERIES[argument]
        times, cpu, answer = [], [], None
        for number in range(repeat + 1):  # the first run warms the caches and is not counted
            start, start_cpu = time.perf_counter(), time.process_time()
            (row,) = list(store.query(text, use_default_graph_as_union=VIEWS[model][1]))
            if number:
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            answer = int(row[0].value)
        return {"seconds": statistics.median(times), "runs": times, "cpu": statistics.median(cpu),
                "cpu_runs": cpu, "answer": answer}
    # an update, on this process's own copy of the store
    text = PREFIXES + UPDATES[argument]
    if model == "old":
        store = ox.Store(str(directory))
    else:
        from kg.store.oxigraph import OxigraphStore

        store = OxigraphStore(directory)
    start, start_cpu = time.perf_counter(), time.process_time()
    store.update(text)
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - start_cpu}


def run_worker(task: str, model: str, directory: Path, argument: str, repeat: int = 1) -> dict:
    seconds, used, out, _ = spawn([sys.executable, str(Path(__file__).resolve()), "--worker", task, model,
                                  str(directory), argument, str(repeat)])
    result = json.loads(out)
    result.update(used)
    return result


def size_mb(directory: Path) -> float:
    return round(sum(path.stat().st_size for path in directory.rglob("*") if path.is_file()) / 2**20, 1)


# --- the driver --------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the generated file (default 1M)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each query (default 3)")
    parser.add_argument("--work", type=Path, default=HERE / ".work", help="where the stores go")
    parser.add_argument("--results", type=Path, default=HERE / "results", help="directory for the JSON results")
    parser.add_argument("--skip", default="", help="comma-separated update names not to run")
    args = parser.parse_args(argv)
    if args.worker:
        task, model, directory, argument, repeat = args.worker
        print(json.dumps(worker(task, model, Path(directory), argument, int(repeat))))
        return 0

    data = HERE / "data" / f"{args.triples}.nq"
    if not data.exists():
        print(f"generating {args.triples} triples into {data} ...", file=sys.stderr)
        generate(data, args.triples)
    args.work.mkdir(parents=True, exist_ok=True)
    stores = {model: args.work / f"model-{model}" for model in ("old", "new")}
    report = {"benchmark": "model", "command": "python benchmarks/model.py " + " ".join(argv or sys.argv[1:]),
              "triples": args.triples, "load": {}, "size_mb": {}, "queries": {}, "updates": {},
              "load_average": [round(os.getloadavg()[0], 2)]}
    for model, directory in stores.items():
        shutil.rmtree(directory, ignore_errors=True)
        report["load"][model] = run_worker("load", model, directory, str(data))
        report["size_mb"][model] = size_mb(directory)
        print(f"load {model}: {report['load'][model]['seconds']:.1f}s, {report['size_mb'][model]} MB",
              file=sys.stderr)
    report["files"], report["optimize"], report["queries_compacted"] = {}, {}, {}
    for state in ("queries", "queries_compacted"):
        if state == "queries_compacted":
            for model, directory in stores.items():
                report["files"][model] = sum(1 for _ in directory.glob("*.sst"))
                report["optimize"][model] = run_worker("optimize", model, directory, "-")
                report["size_mb"][model + "_compacted"] = size_mb(directory)
                print(f"optimize {model}: {report['optimize'][model]['seconds']:.1f}s "
                      f"({report['files'][model]} files before), {report['size_mb'][model + '_compacted']} MB",
                      file=sys.stderr)
        for name in QUERIES:
            report[state][name] = {view: run_worker("query", view, stores[store], name, args.repeat)
                                   for view, (store, _) in VIEWS.items()}
            runs = report[state][name]
            print(f"{state} {name}: " + ", ".join(
                f"{view} {run['seconds']:.3f}s cpu {run['cpu']:.3f}s ({run['answer']})" for view, run in runs.items())
                + f"; new/old cpu {runs['new']['cpu'] / max(runs['old']['cpu'], 1e-6):.2f}",
                file=sys.stderr)
    skipped = {name.strip() for name in args.skip.split(",") if name.strip()}
    for name in (name for name in UPDATES if name not in skipped):
        report["updates"][name] = {}
        for model, directory in stores.items():
            copy = args.work / f"model-{model}-copy"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(directory, copy)
            report["updates"][name][model] = run_worker("update", model, copy, name)
            shutil.rmtree(copy, ignore_errors=True)
        old, new = (report["updates"][name][model] for model in ("old", "new"))
        print(f"update {name}: old {old['seconds']:.3f}s cpu {old['cpu']:.3f}s, new {new['seconds']:.3f}s "
              f"cpu {new['cpu']:.3f}s (peak RSS {old['rss_mb']} / {new['rss_mb']} MB)", file=sys.stderr)
    report["load_average"].append(round(os.getloadavg()[0], 2))
    import pyoxigraph

    now = dt.datetime.now(dt.timezone.utc)
    report["date"] = now.isoformat(timespec="seconds")
    report["machine"] = {"python": platform.python_version(), "pyoxigraph": pyoxigraph.__version__,
                         "cpus": os.cpu_count()}
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"{now.date().isoformat()}-model.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}", file=sys.stderr)
    for directory in stores.values():
        shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
