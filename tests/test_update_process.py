"""An embedded update with a WHERE runs in a process of its own (kg.store.killable_update): Ctrl-C stops `kg update`
at once, where the engine's one uninterruptible call held it for the whole join, and a kill of `kg update` takes
that process down too, so it neither writes on nor keeps the store from the next writer."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from api_fixtures import AUTH, WRITABLE, article_store, make_app  # noqa: F401 (fixtures)
from kg.errors import EXIT_INTERRUPTED
from kg.store.oxigraph import OxigraphStore
from long_work import CROSS_COUNT, SOON, wait_until

KG = [sys.executable, "-c", "from kg.launch import main; main()"]
EX = "http://example.org/"
ENDLESS = f"INSERT {{ <{EX}counted> <{EX}n> ?n }} WHERE {{ {{ {CROSS_COUNT} }} }}"


def update_processes(pid: int) -> list[int]:
    """The update processes (kg.store.killable_update) whose parent is `pid`, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat, command = (entry / "stat").read_text(), (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"PR_SET_PDEATHSIG" in command:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def updating(tmp_path, article_store):
    """`kg update` of an endless update started on a copy of the article's store: (process, its update process)."""
    shutil.copytree(article_store, tmp_path / "store")
    env = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    process = subprocess.Popen([*KG, "update", "--store", f"oxigraph:{tmp_path / 'store'}", "-q", ENDLESS],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**env, "SAHEL_KG_HOME": str(tmp_path / "home")},
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        wait_until(lambda: update_processes(process.pid) or process.poll() is not None, what="the update's own process")
        assert process.poll() is None, process.communicate()
        yield process, update_processes(process.pid)[0]
    finally:
        process.kill()
        process.communicate()


def test_ctrl_c_stops_kg_update_at_once_and_writes_nothing(updating, tmp_path):
    process, worker = updating
    process.send_signal(signal.SIGINT)
    _, said = process.communicate(timeout=SOON)
    assert process.returncode == EXIT_INTERRUPTED and "interrupted" in said, said
    wait_until(lambda: not alive(worker), what="the end of the update's process")
    store = OxigraphStore(tmp_path / "store")  # for writing: nothing holds the store
    assert not store.query(f"ASK {{ <{EX}counted> ?p ?o }}")
    store.close()


def test_a_kill_of_kg_update_takes_its_update_process_down(updating, tmp_path):
    process, worker = updating
    process.kill()
    process.communicate(timeout=SOON)
    wait_until(lambda: not alive(worker), what="the end of the update's process")
    store = OxigraphStore(tmp_path / "store")
    assert not store.query(f"ASK {{ <{EX}counted> ?p ?o }}")
    store.close()


def test_readers_of_the_servers_handle_see_the_data_before_the_update_meanwhile(make_app):
    """The handle for writing is closed while the update's process has the store: a Graph Store write's check of
    the project's graphs, made with it outside the write lock, found none (AttributeError, a 500)."""
    app = make_app({**WRITABLE, "QUERY_TIMEOUT": 3600})
    writer, outcome = app.extensions["sahel-kg"].writer, {}
    before = writer.graphs()

    def update():
        outcome["answer"] = app.test_client().post("/sparql", headers=AUTH, data={"update": ENDLESS})

    thread = threading.Thread(target=update)
    thread.start()
    try:
        wait_until(lambda: update_processes(os.getpid()), what="the update's own process")
        assert writer.graphs() == before
    finally:
        for pid in update_processes(os.getpid()):
            os.kill(pid, signal.SIGKILL)  # as the kernel's OOM killer would
        thread.join(SOON)
    answer = outcome["answer"]
    assert (answer.status_code, answer.json["title"]) == (503, "Store unavailable"), answer.get_data(as_text=True)
    written = app.test_client().post("/sparql", headers=AUTH, data={"update": f"INSERT DATA {{ <{EX}a> <{EX}b> 1 }}"})
    assert written.status_code == 204 and writer.graphs() != before
