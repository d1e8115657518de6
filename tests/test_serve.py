"""`kg serve` as a user runs it: it answers, writes go through, it stops cleanly on SIGTERM, and it never
shares a port with another server."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kg.child import python_command
from kg.serve import _SUPERVISE, PLAN, stop_grace, worker_alive
from kg.settings import resolve
from live_server import kg_server, stop
from process_tree import command_line, cpu_ticks, descendants
from long_work import CROSS_COUNT, SOON, wait_until
from raw_http import http, query_url
from servers import free_port

TOKEN = "serve-test-token"


def ask_claims(base: str) -> int:
    query = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?c a sahel:Claim }")
    with urllib.request.urlopen(f"{base}/sparql?query={query}", timeout=30) as response:
        return int(json.load(response)["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("updates", [False, True], ids=["read-only", "updates"])
def test_serve_answers_and_stops_cleanly(tmp_path, updates):
    env = {"SAHEL_KG_UPDATE_TOKEN": TOKEN} if updates else {}
    with kg_server(tmp_path, env=env, enable_updates=updates) as base:
        assert ask_claims(base) == 32  # the article was installed before the workers started
        if updates:
            request = urllib.request.Request(f"{base}/sparql", method="POST",
                                             data=b"INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
                                             headers={"Content-Type": "application/sparql-update",
                                                      "Authorization": f"Bearer {TOKEN}"})
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 204
    log = base.log_text()
    assert "Granian shutdown completed" in log  # it stopped on SIGTERM, not by the SIGKILL after a hang
    # A worker that crashed on its way out (RocksDB state inherited over fork, or left to interpreter
    # teardown) shows as a signal here.
    assert "was sent SIG" not in log and "terminate called" not in log, log


def in_flight(base: str) -> float:
    _, _, body = http(base + "/metrics")
    line = next((line for line in body.decode().splitlines() if line.startswith("sahel_kg_queries_in_flight ")), "")
    return float(line.split()[1]) if line else 0.0


def test_sigterm_answers_the_query_in_flight_then_stops_without_a_kill(tmp_path):
    """A query running at SIGTERM is answered (here at its time limit, 503; longer than the 5 s granian
    gave before), then every process stops within the grace, none killed: granian logs "refused to
    gracefully stop" when it kills one."""
    env = {"SAHEL_KG_QUERY_TIMEOUT": "7"}
    with kg_server(tmp_path, env=env) as base:
        answers = []
        asking = threading.Thread(target=lambda: answers.append(http(query_url(base, CROSS_COUNT), timeout=SOON)))
        asking.start()
        wait_until(lambda: in_flight(base) > 0, what="the long query to start")
        base.process.send_signal(signal.SIGTERM)
        assert base.process.wait(timeout=stop_grace(resolve({}, environ=env))) == 0
        asking.join()
    assert answers[0][0] == 503 and b"time limit" in answers[0][2]
    log = base.log_text()
    assert "refused to gracefully stop" not in log and "Granian shutdown completed" in log, log


def family_cpu_ticks(pid: int) -> int:
    ticks = 0
    for child in descendants(pid):
        try:
            ticks += cpu_ticks(child)
        except OSError:  # gone meanwhile
            pass
    return ticks


def asked_until_stopped(url: str) -> None:
    try:
        http(url, timeout=300)
    except OSError:  # the server was killed meanwhile
        pass


def test_a_lookup_is_answered_while_every_request_thread_waits_for_a_worker(tmp_path):
    """A one-pattern query is answered on the event loop (api.rsgi, api.fast_sparql): the one request thread
    waiting for a query worker's long count does not hold it up."""
    with kg_server(tmp_path, threads=1, env={"SAHEL_KG_QUERY_TIMEOUT": "300"}) as base:
        before = family_cpu_ticks(base.pid)
        threading.Thread(target=asked_until_stopped, args=(query_url(base, CROSS_COUNT),), daemon=True).start()
        # The count is running in a worker once the server's processes have spent two CPU seconds more.
        wait_until(lambda: family_cpu_ticks(base.pid) - before > 2 * os.sysconf("SC_CLK_TCK"),
                   what="the long count to start")
        status, _, body = http(query_url(base, "SELECT ?p ?o WHERE { sk:jnim ?p ?o }"), timeout=SOON)
        assert status == 200 and b"Jama" in body
        os.killpg(base.process.pid, signal.SIGKILL)  # rather than wait for the count at SIGTERM


def test_the_grace_covers_the_adapters_body_read():
    from api import rsgi
    from kg import serve

    assert serve.BODY_READ_SECONDS == rsgi.BODY_READ_SECONDS


