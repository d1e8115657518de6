"""kg.store.remote_http: a request to a remote engine ends at its deadline, however the engine stalls."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from kg.store.remote_http import DeadlinePassed, post
from long_work import SOON

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
STALLS = {  # what the engine sends before it falls silent
    "before-the-head": b"",
    "in-a-body-without-a-length": HEAD + b"\r\n{",  # http.client then hands the socket to the response
    "in-a-body-with-connection-close": HEAD + b"Connection: close\r\nContent-Length: 100\r\n\r\n{",
}


@pytest.mark.parametrize("said", STALLS.values(), ids=STALLS.keys())
def test_a_stalled_engine_is_hung_up_on_at_the_deadline(said):
    listener = socket.create_server(("127.0.0.1", 0))
    hung_up = threading.Event()

    def stalling_engine():
        connection, _ = listener.accept()
        with connection:
            connection.recv(1 << 16)
            connection.sendall(said)
            while connection.recv(1 << 16):
                pass
            hung_up.set()

    threading.Thread(target=stalling_engine, daemon=True).start()
    outcome = []

    def ask():
        try:
            post(f"http://127.0.0.1:{listener.getsockname()[1]}/sparql", [("query", "ASK {}")],
                 accept="application/sparql-results+json", deadline=time.monotonic() + 0.5).read()
        except DeadlinePassed as error:
            outcome.append(error)

    asking = threading.Thread(target=ask, daemon=True)  # on the old code its read never ended
    asking.start()
    asking.join(SOON)
    listener.close()
    assert outcome and hung_up.wait(SOON)
