"""RDF/XML from others is checked as XML first: a malformed or cut-short document is refused with its line
and column, and nothing of it is loaded (pyoxigraph gives no position, and loads a cut document's first part)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, problem
from kg.errors import ParseError
from kg.store.base import parse_triples, read_quads
from kg.xml_check import NO_DTD
from raw_http import fingerprint

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
WHOLE = f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="http://example.org/">
 <rdf:Description rdf:about="http://example.org/a"><ex:p>1</ex:p></rdf:Description>
 <rdf:Description rdf:about="http://example.org/b"><ex:p>2</ex:p></rdf:Description>
</rdf:RDF>
""".encode()
CUT = WHOLE[:WHOLE.index(b"</rdf:Description>") + len(b"</rdf:Description>\n")]  # the first element only
MISMATCHED = WHOLE.replace(b"<ex:p>2</ex:p>", b"<ex:p>2</ex:q>")
UNBOUND = WHOLE.replace(b"<ex:p>2</ex:p>", b"<zz:p>2</zz:p>")
# (document, its 1-based line and column of the fault)
BAD = {
    "cut after an element": (CUT, 4, 1),
    "cut after the declaration": (WHOLE[:22], 2, 1),
    "cut inside a start tag": (WHOLE[:WHOLE.index(b'rdf:about="http://example.org/b"')], 4, 2),
    "mismatched end tag": (MISMATCHED, 4, 61),
    "unbound prefix": (UNBOUND, 4, 52),
    "empty": (b"", 1, 1),
    "text after the root": (WHOLE + b"<extra/>", 6, 1),
}


def test_a_whole_document_still_loads():
    assert len(parse_triples(WHOLE, format="rdfxml")) == 2
    assert len(list(read_quads(io.BytesIO(WHOLE), format="rdfxml"))) == 2


@pytest.mark.parametrize("name", BAD)
def test_malformed_rdfxml_is_a_parse_error_with_its_position(name):
    document, line, column = BAD[name]
    for parse in (lambda: parse_triples(document, format="rdfxml"),
                  lambda: list(read_quads(io.BytesIO(document), format="rdfxml"))):
        with pytest.raises(ParseError) as raised:
            parse()
        assert (raised.value.line, raised.value.column) == (line, column), raised.value
        assert raised.value.message.startswith("not well-formed XML: "), raised.value


def test_a_dtd_is_refused_at_its_position():
    document = WHOLE.replace(b"<rdf:RDF", b'<!DOCTYPE rdf:RDF [<!ENTITY e "x">]>\n<rdf:RDF', 1)
    with pytest.raises(ParseError) as raised:
        parse_triples(document, format="rdfxml")
    assert (raised.value.message, raised.value.line) == (NO_DTD, 2) and raised.value.column, raised.value


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_the_graph_store_refuses_a_cut_document_with_its_position(writer, method):
    target = "/store?graph=http://example.org/cut"
    body = problem(writer.open(target, method=method, data=CUT, headers={**AUTH, "Content-Type": "application/rdf+xml"}),
                   400)
    assert (body["line"], body["column"]) == (4, 1) and "not well-formed XML" in body["detail"], body
    assert writer.get(target).status_code == 404


def test_kg_load_refuses_a_cut_document_and_loads_nothing(tmp_path, article_store):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copytree(article_store, home / "store")
    path = tmp_path / "cut.rdf"
    path.write_bytes(CUT)
    before = fingerprint(home / "store")
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    done = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "load", str(path)],
                          capture_output=True, text=True, env={**environment, "SAHEL_KG_HOME": str(home)}, timeout=600)
    assert done.returncode == 1, done.stderr
    assert f"{path}:4:1: not well-formed XML" in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert fingerprint(home / "store") == before
