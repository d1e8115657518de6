"""/reconcile with what OpenRefine sends from real spreadsheets: property values compared by kind
(kg/value_scores.py: an identifier is the same or another, a date the day it denotes, an entity of another service
read by its name, a blank cell no value), `type_strict: "should"` matching as `any` does, names qualified as
Wikipedia's titles are, and the type and limit its search box gives entity suggestions."""

from __future__ import annotations

import json

import pytest

from test_reconcile import check, client, reconcile  # noqa: F401  (the module's app over the article)

WD = "http://www.wikidata.org/entity/"


def features(candidate: dict) -> dict:
    return {feature["id"]: feature["value"] for feature in candidate["features"]}


def first(client, query: dict) -> dict:
    [*results] = reconcile(client, {"q": query})["q"]["result"]
    return results[0] if results else {}


@pytest.mark.parametrize("given", [WD + "Q913", "wd:Q913", WD + "Q9120", "Q913", "Q91", {"id": "Q913", "name": "Q912"}])
def test_an_identifier_no_entity_holds_matches_none(client, given):
    """Q913 scored Mali 96.97, Niger 95.52 and Turkey 95.38 as a close spelling of their Q-numbers."""
    results = reconcile(client, {"q": {"properties": [{"pid": "skos:exactMatch", "v": given}]}})["q"]["result"]
    assert results == []


@pytest.mark.parametrize("given", [WD + "Q912", "wd:Q912", f"  {WD}Q912 ", "Q912", "q912", {"id": "Q912"},
                                   {"id": "Q912", "name": "Mali"}, "https://www.wikidata.org/wiki/Q912",
                                   "https://www.wikidata.org/entity/Q912", "https://m.wikidata.org/wiki/Q912#sitelinks"])
def test_an_identifier_is_matched_exactly_in_full_or_compact(client, given):
    candidate = first(client, {"query": "Niger", "properties": [{"pid": "skos:exactMatch", "v": given}]})
    assert candidate["id"] == "niger" and features(candidate)["property:skos:exactMatch"] == 0.0
    [only] = reconcile(client, {"q": {"properties": [{"pid": "skos:exactMatch", "v": given}]}})["q"]["result"]
    assert only["id"] == "mali" and only["match"] is True


@pytest.mark.parametrize("given, held", [
    ("2023-12-31", True), ("2023-12-31T00:00:00", True), ("2023-12-31T00:00:00Z", True),
    ("2023-12-30", False), ("31/12/2023", False), ("2023", False), ("2023-12-31T10:00:00Z", False)])
def test_a_date_is_compared_as_the_day_it_denotes(client, given, held):
    """2023-12-30 scored 90 against 2023-12-31, and OpenRefine's 2023-12-31T00:00:00Z 66.67."""
    query = {"query": "from 2023, still holding as of the article", "type": "sahel:TimeSpan",
             "properties": [{"pid": "sahel:startsNotAfter", "v": given}]}
    candidate = first(client, query)
    assert candidate["id"] == "since-2023"
    assert features(candidate)["property:sahel:startsNotAfter"] == (100.0 if held else 0.0)


def test_an_entity_of_another_service_is_read_by_its_name(client):
    """OpenRefine sends a cell reconciled against Wikidata as {"id": "Q912", "name": "Mali"}: it scored 0."""
    query = {"query": "FAMa", "type": "sahel:NationalMilitary", "type_strict": "should",
             "properties": [{"pid": "sahel:armedForceOf", "v": {"id": "Q912", "name": "Mali"}}]}
    candidate = first(client, query)
    assert candidate["id"] == "malian-armed-forces" and features(candidate)["property:sahel:armedForceOf"] == 100.0
    assert candidate["match"] is True
    nameless = first(client, {**query, "properties": [{"pid": "sahel:armedForceOf", "v": {"id": "Q912"}}]})
    assert features(nameless)["property:sahel:armedForceOf"] == 0.0 and nameless["match"] is False
    ours = first(client, {**query, "properties": [{"pid": "sahel:armedForceOf", "v": {"id": "sk:mali"}}]})
    assert features(ours)["property:sahel:armedForceOf"] == 100.0


