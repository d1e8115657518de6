"""SPARQL 1.2 terms in every results format: a directional string keeps its direction (JSON and XML wrote
"hi"@ar for "hi"@ar--rtl, another term), and a triple term is written whole in CSV and TSV, nested or not
(TSV wrote three bare terms; both dropped one level of <<( )>>), helper-90."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from api_fixtures import *  # noqa: F401,F403
from kg.results import ITS, solution_text
from kg.store.sparql_json import binding_term

RTL = ox.Literal("hi", language="ar", direction=ox.BaseDirection.RTL)
S, P = ox.NamedNode("http://e.example/s"), ox.NamedNode("http://e.example/p")
NESTED = ox.Triple(S, P, ox.Triple(S, P, RTL))
NESTED_TEXT = '<<( <http://e.example/s> <http://e.example/p> <<( <http://e.example/s> <http://e.example/p> "hi"@ar--rtl )>> )>>'


class Whole:
    truncated, limit = False, None


def written(fmt: str) -> str:
    return "".join(solution_text(fmt, ["d", "t"], [[RTL, NESTED]], Whole()))


def test_json_keeps_the_direction_and_reads_back_as_the_same_terms():
    row = json.loads(written("json"))["results"]["bindings"][0]
    assert row["d"] == {"type": "literal", "value": "hi", "xml:lang": "ar", "its:dir": "rtl"}
    assert binding_term(row["d"]) == RTL and binding_term(row["t"]) == NESTED


def test_xml_keeps_the_direction_as_its_dir():
    literal = ET.fromstring(written("xml")).find(".//{http://www.w3.org/2005/sparql-results#}literal")
    assert literal.get(f"{{{ITS}}}dir") == "rtl" and literal.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"


def test_csv_and_tsv_write_a_nested_triple_term_whole():
    rows = list(csv.reader(io.StringIO(written("csv"))))
    assert rows[1] == ["hi", NESTED_TEXT]
    assert written("tsv").splitlines()[1].split("\t") == ['"hi"@ar--rtl', NESTED_TEXT]
    assert ox.parse(NESTED_TEXT[4:-4].encode() + b" .", format=ox.RdfFormat.N_TRIPLES)  # the text reads back


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_the_endpoint_answers_a_directional_string_with_its_direction(shared, accept):
    response = shared.get("/sparql", query_string={"query": 'SELECT ?d { BIND("hi"@ar--rtl AS ?d) }'},
                          headers={"Accept": accept})
    assert response.status_code == 200 and b"rtl" in response.data


def test_the_console_table_keeps_the_direction_in_cells_and_headers():
    """The table showed "a"@en--ltr as "a" under ?x@en, the same as "a"@en beside it (helper-93)."""
    from click.testing import CliRunner

    from kg.cli import main

    query = 'SELECT ?x ?y ?z { VALUES (?x ?y ?z) { ("a"@en--ltr "a"@en "b"@ar--rtl) ("c"@en "d"@en "e"@ar--rtl) } }'
    result = CliRunner().invoke(main, ["query", "--store", "memory:", "--format", "table", "-q", query])
    assert result.exit_code == 0, result.output
    header, _, first, second = result.output.splitlines()[:4]
    assert header.split() == ["?x", "?y@en", "?z@ar--rtl"]  # one tag a column holds goes to its header
    assert first.split()[0] == '"a"@en--ltr' and second.split()[0] == '"c"@en'


def test_the_console_table_writes_a_triple_term_as_rdf_1_2_does():
    """It wrote << s p o >>, a reifier in Turtle 1.2, where CSV and TSV write <<( s p o )>> (helper-96)."""
    from click.testing import CliRunner

    from kg.cli import main

    query = "SELECT ?t { BIND(<<( <http://e.example/s> <http://e.example/p> 1 )>> AS ?t) }"
    result = CliRunner().invoke(main, ["query", "--store", "memory:", "--format", "table", "-q", query])
    assert result.exit_code == 0 and "<<( <http://e.example/s> <http://e.example/p> 1 )>>" in result.output
