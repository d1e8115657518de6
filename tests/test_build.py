"""`kg build`: the same bytes in every process, every format reads back, one graph per claim, the
article kept verbatim, nothing written when a claim is broken, and a base IRI that moves everything."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from build_fixtures import (ARTICLE_SHA256, ARTICLE_TEXT, EXTRA_GRAPHS, SHARED_SOURCE, SHIPPED_CLAIMS, broken_claims,
                            built, claim_graph, copy_inputs, line_of, named_graph, run_kg, run_kg_process)
from kg import paths
from kg.build import FORMATS, Inputs, build
from kg.errors import ClaimError, ParseError
from kg.namespaces import DEFAULT_BASE, OA, SAHEL, SCHEMA, SK, VANN, claim_iri, graph_iri, source_iri
from kg.validate import union

__all__ = ["built"]  # a fixture

SOURCE = URIRef(source_iri("us-sahel-quiet-ties"))
CLAIM_IDS = [claim["id"] for claim in SHIPPED_CLAIMS]
SUMMARY = re.compile(r"built (\d+) claims: (\d+) quads \((\d+) distinct triples\) in (\d+) graphs")
RDFLIB_FORMAT = {"trig": "trig", "nquads": "nquads", "jsonld": "json-ld"}


def build_file(tmp_path, fmt: str, *options) -> bytes:
    out = tmp_path / f"dataset.{fmt}"
    result = run_kg("build", "--format", fmt, "--out", out, *options)
    assert result.exit_code == 0, result.stderr
    return out.read_bytes()


def read_back(data: bytes, fmt: str):
    return Dataset().parse(data=data, format=RDFLIB_FORMAT[fmt])


def quads(dataset: Dataset) -> set[tuple]:
    return {(s, p, o, g) for s, p, o, g in dataset.quads()}


@pytest.fixture(scope="module")
def nquads(tmp_path_factory) -> Dataset:
    """The N-Quads `kg build` writes, read back."""
    return read_back(build_file(tmp_path_factory.mktemp("nquads"), "nquads"), "nquads")


# --- determinism and formats ------------------------------------------------------------------

def test_two_processes_write_the_same_bytes(tmp_path):
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed-{seed}.nq"
        finished = run_kg_process("build", "--format", "nquads", "--out", out, hash_seed=seed)
        assert finished.returncode == 0, finished.stderr.decode()
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n") > 1000


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reads_back_with_every_triple(tmp_path, built, fmt):
    parsed = read_back(build_file(tmp_path, fmt), fmt)
    assert quads(parsed) == quads(built.dataset)
    assert len(quads(parsed)) > len(union(built.dataset))  # some triples are in several graphs


@pytest.mark.parametrize("name, fmt", [("out.nq", "nquads"), ("out.jsonld", "json-ld"), ("out.trig", "trig")])
def test_the_out_files_name_says_its_format(tmp_path, name, fmt):
    """`--out x.nq` wrote TriG, which kg validate then refused as N-Quads."""
    out = tmp_path / name
    assert run_kg("build", "--out", out).exit_code == 0
    assert len(Dataset().parse(out, format=fmt)) > 0


@pytest.mark.parametrize("name, said", [("b.ttl", "Turtle has no named graphs"), ("b.nt", "N-Triples has no named"),
                                        ("b.rdf", "RDF/XML has no named"), ("b.dat", "the name says no format")])
def test_an_out_name_of_a_format_without_graphs_or_of_none_is_bad_usage(tmp_path, name, said):
    """`--out b.ttl` wrote the triples without their 42 graphs, and kg validate then found 32 claims whose
    graphs held nothing; `--out b.dat` wrote TriG under a name no reader would take for it."""
    out = tmp_path / name
    result = run_kg("build", "--out", out)
    assert result.exit_code == 2 and said in result.stderr
    assert "TriG (.trig)" in result.stderr and "N-Quads (.nq)" in result.stderr
    assert not out.exists()


def test_turtle_is_no_build_format(tmp_path):
    result = run_kg("build", "--format", "turtle", "--out", tmp_path / "b.trig")
    assert result.exit_code == 2 and "'turtle' is not one of" in result.stderr


def test_an_out_name_of_another_format_than_format_is_bad_usage(tmp_path):
    out = tmp_path / "out.trig"
    result = run_kg("build", "--format", "nquads", "--out", out)
    assert result.exit_code == 2 and "another format than --format nquads" in result.stderr
    assert not out.exists()


def test_the_summary_line_on_stderr(tmp_path, built):
    result = run_kg("build", "--format", "nquads", "--out", tmp_path / "out.nq")
    assert result.exit_code == 0
    assert result.stdout == ""
    match = SUMMARY.fullmatch(result.stderr.strip())
    assert match, result.stderr
    assert [int(number) for number in match.groups()] == [len(CLAIM_IDS), built.quads, built.triples, built.graphs]
    assert built.graphs == len(CLAIM_IDS) + len(EXTRA_GRAPHS)


def test_the_summary_counts_quads_and_distinct_triples(tmp_path, built):
    """A triple in several graphs (two claims may state it) is one triple but several quads."""
    lines = build_file(tmp_path, "nquads").count(b"\n")
    assert built.quads == lines == len(quads(built.dataset))
    assert built.triples == len(union(built.dataset)) < built.quads
    assert built.summary == (f"built {len(CLAIM_IDS)} claims: {lines} quads ({built.triples} distinct triples) "
                             f"in {built.graphs} graphs")


def test_without_out_the_dataset_goes_to_stdout(built):
    result = run_kg("build", "--format", "nquads")
    assert result.exit_code == 0
    assert quads(read_back(result.stdout_bytes, "nquads")) == quads(built.dataset)


# --- graphs and provenance --------------------------------------------------------------------

def test_one_named_graph_per_claim_named_by_the_claims_iri(nquads):
    names = {graph.identifier for graph in nquads.graphs() if len(graph)}
    expected = {URIRef(claim_iri(claim_id)) for claim_id in CLAIM_IDS}
    assert names == expected | {URIRef(graph_iri(name)) for name in EXTRA_GRAPHS}
    for claim_id in CLAIM_IDS:
        assert (URIRef(claim_iri(claim_id)), RDF.type, SAHEL.Claim) in named_graph(nquads, "provenance")


@pytest.mark.parametrize("claim", SHIPPED_CLAIMS, ids=CLAIM_IDS)
def test_each_claim_has_one_quote_selector_that_matches_the_article(nquads, claim):
    provenance = named_graph(nquads, "provenance")
    node = URIRef(claim_iri(claim["id"]))
    selectors = [selector for annotation in provenance.subjects(OA.hasBody, node)
                 for target in provenance.objects(annotation, OA.hasTarget)
                 for selector in provenance.objects(target, OA.hasSelector)]
    quotes = [s for s in selectors if (s, RDF.type, OA.TextQuoteSelector) in provenance]
    positions = [s for s in selectors if (s, RDF.type, OA.TextPositionSelector) in provenance]
    assert len(quotes) == 1 and len(positions) == 1
    exact = provenance.value(quotes[0], OA.exact)
    start, end = (provenance.value(positions[0], OA[key]).toPython() for key in ("start", "end"))
    assert (str(exact), start, end) == (ARTICLE_TEXT[start:end], claim["start"], claim["end"])
    assert exact == Literal(claim["quote"])


def test_the_claimer_is_credited_with_the_claim_and_the_curator_with_its_reading(nquads):
    """A claim is a prov:Entity only; the reading of its quote is an annotation apart, made by the curator."""
    provenance, inferred = named_graph(nquads, "provenance"), named_graph(nquads, "inferred")
    interpretations = 0
    for claim in SHIPPED_CLAIMS:
        node = URIRef(claim_iri(claim["id"]))
        annotations = list(provenance.subjects(OA.hasBody, node))
        assert annotations == [URIRef(f"{node}#annotation")]
        annotation = annotations[0]
        assert (annotation, RDF.type, OA.Annotation) in provenance
        assert (annotation, OA.hasTarget, URIRef(f"{node}#target")) in provenance
        assert provenance.value(node, DCTERMS.isReferencedBy) == annotation  # so a DESCRIBE of it finds it
        curator = provenance.value(annotation, DCTERMS.creator)
        assert curator == URIRef(f"{DEFAULT_BASE}build/input/claims/us-sahel-quiet-ties.yaml#curator")
        assert str(union(nquads).value(curator, RDFS.label)) == "sahel-kg maintainers"
        assert provenance.value(node, PROV.wasAttributedTo) == SK[claim["claimer"]]
        assert provenance.value(annotation, PROV.wasAttributedTo) is None
        for prop in (OA.hasTarget, OA.motivatedBy, SAHEL.interpretation):
            assert provenance.value(node, prop) is None
        assert (node, RDF.type, OA.Annotation) not in inferred
        interpretations += provenance.value(annotation, SAHEL.interpretation) is not None
    assert interpretations == sum("interpretation" in claim for claim in SHIPPED_CLAIMS) > 0


def test_the_article_text_is_kept_verbatim(nquads):
    text = str(named_graph(nquads, "provenance").value(SOURCE, SCHEMA.text))
    expected = SHARED_SOURCE.read_text(encoding="utf-8") if SHARED_SOURCE.exists() else ARTICLE_TEXT
    assert text == expected
    assert text == ARTICLE_TEXT
    assert "nations’ push" in text and "“Maintaining" in text and "agreements,”" in text  # curly quotes kept
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == ARTICLE_SHA256


def test_the_sha256_literal_matches_the_text(nquads):
    provenance = named_graph(nquads, "provenance")
    text = str(provenance.value(SOURCE, SCHEMA.text))
    assert provenance.value(SOURCE, SAHEL.sha256) == Literal(hashlib.sha256(text.encode("utf-8")).hexdigest())


def test_the_publication_date_is_recorded_as_unknown(nquads):
    provenance = named_graph(nquads, "provenance")
    assert set(provenance.objects(SOURCE, SAHEL.publicationDateKnown)) == {Literal(False)}
    assert not any(nquads.quads((None, DCTERMS.issued, None, None)))
    assert set(provenance.objects(SOURCE, SAHEL.publishedNotBefore)) == {Literal(date(2025, 9, 1))}  # xsd:date


def test_a_known_publication_date_is_recorded(tmp_path):
    """`published:` in the claims file, not the code, says whether the date is known."""
    claims_file = broken_claims(tmp_path, "published: unknown", "published: 2025-10-03")
    provenance = named_graph(build(Inputs(claims=claims_file)).dataset, "provenance")
    assert set(provenance.objects(SOURCE, SAHEL.publicationDateKnown)) == {Literal(True)}
    assert set(provenance.objects(SOURCE, DCTERMS.issued)) == {Literal("2025-10-03", datatype=XSD.date)}


def test_no_blank_nodes_anywhere(nquads):
    assert not [quad for quad in nquads.quads() if any(isinstance(term, BNode) for term in quad)]


@pytest.mark.parametrize("name, fact, source", [
    ("background", (SK.mali, RDF.type, SAHEL.SovereignState), URIRef("http://www.wikidata.org/")),
    ("background-un-sahel", (SK.mali, SCHEMA.containedInPlace, SK.sahel),
     URIRef("https://oses.unmissions.org/background")),
    # the Sahel has no Wikidata item in the identifier table: its being a region is the UN strategy's (helper-207)
    ("background-un-sahel", (SK.sahel, RDF.type, SAHEL.Region), URIRef("https://oses.unmissions.org/background")),
    ("definitions", (SK["us-government"], SAHEL.governmentOf, SK["united-states"]), None),
])
def test_background_facts_are_apart_in_one_graph_per_source(nquads, name, fact, source):
    """One graph held the facts of two sources and the project's own definitions, naming both sources for all
    (helper-92): a reader could not tell which source says what."""
    graph = named_graph(nquads, name)
    assert fact in graph
    provenance = named_graph(nquads, "provenance")
    node = URIRef(graph_iri(name))
    assert list(provenance.objects(node, DCTERMS.source)) == ([source] if source else [])
    assert provenance.value(node, RDFS.label) is not None
    for claim_id in CLAIM_IDS:
        assert not set(graph) & set(claim_graph(nquads, claim_id)), claim_id


# --- a broken claims file writes nothing ------------------------------------------------------

@pytest.fixture
def broken(tmp_path):
    """A claims file whose quote for aes-formed-2023 is one character off, and the line it is on."""
    claims_file = broken_claims(tmp_path, "start: 448\n    end: 471", "start: 449\n    end: 472",
                                claim="aes-formed-2023")
    return claims_file, line_of(claims_file.read_text(encoding="utf-8"), "quote:", claim="aes-formed-2023")


def assert_reports(result, claims_file, line):
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {claims_file}:{line}: claim aes-formed-2023: quote is not verbatim")
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_broken_claims_file_creates_no_output(tmp_path, broken):
    claims_file, line = broken
    out = tmp_path / "out" / "dataset.nq"
    out.parent.mkdir()
    result = run_kg("build", "--claims", claims_file, "--format", "nquads", "--out", out)
    assert_reports(result, claims_file, line)
    assert list(out.parent.iterdir()) == []


def test_a_broken_claims_file_leaves_the_old_output_alone(tmp_path, broken):
    claims_file, line = broken
    out = tmp_path / "out" / "dataset.nq"
    out.parent.mkdir()
    out.write_bytes(b"the previous build\n")
    result = run_kg("build", "--claims", claims_file, "--format", "nquads", "--out", out)
    assert_reports(result, claims_file, line)
    assert out.read_bytes() == b"the previous build\n"
    assert list(out.parent.iterdir()) == [out]


def test_a_broken_claims_file_prints_nothing_on_stdout(broken):
    claims_file, line = broken
    result = run_kg("build", "--claims", claims_file)
    assert_reports(result, claims_file, line)
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["build", "validate"])
def test_a_claims_folder_without_claims_files_is_bad_usage(tmp_path, command):
    """`kg build --claims EMPTY/` exited 1 as a failed build does; a folder with no *.yaml is bad input, exit 2
    and click's usage message, as a --claims path that is not there (or an empty one beside a good one)."""
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no claims\n")
    for args in (["--claims", empty], ["--claims", paths.CLAIMS_FILE, "--claims", empty]):
        result = run_kg(command, *args)
        assert result.exit_code == 2 and "Invalid value for '--claims'" in result.stderr, result.stderr
        assert "holds no claims files (*.yaml)" in result.stderr and "Traceback" not in result.output