def test_a_worker_reaped_by_another_thread_is_seen_to_have_ended():
    """granian's watcher thread may reap a stopping worker before its stop loop asks: multiprocessing then
    says the worker is alive (it finds no child to wait for), worker_alive says it ended."""
    process = multiprocessing.get_context("fork").Process(target=os._exit, args=(0,))
    process.start()
    os.waitpid(process.pid, 0)  # as granian's watcher thread does
    assert process.is_alive()  # multiprocessing's answer, which made granian kill a stopped worker
    assert not worker_alive(process)


def test_serve_on_a_memory_store_holds_the_article(tmp_path):
    with kg_server(tmp_path, store="memory:") as base:
        assert ask_claims(base) == 32


def _serve_on(port: int, workdir) -> subprocess.CompletedProcess:
    """`kg serve` on a port that is taken; it must give up at once (a minute is far more than it needs)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    environment["SAHEL_KG_HOME"] = str(workdir / "second-home")
    command = [sys.executable, "-c", "from kg.cli import main; main()", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--store", "memory:"]
    process = subprocess.Popen(command, cwd=workdir, env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        stop(process)
        pytest.fail("a second kg serve started on a port another server listens on")
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def test_a_second_server_on_a_port_in_use_is_refused(tmp_path):
    # granian binds with SO_REUSEPORT, which lets a second kg serve share the port (and split the requests
    # between two stores) unless kg serve tries the address first.
    with kg_server(tmp_path / "first", store="memory:") as base:
        port = int(base.rsplit(":", 1)[1])
        second = _serve_on(port, tmp_path)
        assert second.returncode != 0
        assert "address already in use" in second.stderr and "Traceback" not in second.stderr
        assert ask_claims(base) == 32  # the first server still answers


def test_a_port_another_program_listens_on_is_refused(tmp_path):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen(1)
        second = _serve_on(other.getsockname()[1], tmp_path)
    assert second.returncode != 0
    assert "address already in use" in second.stderr and "Traceback" not in second.stderr


def _answers(base: str) -> bool:
    try:
        return http(query_url(base, "ASK {}"), timeout=5)[0] == 200
    except OSError:  # not listening yet
        return False


def test_port_0_announces_the_port_it_listens_on(tmp_path):
    """`--port 0` printed http://127.0.0.1:0/sparql and listened on another port, which nothing said."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    environment.update(SAHEL_KG_HOME=str(tmp_path / "home"), PYTHONUNBUFFERED="1")
    process = subprocess.Popen([sys.executable, "-c", "from kg.cli import main; main()", "serve", "--host",
                                "127.0.0.1", "--port", "0", "--store", "memory:"], cwd=tmp_path, env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                               text=True, start_new_session=True)
    try:
        announced = process.stderr.readline()
        port = int(announced.rsplit(":", 1)[1].removesuffix("/sparql\n"))
        assert port != 0 and announced.endswith(f"on http://127.0.0.1:{port}/sparql\n"), announced
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}"), seconds=60, what="the announced port to answer")
    finally:
        stop(process)


def test_a_server_killed_outright_has_its_temporary_directories_removed_by_the_next(tmp_path):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    (temporary / "sahel-kg-run-unmarked").mkdir()  # not marked as ours (an older kg's): never touched
    env = {"TMPDIR": str(temporary)}
    with kg_server(tmp_path / "first", env=env) as base:
        os.killpg(base.pid, signal.SIGKILL)  # no chance to clean up: the metrics and run directories stay
        base.process.wait()
        left = {path.name for path in temporary.iterdir()} - {"sahel-kg-run-unmarked"}
    assert {name.rsplit("-", 1)[0] for name in left} == {"sahel-kg-metrics", "sahel-kg-run"}
    with kg_server(tmp_path / "second", env=env):
        assert not left & {path.name for path in temporary.iterdir()}
    assert [path.name for path in temporary.iterdir()] == ["sahel-kg-run-unmarked"]  # the second's, on SIGTERM


