"""Run the HTTP API under gunicorn; `kg serve` calls this. Gunicorn and Flask stay out of kg's imports."""

from __future__ import annotations

import subprocess
import sys

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


def run(*, host: str, port: int, workers: int, threads: int, config: dict) -> None:
    """Serve api.create_app(config) with gunicorn's threaded workers until stopped."""
    import json

    from gunicorn import util
    from gunicorn.app.base import BaseApplication
    from gunicorn.http.errors import LimitRequestLine

    from api.errors import PROBLEM_TYPE

    def answer_long_lines_with_414(worker):
        """A request line past limit_request_line is 414 (gunicorn before 27 says 400, which SPARQL clients
        take for a malformed query), as a problem document like every other error."""
        handle_error = worker.handle_error

        def handle(req, client, addr, exc):
            if not isinstance(exc, LimitRequestLine):
                return handle_error(req, client, addr, exc)
            worker.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
            body = json.dumps({"type": PROBLEM_TYPE + "uri-too-long", "title": "URI Too Long", "status": 414,
                               "detail": f"{exc}; send a long query by POST"}).encode()
            head = (f"HTTP/1.1 414 URI Too Long\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
            try:
                util.write_nonblock(client, head + body)
            except Exception:
                worker.log.debug("Failed to send error message.")

        worker.handle_error = handle

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("post_worker_init", answer_long_lines_with_414)
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
