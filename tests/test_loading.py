"""`kg load`: every RDF syntax, gzip, --graph, --format, all-or-nothing, the loads graph, progress, size."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import ParseError
from kg.namespaces import PREFIXES, SAHEL, graph_iri
from kg.store.base import RDF_FORMATS
from kg.store.oxigraph import OxigraphStore
from store_helpers import as_stored, dataset_quads

EX = "http://example.org/load-test/"
GRAPH = EX + "graph"
EXTENSIONS = {"turtle": ".ttl", "ntriples": ".nt", "nquads": ".nq", "trig": ".trig", "jsonld": ".jsonld",
              "rdfxml": ".rdf"}
QUAD_SYNTAXES = ("nquads", "trig", "jsonld")


def kg(*args, input=None):
    """Run `kg` in-process; an exception escaping the command is a bug, so it is raised here."""
    result = CliRunner().invoke(main, [str(arg) for arg in args], input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def sample(fmt: str) -> list[ox.Quad]:
    """Three quads with a language tag, a datatype and plain text; in a named graph where `fmt` has them."""
    graph = ox.NamedNode(GRAPH) if fmt in QUAD_SYNTAXES else ox.DefaultGraph()
    s, p = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p")
    return [ox.Quad(s, p, ox.Literal("Mali", language="fr"), graph),
            ox.Quad(s, p, ox.Literal("2026-01-01", datatype=ox.NamedNode(PREFIXES["xsd"] + "date")), graph),
            ox.Quad(s, ox.NamedNode(EX + "q"), ox.NamedNode(EX + "o"), graph)]


def write(path: Path, quads: list[ox.Quad], fmt: str, *, gzipped: bool = False) -> Path:
    data = ox.serialize(quads, format=RDF_FORMATS[fmt])
    path.write_bytes(gzip.compress(data) if gzipped else data)
    return path


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """An embedded store with the article installed (a reader no longer makes one at a path given), to copy."""
    path = tmp_path_factory.mktemp("installed") / "store"
    assert kg("build", "--install", "--store", f"oxigraph:{path}", "--out", os.devnull).exit_code == 0
    return path


@pytest.fixture
def spec(tmp_path, installed) -> str:
    """The spec of a copy of the installed store, in tmp_path."""
    shutil.copytree(installed, tmp_path / "store")
    return f"oxigraph:{tmp_path / 'store'}"


RECORD = 3 + 6  # the loads graph's record of a one-file load: the load's 3 facts, the file's 5 and its prov:used


def content(spec: str) -> set[str]:
    """Every quad in the store, as N-Quads lines (blank node labels stay as stored)."""
    with OxigraphStore(spec.removeprefix("oxigraph:")) as store:
        return {str(quad) for quad in dataset_quads(store)}


def ours(spec: str) -> set[ox.Quad]:
    """The quads of the store whose subject is in the test's namespace."""
    with OxigraphStore(spec.removeprefix("oxigraph:")) as store:
        return {q for q in dataset_quads(store) if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(EX)}


def loads_records(spec: str) -> list[dict[str, ox.Literal | ox.NamedNode]]:
    """Each file record in the loads graph, as {local property name: value}, ordered by record IRI."""
    records: dict[str, dict] = {}
    with OxigraphStore(spec.removeprefix("oxigraph:")) as store:
        for quad in store._store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri("loads"))):
            name = quad.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            records.setdefault(quad.subject.value, {})[name] = quad.object
    entity = ox.NamedNode(PREFIXES["prov"] + "Entity")
    return [records[iri] for iri in sorted(records) if records[iri].get("type") == entity]  # the files, not the load


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("fmt", EXTENSIONS)
def test_each_syntax_loads(tmp_path, spec, fmt, gzipped):
    path = write(tmp_path / f"data{EXTENSIONS[fmt]}{'.gz' if gzipped else ''}", sample(fmt), fmt, gzipped=gzipped)
    before = content(spec)
    result = kg("load", path, "--store", spec)
    assert result.exit_code == 0, result.output
    assert f"{path}: 3 quads, sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}" in result.stderr
    assert "loaded 1 file(s), 3 quads read" in result.stderr
    assert ours(spec) == as_stored(sample(fmt))
    assert len(content(spec)) == len(before) + 3 + RECORD  # the data, and the record


