"""The `kg` command line: help, query (formats, bindings, limits, errors, endpoints), info, export, build --install."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import pty
import stat
import subprocess
import sys
import threading
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pyoxigraph as ox
import pytest
from wcwidth import wcswidth

from kg.build import build
from kg.cli import main
from kg.namespaces import PREFIXES, graph_iri
from kg.store import shown_spec
from kg.store.base import RDF_FORMATS
from kg.store.merge import DEFAULT_GRAPH
from kg.store.oxigraph import OxigraphStore
from kg.store.remote import RemoteStore
from long_work import CROSS_ROWS
from test_loading import installed, kg, spec  # noqa: F401  (fixtures)

KG = Path(sys.executable).parent / "kg"
SK = PREFIXES["sk"]
XSD = PREFIXES["xsd"]
SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"
LABELS = "SELECT ?x ?l WHERE { ?x rdfs:label ?l } ORDER BY ?x"
CLAIMS = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a sahel:Claim }"
CONSTRUCT = "CONSTRUCT { ?x rdfs:label ?l } WHERE { ?x a ?class ; rdfs:label ?l FILTER(STRSTARTS(STR(?x), STR(sk:))) }"


def query(spec, *args, input=None):
    return kg("query", "--store", spec, *args, input=input)


def json_rows(output: str) -> list[dict]:
    return json.loads(output)["results"]["bindings"]


def store_count(spec: str) -> int:
    with OxigraphStore(spec.removeprefix("oxigraph:")) as store:
        return store.count()


def unique_graph() -> str:
    return f"http://test.sahel-kg.example/cli/{uuid.uuid4().hex}/"


def no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --- help ----------------------------------------------------------------------------------------------

KEY_OPTIONS = {
    "build": ["--out", "--format", "--base", "--claims", "--install", "--store"],
    "validate": ["DATASET_FILE", "--claims"],
    "load": ["FILES", "--graph", "--format", "--progress", "--store"],
    "query": ["-q", "--query", "-f", "--file", "--format", "-o", "--output", "--endpoint", "--bind",
              "--timeout", "--limit", "--store", "SAHEL_KG_STORE"],
    "info": ["--store"],
    "export": ["--format", "-o", "--output", "--gzip", "--store"],
    "shell": ["--endpoint", "--store"],
}


def test_the_group_help_lists_every_command():
    result = kg("--help")
    assert result.exit_code == 0
    assert set(KEY_OPTIONS) - {"shell"} <= set(main.commands)
    for name in main.commands:
        assert f"  {name}" in result.stdout, name
    assert kg("-h").stdout == result.stdout


@pytest.mark.parametrize("name", sorted(main.commands))
def test_each_command_help(name):
    result = kg(name, "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: main {name}") or result.stdout.startswith(f"Usage: kg {name}")
    for option in KEY_OPTIONS.get(name, []):
        assert option in result.stdout, f"kg {name} --help does not mention {option}"
    for param in main.commands[name].params:  # and every option it has
        if isinstance(param, click.Option) and not param.hidden:
            assert any(opt in result.stdout for opt in param.opts), f"{name}: {param.opts}"


def test_a_help_says_every_exit_status_and_place_the_command_uses(tmp_path):
    """kg query --help gave 0, 1 and 2 and left out 130 (Ctrl-C) and 141 (its reader gone), which the README gives
    and kg update's help says; kg shell --help put history in $SAHEL_KG_HOME, else ~/.local/share/sahel-kg, where
    $XDG_DATA_HOME/sahel-kg comes first, as for the store."""
    said = " ".join(kg("query", "--help").stdout.split())
    assert "130 when Ctrl-C stops it" in said and "141" in said, said
    said = " ".join(kg("shell", "--help").stdout.split())
    assert "$SAHEL_KG_HOME, else $XDG_DATA_HOME/sahel-kg, else ~/.local/share/sahel-kg" in said, said


@pytest.mark.parametrize("group", [(), ("links",), ("events",), ("claims",)])
def test_a_group_without_a_command_shows_its_help_on_lines(group):
    # click raises its help as a usage error there; escaping it as user input wrote "\\n" for each line
    result = kg(*group)
    assert result.exit_code == 2
    assert "\\n" not in result.output
    assert "\nCommands:\n" in result.output


def test_version():
    result = kg("--version")
    assert result.exit_code == 0 and result.stdout.startswith("kg, version ")


# --- kg query: where the query comes from --------------------------------------------------------------

def test_query_from_q_file_and_stdin_agree(spec, tmp_path):
    path = tmp_path / "labels.rq"
    path.write_text(LABELS)
    # QUERY as an argument too, as other SPARQL consoles take it (it was "unexpected extra argument")
    # and "-" as QUERY is standard input, as kg load - and -f - read it (it was read as the query's text, helper-190)
    outputs = [query(spec, "--format", "json", "-q", LABELS), query(spec, "--format", "json", "-f", path),
               query(spec, "--format", "json", input=LABELS), query(spec, "--format", "json", LABELS),
               query(spec, "--format", "json", "-", input=LABELS)]
    assert [r.exit_code for r in outputs] == [0] * 5, [r.output for r in outputs]
    rows = json_rows(outputs[0].stdout)
    assert len(rows) > 50 and {"type": "uri", "value": SK + "mali"} in [r["x"] for r in rows]
    assert all(json_rows(r.stdout) == rows for r in outputs)
    assert f"{len(rows)} result(s) in " in outputs[0].stderr


def test_a_file_named_as_the_query_text_is_pointed_to_f(spec, tmp_path):
    path = tmp_path / "labels.rq"
    path.write_text(LABELS)
    result = query(spec, str(path))
    assert result.exit_code == 2 and f"to read the file {path}, use -f {path}" in result.stderr
    no_traceback(result)


def test_prefixes_need_no_prefix_lines(spec):
    result = query(spec, "--format", "csv", "-q", "SELECT ?l WHERE { sk:mali rdfs:label ?l }")
    assert result.exit_code == 0 and result.stdout.splitlines()[:2] == ["l", "Mali"]


def test_a_users_prefix_line_wins(spec):
    result = query(spec, "--format", "csv", "-q", "PREFIX sk: <http://other/>\nSELECT ?x WHERE { VALUES ?x { sk:a } }")
    assert result.exit_code == 0 and "http://other/a" in result.stdout


def test_default_format_off_a_terminal(spec):
    assert json.loads(query(spec, "-q", LABELS).stdout)["head"]["vars"] == ["x", "l"]
    assert json.loads(query(spec, "-q", "ASK { sk:mali ?p ?o }").stdout)["boolean"] is True
    assert len(list(ox.parse(query(spec, "-q", CONSTRUCT).stdout.encode(), format=ox.RdfFormat.TURTLE))) > 10


# --- kg query: output formats --------------------------------------------------------------------------

def parse_solutions(fmt: str, data: str) -> tuple[list[str], list[list[str]]]:
    """Variables and rows of values from a SELECT result, parsed as what `fmt` claims to be."""
    if fmt == "json":
        document = json.loads(data)
        names = document["head"]["vars"]
        return names, [[b[n]["value"] if n in b else "" for n in names] for b in document["results"]["bindings"]]
    if fmt == "xml":
        root = ET.fromstring(data)
        names = [v.get("name") for v in root.iter(SPARQL_RESULTS + "variable")]
        rows = []
        for result in root.iter(SPARQL_RESULTS + "result"):
            values = {b.get("name"): b[0].text for b in result}
            rows.append([values.get(n, "") for n in names])
        return names, rows
    if fmt == "csv":
        header, *rows = csv.reader(io.StringIO(data, newline=""))
        return header, rows
    header, *lines = data.rstrip("\n").split("\n")
    rows = [[next(iter(ox.parse(f"<x:s> <x:p> {cell} .".encode(), format=ox.RdfFormat.N_TRIPLES))).object.value
             if cell else "" for cell in line.split("\t")] for line in lines]
    return [name.removeprefix("?") for name in header.split("\t")], rows


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_formats_parse_as_they_claim(spec, fmt):
    result = query(spec, "--format", fmt, "-q", LABELS)
    assert result.exit_code == 0, result.output
    names, rows = parse_solutions(fmt, result.stdout_bytes.decode())  # raw: CliRunner turns \r\n into \n
    assert names == ["x", "l"]
    assert [SK + "mali", "Mali"] in rows
    assert rows == parse_solutions("json", query(spec, "--format", "json", "-q", LABELS).stdout)[1]


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv", "table"])
@pytest.mark.parametrize("answer", [True, False])
def test_ask_formats(spec, fmt, answer):
    text = "ASK { sk:mali rdfs:label ?l }" if answer else "ASK { sk:mali sk:nothing ?l }"
    result = query(spec, "--format", fmt, "-q", text)
    assert result.exit_code == 0, result.output
    word = "true" if answer else "false"
    if fmt == "json":
        assert json.loads(result.stdout)["boolean"] is answer
    elif fmt == "xml":
        assert ET.fromstring(result.stdout).find(SPARQL_RESULTS + "boolean").text == word
    elif fmt == "csv":
        assert list(csv.reader(io.StringIO(result.stdout))) == [["_askResult"], [word]]
    elif fmt == "tsv":
        assert result.stdout == f"?_askResult\n{word}\n"
    else:
        assert result.stdout.strip() == word


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads"])
@pytest.mark.parametrize("form", ["construct", "describe"])
def test_graph_formats_parse_as_they_claim(spec, fmt, form):
    text = CONSTRUCT if form == "construct" else "DESCRIBE sk:mali sk:niger"
    result = query(spec, "--format", fmt, "-q", text)
    assert result.exit_code == 0, result.output
    triples = list(ox.parse(result.stdout.encode(), format=RDF_FORMATS[fmt]))
    assert len(triples) > 3
    assert f"{len(triples)} result(s)" in result.stderr
    assert ox.NamedNode(SK + "mali") in {t.subject for t in triples}


def test_table_compacts_iris_by_prefix(spec):
    result = query(spec, "--format", "table", "-q", LABELS)
    assert result.exit_code == 0
    header, rule, *rows = result.stdout.rstrip("\n").split("\n")
    assert header.split() == ["?x", "?l"] and set(rule.replace(" ", "")) == {"-"}
    assert any(row.split()[:2] in (["sk:mali", '"Mali"'], ["sk:mali", '"Mali"@en']) for row in rows)  # a tag if mixed
    assert SK not in result.stdout


def test_table_of_a_graph_is_one_triple_a_line(spec):
    result = query(spec, "--format", "table", "-q", "CONSTRUCT WHERE { sk:mali rdfs:label ?l }")
    assert result.stdout.strip() == 'sk:mali rdfs:label "Mali"@en .'


def test_output_file(spec, tmp_path):
    out = tmp_path / "out.json"
    result = query(spec, "-q", LABELS, "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert {"type": "uri", "value": SK + "mali"} in [r["x"] for r in json_rows(out.read_text())]
    turtle = tmp_path / "graph.ttl"
    assert query(spec, "-q", CONSTRUCT, "--output", turtle).exit_code == 0
    assert len(list(ox.parse(path=str(turtle), format=ox.RdfFormat.TURTLE))) > 10


@pytest.mark.parametrize("command", [["query", "-q", "ASK {}"], ["info"], ["export"], ["search", "mali"],
                                     ["build", "--install"]])
def test_a_store_of_no_known_form_is_bad_usage(command):
    """helper-83: `kg query --store bogus:` exited 1, as a query error does."""
    result = kg(*command, "--store", "bogus:")
    assert result.exit_code == 2 and "unknown store 'bogus:'" in result.stderr, result.output
    no_traceback(result)


def test_a_store_setting_of_no_known_form_is_refused_only_where_the_store_is_used(monkeypatch, tmp_path):
    """helper-84: checked as the arguments were read, a bad SAHEL_KG_STORE stopped commands that never open it."""
    monkeypatch.setenv("SAHEL_KG_STORE", "bogus")
    built = kg("build", "--out", str(tmp_path / "built.trig"))
    assert built.exit_code == 0 and (tmp_path / "built.trig").stat().st_size > 0
    elsewhere = kg("query", "--endpoint", "http://127.0.0.1:9/sparql", "-q", "ASK {}")  # nothing listens there
    assert elsewhere.exit_code == 1 and "cannot reach" in elsewhere.stderr and "unknown store" not in elsewhere.stderr
    assert kg("info").exit_code == 2


def test_an_output_of_a_dash_is_standard_output_as_for_kg_build(spec, tmp_path, monkeypatch):
    """helper-83: kg query -o - wrote a file named '-', kg export -o - was refused; ./- still names a file."""
    monkeypatch.chdir(tmp_path)
    result = query(spec, "-q", "ASK {}", "-o", "-")
    assert result.exit_code == 0 and json.loads(result.stdout)["boolean"] is True and not (tmp_path / "-").exists()
    exported = kg("export", "-o", "-", "--store", spec)
    assert exported.exit_code == 0 and exported.stdout.startswith("@prefix")
    assert query(spec, "-q", "ASK {}", "--format", "json", "-o", "./-").exit_code == 0
    assert json.loads((tmp_path / "-").read_text())["boolean"] is True


def test_an_output_file_named_gz_is_gzipped(spec, tmp_path):
    """helper-83: the format was read past the .gz, but the file was written as plain text (kg export gzips)."""
    table = tmp_path / "labels.csv.gz"
    assert query(spec, "-q", LABELS, "-o", table).exit_code == 0
    assert f"{SK}mali,Mali" in gzip.decompress(table.read_bytes()).decode().splitlines()
    turtle = tmp_path / "graph.TTL.GZ"
    assert query(spec, "-q", CONSTRUCT, "-o", turtle).exit_code == 0
    assert len(list(ox.parse(gzip.decompress(turtle.read_bytes()), format=ox.RdfFormat.TURTLE))) > 10


def test_a_failed_query_leaves_the_output_file_alone(spec, tmp_path):
    out = tmp_path / "out.json"
    out.write_text("before")
    assert query(spec, "-q", "SELECT WHERE {", "-o", out).exit_code == 1
    assert out.read_text() == "before"
    os.link(out, tmp_path / "twin.json")  # written in place when it succeeds, but not before
    assert query(spec, "-q", "SELECT WHERE {", "-o", out).exit_code == 1
    assert out.read_text() == "before" and not list(tmp_path.glob(".out.json.*"))


def test_an_output_no_file_can_be_made_beside_is_told_before_the_store_is_asked(tmp_path):
    """On a read-only file system kg query -o ran the whole query (36 s) before it said the file could not be made
    (helper-190); /sys takes no new file, even from root."""
    from api_fixtures import recording_server

    with recording_server() as (url, requests):
        result = kg("query", "--endpoint", url + "/sparql", "-o", "/sys/answers.csv", "-q",
                    "SELECT * WHERE { ?s ?p ?o }")
    assert result.exit_code == 1 and "cannot create /sys/answers.csv" in result.stderr
    assert requests == []


def test_a_failed_query_into_a_fifo_no_one_reads_is_told(spec, tmp_path):
    """kg query -o FIFO opened the FIFO before the query ran, waiting for ever for a reader, so a query's error was
    never told (helper-192): the FIFO is opened once there is an answer to write."""
    fifo = tmp_path / "answers"
    os.mkfifo(fifo)
    done = subprocess.run([KG, "query", "--store", spec, "-o", fifo, "-q", "SELECT WHERE {"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "line 1, column" in done.stderr


def test_dash_reads_standard_input_even_beside_a_file_named_dash(spec, tmp_path, monkeypatch):
    """With a file named - in the folder, kg query - said "to read the file -, use -f -" (helper-192)."""
    (tmp_path / "-").write_text("SELECT ?x WHERE { ?x ?p ?o } LIMIT 1")
    monkeypatch.chdir(tmp_path)
    result = query(spec, "--format", "json", "-", input="ASK {}")
    assert result.exit_code == 0 and json.loads(result.stdout)["boolean"] is True


def test_an_output_link_is_followed_and_kept(spec, tmp_path):
    target, link = tmp_path / "real.json", tmp_path / "link.json"
    target.write_text("before")
    link.symlink_to(target.name)
    assert query(spec, "-q", "ASK {}", "-o", link).exit_code == 0
    assert link.is_symlink() and json.loads(target.read_text())["boolean"] is True  # was: the link replaced


def test_an_output_fifo_is_written_into_not_replaced(spec, tmp_path):
    """A path that is no regular file (a FIFO here; /dev/null or /dev/full as well) is written in place: it
    was replaced by a plain file, which as root turned /dev/full into one, and left the FIFO's reader waiting."""
    fifo = tmp_path / "answers"
    os.mkfifo(fifo)
    read: list[bytes] = []
    reader = threading.Thread(target=lambda: read.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = query(spec, "-q", "ASK {}", "-o", fifo)
    reader.join(timeout=60)
    assert result.exit_code == 0 and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(read[0])["boolean"] is True


@pytest.mark.parametrize("command", [["export", "-o"], ["query", "-q", "ASK {}", "-o"], ["build", "--out"],
                                     ["claims", "draft", "README.md", "--out"]])
def test_an_output_in_a_missing_folder_is_bad_usage_naming_the_folder(command, tmp_path):
    """kg export -o missing/x.nq exited 1 after opening the store, where other faults of a path given exit 2."""
    result = kg(*command, tmp_path / "missing" / "x.trig")
    assert result.exit_code == 2, result.stderr
    assert f"there is no folder '{tmp_path / 'missing'}' to write '{tmp_path / 'missing' / 'x.trig'}' in" in result.stderr
    (tmp_path / "file").write_text("")
    result = kg(*command, tmp_path / "file" / "x.trig")
    assert result.exit_code == 2 and f"'{tmp_path / 'file'}' is a file, not a folder" in result.stderr


@pytest.mark.parametrize("command", [["export", "-o"], ["query", "-q", "ASK {}", "-o"], ["build", "--out"]])
def test_an_output_of_an_empty_name_is_bad_usage(command):
    """-o '' opened ".": "error: Is a directory: .", exit 1 (helper-87)."""
    result = kg(*command, "")
    assert result.exit_code == 2 and "an empty name names no file" in result.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="a Linux device")