@pytest.mark.parametrize("blank", ["", "  ", ["", " "]])
def test_a_blank_value_is_no_value(client, blank):
    """"v": "" counted as a property no value fits: Mali scored 50 and lost its match."""
    candidate = first(client, {"query": "Mali", "properties": [{"pid": "sahel:armedForceOf", "v": blank}]})
    assert (candidate["id"], candidate["score"], candidate["match"]) == ("mali", 100, True)


def test_type_strict_should_matches_as_any_does(client):
    """OpenRefine sends "should" whenever a type is set: Washington was no match for the United States there,
    as the US government, of another type, has the name too."""
    asked = {"query": "Washington", "type": "sahel:SovereignState"}
    should = reconcile(client, {"q": {**asked, "type_strict": "should"}})["q"]["result"]
    [any_] = [c for c in reconcile(client, {"q": {**asked, "type_strict": "any"}})["q"]["result"]
              if c["id"] == "united-states"]
    assert should[0]["id"] == "united-states" and should[0]["match"] is True and any_["match"] is True
    assert all(not candidate["match"] for candidate in should[1:])  # the others are listed, never matched


def suggested(client, **params) -> list[str]:
    response = client.get("/reconcile/suggest/entity", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["result"]]


def test_entity_suggestions_keep_to_the_type_asked_for_and_its_limit(client):
    """OpenRefine's search box sends the column's type: ?type= was ignored (armed forces and policies for a state),
    as was ?limit=."""
    anything = suggested(client, prefix="ma")
    assert anything[:2] == ["mali", "malian-armed-forces"] and len(anything) > 3
    assert suggested(client, prefix="ma", type="sahel:SovereignState") == ["mali"]
    should = suggested(client, prefix="ma", type="sahel:NationalMilitary", type_strict="should")
    assert should[0] == "malian-armed-forces" and sorted(should) == sorted(anything)  # theirs first, others after
    assert suggested(client, prefix="ma", limit=1) == ["mali"]
    assert suggested(client, prefix="ma", limit=1, cursor=1) == ["malian-armed-forces"]
    for params in ({"type": "sahel:Nope"}, {"limit": "0"}, {"type_strict": "most"}):
        assert client.get("/reconcile/suggest/entity", query_string={"prefix": "ma", **params}).status_code == 400


@pytest.mark.parametrize("name, expected", [("Mali (country)", "mali"), ("Niger (country)", "niger"),
                                            ("Burkina Faso (state)", "burkina-faso")])
def test_a_name_qualified_in_brackets_finds_its_entity_but_no_certain_match(client, name, expected):
    """"Mali (country)" found nothing; "Niger (country)" found only Niger's armed forces."""
    candidate = first(client, {"query": name})
    assert (candidate["id"], candidate["score"], candidate["match"]) == (expected, 90.0, False)


@pytest.mark.parametrize("blank", ["", "%20"])
def test_a_callback_given_empty_is_none(client, blank):
    """callback= was a 400, where every other text parameter given empty or blank is one not given."""
    response = client.get(f"/reconcile?callback={blank}")
    assert response.status_code == 200 and response.mimetype == "application/json" and response.get_json()["name"]


def test_a_data_extension_column_of_entities_says_their_type(client):
    """OpenRefine reconciles the new column against the meta's type: none was given, so it was reconciled against
    no type."""
    query = {"ids": ["malian-armed-forces"], "properties": [{"id": "sahel:armedForceOf"}, {"id": "rdfs:label"}]}
    response = client.post("/reconcile", data={"extend": json.dumps(query)}).get_json()
    check(response, "data-extension-response")
    forces, label = response["meta"]
    assert forces["type"] == {"id": "sahel:SovereignState", "name": "sovereign state"} and "type" not in label


@pytest.mark.parametrize("other", [{"id": "us-government", "name": "United States government"},
                                   {"id": "niger", "name": "United States"}])