def test_a_file_loaded_again_is_said_to_be_read_not_added(tmp_path, spec):
    """The second load said "loaded 3 quads" though the store gained none of them."""
    path = write(tmp_path / "data.nt", sample("ntriples"), "ntriples")
    assert kg("load", path, "--store", spec).exit_code == 0
    before = ours(spec)
    again = kg("load", path, "--store", spec)
    assert "3 quads read (one the store already held, or read twice, is kept once)" in again.stderr
    assert ours(spec) == before


@pytest.mark.parametrize("fmt", ["turtle", "trig", "nquads"])
def test_graph_option_puts_every_triple_into_that_graph(tmp_path, spec, fmt):
    quads = sample(fmt)
    if fmt != "turtle":  # one quad in the default graph too: --graph moves it as well
        quads.append(ox.Quad(ox.NamedNode(EX + "s2"), ox.NamedNode(EX + "p"), ox.Literal("x")))
    path = write(tmp_path / f"data{EXTENSIONS[fmt]}", quads, fmt)
    target = EX + "chosen"
    result = kg("load", path, "--graph", target, "--store", spec)
    assert result.exit_code == 0, result.output
    assert ours(spec) == {ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(target)) for q in quads}
    (record,) = loads_records(spec)
    assert record["isPartOf"] == ox.NamedNode(target)


@pytest.mark.parametrize("graph, said", [("not an iri", "<not an iri> is not an IRI: an IRI cannot hold ' '"),
                                         ("", "<> is a relative IRI (it has no scheme, such as http:)"),
                                         ("graphs/g", "<graphs/g> is a relative IRI (it has no scheme"),
                                         (EX + "a\u202egnp.exe", "the IRI holds U+202E (RIGHT-TO-LEFT OVERRIDE)")])
def test_a_graph_that_is_no_iri_is_refused_plainly(tmp_path, spec, graph, said):
    """A bad value of an option, as --timeout 0 or --max-bytes abc: click's usage error, exit 2 (was 1); in our
    words, not pyoxigraph's "No scheme found in an absolute IRI"."""
    path = write(tmp_path / "data.ttl", sample("turtle"), "turtle")
    before = content(spec)
    result = kg("load", path, "--graph", graph, "--store", spec)
    assert result.exit_code == 2
    assert f"Invalid value for '--graph': {said}" in result.stderr
    assert ("write it whole" in result.stderr) == ("relative" in said)
    assert "No scheme found" not in result.stderr and "code point" not in result.stderr
    assert content(spec) == before


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzipped"])
def test_a_byte_that_is_no_utf8_is_named(tmp_path, spec, packed):
    """As `kg claims draft` names it; was pyoxigraph's "incomplete utf-8 byte sequence from index 3"."""
    data = (b'<http://example.org/a> <http://example.org/p> "ok" .\n'
            b'<http://example.org/a> <http://example.org/p> "caf\xe9" .\n')
    path = tmp_path / ("latin1.nt.gz" if packed else "latin1.nt")
    path.write_bytes(gzip.compress(data) if packed else data)
    result = kg("load", path, "--store", spec)
    assert result.exit_code == 1
    assert result.stderr == f"error: {path}:2:51: not UTF-8: byte 0xe9 cannot be decoded\n"


@pytest.mark.parametrize("name, options, data, said", [
    ("quads.nt", [], b"<http://e/a> <http://e/b> <http://e/c> <http://e/g> .\n", "N-Quads: give --format nquads"),
    ("data.ttl", ["--format", "ntriples"], b"@prefix e: <http://e/> .\ne:a e:b e:c .\n",
     "Turtle: give --format turtle"),
    ("data.ttl", ["--format", "rdfxml"], b"@prefix e: <http://e/> .\ne:a e:b e:c .\n", "Turtle: give --format turtle"),
    ("data.rdf", ["--format", "turtle"], b'<?xml version="1.0"?>\n<rdf:RDF/>', "RDF/XML: give --format rdfxml"),
    ("graphs.ttl", [], b"<http://e/g> { <http://e/a> <http://e/b> <http://e/c> }\n", "TriG: give --format trig"),
    ("long.nt.gz", [], gzip.compress(b"".join(b'<http://e/%d> <http://e/b> "c" <http://e/g> .\n' % n
                                              for n in range(5000))), "N-Quads: give --format nquads"),
], ids=["n-quads named .nt", "turtle as n-triples", "turtle as rdf/xml", "rdf/xml as turtle", "trig named .ttl",
        "n-quads past the head"])