def test_build_from_another_claims_file(tmp_path, built):
    """--claims is really read: a good copy of the shipped files builds the same dataset."""
    data = build_file(tmp_path, "nquads", "--claims", copy_inputs(tmp_path))
    assert quads(read_back(data, "nquads")) == quads(built.dataset)


# --- broken inputs other than the claims file (tests/fixtures) ---------------------------------

FIXTURES = Path(__file__).parent / "fixtures"


def build_error(error_type, **inputs):
    with pytest.raises(error_type) as caught:
        build(Inputs(**inputs))
    return caught.value


def test_a_background_file_that_is_not_turtle_names_the_line_plainly():
    path = FIXTURES / "background-bad-syntax.ttl"
    error = build_error(ParseError, background=path)
    assert (error.path, error.line, error.message) == (str(path), 5, "not valid Turtle: objectList expected")


def test_a_missing_full_stop_at_the_end_points_at_the_last_line(tmp_path):
    """rdflib notices it past the last line."""
    path = tmp_path / "background.ttl"
    path.write_text("@prefix sk: <https://sahel-kg.example.org/id/> .\n\nsk:mali sk:x sk:y\n\n", encoding="utf-8")
    error = build_error(ParseError, background=path)
    assert (error.line, error.message) == (3, "not valid Turtle: EOF found after object")


