"""Fair shares between clients: a budget of query time per client and window, and a bound on waiting queries.

The budget is a bucket of seconds per client that refills at QUERY_BUDGET seconds per BUDGET_WINDOW_SECONDS
(a minute by default: the Wikidata Query Service's model). A query reserves its whole time limit from the
bucket when it starts and gives back what it did not use when it ends, so a client cannot start more queries
at once than its budget covers; once the bucket is empty, 429 with Retry-After. The buckets are shared by the
server processes of one `kg serve` (api.budget_tables); the bound on waiting queries is each process's own, as
it counts the query workers of that process.
A client is its address (through trusted proxies), or the token it sends when that token is known.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app, request

from api.budget_tables import BucketTable
from api.clients import client_address, is_loopback
from api.errors import Problem

CLIENT: ContextVar[str | None] = ContextVar("sahel_kg_client", default=None)  # set per request; None: exempt
# True within an admitted block: the store queries a search or a reconciliation makes are part of its charge.
_ADMITTED: ContextVar[bool] = ContextVar("sahel_kg_admitted", default=False)


def client_name(address: str, token: str | None, known_tokens: tuple[str, ...]) -> str:
    """The name a client's budget is kept under: a known token's hash, else its address."""
    if token and token in known_tokens:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:16]
    return address


class Budgets:
    """One bucket of query seconds per client, holding at most `per_window` and refilling that much every `window`
    seconds, kept in the SQLite file at `path` that a kg serve's processes share (api.budget_tables), or in memory."""

    def __init__(self, per_window: float, path=None, clock=time.monotonic, window: float = 60.0):
        self.per_window, self.window, self.rate, self.clock = per_window, window, per_window / window, clock
        self.table = BucketTable(path, capacity=per_window, rate=self.rate)

    def reserve(self, client: str, seconds: float) -> None:
        """Take `seconds` from the client's bucket; 429 (Problem) if it is already empty."""
        left = self.table.take(client, seconds, self.clock())
        if left is not None:
            wait = max(1, math.ceil(-left / self.rate + 1e-9))
            window = "minute" if self.window == 60 else f"{self.window:g}s"
            raise Problem(429, "Too many requests",
                          f"this client has spent its {self.per_window:g}s of query time per {window}; "
                          f"try again in {wait}s", headers={"Retry-After": str(wait)}, rejected="budget")

    def give_back(self, client: str, seconds: float) -> None:
        self.table.give(client, seconds, self.clock())


class Fairness:
    """Admission of queries: the client's budget, and a bound on queries in flight (running or waiting)."""

    def __init__(self, *, budget: float, capacity: int | None, queue: int, budgets_path=None, window: float = 60.0):
        self.budgets = Budgets(budget, budgets_path, window=window) if budget > 0 else None
        self.limit = None if capacity is None else capacity + queue  # queries in flight before 503
        self.in_flight = 0
        self.on_change = None  # called (no arguments) as an admitted query starts or ends: for metrics
        self.on_count = None  # called with the queries in flight as that count changes: for metrics
        self._lock = threading.Lock()

    @contextmanager
    def admitted(self, reserve: float | None, own_fault=None):
        """Run a query's block if the current client (CLIENT) may (within another admitted block: already counted),
        charging it the block's time; `own_fault()`, the query's own refusal if any, is raised in place of a 429."""
        if _ADMITTED.get():
            yield
            return
        entered = _ADMITTED.set(True)
        try:
            with self._admitted(reserve, own_fault):
                yield
        finally:
            _ADMITTED.reset(entered)

    @contextmanager
    def _admitted(self, reserve: float | None, own_fault=None):
        self.start()
        self._changed()
        client = CLIENT.get()
        budgets = self.budgets if client is not None else None
        reserved = reserve or 0.0
        started = time.monotonic()
        try:
            if budgets is not None:
                try:
                    budgets.reserve(client, reserved)
                except Problem:
                    # A request's own fault (its syntax, say) is told whatever its budget, as if checked first;
                    # it is looked for only here: a query let in meets it as it starts, before it runs.
                    fault = own_fault() if own_fault is not None else None
                    if fault is not None:
                        raise fault from None
                    raise
            try:
                yield
            finally:
                if budgets is not None:
                    budgets.give_back(client, reserved - (time.monotonic() - started))
        finally:
            self.end()
            self._changed()

    def start(self) -> None:
        """Count one more query in flight; 503 (Problem) past the bound. Charges no budget: see admitted()."""
        with self._lock:
            if self.limit is not None and self.in_flight >= self.limit:
                raise Problem(503, "Too busy", f"{self.in_flight} queries are running or waiting; try again shortly",
                              headers={"Retry-After": "1"}, rejected="queue")
            self.in_flight += 1
            self._counted()

    def end(self) -> None:
        """Count one query fewer in flight (one start() made)."""
        with self._lock:
            self.in_flight -= 1
            self._counted()

    def _counted(self) -> None:
        # Under the lock, so that the gauge is set to each count in the order the counts were made.
        if self.on_count is not None:
            self.on_count(self.in_flight)

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()


def charged():
    """A block of a view's own work (matching in the server process, with the store queries it makes), admitted
    and charged as a query is; only around work, so that a request running none is never refused for the budget."""
    limit = current_app.config["QUERY_TIMEOUT"]  # None: no limit, nothing reserved (the time taken is charged)
    return current_app.extensions["sahel-kg"].fairness.admitted(limit if limit and limit < math.inf else None)


def install(app) -> None:
    """Name each request's client for its budget (CLIENT), or exempt it; the namer (a WSGI environ -> a
    name or None) is kept as app.extensions["sahel-kg.budget-client"] for api.fast_sparql."""
    namer = app.extensions["sahel-kg.budget-client"] = budget_client(app.config)

    @app.before_request
    def name_client():
        CLIENT.set(namer(request.environ))


def budget_client(settings):
    """A function of a WSGI environ: the name its client's budget is kept under, or None when exempt (budgets
    off, or loopback in development, BUDGET_LOOPBACK off)."""
    known = tuple(settings["CLIENT_TOKENS"]) + ((settings["UPDATE_TOKEN"],) if settings["UPDATE_TOKEN"] else ())

    def name(environ: dict) -> str | None:
        address = client_address(environ, settings["TRUSTED_PROXIES"])
        if settings["QUERY_BUDGET"] <= 0 or (is_loopback(address) and not settings["BUDGET_LOOPBACK"]):
            return None
        scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        return client_name(address, token.strip() if scheme.lower() == "bearer" else None, known)

    return name
