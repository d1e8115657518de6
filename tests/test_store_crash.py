"""A load killed with SIGKILL part-way leaves the embedded store exactly as it was before the load."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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
LOADED_TRIPLES = 200_000
KILL_AFTER = [0.05, 0.2, 0.4, 0.8, 1.2, 2.0]  # seconds after the loader starts reading


def content(path: Path) -> set[str]:
    with OxigraphStore(path) as store:
        return {str(quad) for quad in store._store}


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


def test_uninterrupted_load_adds_everything(prior_store, big_file):
    path, before = prior_store
    started = time.monotonic()
    process = start_loader(path, big_file)
    assert process.stdout.readline().strip() == "loaded" and process.wait() == 0
    assert len(content(path)) == len(before) + LOADED_TRIPLES
    print(f"uninterrupted load took {time.monotonic() - started:.1f}s")


def test_killed_load_leaves_all_or_nothing(prior_store, big_file, tmp_path):
    """Kill loads at moments spread over the whole load: each leaves the prior content, or all of the load.

    What we saw: the commit (RocksDB writing the transaction to its log) comes about a third of the way
    in; the rest is applying it to the in-memory tables, which recovery redoes from the log. Early kills
    must therefore leave the prior content exactly, and at least one kill must land before the commit.
    """
    path, before = prior_store
    copies = [tmp_path / f"copy{i}" for i in range(len(KILL_AFTER))]
    outcomes = []
    for copy, kill_after in zip(copies, KILL_AFTER):
        shutil.copytree(path, copy)
        process = start_loader(copy, big_file)
        time.sleep(kill_after)
        if process.poll() is not None:
            pytest.fail(f"the load ended within {kill_after}s: make the file bigger so kills land mid-load")
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = content(copy)
        assert after == before or (after > before and len(after) == len(before) + LOADED_TRIPLES), \
            f"a kill after {kill_after}s left {len(after) - len(before)} of {LOADED_TRIPLES} quads"
        outcomes.append("nothing" if after == before else "everything")
    print(dict(zip(KILL_AFTER, outcomes)))
    assert outcomes[0] == "nothing", f"the earliest kill should land before the commit: {outcomes}"