def test_a_file_in_another_format_says_which(tmp_path, spec, name, options, data, said):
    """A wrong --format or file name got the parser's words alone ("Quads must be followed by a dot")."""
    path = tmp_path / name
    path.write_bytes(data)
    result = kg("load", path, *options, "--store", spec)
    assert result.exit_code == 1 and result.stderr.rstrip().endswith(f"; the file reads as {said}"), result.stderr


def test_a_slip_in_the_right_format_names_no_other(tmp_path, spec):
    """A fault on line 3 of a Turtle file is no sign of TriG (which reads every Turtle file): no hint."""
    path = tmp_path / "slip.ttl"
    path.write_bytes(b'@prefix e: <http://e/> .\ne:a e:b e:c .\ne:a e:b "cut .\n')
    result = kg("load", path, "--store", spec)
    assert result.exit_code == 1 and "reads as" not in result.stderr and ":3:" in result.stderr, result.stderr


@pytest.mark.parametrize("data, said", [
    (b'<http://example.org/a> <http://example.org/p> "cut short .\n', ":1:"),
    (b'<http://example.org/a> <http://example.org/p> "caf\xe9" .\n', ":1:51: not UTF-8: a byte here cannot be decoded"),
], ids=["syntax", "no UTF-8"])
def test_a_fifo_that_fails_to_parse_is_not_opened_again(tmp_path, spec, data, said):
    """The search for the byte that is no UTF-8 opened the file anew: a FIFO's second opening waits for a writer,
    and kg load hung there for good. A pipe's bytes cannot be read twice, so its error says what the parser said."""
    fifo = tmp_path / "held.nt"
    os.mkfifo(fifo)
    threading.Thread(target=fifo.write_bytes, args=(data,), daemon=True).start()
    results = []
    loading = threading.Thread(target=lambda: results.append(kg("load", fifo, "--store", spec)), daemon=True)
    loading.start()
    loading.join(timeout=120)
    hung = loading.is_alive()
    if hung:
        fifo.write_bytes(b"")  # a writer that closes at once lets the second opening return
        loading.join(timeout=120)
    assert not hung and results[0].exit_code == 1 and said in results[0].stderr, results


def test_format_option_overrides_the_name(tmp_path, spec):
    turtle = write(tmp_path / "data.txt", sample("turtle"), "turtle")
    assert kg("load", turtle, "--format", "turtle", "--store", spec).exit_code == 0
    assert ours(spec) == as_stored(sample("turtle"))
    # a name that says N-Triples, holding Turtle with prefixes: --format wins over the name
    misnamed = tmp_path / "data.nt"
    misnamed.write_text(f"@prefix ex: <{EX}> .\nex:t ex:p 1 .\n")
    assert kg("load", misnamed, "--store", spec).exit_code == 1
    result = kg("load", misnamed, "--format", "turtle", "--store", spec)
    assert result.exit_code == 0, result.output
    assert "1 quads" in result.stderr
    gzipped = write(tmp_path / "data.bin.gz", sample("nquads"), "nquads", gzipped=True)
    assert kg("load", gzipped, "--format", "nquads", "--store", spec).exit_code == 0


def test_an_unknown_extension_needs_format(tmp_path, spec):
    path = write(tmp_path / "data.dat", sample("turtle"), "turtle")
    before = content(spec)
    result = kg("load", path, "--store", spec)
    assert result.exit_code == 2  # bad usage, as kg export -o with such a name is
    assert "data.dat" in result.stderr and "--format" in result.stderr
    assert "Traceback" not in result.output
    assert content(spec) == before