def test_a_device_that_is_full_is_named_in_the_error(spec):
    result = kg("query", "-q", "ASK {}", "-o", "/dev/full", "--store", spec)
    assert result.exit_code == 1 and result.stderr.strip().endswith("/dev/full"), result.stderr


# --- kg query: bindings, limit -------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("<http://example.org/x>", {"type": "uri", "value": "http://example.org/x"}),
    ("sk:mali", {"type": "uri", "value": SK + "mali"}),
    ("42", {"type": "literal", "value": "42", "datatype": XSD + "integer"}),
    ("2.5", {"type": "literal", "value": "2.5", "datatype": XSD + "decimal"}),  # as SPARQL reads 2.5 (helper-48)
    ("-7", {"type": "literal", "value": "-7", "datatype": XSD + "integer"}),
    ("1.5e3", {"type": "literal", "value": "1500", "datatype": XSD + "double"}),  # the store writes it canonically
    ("true", {"type": "literal", "value": "true", "datatype": XSD + "boolean"}),
    ('"quoted text"', {"type": "literal", "value": "quoted text"}),  # the quotes were kept
    ("nan", {"type": "literal", "value": "nan"}),  # Python's numbers, not SPARQL's: text
    ("Infinity", {"type": "literal", "value": "Infinity"}),
    ("1_000", {"type": "literal", "value": "1_000"}),
    (" 7", {"type": "literal", "value": " 7"}),
    ("٣", {"type": "literal", "value": "٣"}),  # SPARQL's digits are ASCII
    ('"x"@en', {"type": "literal", "value": "x", "xml:lang": "en"}),
    ('"2026-01-01"^^xsd:date', {"type": "literal", "value": "2026-01-01", "datatype": XSD + "date"}),
    ('"2026-01-01"^^<http://www.w3.org/2001/XMLSchema#date>',
     {"type": "literal", "value": "2026-01-01", "datatype": XSD + "date"}),
    ("plain words", {"type": "literal", "value": "plain words"}),
    ("12:30", {"type": "literal", "value": "12:30"}),  # no prefixed name can start with a digit: text
    ("see: this", {"type": "literal", "value": "see: this"}),
    ("http://example.org/x", {"type": "literal", "value": "http://example.org/x"}),  # '/' ends no local name
    ('"nope:thing"', {"type": "literal", "value": "nope:thing"}),
    (r'"say \"hi\"\tthere\u00e9"', {"type": "literal", "value": 'say "hi"\tthere\u00e9'}),  # escapes as SPARQL reads them
    (r"'it\'s'@en", {"type": "literal", "value": "it's", "xml:lang": "en"}),  # what the refusal below tells one to write
    (r"sk:a\.b", {"type": "uri", "value": SK + "a.b"}),  # a local name's escape, read as SPARQL reads it
    ('"} ; DROP ALL ; SELECT * {', {"type": "literal", "value": '"} ; DROP ALL ; SELECT * {'}),
    ('"""tri"""', {"type": "literal", "value": "tri"}),  # long strings (helper-83: bound as ""tri"")
    ("'''it's'''@en", {"type": "literal", "value": "it's", "xml:lang": "en"}),
    ('"""two\nlines, a "quote" in them"""', {"type": "literal", "value": 'two\nlines, a "quote" in them'}),
])
def test_bind_values(spec, value, expected):
    result = query(spec, "--format", "json", "-q", "SELECT ?v WHERE { }", "--bind", f"v={value}")
    assert result.exit_code == 0, result.output
    assert json_rows(result.stdout) == [{"v": expected}]


