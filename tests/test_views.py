"""The network and timeline data, the query editor page and its completions, the vendored assets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import problem
from kg.namespaces import PREFIXES
from kg.paths import QUERIES_DIR

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SK = PREFIXES["sk"]
STATIC = Path(__file__).parents[1] / "api" / "static"


def edges(client, as_of=None):
    url = "/views/network.json" + (f"?as_of={as_of}" if as_of else "")
    return client.get(url).get_json()["edges"]


def pairs(found, kind_suffix):
    return {(row["from"][len(SK):], row["to"][len(SK):]) for row in found if row["kind"].endswith(kind_suffix)}


def test_the_network_has_memberships_support_targeting_and_ceased_cooperation(shared):
    found = edges(shared)
    assert pairs(found, "#Membership") == {("mali", "aes"), ("niger", "aes"), ("burkina-faso", "aes")}
    assert ("russia", "mali") in pairs(found, "#MilitaryEquipmentSupply")
    assert ("united-states", "jnim") in pairs(found, "#targets")
    ceased = [row for row in found if row.get("statusLabel") == "ceased"]
    assert ceased and all(row["claimHref"].startswith("/claim/") for row in ceased)
    assert all(row["quote"] for row in ceased)  # the sentence each edge rests on
    assert all(row.get("claimer") and row.get("modalityLabel") for row in found if "claimHref" in row
               and row["claimHref"].startswith("/claim/"))


@pytest.mark.parametrize("as_of, member, supplied", [
    ("2022-06-01", "not", "possibly"),   # before the AES was formed; the support's start is not known
    ("2024-06-01", "certainly", "possibly"),  # members since 2023; the support held as of the article only
    ("2026-01-01", "possibly", "possibly"),  # the membership surely lasted only to the article's earliest date
])
def test_as_of_says_what_certainly_possibly_or_not_held_that_day(shared, as_of, member, supplied):
    found = edges(shared, as_of)
    holding = {(row["from"][len(SK):], row["to"][len(SK):], row["kind"].rsplit("#", 1)[-1]): row["holding"]
               for row in found}
    assert holding.get(("mali", "aes", "Membership"), "not") == member
    assert holding.get(("russia", "mali", "MilitaryEquipmentSupply"), "not") == supplied


def as_of_status(client, day: str) -> dict[str, str]:
    text = (QUERIES_DIR / "as-of-status.rq").read_text(encoding="utf-8").replace('"2024-06-01"^^xsd:date', f'"{day}"^^xsd:date')
    answer = client.post("/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"})
    return {row["claim"]["value"]: row["holding"]["value"] for row in answer.get_json()["results"]["bindings"]}


@pytest.mark.parametrize("day", ["0001-01-01", "2023-06-01", "2024-06-01", "2025-10-01", "2026-01-01", "9999-01-01"])
def test_the_network_as_of_a_day_agrees_with_the_as_of_status_query(shared, day):
    """An edge dated only by its claim holds as the claim does (as-of-status.rq): what it rules out is
    left out, what it allows is kept and says whether certainly or possibly."""
    claims = as_of_status(shared, day)
    everything = edges(shared)
    found = edges(shared, day)
    for row in found:
        assert row["holding"] in ("certainly", "possibly")
    kept = {(row["edge"], row.get("claim")) for row in found}
    checked = 0
    for row in everything:
        if row.get("claim") in claims and not row["kind"].endswith(("#Membership",)) and "status" not in row:
            expected = claims[row["claim"]]
            shown = [other["holding"] for other in found if (other["edge"], other.get("claim")) == (row["edge"], row["claim"])]
            assert (shown[0] if shown else "not") == expected, (row["edge"], row["claim"], day)
            checked += 1
    assert checked > 5 and len(kept) <= len({(row["edge"], row.get("claim")) for row in everything})


@pytest.mark.parametrize("day", ["late-2025", "2023-02-29", "2024-13-01", "-0001-01-01"])
def test_a_bad_as_of_date_is_a_400(shared, day):
    problem(shared.get(f"/views/network.json?as_of={day}"), 400)


@pytest.mark.parametrize("day", ["0000-01-01", "0000-02-29", "2024-02-29"])
def test_year_zero_is_an_as_of_date(shared, day):
    """XSD 1.1 has a year 0 (1 BCE, a leap year), which Python's date lacks: as_of=0000-01-01 was a 400."""
    answer = shared.get(f"/views/network.json?as_of={day}")
    assert answer.status_code == 200 and answer.get_json()["as_of"] == day
    assert shared.get(f"/network?as_of={day}", headers=BROWSER).status_code == 200