def test_a_parse_error_in_the_second_file_loads_nothing(tmp_path, spec):
    good = write(tmp_path / "good.nt", sample("ntriples"), "ntriples")
    bad = tmp_path / "bad.ttl"
    bad.write_text(f"@prefix ex: <{EX}> .\nex:a ex:p ex:b .\nex:c ex:p .\n")
    before = content(spec)
    result = kg("load", good, bad, "--store", spec)
    assert result.exit_code == 1
    assert f"error: {bad}:3:" in result.stderr  # file:line:column
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert content(spec) == before
    assert loads_records(spec) == []


BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("fmt", EXTENSIONS)
def test_a_leading_byte_order_mark_is_skipped(tmp_path, spec, fmt, gzipped):
    """Editors on Windows start UTF-8 files with one; the file's checksum still covers it."""
    data = BOM + ox.serialize(sample(fmt), format=RDF_FORMATS[fmt])
    path = tmp_path / f"bom{EXTENSIONS[fmt]}{'.gz' if gzipped else ''}"
    path.write_bytes(gzip.compress(data) if gzipped else data)
    result = kg("load", path, "--store", spec)
    assert result.exit_code == 0, result.output
    assert f"{path}: 3 quads, sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}" in result.stderr
    assert ours(spec) == as_stored(sample(fmt))


def test_a_byte_order_mark_past_the_start_is_a_syntax_error(tmp_path, spec):
    path = tmp_path / "late-bom.ttl"
    path.write_bytes(BOM + f"<{EX}a> <{EX}p> <{EX}b> .\n".encode() + BOM + f"<{EX}c> <{EX}p> <{EX}d> .\n".encode())
    before = content(spec)
    result = kg("load", path, "--store", spec)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path}:2:1: ")  # columns as an editor counts them, the first mark unseen
    assert content(spec) == before


@pytest.mark.parametrize("text, line, said", [
    (f"<{EX}a> <{EX}p> <{EX}not an iri> .\n", 1, "an IRI cannot hold ' ' (no spaces"),  # at line 1 between columns
    (f"<{EX}a> <{EX}p> .\n", 1, ". is not a valid RDF object"),  # at line 1 column C
    (f'<{EX}a> <{EX}p> """open\n\n', 1, "Unexpected end of file"),  # between line 1 column C and line 3
])
def test_a_syntax_error_says_its_position_once(tmp_path, spec, text, line, said):
    """pyoxigraph words the position three ways; each goes into file:line:column, none stays in the text."""
    path = tmp_path / "bad.ttl"
    path.write_text(text, encoding="utf-8")
    result = kg("load", path, "--store", spec)
    assert result.exit_code == 1
    assert re.fullmatch(rf"error: {re.escape(str(path))}:{line}:\d+: {re.escape(said)}.*\n", result.stderr)


@pytest.mark.parametrize("name, said", [
    ("rel.ttl", "a relative IRI (it has no scheme, such as http:), and no base IRI was given to resolve it against "
                "(give one with --base)"),
    ("rel.nq", "a relative IRI (it has no scheme, such as http:): N-Triples and N-Quads take only absolute IRIs")])
def test_a_relative_iri_in_a_file_says_what_would_resolve_it(tmp_path, spec, name, said):
    """pyoxigraph's "No scheme found in an absolute IRI" named no remedy: Turtle takes --base, N-Quads none."""
    path = tmp_path / name
    path.write_text(f"<rel> <{EX}p> <{EX}o>{' <' + EX + 'g>' if name.endswith('.nq') else ''} .\n", encoding="utf-8")
    result = kg("load", path, "--store", spec)
    assert (result.exit_code, result.stderr) == (1, f"error: {path}:1:1: {said}\n")


@pytest.mark.parametrize("name", ["bad.jsonld", "bad.jsonld.gz"])
def test_a_json_ld_error_is_placed_in_characters_as_the_other_syntaxes(tmp_path, spec, name):
    """The JSON-LD parser counts a line's bytes: "伦敦😀" before the fault put it at column 51, not 44 (helper-87)."""
    text = '{"@id": "http://e/a", "http://e/b": "伦敦😀", }'
    path = tmp_path / name
    path.write_bytes(gzip.compress(text.encode()) if name.endswith(".gz") else text.encode())
    result = kg("load", path, "--store", spec)
    assert result.exit_code == 1 and result.stderr.startswith(f"error: {path}:1:{text.rindex('}') + 1}: ")
    from kg.store.base import parse_triples  # a body sent to the Graph Store takes the same way

    with pytest.raises(ParseError) as caught:
        parse_triples(text.encode(), format="jsonld")
    assert (caught.value.line, caught.value.column) == (1, text.rindex("}") + 1)