def test_an_entity_of_ours_is_compared_by_its_id_whatever_its_name(client, other):
    """{"id": "niger", "name": "United States"} matched the US armed forces (100, match) by its name (helper-192)."""
    query = {"query": "military of the United States", "properties": [{"pid": "sahel:armedForceOf", "v": other}]}
    candidate = first(client, query)
    assert candidate["id"] == "us-armed-forces" and features(candidate)["property:sahel:armedForceOf"] == 0.0
    assert candidate["match"] is False


@pytest.mark.parametrize("given, held, same", [
    ("2023-12-30T23:00:00-01:00", "2023-12-31T00:00:00Z", True), ("2023-12-31T10:00:00Z", "2023-12-31T11:00:00+01:00", True),
    ("2023-12-31T10:00:00Z", "2023-12-31T10:00:00+01:00", False),
    ("2023-12-31T00:00:00+01:00", "2023-12-31", True), ("2023-12-30T23:00:00-01:00", "2023-12-31", False)])
def test_date_times_that_both_give_a_time_zone_are_compared_in_utc(given, held, same):
    """A value without a zone is local to the other's (XSD's implicit time zone); helper-192 found the zones ignored."""
    from kg.catalogue import XSD, Catalogue
    from kg.value_scores import value_score
    empty = Catalogue.read(lambda query: [])  # dates need nothing of the graph
    datatype = XSD + ("dateTime" if "T" in held else "date")
    assert value_score(empty, given, {"type": "literal", "value": held, "datatype": datatype}, None) == (100.0 if same else 0.0)


@pytest.mark.parametrize("given, held, expected", [
    ("Burkina Faso", "http://dbpedia.org/resource/Burkina_Faso", 100.0),
    ("Côte d'Ivoire", "http://dbpedia.org/resource/C%C3%B4te_d%27Ivoire", 100.0),
    ("Q912", WD + "Q912", 100.0), ("Q913", WD + "Q912", 0.0), ("2453866", "https://sws.geonames.org/2453866/", 100.0),
    ("https://www.geonames.org/2453866/republic-of-mali.html", "https://sws.geonames.org/2453866/", 100.0),
    ("https://www.geonames.org/2453867/", "https://sws.geonames.org/2453866/", 0.0),
    ("https://dbpedia.org/page/Burkina_Faso", "http://dbpedia.org/resource/Burkina_Faso", 100.0),
    ("https://www.wikidata.org/wiki/Q9120", WD + "Q912", 0.0),
    ("https://www.wikidata.org/wiki/Property:P17", WD + "P17", 100.0),
    ("https://www.wikidata.org/wiki/Property:Q5", WD + "Q5", 0.0)])  # a namespace not the id's: no such page
def test_another_datasets_iri_is_matched_by_its_identifier_or_the_name_it_spells(given, held, expected):
    """A name against a DBpedia IRI scored 0 once identifiers were compared exactly (helper-197); an entity's web page
    (Wikidata's /wiki/Q912, GeoNames' page, DBpedia's /page/) did not match the IRI the dataset mints."""
    from kg.catalogue import Catalogue
    from kg.value_scores import value_score
    empty = Catalogue.read(lambda query: [])  # another dataset's IRIs have no name in the graph
    assert value_score(empty, given, {"type": "uri", "value": held}, None) == expected


def test_owl_same_as_which_every_entity_document_states_is_a_property(client):
    """The documents state owl:sameAs (the same-as graph), yet reconciliation refused it as unknown, batch and all."""
    [only] = reconcile(client, {"q": {"properties": [{"pid": "owl:sameAs", "v": "wd:Q912"}]}})["q"]["result"]
    assert only["id"] == "mali" and only["match"] is True
    extend = {"ids": ["mali"], "properties": [{"id": "owl:sameAs"}]}
    rows = client.post("/reconcile", data={"extend": json.dumps(extend)}).get_json()["rows"]
    assert rows["mali"]["owl:sameAs"] == [{"str": WD + "Q912"}, {"str": "https://sws.geonames.org/2453866/"}]
    suggested = client.get("/reconcile/suggest/property", query_string={"prefix": "same"}).get_json()["result"]
    assert "owl:sameAs" in [entry["id"] for entry in suggested]
