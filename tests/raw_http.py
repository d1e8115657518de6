"""Plain HTTP for live-server tests: urllib requests that return errors as answers, raw bytes over a
socket (for requests no client library would send), problem-document checks, and a store's fingerprint."""

from __future__ import annotations

import hashlib
import io
import json
import socket
import urllib.error
import urllib.parse
import urllib.request

from kg.store.oxigraph import OxigraphStore


def http(url: str, *, method: str = "GET", data: bytes | None = None, headers: dict | None = None,
         timeout: float = 60):
    """(status, headers, body) of one request; HTTP errors are answers too."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def query_url(base: str, sparql: str, **params) -> str:
    """A GET query URL; a parameter given a list is repeated (default-graph-uri twice, say)."""
    return f"{base}/sparql?" + urllib.parse.urlencode({"query": sparql, **params}, doseq=True)


def raw_request(base: str, request: bytes, timeout: float = 30) -> tuple[int, dict, bytes]:
    """Send `request` as it is to the server at `base` (http://host:port) and read the whole answer
    (the request should say Connection: close)."""
    host, port = urllib.parse.urlsplit(base).hostname, urllib.parse.urlsplit(base).port
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def problem(status: int, headers, body: bytes, expected: int) -> dict:
    """The problem document of an error answer, checked for its status and shape."""
    assert status == expected, (status, body[:500])
    content_type = headers.get("Content-Type") or headers.get("content-type")
    assert content_type == "application/problem+json", (content_type, body[:500])
    document = json.loads(body)
    assert document["status"] == expected and document["title"], document
    assert "Traceback" not in body.decode("utf-8", "replace")
    return document


def fingerprint(store_path) -> str:
    """SHA-256 of an embedded store's quads as sorted N-Quads, read through a read-only view."""
    output = io.BytesIO()
    store = OxigraphStore(store_path, read_only=True)
    try:
        store.dump(output, format="nquads")
    finally:
        store.close()
    return hashlib.sha256(b"\n".join(sorted(output.getvalue().splitlines()))).hexdigest()
