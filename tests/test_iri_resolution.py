"""Relative IRIs resolve as the engine resolves them: RFC 3986 §5.4's examples, and where urljoin goes its own way."""

import pyoxigraph as ox
import pytest

from kg.iri_resolution import is_absolute, resolve_iri

RFC_BASE = "http://a/b/c/d;p?q"
# RFC 3986 §5.4.1 and §5.4.2 (the strict reading of http:g), and some past them.
RFC_REFERENCES = ["g:h", "g", "./g", "g/", "/g", "//g", "?y", "g?y", "#s", "g#s", "g?y#s", ";x", "g;x", "g;x?y#s", "",
                  ".", "./", "..", "../", "../g", "../..", "../../", "../../g", "../../../g", "../../../../g", "/./g",
                  "/../g", "g.", ".g", "g..", "..g", "./../g", "./g/.", "g/./h", "g/../h", "g;x=1/./y", "g;x=1/../y",
                  "g?y/./x", "g?y/../x", "g#s/./x", "g#s/../x", "http:g", "#", "?", "//g/../h", "a//b/../c"]
# Where urllib.parse.urljoin answers otherwise: schemes it does not know, empty queries and fragments, a
# base's fragment, a same-scheme reference, a base with no authority.
OTHERS = [("urn:a:b", "c"), ("urn:a:b", "#f"), ("tag:x,2000:a/b", "c"), ("foo://a/b/c", "../d"), ("mailto:a@b", "c"),
          ("http://a/b?q", "?"), ("http://a/b", "g?"), ("http://a/b#f", ""), ("http://a/b", "HTTP:g"),
          ("http://a", "g"), ("http://a", ".."), ("file:a/b", "../c"), ("file:a/b", "..//g"), ("a:", "b"),
          ("http://a/b/c", "http://x/../y"), ("http://e/", "ok"), ("http://é/ü/v", "w")]


def _engine(base: str, reference: str) -> str:
    [row] = ox.Store().query(f"BASE <{base}> SELECT ?i {{ VALUES ?i {{ <{reference}> }} }}")
    return row[0].value


@pytest.mark.parametrize("base, reference", [(RFC_BASE, reference) for reference in RFC_REFERENCES] + OTHERS)
def test_a_reference_resolves_as_the_engine_resolves_it(base, reference):
    assert resolve_iri(base, reference) == _engine(base, reference)


def test_without_an_absolute_base_a_reference_stays_as_written():
    assert resolve_iri(None, "ok") == "ok" and resolve_iri("sub/", "ok") == "ok"
    assert is_absolute("http:g") and is_absolute("urn:x") and not is_absolute("ok") and not is_absolute("./a:b")
    assert not is_absolute(None)
