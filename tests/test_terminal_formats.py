"""On a terminal, every result format stays valid in its own syntax while no control character reaches the
screen raw: JSON, TSV and the Turtle family write them as \\uXXXX, XML as character references; a pipe or
a file still gets the engine's bytes as they are."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree

import pyoxigraph as ox
import pytest

from kg.format_escapes import escaped, for_terminal
from kg.paths import CLAIMS_DIR as CLAIMS
from test_cli import on_terminal
from test_loading import installed, spec  # noqa: F401  (fixtures)

EX = "http://example.org/terminal/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
HOSTILE = "a\tb\rc\nd\x1b[31mred\x07\x9b2J\x7f\u2028e\u202eexe\u200f"
NAME = "Zyxt \x1b[31mred\x9b2J \u202eexe"  # a label: search keeps a label's first line
XML_SAFE = "a\tb\rc\nd\x9b2J\x7f\x85\u2028e\u202eexe\u200f"  # XML 1.0 carries no other C0 control at all
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
SELECT = f"SELECT ?o WHERE {{ <{EX}s> <{EX}p> ?o }}"
CONSTRUCT = f"CONSTRUCT WHERE {{ <{EX}s> <{EX}p> ?o }}"
RDF_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "trig": ox.RdfFormat.TRIG,
               "nquads": ox.RdfFormat.N_QUADS, "rdfxml": ox.RdfFormat.RDF_XML}


def loaded(spec: str, tmp_path, value: str) -> str:
    data = tmp_path / "values.nt"
    data.write_text(f"<{EX}s> <{EX}p> {ox.Literal(value)} .\n<{EX}s> <{LABEL}> {ox.Literal(NAME)} .\n",
                    encoding="utf-8")
    status, _, err = on_terminal(["load", data, "--store", spec], stdin_tty=False)
    assert status == 0, err
    return spec


@pytest.fixture
def hostile(spec, tmp_path):
    return loaded(spec, tmp_path, HOSTILE)


@pytest.fixture
def xml_safe(spec, tmp_path):
    return loaded(spec, tmp_path, XML_SAFE)


def shown(spec: str, fmt: str, query: str) -> str:
    status, out, err = on_terminal(["query", "--store", spec, "--format", fmt, "-q", query], stdout_tty=True)
    assert status == 0, err
    assert not UNSAFE.search(out), out  # TAB and LF only as the format's own whitespace
    return out


@pytest.mark.parametrize("fmt", ["json", "jsonld"])
def test_json_on_a_terminal_stays_json_with_controls_as_unicode_escapes(hostile, fmt):
    """C1 controls (CSI, 0x9b) and bidirectional overrides were shown as \\x9b, which JSON has no escape for."""
    out = shown(hostile, fmt, SELECT if fmt == "json" else CONSTRUCT)
    document = json.loads(out)
    value = document["results"]["bindings"][0]["o"]["value"] if fmt == "json" else \
        document[0][f"{EX}p"][0]["@value"]
    assert value == HOSTILE
    assert "\\u009b2J" in out and "\\u202e" in out


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "trig", "nquads", "tsv"])
def test_turtle_and_tsv_on_a_terminal_write_controls_in_their_own_escapes(hostile, fmt):
    """\\x9b is no escape of Turtle's, N-Triples' or of TSV's terms: what was shown did not read back."""
    out = shown(hostile, fmt, SELECT if fmt == "tsv" else CONSTRUCT)
    if fmt == "tsv":  # a TSV cell is a term as N-Triples writes it
        out = f"<{EX}s> <{EX}p> {out.splitlines()[1]} .\n"
        fmt = "ntriples"
    assert [quad.object.value for quad in ox.parse(out.encode("utf-8"), format=RDF_FORMATS[fmt])] == [HOSTILE]


