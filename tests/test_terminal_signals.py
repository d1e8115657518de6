"""Ctrl-C typed in a real terminal (a pty), where SIGINT goes to the whole foreground process group: the kg
process decides what it stops, never its query workers, and nothing prints a traceback."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from api_fixtures import TOKEN
from kg.errors import EXIT_INTERRUPTED, INTERRUPTED
from long_work import CROSS_ROWS, SOON, wait_until
from on_terminal import OnTerminal
from process_tree import children
from raw_http import http, query_url
from servers import free_port

KG = [sys.executable, "-c", "from kg.launch import main; main()"]
ROWS = 100_000  # tens of MB of JSON: far more than the pipes and buffers between a query worker and a client hold


def environment(home, **settings: str) -> dict[str, str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    return {**clean, "SAHEL_KG_HOME": str(home), "PYTHONUNBUFFERED": "1", **settings}


def test_ctrl_c_stops_kg_serve_once_it_has_finished_the_answer_it_is_streaming(tmp_path):
    """A query worker shared the terminal's process group: Ctrl-C killed it mid-answer ("a query worker died"),
    and the answer was cut, though the server stops as on SIGTERM, answering what is in flight."""
    port = free_port()
    server = OnTerminal([*KG, "serve", "--port", str(port)], cwd=tmp_path,
                        env=environment(tmp_path / "home", SAHEL_KG_ROW_LIMIT=str(ROWS),
                                        SAHEL_KG_QUERY_TIMEOUT="600"))
    base = f"http://127.0.0.1:{port}"
    try:
        server.expect("Listening at", timeout=120)

        def answers() -> bool:
            try:
                return http(base + "/healthz", timeout=SOON)[0] == 200
            except OSError:
                return False

        wait_until(answers, seconds=120, what="the server's first answer")
        url = query_url(base, f"SELECT * WHERE {{ ?a ?b ?c . ?d ?e ?f }} LIMIT {ROWS}")
        with urllib.request.urlopen(url, timeout=SOON) as response:
            first = response.read(65536)  # the answer is streaming; the client holds the rest back for now
            server.ctrl_c()
            server.expect("Shutting down granian")
            try:
                rest = response.read()
            except TimeoutError:  # seen once beside CPU hogs: show where each process was
                raise AssertionError(f"the answer stalled after Ctrl-C; the server's stacks:\n{server.stacks()}")
        assert len(json.loads(first + rest)["results"]["bindings"]) == ROWS
        assert server.wait(timeout=120) == 0
    finally:
        server.close()
    assert "Traceback" not in server.seen and "query worker died" not in server.seen, server.seen


def triples(count: int, start: int = 0) -> bytes:
    return "".join(f'<http://example.org/s{n}> <http://example.org/p> "value {n}, with some text to fill the line" .\n'
                   for n in range(start, start + count)).encode()


@pytest.mark.parametrize("before", [0, 9 << 20], ids=["one transaction", "staged bulk load"])
def test_ctrl_c_during_kg_load_leaves_the_store_as_it_was(tmp_path, before):
    """Ctrl-C while kg load reads its input: exit 130 with one line, and nothing of the load in the store (no quad,
    no load record, no staging copy). The last input is a FIFO the test keeps open, so the load cannot end first;
    the test's writes to it return once kg has read most of them. A file of 9 MiB before it makes the load a
    staged bulk load into a copy of the store (kg.store.staging)."""
    from kg.store.oxigraph import OxigraphStore

    home = tmp_path / "home"
    env = environment(home)
    installed = subprocess.run([*KG, "info"], env=env, capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stderr
    with OxigraphStore(home / "store", read_only=True) as store:
        quads = store.count()
    files = []
    if before:
        (tmp_path / "first.nt").write_bytes(triples(before // 80, start=10**7))
        files.append(tmp_path / "first.nt")
    fifo = tmp_path / "held.nt"
    os.mkfifo(fifo)
    files.append(fifo)
    load = OnTerminal([*KG, "load", *map(str, files), "--graph", "http://example.org/g"], cwd=tmp_path, env=env)
    try:
        with open(fifo, "wb") as held:  # opened once kg opens it: it has read every file before
            held.write(triples(20_000))  # about 1.4 MB: far more than a pipe holds, so kg is reading and loading
            held.flush()
            load.ctrl_c()
            status = load.wait(timeout=120)
    finally:
        load.close()
    # a staged load stopped before its commit says so: it said "stopped" alone, 11-15 s after a 100% bar (helper-199)
    said = "interrupted (Ctrl-C): the load was stopped; nothing of it was written" if before else INTERRUPTED
    assert status == EXIT_INTERRUPTED and said in load.seen and "Traceback" not in load.seen, load.seen
    assert "writing" not in load.seen  # a FIFO's size is no end of the input: it said so while still reading one
    with OxigraphStore(home / "store", read_only=True) as store:
        assert store.count() == quads
    assert sorted(path.name for path in home.iterdir() if "store" in path.name) == [
        ".store.lock", ".store.version", ".store.views", "store"]


def test_the_bar_says_writing_once_the_input_is_read(tmp_path):
    """The bar stood at 'loading 100%' for the engine's own writing, which no Ctrl-C cuts short (11-15 s of a
    million quads; helper-199): once every byte is read it says 'writing'."""
    (tmp_path / "data.nt").write_bytes(triples(20_000))
    load = OnTerminal([*KG, "load", str(tmp_path / "data.nt"), "--graph", "http://example.org/g"], cwd=tmp_path,
                      env=environment(tmp_path / "home"))
    try:
        status = load.wait(timeout=120)
    finally:
        load.close()
    assert status == 0 and re.search(r"writing\s+\[#+\]\s+100%", load.seen), load.seen


def test_ctrl_c_while_a_server_process_builds_its_app_stops_kg_serve_without_a_kill(tmp_path):
    """A server process is forked with the supervisor's signal handlers, and kept them until granian set its own,
    once the app was built: a Ctrl-C (or SIGTERM) meanwhile was lost, and the supervisor killed the process at
    the end of the grace ("refused to gracefully stop"). The access log is a FIFO here, whose opening holds
    the app's building until the test reads it, after the Ctrl-C."""
    port, access_log = free_port(), tmp_path / "access.log"
    os.mkfifo(access_log)
    server = OnTerminal([*KG, "serve", "--port", str(port)], cwd=tmp_path,
                        env=environment(tmp_path / "home", SAHEL_KG_ACCESS_LOG=str(access_log)))
    try:
        server.expect("Spawning worker-1", timeout=120)  # forked: it now builds the app, held at the log's opening
        server.ctrl_c()
        with open(access_log, "rb") as log:  # lets the app's building go on
            status = server.wait(timeout=120)
            log.read()
    finally:
        server.close()
    assert status == 0 and "Granian shutdown completed" in server.seen, server.seen
    assert "refused to gracefully stop" not in server.seen and "Traceback" not in server.seen, server.seen


