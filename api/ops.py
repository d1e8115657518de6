"""The operator's view: /healthz, /readyz, /metrics, and the access log and metrics of every request.

Views and error handlers say what the log and the metrics need through flask.g: `query_text` (the query
or update text), `timed_out` (the time limit stopped the query) and `rejected` (why a request was refused
before any query ran: too_large, bad_encoding, query_too_large, policy...; a Problem says it as `rejected`).
The fast path (api.fast_sparql) records its requests with the same Accounting.
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Flask, Response, current_app, g, has_request_context, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from api.access_log import AccessLog, query_hash
from api.clients import client_address
from api.errors import Problem
from api.fairness import CLIENT
from api.metrics import Metrics
from api.openapi import document as describe
from api.rsgi import RECEIVED
from kg.answers import QueryRequest, StreamedAnswer, primed
from kg.errors import ClientGone, QueryTimeout

bp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)
READY_SECONDS = 2.0  # how long /readyz waits for the store before it says 503
NO_ROUTE = "(no route)"  # the route of a request no URL rule matched, in the metrics and the log


@bp.route("/healthz")
def healthz():
    """The process is up and answering HTTP (for a load balancer's liveness check)."""
    return jsonify({"status": "ok"})


@bp.route("/readyz")
def readyz():
    """The store answers a trivial query within READY_SECONDS (for a load balancer's readiness check)."""
    backend = current_app.extensions["sahel-kg"]
    seconds = min(READY_SECONDS, current_app.config["QUERY_TIMEOUT"] or READY_SECONDS)
    exempt = CLIENT.set(None)  # a load balancer's probe spends no client's budget
    try:
        backend.query(QueryRequest(sparql="ASK {}", format="json", timeout=seconds))
    except ClientGone:  # the probe left before the store answered: nothing is known of the store (499)
        raise
    except Exception as error:  # any failure means not ready; the reason (which may name hosts) is logged
        log.warning("not ready: %s", error)
        raise Problem(503, "Not ready", f"the store did not answer within {seconds:g}s",
                      headers={"Retry-After": "1"}) from None
    finally:
        CLIENT.reset(exempt)
    return jsonify({"status": "ready"})


@bp.route("/metrics")
def metrics():
    """Prometheus metrics of every server process, in the text exposition format."""
    if not current_app.config["METRICS"]:
        raise Problem(404, "Not found", "metrics are turned off (METRICS)")
    registry = current_app.extensions["sahel-kg.metrics"]
    registry.refresh(current_app.extensions["sahel-kg"])
    body, media = registry.exposition()
    return Response(body, headers={"Content-Type": media, "Cache-Control": "no-store"})


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3 description of every route (api/openapi/*.yaml)."""
    return jsonify(describe())


# Crawlers read the pages, documents and dumps; the query routes they would only load (a link to a query is a query
# run on each visit), and /store is the whole dataset again.
ROBOTS = "User-agent: *\nDisallow: /sparql\nDisallow: /store\nDisallow: /reconcile\nDisallow: /search\nAllow: /\n"


@bp.route("/robots.txt")
def robots():
    """What crawlers may read (the Robots Exclusion Protocol, RFC 9309)."""
    return Response(ROBOTS, mimetype="text/plain")


class Accounting:
    """Counts each answered request in the metrics and queues its access-log line (`log` None: no log)."""

    def __init__(self, registry: Metrics, log: AccessLog | None, trusted: tuple[str, ...]):
        self.registry, self.log, self.trusted = registry, log, trusted

    def record(self, environ: dict, method: str, route: str, status: int, seconds: float, headers, *,
               query_text: str | None = None, timed_out: bool = False, rejected: str | None = None,
               failed: str | None = None) -> None:
        """One request: its WSGI environ, method, URL rule, status, duration, response headers (for the rows
        and cut of a query's answer) and what the view and error handlers said of it."""
        registry = self.registry
        registry.observe(route, method, status, seconds)
        if timed_out:
            registry.timeouts.inc()
        if rejected:
            registry.rejections.labels(rejected).inc()
        if status == 304:
            registry.cache_hits.labels("not_modified").inc()
        if self.log is not None:
            fields = {"client": client_address(environ, self.trusted), "method": method, "route": route,
                      "status": status, "duration": round(seconds, 6)}
            if query_text is not None:
                fields["query"] = query_hash(query_text)
                if "X-Result-Count" in headers:
                    fields["rows"] = int(headers["X-Result-Count"])
                fields["cut"] = headers.get("X-Result-Truncated") == "true"
                fields["timeout"] = timed_out
            if rejected:  # refused before any query ran: the reason sahel_kg_rejections_total counts it under
                fields["rejected"] = rejected
            if failed:  # a streamed answer broken off after its 200 went (the error's class: FormatError)
                fields["failed"] = failed
            self.log.write(fields)

    def refused_by_server(self, environ: dict, status: int, seconds: float, reason: str) -> None:
        """A request the RSGI adapter refused before the app saw it (api.rsgi: a bad head, a body too slow)."""
        self.record(environ, environ["REQUEST_METHOD"], NO_ROUTE, status, seconds, {}, rejected=reason)

    def at_end(self, answer: StreamedAnswer, environ: dict, method: str, route: str, started: float,
               query_text: str | None):
        """A streamed answer's chunks; its request is recorded once they end (rows and cut, or its time limit),
        not when its headers went. Its status stays the 200 that was sent."""
        timed_out, failed = False, None
        try:
            yield b""  # for primed(): a body closed unread (HEAD) is recorded and lets its worker go too
            yield from answer.chunks
        except QueryTimeout:
            timed_out = True
            raise
        except Exception as error:  # the client sees a body cut short; the log says why (it said nothing)
            failed = type(error).__name__
            raise
        finally:  # also when the client went away (GeneratorExit): then the rows are not known
            try:
                answer.chunks.close()  # if never iterated, nothing else closes it
            except Exception:
                log.exception("could not close a streamed answer")
            end = answer.end
            headers = {} if end.count is None else {"X-Result-Count": str(end.count)}
            if end.truncated:
                headers["X-Result-Truncated"] = "true"
            try:
                self.record(environ, method, route, 200, time.perf_counter() - started, headers,
                            query_text=query_text, timed_out=timed_out, failed=failed)
            except Exception:  # the answer went whole or not; the record must not cut it
                log.exception("could not record a streamed answer")


def arrival(environ: dict) -> float:
    """When the request was read, on time.perf_counter()'s clock, where the server noted it (else now): a wait
    for a request thread is the client's wait too."""
    received = environ.get(RECEIVED)
    return time.perf_counter() - (0.0 if received is None else time.monotonic() - received)


def received() -> float:
    """When the current request was read, on time.monotonic()'s clock (noted now, once, where no server noted it;
    now outside a request): every time limit of the request's work counts from it."""
    if not has_request_context():
        return time.monotonic()
    return request.environ.setdefault(RECEIVED, time.monotonic())


def request_deadline() -> float | None:
    """When the current request's time limit (QUERY_TIMEOUT, from its arrival) ends; None if it has none."""
    limit = current_app.config["QUERY_TIMEOUT"]
    return None if limit is None or limit == float("inf") else received() + limit


def route_of_request() -> str:
    """The URL rule the current request's path matched, whatever its method (a 405 is counted under its route);
    NO_ROUTE only for a path no rule matches."""
    if request.url_rule is not None:
        return request.url_rule.rule
    refused = request.routing_exception
    if isinstance(refused, MethodNotAllowed) and refused.valid_methods:
        try:  # matched again with a method the path takes: the rule that refused this one
            rule, _ = current_app.url_map.bind_to_environ(request.environ).match(
                method=refused.valid_methods[0], return_rule=True)
            return rule.rule
        except HTTPException:
            pass
    return NO_ROUTE


def recorded_at_end(answer: StreamedAnswer):
    """In a view: `answer`'s chunks, its request recorded when they end rather than by the after-request hook."""
    g.recorded_at_end = True
    route = route_of_request()
    return primed(current_app.extensions["sahel-kg.accounting"].at_end(
        answer, request.environ, request.method, route, g.get("started", time.perf_counter()), g.get("query_text")))


def install(app: Flask) -> None:
    """Register the ops routes, and time, log and count every request of `app` (the Accounting is kept as
    app.extensions["sahel-kg.accounting"] for api.fast_sparql)."""
    app.register_blueprint(bp)
    registry = app.extensions["sahel-kg.metrics"] = Metrics()
    target = app.config["ACCESS_LOG"]
    log = app.extensions["sahel-kg.access-log"] = AccessLog(target) if target else None
    accounting = app.extensions["sahel-kg.accounting"] = Accounting(registry, log, app.config["TRUSTED_PROXIES"])
    backend = app.extensions["sahel-kg"]
    if hasattr(backend.runner, "on_replace"):  # worker processes (embedded on-disk store)
        backend.runner.on_replace = registry.worker_restarts.inc
    backend.fairness.on_change = lambda: registry.refresh(backend, scrape=False)
    backend.fairness.on_count = registry.count_in_flight
    backend.on_cache_hit = registry.cache_hits.labels("result").inc

    @app.before_request
    def start_clock():
        g.started = arrival(request.environ)

    @app.after_request
    def account(response: Response) -> Response:
        if g.get("recorded_at_end"):  # a streamed answer: recorded when its body ends
            return response
        seconds = time.perf_counter() - g.get("started", time.perf_counter())
        route = route_of_request()
        accounting.record(request.environ, request.method, route, response.status_code, seconds, response.headers,
                          query_text=g.get("query_text"), timed_out=bool(g.get("timed_out")),
                          rejected=g.get("rejected"))
        return response
