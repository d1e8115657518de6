"""kg.store.remote_http: a request to a remote engine ends at its deadline, however the engine stalls."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from kg.errors import StoreUnavailable
from kg.store.deadline import STOPPING, Stop
from kg.store.remote_http import DeadlinePassed, post
from long_work import SOON, wait_until
from test_cli import KG

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
STALLS = {  # what the engine sends before it falls silent
    "before-the-head": b"",
    "in-a-body-without-a-length": HEAD + b"\r\n{",  # http.client then hands the socket to the response
    "in-a-body-with-connection-close": HEAD + b"Connection: close\r\nContent-Length: 100\r\n\r\n{",
}


@contextlib.contextmanager
def silent_listener(said: bytes = b""):
    """A listener that reads what comes first (a request, a TLS ClientHello), sends `said` and falls silent;
    its port, and events for having been asked and hung up on."""
    listener = socket.create_server(("127.0.0.1", 0))
    asked, hung_up = threading.Event(), threading.Event()

    def accept():
        connection, _ = listener.accept()
        with connection:
            try:
                connection.recv(1 << 16)
                connection.sendall(said)
                asked.set()
                while connection.recv(1 << 16):
                    pass
            except OSError:  # reset by a client that hung up first: hung up all the same
                pass
            hung_up.set()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1], asked, hung_up
    finally:
        listener.close()


@pytest.mark.parametrize("said", STALLS.values(), ids=STALLS.keys())
def test_a_stalled_engine_is_hung_up_on_at_the_deadline(said):
    # Beside CPU hogs a short deadline can pass before the engine has spoken, which tests no stall: then a
    # longer one is tried.
    for seconds in (0.5, 2, 8, SOON):
        with silent_listener(said) as (port, asked, hung_up):
            outcome = []

            def ask():
                try:
                    post(f"http://127.0.0.1:{port}/sparql", [("query", "ASK {}")],
                         accept="application/sparql-results+json", deadline=time.monotonic() + seconds).read()
                except DeadlinePassed as error:
                    outcome.append(error)

            asking = threading.Thread(target=ask, daemon=True)  # on the old code its read never ended
            asking.start()
            asking.join(SOON + seconds)
            assert outcome, "the read went on past the deadline"
            if asked.is_set():
                assert hung_up.wait(SOON), "the engine was not hung up on"
                return
    pytest.fail("the deadline passed before the engine spoke, however long it was")


def tcp_sockets() -> list[tuple[str, str, str, str]]:
    """(local address, remote address, state, queues) of this namespace's IPv4 TCP sockets, hex as the kernel
    writes them in /proc/net/tcp."""
    return [tuple(row.split()[1:5]) for row in Path("/proc/net/tcp").read_text().splitlines()[1:]]


def connecting_to(port: int, besides: set[int]) -> bool:
    """Whether a socket here is still connecting (SYN_SENT) to 127.0.0.1:`port` from a local port not in
    `besides`."""
    return any(state == "02" and remote == f"0100007F:{port:04X}" and int(local.split(":")[1], 16) not in besides
               for local, remote, state, _ in tcp_sockets())


def backlog_full(port: int, backlog: int) -> bool:
    """Whether the listener on `port` holds more connections unaccepted than its `backlog`: the kernel then
    drops every SYN, and a connect waits, never completed nor refused."""
    for local, _, state, queues in tcp_sockets():
        if state == "0A" and local.endswith(f":{port:04X}"):
            return int(queues.split(":")[1], 16) > backlog  # a listener's receive queue: connections unaccepted
    return False


@contextlib.contextmanager
def full_backlog():
    """A listener that never accepts, its backlog full; and the local ports of the connections that filled it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port, fillers = listener.getsockname()[1], []
    while not backlog_full(port, 0):
        assert len(fillers) < 64, "the listener's backlog never filled"
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    try:
        yield port, {filler.getsockname()[1] for filler in fillers}
    finally:
        for each in [*fillers, listener]:
            each.close()


def endpoint_at(stage: str, stack: contextlib.ExitStack):
    """An endpoint URL whose request stalls at `stage` (connect, tls-handshake, answer), and what tells that
    a request to it has got there."""
    if stage == "connect":
        port, fillers = stack.enter_context(full_backlog())
        return f"http://127.0.0.1:{port}/sparql", lambda: connecting_to(port, fillers)
    port, asked, _ = stack.enter_context(silent_listener())
    return f"{'https' if stage == 'tls-handshake' else 'http'}://127.0.0.1:{port}/sparql", asked.is_set