@pytest.mark.parametrize("name, how", [("data.nt.bz2", "bz2"), ("data.nt", "bz2"), ("data.nt.xz", "xz"),
                                       ("data.ttl", "xz")])
def test_another_compression_is_named_not_read_as_rdf(tmp_path, spec, name, how):
    """x.nt.bz2: "cannot tell the RDF format from the name"; bzip2 under an RDF name: "BZh91AY is not a valid
    subject" (helper-190)."""
    import bz2
    import lzma

    data = ox.serialize(sample("ntriples"), format=ox.RdfFormat.N_TRIPLES)
    path = tmp_path / name
    path.write_bytes(bz2.compress(data) if how == "bz2" else lzma.compress(data))
    result = kg("load", path, "--store", spec)
    assert result.exit_code in (1, 2) and "Traceback" not in result.output
    assert f"compressed with {'bzip2' if how == 'bz2' else 'xz'}, which kg load does not read" in result.stderr


def test_another_compression_on_standard_input_is_said_of_standard_input(spec):
    """It named the spooled copy's path, /proc/self/fd/3 (helper-192)."""
    import bz2

    data = bz2.compress(ox.serialize(sample("ntriples"), format=ox.RdfFormat.N_TRIPLES))
    result = kg("load", "-", "--format", "ntriples", "--store", spec, input=data)
    assert result.exit_code == 1 and result.stderr.startswith("error: standard input: compressed with bzip2")


def test_a_utf_16_file_is_said_to_be_one(tmp_path, spec):
    path = tmp_path / "data.ttl"
    path.write_bytes("<http://ex.org/s> <http://ex.org/p> 1 .\n".encode("utf-16"))
    result = kg("load", path, "--store", spec)
    assert result.exit_code == 1 and "UTF-16's byte-order mark" in result.stderr and "iconv" in result.stderr


@pytest.mark.parametrize("damage", ["not gzip", "truncated", "corrupt"])
def test_a_damaged_gzip_loads_nothing(tmp_path, spec, damage):
    data = gzip.compress(ox.serialize(sample("ntriples"), format=ox.RdfFormat.N_TRIPLES))
    if damage == "not gzip":
        data = b"this is not gzip"
    elif damage == "truncated":
        data = data[:len(data) // 2]
    else:
        data = data[:12] + bytes(b ^ 0xFF for b in data[12:-8]) + data[-8:]
    path = tmp_path / "data.nt.gz"
    path.write_bytes(data)
    before = content(spec)
    result = kg("load", path, "--store", spec)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path}") and result.stderr.count("\n") == 1
    assert content(spec) == before


def test_the_loads_graph_records_each_file(tmp_path, spec):
    first = write(tmp_path / "first.ttl", sample("turtle"), "turtle")
    second = write(tmp_path / "second.nq.gz", sample("nquads")[:2], "nquads", gzipped=True)
    started = datetime.now(timezone.utc)
    result = kg("load", first, second, "--store", spec)
    assert result.exit_code == 0, result.output
    records = loads_records(spec)
    assert [r["label"].value for r in records] == ["first.ttl", "second.nq.gz"]
    for record, path, quads in zip(records, (first, second), (3, 2)):
        assert record["type"] == ox.NamedNode(PREFIXES["prov"] + "Entity")
        assert "source" not in record  # the loads graph is public: a path would name the operator's folders
        assert record[str(SAHEL.sha256).rsplit("#", 1)[1]].value == hashlib.sha256(path.read_bytes()).hexdigest()
        assert int(record["triples"].value) == quads
        when = datetime.fromisoformat(record["generatedAtTime"].value.replace("Z", "+00:00"))
        assert started - timedelta(seconds=5) <= when <= datetime.now(timezone.utc) + timedelta(seconds=5)
        assert record["generatedAtTime"].datatype == ox.NamedNode(PREFIXES["xsd"] + "dateTime")
    assert "isPartOf" not in records[0]
    record_iri = result.stderr.rsplit("record ", 1)[1].strip()
    assert record_iri.startswith("https://sahel-kg.example.org/load/")
    with OxigraphStore(spec.removeprefix("oxigraph:")) as store:  # the IRI printed is the load's, and so resolves
        said = {(quad.predicate.value.rsplit("#", 1)[-1], quad.object.value) for quad in store._store.quads_for_pattern(
            ox.NamedNode(record_iri), None, None, ox.NamedNode(graph_iri("loads")))}
    assert ("type", PREFIXES["prov"] + "Activity") in said
    assert {value for name, value in said if name.endswith("used")} == {f"{record_iri}/1", f"{record_iri}/2"}