def test_the_timeline_keeps_each_items_precision(shared):
    items = shared.get("/views/timeline.json").get_json()["items"]
    founding = next(row for row in items if row["item"] == SK + "aes-founding")
    assert (founding["startsNotBefore"], founding["endsNotAfter"], founding["precisionLabel"]) == \
        ("2023-01-01", "2023-12-31", "year")
    inauguration = next(row for row in items if row["item"] == SK + "aes-joint-force-inauguration")
    assert inauguration["precisionLabel"] == "part of a year" and inauguration["spanLabel"] == "late 2025"
    relative = [row for row in items if row.get("position", "").endswith("#AsOfSource") and "startsNotBefore" not in row]
    assert relative and all(row["sourceNotBefore"] == "2025-09-01" for row in relative)


MALFORMED_SPANS = """
@prefix sahel: <https://sahel-kg.example.org/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:month rdfs:label "no such month" ; sahel:occurredDuring [ sahel:startsNotBefore "2024-13-45"^^xsd:date ] .
ex:backwards rdfs:label "ends before it starts" ;
    sahel:occurredDuring [ sahel:startsNotBefore "2024-05-01"^^xsd:date ; sahel:endsNotAfter "2024-04-30"^^xsd:date ] .
ex:text rdfs:label "not a date" ; sahel:occurredDuring [ sahel:endsNotAfter "soon" ] .
ex:fine rdfs:label "one day" ;
    sahel:occurredDuring [ sahel:startsNotBefore "0000-02-29"^^xsd:date ; sahel:endsNotAfter "0000-02-29"^^xsd:date ] .
"""


def test_the_timeline_leaves_out_items_it_cannot_place_and_says_why(make_app):
    """A bound of "2024-13-45" or an end before its start was drawn at a meaningless place; such items are now
    under left_out with the reason, which the page lists, and the rest are drawn."""
    client = make_app(seed=MALFORMED_SPANS).test_client()
    body = client.get("/views/timeline.json").get_json()
    left_out = {row["item"]: row["why"] for row in body["left_out"]}
    assert left_out == {
        "http://example.org/month": "startsNotBefore '2024-13-45' is no date of the calendar",
        "http://example.org/backwards": "startsNotBefore 2024-05-01 is after endsNotAfter 2024-04-30",
        "http://example.org/text": "endsNotAfter 'soon' is no date of the calendar"}
    drawn = {row["item"] for row in body["items"]}
    assert "http://example.org/fine" in drawn and not drawn & set(left_out)
    assert SK + "aes-founding" in drawn  # the article's items are all drawn
    assert [row["label"] for row in body["left_out"]].count("no such month") == 1
    page = client.get("/timeline", headers=BROWSER).get_data(as_text=True)
    assert 'id="left-out-section"' in page and 'id="left-out-items"' in page


def test_the_views_are_pages_that_load_their_vendored_scripts(shared):
    for path, script in [("/network", "vendor/cytoscape-3.35.0/cytoscape.min.js"),
                         ("/timeline", "vendor/vis-timeline-8.5.4/vis-timeline-graph2d.min.js")]:
        text = shared.get(path, headers=BROWSER).get_data(as_text=True)
        assert f"/static/{script}" in text
        assert shared.get(f"/static/{script}").status_code == 200


def test_browsers_get_the_query_editor_with_the_examples_and_prefixes(shared):
    text = shared.get("/sparql", headers=BROWSER).get_data(as_text=True)
    assert "/static/vendor/yasgui-4.6.2/yasgui.min.js" in text and "<form" in text  # and a form without JavaScript
    chooser = text[text.index('<select id="example">'):]
    names = re.findall(r'<option value="([a-z0-9-]+)">', chooser[:chooser.index("</select>")])
    assert names == [path.stem for path in sorted(QUERIES_DIR.glob("*.rq"))]
    assert '"sahel": "https://sahel-kg.example.org/ontology#"' in text
    # an example that needs data or a SERVICE this server lacks says so in the chooser (the editor dropped it)
    headers = {path.stem: path.read_text(encoding="utf-8") for path in QUERIES_DIR.glob("*.rq")}
    serviced = [name for name, text in headers.items() if re.search(r"^# service:", text, re.MULTILINE)]
    needing = [name for name, text in headers.items()
               if re.search(r"^# needs:", text, re.MULTILINE) and name not in serviced]
    said = re.findall(r'<option value="([a-z0-9-]+)">[^<]*\(shows nothing without extra data\)</option>', chooser)
    assert sorted(said) == sorted(needing) and needing
    # one that SERVICE needs is refused (400), which is no empty answer: it said "shows nothing" (helper-195)
    refused = re.findall(r'<option value="([a-z0-9-]+)">[^<]*\(refused until its SERVICE is allowed\)</option>', chooser)
    assert sorted(refused) == sorted(serviced) and "aes-members-wikidata" in refused


def test_non_browsers_still_get_the_service_description(shared):
    response = shared.get("/sparql")
    assert response.status_code == 200 and response.mimetype == "text/turtle"


