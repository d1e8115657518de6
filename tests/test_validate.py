"""`kg validate`: the shipped data conforms, and each SHACL shape catches a dataset broken on purpose,
naming the focus node and the shape's label."""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import ORG, PROV, RDF

from build_fixtures import broken_claims, built, copy_dataset, named_graph, run_kg
from kg.namespaces import OA, SAHEL, SK, claim_iri, source_iri

__all__ = ["built"]  # a fixture

CLAIM = URIRef(claim_iri("aes-formed-2023"))
SOURCE = URIRef(source_iri("us-sahel-quiet-ties"))
QUOTE, POSITION, TARGET = (URIRef(f"{CLAIM}#{part}") for part in ("quote", "position", "target"))


@dataclass(frozen=True)
class Breakage:
    """Triples (s, p, o; None is a wildcard) to take out of every graph and triples to add to one."""

    focus: str  # as the report writes it
    shape: str  # the shape's rdfs:label
    remove: tuple = ()
    add: tuple = field(default=())


BREAKAGES = {
    "claim without claimer": Breakage(f"<{CLAIM}>", "Claim", remove=((CLAIM, PROV.wasAttributedTo, None),)),
    "claim with two modalities": Breakage(f"<{CLAIM}>", "Claim", add=((CLAIM, SAHEL.modality, SAHEL.Argued),)),
    "quote not at its offsets": Breakage(
        f"<{CLAIM}>", "Claim", remove=((QUOTE, OA.exact, None),),
        add=((QUOTE, OA.exact, Literal("The AES, founded in 2023")),)),
    "claim without quote selector": Breakage(f"<{CLAIM}>", "Claim", remove=((TARGET, OA.hasSelector, QUOTE),)),
    "membership without member": Breakage(
        "sk:aes-membership-mali", "Membership", remove=((SK["aes-membership-mali"], ORG.member, None),)),
    "membership without organization": Breakage(
        "sk:aes-membership-mali", "Membership", remove=((SK["aes-membership-mali"], ORG.organization, None),)),
    "membership without time": Breakage(
        "sk:aes-membership-mali", "Membership", remove=((SK["aes-membership-mali"], ORG.memberDuring, None),)),
    **{f"security relationship without {name}": Breakage(
        "sk:us-intelligence-sharing", "Security relationship",
        remove=((SK["us-intelligence-sharing"], SAHEL[name], None),))
       for name in ("provider", "recipient", "relationshipType", "hasStatusPhase")},
    "status phase without status": Breakage(
        "sk:us-intelligence-sharing-active", "Status phase",
        remove=((SK["us-intelligence-sharing-active"], SAHEL.status, None),)),
    "time span without precision": Breakage(
        "sk:year-2023", "Time span", remove=((SK["year-2023"], SAHEL.timePrecision, None),)),
    "source with a bad sha256": Breakage(
        "<https://sahel-kg.example.org/source/us-sahel-quiet-ties>", "Source document",
        remove=((SOURCE, SAHEL.sha256, None),), add=((SOURCE, SAHEL.sha256, Literal("not-a-checksum")),)),
    "strength without personnel": Breakage(
        "sk:aes-joint-force-strength-2025", "Strength measurement",
        remove=((SK["aes-joint-force-strength-2025"], SAHEL.personnel, None),)),
    "quote without exact text": Breakage(f"<{QUOTE}>", "Quote", remove=((QUOTE, OA.exact, None),)),
    "position without end": Breakage(f"<{POSITION}>", "Position", remove=((POSITION, OA.end, None),)),
    "position with a negative start": Breakage(
        f"<{POSITION}>", "Position", remove=((POSITION, OA.start, None),),
        add=((POSITION, OA.start, Literal(-1)),)),
}


def broken_dataset(dataset: Dataset, breakage: Breakage) -> Dataset:
    copy = copy_dataset(dataset)
    for pattern in breakage.remove:
        matches = list(copy.quads((*pattern, None)))
        assert matches, f"nothing to remove for {pattern}"
        for quad in matches:
            copy.remove(quad)
    provenance = named_graph(copy, "provenance")
    for triple in breakage.add:
        provenance.add(triple)
    return copy


def write_trig(dataset: Dataset, path):
    dataset.serialize(path, format="trig")
    return path


def test_the_shipped_data_conforms():
    result = run_kg("validate")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""
    assert "conforms" in result.stderr


def test_a_file_of_the_shipped_data_conforms(tmp_path, built):
    """The baseline for the broken files below: writing and reading TriG breaks nothing."""
    result = run_kg("validate", write_trig(copy_dataset(built.dataset), tmp_path / "dataset.trig"))
    assert result.exit_code == 0, result.stdout
    assert "conforms" in result.stderr


