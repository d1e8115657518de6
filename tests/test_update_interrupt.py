"""`kg update` stops at a Ctrl-C, and at --timeout, with nothing written: the embedded engine runs an update in
one call no signal interrupts (a Ctrl-C waited for the whole join, then the update was committed all the same), so
the update runs in a process of its own (kg.store.killable_update), which kg kills."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from api_fixtures import article_store  # noqa: F401 (a fixture)
from kg.errors import EXIT_INTERRUPTED
from kg.store import stamp
from kg.store.oxigraph import OxigraphStore
from long_work import CROSS_COUNT, SOON, wait_until
from process_tree import is_running

KG = [sys.executable, "-c", "from kg.launch import main; main()"]
EX = "http://example.org/interrupt/"
ENDLESS = f"INSERT {{ GRAPH <{EX}g> {{ <{EX}counted> <{EX}n> ?n }} }} WHERE {{ {{ {CROSS_COUNT} }} }}"


def _parent(pid: str) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def holder_of(store: Path, parent: int) -> int | None:
    """The child of `parent` that has the store's files open (RocksDB's LOCK): the update is under way."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _parent(entry.name) == parent:
            try:
                opened = [os.readlink(link) for link in (entry / "fd").iterdir()]
            except OSError:
                continue
            if str(store / "LOCK") in opened:
                return int(entry.name)
    return None


def gone(pid: int) -> bool:
    """Whether every thread of `pid` has ended: its first turns zombie while the others still hold the store's LOCK."""
    return not is_running(pid)


@pytest.fixture
def store(tmp_path, article_store):
    shutil.copytree(article_store, tmp_path / "store")
    OxigraphStore(tmp_path / "store").close()  # a writer's opening stamps the copy, which has no version beside it
    return tmp_path / "store"


def kg_update(store: Path, *options) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    return subprocess.Popen([*KG, "update", "--store", f"oxigraph:{store}", *options, "-q", ENDLESS],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
                            env={**env, "SAHEL_KG_HOME": str(store.parent / "home")},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as a shell's child


def as_it_is(store: Path) -> tuple[int, object]:
    """The store's quads and version, to compare after."""
    with OxigraphStore(store, read_only=True) as reader:
        return reader.count(), stamp.read(store)


@contextmanager
def updating(store: Path):
    """`kg update` of an endless update, once its process holding the store is found: (kg, that process)."""
    process = kg_update(store)
    try:
        wait_until(lambda: holder_of(store, process.pid) or process.poll() is not None, what="the update's start")
        worker = holder_of(store, process.pid)
        assert worker is not None, process.communicate()
        yield process, worker
    finally:
        process.kill()
        process.communicate()


def unchanged(store: Path, before: tuple[int, object]) -> None:
    quads, version = before
    assert stamp.read(store) == version  # no new version: readers' caches stay good
    with OxigraphStore(store) as again:  # for writing: nothing holds the lock
        assert again.count() == quads and not again.query(f"ASK {{ <{EX}counted> ?p ?o }}")


def test_ctrl_c_stops_a_long_kg_update_with_nothing_written_and_the_store_unlocked(store):
    before = as_it_is(store)
    with updating(store) as (process, worker):
        process.send_signal(signal.SIGINT)
        _, said = process.communicate(timeout=SOON)
    assert process.returncode == EXIT_INTERRUPTED, said
    assert said.strip().splitlines()[-1] == "interrupted (Ctrl-C): the update was stopped; nothing of it was written"
    assert "Traceback" not in said
    wait_until(lambda: gone(worker), what="the end of the update's process")
    unchanged(store, before)


def test_a_kill_of_kg_update_takes_its_update_process_down(store):
    before = as_it_is(store)
    with updating(store) as (process, worker):
        process.kill()
    wait_until(lambda: gone(worker), what="the end of the update's process")
    unchanged(store, before)


def test_kg_update_stops_at_its_time_limit_with_nothing_written(store):
    before = as_it_is(store)
    process = kg_update(store, "--timeout", "1")
    _, said = process.communicate(timeout=SOON * 4)
    assert process.returncode == 1 and said.strip().splitlines()[-1] == \
        "error: update stopped after its time limit of 1s", said
    unchanged(store, before)


def test_an_update_that_runs_apart_writes_and_says_so_as_before(store):
    done = subprocess.run([*KG, "update", "--store", f"oxigraph:{store}", "-q",
                           f"INSERT {{ GRAPH <{EX}g> {{ ?s <{EX}seen> true }} }} WHERE {{ ?s a sahel:SovereignState }}"],
                          capture_output=True, text=True, timeout=SOON * 4,
                          env={**os.environ, "SAHEL_KG_HOME": str(store.parent / "home")})
    assert done.returncode == 0 and "updated:" in done.stderr, done.stderr
    with OxigraphStore(store, read_only=True) as reader:
        assert reader.query(f"ASK {{ GRAPH <{EX}g> {{ ?s <{EX}seen> true }} }}")
