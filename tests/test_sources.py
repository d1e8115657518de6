"""More than one source: the invented second article (tests/fixtures/second-article) built beside the
shipped claims, each article in its own graphs, and the questions about agreeing and disagreeing sources."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from build_fixtures import (SECOND_CLAIMS_FILE, SHIPPED_CLAIMS, TWO_ARTICLES, built, copy_inputs, run_kg,
                            two_articles)
from kg.build import Inputs, build
from kg.errors import ClaimError
from kg.namespaces import claim_iri, source_iri
from kg.paths import CLAIMS_DIR, QUERIES_DIR
from kg.publish import install
from kg.query import QueryService
from kg.store import open_store
from test_queries import run

__all__ = ["built", "two_articles"]  # fixtures

SECOND = "https://sahel-kg.example.org/source/sahel-patrols-invented"
FIRST = "https://sahel-kg.example.org/source/us-sahel-quiet-ties"
SECOND_CLAIMS = ["patrols-aes-formed", "patrols-aes-members", "patrols-joint-force-strength",
                 "patrols-russia-equipment", "patrols-us-intelligence-forecast"]


@pytest.fixture(scope="module")
def service():
    with open_store("memory:") as store:
        install(store, build(TWO_ARTICLES))
        yield QueryService(store)


def ask(service, name):
    return run(service, (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8"))


def test_the_shipped_build_has_no_invented_claim(built):
    names = {str(graph.identifier) for graph in built.dataset.graphs()}
    assert not [claim for claim in SECOND_CLAIMS if claim_iri(claim) in names]
    assert not any(built.dataset.quads((URIRef(SECOND), None, None, None)))


def test_each_article_has_its_own_claim_graphs(two_articles):
    provenance = {claim: {str(o) for _, _, o, _ in two_articles.dataset.quads(
        (URIRef(claim_iri(claim)), URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), None, None))}
        for claim in SECOND_CLAIMS + ["aes-members"]}
    assert provenance == {**{claim: {SECOND} for claim in SECOND_CLAIMS}, "aes-members": {FIRST}}
    assert two_articles.claims == len(SHIPPED_CLAIMS) + len(SECOND_CLAIMS)


def test_kg_build_takes_several_claims_files_and_folders(tmp_path):
    out = tmp_path / "two.nq"
    result = run_kg("build", "--claims", CLAIMS_DIR, "--claims", SECOND_CLAIMS_FILE, "--format", "nquads",
                    "--out", out)
    assert result.exit_code == 0, result.stderr
    assert f"<{claim_iri('patrols-aes-formed')}>".encode() in out.read_bytes()
    assert result.stderr.startswith("built 37 claims")


def test_a_name_declared_by_two_claims_files_is_refused(tmp_path):
    """Claimers and time spans are shared names: a second file may not declare one again."""
    copy = copy_inputs(tmp_path)  # the shipped claims under another folder: the same article id and names
    with pytest.raises(ClaimError) as raised:
        build(Inputs(claims=(CLAIMS_DIR, copy)))
    assert "is also declared in" in raised.value.message


def test_which_claims_another_source_also_makes(service):
    assert ask(service, "sources-agreeing") == [
        ("claim:patrols-aes-formed", "Mali, Niger and Burkina Faso formed the Alliance of Sahel States in 2023.",
         "claim:aes-formed-2023", "The AES, formed in 2023", "1"),
        ("claim:patrols-aes-members", "Mali, Niger and Burkina Faso formed the Alliance of Sahel States in 2023.",
         "claim:aes-members", "the Alliance of Sahel States (AES) composed of Mali, Niger, and Burkina Faso", "6"),
        ("claim:patrols-joint-force-strength",
         "The alliance's joint force numbered about 3,000 troops when it was inaugurated in late 2025, according "
         "to an alliance spokesperson.",
         "claim:joint-force-inaugurated", "AES member states inaugurated a 5,000-strong joint military force in "
         "late 2025", "1"),
        ("claim:patrols-russia-equipment", "Russia continues to supply military equipment to the three states.",
         "claim:russia-support", "Russia and Turkey have expanded support to AES countries, supplying military "
         "equipment and diplomatic backing.", "5"),
    ]


def test_which_claims_only_one_source_makes(service):
    rows = ask(service, "single-source-claims")
    shared = {"aes-formed-2023", "aes-members", "joint-force-inaugurated", "russia-support"} | \
        {"patrols-aes-formed", "patrols-aes-members", "patrols-joint-force-strength", "patrols-russia-equipment"}
    everything = [claim["id"] for claim in SHIPPED_CLAIMS] + SECOND_CLAIMS
    assert rows == sorted((f"claim:{claim}", SECOND if claim.startswith("patrols-") else FIRST)
                          for claim in everything if claim not in shared)
    assert ("claim:patrols-us-intelligence-forecast", SECOND) in rows


def test_where_sources_disagree_with_both_quotes(service):
    assert ask(service, "source-disagreements") == [
        ("sk:aes-joint-force", "5000", FIRST, "a 5,000-strong joint military force", "3000", SECOND,
         "The alliance's joint force numbered about 3,000 troops when it was inaugurated in late 2025, according "
         "to an alliance spokesperson."),
    ]


def test_the_second_article_is_marked_as_invented(two_articles):
    from rdflib.namespace import DCTERMS
    titles = [str(o) for _, _, o, _ in two_articles.dataset.quads((URIRef(SECOND), DCTERMS.title, None, None))]
    assert titles == ["INVENTED TEST ARTICLE: AES Joint Force Begins Border Patrols"]
    assert source_iri("sahel-patrols-invented") == SECOND