def test_a_blank_node_in_an_input_is_refused():
    path = FIXTURES / "background-blank-node.ttl"
    error = build_error(ParseError, background=path)
    assert (error.path, error.line) == (str(path), 5)
    assert error.message == ("blank nodes are not allowed in build inputs; give the node an IRI "
                             "(in: sk:mali sahel:region [])")


BLANK_NODE_SYNTAX = {  # a blank node on the last line, after text that only looks like one
    "label": "sk:mali sahel:region _:r .",
    "brackets": "sk:mali sahel:region [] .",
    "list": "sk:mali sahel:region ( sk:x ) .",
}


@pytest.mark.parametrize("syntax", BLANK_NODE_SYNTAX.values(), ids=BLANK_NODE_SYNTAX.keys())
def test_a_blank_node_is_found_past_strings_iris_and_comments(tmp_path, syntax):
    path = tmp_path / "background.ttl"
    path.write_text("@prefix sk: <https://sahel-kg.example.org/id/> .\n"
                    "@prefix sahel: <https://sahel-kg.example.org/ontology#> .\n"
                    "# a comment with [brackets] and _:x\n"
                    'sk:mali sahel:label "[not] a (blank) _:node" ; sahel:list () ; sahel:seeAlso <http://a/x> .\n'
                    "sk:a_:b sahel:x '''[\n(x)\n''' .\n"
                    f"{syntax}\n", encoding="utf-8")
    error = build_error(ParseError, background=path)
    assert error.line == 8 and error.message.startswith("blank nodes are not allowed in build inputs")


