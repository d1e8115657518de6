"""A load killed with SIGKILL part-way leaves the embedded store exactly as it was before the load."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crash_helpers import content, kill_at
from kg.store.oxigraph import OxigraphStore

REPO = Path(__file__).resolve().parent.parent
LOADER = """
import sys
from kg.store.oxigraph import OxigraphStore
store = OxigraphStore(sys.argv[1])
print("loading", flush=True)
store.load(sys.argv[2], format="ntriples")
store.close()
print("loaded", flush=True)
"""
PRIOR_QUADS = 1000
LOADED_TRIPLES = 100_000
FRACTIONS = [0.01, 0.08, 0.16, 0.3, 0.6, 0.9]  # of an uninterrupted load's duration


def start_loader(store_path: Path, data: Path) -> subprocess.Popen:
    """A separate process loading `data`; returns once it says it has opened the store and starts."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    process = subprocess.Popen([sys.executable, "-c", LOADER, str(store_path), str(data)],
                               stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
    assert process.stdout.readline().strip() == "loading"
    return process


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("crash") / "big.nt"
    with open(path, "w") as out:
        for i in range(LOADED_TRIPLES):
            out.write(f'<http://example.org/s{i}> <http://example.org/p{i % 7}> "value {i}"@en .\n')
    return path


@pytest.fixture
def prior_store(tmp_path) -> tuple[Path, set[str]]:
    """A persistent store with some content, blank nodes and named graphs included, and that content."""
    path = tmp_path / "store"
    with OxigraphStore(path) as store:
        store.update("INSERT DATA { " + " ".join(
            f"GRAPH <http://example.org/g{i % 3}> {{ <http://example.org/k{i}> <http://example.org/p> _:b{i} }}"
            for i in range(PRIOR_QUADS)) + " }")
    return path, content(path)


def test_uninterrupted_load_then_kills_at_moments_across_it(prior_store, big_file, tmp_path):
    """Time a whole load, then kill loads at fractions of that time: each leaves the prior content, or all
    of the load (moments in seconds would land elsewhere on a faster or slower machine).

    What we saw: the commit (RocksDB writing the transaction to its log) comes about a third of the way
    in; the rest is applying it to the in-memory tables, which recovery redoes from the log. Early kills
    must therefore leave the prior content exactly, and at least one kill must land before the commit.
    """
    path, before = prior_store
    timing = tmp_path / "timing"
    shutil.copytree(path, timing)
    started = time.monotonic()
    process = start_loader(timing, big_file)
    assert process.stdout.readline().strip() == "loaded" and process.wait() == 0
    duration = time.monotonic() - started
    assert len(content(timing)) == len(before) + LOADED_TRIPLES

    outcomes = kill_at([duration * f for f in FRACTIONS], path, tmp_path, lambda copy: start_loader(copy, big_file),
                       LOADED_TRIPLES)
    print(f"uninterrupted: {duration:.1f}s; kills: {outcomes}")
    assert next(iter(outcomes.values())) == "nothing", f"the earliest kill should land before the commit: {outcomes}"
    assert list(outcomes.values()).count("finished") < len(FRACTIONS) // 2, outcomes
    assert content(path) == before  # the original was never touched
