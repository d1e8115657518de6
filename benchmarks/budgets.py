"""What a client's budget adds to a query: a reservation and its give-back, kept in SQLite in this process's
memory or in the SQLite file the server processes of one `kg serve` share (api.budget_tables).

    .venv/bin/python benchmarks/budgets.py [--requests 20000] [--rounds 5] [--clients 100]

Prints the median over rounds of microseconds per request (one reserve + one give_back), with one process
and with two processes charging the same file at once (as two server processes do). Wall time, so it
is the cost a request waits for, lock waits included; run it on a quiet machine for steady figures.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import time
from pathlib import Path

from api.fairness import Budgets


def charge(path, requests: int, clients: int) -> float:
    """Microseconds per request of `requests` reserve/give_back pairs over `clients` clients, with the
    buckets in the file at `path` (None: in memory)."""
    budgets = Budgets(1e9, path)  # never spent: the cost of the bookkeeping alone
    started = time.perf_counter()
    for number in range(requests):
        client = f"client-{number % clients}"
        budgets.reserve(client, 10.0)
        budgets.give_back(client, 9.99)
    return (time.perf_counter() - started) / requests * 1e6


def _charge_file(path: str, requests: int, clients: int, results) -> None:
    results.put(charge(path, requests, clients))


def two_processes(path: str, requests: int, clients: int) -> float:
    """Microseconds per request seen by each of two processes charging one file at once (their mean)."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_charge_file, args=(path, requests, clients, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    figures = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    return statistics.mean(figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=100)
    options = parser.parse_args()
    figures: dict[str, list[float]] = {"memory (one process)": [], "SQLite file, one process": [],
                                       "SQLite file, two processes at once": []}
    with tempfile.TemporaryDirectory(prefix="sahel-kg-budgets-") as folder:
        for number in range(options.rounds):
            path = str(Path(folder) / f"budgets-{number}.sqlite3")
            figures["memory (one process)"].append(charge(None, options.requests, options.clients))
            figures["SQLite file, one process"].append(charge(path, options.requests, options.clients))
            figures["SQLite file, two processes at once"].append(
                two_processes(path, options.requests, options.clients))
    print(f"{options.requests} requests x {options.rounds} rounds, {options.clients} clients; "
          "microseconds per request (reserve + give_back), median [min-max]")
    for name, values in figures.items():
        print(f"  {name:36} {statistics.median(values):8.1f}  [{min(values):.1f}-{max(values):.1f}]")


if __name__ == "__main__":
    main()