def test_two_loads_make_two_records(tmp_path, spec):
    path = write(tmp_path / "data.ttl", sample("turtle"), "turtle")
    assert kg("load", path, "--store", spec).exit_code == 0
    assert kg("load", path, "--store", spec).exit_code == 0
    records = loads_records(spec)
    assert len(records) == 2 and records[0]["sha256"] == records[1]["sha256"]


def test_progress_bar(tmp_path, spec):
    path = write(tmp_path / "data.ttl", sample("turtle"), "turtle")
    shown = kg("load", path, "--progress", "--store", spec)
    assert shown.exit_code == 0 and "loading" in shown.stderr
    hidden = kg("load", path, "--no-progress", "--store", spec)
    assert hidden.exit_code == 0 and "loading" not in hidden.stderr
    default = kg("load", path, "--store", spec)  # stderr is no terminal here
    assert default.exit_code == 0 and "loading" not in default.stderr


BIG = 200_000


def test_a_large_file_loads_and_is_counted(tmp_path, spec):
    path = tmp_path / "big.nt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for i in range(BIG):
            out.write(f'<{EX}s{i}> <{EX}p{i % 5}> "value {i}"@en .\n')
    before = len(content(spec))
    result = kg("load", path, "--store", spec)
    assert result.exit_code == 0, result.output
    assert f"{BIG} quads read" in result.stderr
    (record,) = loads_records(spec)
    assert int(record["triples"].value) == BIG
    assert record["sha256"].value == hashlib.sha256(path.read_bytes()).hexdigest()
    assert len(content(spec)) == before + BIG + RECORD


def test_loading_into_an_empty_store_installs_the_article_first(tmp_path):
    spec = f"oxigraph:{tmp_path / 'fresh'}"
    path = write(tmp_path / "data.ttl", sample("turtle"), "turtle")
    assert kg("load", path, "--store", spec).exit_code == 0
    with OxigraphStore(tmp_path / "fresh") as store:
        assert graph_iri("ontology") in store.graphs()
        assert store.count(graph_iri("loads")) == RECORD


def test_missing_file_is_bad_usage(tmp_path, spec):
    result = kg("load", tmp_path / "nowhere.ttl", "--store", spec)
    assert result.exit_code == 2 and "nowhere.ttl" in result.stderr


def test_a_file_loaded_twice_is_read_twice_but_stored_once(tmp_path, spec):
    path = write(tmp_path / "data.ttl", sample("turtle"), "turtle")
    result = kg("load", path, path, "--store", spec)
    assert result.exit_code == 0 and "loaded 2 file(s), 6 quads read" in result.stderr
    assert ours(spec) == as_stored(sample("turtle"))


def test_load_reads_a_dump_back(tmp_path, spec):
    """What `kg export` writes, `kg load` reads into another store to the same content."""
    exported = tmp_path / "all.nq"
    assert kg("export", "-o", exported, "--store", spec).exit_code == 0
    other = f"oxigraph:{tmp_path / 'other'}"
    with OxigraphStore(tmp_path / "other") as store:
        store.extend([ox.Quad(ox.NamedNode(EX + "seed"), ox.NamedNode(EX + "p"), ox.Literal(1))])
    assert kg("load", exported, "--store", other).exit_code == 0
    expected = content(spec) | {str(q) for q in as_stored([ox.Quad(ox.NamedNode(EX + "seed"), ox.NamedNode(EX + "p"),
                                                                    ox.Literal(1))])}
    loaded = {line for line in content(other) if "/load/" not in line.split(" ")[0]}
    assert {line for line in loaded if "_:" not in line} == {line for line in expected if "_:" not in line}
    assert len(exported.read_bytes().splitlines()) == len(content(spec))