def test_a_link_with_an_unknown_relation():
    path = FIXTURES / "links-bad-relation.csv"
    error = build_error(ClaimError, links=path)
    assert (error.path, error.line) == (str(path), 3)
    assert error.message.startswith("links: need entity, relation (exactMatch, closeMatch, seeAlso) and target")


# --- another base IRI -------------------------------------------------------------------------

NEW_BASE = "https://example.org/kg/"


def iris(dataset: Dataset) -> set[str]:
    return {str(term) for quad in dataset.quads() for term in quad if isinstance(term, URIRef)}


def test_base_moves_every_project_iri(tmp_path, nquads):
    moved = read_back(build_file(tmp_path, "nquads", "--base", NEW_BASE), "nquads")
    assert not {iri for iri in iris(moved) if iri.startswith(DEFAULT_BASE)}
    expected = {NEW_BASE + iri[len(DEFAULT_BASE):] if iri.startswith(DEFAULT_BASE) else iri
                for iri in iris(nquads)}
    assert iris(moved) == expected
    assert URIRef(graph_iri("background", NEW_BASE)) in {graph.identifier for graph in moved.graphs()}
    assert len(quads(moved)) == len(quads(nquads))


def literals(dataset: Dataset) -> set[tuple]:
    return {(s, p, o) for s, p, o, _ in dataset.quads() if isinstance(o, Literal)}


