"""The shapes catch each kind of fault a reviewer slipped into a built dataset: a few N-Quads appended to
`kg build --format nquads` output (or a claim's graph taken out), and `kg validate FILE` must name the fault."""

from __future__ import annotations

import pytest

from build_fixtures import built, run_kg
from kg.namespaces import claim_iri

__all__ = ["built"]  # a fixture

BASE = "https://sahel-kg.example.org/"
SAHEL, SK = f"{BASE}ontology#", f"{BASE}id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROVENANCE, LINKS, CLAIM_GRAPH = f"<{BASE}graph/provenance>", f"<{BASE}graph/links>", f"<{claim_iri('turkey-support')}>"
CLAIM = claim_iri("aes-formed-2023")
QUOTE = f"{CLAIM}#quote"


def quad(subject: str, predicate: str, obj: str, graph: str = PROVENANCE) -> str:
    return f"{subject} {predicate} {obj} {graph} .\n"


def date(text: str) -> str:
    return f'"{text}"^^<{XSD}date>'


def span(bound: str, value: str, other: str, other_value: str) -> str:
    """A new time span, well formed but for the order of its two bounds."""
    node = f"<{SK}test-span>"
    return (quad(node, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{SAHEL}TimeSpan>")
            + quad(node, f"<{SAHEL}timePrecision>", f"<{SAHEL}YearPrecision>")
            + quad(node, f"<{SAHEL}{bound}>", date(value)) + quad(node, f"<{SAHEL}{other}>", date(other_value)))


@pytest.fixture(scope="module")
def nquads(built) -> list[str]:
    """The built dataset as N-Quads lines, as `kg build --format nquads` writes it."""
    return built.dataset.serialize(format="nquads").splitlines(keepends=True)


def validate_with(lines: list[str], tmp_path, extra: str, *, without_graph: str | None = None):
    """`kg validate` on the built dataset's N-Quads with `extra` appended (and one graph left out)."""
    path = tmp_path / "dataset.nq"
    kept = [line for line in lines if not (without_graph and line.rstrip().endswith(f"{without_graph} ."))]
    assert len(kept) < len(lines) or not without_graph  # the graph to leave out was there
    path.write_text("".join(kept) + extra, encoding="utf-8")
    return run_kg("validate", path)


def assert_caught(result, *expected: str) -> None:
    assert result.exit_code == 1, result.stdout
    for line in expected:
        assert any(line in found for found in result.stdout.splitlines()), f"{line!r} not in\n{result.stdout}"


def test_the_built_dataset_conforms(nquads, tmp_path):
    result = validate_with(nquads, tmp_path, "")
    assert result.exit_code == 0, result.stdout
    assert "conforms" in result.stderr


SPANS = {
    "ends before it starts": (span("startsNotBefore", "2024-06-01", "endsNotAfter", "2023-12-31"),
                              "sk:test-span sahel:startsNotBefore: a time span's earliest start is after its latest "
                              "start or its latest end [Time span]"),
    "latest start before the earliest": (span("startsNotBefore", "2024-06-01", "startsNotAfter", "2024-01-01"),
                                         "sk:test-span sahel:startsNotBefore: a time span's earliest start"),
    "latest end before the earliest": (span("endsNotBefore", "2024-06-01", "endsNotAfter", "2024-01-01"),
                                       "sk:test-span sahel:endsNotBefore: a time span's earliest end is after its "
                                       "latest end [Time span]"),
}


@pytest.mark.parametrize("extra, message", SPANS.values(), ids=SPANS.keys())
def test_a_time_span_whose_bounds_are_out_of_order(nquads, tmp_path, extra, message):
    assert_caught(validate_with(nquads, tmp_path, extra), message)


def test_a_source_published_before_its_earliest_date(nquads, tmp_path):
    source = f"<{BASE}source/us-sahel-quiet-ties>"
    extra = quad(source, "<http://purl.org/dc/terms/issued>", date("1999-01-01"))
    assert_caught(validate_with(nquads, tmp_path, extra), "a source's earliest publication date is after its latest "
                                                         "or its date [Source document]")


CODES = {  # property, subject, a concept of another scheme, the scheme the property takes
    "certainty": (f"<{CLAIM}>", "Ceased", "CertaintyLevels"),
    "status": (f"<{SK}us-intelligence-sharing-active>", "Likely", "Statuses"),
    "relationshipType": (f"<{SK}us-intelligence-sharing>", "Active", "RelationshipTypes"),
    "timePrecision": (f"<{SK}year-2023>", "Forecast", "TimePrecisions"),
}


@pytest.mark.parametrize("name", CODES)
def test_a_value_from_the_wrong_code_list(nquads, tmp_path, name):
    subject, concept, scheme = CODES[name]
    result = validate_with(nquads, tmp_path, quad(subject, f"<{SAHEL}{name}>", f"<{SAHEL}{concept}>"))
    assert_caught(result, f"sahel:{name}: must be a concept of the {scheme} scheme [Code list]")


AGENTS = {  # subject, property, value, message
    "member as text": (f"<{SK}aes-membership-mali>", "<http://www.w3.org/ns/org#member>", '"Mali"',
                       "org:member: a member must be an agent"),
    "provider as text": (f"<{SK}us-intelligence-sharing>", f"<{SAHEL}provider>", '"Moscow"',
                         "sahel:provider: a provider must be an agent"),
    "recipient a region": (f"<{SK}us-intelligence-sharing>", f"<{SAHEL}recipient>", f"<{SK}sahel>",
                           "sahel:recipient: a recipient must be an agent"),
    "claimer as text": (f"<{CLAIM}>", "<http://www.w3.org/ns/prov#wasAttributedTo>", '"the article"',
                        "prov:wasAttributedTo: what something is attributed to must be a prov:Agent"),
}


@pytest.mark.parametrize("subject, predicate, value, message", AGENTS.values(), ids=AGENTS.keys())
def test_something_else_where_an_agent_belongs(nquads, tmp_path, subject, predicate, value, message):
    assert_caught(validate_with(nquads, tmp_path, quad(subject, predicate, value, CLAIM_GRAPH)), message)


def test_a_region_typed_as_an_agent_by_a_range(nquads, tmp_path):
    """Rebuilt, a region given as a recipient is typed foaf:Agent by the range rule; that is caught too."""
    extra = quad(f"<{SK}sahel>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
                 "<http://xmlns.com/foaf/0.1/Agent>", f"<{BASE}graph/inferred>")
    assert_caught(validate_with(nquads, tmp_path, extra), "sk:sahel: a region is a place, not an agent")


@pytest.mark.parametrize("part", ["prefix", "suffix"])
def test_a_quote_with_the_wrong_context(nquads, tmp_path, part):
    extra = quad(f"<{QUOTE}>", f"<http://www.w3.org/ns/oa#{part}>", '"words the article does not have there"')
    assert_caught(validate_with(nquads, tmp_path, extra),
                  f"<{CLAIM}> oa:{part}: the quote's http://www.w3.org/ns/oa#{part} is not the article's text next to "
                  "the quote [Claim]")


def test_a_source_text_that_its_digest_does_not_match(nquads, tmp_path):
    source = f"<{BASE}source/us-sahel-quiet-ties>"
    extra = quad(source, "<https://schema.org/text>", '"Another text."')
    assert_caught(validate_with(nquads, tmp_path, extra),
                  f"{source}: sahel:sha256 is not the SHA-256 of the document's schema:text [Text digest]")


COUNTS = {"personnel": (f"{SK}aes-joint-force-strength-2025", "a personnel count cannot be negative"),
          "fatalities": (f"{BASE}event/test", "an event's fatalities are one count of at least 0")}


@pytest.mark.parametrize("predicate", COUNTS)
def test_a_negative_count(nquads, tmp_path, predicate):
    subject, message = COUNTS[predicate]
    extra = quad(f"<{subject}>", f"<{SAHEL}{predicate}>", f'"-5000"^^<{XSD}integer>')
    shown = subject.replace(SK, "sk:") if subject.startswith(SK) else f"<{subject}>"
    assert_caught(validate_with(nquads, tmp_path, extra), f"{shown} sahel:{predicate}: {message}")


EMPTY = "a claim's named graph (its IRI) holds no triple: the claim states nothing [Claim]"


def test_a_claim_whose_graph_is_empty(nquads, tmp_path):
    result = validate_with(nquads, tmp_path, "", without_graph=f"<{CLAIM}>")
    assert_caught(result, f"<{CLAIM}> <{BASE}shapes#graphTriples>: {EMPTY}")


def test_a_new_claim_without_a_graph(nquads, tmp_path):
    ghost = claim_iri("no-such-claim")
    extra = quad(f"<{ghost}>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{SAHEL}Claim>")
    assert_caught(validate_with(nquads, tmp_path, extra), f"<{ghost}> <{BASE}shapes#graphTriples>: {EMPTY}")


def test_a_claim_derived_from_another_source_than_its_quote(nquads, tmp_path):
    other = f"<{BASE}source/another-article>"
    extra = (quad(f"<{CLAIM}>", "<http://www.w3.org/ns/prov#wasDerivedFrom>", other)
             + quad(other, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{SAHEL}SourceDocument>"))
    assert_caught(validate_with(nquads, tmp_path, extra),
                  f"<{CLAIM}> ^oa:hasBody / oa:hasTarget / oa:hasSource: a claim's prov:wasDerivedFrom is not the source its "
                  "quote is in (oa:hasSource) [Claim]")


def link_record(node: str, predicate: str, target: str, status: str | None) -> str:
    """A link record of sk:mali, with a status unless `status` is None."""
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    parts = [(f"<{rdf}type>", f"<{SAHEL}LinkRecord>"), (f"<{rdf}subject>", f"<{SK}mali>"),
             (f"<{rdf}predicate>", predicate), (f"<{rdf}object>", target),
             ("<http://purl.org/dc/terms/source>", '"a source"'),
             ("<http://purl.org/dc/terms/date>", date("2025-01-01"))]
    if status:
        parts.append((f"<{SAHEL}linkStatus>", f"<{SAHEL}{status}>"))
    return "".join(quad(f"<{node}>", p, o, LINKS) for p, o in parts)


def test_a_link_record_without_status(nquads, tmp_path):
    node = f"{BASE}link/mali/wikidata/Q1"
    extra = link_record(node, "<http://www.w3.org/2004/02/skos/core#closeMatch>", "<http://www.wikidata.org/entity/Q1>",
                        None)
    assert_caught(validate_with(nquads, tmp_path, extra),
                  f"<{node}> sahel:linkStatus: a link record needs exactly one status [Link record]")


EXACT = "<http://www.w3.org/2004/02/skos/core#exactMatch>"


@pytest.mark.parametrize("relation", ["skos:exactMatch", "skos:closeMatch", "rdfs:seeAlso", "owl:sameAs"])
def test_a_link_without_a_link_record(nquads, tmp_path, relation):
    namespace = {"skos": "http://www.w3.org/2004/02/skos/core#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                 "owl": "http://www.w3.org/2002/07/owl#"}[relation.split(":")[0]]
    extra = quad(f"<{SK}mali>", f"<{namespace}{relation.split(':')[1]}>", "<http://www.wikidata.org/entity/Q1>", LINKS)
    message = "owl:sameAs without a verified skos:exactMatch link record" if relation == "owl:sameAs" else \
        "a link to another dataset has no link record (or only a rejected one)"
    assert_caught(validate_with(nquads, tmp_path, extra), f"sk:mali {relation}: {message} [Stated link]")


def test_an_exact_match_whose_record_is_not_verified(nquads, tmp_path):
    node, target = f"{BASE}link/mali/wikidata/Q1", "<http://www.wikidata.org/entity/Q1>"
    extra = link_record(node, EXACT, target, "LinkCandidate") + quad(f"<{SK}mali>", EXACT, target, LINKS)
    assert_caught(validate_with(nquads, tmp_path, extra),
                  f"<{node}>: only a verified link (or an exact name match) may be stated with skos:exactMatch")


def test_a_claims_link_to_an_annotation_that_does_not_read_it(nquads, tmp_path):
    extra = quad(f"<{CLAIM}>", "<http://purl.org/dc/terms/isReferencedBy>", f"<{BASE}id/other-reading>")
    assert_caught(validate_with(nquads, tmp_path, extra),
                  f"<{CLAIM}> ^oa:hasBody: a claim's dct:isReferencedBy is not the annotation whose body it is")


def test_a_claim_read_by_two_annotations_and_an_annotation_of_no_claim(nquads, tmp_path):
    second, stray = f"<{CLAIM}#second-reading>", f"<{BASE}id/stray-annotation>"
    oa, rdf_type = "http://www.w3.org/ns/oa#", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    extra = (quad(second, rdf_type, f"<{oa}Annotation>") + quad(second, f"<{oa}hasBody>", f"<{CLAIM}>")
             + quad(second, f"<{oa}hasTarget>", f"<{CLAIM}#target>")
             + quad(stray, rdf_type, f"<{oa}Annotation>") + quad(stray, f"<{oa}hasBody>", f"<{SK}mali>"))
    assert_caught(validate_with(nquads, tmp_path, extra),
                  f"<{CLAIM}> ^oa:hasBody: a claim needs exactly one annotation reading it from its quote",
                  "sk:stray-annotation oa:hasBody: an annotation needs exactly one body, a claim",
                  "sk:stray-annotation oa:hasTarget: an annotation needs exactly one target")