def test_a_run_directory_that_cannot_be_made_leaves_no_metrics_directory_behind(tmp_path):
    """RUN_DIRECTORY under a file stopped kg serve with its error, and the sahel-kg-metrics-* it had made stayed;
    the error came after the address was announced as served."""
    temporary, afile = tmp_path / "tmp", tmp_path / "afile"
    temporary.mkdir()
    afile.write_text("", encoding="utf-8")
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    environment.update(TMPDIR=str(temporary), SAHEL_KG_HOME=str(tmp_path / "home"),
                       SAHEL_KG_RUN_DIRECTORY=str(afile / "run"))
    done = subprocess.run([Path(sys.executable).parent / "kg", "serve", "--store", "memory:", "--port", "0"],
                          env=environment, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Not a directory" in done.stderr, done.stderr
    assert "serving" not in done.stderr and "RUN_DIRECTORY" in done.stderr, done.stderr
    assert list(temporary.iterdir()) == []


def test_the_supervisor_keeps_nothing_the_checks_before_serving_loaded(tmp_path):
    """The process `kg serve` started as becomes granian's supervisor without the engine (it held pyoxigraph's
    library, about 12 MB resident, from checking and preparing the store) and under the same pid and name."""
    with kg_server(tmp_path) as base:
        assert ask_claims(base) == 32
        mapped = (Path("/proc") / str(base.pid) / "maps").read_text()
        assert "pyoxigraph" not in mapped and "flask" not in mapped
        assert " serve --host 127.0.0.1 --port " in command_line(base.pid)  # its command line kept: pkill -f finds it
        assert any("pyoxigraph" in (Path("/proc") / str(pid) / "maps").read_text() for pid in descendants(base.pid))


def test_the_server_processes_run_on_uvloop(tmp_path):
    """The server processes' event loop is uvloop (a dependency of the project), whose hand-overs to request threads
    cost less CPU than asyncio's own loop; `kg serve` says which loop it gave granian."""
    with kg_server(tmp_path) as base:
        assert ask_claims(base) == 32
    assert "(granian on uvloop), on http://" in base.log_text()


def test_modules_in_the_working_directory_are_never_run(tmp_path):
    """`python -c` puts the working directory first on the import path; kg's own children (the store's
    preparer, the supervisor, the query workers) take it off, so a json.py there is not run for json."""
    workdir = tmp_path / "where-the-user-stands"
    workdir.mkdir()
    (workdir / "json.py").write_text("import pathlib; pathlib.Path('ran').write_text('yes'); raise SystemExit(3)\n")
    port = free_port()
    env = {**{key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")},
           "SAHEL_KG_HOME": str(tmp_path / "home")}
    server = subprocess.Popen([str(Path(sys.executable).parent / "kg"), "serve", "--host", "127.0.0.1", "--port",
                               str(port)], cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        def started() -> bool:
            try:
                return server.poll() is not None or http(base + "/healthz")[0] == 200
            except OSError:  # not listening yet
                return False

        wait_until(started, what="the server's start")
        assert server.poll() is None, server.stderr.read().decode()
        assert ask_claims(base) == 32  # a count: run by a query worker, which json.py did not replace either
    finally:
        stop(server)
    assert not (workdir / "ran").exists()


@pytest.mark.parametrize("signum, status, said", [(signal.SIGINT, 130, "interrupted (Ctrl-C): stopped\n"),
                                                  (signal.SIGHUP, 128 + signal.SIGHUP, ""),
                                                  (signal.SIGTERM, 128 + signal.SIGTERM, "")],
                         ids=["ctrl-c", "hangup", "sigterm"])
def test_a_stop_before_the_supervisor_is_ready_stops_it_cleanly(tmp_path, signum, status, said):
    """A Ctrl-C, hangup or SIGTERM between `kg serve`'s exec and granian's own handlers (its imports take a tenth
    of a second) is held, then reported as the CLI reports one, and the run's directories go (the others left them).
    Here the supervisor starts with the signal blocked and already pending, as `kg serve` leaves it when one
    comes just before the exec."""
    run_directory, metrics = tmp_path / "run", tmp_path / "metrics"
    run_directory.mkdir()
    metrics.mkdir()
    handed = run_directory / PLAN
    handed.write_text(json.dumps({"host": "127.0.0.1", "port": free_port(), "workers": 1, "threads": 1,
                                  "config": {"STORE": "memory:", "RUN_DIRECTORY": str(run_directory)},
                                  "remove": [str(run_directory), str(metrics)]}))

    def stop_held():  # in the child, before its exec
        # as a shell starts it: a test run started in the background (or nohup) would pass it on ignored
        signal.signal(signum, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signum})
        os.kill(os.getpid(), signum)

    done = subprocess.run(python_command(_SUPERVISE, str(handed)), preexec_fn=stop_held, capture_output=True,
                          text=True, timeout=120)
    assert (done.returncode, done.stderr) == (status, said)
    assert not run_directory.exists() and not metrics.exists()


def test_a_read_only_server_starts_while_another_process_writes_to_the_store(tmp_path):
    """Only writers take the store's lock: a server without updates starts beside `kg load` or a writable
    server, and answers from what they committed."""
    from kg.publish import ensure_installed
    from kg.store.oxigraph import OxigraphStore

    path = tmp_path / "store"
    with OxigraphStore(path) as writer:  # this process holds the writer's lock throughout
        ensure_installed(writer)
        with kg_server(tmp_path / "reader", store=f"oxigraph:{path}") as base:
            status, _, body = http(query_url(base, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
            assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 1000


def test_a_server_cannot_start_on_an_empty_store_another_process_writes_to(tmp_path):
    """It would have to install the article: the error says who holds the store, without a traceback."""
    from kg.store.oxigraph import OxigraphStore

    path = tmp_path / "store"
    with OxigraphStore(path):
        done = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "serve", "--port", "1",
                               "--store", f"oxigraph:{path}"], capture_output=True, text=True,
                              env={**os.environ, "SAHEL_KG_HOME": str(tmp_path / "home")})
    assert done.returncode != 0
    assert "open for writing by process" in done.stderr and "Traceback" not in done.stderr
    assert "kg.errors" not in done.stderr


def test_a_writing_server_cannot_start_on_a_store_another_process_writes_to(tmp_path):
    """A second `kg serve --enable-updates` (or one beside a `kg load`) announced itself, then its server process
    ended with a traceback: now one line, before "serving ...", naming who holds the store."""
    from kg.publish import ensure_installed
    from kg.store.oxigraph import OxigraphStore

    path = tmp_path / "store"
    with OxigraphStore(path) as writer:  # installed and held: nothing left for the new server to prepare
        ensure_installed(writer)
        done = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "serve", "--port", "0",
                               "--enable-updates", "--store", f"oxigraph:{path}"], capture_output=True, text=True,
                              env={**os.environ, "SAHEL_KG_HOME": str(tmp_path / "home"),
                                   "SAHEL_KG_UPDATE_TOKEN": "secret"}, timeout=120)
    assert done.returncode != 0 and "serving" not in done.stderr, done.stderr
    assert "open for writing by process" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("spec", ["bogus:", "memory:x", "http:no-slashes"])
