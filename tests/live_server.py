"""`kg serve` as a real subprocess under granian, on 127.0.0.1 and a free port, for tests over HTTP."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from long_work import wait_until
from raw_http import http
from servers import free_port, wait_until_answers

STOP_SECONDS = 8  # SIGTERM first (kg serve gives its workers 5s to stop), SIGKILL after this


class ServerURL(str):
    """The server's base URL (no trailing slash), which also knows where its log is and its process (the
    leader of a process group that holds every process the server starts)."""

    log: Path
    pid: int
    process: subprocess.Popen

    def peak_memory_mb(self) -> float:
        """The peak resident memory (VmHWM) of the server's processes, summed: master, workers, query workers."""
        return sum(_peak_kb(pid) for pid in family(self.pid)) / 1024

    def log_text(self, start: int = 0) -> str:
        """The server's log from byte `start` on."""
        with open(self.log, "rb") as handle:
            handle.seek(start)
            return handle.read().decode("utf-8", "replace")

    def log_size(self) -> int:
        return self.log.stat().st_size


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after STOP_SECONDS; then whatever is left of the process group it led."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    try:  # server processes left by a killed supervisor (query workers, in sessions of their own, leave with theirs)
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@contextmanager
def kg_server(workdir: Path, *, store: str | None = None, env: dict[str, str] | None = None,
              enable_updates: bool = False, workers: int = 1, threads: int = 4, seconds: float = 120,
              args: tuple[str, ...] = ()):
    """Run `kg serve` (with `args` added) until the block ends; yield its base URL (a ServerURL) once GET
    /sparql answers.

    The environment is this process's without any SAHEL_KG_* variable, with SAHEL_KG_HOME in `workdir`,
    then `env`. The server's output goes to workdir/kg-serve.log, which is shown if it fails to start.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    environment["SAHEL_KG_HOME"] = str(workdir / "home")
    environment["PYTHONUNBUFFERED"] = "1"  # the log is complete when a test fails
    environment.update(env or {})
    port = free_port()
    command = [sys.executable, "-c", "from kg.cli import main; main()", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--threads", str(threads)]
    if store is not None:
        command += ["--store", store]
    if enable_updates:
        command.append("--enable-updates")
    command += list(args)
    log = workdir / "kg-serve.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, cwd=workdir, env=environment, stdout=log_file,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    base = ServerURL(f"http://127.0.0.1:{port}")
    base.log = log
    base.pid, base.process = process.pid, process
    try:
        wait_until_answers(base + "/sparql", process, log, seconds)  # GET /sparql?query=ASK {}
        yield base
    finally:
        stop(process)


def gone(pid: int) -> bool:
    """Whether no process has the id `pid` (one reaped, or never there)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def family(pid: int) -> list[int]:
    """`pid` and every process descended from it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending += children.get(current, [])
    return found


def _peak_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def logged(server, **wanted: dict) -> dict[str, dict]:
    """The log's line for each request, found by its fields (two server processes write the log, each
    from its own writer thread, so neither the order of lines nor where a test's lines start is known)."""
    deadline = time.monotonic() + 60
    while True:
        lines = [json.loads(line) for line in server.access_log.read_text().splitlines()]
        found = {name: [line for line in lines if fields.items() <= line.items()] for name, fields in wanted.items()}
        if all(found.values()) or time.monotonic() > deadline:
            assert all(len(matches) == 1 for matches in found.values()), found  # one line per request
            return {name: matches[0] for name, matches in found.items()}
        time.sleep(0.05)


def gauge(server, name: str, **labels) -> float:
    """A gauge of /metrics, summed over the server's processes: each as that process last set it (at a scrape
    it answered, or as one of its queries started or ended)."""
    _, _, body = http(server + "/metrics")
    pattern = name + (r"\{" + ",".join(f'{key}="{value}"' for key, value in labels.items()) + r"\}" if labels else "")
    found = re.search(rf"^{pattern} (\S+)$", body.decode(), re.MULTILINE)
    return float(found[1]) if found else 0.0


def query_workers_idle(server, count: int = 1) -> None:
    """Wait until `count` query workers wait for a query, over all the server's processes: after a query ran to
    its time limit, its worker's successor is a fresh interpreter started in the background, which beside CPU
    hogs takes seconds, longer than a short time limit, and a query meanwhile spends its limit waiting for it.
    Each scrape is a connection of its own, so with several server processes the polls reach each of them."""
    wait_until(lambda: gauge(server, "sahel_kg_query_workers", state="idle") >= count, 120,
               f"{count} idle query worker(s)")