def test_base_moves_the_preferred_namespace_literal_and_no_other(tmp_path, nquads):
    moved = read_back(build_file(tmp_path, "nquads", "--base", NEW_BASE), "nquads")
    namespace = [o for _, _, o, _ in moved.quads((None, VANN.preferredNamespaceUri, None, None))]
    assert namespace == [Literal(NEW_BASE + "ontology#")]
    unchanged = {o for _, p, o in literals(moved) if p != VANN.preferredNamespaceUri}
    assert unchanged == {o for _, p, o in literals(nquads) if p != VANN.preferredNamespaceUri}


@pytest.mark.parametrize("fmt", ["trig", "jsonld"])
def test_base_leaves_no_default_iri_in_any_format(tmp_path, fmt):
    parsed = read_back(build_file(tmp_path, fmt, "--base", NEW_BASE), fmt)
    triples = (quad[:3] for quad in parsed.quads())
    assert not [t for t in triples if any(isinstance(x, URIRef) and x.startswith(DEFAULT_BASE) for x in t)]


def test_the_articles_text_says_it_is_not_under_the_projects_licence(nquads):
    """The dataset's licence seemed to cover the article held verbatim (helper-92)."""
    rights = named_graph(nquads, "provenance").value(SOURCE, DCTERMS.rights)
    assert rights is not None and "publisher" in str(rights)
