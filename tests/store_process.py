"""An `oxigraph serve` that a test can stop, kill and start again on the same port and data (fault tests)."""

from __future__ import annotations

import signal
import subprocess
from contextlib import contextmanager
from pathlib import Path

from servers import OXIGRAPH_BIN, free_port, wait_until_answers

# Its own time limit, no longer than any kg serve's QUERY_TIMEOUT over it (kg serve checks that at start).
STORE_TIMEOUT = 2


class OxigraphProcess:
    """`oxigraph serve` on 127.0.0.1:`port` with its data in `workdir`/data; not running until start().
    No union default graph: the merge of the graphs is in its default graph (kg.store.merge)."""

    def __init__(self, workdir: Path, *, port: int | None = None, timeout: int | None = STORE_TIMEOUT):
        self.workdir, self.port = workdir, port or free_port()
        self.timeout = timeout
        self.process: subprocess.Popen | None = None
        workdir.mkdir(parents=True, exist_ok=True)

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"

    @property
    def update_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/update"

    def start(self, seconds: float = 60) -> None:
        command = [str(OXIGRAPH_BIN), "serve", "--location", str(self.workdir / "data"),
                   "--bind", f"127.0.0.1:{self.port}"]
        if self.timeout is not None:
            command += ["--timeout-s", str(self.timeout)]
        log = self.workdir / "server.log"
        with open(log, "ab") as log_file:
            self.process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        wait_until_answers(self.query_url, self.process, log, seconds)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL; returns once the process is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """SIGKILL at once, as a crash would."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.process = None


@contextmanager
def oxigraph_serve(workdir: Path, **options):
    """A started OxigraphProcess, stopped when the block ends."""
    server = OxigraphProcess(workdir, **options)
    server.start()
    try:
        yield server
    finally:
        server.stop()