def served_on_a_terminal(tmp_path, port: int, *options: str, before: tuple[str, ...] = (),
                         **settings: str) -> OnTerminal:
    """`kg serve` with `options` on a pty, once it answers; the `before` command runs it."""
    server = OnTerminal([*before, *KG, "serve", "--port", str(port), *options], cwd=tmp_path,
                        env=environment(tmp_path / "home", SAHEL_KG_UPDATE_TOKEN=TOKEN, **settings))

    def answers() -> bool:
        try:
            return http(f"http://127.0.0.1:{port}/healthz", timeout=SOON)[0] == 200
        except OSError:
            return False

    try:
        wait_until(answers, seconds=120, what="the server's first answer")
    except AssertionError:
        server.close()
        raise AssertionError(f"kg serve did not answer; its output:\n{server.seen}") from None
    return server


def port_is_free(port: int) -> bool:
    """Whether a new server could listen on `port` (as kg serve binds: past the closed connections' TIME_WAIT)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen()
        except OSError:
            return False
    return True


def ignores(pid: int, number: int) -> bool:
    """Whether process `pid` ignores signal `number` (SIG_IGN), as Linux's /proc says."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    return bool(int(re.search(r"^SigIgn:\s*([0-9a-f]+)$", status, re.MULTILINE)[1], 16) & 1 << (number - 1))