@pytest.mark.parametrize("stage", ["connect", "tls-handshake"])
def test_a_stop_hangs_up_a_request_still_connecting(stage):
    """A stop (Ctrl-C in the console) was hooked only once connected: a connect that never completed, or a TLS
    handshake never answered, held the query's helper thread until the store's time limit (an hour here)."""
    outcome, stop = [], Stop()

    def ask(url):
        STOPPING.set(stop)
        try:
            post(url, [("query", "ASK {}")], accept="application/sparql-results+json",
                 deadline=time.monotonic() + 3600)
        except StoreUnavailable as error:
            outcome.append(error)

    with contextlib.ExitStack() as stack:
        url, waiting = endpoint_at(stage, stack)
        asking = threading.Thread(target=ask, args=(url,), daemon=True)
        asking.start()
        wait_until(waiting, what=f"the request's {stage}")
        stop.set()
        asking.join(SOON)
        assert not asking.is_alive() and outcome, f"the {stage} went on after the stop"


@pytest.mark.parametrize("stage", ["connect", "tls-handshake", "answer"])
def test_ctrl_c_stops_kg_query_on_an_endpoint_at_any_stage(stage, tmp_path):
    """Ctrl-C while `kg query --endpoint` connects, shakes hands or awaits the answer: one line saying so and
    exit 130, not click's bare "Aborted!" with status 1."""
    with contextlib.ExitStack() as stack:
        url, waiting = endpoint_at(stage, stack)
        # SIGINT as a terminal sends it, even to a test run started in the background (which ignores it)
        process = subprocess.Popen([KG, "query", "--endpoint", url, "-q", "ASK {}"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env={**os.environ, "SAHEL_KG_HOME": str(tmp_path)},
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        try:
            wait_until(waiting, what=f"kg query's {stage}")
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=SOON)
        finally:
            process.kill()
            process.wait()
    assert process.returncode == 130 and "interrupted (Ctrl-C)" in err.decode(), err.decode()
    assert "Traceback" not in err.decode()


def test_an_engine_that_never_answers_its_first_question_is_one_line_of_error(tmp_path):
    """The first request to an endpoint (ASK {}, to learn its engine) that goes unanswered ends at the time
    limit with the error every other query gives there, not with a traceback of DeadlinePassed."""
    with silent_listener() as (port, _, _):
        done = subprocess.run([KG, "query", "--endpoint", f"http://127.0.0.1:{port}/sparql", "--timeout", "1",
                               "-q", "ASK {}"], capture_output=True, text=True, timeout=SOON,
                              env={**os.environ, "SAHEL_KG_HOME": str(tmp_path)})
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("error: ") and "did not answer" in done.stderr and done.stderr.count("\n") == 1


@pytest.mark.parametrize("command", [["query", "--timeout", "1", "-q", "ASK {}"],
                                     ["update", "--timeout", "1", "-q", "INSERT DATA { <a:s> <a:p> 1 }"]])
def test_a_store_that_never_answers_its_first_questions_is_told_within_the_commands_timeout(tmp_path, command):
    """`kg query --timeout 3 --store URL` waited for as long as the engine held the connection: the questions kg asks
    a store first (its kind, its default graph) had no limit (helper-208); --endpoint's was bounded."""
    with silent_listener() as (port, _, _):
        done = subprocess.run([KG, *command[:1], "--store", f"http://127.0.0.1:{port}/sparql", *command[1:]],
                              capture_output=True, text=True, timeout=SOON,
                              env={**os.environ, "SAHEL_KG_HOME": str(tmp_path)})
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "did not answer the questions kg asks a store first" in done.stderr and "within 1s" in done.stderr


def test_an_updates_timeout_bounds_its_service_calls(tmp_path):
    """`kg update --timeout 3` with a SERVICE that never answered ran to SERVICE_TIMEOUT (10 s): the update's limit
    was given to no SERVICE call, where a query's is (helper-208)."""
    with silent_listener() as (port, _, _):
        url = f"http://127.0.0.1:{port}/sparql"
        update = f"INSERT {{ GRAPH <http://ex.org/g> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
        done = subprocess.run([KG, "update", "--timeout", "1", "-q", update], capture_output=True, text=True,
                              timeout=SOON, env={**os.environ, "SAHEL_KG_HOME": str(tmp_path),
                                                 "SAHEL_KG_SERVICE_ALLOWLIST": url, "SAHEL_KG_SERVICE_TIMEOUT": "3600"})
    assert done.returncode == 1, done.stderr
    assert done.stderr == f"error: the update's time limit ran out while SERVICE <{url}> was answering\n"


def refusal_by(handler) -> tuple[str, str]:
    """The URL of a local web server answering with `handler`, and the message of the error a query to it raises."""
    import http.server

    from kg.store.remote import RemoteStore

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    try:
        with pytest.raises(Exception) as caught:
            RemoteStore(url, dialect="sparql11").query("ASK {}")
    finally:
        server.shutdown()
        server.server_close()
    return url, str(caught.value)


def test_a_web_servers_error_page_is_said_in_words_not_markup(tmp_path):
    """A plain web server's 501 page came back as raw HTML cut at 240 characters (helper-87)."""
    import http.server
    from functools import partial

    url, said = refusal_by(partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path)))
    # the status line alone: not the page's words, which are the web server's, run together in one long line
    assert said == (f"{url} failed: HTTP 501 Unsupported method ('POST'), a web page rather than a SPARQL answer "
                    "(is this a SPARQL endpoint?)")


