"""Real SPARQL servers for tests: `oxigraph serve` and Virtuoso, started on 127.0.0.1 on free ports."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

OXIGRAPH_BIN = Path(sys.executable).parent / "oxigraph"
VIRTUOSO_BIN = shutil.which("virtuoso-t")
ISQL_BIN = shutil.which("isql-vt") or shutil.which("isql")


def missing_service(reason: str):
    """Skip the test for a service that is not there, or fail when SAHEL_KG_REQUIRE_SERVICES=1."""
    if os.environ.get("SAHEL_KG_REQUIRE_SERVICES") == "1":
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def refusing_port():
    """A port of 127.0.0.1 that refuses every connection while the block runs: bound, never listening, so
    no other process can serve on it (a fixed port such as 1 may be served by someone, root may bind it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def wait_until_answers(url: str, process: subprocess.Popen, log: Path, seconds: float = 60):
    """Poll `url` with an ASK query until it answers 200; fail with the server's log if it dies or never does."""
    probe = url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(probe, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds}s:\n{log.read_text(errors='replace')}")


class EngineURL(str):
    """An engine's URL that also knows the engine's process (its pid, for CPU readings) and its log."""

    pid: int
    log: Path

    def cpu_seconds(self) -> float:
        """User and system CPU seconds the engine process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def running(command: list[str], url: str, workdir: Path, seconds: float = 60):
    """Run a server process until the block ends; yield its URL (an EngineURL) once `url` answers."""
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "server.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, cwd=workdir, stdout=log_file, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    try:
        wait_until_answers(url, process, log, seconds)
        found = EngineURL(url)
        found.pid, found.log = process.pid, log
        yield found
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


ENGINE_TIMEOUT = 5  # seconds: the time limit the tests' engines have, and kg serve's over them


@contextmanager
def oxigraph_server(workdir: Path, *, timeout: int | None = ENGINE_TIMEOUT, union: bool = False):
    """`oxigraph serve` on a temporary directory; yields its query URL (updates go to /update).

    No union default graph (unless `union`, which kg refuses): the merge of the graphs is in its default graph. Its
    own time limit, as the README has it for a real server and kg serve checks at start: at most the live suite's
    QUERY_TIMEOUT.
    """
    port = free_port()
    command = [str(OXIGRAPH_BIN), "serve", "--location", str(workdir / "data"), "--bind", f"127.0.0.1:{port}"]
    if timeout is not None:
        command += ["--timeout-s", str(timeout)]
    if union:
        command.append("--union-default-graph")
    with running(command, f"http://127.0.0.1:{port}/query", workdir) as url:
        yield url


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 0
VADInstallDir = {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 60
"""


@contextmanager
def virtuoso_server(workdir: Path, *, max_rows: int = 100000):
    """Virtuoso in the foreground with its own database in `workdir`, cutting answers at `max_rows`
    (ResultSetMaxRows); yields its /sparql URL.

    The anonymous web user "SPARQL" is granted SPARQL_UPDATE so the tests can write without credentials;
    that is fine for a throwaway test database bound to 127.0.0.1 and never for a real one.
    """
    if not (VIRTUOSO_BIN and ISQL_BIN):  # skipped where a user's machine lacks it, as the fixtures' tests are
        missing_service("Virtuoso is not installed (virtuoso-t, isql-vt)")
    sql_port, http_port = free_port(), free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    ini = workdir / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=workdir, sql_port=sql_port, http_port=http_port, max_rows=max_rows))
    command = [VIRTUOSO_BIN, "+foreground", "+configfile", str(ini)]
    with running(command, f"http://127.0.0.1:{http_port}/sparql", workdir, seconds=120) as url:
        subprocess.run([ISQL_BIN, f"127.0.0.1:{sql_port}", "dba", "dba",
                        "exec=GRANT SPARQL_UPDATE TO \"SPARQL\";"],
                       check=True, capture_output=True, timeout=60)
        url.sql = [ISQL_BIN, f"127.0.0.1:{sql_port}", "dba", "dba"]  # isql's command line, for tests that grant
        yield url
