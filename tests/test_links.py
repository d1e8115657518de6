"""kg/links.py: links with their status in RDF (link records), owl:sameAs for verified links, sourced
aliases as SKOS-XL labels, the checks on the tables, and `kg links check`."""

from __future__ import annotations

import csv

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from build_fixtures import built, named_graph, run_kg
from kg import paths
from kg.build import Inputs, build
from kg.errors import ClaimError
from kg.links import SKOSXL, read_aliases, read_links
from kg.namespaces import SAHEL, SCHEMA, SK

__all__ = ["built"]  # a fixture

WD = "http://www.wikidata.org/entity/"
STATUS_CONCEPTS = {"verified": SAHEL.LinkVerified, "one source": SAHEL.LinkOneSource,
                   "candidate": SAHEL.LinkCandidate, "rejected": SAHEL.LinkRejected}


def shipped_rows():
    with open(paths.LINKS_FILE, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_row_of_the_links_table_has_a_record_with_status_source_and_date(built):
    graph = named_graph(built.dataset, "links")
    records = list(graph.subjects(RDF.type, SAHEL.LinkRecord))
    rows = shipped_rows()
    assert len(records) == len(rows) == 22
    for row in rows:
        record = next(graph.subjects(RDF.object, URIRef(row["target"])))
        assert graph.value(record, RDF.subject) == SK[row["entity"]]
        assert graph.value(record, SAHEL.linkStatus) == STATUS_CONCEPTS[row["status"]]
        source = graph.value(record, DCTERMS.source)  # a file of this project: its document, which resolves
        assert str(graph.value(source, DCTERMS.identifier) or source) == row["source"]
        assert str(graph.value(record, DCTERMS.date)) == row["date"]


def test_a_source_shipped_as_a_file_is_a_document_that_resolves(built):
    """Link records cited "kg/data/identifier-table.md" as bare text, which nothing resolves (helper-85)."""
    from api import create_app

    document = URIRef("https://sahel-kg.example.org/source/identifier-table")
    graph = named_graph(built.dataset, "links")
    assert graph.value(document, DCTERMS.identifier) == Literal("kg/data/identifier-table.md")
    assert "Q28877411" in str(graph.value(document, SCHEMA.text))
    assert (None, DCTERMS.source, document) in graph
    page = create_app({"STORE": "memory:"}).test_client().get("/source/identifier-table.ttl")
    assert page.status_code == 200 and b"Identifier table" in page.data


def test_only_verified_links_are_identities(built):
    links = named_graph(built.dataset, "links")
    same_as = named_graph(built.dataset, "same-as")
    for record in links.subjects(RDF.type, SAHEL.LinkRecord):
        subject, predicate, target = (links.value(record, term) for term in (RDF.subject, RDF.predicate, RDF.object))
        verified = links.value(record, SAHEL.linkStatus) == SAHEL.LinkVerified
        assert (predicate == SKOS.exactMatch) == verified
        assert ((subject, OWL.sameAs, target) in same_as) == verified
        assert (subject, predicate, target) in links  # stated plainly too
    assert (SK.mali, OWL.sameAs, URIRef(WD + "Q912")) in same_as
    assert (SK.jnim, SKOS.closeMatch, URIRef(WD + "Q28877411")) in links
    assert not list(same_as.subjects(None, URIRef(WD + "Q28877411")))  # one source: no identity
    assert (SK.mali, RDFS.seeAlso, URIRef("http://dbpedia.org/resource/Mali")) in links


def write_links(tmp_path, *rows: str):
    path = tmp_path / "links.csv"
    path.write_text("entity,relation,target,status,source,date\n" + "".join(row + "\n" for row in rows),
                    encoding="utf-8")
    return path


def test_a_rejected_link_is_a_record_and_never_a_statement(tmp_path):
    path = write_links(tmp_path,
                       "mali,exactMatch,http://www.wikidata.org/entity/Q912,verified,a source,2026-11-27",
                       "niger,closeMatch,http://www.wikidata.org/entity/Q1,rejected,checked: the universe,2026-11-30")
    dataset = build(Inputs(links=path)).dataset
    links = named_graph(dataset, "links")
    wrong = URIRef(WD + "Q1")
    assert not list(links.triples((SK.niger, None, wrong)))
    assert not list(named_graph(dataset, "same-as").triples((None, None, wrong)))
    record = links.value(predicate=RDF.object, object=wrong)
    assert links.value(record, SAHEL.linkStatus) == SAHEL.LinkRejected
    assert links.value(record, RDF.predicate) == SKOS.closeMatch


@pytest.mark.parametrize("row, message", [
    ("mali,exactMatch,http://www.wikidata.org/entity/Q912,one source,x,2026-11-27",
     "a 'one source' link cannot be stated with exactMatch"),
    ("mali,seeAlso,http://dbpedia.org/resource/Mali,verified,x,2026-11-27",
     "a 'verified' link cannot be stated with seeAlso"),
    ("mali,closeMatch,http://www.wikidata.org/entity/Q912,guess,x,2026-11-27", "status must be one of"),
    ("mali,closeMatch,http://www.wikidata.org/entity/Q912,candidate,,2026-11-27", "every link needs a source"),
    ("mali,closeMatch,http://www.wikidata.org/entity/Q912,candidate,x,late 2025", "date must be YYYY-MM-DD"),
    ("mali,closeMatch,https://example.org/mali,candidate,x,2026-11-27", "in none of the linked datasets"),
    # Faults these checks let through (helper-85), each of which built a wrong or broken dataset:
    ("niger,closeMatch,http://www.wikidata.org/entity/Q1032,rejected,x,2026-11-27", "linked on line 2 already"),
    ("mali,exactMatch,http://www.wikidata.org/entity/Q1032,verified,x,2026-11-27", "the same as niger (line 2)"),
    ("mali,closeMatch,http://www.wikidata.org/entity/,candidate,x,2026-11-27", "names no record of wikidata"),
    ("mali,closeMatch,http://www.wikidata.org/entity/Q 912,candidate,x,2026-11-27", "names no record of wikidata"),
    ("mali,closeMatch,http://www.wikidata.org/entity/Q912,candidate,x,2099-12-31", "after today"),
])
def test_a_bad_row_stops_the_build_with_its_line(tmp_path, row, message):
    path = write_links(tmp_path, "niger,exactMatch,http://www.wikidata.org/entity/Q1032,verified,x,2026-11-27", row)
    with pytest.raises(ClaimError) as caught:
        read_links(path)
    assert (caught.value.path, caught.value.line) == (str(path), 3)
    assert message in caught.value.message


@pytest.mark.parametrize("read", [read_links, read_aliases])
def test_a_field_too_long_for_csv_stops_the_build_with_its_line(tmp_path, read):
    path = tmp_path / "table.csv"
    path.write_text("entity,alias,language,source\nmali," + "x" * 200_000 + ",en,article\n", encoding="utf-8")
    with pytest.raises(ClaimError) as caught:
        read(path)
    assert (caught.value.path, caught.value.line) == (str(path), 2)
    assert "cannot be read as CSV" in caught.value.message and "field larger than field limit" in caught.value.message


@pytest.mark.parametrize("read", [read_links, read_aliases])
def test_a_table_that_is_not_utf8_stops_the_build_with_its_line(tmp_path, read):
    """A table saved as Latin-1 ended kg build in a UnicodeDecodeError traceback."""
    path = tmp_path / "table.csv"
    # read in one chunk, whose decoding fails before the header row is read
    path.write_bytes(b"entity,alias,language,source\r\nniger,Niger,en,article\r\n"
                     + "mali,Malí,es,article\r\n".encode("latin-1"))
    with pytest.raises(ClaimError) as caught:
        read(path)
    assert (caught.value.path, caught.value.line) == (str(path), 3)
    assert "byte 0xED is not UTF-8 text" in caught.value.message


@pytest.mark.parametrize("table", ["links", "aliases"])
def test_a_row_for_an_entity_the_dataset_lacks_stops_the_build(tmp_path, table):
    """A typo (malli) gave sk:malli owl:sameAs wd:Q912, an entity nothing else describes."""
    if table == "links":
        inputs = Inputs(links=write_links(tmp_path, "malli,exactMatch,http://www.wikidata.org/entity/Q912,verified,x,"
                                                    "2026-11-27"))
    else:
        path = tmp_path / "aliases.csv"
        path.write_text("entity,alias,language,source\njnim,JNIM,en,article\nmalli,Mali,fr,article\n", encoding="utf-8")
        inputs = Inputs(aliases=path)
    with pytest.raises(ClaimError) as caught:
        build(inputs)
    line = 2 if table == "links" else 3
    assert (caught.value.path, caught.value.line) == (str(getattr(inputs, table)), line)
    assert "'malli' is no entity" in caught.value.message


# --- aliases -----------------------------------------------------------------------------------

EXPECTED_ALIASES = [  # what the issue asks for, each in the shipped table with a source
    ("jnim", "Jama'at Nusrat al-Islam wal-Muslimin", "ar-Latn"),
    ("jnim", "Group for the Support of Islam and Muslims", "en"),
    ("isgs", "Islamic State in the Greater Sahara", "en"),
    ("isgs", "Islamic State – Sahel Province", "en"),
    ("aes", "Alliance des États du Sahel", "fr"),
    ("aes", "Confederation of Sahel States", "en"),
    ("turkey", "Türkiye", "en"),
    ("united-states", "United States of America", "en"),
]


@pytest.mark.parametrize("entity, alias, language", EXPECTED_ALIASES)
def test_aliases_carry_a_language_tag_and_a_source(built, entity, alias, language):
    graph = named_graph(built.dataset, "aliases")
    literal = Literal(alias, lang=language)
    assert (SK[entity], SKOS.altLabel, literal) in graph
    label = graph.value(predicate=SKOSXL.literalForm, object=literal)
    assert (SK[entity], SKOSXL.altLabel, label) in graph
    assert graph.value(label, DCTERMS.source) is not None


def test_every_alias_has_a_source_and_the_article_ones_point_at_the_article(built):
    graph = named_graph(built.dataset, "aliases")
    rows = read_aliases(paths.ALIASES_FILE)
    assert len(set(graph.subjects(RDF.type, SKOSXL.Label))) == len(rows)
    article = URIRef("https://sahel-kg.example.org/source/us-sahel-quiet-ties")
    from_article = {str(graph.value(label, SKOSXL.literalForm)) for label in graph.subjects(DCTERMS.source, article)}
    assert from_article == {"U.S.", "US", "Washington", "AES"}
    text = paths.ARTICLE_FILE.read_text(encoding="utf-8")
    assert all(alias in text for alias in from_article)  # "article" is only said of names the article uses


def test_an_alias_needs_a_source(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("entity,alias,language,source\njnim,JNIM,en,article\nisgs,EIGS,fr,\n", encoding="utf-8")
    with pytest.raises(ClaimError) as caught:
        read_aliases(path)
    assert caught.value.line == 3 and "need entity, alias and source" in caught.value.message


# --- kg links check ----------------------------------------------------------------------------

def test_links_check_lists_the_unlinked_and_passes_on_the_shipped_data():
    result = run_kg("links", "check")  # the default store: its first use installs the article
    assert result.exit_code == 0, result.output
    unlinked = sorted(line.split()[1] for line in result.stdout.splitlines() if line.startswith("unlinked:"))
    assert unlinked == sorted(f"<{SK[name]}>" for name in (
        "aes", "aes-joint-force", "sahel", "tsctp", "us-government", "sahel-border-regions",
        "burkinabe-armed-forces", "malian-armed-forces", "nigerien-armed-forces", "us-armed-forces"))
    assert "0 links and 0 aliases without a source" in result.stderr


def test_links_check_fails_on_a_link_or_alias_without_a_source(tmp_path):
    store = f"oxigraph:{tmp_path / 'store'}"
    extra = tmp_path / "guess.ttl"
    extra.write_text(f"<{SK.aes}> <{SKOS.exactMatch}> <{WD}Q123456> ; <{SKOS.altLabel}> \"AES Confederation\"@en, "
                     f"\"\U0001F468\u200d\U0001F469\u200d\U0001F467\"@en .\n", encoding="utf-8")
    assert run_kg("load", extra, "--graph", "https://example.org/guesses", "--store", store).exit_code == 0
    result = run_kg("links", "check", "--store", store)
    assert result.exit_code == 1
    assert f"link without a source: <{SK.aes}> <{SKOS.exactMatch}> <{WD}Q123456>" in result.stdout
    assert f"alias without a source: <{SK.aes}> 'AES Confederation'" in result.stdout
    # an emoji sequence is kept whole, as kg query shows it (repr() wrote its joiners as \u200d)
    assert f"alias without a source: <{SK.aes}> '\U0001F468\u200d\U0001F469\u200d\U0001F467'" in result.stdout
    assert "unlinked: <https://sahel-kg.example.org/id/aes>" in result.stdout  # a bare triple is no record


def test_a_client_that_follows_owl_same_as_reaches_the_article_from_a_wikidata_iri():
    from kg.publish import install
    from kg.query import QueryService
    from kg.store import open_store

    with open_store("memory:") as store:
        install(store)
        result = QueryService(store).query(
            "SELECT DISTINCT ?claim WHERE { ?local owl:sameAs wd:Q912 . "
            "?membership org:member ?local . GRAPH ?claim { ?membership org:organization sk:aes } }")
        assert [row[0].value for row in result.rows] == ["https://sahel-kg.example.org/claim/aes-members"]
        unverified = QueryService(store).query("ASK { ?local owl:sameAs wd:Q28877411 }")  # JNIM: one source
        assert unverified.boolean is False


def test_every_source_is_something_a_reader_can_find():
    """A link's or alias's source is the article, a URL, a named public reference, or a file of this
    repository (the identifier table ships with its origin), never a document outside the repository."""
    repository = paths.ALIASES_FILE.parents[2]
    sources = {row.source for row in read_aliases(paths.ALIASES_FILE)} | \
        {row.source for row in read_links(paths.LINKS_FILE)}
    assert "kg/data/identifier-table.md" in sources
    for source in sources:
        assert "shared/" not in source, source
        if source.startswith("kg/"):
            assert (repository / source.split(" ", 1)[0]).is_file(), source