def test_an_unknown_store_is_refused_before_anything_listens(tmp_path, spec):
    """As `kg query` refuses it: one line, before "serving ..." (a server process would die with a traceback)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    environment["SAHEL_KG_HOME"] = str(tmp_path / "home")
    done = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "serve", "--port",
                           str(free_port()), "--store", spec], capture_output=True, text=True, timeout=60,
                          env=environment, cwd=tmp_path)
    assert done.returncode == 2  # bad usage, as for every command (helper-83: kg query said 1)
    assert done.stderr.strip().splitlines()[-1] == (f"Error: unknown store {spec!r}: use oxigraph:PATH, memory: or an "
                                                    "http(s):// SPARQL endpoint")


def test_a_store_directory_that_cannot_be_made_is_said_in_words(tmp_path):
    """No Python class name ("FileNotFoundError: [Errno 2] ...") in the message."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    environment.update(SAHEL_KG_HOME=str(tmp_path / "home"), SAHEL_KG_UPDATE_TOKEN=TOKEN)
    done = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "serve", "--port",
                           str(free_port()), "--enable-updates", "--store", "oxigraph:/proc/nope/store"],
                          capture_output=True, text=True, timeout=60, env=environment, cwd=tmp_path)
    assert done.returncode != 0
    assert done.stderr.strip() == ("error: cannot prepare the store oxigraph:/proc/nope/store: cannot make the "
                                   "folders above the store at /proc/nope/store: No such file or directory: /proc/nope")


def test_an_empty_store_is_made_once_before_the_server_processes_start(tmp_path):
    """With SAHEL_KG_INSTALL_ARTICLE=false no store was made first: two server processes raced to make it, and
    one that read it half made failed ("Column family not found: graphs")."""
    from kg.serve_checks import prepare_store
    from kg.store.oxigraph import OxigraphStore

    path = tmp_path / "store"
    prepare_store(f"oxigraph:{path}", install=False)
    with OxigraphStore(path, read_only=True) as view:
        assert view.count() == 0
    files = {entry.name: entry.stat().st_mtime_ns for entry in path.iterdir()}
    prepare_store(f"oxigraph:{path}", install=False)  # an existing store is left alone (it may be on read-only media)
    assert {entry.name: entry.stat().st_mtime_ns for entry in path.iterdir()} == files
