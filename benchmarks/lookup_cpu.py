"""The app's CPU per claim lookup, in process: GET /sparql?query=… through app.wsgi_app, no HTTP server.

Each lookup asks for one of the article's claims with a text of its own (no result cache answers it), JSON
results, from the loopback address, as benchmarks/mix.py's wrk script does; the figure is this thread's CPU
time (time.thread_time) over ROUNDS x COUNT lookups, after a warm-up. Targets: `app` (the whole chain),
`loop` (the whole chain offered each lookup at once, as api.rsgi offers it on the event loop), `flask` (the same
chain without the fast path, api/fast_sparql.py), `post` (the lookup as a POSTed form, offered at once and, if
declined, answered as a thread answers it), `home` (the constant route, /), `worker` (an ASK of two patterns
under the mix's PREFIX lines, which a query worker answers: offered at once, declined, then answered, as api.rsgi
does; the worker's own CPU is not counted).
Run it from two checkouts in turn to compare them (PYTHONPATH=<checkout>). Nothing here is a test.

    python benchmarks/lookup_cpu.py --store /tmp/article-store app flask
"""

from __future__ import annotations

import argparse
import functools
import io
import itertools
import sys
import time
from urllib.parse import urlencode

from flask import Flask

import api
from api.body_limit import BodyLimit
from api.request_encoding import RequestEncoding
from api.rsgi import AT_ONCE, NotAtOnce
from mix import PROLOGUE
from kg.publish import ensure_installed
from kg.store.oxigraph import OxigraphStore

CLAIMS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), '/claim/')) }"
ENVIRON = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
           "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.version": (1, 0),
           "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "wsgi.multithread": True,
           "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.input_terminated": True,
           "CONTENT_LENGTH": "0", "HTTP_HOST": "127.0.0.1:8000", "HTTP_USER_AGENT": "wrk"}


def claims(path: str) -> list[str]:
    """The article's claim IRIs (the article is installed at `path` first if need be)."""
    store = OxigraphStore(path)
    ensure_installed(store)
    store.close()
    store = OxigraphStore(path, read_only=True)
    found = [row[0].value for row in store.query(CLAIMS).rows]
    store.close()
    return found


def requests(target: str, iris: list[str], numbers):
    """An endless supply of fresh environs for `target`; `numbers` (shared by every target) makes each text new."""
    for number in numbers:
        if target == "home":
            yield dict(ENVIRON, PATH_INFO="/", QUERY_STRING="", **{"wsgi.input": io.BytesIO(b"")})
            continue
        text = f"SELECT ?p ?o WHERE {{ <{iris[number % len(iris)]}> ?p ?o }}\n# {number}" if target != "worker" \
            else f"{PROLOGUE}ASK {{ <{iris[number % len(iris)]}> prov:wasAttributedTo ?who . ?who ?p ?o }}\n# {number}"
        if target == "post":
            body = urlencode({"query": text}).encode()
            yield dict(ENVIRON, REQUEST_METHOD="POST", PATH_INFO="/sparql", QUERY_STRING="",
                       CONTENT_TYPE="application/x-www-form-urlencoded", CONTENT_LENGTH=str(len(body)),
                       HTTP_ACCEPT="application/sparql-results+json", **{"wsgi.input": io.BytesIO(body)})
            continue
        yield dict(ENVIRON, PATH_INFO="/sparql", QUERY_STRING=urlencode({"query": text}),
                   HTTP_ACCEPT="application/sparql-results+json", **{"wsgi.input": io.BytesIO(b"")})


def cpu_per_request(wsgi, supply, count: int) -> float:
    """Microseconds of this thread's CPU per request, over `count` requests, each answered 200."""
    started = time.thread_time()
    for _ in range(count):
        statuses = []
        b"".join(wsgi(next(supply), lambda status, headers, info=None: statuses.append(status)))
        if statuses[0] != "200 OK":
            raise SystemExit(f"answered {statuses[0]}")
    return (time.thread_time() - started) / count * 1e6


def at_once(wsgi, environ: dict, start_response):
    """`wsgi`'s answer to a request offered at once; NotAtOnce (a lookup the loop declined) is not caught."""
    environ[AT_ONCE] = True
    return wsgi(environ, start_response)


def declined_first(wsgi, environ: dict, start_response):
    """`wsgi`'s answer to a request offered at once and declined (NotAtOnce), then asked as a thread asks it."""
    try:
        # a copy of the environ and body, as api.rsgi offers it: what the app reads there is still to read after
        return at_once(wsgi, dict(environ, **{"wsgi.input": io.BytesIO(environ["wsgi.input"].getvalue())}),
                       start_response)
    except NotAtOnce:
        environ[AT_ONCE] = False
        return wsgi(environ, start_response)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", default=["app"], choices=["app", "loop", "flask", "post", "home", "worker"])
    parser.add_argument("--store", required=True, help="an on-disk store directory (the article is installed)")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    iris = claims(args.store)
    app = api.create_app({"STORE": f"oxigraph:{args.store}", "INSTALL_ARTICLE": False, "QUERY_WORKERS": 1,
                          "ACCESS_LOG": "-"})
    limit = app.config["MAX_BODY_BYTES"]
    chains = {"app": app.wsgi_app, "home": app.wsgi_app, "loop": functools.partial(at_once, app.wsgi_app),
              "worker": functools.partial(declined_first, app.wsgi_app),
              "post": functools.partial(declined_first, app.wsgi_app),
              "flask": BodyLimit(RequestEncoding(functools.partial(Flask.wsgi_app, app), limit), limit)}
    numbers = itertools.count(1)
    supplies = {target: requests(target, iris, numbers) for target in args.targets}
    for target in args.targets:
        cpu_per_request(chains[target], supplies[target], 300)  # warm up
    figures = {target: [] for target in args.targets}
    for _ in range(args.rounds):  # the targets alternate, round by round
        for target in args.targets:
            figures[target].append(round(cpu_per_request(chains[target], supplies[target], args.count)))
    app.extensions["sahel-kg"].close()
    print({target: values for target, values in figures.items()})


if __name__ == "__main__":
    main()
