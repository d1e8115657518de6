"""A SERVICE call's time limit covers the whole call from its start: a resolver or a connect that never ends is
cut at it, not only an answer that comes slowly (helper-176)."""

from __future__ import annotations

import socket
import ssl
import threading

import pytest

from kg.errors import ServiceFailure, ServiceTimeout
from kg.federation import Federation

PATTERN = "{ ?x ?p ?o }"


def called_aside(call):
    """Run `call` in a thread; (whether it ended while the test waited, what it raised)."""
    outcome = []

    def run():
        try:
            call()
        except Exception as error:  # noqa: BLE001 - the test looks at it
            outcome.append(error)
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(120)  # a guard for the old fault (a call blocked for good), not a measure of speed
    return not worker.is_alive(), outcome


def hanging_resolver(monkeypatch) -> threading.Event:
    """A resolver whose answer for hanging.example (no such name) waits for the event returned."""
    release, real = threading.Event(), socket.getaddrinfo

    def resolving(host, *args, **kwargs):
        if host != "hanging.example":
            return real(host, *args, **kwargs)
        release.wait()
        raise socket.gaierror("released by the test")
    monkeypatch.setattr(socket, "getaddrinfo", resolving)
    return release


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_resolver_that_never_answers_is_cut_at_the_calls_limit(monkeypatch, scheme):
    """The limit started once connected: a name whose resolution hangs held the call (and its worker) for as long
    as the resolver liked."""
    release = hanging_resolver(monkeypatch)
    try:
        ended, outcome = called_aside(
            lambda: Federation(timeout=0.5).solutions(f"{scheme}://hanging.example/sparql", PATTERN))
        assert ended and len(outcome) == 1 and isinstance(outcome[0], ServiceTimeout), outcome
        assert "did not answer within 0.5s" in str(outcome[0])
    finally:
        release.set()


def test_connect_attempts_share_the_calls_limit(monkeypatch):
    """Each address a name resolves to was given the whole limit to connect: twenty silent addresses, twenty
    limits."""
    real, attempts = socket.getaddrinfo, []

    def resolving(host, port, *args, **kwargs):
        if host != "many.example":
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.1", port))] * 20

    def connecting(sock, where):  # a host that never answers the SYN: connect waits out the socket's timeout
        attempts.append(sock.gettimeout())
        threading.Event().wait(sock.gettimeout())
        raise socket.timeout("timed out")
    monkeypatch.setattr(socket, "getaddrinfo", resolving)
    monkeypatch.setattr(socket.socket, "connect", connecting)
    with pytest.raises(ServiceTimeout):  # 2 s: the name's resolution (a thread) leaves time for a first connect
        Federation(timeout=2).solutions("http://many.example/sparql", PATTERN)
    assert 1 <= len(attempts) < 20 and all(limit <= 2 for limit in attempts)


@pytest.fixture
def slow_handshake():
    """A TLS endpoint whose first record (16 KiB) comes a byte at a time, each well within a socket's timeout."""
    listener, release = socket.create_server(("127.0.0.1", 0)), threading.Event()

    def serve():
        connection, _ = listener.accept()
        with connection:
            connection.recv(1 << 16)  # the client's hello
            try:
                connection.sendall(b"\x16\x03\x03\x40\x00")
                while not release.wait(0.05):  # the endpoint's slowness: 16 KiB take 14 minutes
                    connection.sendall(b"\x00")
            except OSError:  # the caller let go
                pass
    threading.Thread(target=serve, daemon=True).start()
    yield f"https://127.0.0.1:{listener.getsockname()[1]}/sparql"
    release.set()
    listener.close()


def test_a_tls_handshake_has_only_the_time_the_connect_left(slow_handshake, monkeypatch):
    """The handshake had a whole limit of its own after a connect that had taken most of the call's."""
    real_connect, real_handshake, given = socket.socket.connect, ssl.SSLSocket.do_handshake, []

    def connecting(sock, where):  # a far endpoint: connecting takes 3 s of the call's 5 (2 s left, however loaded)
        threading.Event().wait(3)
        return real_connect(sock, where)

    def handshaking(sock, *args, **kwargs):
        given.append(sock.gettimeout())
        return real_handshake(sock, *args, **kwargs)
    monkeypatch.setattr(socket.socket, "connect", connecting)
    monkeypatch.setattr(ssl.SSLSocket, "do_handshake", handshaking)
    with pytest.raises(ServiceTimeout):
        Federation(timeout=5).solutions(slow_handshake, PATTERN)
    assert len(given) == 1 and given[0] <= 2


def test_hung_resolutions_hold_at_most_a_few_threads(monkeypatch):
    """Each call whose name resolution hung left a thread behind, so a resolver that hangs for all of them gathered
    one thread per SERVICE call until the system refused more (helper-181). A call that finds every thread held
    fails as a timeout, and the threads are free again once the resolver answers."""
    from kg import call_deadline

    most = getattr(call_deadline, "RESOLVERS", 4)
    monkeypatch.setattr(call_deadline, "_resolvers", threading.BoundedSemaphore(most), raising=False)
    release = hanging_resolver(monkeypatch)
    before = set(threading.enumerate())
    try:
        for number in range(most + 3):
            with pytest.raises(ServiceTimeout):
                Federation(timeout=2).solutions(f"http://hanging.example/{number}", PATTERN)
        resolvers = [thread for thread in threading.enumerate()
                     if thread.name == "service-resolver" and thread not in before]
        assert len(resolvers) == most
    finally:
        release.set()
    for thread in resolvers:
        thread.join(60)  # a guard, not a measure
    with pytest.raises(ServiceFailure, match="could not be reached"):  # a thread was free for it
        Federation(timeout=30).solutions("http://hanging.example/again", PATTERN)


def test_a_forked_process_gets_every_resolver_place(monkeypatch):
    """A query worker forked while the parent's resolutions hung kept their places taken, with no thread of its own
    to give them back: each of its SERVICE calls to a name then failed as a timeout."""
    import os

    from kg import call_deadline

    held = threading.BoundedSemaphore(1)
    held.acquire()  # a resolution the parent has in flight
    monkeypatch.setattr(call_deadline, "_resolvers", held, raising=False)
    child = os.fork()
    if child == 0:
        os._exit(0 if call_deadline._resolvers.acquire(blocking=False) else 1)
    assert os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 0