# Characters a terminal acts on (bidirectional marks and controls), and a zero-width space, that an IRI may
# hold (no IRI holds a C0 or C1 control); U+061C is also a name character, so Turtle writes it in a prefixed name.
IN_NAMES = ["\u061c", "\u202e", "\u2066", "\u200b", "\u200f", "\u2028"]
SK = "https://sahel-kg.example.org/id/"
NAMES_GRAPH = f"{EX}names"
NAMES_CONSTRUCT = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{NAMES_GRAPH}> {{ ?s ?p ?o }} }}"
NAMED = "".join(f"<{SK}s{i}{char}x> <{SK}p{char}> <{SK}{char}o{i}> .\n"
                f"<{SK}s{i}{char}x> <{SK}p> \"v\"^^<{SK}t{char}x> .\n" for i, char in enumerate(IN_NAMES))


def with_graph(spec: str, tmp_path, ntriples: str) -> str:
    """`spec` with `ntriples` loaded into NAMES_GRAPH."""
    data = tmp_path / "names.nt"
    data.write_text(ntriples, encoding="utf-8")
    status, _, err = on_terminal(["load", data, "--store", spec, "--graph", NAMES_GRAPH], stdin_tty=False)
    assert status == 0, err
    return spec


@pytest.fixture
def odd_names(spec, tmp_path):
    return with_graph(spec, tmp_path, NAMED)


def triples(text: str, fmt: str, graph: str | None = None) -> set:
    """The triples of `text` (of its graph `graph` if given, else of all)."""
    return {(quad.subject, quad.predicate, quad.object)
            for quad in ox.parse(text.encode("utf-8"), format=RDF_FORMATS[fmt])
            if graph is None or quad.graph_name == ox.NamedNode(graph)}


@pytest.mark.parametrize("fmt", ["turtle", "trig", "ntriples", "nquads"])
def test_names_holding_characters_a_terminal_acts_on_read_back_as_the_same_graph(odd_names, fmt):
    """Turtle and TriG wrote sk:s0\\u061cx: \\u is no escape of a prefixed name, so no reader took the answer."""
    out = shown(odd_names, fmt, NAMES_CONSTRUCT)
    assert triples(out, fmt) == triples(NAMED, "ntriples")


def test_a_trig_export_to_a_terminal_reads_back_as_the_same_dataset(odd_names):
    status, out, err = on_terminal(["export", "--store", odd_names], stdout_tty=True)
    assert status == 0, err
    assert not UNSAFE.search(out)
    assert triples(out, "trig", NAMES_GRAPH) == triples(NAMED, "ntriples")


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "tsv"])
def test_blank_nodes_labelled_with_such_characters_are_relabelled_alike(fmt):
    """A remote engine names its blank nodes: a label holding U+061C was written with \\u061c in it."""
    node, other = ox.BlankNode("b\u061cc"), ox.BlankNode("\u061c")
    graph = [ox.Triple(node, ox.NamedNode(f"{SK}p"), other), ox.Triple(other, ox.NamedNode(f"{SK}p"), node)]
    if fmt == "tsv":
        text = f"?s\t?o\n{node}\t{other}\n{other}\t{node}\n"
        lines = [line.split("\t") for line in escaped(fmt, text).splitlines()[1:]]
        out = "".join(f"{s} <{SK}p> {o} .\n" for s, o in lines)
        fmt = "ntriples"
    else:
        out = escaped(fmt, ox.serialize(graph, format=RDF_FORMATS[fmt]).decode("utf-8"))
    assert not UNSAFE.search(out)
    read = triples(out, fmt)
    assert len({s for s, _, _ in read}) == 2 and {s for s, _, _ in read} == {o for _, _, o in read}


def test_rdf_xml_on_a_terminal_names_elements_without_such_characters(spec, tmp_path):
    """RDF/XML names a class by an element (a typed node), whose name has no escapes: <C\\u061cD xmlns=...> (a
    name character) reached the terminal raw; it is named by what follows U+061C, the rest in its namespace.
    (A predicate so named is refused before any output: test_rdf_xml_refuses_a_predicate_expat_cannot_read.)"""
    data = (f"<{SK}s> <{SK}label> \"v\" .\n"
            f"<{SK}s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SK}C\u061cD> .\n")
    out = shown(with_graph(spec, tmp_path, data), "rdfxml", NAMES_CONSTRUCT)
    assert triples(out, "rdfxml") == triples(data, "ntriples")


