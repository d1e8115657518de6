"""Time `kg events load` of a generated N-row ACLED-style table beside its peer, morph-kgc's own
materialisation of the same table followed by pyoxigraph's bulk load of the N-Triples it wrote, in one run.

    (a) kg events load   `kg events load TABLE --store oxigraph:DIR`, as a subprocess, into a store that
                         already holds the article (so names are matched as in real use)
    (b) peer             `python -m morph_kgc` in the RML environment, then `Store.bulk_load` of its output
                         into a fresh store in a worker process (this file with --bulk-load); its figures
                         are the sum of the two times and the larger of the two peaks

Peak RSS comes from os.wait4 and is the largest single process of each command's tree (kg's own or the
morph-kgc child it starts); CPU seconds (user and system, children included) move less with the machine's load. Rounds interleave the two; the table prints medians and the ratio to the peer.

    .venv/bin/python benchmarks/event_tables.py --rows 20000 --rounds 2
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import kg_executable, spawn  # noqa: E402

FIXTURE = HERE.parent / "tests" / "fixtures" / "acled-style-events-FIXTURE.csv"


def event_table(path: Path, rows: int) -> Path:
    """`rows` rows cycling through the fixture's, each under an event id of its own (B0000001, ...)."""
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    header, body = lines[0], lines[1:]
    with open(path, "w", encoding="utf-8") as out:
        out.write(header + "\n")
        for number in range(rows):
            _, rest = body[number % len(body)].split(",", 1)
            out.write(f"B{number:07d},{rest}\n")
    return path


def kg_load(table: Path, work: Path, env: dict) -> tuple[float, float, int]:
    """Seconds, CPU seconds and peak RSS (MB) of `kg events load` into a store holding the article and one small load."""
    store = work / "kg-store"
    shutil.rmtree(store, ignore_errors=True)
    spawn([kg_executable(), "events", "load", str(FIXTURE), "--store", f"oxigraph:{store}"], env)
    seconds, used, _, err = spawn([kg_executable(), "events", "load", str(table), "--store", f"oxigraph:{store}"], env)
    print("  kg:", err.strip().split(";")[0], flush=True)
    return seconds, used["cpu_seconds"], used["rss_mb"]


def peer_load(table: Path, work: Path, env: dict) -> tuple[float, float, int]:
    """Seconds, CPU seconds and peak RSS (MB) of morph-kgc's materialisation plus pyoxigraph's bulk load of its output."""
    from kg.events import DEFAULT_MAPPING, SOURCE_NAME, morph_kgc_python

    folder = work / "peer"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    shutil.copyfile(table, folder / SOURCE_NAME)
    shutil.copyfile(DEFAULT_MAPPING, folder / "mapping.rml.ttl")
    (folder / "config.ini").write_text(
        "[CONFIGURATION]\noutput_file=out.nt\noutput_format=N-TRIPLES\nnumber_of_processes=1\nna_values=\n"
        "logging_level=WARNING\n[Events]\nmappings=mapping.rml.ttl\n", encoding="utf-8")
    here = os.getcwd()
    os.chdir(folder)
    try:
        mapped, mapping_used, _, _ = spawn([morph_kgc_python(), "-m", "morph_kgc", "config.ini"], env)
    finally:
        os.chdir(here)
    loaded, loading_used, out, _ = spawn([sys.executable, __file__, "--bulk-load", str(folder / "out.nt"),
                                          str(folder / "store")], env)
    print("  peer:", out.strip(), flush=True)
    cpu = mapping_used["cpu_seconds"] + loading_used["cpu_seconds"]
    return mapped + loaded, cpu, max(mapping_used["rss_mb"], loading_used["rss_mb"])


def bulk_load(source: str, directory: str) -> None:
    """The worker: bulk-load `source` (N-Triples) into a fresh store at `directory`."""
    import pyoxigraph

    store = pyoxigraph.Store(directory)
    store.bulk_load(path=source, format=pyoxigraph.RdfFormat.N_TRIPLES)
    store.flush()
    print(f"{len(store)} triples bulk-loaded")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--bulk-load":
        bulk_load(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None, help="a folder on the disk to measure (default: a temporary one)")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sahel-kg-events-bench-", dir=options.work))
    env = dict(os.environ, SAHEL_KG_HOME=str(work / "home"))
    table = event_table(work / "events.csv", options.rows)
    figures: dict[str, list[tuple[float, float, int]]] = {"kg events load": [], "peer (morph-kgc + bulk_load)": []}
    try:
        for round_number in range(options.rounds):
            print(f"round {round_number + 1} of {options.rounds}", flush=True)
            figures["kg events load"].append(kg_load(table, work, env))
            figures["peer (morph-kgc + bulk_load)"].append(peer_load(table, work, env))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    peer = [statistics.median(run[column] for run in figures["peer (morph-kgc + bulk_load)"]) for column in (0, 1)]
    print(f"\n{options.rows} rows, {options.rounds} round(s), medians; load average {os.getloadavg()[0]:.1f}")
    print(f"{'contender':<32}{'seconds':>10}{'CPU s':>8}{'peak RSS MB':>13}{'time/peer':>11}{'CPU/peer':>10}")
    for name, runs in figures.items():
        seconds, cpu, rss = (statistics.median(run[column] for run in runs) for column in (0, 1, 2))
        print(f"{name:<32}{seconds:>10.2f}{cpu:>8.2f}{rss:>13.0f}{seconds / peer[0]:>11.2f}{cpu / peer[1]:>10.2f}")


if __name__ == "__main__":
    main()