def test_kg_load_reads_standard_input_given_as_a_dash(tmp_path):
    """`curl … | kg load - --format nquads` said "File '-' does not exist"; kg query and kg update read it."""
    store = f"oxigraph:{tmp_path / 'store'}"
    text = f'<{EX}a> <{EX}b> "from a pipe" <{GRAPH}> .\n'
    done = kg("load", "-", "--format", "nquads", "--store", store, input=text)
    assert done.exit_code == 0, done.output
    assert "standard input: 1 quads" in done.output
    asked = kg("query", "--store", store, "--format", "csv",
               f"SELECT ?o ?name WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} "
               f"GRAPH <{graph_iri('loads')}> {{ ?r a prov:Entity ; rdfs:label ?name }} }}")
    assert asked.output.splitlines()[1] == "from a pipe,standard input"  # the record names it
    bad = kg("load", "-", "--format", "nquads", "--store", store, input=f'<{EX}a> <{EX}b> "open .\n')
    assert bad.exit_code == 1 and "standard input:1:" in bad.output and "kg-load-" not in bad.output
    unnamed = kg("load", "-", "--store", store, input=text)
    assert unnamed.exit_code == 2 and "give --format" in unnamed.output


@pytest.mark.parametrize("name, options, data", [
    ("blank.ttl", [], b"[] <http://e/p> 1 .\n<http://e/s> <http://e/p> oops .\n"),
    ("blank.trig", [], b"{ [] <http://e/p> 1 }\n<http://e/s> <http://e/p> oops .\n"),
    ("relative.ttl", ["--format", "ntriples"], b'<s> <http://e/p> "o" .\n'),
    ("relative.nq", ["--format", "turtle"], b'<s> <http://e/p> "o" <g> .\n'),
], ids=["turtle opening with []", "trig opening with { []", "relative, no base", "relative quads, no base"])
def test_a_hint_names_only_a_format_that_really_reads_the_file(tmp_path, spec, name, options, data):
    """Turtle's [] and TriG's { [] were taken for JSON from their first bytes alone, and a relative IRI read against
    a made-up base, where the load has none: each hint named a format that failed as well."""
    path = tmp_path / name
    path.write_bytes(data)
    result = kg("load", path, *options, "--store", spec)
    assert result.exit_code == 1 and "reads as" not in result.stderr, result.stderr


@pytest.mark.parametrize("options, data, said", [
    (["--format", "ntriples"], b"\xef\xbb\xbf@prefix e: <http://e/> .\ne:a e:b e:c .\n", "Turtle: give --format turtle"),
    (["--format", "ntriples", "--base", "http://e/"], b'<s> <http://e/p> "o" .\n', "Turtle: give --format turtle"),
], ids=["after a byte order mark", "relative, with --base"])
def test_a_hint_reads_the_file_as_the_load_would(tmp_path, spec, options, data, said):
    """A byte order mark (which the loader skips) made every format fail; --base lets Turtle read a relative IRI."""
    path = tmp_path / "data.nt"
    path.write_bytes(data)
    result = kg("load", path, *options, "--store", spec)
    assert result.exit_code == 1 and result.stderr.rstrip().endswith(f"; the file reads as {said}"), result.stderr


def test_a_format_that_fails_again_within_the_first_bytes_is_not_named(tmp_path, spec):
    """In a file longer than the part read for the hint, Turtle read past an N-Triples fault (a bare 1 on line 10)
    and failed on a slip of line 20 of its own: it was named, though the file fails as Turtle too."""
    lines = [b'<http://e/s%d> <http://e/p> "v%d" .\n' % (number, number) for number in range(3000)]
    lines[9], lines[19] = b"<http://e/s> <http://e/p> 1 .\n", b'<http://e/s> <http://e/p> "cut .\n'
    path = tmp_path / "long.nt"
    path.write_bytes(b"".join(lines))
    result = kg("load", path, "--store", spec)
    assert result.exit_code == 1 and ":10:" in result.stderr and "reads as" not in result.stderr, result.stderr
