"""kg/events.py and `kg events load`: an ACLED-style CSV (a fixture, tests/fixtures/README.md) mapped by
the RML mapping run in morph-kgc, in its own named graph with provenance; names linked exactly or
recorded as candidates; the event competency questions answered on the fixture."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from build_fixtures import run_kg
from servers import missing_service
from kg.errors import ConfigError, KGError
from kg.events import DEFAULT_MAPPING, load_events, morph_kgc_python
from kg.namespaces import PREFIXES
from kg.paths import QUERIES_DIR
from kg.publish import install
from kg.query import QueryService
from kg.store import open_store

FIXTURE = Path(__file__).parent / "fixtures" / "acled-style-events-FIXTURE.csv"
SK = PREFIXES["sk"]
SAHEL = PREFIXES["sahel"]
EVENT = "https://sahel-kg.example.org/event/acled/"
ACTOR = "https://sahel-kg.example.org/name/acled/actor/"
COUNTRY = "https://sahel-kg.example.org/name/acled/country/"


def require_morph_kgc() -> None:
    """The RML engine, which `make install` sets up; a machine without it skips (CI fails instead)."""
    try:
        morph_kgc_python()
    except ConfigError as error:
        missing_service(str(error))


@pytest.fixture(autouse=True)
def morph_kgc(request):
    if not request.node.name.startswith("test_without_morph_kgc"):
        require_morph_kgc()


@pytest.fixture(scope="module")
def loaded():
    """The article and the fixture events in a memory store, and the load's report."""
    require_morph_kgc()
    with open_store("memory:") as store:
        install(store)
        report = load_events(store, FIXTURE)
        yield store, report


def rows(store, sparql: str) -> list[tuple]:
    result = QueryService(store).query(sparql, row_limit=10000)
    return [tuple(None if term is None else term.value for term in row) for row in result.rows]