@pytest.mark.parametrize("status, kind", [(500, "failed:"), (503, "answered 503:")])
def test_an_engines_stack_trace_is_told_in_its_first_line(status, kind):
    import http.server

    class Tracing(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"java.lang.IllegalStateException: engine broke\n\tat org.example.Engine.run(E.java:1)\n")

        def log_message(self, *args):
            pass

    url, said = refusal_by(Tracing)
    assert said == f"{url} {kind} java.lang.IllegalStateException: engine broke …"


# How each engine says it stopped a query at its limit: Virtuoso by an error naming S1TAT or by an "anytime" answer's
# header, oxigraph serve by words ending a cut answer
STOPPED_BY_THE_ENGINE = [
    ("Virtuoso/07.20.3229 (Linux)", 500, {}, b"Virtuoso S1TAT Error SR171: Transaction timed out\n"),
    ("Virtuoso/07.20.3229 (Linux)", 200, {"X-SQL-State": "S1TAT"}, b'{"head": {"vars": ["n"]}, "results": '
                                                                    b'{"bindings": []}}'),
    ("oxigraph/0.5.13", 200, {}, b'{"head":{"vars":["n"]},"results":{"bindings":[The SPARQL operation has been '
                                 b'cancelled'),
]


@pytest.mark.parametrize("server, status, headers, body", STOPPED_BY_THE_ENGINE)
def test_a_query_the_engine_stopped_is_told_in_the_embedded_stores_words(server, status, headers, body):
    """Whichever way the engine says it, the store says what the embedded store says (kg.runner), without the
    engine's address: where Virtuoso stopped the query first, it said "<url> stopped the query at its time limit"."""
    import http.server

    from kg.errors import QueryTimeout
    from kg.store.remote import RemoteStore

    class Engine(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            asked = self.rfile.read(int(self.headers["Content-Length"])).decode()
            first = "ASK" in asked or "description" in asked  # learning the engine, not the query
            self.send_response(200 if first else status)
            self.send_header("Content-Type", "application/sparql-results+json")
            for name, value in ({} if first else headers).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(b'{"head": {}, "boolean": true}' if "ASK" in asked else
                             b'{"head": {"vars": ["g"]}, "results": {"bindings": []}}' if first else body)

        def version_string(self):
            return server

        def log_message(self, *args):
            pass

    engine = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Engine)
    threading.Thread(target=engine.serve_forever, daemon=True).start()
    try:
        with RemoteStore(f"http://127.0.0.1:{engine.server_port}/sparql") as store, \
                pytest.raises(QueryTimeout) as caught:
            list(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout=3))
    finally:
        engine.shutdown()
        engine.server_close()
    assert str(caught.value) == "query stopped after its time limit of 3s"