@pytest.mark.parametrize("predicate", [f"{SK}p\u061c", f"{SK}a\u061cb", f"{SK}p\u061c1c"])
def test_rdf_xml_refuses_a_predicate_expat_cannot_read(spec, tmp_path, predicate):
    """U+061C is a name character of XML's fifth edition only: expat (and rdflib, which reads with it) refuses
    an element so named, so RDF/XML with such a predicate is refused before any output (kg/xml_check.py), its
    IRI escaped for the terminal in the message."""
    with_graph(spec, tmp_path, f"<{SK}s> <{predicate}> \"v\" .\n")
    status, out, err = on_terminal(["query", "--store", spec, "--format", "rdfxml", "-q", NAMES_CONSTRUCT],
                                   stdout_tty=True)
    assert status == 1 and out == "" and "\\u061c" in err and "RDF/XML cannot write the predicate" in err


def test_tsv_refuses_a_variable_it_cannot_write_on_a_terminal(spec):
    """A TSV header names variables bare, where \\u061c is no escape: ?a\\u061c was written, which no reader takes."""
    query = "SELECT ?a\u061c WHERE { BIND(1 AS ?a\u061c) }"
    status, out, err = on_terminal(["query", "--store", spec, "--format", "tsv", "-q", query], stdout_tty=True)
    assert status == 1 and out == "" and "?a\\u061c" in err and "TSV cannot escape" in err


def test_turtle_is_escaped_alike_however_it_is_cut_into_pieces():
    """A dump is handed on in chunks cut anywhere: a name, a string or an IRI cut between two is read whole."""
    graph, p = ox.NamedNode(f"{SK}g"), ox.NamedNode(f"{SK}p~")
    quads = [ox.Quad(ox.NamedNode(f"{SK}a\u061cb"), p, ox.Literal('x"\u202e\\'), graph),
             ox.Quad(ox.BlankNode("b\u061c"), ox.NamedNode(f"{SK}q\u061c"), ox.Literal("#y", language="en"), graph)]
    text = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes={"sk": SK}).decode("utf-8")
    whole = escaped("trig", text)
    assert "sk:a" not in whole and "\\u061c" in whole and not UNSAFE.search(whole)
    assert len(triples(whole, "trig")) == 2
    for at in range(len(text)):
        escaper = for_terminal("trig")
        assert escaper.feed(text[:at]) + escaper.feed(text[at:]) + escaper.end() == whole, at


def test_json_is_escaped_alike_however_it_is_cut_into_pieces():
    """A joiner or selector is kept or escaped by its neighbours: cut from one of them, it is judged as in the whole."""
    text = json.dumps({"v": ["\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "mali\u200d", "1\ufe0f\u20e3",
                             "\u2764\ufe0f", "a\u202eb", "\U000e0041", "x\r\ny"]}, ensure_ascii=False)
    whole = escaped("json", text)
    assert "\u200c\u062e" in whole and "mali\\u200d" in whole and "1\ufe0f\u20e3" in whole
    assert json.loads(whole) == json.loads(text)
    for at in range(len(text)):
        escaper = for_terminal("json")
        assert escaper.feed(text[:at]) + escaper.feed(text[at:]) + escaper.end() == whole, at


@pytest.mark.parametrize("fmt", ["json", "ntriples", "tsv", "xml"])
def test_a_character_past_u_ffff_is_escaped_as_each_format_reads_it(fmt):
    """A tag (U+E0041) shows as nothing: it reached the terminal raw. Past U+FFFF \\uXXXX will not do: JSON and
    N-Triples would read \\ue0041 as U+E004 and a 1."""
    value = "Mali\U000e0041"
    text = {"json": json.dumps({"v": value}, ensure_ascii=False), "xml": f"<v>{value}</v>",
            "ntriples": f"<{EX}s> <{EX}p> {ox.Literal(value)} .\n", "tsv": f"?v\n{ox.Literal(value)}\n"}[fmt]
    out = escaped(fmt, text)
    assert "\U000e0041" not in out
    if fmt == "json":
        assert json.loads(out) == {"v": value}
    elif fmt == "xml":
        assert ElementTree.fromstring(out).text == value
    else:
        line = out if fmt == "ntriples" else f"<{EX}s> <{EX}p> {out.splitlines()[1]} .\n"
        assert [quad.object.value for quad in ox.parse(line.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)] == [value]


