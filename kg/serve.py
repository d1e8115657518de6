"""Run the HTTP API under gunicorn; `kg serve` calls this. Gunicorn and Flask stay out of kg's imports."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from kg.errors import StoreUnavailable


def prepare_store(spec: str) -> None:
    """Install the article into an empty embedded store once, before any server process opens it.

    It runs in a child process: RocksDB starts threads that a forked gunicorn worker would inherit
    without them, and such a worker crashes on its way out.
    """
    if not spec.startswith("oxigraph:"):
        return
    done = subprocess.run([sys.executable, "-c", _INSTALL, spec], capture_output=True, text=True)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["the installing process failed"]
        raise StoreUnavailable(f"cannot prepare the store {spec}: {lines[-1]}")


_INSTALL = ("import sys; from kg.publish import ensure_installed; from kg.store import open_store; "
            "store = open_store(sys.argv[1]); ensure_installed(store); store.close()")


METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def metrics_directory() -> tuple[Path, bool]:
    """Where the server processes keep their metrics (prometheus_client's multiprocess mode), emptied of a
    previous run's files, and whether we made it (and so remove it at the end)."""
    given = os.environ.get(METRICS_DIR)
    if not given:
        made = Path(tempfile.mkdtemp(prefix="sahel-kg-metrics-"))
        os.environ[METRICS_DIR] = str(made)
        return made, True
    folder = Path(given)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):  # counts of a previous run would be added to this one's
        stale.unlink()
    return folder, False


def run(*, host: str, port: int, workers: int, threads: int, config: dict) -> None:
    """Serve api.create_app(config) with gunicorn's threaded workers until stopped."""
    folder, made = metrics_directory()  # before any server process starts, so that all of them share it
    try:
        _run(host=host, port=port, workers=workers, threads=threads, config=config)
    finally:
        if made:
            shutil.rmtree(folder, ignore_errors=True)


def _forget_worker(server, worker) -> None:
    """A gunicorn worker ended: its live gauges no longer count (its counters still do)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def _run(*, host: str, port: int, workers: int, threads: int, config: dict) -> None:
    import json

    from gunicorn import util
    from gunicorn.app.base import BaseApplication
    from gunicorn.http import wsgi
    from gunicorn.http.errors import LimitRequestLine

    from api.errors import PROBLEM_TYPE

    def write_problem(sock, status: int, reason: str, detail: str) -> None:
        """One of gunicorn's own error answers, as a problem document like every other error."""
        body = json.dumps({"type": PROBLEM_TYPE + reason.lower().replace(" ", "-"), "title": reason, "status": status,
                           "detail": detail or "the server could not handle the request"}).encode()
        head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
        util.write_nonblock(sock, head + body)

    def harden_worker(worker):
        """In each gunicorn worker: errors gunicorn answers itself (a request it cannot read) are problem
        documents; a request line past limit_request_line is 414 (gunicorn before 27 says 400, which SPARQL
        clients take for a malformed query); and no Server header tells what runs here."""
        util.write_error = write_problem
        handle_error = worker.handle_error

        def handle(req, client, addr, exc):
            if not isinstance(exc, LimitRequestLine):
                return handle_error(req, client, addr, exc)
            worker.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
            try:
                write_problem(client, 414, "URI Too Long", f"{exc}; send a long query by POST")
            except Exception:
                worker.log.debug("Failed to send error message.")

        worker.handle_error = handle
        default_headers = wsgi.Response.default_headers
        wsgi.Response.default_headers = \
            lambda response: [line for line in default_headers(response) if not line.startswith("Server:")]

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("post_worker_init", harden_worker)
            self.cfg.set("child_exit", _forget_worker)
            self.cfg.set("accesslog", "-")
            self.cfg.set("graceful_timeout", 5)
            self.cfg.set("limit_request_line", 8190)  # gunicorn's most: long GET queries (SPARQLWrapper's default)
            if "control_socket_disable" in self.cfg.settings:  # newer gunicorn: no socket in the home dir
                self.cfg.set("control_socket_disable", True)

        def load(self):
            from api import create_app

            app = create_app(config)
            # Close the store and stop the query workers while the interpreter is still whole: RocksDB
            # handles left for interpreter teardown crash the worker on its way out.
            self.cfg.set("worker_exit", lambda server, worker: app.extensions["sahel-kg"].close())
            return app

    Server().run()
