"""Small writes to an embedded store: kg's (which publishes a read view after each, kg.store.views) beside
pyoxigraph's own update, and its update followed by a flush, on the same disk in the same run.

Run: .venv/bin/python benchmarks/small_writes.py [--writes N] [--work DIR]   (prints milliseconds a write)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph

from kg.store.oxigraph import OxigraphStore

EX = "http://example.org/bench/"


def timed(write, writes: int) -> float:
    """Median milliseconds of `writes` calls of write(number)."""
    spent = []
    for number in range(writes):
        started = time.perf_counter()
        write(number)
        spent.append(time.perf_counter() - started)
    return statistics.median(spent) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=50)
    parser.add_argument("--work", type=Path, default=None, help="a folder on the disk to measure (default: a temporary one)")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(dir=options.work))
    text = "INSERT DATA {{ GRAPH <{0}g> {{ <{0}s{1}> <{0}p> {1} }} }}"

    engine = pyoxigraph.Store(str(work / "engine"))
    bare = timed(lambda n: engine.update(text.format(EX, n)), options.writes)
    flushed = timed(lambda n: (engine.update(text.format(EX, n + options.writes)), engine.flush()), options.writes)
    with OxigraphStore(work / "kg") as store:
        kg = timed(lambda n: store.update(text.format(EX, n)), options.writes)

    print(f"{'writer':<34}{'ms a write':>12}{'ratio':>8}")
    for name, value in (("pyoxigraph update", bare), ("pyoxigraph update + flush", flushed),
                        ("kg update (and its read view)", kg)):
        print(f"{name:<34}{value:>12.2f}{value / bare:>8.1f}")


if __name__ == "__main__":
    main()