def test_sparql_xml_on_a_terminal_writes_controls_as_character_references(xml_safe):
    """A TAB, line end or C1 control in a value was written raw (or as \\x9b, which XML reads as four
    characters); as a character reference it is the same value in valid XML, and nothing for the terminal."""
    out = shown(xml_safe, "xml", SELECT)
    literal = ElementTree.fromstring(out).find(".//{http://www.w3.org/2005/sparql-results#}literal")
    assert literal.text == XML_SAFE
    assert "a&#x9;b&#13;c&#xa;d&#x9b;2J&#x7f;" in out


def test_rdf_xml_on_a_terminal_writes_controls_as_character_references(xml_safe):
    out = shown(xml_safe, "rdfxml", CONSTRUCT)
    assert "&#x9;b" in out and "\t\t<" in out  # the format's own indentation stays as it was
    assert [quad.object.value for quad in ox.parse(out.encode("utf-8"), format=ox.RdfFormat.RDF_XML)] == [XML_SAFE]


@pytest.mark.parametrize("fmt", ["xml", "rdfxml", "json", "turtle"])
def test_a_pipe_gets_the_engines_bytes_as_they_are(xml_safe, fmt):
    query = CONSTRUCT if fmt in ("rdfxml", "turtle") else SELECT
    status, piped, err = on_terminal(["query", "--store", xml_safe, "--format", fmt, "-q", query], stdin_tty=False)
    assert status == 0, err
    assert "\x9b2J" in piped and "&#x" not in piped and "\\u009b" not in piped


def test_kg_search_json_on_a_terminal_stays_json(hostile):
    status, out, err = on_terminal(["search", "--store", hostile, "--json", "Zyxt"], stdout_tty=True)
    assert status == 0, err
    assert not UNSAFE.search(out), out
    assert [hit["label"] for hit in json.loads(out)["results"]] == [NAME]


@pytest.mark.parametrize("command", ["export", "build"])
def test_datasets_written_to_a_terminal_are_escaped_as_query_answers_are(hostile, tmp_path, command):
    """kg export and kg build wrote the dataset raw even on a terminal (build: an article's text is data)."""
    claims = tmp_path / "claims"
    claims.mkdir()
    for shipped in CLAIMS.iterdir():
        (claims / shipped.name).write_bytes(shipped.read_bytes())
    with open(claims / "us-sahel-quiet-ties.txt", "a", encoding="utf-8") as text:
        text.write("Tail \x9b2J \u202e end.\n")  # past every claim's quote: their offsets still hold
    arguments = ["export", "--format", "nquads", "--store", hostile] if command == "export" else \
        ["build", "--format", "nquads", "--claims", claims]
    status, out, err = on_terminal(arguments, stdout_tty=True)
    assert status == 0, err
    assert not UNSAFE.search(out)
    assert "\\u009b2J" in out


def test_xml_is_escaped_alike_however_it_is_cut_into_pieces():
    """Answers come a batch at a time: a value or a tag cut between two pieces is escaped as a whole one is."""
    text = ('<?xml version="1.0"?>\n<r a="x\u202ey">\n\t<v>\t1\x9b</v>\n\t<e/>\n\t<v>\n</v>\n'
            '<!-- note -->\n</r>\n')
    whole = escaped("xml", text)
    assert whole == ('<?xml version="1.0"?>\n<r a="x&#x202e;y">\n\t<v>&#x9;1&#x9b;</v>\n\t<e/>\n\t<v>&#xa;</v>\n'
                     '<!-- note -->\n</r>\n')
    for at in range(len(text)):
        escaper = for_terminal("xml")
        assert escaper.feed(text[:at]) + escaper.feed(text[at:]) + escaper.end() == whole, at


def test_gzipped_export_is_refused_on_a_terminal(hostile):
    status, out, err = on_terminal(["export", "--gzip", "--store", hostile], stdout_tty=True)
    assert status == 2 and out == "" and "not written to a terminal" in err