def test_query_text_that_is_not_utf_8_is_bad_usage(spec):
    result = query(spec, "-q", 'SELECT ?s WHERE { ?s rdfs:label "caf\udce9" }')
    assert result.exit_code == 2 and "the query text is not UTF-8" in result.stderr, result.output


def test_a_query_file_that_is_not_utf_8_or_holds_nothing_is_named_with_the_place(spec, tmp_path):
    """`kg query -f FILE` named neither the file nor the byte, where kg load says both; an empty file was told
    "no query: give it as QUERY, -f FILE…" though -f was given (helper-208)."""
    latin1, empty = tmp_path / "latin1.rq", tmp_path / "empty.rq"
    latin1.write_bytes('SELECT ?s WHERE {\n ?s rdfs:label "café" }'.encode("latin-1"))
    empty.write_text(" \n")
    result = query(spec, "-f", str(latin1))
    assert result.exit_code == 1 and f"{latin1}:2:20: byte 0xe9 is not UTF-8" in result.stderr, result.output
    result = query(spec, "-f", str(empty))
    assert result.exit_code == 1 and f"{empty}: the file holds no query" in result.stderr, result.output


def test_a_query_file_with_a_byte_order_mark_runs(spec, tmp_path):
    marked = tmp_path / "marked.rq"
    marked.write_bytes("\ufeffASK { ?s ?p ?o }".encode("utf-8"))
    result = query(spec, "-f", str(marked), "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["boolean"] is True, result.output


@pytest.mark.parametrize("command", [["query", "-q", "ASK {}"], ["shell"]])
def test_an_endpoint_that_is_no_http_url_is_bad_usage(command):
    result = kg(*command, "--endpoint", "ftp://x")
    assert result.exit_code == 2 and "is not an http(s):// URL" in result.stderr


@pytest.mark.parametrize("url, words", [("http://[::1", "Invalid IPv6 URL"), ("http://127.0.0.1:99999/", "Port out of range"),
                                        ("http://", "names no host"), ("http://a b/", "a space"),
                                        # UnicodeError tracebacks from the socket's idna codec (helper-166)
                                        ("http://a..b/", "a part of it is empty or over 63 characters"),
                                        (f"http://{'a' * 64}.example/", "a part of it is empty or over 63"),
                                        ("http://a\udcff.example/", "a character no host name may hold")])
@pytest.mark.parametrize("option, command", [("--endpoint", "query"), ("--endpoint", "shell"), ("--store", "query"),
                                             ("--store", "info"), ("--store", "export")])
def test_a_url_no_request_can_go_to_is_bad_usage(url, words, option, command):
    """Each of these ended in a Python traceback (ValueError, AttributeError) once a request was made (helper-87)."""
    result = kg(command, option, url, *(["-q", "ASK {}"] if command == "query" else []))
    assert result.exit_code == 2 and words in result.stderr and "Traceback" not in result.output, result.output


def test_bind_restricts_a_query(spec):
    result = query(spec, "--format", "csv", "-q", LABELS, "--bind", "x=sk:mali", "--bind", 'l="Mali"@en')
    assert result.exit_code == 0 and result.stdout.splitlines()[1:] == [f"{SK}mali,Mali"]


@pytest.mark.parametrize("name", ["été", "مدينة", "1x", "a·b", "_x"])
def test_bind_takes_every_variable_name_sparql_does(spec, name):
    """--bind été=… was bad usage (exit 2): NAME was read as ASCII letters, digits and _ alone (helper-190)."""
    result = query(spec, "--format", "csv", "-q", f"SELECT ?{name} WHERE {{}}", "--bind", f"{name}=sk:mali")
    assert result.exit_code == 0 and result.stdout.splitlines() == [name, f"{SK}mali"], result.output


@pytest.mark.parametrize("text", ["CONSTRUCT WHERE { ?x rdfs:label ?l }", "DESCRIBE ?x",
                                  "CONSTRUCT FROM <https://sahel-kg.example.org/graph/entities> WHERE { ?x rdfs:label ?l }\n# end"])
def test_bind_restricts_a_query_whose_group_is_its_template_or_that_has_none(spec, text):
    """helper-83: the short CONSTRUCT's template then held the VALUES block (a syntax error), and DESCRIBE ?x has no
    group to hold it: the block ends the query instead, as the grammar's trailing VALUES clause."""
    result = query(spec, "--format", "ntriples", "-q", text, "--bind", "x=sk:mali")
    assert result.exit_code == 0, result.output
    subjects = {line.split(" ", 1)[0] for line in result.stdout.splitlines() if line.strip()}
    assert subjects == {f"<{SK}mali>"}


def test_a_query_with_its_own_trailing_values_block_cannot_take_bindings_there(spec):
    result = query(spec, "-q", "DESCRIBE ?x VALUES ?x { sk:jnim }", "--bind", "x=sk:mali")
    assert result.exit_code == 1 and "ends with a VALUES block of its own" in result.stderr


def test_a_binding_puts_no_block_after_a_select_and_a_slip_stays_in_the_users_text(spec):
    """helper-84: a SELECT without a group got a block after it, and its error the line of that block (line 2 of a
    one-line query); a slip in a DESCRIBE that takes one is placed at the end of the user's text."""
    result = query(spec, "-q", "SELECT ?x", "--bind", "x=sk:mali")
    assert result.exit_code == 1 and "the query has no WHERE group" in result.stderr
    slipped = query(spec, "-q", "DESCRIBE ?x FROM", "--bind", "x=sk:mali")
    assert slipped.exit_code == 1 and "line 1, column 17" in slipped.stderr, slipped.stderr


@pytest.mark.parametrize("binds, message", [
    (["y=1"], "the query has no variable ?y"),  # a slip: it would bind nothing, and say nothing
    (["v=1", "v=2"], "gives ?v more than one value"),  # would match no row, and say nothing
    (["v=TRUE"], 'TRUE is no SPARQL boolean: write true, or quote it for text: "TRUE"'),  # was bound as text
    (["v=False"], "False is no SPARQL boolean: write false"),
])
def test_a_binding_that_cannot_mean_what_was_meant_is_refused(spec, binds, message):
    result = query(spec, "-q", "SELECT ?v WHERE { }", *[arg for bind in binds for arg in ("--bind", bind)])
    assert result.exit_code == 2 and message in result.stderr


@pytest.mark.parametrize("text", ["SELECT * WHERE { ?s a sahel:Alliance } # ?y is for later",
                                  "SELECT * WHERE { ?s a sahel:Alliance FILTER (?s != <http://a/?y>) }",
                                  "SELECT * WHERE { ?s a sahel:Alliance FILTER (STR(?s) != '?y') }"])
def test_a_binding_of_a_name_found_only_in_a_comment_a_string_or_an_iri_is_refused(spec, text):
    """`--bind y=1` on a query whose ?y was only in a comment answered with a column y of 1 on every row: the
    check for the variable read the raw text, where ?y in a comment, a string or an IRI is no variable."""
    result = query(spec, "--format", "csv", "-q", text, "--bind", "y=1")
    assert result.exit_code == 2 and "the query has no variable ?y" in result.stderr, result.output


def test_a_syntax_error_after_the_bound_variables_is_placed_in_the_users_text(spec):
    """The bindings go in as a VALUES block on the WHERE group's line: columns past it are the user's own."""
    text = "SELECT ?v WHERE { } LIMIT x"
    result = query(spec, "-q", text, "--bind", "v=2")
    assert result.exit_code == 1 and result.stderr.startswith(f"error: line 1, column {text.index('x') + 1}:")
    result = query(spec, "-q", "SELECT ?v\nWHERE { }\nLIMIT x", "--bind", "v=2")
    assert result.stderr.startswith("error: line 3, column 7:")


def test_limit_cuts_and_says_so(spec):
    result = query(spec, "--format", "json", "-q", LABELS, "--limit", "3")
    assert result.exit_code == 0
    assert len(json_rows(result.stdout)) == 3 and json.loads(result.stdout)["truncated"] is True
    assert "cut at the limit of 3" in result.stderr
    whole = query(spec, "--format", "json", "-q", "SELECT ?l WHERE { sk:mali rdfs:label ?l }", "--limit", "3")
    assert "cut" not in whole.stderr and "truncated" not in whole.stdout


def test_timeout(spec):
    result = query(spec, "-q", CROSS_ROWS, "--timeout", "0.3")  # hours of rows: only the limit ends it
    assert result.exit_code == 1 and "time limit" in result.stderr
    no_traceback(result)


# --- kg query: errors ----------------------------------------------------------------------------------

def test_syntax_error_exits_1_with_line_and_column(spec):
    result = query(spec, "-q", "SELECT ?s\nWHERE {\n  ?s ?p ?o FILTER(?o = )\n\n}")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: line ") and ", column " in result.stderr
    line = int(result.stderr.split("line ", 1)[1].split(",")[0])
    assert 3 <= line <= 5  # in the user's text: the engine reports where it stopped, never on the added prologue
    no_traceback(result)


def test_an_update_is_no_query(spec):
    before = store_count(spec)
    result = query(spec, "-q", "DROP ALL")
    assert result.exit_code == 1 and "not a query" in result.stderr
    assert "this is a SPARQL Update" in result.stderr and "update()" not in result.stderr  # no Python API words
    assert store_count(spec) == before


def test_a_text_whose_first_word_is_misspelt_is_an_error_at_its_start(spec):
    result = query(spec, "-q", "SELEC broken")
    assert result.exit_code == 1 and result.stderr.startswith("error: line 1, column 1") and "did you mean SELECT?" in result.stderr


def test_files_written_have_the_mode_a_new_file_would(spec, tmp_path):
    """Written through a private temporary file, then renamed: it keeps the mode the umask gives (or the
    mode of the file it replaces), not the temporary file's 0600."""
    umask = os.umask(0o022)
    try:
        written = tmp_path / "all.nq"
        assert kg("export", "-o", written, "--store", spec).exit_code == 0
        assert stat.S_IMODE(written.stat().st_mode) == 0o644
        written.chmod(0o640)
        assert kg("export", "-o", written, "--store", spec).exit_code == 0
        assert stat.S_IMODE(written.stat().st_mode) == 0o640
    finally:
        os.umask(umask)


WRITERS = {"export": ["export", "-o"], "query": ["query", "-q", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "-o"],
           "build": ["build", "--out"]}  # every command that writes a file through a temporary one


def write_with(command: str, spec: str, path: Path) -> None:
    result = kg(*WRITERS[command], path, *(["--store", spec] if command != "build" else []))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("command", WRITERS)
def test_a_replaced_file_keeps_its_owner_group_and_hard_links(spec, tmp_path, command):
    """Renamed over, the file was a new one: its other hard links kept the old text, and its owner became
    whoever ran kg. Now the owner and group are carried over, and a hard-linked file is written in place."""
    written, twin = tmp_path / "out.nq", tmp_path / "twin.nq"
    written.write_text("before")
    os.link(written, twin)
    write_with(command, spec, written)
    assert written.read_bytes() == twin.read_bytes() != b"before" and os.path.samefile(written, twin)
    twin.unlink()
    owner = (os.getuid() + 1, os.getgid() + 1) if os.getuid() == 0 else (os.getuid(), os.getgid())
    os.chown(written, *owner)
    written.chmod(0o604)
    write_with(command, spec, written)
    done = written.stat()
    assert (done.st_uid, done.st_gid, stat.S_IMODE(done.st_mode)) == (*owner, 0o604)


def test_a_file_whose_owner_cannot_be_kept_is_written_in_place(spec, tmp_path, monkeypatch):
    """As vim's backupcopy=auto: a file of another user's, in a folder one may write, keeps its owner."""
    written = tmp_path / "out.nq"
    written.write_text("before")
    inode = written.stat().st_ino
    real_fstat = os.fstat

    def fstat(fd):  # the new file seems another user's (as root, fchown could give it any owner)
        fields = list(real_fstat(fd))
        fields[stat.ST_UID] += 1
        return os.stat_result(fields)

    def fchown(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fstat", fstat)
    monkeypatch.setattr(os, "fchown", fchown)
    write_with("export", spec, written)
    assert written.stat().st_ino == inode and written.read_text() != "before"
    assert not list(tmp_path.glob(".out.nq.*"))  # no temporary file left


def test_a_linked_file_replaced_after_all_keeps_its_owner(spec, tmp_path, monkeypatch):
    """A hard-linked file that cannot be opened to write (read-only to this user) is replaced, as its folder
    allows: the new file took this user's owner, since a linked file was never given the old one's."""
    import kg.output_files

    written, twin = tmp_path / "out.nq", tmp_path / "twin.nq"
    written.write_text("before")
    os.link(written, twin)
    owner = (os.getuid() + 1, os.getgid() + 1) if os.getuid() == 0 else (os.getuid(), os.getgid())
    os.chown(written, *owner)
    monkeypatch.setattr(kg.output_files, "_copied_over", lambda temporary, path: False)  # open(): EACCES
    write_with("export", spec, written)
    done = written.stat()
    assert (done.st_uid, done.st_gid) == owner and written.read_text() != "before"


@pytest.mark.parametrize("args, message", [
    (["-q", "ASK {}", "-f", "-"], "give the query once"),
    (["ASK {}", "-q", "ASK {}"], "give the query once"),
    (["ASK {}", "-f", "-"], "give the query once"),
    (["-q", CONSTRUCT, "--format", "csv"], "cannot be written as csv"),
    (["-q", "ASK {}", "--format", "turtle"], "cannot be written as turtle"),
    (["-q", "SELECT ?v WHERE {}", "--bind", "novalue"], "NAME=VALUE"),
    (["-q", "SELECT ?v WHERE {}", "--bind", "=3"], "NAME=VALUE"),
    (["-q", "ASK {}", "--format", "yaml"], "yaml"),
    (["-q", "ASK {}", "--limit", "0"], "--limit"),
    # past 2^64 - 1 it reached a remote store as a LIMIT that store refused, told as a syntax error at line 1
    (["-q", "ASK {}", "--limit", "18446744073709551616"], "--limit"),
    (["-q", "ASK {}", "--timeout", "-1"], "--timeout"),
    # Not numbers a limit can be: inf once ended in an OverflowError traceback (a wait past time_t), nan in
    # no limit at all; the settings refuse them the same way.
    *[(["-q", "ASK {}", "--timeout", value], "at most 10^9") for value in ["inf", "nan", "1e300", "1e10", "\u0663"]],
])
def test_bad_usage_exits_2(spec, args, message):
    result = query(spec, *args, input="")
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    no_traceback(result)


@pytest.mark.parametrize("value", ["inf", "nan", "0", "1e300"])
def test_load_refuses_a_parse_time_limit_that_is_no_limit(spec, tmp_path, value):
    data = tmp_path / "one.nt"
    data.write_text("<http://e/s> <http://e/p> <http://e/o> .\n")
    result = kg("load", str(data), "--timeout", value, "--store", spec)
    assert result.exit_code == 2 and "--timeout" in result.stderr and "at most 10^9" in result.stderr
    no_traceback(result)


@pytest.mark.parametrize("binding", ["bad-name=3", "v=<not an iri>", 'v="x"^^nope:thing',
                                     # meant as strings, but none SPARQL reads (helper-83: bound as bad\q, and so on)
                                     r'v="bad\q"', 'v="a"b"', 'v="""a""""', 'v="two\nlines"',
                                     r'v="\uD800"', 'v="x"^^rdf:langString',
                                     # helper-84: no language tag, no datatype, past the last character
                                     'v="a"@en_US', 'v="a"@', 'v="a"^^', r'v="\U00110000"',
                                     # helper-87: a datatype that is no IRI, a tag or type after an IRI
                                     'v="a"^^<not an iri>', 'v=<http://a>@en', 'v=<http://a>^^xsd:string'])
def test_bad_bindings_are_bad_usage(spec, binding):
    result = query(spec, "-q", "SELECT ?v WHERE {}", "--bind", binding)
    assert result.exit_code == 2 and "--bind" in result.stderr
    no_traceback(result)
    assert "The literal value must be" not in result.stderr  # the engine's words, not ours


@pytest.mark.parametrize("binding, prefix", [("v=nope:thing", "nope:"), ("v=skk:mali", "skk:"), ("v=:x", ":"),
                                             ('v="1"^^nope:int', "nope:")])
def test_a_prefixed_name_with_an_undeclared_prefix_is_bad_usage(spec, binding, prefix):
    """Taken as text, it would match nothing and say nothing (a mistyped sk: would look like no data)."""
    result = query(spec, "-q", "SELECT ?v WHERE {}", "--bind", binding)
    assert result.exit_code == 2 and f"the prefix {prefix} is not declared" in result.stderr, result.output
    no_traceback(result)


@pytest.mark.parametrize("binding", ["v=sk:mali.", "v=sk:a/b", "v=sk:a~b", "v=rdfs:label."])
def test_a_declared_prefix_before_what_is_no_local_name_is_bad_usage(spec, binding):
    """sk:mali. is the name sk:mali and a full stop to SPARQL: it was bound to <…mali.>, an IRI no query could
    write that way; text that merely holds a colon (12:30, see: this) is still text."""
    result = query(spec, "-q", "SELECT ?v WHERE {}", "--bind", binding)
    assert result.exit_code == 2 and "is not a prefixed name as SPARQL writes one" in result.stderr, result.output
    assert "for text, quote it" in result.stderr
    no_traceback(result)


def test_a_binding_may_use_a_prefix_the_query_declares(spec):
    result = query(spec, "--format", "json", "-q", "PREFIX ex: <http://example.org/> SELECT ?v WHERE {}",
                   "--bind", "v=ex:thing")
    assert result.exit_code == 0
    assert json_rows(result.stdout) == [{"v": {"type": "uri", "value": "http://example.org/thing"}}]


@pytest.mark.parametrize("prologue, binding, expected", [
    ("BASE <http://example.org/a/> PREFIX ex: <ns/>", "v=ex:thing", {"type": "uri", "value": "http://example.org/a/ns/thing"}),
    ("PREFIX ex: <ns/> BASE <http://example.org/a/>", "v=ex:thing", {"type": "uri", "value": "http://example.org/a/ns/thing"}),
    ("BASE <http://example.org/a/> PREFIX ex: <ns/> BASE <http://example.org/b/>", "v=ex:thing",
     {"type": "uri", "value": "http://example.org/a/ns/thing"}),  # resolved where declared, as the engine does
    ("BASE <http://example.org/a/>", "v=<../thing>", {"type": "uri", "value": "http://example.org/thing"}),
    ("BASE <http://example.org/a/>", 'v="1"^^<dt>',
     {"type": "literal", "value": "1", "datatype": "http://example.org/a/dt"}),
])
def test_a_bindings_relative_iri_resolves_against_the_querys_base(spec, prologue, binding, expected):
    """As the engine resolves the query's own relative IRIs and prefixes: they were refused, 'No scheme found'."""
    result = query(spec, "--format", "json", "-q", f"{prologue} SELECT ?v WHERE {{}}", "--bind", binding)
    assert result.exit_code == 0, result.output
    assert json_rows(result.stdout) == [{"v": expected}]
    ours = query(spec, "--format", "json", "-q", f"{prologue} SELECT ?v WHERE {{ BIND({binding[2:]} AS ?v) }}")
    assert json_rows(ours.stdout) == [{"v": expected}]  # the engine's own reading of the same text


@pytest.mark.parametrize("binding, said", [
    ("x=<rel>", "<rel> is a relative IRI (it has no scheme, such as http:): it resolves against the query's BASE, "
                "and the query has none"),
    ('x="1"^^<dt>', "<dt> is a relative IRI"),
    ("x=<a b>", "<a b> is not an IRI: an IRI cannot hold ' '")])
def test_a_bindings_relative_iri_without_a_base_says_the_query_needs_one(spec, binding, said):
    """It said only pyoxigraph's "No scheme found in an absolute IRI", which names neither the IRI nor BASE."""
    result = query(spec, "-q", "SELECT ?x {}", "--bind", binding)
    assert result.exit_code == 2 and f"--bind {binding!r}: {said}" in result.stderr, result.stderr
    assert "No scheme found" not in result.stderr and "code point" not in result.stderr


@pytest.mark.parametrize("text", ["", " \n"])
def test_empty_standard_input_is_bad_usage(spec, text):
    result = query(spec, input=text)
    assert result.exit_code == 2 and "no query" in result.stderr
    no_traceback(result)


def on_terminal(args: list, *, stdin_tty: bool = True, stdout_tty: bool = False) -> tuple[int, str, str]:
    """Run `kg` with a pseudo-terminal as stdin and/or stdout; return its status, stdout and stderr."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([KG, *map(str, args)], stdin=follower if stdin_tty else subprocess.DEVNULL,
                               stdout=follower if stdout_tty else subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(follower)
    screen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process has let go of it
            break
        if not chunk:
            break
        screen += chunk
    os.close(leader)
    out, err = process.communicate(timeout=60)
    text = screen.decode().replace("\r\n", "\n") if stdout_tty else out.decode()
    return process.returncode, text, err.decode()


def test_no_query_on_a_terminal_is_bad_usage(spec):
    status, _, err = on_terminal(["query", "--store", spec])
    assert status == 2 and "no query" in err


def test_table_is_the_default_on_a_terminal(spec):
    status, out, err = on_terminal(["query", "--store", spec, "-q", "SELECT ?l WHERE { sk:mali rdfs:label ?l }"],
                                   stdout_tty=True)
    assert status == 0, err
    assert out.split("\n")[:3] == ["?l@en", "------", '"Mali"']


def test_a_build_whose_reader_goes_after_its_first_bytes_is_no_success(tmp_path):
    """`kg build | head -c 10` exited 0 and said "built 32 claims": the dataset went in one write, of which a
    pipe took part, saying so with no error (helper-208)."""
    process = subprocess.Popen([KG, "build"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "SAHEL_KG_HOME": str(tmp_path)})
    process.stdout.read(10)
    process.stdout.close()
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141 and "built" not in err and "Traceback" not in err, err


def test_a_closed_pipe_stops_quietly(spec):
    process = subprocess.Popen([KG, "query", "--store", spec, "--format", "ntriples", "-q",
                                "CONSTRUCT { ?s ?p ?o . ?o ?p ?s } WHERE { ?s ?p ?o . ?x ?y ?s }"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141  # as SIGPIPE would end it: 1 is a query error's
    assert "Traceback" not in err and "Broken pipe" not in err


# --- kg query: endpoints -------------------------------------------------------------------------------

def check_endpoint(spec: str, endpoint: str, remote: RemoteStore):
    graph = unique_graph()
    remote.update(f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}s> rdfs:label "remote"@en, "also" }} }}'
                  .replace("rdfs:label", f"<{PREFIXES['rdfs']}label>"))
    try:
        text = f"SELECT ?l WHERE {{ GRAPH <{graph}> {{ ?s rdfs:label ?l }} }} ORDER BY ?l"
        result = kg("query", "--endpoint", endpoint, "--format", "json", "-q", text)
        assert result.exit_code == 0, result.output
        assert json_rows(result.stdout) == [{"l": {"type": "literal", "value": "also"}},
                                           {"l": {"type": "literal", "value": "remote", "xml:lang": "en"}}]
        ask = kg("query", "--endpoint", endpoint, "--format", "json", "-q", f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        assert json.loads(ask.stdout)["boolean"] is True
        graph_result = kg("query", "--endpoint", endpoint, "--format", "ntriples", "-q",
                             f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        assert graph_result.exit_code == 0, graph_result.output
        assert len(list(ox.parse(graph_result.stdout.encode(), format=ox.RdfFormat.N_TRIPLES))) == 2
        bad = kg("query", "--endpoint", endpoint, "-q", "SELECT WHERE {")
        assert bad.exit_code == 1 and bad.stderr.startswith("error: ")
    finally:
        remote.update(f"DROP SILENT GRAPH <{graph}>")


def test_endpoint_oxigraph_serve(spec, oxigraph_url):
    check_endpoint(spec, oxigraph_url, RemoteStore(oxigraph_url, update_url=oxigraph_url.rsplit("/", 1)[0] + "/update"))


def test_endpoint_virtuoso(spec, virtuoso_url):
    check_endpoint(spec, virtuoso_url, RemoteStore(virtuoso_url))


def test_endpoint_on_a_closed_port(spec):
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago, and nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = kg("query", "--endpoint", f"http://127.0.0.1:{port}/sparql", "-q", "ASK {}")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot reach ") and result.stderr.count("\n") == 1
    no_traceback(result)


def test_service_to_an_endpoint_not_allowed(spec):
    result = query(spec, "-q", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert result.exit_code == 1
    assert "SERVICE <http://example.org/sparql> is not allowed" in result.stderr
    no_traceback(result)


# --- kg info, kg export --------------------------------------------------------------------------------

def test_info(spec):
    result = kg("info", "--store", spec)
    assert result.exit_code == 0, result.output
    out = result.stdout
    with OxigraphStore(spec.removeprefix("oxigraph:")) as store:
        assert f"quads: {store.count()}" in out
        graphs = store.graphs()
        counts = {iri: store.count(iri) for iri in graphs}
    assert len(graphs) == 42  # 32 claims, ontology, entities, 2 background graphs (one per source), definitions,
    # links, same-as, aliases, provenance, inferred
    lines = {line.split()[0]: line.split()[1] for line in out.splitlines() if line.startswith("https://")}
    assert lines == {iri: str(n) for iri, n in counts.items()}
    classes = out.split("top classes:")[1].split("top properties:")[0]
    assert any(line.split() == ["sahel:Claim", "32"] for line in classes.splitlines())
    properties = out.split("top properties:")[1]
    assert properties.split("\n")[3].split()[0] == "rdf:type"  # the most used, after header and rule


def test_info_aligns_graphs_by_display_width_with_what_shows_as_nothing_escaped(tmp_path):
    """The graph column was padded by len(): a CJK IRI took more columns than counted, a soft hyphen fewer."""
    with OxigraphStore(tmp_path / "store") as store:
        for graph in ("http://example.org/\u4f26\u6566", "http://example.org/ma\u00adli", "http://example.org/x"):
            store.update(f"INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/a> <http://example.org/p> 1 }} }}")
    result = kg("info", "--store", f"oxigraph:{tmp_path / 'store'}")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith("http://")]
    assert len(rows) == 3 and "ma\\xadli" in result.stdout and "\u00ad" not in result.stdout
    assert len({wcswidth(line) for line in rows}) == 1, rows  # the counts end in the same column


def test_info_on_a_terminal_fits_its_width(tmp_path, monkeypatch):
    """A graph of a long IRI made every line of the graph table as wide: at 40 columns each wrapped, its count on
    the next line (helper-190)."""
    with OxigraphStore(tmp_path / "store") as store:
        store.update(f"INSERT DATA {{ GRAPH <http://example.org/{'long/' * 30}g> {{ <http://example.org/a> "
                     "<http://example.org/p> 1 } }")
    monkeypatch.setenv("COLUMNS", "40")
    status, out, err = on_terminal(["info", "--store", f"oxigraph:{tmp_path / 'store'}"], stdout_tty=True)
    assert status == 0, err
    graphs = out.split("\n\n")[1].splitlines()
    assert graphs[0].startswith("graph") and graphs[1].startswith("…") and "/long/g " in graphs[1]  # its end kept
    tables = out.split("\n\n", 1)[1].splitlines()  # the graphs', the classes' and the properties'
    assert graphs[1].endswith("  " + "1".rjust(7)) and all(wcswidth(line) <= 40 for line in tables)


def test_info_on_a_narrow_terminal_tells_the_projects_graphs_apart(tmp_path, monkeypatch):
    """Cut at the end, every graph at 60 columns read "https://sahel-kg.example.org/claim/aes-asserts-con…" and at
    30 "https://example.org/…" (helper-208): where no prefix fits, the IRI's end is kept."""
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setenv("SAHEL_KG_HOME", str(tmp_path))
    status, out, err = on_terminal(["info"], stdout_tty=True)
    assert status == 0, err
    graphs = [line.split()[0] for line in out.split("\n\n")[1].splitlines()[1:]]
    assert any(line.endswith("/claim/aes-asserts-control") for line in graphs) and len(set(graphs)) == len(graphs) > 30


def test_the_default_store_is_under_sahel_kg_home():
    result = kg("info")
    where = Path(os.environ["SAHEL_KG_HOME"]) / "store"
    assert result.exit_code == 0 and f"store: oxigraph:{where}\n" in result.stdout  # the path, not `oxigraph:` alone
    assert where.is_dir()
    assert not os.environ.get("SAHEL_KG_STORE")


def test_a_relative_store_path_is_shown_as_its_absolute_directory(tmp_path, monkeypatch):
    """`kg info --store oxigraph:rel/store` printed `store: oxigraph:rel/store`, which names no directory in a
    log or another terminal; a missing one's error, and a relative SAHEL_KG_HOME's default store, did the same."""
    (tmp_path / "rel").mkdir()
    with OxigraphStore(tmp_path / "rel" / "store") as store:
        store.update("INSERT DATA { <http://example.org/a> <http://example.org/p> 1 }")
    monkeypatch.chdir(tmp_path)
    for given in ("rel/store", "./rel/../rel/store"):
        result = kg("info", "--store", f"oxigraph:{given}")
        assert result.exit_code == 0 and f"store: oxigraph:{tmp_path / 'rel' / 'store'}\n" in result.stdout, given
    missing = kg("info", "--store", "oxigraph:gone")
    assert missing.exit_code != 0 and f"there is no store at {tmp_path / 'gone'};" in missing.stderr
    monkeypatch.setenv("SAHEL_KG_HOME", "home")
    result = kg("info")
    assert result.exit_code == 0 and f"store: oxigraph:{tmp_path / 'home' / 'store'}\n" in result.stdout


def test_a_password_in_a_store_url_is_never_shown(oxigraph_url):
    """kg info printed `store: http://user:secret@…`, as kg serve, kg build --install and kg shell printed the URL:
    a terminal's scrollback, or a log, kept the password."""
    scheme, rest = oxigraph_url.split("://", 1)
    result = kg("info", "--store", f"{scheme}://ana:s3cret@{rest}")
    assert result.exit_code == 0, result.output
    assert f"store: {scheme}://ana:***@{rest}\n" in result.stdout and "s3cret" not in result.output
    assert shown_spec("https://ana@host/sparql") == "https://ana@host/sparql"  # no password: nothing to hide
    assert shown_spec("http://ana:a:b@[::1]:8890/sparql?x=1") == "http://ana:***@[::1]:8890/sparql?x=1"


def test_the_store_from_the_environment(monkeypatch):
    monkeypatch.setenv("SAHEL_KG_STORE", "memory:")
    result = kg("info")
    assert result.exit_code == 0 and "store: memory:" in result.stdout
    article = build()
    assert f"quads: {article.quads}" in result.stdout  # the article, installed on first use
    # the default graph holds each triple once, however many graphs state it (issue 7.3)
    assert f"triples: {article.triples} (the default graph" in result.stdout and article.triples < article.quads


def dataset_quads(data: bytes, fmt: ox.RdfFormat) -> list[ox.Quad]:
    return list(ox.parse(data, format=fmt))


def test_export_to_stdout_is_trig(spec):
    result = kg("export", "--store", spec)
    assert result.exit_code == 0
    assert len(dataset_quads(result.stdout_bytes, ox.RdfFormat.TRIG)) == store_count(spec)


def test_export_by_extension(spec, tmp_path):
    nq = tmp_path / "all.nq"
    assert kg("export", "-o", nq, "--store", spec).exit_code == 0
    assert len(dataset_quads(nq.read_bytes(), ox.RdfFormat.N_QUADS)) == store_count(spec)
    assert all(line.endswith(b" .") for line in nq.read_bytes().splitlines())
    packed = tmp_path / "all.trig.gz"
    assert kg("export", "--output", packed, "--store", spec).exit_code == 0
    assert packed.read_bytes()[:2] == b"\x1f\x8b"
    assert len(dataset_quads(gzip.decompress(packed.read_bytes()), ox.RdfFormat.TRIG)) == store_count(spec)


def test_export_to_dev_null_or_a_fifo_is_trig(spec, tmp_path):
    """Their names say no format (the README: written in place, TriG as on standard output); was exit 2."""
    assert kg("export", "-o", "/dev/null", "--store", spec).exit_code == 0
    fifo = tmp_path / "some-fifo"
    os.mkfifo(fifo)
    read: list[bytes] = []
    reader = threading.Thread(target=lambda: read.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = kg("export", "-o", fifo, "--store", spec)
    reader.join(timeout=60)
    assert result.exit_code == 0
    assert len(dataset_quads(read[0], ox.RdfFormat.TRIG)) == store_count(spec)


@pytest.mark.parametrize("name, said", [("dump.ttl", "Turtle has no named graphs"), ("dump.txt", "says no format"),
                                        ("dump.jsonld", "says no format")])
def test_export_to_a_file_named_for_no_dataset_format_is_refused_by_its_path(spec, tmp_path, name, said):
    result = kg("export", "-o", tmp_path / name, "--store", spec)
    assert result.exit_code == 2 and not (tmp_path / name).exists()
    assert f"{tmp_path / name}: " in result.stderr and said in result.stderr
    assert "TriG (.trig) or N-Quads (.nq)" in result.stderr


def test_export_to_a_file_named_for_the_other_format_than_format_is_refused(spec, tmp_path):
    """The name says the format (the README): --format naming the other one would write N-Quads into a .trig
    file (which no TriG reader reads) or TriG into a .nq.gz; refused, and nothing is written."""
    for name, fmt in (("dump.trig", "nquads"), ("dump.nq.gz", "trig"), ("dump.nquads", "trig")):
        result = kg("export", "-o", tmp_path / name, "--format", fmt, "--store", spec)
        assert result.exit_code == 2 and not (tmp_path / name).exists(), name
        assert "names another format than --format" in result.stderr
    assert kg("export", "-o", tmp_path / "dump.trig", "--format", "trig", "--store", spec).exit_code == 0


@pytest.mark.parametrize("text, name, first", [
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "rows.csv", "s"),
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "rows.tsv", "?s"),
    ("ASK {}", "answer.xml", "<?xml"), ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", "graph.nt", "<http"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", "graph.xml", "<?xml")])