def ended(pid: int) -> bool:
    """Whether process `pid` has ended (a zombie included: its new parent may be slow to reap it, or never)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.parametrize("options", [(), ("--enable-updates",)], ids=["read-only", "updates enabled"])
def test_closing_the_terminal_stops_kg_serve_once_it_has_finished_the_answer_it_is_streaming(tmp_path, options):
    """granian took the hangup of a closed terminal as "respawn the workers": a read-only kg serve lived on with no
    terminal, holding the port; one that writes exited 1 with a traceback (the new server process found the store
    locked by the old). It now stops as on SIGTERM: the answer in flight is finished, then exit 0, the port and the
    store's lock let go."""
    from kg.store.oxigraph import OxigraphStore

    port = free_port()
    server = served_on_a_terminal(tmp_path, port, *options, SAHEL_KG_ROW_LIMIT=str(ROWS),
                                  SAHEL_KG_QUERY_TIMEOUT="600")
    try:
        url = query_url(f"http://127.0.0.1:{port}", f"SELECT * WHERE {{ ?a ?b ?c . ?d ?e ?f }} LIMIT {ROWS}")
        with urllib.request.urlopen(url, timeout=SOON) as response:
            first = response.read(65536)  # the answer is streaming; the client holds the rest back for now
            query_workers = [pid for process in children(server.process.pid) for pid in children(process)]
            server.hang_up()
            rest = response.read()
        assert len(json.loads(first + rest)["results"]["bindings"]) == ROWS
        assert server.wait(timeout=120) == 0
        wait_until(lambda: all(map(ended, query_workers)), what="the query workers' end")  # sessions of their own
    finally:
        server.close()
    assert query_workers and "Traceback" not in server.seen, server.seen
    assert port_is_free(port)
    with OxigraphStore(tmp_path / "home" / "store"):  # writable: no process holds its lock
        pass


def test_nohup_kg_serve_goes_on_serving_once_its_terminal_has_closed(tmp_path):
    """A hangup ignored as kg serve started stays ignored, by the supervisor and its server processes (granian set
    its own handler, which respawned the server processes), so the server outlives its terminal; SIGTERM stops it."""
    port = free_port()
    server = served_on_a_terminal(tmp_path, port, before=("nohup",))
    try:
        supervisor = server.process.pid
        assert all(ignores(pid, signal.SIGHUP) for pid in [supervisor, *children(supervisor)])
        server.hang_up()
        assert http(f"http://127.0.0.1:{port}/healthz", timeout=SOON)[0] == 200
        server.process.terminate()
        assert server.wait(timeout=120) == 0
    finally:
        server.close()
    assert "Traceback" not in (tmp_path / "nohup.out").read_text(encoding="utf-8")


@pytest.mark.parametrize("command, typed, row", [
    (["shell"], CROSS_ROWS + "\r\r", "rdf:type"),
    (["query", "--format", "tsv", CROSS_ROWS], "", "http://"),
], ids=["kg shell", "kg query"])
def test_closing_the_terminal_ends_a_command_streaming_an_answer_to_it(tmp_path, command, typed, row):
    """A hangup ends kg shell, or kg query, mid-answer as any terminal program (killed by SIGHUP: no traceback),
    and the shell's query worker, in a session of its own, ends with it rather than run on for minutes."""
    from kg.store.oxigraph import OxigraphStore

    home = tmp_path / "home"
    settings = {"SAHEL_KG_ROW_LIMIT": str(10**12), "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    streaming = OnTerminal([*KG, *command], cwd=tmp_path, env=environment(home, **settings))
    try:
        if typed:
            streaming.expect("sparql>", timeout=120)
            os.write(streaming.master, typed.encode())
        streaming.expect(row, timeout=120)  # its rows are coming
        helpers = children(streaming.process.pid)
        assert len(helpers) == (1 if typed else 0)  # the shell's query worker; kg query answers in its own process
        streaming.hang_up()
        status = streaming.wait(timeout=120)
        wait_until(lambda: all(map(ended, helpers)), what="the query worker's end")
    finally:
        streaming.close()
    assert status == -signal.SIGHUP and "Traceback" not in streaming.seen, streaming.seen
    with OxigraphStore(home / "store"):  # writable: no process holds it
        pass


def test_a_command_that_outlives_sigabrt_does_not_hang_the_wait():
    """OnTerminal.wait aborts a command still running at its limit (SIGABRT); one ignoring that signal was then
    waited for with no limit, which hung the test run for good instead of failing the test."""
    terminal = OnTerminal(["sh", "-c", "trap '' ABRT; echo ready; while :; do sleep 1; done"])
    failures = []

    def wait() -> None:
        try:
            terminal.wait(timeout=0)
        except AssertionError as error:
            failures.append(str(error))

    try:
        terminal.expect("ready")
        waiting = threading.Thread(target=wait, daemon=True)
        waiting.start()
        waiting.join(3 * SOON)
        assert not waiting.is_alive() and failures and "still running" in failures[0]
    finally:
        terminal.close()
