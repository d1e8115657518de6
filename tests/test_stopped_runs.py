"""A test run stopped by SIGTERM (as `kill -- -<pgid>` stops `make test`) stops the servers its tests started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from live_server import gone

TESTS = Path(__file__).parent
HOLDING = '''
import threading
from pathlib import Path
from live_server import kg_server

def test_holds_a_server(tmp_path):
    with kg_server(tmp_path / "server", store="memory:") as url:
        Path({pid_file!r}).write_text(str(url.pid))
        threading.Event().wait()  # until the run is stopped
'''


def test_a_run_stopped_by_sigterm_stops_the_kg_servers_it_started(tmp_path):
    pid_file = tmp_path / "server.pid"
    (tmp_path / "test_holding.py").write_text(HOLDING.format(pid_file=str(pid_file)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "conftest",
                            "--rootdir", str(tmp_path), "-c", os.devnull, str(tmp_path / "test_holding.py")],
                           cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           start_new_session=True)
    server = None
    try:
        deadline = time.monotonic() + 300
        while not pid_file.exists() or not pid_file.read_text():  # the server answers: waits on an event, not a time
            assert run.poll() is None and time.monotonic() < deadline, run.stdout.read().decode()
            time.sleep(0.05)
        server = int(pid_file.read_text())
        os.killpg(run.pid, signal.SIGTERM)
        run.wait(timeout=300)
        assert gone(server), "the kg serve the stopped run started still runs"
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        if server is not None and not gone(server):
            os.killpg(server, signal.SIGKILL)
