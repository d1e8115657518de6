"""How the console reaches its store: readers take no lock and run side by side, beside a server with
updates on and a running load; only writers take the writer's lock, whose refusal names the holder; a
reader of a store path where there is none refuses it and makes nothing there, as writers would; a
remote store's update URL and credentials come from the same settings the server reads."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.parse
import uuid
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kg.store.remote import RemoteStore
from live_server import kg_server
from raw_http import http
from test_loading import installed, kg  # noqa: F401  (a fixture)
from test_shell import ESC_ENTER, Terminal

KG = Path(sys.executable).parent / "kg"
TOKEN = "console-store-test-token"
MEMBERS = "SELECT ?state WHERE { ?m org:organization sk:aes ; org:member ?state } ORDER BY ?state"
MEMBERS_CSV = "state\nhttps://sahel-kg.example.org/id/burkina-faso\nhttps://sahel-kg.example.org/id/mali\n" \
              "https://sahel-kg.example.org/id/niger\n"  # read in text mode: CRLF as LF
EX = "http://example.org/console/"
RUN_SECONDS = 120  # for a console command started beside others on a loaded machine


@pytest.fixture
def spec(tmp_path, installed) -> str:
    shutil.copytree(installed, tmp_path / "store")
    return f"oxigraph:{tmp_path / 'store'}"


def start(*args) -> subprocess.Popen:
    return subprocess.Popen([str(KG), *map(str, args)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=RUN_SECONDS)
    return process.returncode, out, err


def run(*args) -> tuple[int, str, str]:
    return finish(start(*args))


def readers(spec: str) -> list[subprocess.Popen]:
    """kg query, info and export on `spec`, all started at once."""
    return [start("query", "--store", spec, "--format", "csv", "-q", MEMBERS),
            start("info", "--store", spec),
            start("export", "--store", spec, "--format", "nquads")]


def check_readers(processes: list[subprocess.Popen]) -> None:
    (query_status, members, err), (info_status, info, _), (export_status, dump, _) = map(finish, processes)
    assert (query_status, members) == (0, MEMBERS_CSV), err
    assert info_status == 0 and "quads:" in info
    assert export_status == 0 and "/graph/entities>" in dump


def test_eight_queries_a_shell_and_a_server_with_updates_side_by_side(spec, tmp_path):
    env = {"SAHEL_KG_UPDATE_TOKEN": TOKEN}
    with kg_server(tmp_path / "server", store=spec, env=env, enable_updates=True) as server:
        shell = Terminal(tmp_path / "home", "--store", spec)
        try:
            shell.prompt(timeout=RUN_SECONDS)  # the shell has the store open
            queries = [start("query", "--store", spec, "--format", "csv", "-q", MEMBERS) for _ in range(8)]
            others = readers(spec)
            results = [finish(process) for process in queries]
            assert [(status, out) for status, out, _ in results] == [(0, MEMBERS_CSV)] * 8, \
                [err for _, _, err in results]
            check_readers(others)
            # the server writes meanwhile, and the open shell sees it
            graph = f"{EX}{uuid.uuid4().hex}"
            status, _, _ = http(server + "/sparql", method="POST",
                                data=f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}#s> <{EX}p> "written" }} }}'.encode(),
                                headers={"Content-Type": "application/sparql-update",
                                         "Authorization": f"Bearer {TOKEN}"})
            assert status == 204
            out = shell.run(f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", end=ESC_ENTER)
            assert "written" in out and "(1 row)" in out
            # a second writer is refused, with the name of the one that holds the lock
            data = tmp_path / "more.nt"
            data.write_text(f'<{EX}s> <{EX}p> "more" .\n')
            status, _, err = run("load", data, "--store", spec)
            assert status == 1 and "open for writing by process" in err and "serve" in err \
                and "--enable-updates" in err, err
        finally:
            shell.close()


@contextmanager
def load_waiting_for_data(spec: str, tmp_path: Path):
    """A `kg load` of a named pipe: it holds the writer's lock and waits until the block writes the data."""
    pipe = tmp_path / "incoming.nt"
    os.mkfifo(pipe)
    load = subprocess.Popen([str(KG), "load", str(pipe), "--progress", "--store", spec], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert load.stderr.readline().strip() == "loading"  # the store is open for writing
        yield load, pipe
    finally:
        if load.poll() is None:
            load.kill()
        load.wait()


def test_readers_run_beside_a_load_and_a_second_writer_is_told_who_writes(spec, tmp_path):
    with load_waiting_for_data(spec, tmp_path) as (load, pipe):
        check_readers(readers(spec))
        data = tmp_path / "more.nt"
        data.write_text(f'<{EX}s> <{EX}p> "more" .\n')
        status, _, err = run("load", data, "--store", spec)
        assert status == 1 and f"open for writing by process {load.pid} (kg load {pipe}" in err, err
        with open(pipe, "w") as writing:
            writing.write(f'<{EX}loaded> <{EX}p> "through the pipe" .\n')
        assert load.wait(timeout=RUN_SECONDS) == 0, load.stderr.read()
    status, out, err = run("query", "--store", spec, "--format", "csv", "-q", f"SELECT ?o {{ <{EX}loaded> ?p ?o }}")
    assert (status, out) == (0, "o\nthrough the pipe\n"), err


def test_a_first_reader_installs_the_article_and_leaves_no_lock_held(tmp_path):
    spec = f"oxigraph:{Path(os.environ['SAHEL_KG_HOME']) / 'store'}"  # the default store, named as it is
    status, out, err = run("query", "--format", "csv", "-q", MEMBERS)
    assert (status, out) == (0, MEMBERS_CSV), err
    with load_waiting_for_data(spec, tmp_path) as (load, pipe):  # nobody else holds the lock now
        with open(pipe, "w") as writing:
            writing.write(f'<{EX}s> <{EX}p> "o" .\n')
        assert load.wait(timeout=RUN_SECONDS) == 0


# A store named by a path where there is none: readers refuse it and make nothing; writers make it

READERS = {"query": ["query", "-q", "ASK {}"], "info": ["info"], "export": ["export", "--format", "nquads"],
           "export -o": ["export", "-o", "dump.trig"], "search": ["search", "mali"], "links check": ["links", "check"],
           "serve": ["serve", "--port", "0"]}  # port 0: free, so only the store can stop it


def nothing_there(missing: Path) -> str:
    return f"error: there is no store at {missing}; create one with `kg load FILE --store oxigraph:{missing}` or " \
           f"`kg build --install --store oxigraph:{missing}`\n"


def run_alone(*args) -> tuple[int, str, str]:
    """As run, but a command still running at the end (a server that started) is killed with all it started."""
    process = subprocess.Popen([str(KG), *map(str, args)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        return finish(process)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.parametrize("command", READERS.values(), ids=READERS.keys())
def test_a_reader_of_a_mistyped_store_path_fails_and_makes_nothing(tmp_path, command, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where export -o writes
    missing = tmp_path / "stores" / "typo"
    status, out, err = run_alone(*command, "--store", f"oxigraph:{missing}")
    assert (status, out, err) == (1, "", nothing_there(missing))
    assert list(tmp_path.iterdir()) == []  # no store, lock, version stamp, search index or output


WRITERS = {"load": ["load", "-", "--format", "ntriples"], "update": ["update", "CLEAR GRAPH <http://e.example/g>"]}


@pytest.mark.parametrize("command", [*READERS.values(), *WRITERS.values()], ids=[*READERS, *WRITERS])
def test_a_store_whose_files_are_damaged_is_one_error_line(tmp_path, command, monkeypatch):
    """A folder whose CURRENT file is not the engine's ended every command in a traceback (pyoxigraph's bare
    RuntimeError "Corruption: ..." as the store opened); it is now one line naming the store, exit 1."""
    monkeypatch.chdir(tmp_path)
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "CURRENT").write_text("not a manifest's name\n")
    status, out, err = run_alone(*command, "--store", f"oxigraph:{damaged}")
    assert (status, out) == (1, "") and "Traceback" not in err, err
    assert err.startswith("error: ") and f"cannot open the store at {damaged}: " in err and "damaged" in err, err
    assert len(err.splitlines()) == 1, err


def test_a_writer_whose_arguments_are_not_utf_8_takes_the_lock(tmp_path):
    """`kg load caf<0xe9>.ttl` (a real process: the lock file records its command line) ended in a traceback, a
    UnicodeEncodeError writing that line; the lock file now writes such a byte as \\xNN, as messages do."""
    data = tmp_path / os.fsdecode(b"caf\xe9.nt")
    data.write_text(f'<{EX}s> <{EX}p> "o" .\n')
    status, out, err = run("load", data, "--store", f"oxigraph:{tmp_path / 'store'}")
    assert status == 0 and "Traceback" not in err, err
    assert "caf\\xe9.nt" in (tmp_path / ".store.lock").read_text()


def test_a_mistyped_store_of_the_environment_or_the_shell_is_refused_too(tmp_path, monkeypatch):
    missing = tmp_path / "stores" / "typo"
    monkeypatch.setenv("SAHEL_KG_STORE", f"oxigraph:{missing}")
    assert run("query", "-q", "ASK {}") == (1, "", nothing_there(missing))
    shell = Terminal(tmp_path / "home", "--store", f"oxigraph:{missing}")
    try:
        shell.expect(re.escape(nothing_there(missing)), timeout=RUN_SECONDS)
        assert shell.wait(timeout=RUN_SECONDS) == 1
    finally:
        shell.close()
    assert not (tmp_path / "stores").exists()  # no store, lock or version stamp


def test_writers_make_a_store_at_a_new_path_which_readers_then_read(tmp_path):
    data = tmp_path / "data.nt"
    data.write_text(f'<{EX}s> <{EX}p> "new" .\n')
    loaded, built = f"oxigraph:{tmp_path / 'loaded'}", f"oxigraph:{tmp_path / 'built'}"
    assert run("load", data, "--store", loaded)[0] == 0
    assert run("build", "--install", "--out", os.devnull, "--store", built)[0] == 0
    for spec in (loaded, built):
        assert run("query", "--store", spec, "--format", "csv", "-q", MEMBERS)[1] == MEMBERS_CSV  # the article
    assert run("query", "--store", loaded, "--format", "csv", "-q", f"SELECT ?o {{ <{EX}s> ?p ?o }}")[1] == "o\nnew\n"


# Remote stores: the settings the server reads


def test_kg_load_into_oxigraph_serve_sends_updates_to_the_update_url(oxigraph_url, tmp_path, monkeypatch):
    graph = f"{EX}{uuid.uuid4().hex}"
    data = tmp_path / "data.ttl"
    data.write_text(f'<{EX}a> <{EX}p> "loaded through the console" .\n')
    update_url = oxigraph_url.rsplit("/", 1)[0] + "/update"
    monkeypatch.delenv("SAHEL_KG_STORE_UPDATE_URL", raising=False)
    refused = kg("load", data, "--graph", graph, "--store", oxigraph_url)  # updates sent to the query URL
    assert refused.exit_code == 1 and "error:" in refused.stderr and "Traceback" not in refused.output
    monkeypatch.setenv("SAHEL_KG_STORE_UPDATE_URL", update_url)
    loaded = kg("load", data, "--graph", graph, "--store", oxigraph_url)
    assert loaded.exit_code == 0, loaded.output
    record = loaded.stderr.rsplit("record ", 1)[1].strip()
    remote = RemoteStore(oxigraph_url, update_url=update_url)
    try:
        assert remote.query(f'ASK {{ GRAPH <{graph}> {{ <{EX}a> <{EX}p> "loaded through the console" }} }}')
    finally:
        remote.update(f"DROP SILENT GRAPH <{graph}> ; DELETE {{ GRAPH ?g {{ ?n ?p ?o }} }} WHERE {{ GRAPH ?g "
                      f"{{ ?n ?p ?o FILTER(STRSTARTS(STR(?n), \"{record}\")) }} }}")


class Recorder(BaseHTTPRequestHandler):
    """Answers every SPARQL request with ASK true and records its Authorization header."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.seen.append(self.headers.get("Authorization"))
        body = json.dumps({"head": {}, "boolean": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args):
        """Quiet."""


def test_the_consoles_remote_store_has_the_servers_credentials_and_an_endpoint_none(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    monkeypatch.setenv("SAHEL_KG_STORE_USER", "reader")
    monkeypatch.setenv("SAHEL_KG_STORE_PASSWORD", "secret word")
    try:
        assert kg("query", "--store", url, "--format", "json", "-q", "ASK {}").exit_code == 0
        first = len(server.seen)  # the store's requests (it may first ask which engine it speaks to)
        assert kg("query", "--endpoint", url, "--format", "json", "-q", "ASK {}").exit_code == 0
    finally:
        server.shutdown()
        server.server_close()
    assert first and set(server.seen[:first]) == {"Basic " + base64.b64encode(b"reader:secret word").decode()}
    assert len(server.seen) > first and set(server.seen[first:]) == {None}


def test_a_remote_store_spec_of_the_environment_is_read_like_the_servers(monkeypatch):
    from kg.settings import console_settings, resolve, store_options

    environ = {"SAHEL_KG_STORE": "http://example.org/query", "SAHEL_KG_STORE_UPDATE_URL": "http://example.org/update",
               "SAHEL_KG_STORE_USER": "u", "SAHEL_KG_STORE_PASSWORD": "p"}
    assert store_options(console_settings({}, environ)) == store_options(resolve({}, environ)) == \
        {"update_url": "http://example.org/update", "user": "u", "password": "p"}
    assert urllib.parse.urlsplit(console_settings({}, environ)["STORE"]).path == "/query"