@pytest.mark.parametrize("breakage", BREAKAGES.values(), ids=BREAKAGES.keys())
def test_each_shape_catches_its_breakage(tmp_path, built, breakage):
    path = write_trig(broken_dataset(built.dataset, breakage), tmp_path / "broken.trig")
    result = run_kg("validate", path)
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines()
             if line.endswith(f"[{breakage.shape}]") and f" {breakage.focus}" in line]
    assert lines, result.stdout
    assert all(line.startswith("Violation: ") for line in lines)
    assert result.stderr.strip().endswith("violation(s)")


def test_validate_reads_n_quads(tmp_path, built):
    breakage = BREAKAGES["time span without precision"]
    path = tmp_path / "broken.nq"
    broken_dataset(built.dataset, breakage).serialize(path, format="nquads")
    result = run_kg("validate", path)
    assert result.exit_code == 1
    assert "Violation: sk:year-2023 sahel:timePrecision: a time span needs its precision [Time span]" in result.stdout


def test_a_dash_reads_standard_input_in_the_format_given_as_kg_load_does(tmp_path, built):
    """`kg validate -` said "File '-' does not exist", where `kg load -` reads standard input (with --format)."""
    from click.testing import CliRunner

    from kg.cli import main

    path = tmp_path / "broken.nq"
    broken_dataset(built.dataset, BREAKAGES["time span without precision"]).serialize(path, format="nquads")

    def validate(*args: str):
        return CliRunner().invoke(main, ["validate", *args], input=path.read_bytes(), catch_exceptions=False)

    result = validate("-", "--format", "nquads")
    assert result.exit_code == 1, result.stderr
    assert "Violation: sk:year-2023 sahel:timePrecision: a time span needs its precision [Time span]" in result.stdout
    unnamed = validate("-")
    assert unnamed.exit_code == 2 and "standard input (-) has no name to tell its format: give --format" in \
        unnamed.stderr
    wrong = validate("-", "--format", "trig")
    assert wrong.exit_code == 1 and wrong.stderr.startswith("error: standard input:1:"), wrong.stderr
    assert wrong.stderr.rstrip().endswith("it reads as N-Quads: give --format nquads")
    named = run_kg("validate", "--format", "nquads", path.rename(tmp_path / "dataset.data"))  # a file's too
    assert named.exit_code == 1 and "[Time span]" in named.stdout, named.stderr
    assert run_kg("validate", "--format", "trig").exit_code == 2  # no file for it to say the format of


def test_a_file_that_does_not_parse(tmp_path):
    path = tmp_path / "broken.trig"
    path.write_text("<a> <b> .\n", encoding="utf-8")
    result = run_kg("validate", path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path}:1:")  # file:line:column
    assert "not valid TriG:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name, data, said", [
    ("quads.nt", b"<http://e/a> <http://e/b> <http://e/c> <http://e/g> .\n", "it reads as N-Quads: name the file .nq"),
    ("prefixed.nt", b"@prefix e: <http://e/> .\ne:a e:b e:c .\n", "it reads as Turtle: name the file .ttl"),
    ("data.ttl", b'{"@id": "http://e/a", "http://e/b": "c"}', "it reads as JSON-LD, which kg validate does not read"),
], ids=["n-quads", "turtle", "json-ld"])
def test_a_file_named_for_another_format_says_what_it_reads_as(tmp_path, name, data, said):
    path = tmp_path / name
    path.write_bytes(data)
    result = run_kg("validate", path)
    assert result.exit_code == 1 and result.stderr.rstrip().endswith(said), result.stderr


@pytest.mark.parametrize("name, data", [
    ("relative.ttl", b'<s> <http://e/p> "o" .\n'), ("relative.nt", b'<s> <http://e/p> "o" .\n'),
    ("blank.ttl", b"[] <http://e/p> 1 .\n<http://e/s> <http://e/p> oops .\n"),
], ids=["relative turtle", "relative n-triples", "turtle opening with []"])
def test_a_file_that_fails_in_every_format_is_named_for_none(tmp_path, name, data):
    """kg validate reads no base: a relative IRI was read against a made-up one ("it reads as TriG", which fails
    too), and Turtle's [] was taken for JSON."""
    path = tmp_path / name
    path.write_bytes(data)
    result = run_kg("validate", path)
    assert result.exit_code == 1 and "reads as" not in result.stderr, result.stderr


def test_a_byte_that_is_no_utf8_is_named(tmp_path):
    path = tmp_path / "latin1.trig"
    path.write_bytes(b'<http://example.org/a> <http://example.org/p> "caf\xe9" .\n')
    result = run_kg("validate", path)
    assert result.exit_code == 1
    assert result.stderr == f"error: {path}:1:51: not valid TriG: not UTF-8: byte 0xe9 cannot be decoded\n"