def test_completions_come_from_this_dataset(shared):
    found = shared.get("/sparql/completions.json").get_json()
    assert {"text": "sahel:Claim", "label": "claim"} in found["class"]
    assert any(entry["text"] == "sahel:provider" for entry in found["property"])
    assert any(entry["text"] == "sk:jnim" and entry["label"] == "JNIM" for entry in found["entity"])


def test_the_editors_completions_are_bounded_and_say_which_kinds_were_cut(make_app):
    """completions.rq asked for every class, property and entity in one query: 24-36 s at 1M statements, each
    time the editor opened. Three bounded queries now, read once per version, and a kind cut is said."""
    from api.query_ui import MOST_COMPLETIONS

    base, label = "https://sahel-kg.example.org/", "<http://www.w3.org/2000/01/rdf-schema#label>"
    seed = "<http://example.org/many> {\n" + "".join(
        f'<{base}id/many-{i}> {label} "many {i}" .\n' for i in range(MOST_COMPLETIONS + 5)) + "}\n"
    found = make_app(seed=seed).test_client().get("/sparql/completions.json").get_json()
    assert len(found["entity"]) == MOST_COMPLETIONS and found["cut"] == ["entity"]
    assert {"text": "sahel:Claim", "label": "claim"} in found["class"]
    assert len({entry["text"] for entry in found["entity"]}) == MOST_COMPLETIONS  # one entry a term


def test_the_query_editor_asks_no_other_host():
    """YASGUI fetches prefix.cc and LOV unless told not to: the completers are replaced with our own."""
    script = (STATIC / "query-ui.js").read_text(encoding="utf-8")
    for name in ("class", "property", "prefixes"):
        assert f'"{name}"' in script
    assert "prefixCcApi = undefined" in script
    assert not re.search(r"https?://", script)


@pytest.mark.parametrize("folder", sorted(path.name for path in (STATIC / "vendor").iterdir()))
def test_every_vendored_package_has_its_licence_and_source(folder):
    files = {path.name for path in (STATIC / "vendor" / folder).iterdir()}
    assert re.fullmatch(r"[a-z-]+-\d+\.\d+\.\d+", folder)
    assert any(name.startswith("LICENSE") for name in files) and "SOURCE.md" in files
    source = (STATIC / "vendor" / folder / "SOURCE.md").read_text(encoding="utf-8")
    assert folder.rsplit("-", 1)[1] in source


def test_without_javascript_the_query_page_runs_each_example_and_hides_what_needs_scripts(shared):
    """The noscript form offers every example; each runs as CSV (SERVICE examples aside: refused here)."""
    import html
    text = shared.get("/sparql", headers=BROWSER).get_data(as_text=True)
    options = re.findall(r'<option value="((?:[^"])*?)">', text.split('id="example-query"')[1].split("</select>")[0])
    examples = sorted(QUERIES_DIR.glob("*.rq"))
    assert len(options) == len(examples)
    for option in options:
        query = html.unescape(option)
        if "SERVICE" in query:
            continue
        answer = shared.get("/sparql", query_string={"query": query, "format": "csv"})
        assert answer.status_code == 200, (query[:60], answer.status_code)
    assert '<p class="controls needs-js">' in text and ".needs-js { display: none; }" in text


def test_each_actor_has_its_most_specific_type_and_each_relationship_its_own_name(shared):
    found = edges(shared)
    types = {}
    for row in found:
        for end in ("from", "to"):
            if row.get(end + "Type"):
                types.setdefault(row[end], set()).add(row[end + "Type"].rsplit("#", 1)[-1])
    assert types[SK + "jnim"] == {"JihadistGroup"} and types[SK + "isgs"] == {"JihadistGroup"}
    assert all(len(kinds) == 1 for kinds in types.values()), types  # one row per edge, claim and status
    ceased = {row["edgeLabel"] for row in found if row.get("statusLabel") == "ceased"}
    assert any("broader" in label for label in ceased)  # the article's word is kept


def test_robots_txt_keeps_crawlers_to_the_pages_and_documents(shared):
    """/robots.txt was a 404 problem document, read as no rules at all: a crawler ran every linked query (helper-193)."""
    from urllib.robotparser import RobotFileParser

    response = shared.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    rules = RobotFileParser()
    rules.parse(response.get_data(as_text=True).splitlines())
    for path in ("/", "/id/mali", "/id/mali.ttl", "/claim/aes-members", "/timeline", "/dump.nq.gz"):
        assert rules.can_fetch("AnyBot", path), path
    for path in ("/sparql?query=ASK%20%7B%7D", "/store", "/reconcile?queries=%7B%7D", "/search?q=Mali"):
        assert not rules.can_fetch("AnyBot", path), path
