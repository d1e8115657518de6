"""Run the HTTP API under gunicorn; `kg serve` calls this. Gunicorn and Flask stay out of kg's imports."""

from __future__ import annotations


def prepare_store(spec: str) -> None:
    """Install the article into an empty embedded store once, before any server process opens it."""
    if not spec.startswith("oxigraph:"):
        return
    from kg.publish import ensure_installed
    from kg.store import open_store

    with open_store(spec) as store:
        ensure_installed(store)


def run(*, host: str, port: int, workers: int, threads: int, config: dict) -> None:
    """Serve api.create_app(config) with gunicorn's threaded workers until stopped."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", "-")
            self.cfg.set("graceful_timeout", 5)
            if "control_socket_disable" in self.cfg.settings:  # newer gunicorn: no socket in the home dir
                self.cfg.set("control_socket_disable", True)

        def load(self):
            from api import create_app

            return create_app(config)

    Server().run()