def question(store, name: str) -> list[tuple]:
    return rows(store, (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8"))


def test_each_row_is_an_event_in_the_files_own_graph(loaded):
    store, report = loaded
    assert report.graph.startswith("https://sahel-kg.example.org/graph/events/")
    assert report.graph.endswith(report.sha256[:16])
    events = rows(store, f"SELECT ?e WHERE {{ GRAPH <{report.graph}> {{ ?e a sahel:ConflictEvent }} }} ORDER BY ?e")
    assert [e for (e,) in events] == [f"{EVENT}FIX00{n}" for n in range(1, 9)]
    first = dict(rows(store, f"SELECT ?p ?o WHERE {{ GRAPH <{report.graph}> {{ <{EVENT}FIX001> ?p ?o }} }}"))
    assert first[SAHEL + "eventDate"] == "2023-02-10"
    assert first[SAHEL + "fatalities"] == "5"
    assert first[SAHEL + "eventType"] == SAHEL + "ACLED_Battles"
    assert first[SAHEL + "datePrecision"] == SAHEL + "ACLEDTimePrecision1"
    place = first[SAHEL + "location"]
    where = dict(rows(store, f"SELECT ?p ?o WHERE {{ <{place}> ?p ?o }}"))
    assert (where[PREFIXES["schema"] + "latitude"], where[PREFIXES["schema"] + "longitude"]) == ("14.5", "-4.2")
    assert where[SAHEL + "adminRegion"] == "Mopti"


def test_every_event_type_the_fixture_uses_is_a_concept_of_the_ontology(loaded):
    store, _ = loaded
    assert rows(store, "SELECT DISTINCT ?t WHERE { ?e a sahel:ConflictEvent ; sahel:eventType ?t "
                       "FILTER NOT EXISTS { ?t skos:inScheme sahel:ACLEDEventTypes } }") == []


def test_provenance_of_the_load(loaded):
    store, report = loaded
    facts = dict(rows(store, f"""SELECT ?what ?value WHERE {{ GRAPH <https://sahel-kg.example.org/graph/loads> {{
        <{report.graph}> prov:wasGeneratedBy ?run ; prov:wasDerivedFrom ?file .
        ?run prov:used ?mapping ; prov:wasAssociatedWith ?engine ; prov:endedAtTime ?ended .
        ?file sahel:sha256 ?sha ; rdfs:label ?name .
        ?mapping rdfs:label ?rules FILTER (?mapping != ?file)
        ?engine rdfs:label ?tool .
        VALUES ?what {{ "sha" "name" "rules" "tool" "ended" }}
        BIND (IF(?what = "sha", ?sha, IF(?what = "name", ?name, IF(?what = "rules", ?rules,
              IF(?what = "tool", ?tool, STR(?ended))))) AS ?value) }} }}"""))
    assert facts["sha"] == report.sha256
    assert facts["name"] == FIXTURE.name
    assert facts["rules"] == DEFAULT_MAPPING.name
    assert facts["tool"] == "morph-kgc"
    assert facts["ended"].startswith("20")
    published = {row[0] for row in rows(store, "SELECT ?value WHERE { GRAPH <https://sahel-kg.example.org/graph/loads> "
                                               "{ ?s ?p ?value } }")}
    assert not any(str(FIXTURE.parent) in value for value in published)  # the graph is public: no operator's path
    runs = rows(store, f"SELECT ?run WHERE {{ <{report.graph}> prov:wasGeneratedBy ?run }}")
    assert runs == [(report.record,)]  # the record IRI the command prints is the run's, so it resolves


def test_exact_names_are_linked_and_the_rest_are_only_candidates(loaded):
    store, report = loaded
    linked = {link.name: link.entity for link in report.names if link.entity}
    assert linked == {
        "JNIM": SK + "jnim", "Jama'at Nusrat al-Islam wal-Muslimin": SK + "jnim",
        "Islamic State Sahel Province": SK + "isgs", "Islamic State in the Greater Sahara": SK + "isgs",
        "Mali": SK + "mali", "Niger": SK + "niger", "Burkina Faso": SK + "burkina-faso"}
    unlinked = {link.name: link.candidates for link in report.names if not link.entity}
    assert SK + "niger" in [iri for iri, _ in unlinked["Nigeria"]]  # close by spelling: a candidate, never a link
    assert SK + "malian-armed-forces" in [iri for iri, _ in unlinked["Military Forces of Mali"]]
    stated = rows(store, f"SELECT ?name ?entity WHERE {{ GRAPH <{report.graph}/links> {{ ?n skos:exactMatch ?entity }} "
                         "?n rdfs:label ?name }")
    assert dict(stated) == linked
    answer = question(store, "event-name-links")
    assert ("Nigeria", SK + "niger", "candidate") in [row[:3] for row in answer]
    assert ("JNIM", SK + "jnim", "exact name", "100") in [row[:3] + (str(int(float(row[3]))),) for row in answer]


def test_jihadist_events_in_aes_states_per_year(loaded):
    store, _ = loaded
    assert question(store, "jihadist-events-by-year") == [
        (SK + "isgs", SK + "mali", "2024", "1", "9"),
        (SK + "isgs", SK + "mali", "2025", "1", "3"),
        (SK + "isgs", SK + "niger", "2023", "1", "7"),
        (SK + "jnim", SK + "burkina-faso", "2024", "2", "6"),
        (SK + "jnim", SK + "mali", "2023", "1", "5"),
        (SK + "jnim", SK + "mali", "2024", "1", "9"),
    ]  # FIX007 (JNIM in Nigeria) is outside the AES; FIX006's actor matches nothing


def test_claims_beside_the_events_that_bear_on_them(loaded):
    store, _ = loaded
    claim = "https://sahel-kg.example.org/claim/"
    assert question(store, "claims-beside-events") == [
        (claim + "extremist-activity-surging", SK + "burkina-faso", "2024", "2", "2"),
        (claim + "extremist-activity-surging", SK + "mali", "2023", "1", "1"),
        (claim + "extremist-activity-surging", SK + "mali", "2024", "1", "1"),
        (claim + "extremist-activity-surging", SK + "mali", "2025", "1", "1"),
        (claim + "extremist-activity-surging", SK + "niger", "2023", "1", "1"),
        (claim + "extremist-activity-surging", SK + "niger", "2024", "1", "0"),
        (claim + "humanitarian-pressure", SK + "burkina-faso", "2024", "2", "2"),
        (claim + "humanitarian-pressure", SK + "mali", "2023", "1", "1"),
        (claim + "humanitarian-pressure", SK + "mali", "2024", "1", "1"),
        (claim + "humanitarian-pressure", SK + "mali", "2025", "1", "1"),
    ]


def test_a_rebuild_of_the_article_keeps_the_loaded_events():
    """`kg build --install` replaces the build's own graphs; an event table's graphs are not among them."""
    with open_store("memory:") as store:
        install(store)
        report = load_events(store, FIXTURE)
        held = {iri: store.count(iri) for iri in (report.graph, f"{report.graph}/links")}
        install(store)
        assert {iri: store.count(iri) for iri in held} == held and all(held.values())


def test_loading_the_same_file_again_replaces_its_graph(loaded, tmp_path):
    with open_store("memory:") as store:
        install(store)
        first = load_events(store, FIXTURE)
        count = store.count(first.graph), store.count(first.graph + "/links")
        again = load_events(store, FIXTURE)
        assert again.graph == first.graph
        assert (store.count(again.graph), store.count(again.graph + "/links")) == count


# --- failures and the command ------------------------------------------------------------------

def test_a_table_without_the_mappings_columns_loads_nothing_and_names_them_all(tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_text("event_id_cnty,when\n1,yesterday\n", encoding="utf-8")
    message = refusal(broken)
    assert "broken.csv" in message and "Traceback" not in message and "pandas" not in message
    assert "event_date, event_type, fatalities" in message and "event_id_cnty" not in message


def refusal(table: Path) -> str:
    """The message of the KGError that loading `table` beside the article raises; nothing was written."""
    with open_store("memory:") as store:
        install(store)
        before = store.count()
        with pytest.raises(KGError) as caught:
            load_events(store, table)
        assert store.count() == before
    return str(caught.value)


def edited_fixture(path: Path, edits: list[tuple[str, str]]) -> Path:
    """The fixture written to `path` with its first rows' `column` set to `value`, one edit a row."""
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    edited = []
    for line, (column, value) in zip(lines[1:], edits):
        cells = line.split(",")
        cells[header.index(column)] = value
        edited.append(",".join(cells))
    path.write_text("\n".join([lines[0], *edited, *lines[1 + len(edits):]]) + "\n", encoding="utf-8")
    return path


def test_values_that_do_not_fit_their_datatype_load_nothing(tmp_path):
    """ACLED's event_date is an xsd:date and fatalities an xsd:nonNegativeInteger in the mapping: a table
    saying 'yesterday', 2024-02-30, 'many' or -5 there is refused whole, each value named."""
    table = edited_fixture(tmp_path / "bad-values.csv", [("event_date", "yesterday"), ("event_date", "2024-02-30"),
                                                         ("fatalities", "many"), ("fatalities", "-5")])
    message = refusal(table)
    assert message.startswith(f"{table}: 4 value(s) do not fit")
    for shown in ('"yesterday" is not an xsd:date', '"2024-02-30" is not an xsd:date',
                  '"many" is not an xsd:nonNegativeInteger', '"-5" is not an xsd:nonNegativeInteger'):
        assert shown in message


def test_codes_outside_their_code_list_load_nothing(tmp_path):
    """An event_type ACLED does not have ('Picnic') became sahel:ACLED_Picnic and a time_precision of 9
    sahel:ACLEDTimePrecision9, concepts nobody defined, which kg validate then faulted; the table is refused."""
    table = edited_fixture(tmp_path / "bad-codes.csv", [("event_type", "Picnic"), ("time_precision", "9")])
    message = refusal(table)
    assert message.startswith(f"{table}: 2 value(s) are no concept of the code list their property takes")
    assert f"<{SAHEL}ACLED_Picnic> is no concept" in message
    assert f"<{SAHEL}ACLEDTimePrecision9> is no concept" in message


def test_a_mapping_starting_with_a_byte_order_mark_runs(tmp_path):
    """Editors on Windows save one; the column check reads past it, as morph-kgc does."""
    mapping = tmp_path / "bom.rml.ttl"
    mapping.write_bytes(b"\xef\xbb\xbf" + DEFAULT_MAPPING.read_bytes())
    with open_store("memory:") as store:
        install(store)
        assert load_events(store, FIXTURE, mapping=mapping).events == 8


def test_a_mapping_that_does_not_parse_is_an_error_with_its_position(tmp_path):
    mapping = tmp_path / "bad.rml.ttl"
    mapping.write_text("@prefix rr: <http://www.w3.org/ns/r2rml#> .\n<#Events> rr:subjectMap .\n", encoding="utf-8")
    result = run_kg("events", "load", FIXTURE, "--mapping", mapping, "--store", "memory:")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith(f"error: {mapping}:2:")


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])  # CR: "CSV (Macintosh)"
def test_a_table_that_is_not_utf_8_is_refused_in_one_line_naming_where(tmp_path, ending):
    """A Latin-1 table: one line naming the file, the line and column of the first bad byte; nothing loaded."""
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("Tillaberi", "Tillabéri")
    table = tmp_path / "latin-1.csv"
    table.write_bytes("".join(line + ending for line in lines).encode("latin-1"))
    message = refusal(table)
    assert message.startswith(f"{table}:3:{lines[2].index('é') + 1}: byte 0xE9 is not UTF-8")
    store = f"oxigraph:{tmp_path / 'store'}"
    result = run_kg("events", "load", table, "--store", store)
    assert result.exit_code == 1 and result.stderr == f"error: {message}\n"
    assert "Traceback" not in result.output and "morph" not in result.output


def test_without_morph_kgc_the_message_says_where_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setenv("SAHEL_KG_MORPH_KGC", str(tmp_path / "nowhere" / "python"))
    with pytest.raises(ConfigError, match="make install"):
        morph_kgc_python()


def test_kg_events_load(tmp_path):
    store = f"oxigraph:{tmp_path / 'store'}"
    result = run_kg("events", "load", FIXTURE, "--store", store)
    assert result.exit_code == 0, result.output
    assert "8 events" in result.stderr and "linked 7 of 15 names exactly" in result.stderr
    graph = "https://example.org/graph/my-events"  # in another store: this one holds these events already
    result = run_kg("events", "load", FIXTURE, "--graph", graph, "--store", f"oxigraph:{tmp_path / 'other'}")
    assert result.exit_code == 0 and graph in result.stderr
    bad = run_kg("events", "load", FIXTURE, "--graph", "not an iri", "--store", store)
    assert bad.exit_code == 2 and "<not an iri> is not an IRI" in bad.stderr  # a bad option value, as click reports one
    # the load replaces <graph>/links too: here the build's own links graph (helper-46)
    owned = run_kg("events", "load", FIXTURE, "--graph", "https://sahel-kg.example.org/graph", "--store", store)
    assert owned.exit_code == 2 and "one of the project's own graphs" in owned.stderr  # bad usage, as the bad IRI


def test_events_load_refuses_a_graph_of_a_build_with_another_base(tmp_path):
    """The graphs of a build made with `kg build --base` are the project's own too (so are their links)."""
    store = f"oxigraph:{tmp_path / 'store'}"
    assert run_kg("build", "--install", "--base", "https://example.org/kg/", "--store", store).exit_code == 0
    for graph in ("https://example.org/kg/graph/entities", "https://example.org/kg/graph"):
        owned = run_kg("events", "load", FIXTURE, "--graph", graph, "--store", store)
        assert owned.exit_code == 2 and "one of the project's own graphs" in owned.stderr


def test_a_table_whose_name_is_not_utf_8_loads(tmp_path):
    """Its name goes into the load's records with such bytes as \\xNN (every label that names it)."""
    table = tmp_path / os.fsdecode(b"\xe9v\xe9nements.csv")
    shutil.copyfile(FIXTURE, table)
    result = run_kg("events", "load", table, "--store", f"oxigraph:{tmp_path / 'store'}")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("edit, said", [
    (lambda lines: lines + [lines[1]], "repeats the event FIX001 of line 2"),
    (lambda lines: lines[:1] + ["," + lines[1].split(",", 1)[1]] + lines[2:], "line 2 has no event_id_cnty"),
    (lambda lines: lines[:1] + [",".join(lines[1].split(",")[:5])] + lines[2:], "line 2 has 5 fields where the header"),
])
def test_rows_that_are_no_whole_event_of_their_own_load_nothing(tmp_path, edit, said):
    """A repeated id merged two rows into one event with two dates; an empty one dropped its row while its actors
    loaded; a short row loaded a partial event (helper-93)."""
    table = tmp_path / "table.csv"
    table.write_text("\n".join(edit(FIXTURE.read_text(encoding="utf-8").splitlines())) + "\n", encoding="utf-8")
    assert said in refusal(table)


def test_a_corrected_table_beside_the_first_loads_nothing_and_says_where_its_events_are(tmp_path):
    """Its events joined those of the first load: FIX001 held two fatality counts, and counts doubled (helper-93)."""
    corrected = tmp_path / "corrected.csv"
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    corrected.write_text("\n".join(lines[:1] + [lines[1].replace(",5,", ",6,", 1)] + lines[2:]) + "\n",
                         encoding="utf-8")
    with open_store("memory:") as store:
        install(store)
        first = load_events(store, FIXTURE)
        before = store.count()
        with pytest.raises(KGError) as caught:
            load_events(store, corrected)
        assert store.count() == before and f"<{first.graph}>" in str(caught.value)
        assert load_events(store, corrected, graph=first.graph).graph == first.graph  # replacing it is the way


def test_a_mapping_that_types_its_events_otherwise_still_loads(tmp_path):
    """With rdf:type given by a predicate-object map (no rr:class), no key was found, and every row after the
    first was refused as a repeat of an empty id (helper-96)."""
    mapping = tmp_path / "typed.rml.ttl"
    text = DEFAULT_MAPPING.read_text(encoding="utf-8")
    assert "rr:class sahel:ConflictEvent ] ;" in text
    mapping.write_text(text.replace(
        "rr:class sahel:ConflictEvent ] ;",
        "] ;\n    rr:predicateObjectMap [ rr:predicate <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ;"
        " rr:objectMap [ rr:constant sahel:ConflictEvent ] ] ;"), encoding="utf-8")
    with open_store("memory:") as store:
        assert load_events(store, FIXTURE, mapping=mapping).events == 8
