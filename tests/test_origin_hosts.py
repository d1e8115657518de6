"""A request's origin without PUBLIC_ORIGIN: werkzeug's reading of its Host (and SERVER_NAME, SERVER_PORT),
hostile ones too, worked out once for each Host a client sends, not for every request."""

from __future__ import annotations

import itertools
import sys
from urllib.parse import urlsplit

import pytest
import werkzeug.wsgi
from werkzeug.wsgi import get_host

from api import public_origin
from api.clients import client_address, is_loopback

IRI_BASE = "https://sahel-kg.example/"
HOSTS = [None, "127.0.0.1:8000", "127.0.0.1", "localhost:80", "LOCALHOST", "[::1]:8000", "[::1]", "::1",
         "127.0.0.1.evil.example", "evil.example:8000", "127.0.0.1:8000/x", "127.0.0.1 :8000", "127.0.0.1:443",
         "", "a\x00b", "\u00e9.example", "127.0.0.1@evil.example", "[::ffff:127.0.0.1]:9"]
SERVERS = [(None, None), ("127.0.0.1", "8000"), ("::1", "80"), ("localhost", "443"), ("127.0.0.1", "unix"),
           ("evil.example", "8000")]


def before(settings, environ) -> str:
    """The origin as origin_for gave it before it kept werkzeug's reading of the Host."""
    if settings["PUBLIC_ORIGIN"]:
        return settings["PUBLIC_ORIGIN"]
    local = not settings["PUBLIC"] and is_loopback(client_address(environ, settings["TRUSTED_PROXIES"]))
    host = get_host(environ)
    if local and public_origin._loopback(urlsplit("//" + host).hostname or ""):
        return f"{environ['wsgi.url_scheme']}://{host}"
    base = urlsplit(settings["IRI_BASE"])
    return f"{base.scheme}://{base.netloc}"


def environ_of(scheme, host, server, peer, forwarded):
    given = {"wsgi.url_scheme": scheme, "HTTP_HOST": host, "SERVER_NAME": server[0], "SERVER_PORT": server[1],
             "REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forwarded}
    return {name: value for name, value in given.items() if value is not None}


@pytest.mark.parametrize("public, proxies", [(False, ()), (True, ()), (False, ("127.0.0.1",))])
def test_the_origin_is_werkzeugs_reading_of_the_host(public, proxies):
    settings = {"PUBLIC_ORIGIN": None, "PUBLIC": public, "TRUSTED_PROXIES": proxies, "IRI_BASE": IRI_BASE}
    for scheme, host, server, peer, forwarded in itertools.product(
            ["http", "https"], HOSTS, SERVERS, ["127.0.0.1", "10.1.2.3", "::1"], [None, "10.9.9.9", "127.0.0.1"]):
        environ = environ_of(scheme, host, server, peer, forwarded)
        assert public_origin.origin_for(settings, environ) == before(settings, environ), environ


def test_a_host_seen_before_is_not_read_again():
    settings = {"PUBLIC_ORIGIN": None, "PUBLIC": False, "TRUSTED_PROXIES": (), "IRI_BASE": IRI_BASE}
    environ = environ_of("http", "127.0.0.1:8000", ("127.0.0.1", "8000"), "127.0.0.1", None)
    public_origin.origin_for(settings, environ)
    asked = []

    def watch(frame, event, arg):
        if event == "call" and frame.f_code is werkzeug.wsgi.get_host.__code__:
            asked.append(1)

    sys.setprofile(watch)
    try:
        origins = [public_origin.origin_for(settings, dict(environ)) for _ in range(3)]
    finally:
        sys.setprofile(None)
    assert origins == ["http://127.0.0.1:8000"] * 3 and asked == []
