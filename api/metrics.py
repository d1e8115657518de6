"""Prometheus metrics of one app: requests, durations, timeouts, rejections, cache hits, worker restarts.

Under `kg serve` several server processes answer requests, so prometheus_client runs in its
multiprocess mode (PROMETHEUS_MULTIPROC_DIR, set by kg.serve): every process writes its values to files
there and /metrics adds them up. Without that variable (flask run, tests) each app has its own registry.
"""

from __future__ import annotations

import os

from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram,
                               disable_created_metrics, generate_latest, values)
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)  # seconds
METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"}
disable_created_metrics()  # the *_created series say when a process started counting: noise here
# prometheus_client asks for the process id at every update of a multiprocess value (to find a fork): a system
# call each, five a lookup. The id is kept here instead, and taken anew in a forked child.
_process = [os.getpid()]
os.register_at_fork(after_in_child=lambda: _process.__setitem__(0, os.getpid()))
_multiprocess_value = None  # made once: two value classes would map the same file twice in one process


def _process_id() -> int:
    return _process[0]


def _value_class():
    """The multiprocess value class, made once, that reads the kept process id."""
    global _multiprocess_value
    if _multiprocess_value is None:
        _multiprocess_value = values.MultiProcessValue(process_identifier=_process_id)
    return _multiprocess_value


class Metrics:
    """The app's metric objects; `exposition()` gives the text /metrics serves."""

    def __init__(self):
        self.multiprocess = bool(os.environ.get(MULTIPROCESS_DIR))
        if self.multiprocess:  # also when prometheus_client was imported before the variable was set
            values.ValueClass = _value_class()
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.requests = Counter("sahel_kg_http_requests", "HTTP requests answered, by route, method and status.",
                                ["route", "method", "status"], registry=registry)
        self.duration = Histogram("sahel_kg_http_request_duration_seconds", "Time to answer a request, by route.",
                                  ["route"], buckets=DURATION_BUCKETS, registry=registry)
        self.timeouts = Counter("sahel_kg_query_timeouts", "Queries stopped at their time limit.", registry=registry)
        self.rejections = Counter("sahel_kg_rejections", "Requests refused before any query ran, by reason.",
                                  ["reason"], registry=registry)
        self.cache_hits = Counter("sahel_kg_cache_hits", "Answers served from a cache or as 304 Not Modified.",
                                  ["kind"], registry=registry)
        self.worker_restarts = Counter("sahel_kg_query_worker_restarts",
                                       "Query worker processes replaced (killed at a time limit, or died).",
                                       registry=registry)

        # Gauges are set by each process as its queries start and end (and at a scrape), and summed.
        self.in_flight = Gauge("sahel_kg_queries_in_flight", "Queries running or waiting for a query worker.",
                               registry=registry, multiprocess_mode="livesum")
        self.workers = Gauge("sahel_kg_query_workers", "Query worker processes, by state (busy, idle).", ["state"],
                             registry=registry, multiprocess_mode="livesum")

        self.replicas = Gauge("sahel_kg_store_replicas", "Read replicas of a remote store, by state (up, down).",
                              ["state"], registry=registry, multiprocess_mode="livemax")
        # labels() takes a lock and builds a key each call: the children a request touches are kept here.
        self._counted: dict[tuple[str, str, str], tuple] = {}
        self._busy, self._idle = self.workers.labels("busy"), self.workers.labels("idle")
        self._gauges: dict[str, float] = {}  # the value each gauge was last set to by this process

    def refresh(self, backend, *, scrape: bool = True) -> None:
        """Set the gauges of workers and replicas from this process's backend: at a scrape, and (scrape=False) as
        each query starts and ends, when idle workers are counted without asking each process whether it still
        runs (about 15 us a lookup); a scrape asks, and so reaps a worker that died idle."""
        replicas = getattr(backend.writer, "replicas", None)
        if replicas is not None:
            self.replicas.labels("up").set(replicas.up())
            self.replicas.labels("down").set(len(replicas.urls) - replicas.up())
        runner = backend.runner
        if hasattr(runner, "busy"):
            self._set("busy", self._busy, runner.busy())
            self._set("idle", self._idle, runner.idle() if scrape else runner.idle_count())

    def count_in_flight(self, queries: int) -> None:
        """Set the gauge of queries in flight (Fairness.on_count): a lookup on the event loop counts too."""
        self.in_flight.set(queries)  # called only when the count changes: _set's check would cost more than it saves

    def _set(self, name: str, gauge, value: float) -> None:
        if self._gauges.get(name) != value:  # a set writes the multiprocess file: only when it changes
            gauge.set(value)
            self._gauges[name] = value

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        key = (route, method if method in METHODS else "other", str(status))
        children = self._counted.get(key)
        if children is None:  # routes are URL rules and statuses few: the dict stays small
            children = self._counted[key] = (self.requests.labels(*key), self.duration.labels(route))
        children[0].inc()
        children[1].observe(seconds)

    def exposition(self) -> tuple[bytes, str]:
        """The metrics in Prometheus' text format, summed over every server process, and its media type."""
        if self.multiprocess:
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