@pytest.mark.parametrize("name", ["dataset.trig", "dataset.nq.gz"])
def test_a_file_starting_with_a_byte_order_mark_validates(tmp_path, built, name):
    """Editors on Windows save one; both parsers (pyoxigraph, rdflib) get the data without it."""
    path = tmp_path / name
    built.dataset.serialize(path.with_suffix(""), format="trig" if name.endswith(".trig") else "nquads")
    data = b"\xef\xbb\xbf" + path.with_suffix("").read_bytes()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    result = run_kg("validate", path)
    assert result.exit_code == 0, result.stderr
    assert "conforms" in result.stderr


def test_a_literal_that_is_no_value_of_its_datatype_is_a_violation_without_a_traceback(tmp_path):
    """No shape covers every property, so each literal is checked against its datatype too; rdflib's own
    warnings about such literals (each with a traceback) are not shown."""
    path = tmp_path / "ill-typed.nq"
    xsd = "http://www.w3.org/2001/XMLSchema#"
    path.write_text(f'<http://e.org/a> <http://e.org/p> "yesterday"^^<{xsd}date> <http://e.org/g> .\n'
                    f'<http://e.org/a> <http://e.org/q> "many"^^<{xsd}nonNegativeInteger> <http://e.org/g> .\n'
                    f'<http://e.org/a> <http://e.org/r> "maybe"^^<{xsd}boolean> <http://e.org/g> .\n'
                    f'<http://e.org/a> <http://e.org/s> "-0044-03-15"^^<{xsd}date> <http://e.org/g> .\n'  # XSD 1.1
                    f'<http://e.org/a> <http://e.org/s> "10000-01-01"^^<{xsd}date> <http://e.org/g> .\n'  # both valid
                    f'<http://e.org/a> <http://e.org/t> "2025-13-01T00:00:00"^^<{xsd}dateTime> <http://e.org/g> .\n'
                    f'<http://e.org/a> <http://e.org/t> "2025-12-01T24:00:00Z"^^<{xsd}dateTime> <http://e.org/g> .\n',
                    encoding="utf-8")
    result = run_kg("validate", path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stdout.splitlines() == [
        'Violation: <http://e.org/a> <http://e.org/p>: "yesterday" is not a valid xsd:date [datatype]',
        'Violation: <http://e.org/a> <http://e.org/q>: "many" is not a valid xsd:nonNegativeInteger [datatype]',
        'Violation: <http://e.org/a> <http://e.org/r>: "maybe" is not a valid xsd:boolean [datatype]',
        'Violation: <http://e.org/a> <http://e.org/t>: "2025-13-01T00:00:00" is not a valid xsd:dateTime [datatype]']
    assert "Warning" not in result.stderr  # rdflib's own, about the same literals


def test_a_term_past_the_parsers_limit_is_an_error_not_a_traceback(tmp_path):
    path = tmp_path / "huge.nq"
    path.write_bytes(b'<http://e.org/a> <http://e.org/p> "' + b"x" * (17 << 20) + b'" <http://e.org/g> .\n')
    result = run_kg("validate", path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "longer than the RDF parser's limit of 16 MiB" in result.stderr


def test_a_store_export_validates_gzipped_too(tmp_path):
    """What the store gives back (integer offsets as xsd:integer, gzipped TriG) is still valid."""
    export = tmp_path / "dump.trig.gz"
    assert run_kg("export", "-o", export).exit_code == 0  # the default store, installed on first use
    result = run_kg("validate", export)
    assert result.exit_code == 0, result.stdout


def test_validate_builds_from_another_claims_file(tmp_path):
    claims_file = broken_claims(tmp_path, "valid: year-2023", "valid: year-1999", claim="aes-formed-2023")
    result = run_kg("validate", "--claims", claims_file)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {claims_file}:")
    assert "valid 'year-1999' is not one of the declared times" in result.stderr


@pytest.mark.parametrize("name, shown", [
    ("bad.ttl", "Turtle"), ("bad.nt", "N-Triples"), ("bad.nq.gz", "N-Quads"), ("bad.trig", "TriG"),
    ("bad.txt", "TriG (what a name ending in none of .trig, .nq, .nquads, .ttl, .turtle, .nt is read as)")])
def test_a_syntax_error_names_the_format_the_file_was_read_as(tmp_path, name, shown):
    path = tmp_path / name
    data = b"<http://e.org/a> <http://e.org/b> .\n"
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    result = run_kg("validate", path)
    assert result.exit_code == 1 and result.stderr.startswith(f"error: {path}:1:")
    assert f": not valid {shown}: " in result.stderr


def test_a_turtle_file_is_read_as_turtle(tmp_path, built):
    path = tmp_path / "dataset.ttl"
    built.dataset.serialize(path, format="trig")  # named graphs: TriG, which Turtle is not
    result = run_kg("validate", path)
    assert result.exit_code == 1 and "not valid Turtle" in result.stderr


def test_violations_in_a_file_without_named_graphs_say_that_it_has_none(tmp_path, built):
    """A build written as Turtle (before kg build refused it) gave 32 violations, each claim's graph empty, and
    nothing said why."""
    path = tmp_path / "dataset.nt"
    triples = Graph()
    for s, p, o, _ in built.dataset.quads():
        triples.add((s, p, o))
    triples.serialize(path, format="nt", encoding="utf-8")
    result = run_kg("validate", path)
    assert result.exit_code == 1 and "note: N-Triples holds no named graphs" in result.stderr, result.stderr[-500:]


@pytest.mark.parametrize("text", ["", "<http://e.org/a> <http://e.org/b> <http://e.org/c> .\n"], ids=["empty", "other"])
def test_a_file_the_shapes_target_nothing_in_is_said_to_be_unchecked(tmp_path, text):
    path = tmp_path / "data.ttl"
    path.write_text(text, encoding="utf-8")
    result = run_kg("validate", path)
    assert result.exit_code == 0
    assert result.stderr.startswith("conforms, but no node was checked: the data holds nothing the shapes target (")
    assert "Claim" in result.stderr


def test_a_conforming_dataset_says_how_many_nodes_were_checked():
    result = run_kg("validate")
    assert result.exit_code == 0
    said = result.stderr.strip()
    assert said.startswith("conforms: no SHACL violations in the ") and said.endswith(" node(s) the shapes checked")
    assert int(said.split()[6]) > 100


TRIPLE = b"<http://e.org/a> <http://e.org/b> <http://e.org/c> .\n"


@pytest.mark.parametrize("name, data, said", [
    # gzipped under a name without .gz: kg load read it, validate called its first byte a syntax error
    ("hidden.nt", gzip.compress(TRIPLE), None),
    # cut short: click said a bare "Aborted!" for the EOFError, naming nothing
    ("cut.nt.gz", gzip.compress(TRIPLE)[:12], "cut.nt.gz: cannot read the file: "),
    # named .gz but plain: the error named no file
    ("plain.nt.gz", TRIPLE, "plain.nt.gz: cannot read the file: Not a gzipped file"),
    ("twice.nt.gz", gzip.compress(gzip.compress(TRIPLE)), "twice.nt.gz: gzipped twice: unpack it once (gunzip)"),
], ids=["unnamed", "cut", "plain", "twice"])
def test_gzip_is_read_as_kg_load_reads_it(tmp_path, name, data, said):
    path = tmp_path / name
    path.write_bytes(data)
    result = run_kg("validate", path)
    if said is None:
        assert result.exit_code == 0 and result.stderr.startswith("conforms, but no node was checked"), result.stderr
    else:
        assert result.exit_code == 1 and result.stderr.startswith(f"error: {tmp_path}/{said}"), result.stderr


def test_gzip_on_standard_input_is_read():
    from click.testing import CliRunner

    from kg.cli import main

    result = CliRunner().invoke(main, ["validate", "-", "--format", "ntriples"], input=gzip.compress(TRIPLE),
                                catch_exceptions=False)
    assert result.exit_code == 0 and result.stderr.startswith("conforms, but no node was checked"), result.stderr


@pytest.mark.parametrize("name, data, said", [
    ("rel.ttl", b"<http://e.org/a> <http://e.org/b> <c> .\n",
     "rel.ttl:1:35: not valid Turtle: a relative IRI (it has no scheme, such as http:), and no base IRI was given "
     "to resolve it against: declare one in the file (@base <http://…/>) or write the IRI whole"),
    ("rel.nq", b"<a> <http://e.org/b> <http://e.org/c> <http://e.org/g> .\n",
     "rel.nq:1:1: not valid N-Quads: a relative IRI (it has no scheme, such as http:): N-Triples and N-Quads take "
     "only absolute IRIs"),
], ids=["turtle", "nquads"])
def test_a_relative_iri_is_called_so(tmp_path, name, data, said):
    """Said in pyoxigraph's words, "No scheme found in an absolute IRI", of an IRI that is relative."""
    path = tmp_path / name
    path.write_bytes(data)
    result = run_kg("validate", path)
    assert result.exit_code == 1 and result.stderr == f"error: {tmp_path}/{said}\n", result.stderr