def test_a_query_written_to_a_file_takes_the_format_its_name_says(spec, tmp_path, text, name, first):
    """`-o rows.csv` wrote JSON into it: the default format was the same whatever the name."""
    assert kg("query", "-q", text, "-o", tmp_path / name, "--store", spec).exit_code == 0
    assert (tmp_path / name).read_text(encoding="utf-8").startswith(first)


@pytest.mark.parametrize("text, name, fmt", [("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "rows.csv", "json"),
                                             ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", "graph.csv", None),
                                             ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "rows.ttl", None)])
def test_a_query_file_named_for_a_format_it_cannot_hold_is_refused(spec, tmp_path, text, name, fmt):
    result = kg("query", "-q", text, "-o", tmp_path / name, *(["--format", fmt] if fmt else []), "--store", spec)
    assert result.exit_code == 2 and not (tmp_path / name).exists(), result.output
    no_traceback(result)


@pytest.mark.parametrize("text, name, known", [("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "out.xyz", ".csv"),
                                              ("ASK {}", "answer.txt", ".srj"),
                                              ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", "g.xyz", ".ttl")])
def test_a_query_file_named_for_no_format_is_refused_as_export_refuses_it(spec, tmp_path, text, name, known):
    """`-o out.xyz` wrote JSON without a word, where `kg export -o dump.txt` is refused."""
    result = kg("query", "-q", text, "-o", tmp_path / name, "--store", spec)
    assert result.exit_code == 2 and not (tmp_path / name).exists(), result.output
    assert "the name says no format" in result.stderr and known in result.stderr and "--format" in result.stderr
    assert kg("query", "-q", text, "-o", tmp_path / name, "--format", "nquads" if "CONSTRUCT" in text else "json",
              "--store", spec).exit_code == 0


def test_export_with_format_and_gzip_flags(spec, tmp_path):
    result = kg("export", "--format", "nquads", "--gzip", "--store", spec)
    assert result.exit_code == 0
    assert len(dataset_quads(gzip.decompress(result.stdout_bytes), ox.RdfFormat.N_QUADS)) == store_count(spec)


def test_export_keeps_the_default_graph_and_loaded_data(spec, tmp_path):
    data = tmp_path / "extra.ttl"
    data.write_text('<http://example.org/x> <http://example.org/p> "in the default graph" .\n')
    assert kg("load", data, "--store", spec).exit_code == 0
    quads = dataset_quads(kg("export", "--store", spec).stdout_bytes, ox.RdfFormat.TRIG)
    # what was loaded into the default graph is kept in the declared graph, and exported there
    assert ox.Quad(ox.NamedNode("http://example.org/x"), ox.NamedNode("http://example.org/p"),
                   ox.Literal("in the default graph"), ox.NamedNode(DEFAULT_GRAPH)) in quads
    assert len(quads) == store_count(spec)


# --- kg build --install --------------------------------------------------------------------------------

def claims(spec: str) -> int:
    return int(json_rows(query(spec, "--format", "json", "-q", CLAIMS).stdout)[0]["n"]["value"])


@pytest.mark.parametrize("graph", [graph_iri("ontology"), graph_iri("loads"), "https://sahel-kg.example.org/claim/c1",
                                   "https://sahel-kg.example.org/graph/merge"])
def test_loading_into_one_of_the_projects_own_graphs_is_refused(spec, tmp_path, graph):
    """The next `kg build --install` would replace the build's graphs, and the data with them."""
    data = tmp_path / "mine.ttl"
    data.write_text('<http://example.org/a> <http://example.org/p> "mine" .\n')
    before = store_count(spec)
    result = kg("load", data, "--graph", graph, "--store", spec)
    assert result.exit_code == 2 and "one of the project's own graphs" in result.stderr  # bad usage, as a bad IRI
    assert "Invalid value for '--graph'" in result.stderr
    no_traceback(result)
    assert store_count(spec) == before


def test_a_file_whose_name_is_not_utf_8_loads_and_its_record_names_it(spec, tmp_path):
    """The file system may give names that are not UTF-8 (Python keeps their bytes as lone surrogates, which no
    literal may hold): the load record's label writes such bytes as \\xNN; it was a traceback."""
    path = tmp_path / os.fsdecode(b"caf\xe9.ttl")
    path.write_text('<http://example.org/a> <http://example.org/p> "mine" .\n')
    result = kg("load", path, "--store", spec)
    assert result.exit_code == 0, result.output
    labels = query(spec, "--format", "csv", "-q", "SELECT ?l WHERE { GRAPH ?g { ?f rdfs:label ?l } "
                   "FILTER(STRENDS(STR(?g), 'graph/loads')) }")
    assert "caf\\xe9.ttl" in labels.stdout.splitlines()


def test_loading_into_a_graph_of_a_build_with_another_base_is_refused(tmp_path):
    """A store built with `kg build --base` has its graphs under that base; they are just as much the build's."""
    spec = f"oxigraph:{tmp_path / 'store'}"
    assert kg("build", "--install", "--base", "https://example.org/kg/", "--store", spec).exit_code == 0
    data = tmp_path / "mine.ttl"
    data.write_text('<http://example.org/a> <http://example.org/p> "mine" .\n')
    before = store_count(spec)
    for graph in ("https://example.org/kg/graph/entities", "https://example.org/kg/graph/loads"):
        result = kg("load", data, "--graph", graph, "--store", spec)
        assert result.exit_code == 2 and "one of the project's own graphs" in result.stderr
    assert store_count(spec) == before
    assert kg("load", data, "--graph", "https://example.org/kg/mine", "--store", spec).exit_code == 0
    # a user's own graph that happens to be named like a build's ontology graph makes no base (helper-49)
    for _ in range(2):
        assert kg("load", data, "--graph", "https://my.example/data/graph/ontology", "--store", spec).exit_code == 0
    assert kg("load", data, "--graph", "https://my.example/data/graph/people", "--store", spec).exit_code == 0


@pytest.mark.parametrize("base", ["notaniri", "https://example.org/kg"])
def test_a_base_that_would_make_broken_iris_is_bad_usage(tmp_path, base):
    """Taken as it was, `notaniri` made <notaniriid/...> and the other `<...kggraph/loads>`; now refused as a bad
    --graph is, exit 2, nothing written."""
    out = tmp_path / "out.trig"
    result = kg("build", "--base", base, "--out", out)
    assert result.exit_code == 2 and "Invalid value for '--base'" in result.stderr, result.output
    no_traceback(result)
    assert not out.exists()


def test_build_install_writes_no_dataset_unless_asked(tmp_path):
    """It printed 3,000 lines of TriG, --out defaulting to standard output."""
    result = kg("build", "--install", "--store", f"oxigraph:{tmp_path / 'store'}")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == b"" and "installed into" in result.stderr


def test_build_install_replaces_the_article_graphs(tmp_path):
    spec = f"oxigraph:{tmp_path / 'store'}"
    mine = "http://example.org/my-graph"
    data = tmp_path / "mine.ttl"
    data.write_text('<http://example.org/a> <http://example.org/p> "mine" .\n')
    first = kg("build", "--install", "--store", spec, "--out", tmp_path / "built.trig")
    assert first.exit_code == 0, first.output
    assert f"installed into {spec}" in first.stderr
    assert claims(spec) == 32
    installed_count = store_count(spec)
    assert kg("load", data, "--graph", mine, "--store", spec).exit_code == 0
    with OxigraphStore(tmp_path / "store") as store:  # a claim the shipped data no longer has
        store.update("INSERT DATA { GRAPH <https://sahel-kg.example.org/claim/withdrawn> "
                     "{ <https://sahel-kg.example.org/claim/withdrawn> a <https://sahel-kg.example.org/ontology#Claim> } }")
    assert claims(spec) == 33
    second = kg("build", "--install", "--store", spec, "--out", "-")
    assert second.exit_code == 0, second.output
    assert len(dataset_quads(second.stdout_bytes, ox.RdfFormat.TRIG)) > 1000  # the build, on stdout as asked
    assert claims(spec) == 32
    with OxigraphStore(tmp_path / "store") as store:
        assert store.count(mine) == 1
        assert store.count(graph_iri("loads")) == 10  # the load (3 facts, 1 prov:used), its file (5) and its --graph
        assert "https://sahel-kg.example.org/claim/withdrawn" not in store.graphs()
        assert store.count() == installed_count + 1 + 10
