"""`kg load` killed with SIGKILL at any moment leaves the store as before the load, or fully loaded."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crash_helpers import content, kill_at, outcome
from test_store_crash import LOADED_TRIPLES as TRIPLES, big_file  # noqa: F401  (a fixture)

KG = Path(sys.executable).parent / "kg"
RECORD_QUADS = 9  # the loads graph's record of a one-file load (the load's 3 facts, the file's 5, prov:used)
FRACTIONS = [0.01, 0.08, 0.16, 0.3, 0.6, 0.9]  # of an uninterrupted load's duration


@pytest.fixture
def prior_store(tmp_path) -> Path:
    """A store as a user has it: the article installed by first use, and an earlier load."""
    path = tmp_path / "store"
    earlier = tmp_path / "earlier.ttl"
    earlier.write_text('<http://example.org/earlier> <http://example.org/p> _:b , "x"@fr .\n')
    subprocess.run([KG, "load", earlier, "--store", f"oxigraph:{path}"], check=True, capture_output=True)
    return path


def start_load(big_file: Path):
    def start(store: Path) -> subprocess.Popen:
        """`kg load` on `store`, returned once it has opened the store and starts reading."""
        process = subprocess.Popen([KG, "load", big_file, "--progress", "--store", f"oxigraph:{store}"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert process.stderr.readline().strip() == "loading"
        return process
    return start


def test_uninterrupted_load_then_kills_at_moments_across_it(prior_store, big_file, tmp_path):
    """Time a whole load, then kill loads at fractions of that time: each leaves all or nothing.

    The early kills land before the commit and must leave the store exactly as it was; late ones after it,
    and reopening the store redoes the committed load from RocksDB's log.
    """
    start = start_load(big_file)
    before = content(prior_store)

    timing = tmp_path / "timing"
    shutil.copytree(prior_store, timing)
    process = start(timing)
    began = time.monotonic()
    assert process.wait() == 0, process.stderr.read()
    duration = time.monotonic() - began
    assert f"{TRIPLES} quads read" in process.stderr.read()
    assert outcome(timing, before, TRIPLES + RECORD_QUADS) == "everything"

    outcomes = kill_at([duration * f for f in FRACTIONS], prior_store, tmp_path, start, TRIPLES + RECORD_QUADS)
    print(f"uninterrupted: {duration:.1f}s; kills: {outcomes}")
    assert next(iter(outcomes.values())) == "nothing", f"the earliest kill should land before the commit: {outcomes}"
    assert list(outcomes.values()).count("finished") < len(FRACTIONS) // 2, outcomes
    assert content(prior_store) == before  # the original was never touched
