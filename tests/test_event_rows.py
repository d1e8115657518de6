"""`kg events load` refuses rows whose values would not reach the graph as given: an empty cell that leaves out
a term other cells of its row give (a place without its country), a `year` that is not `event_date`'s, coordinates
off the Earth; and it keeps values morph-kgc would read as missing ("nan"). `kg validate` checks coordinates too."""

from __future__ import annotations

import pytest

from build_fixtures import run_kg
from kg.events import load_events
from kg.store import open_store
from test_events import FIXTURE, edited_fixture, refusal, require_morph_kgc

PLACE = "https://sahel-kg.example.org/place/acled/"


@pytest.fixture(autouse=True)
def morph_kgc():
    require_morph_kgc()


@pytest.mark.parametrize("column, left_out", [
    ("country", 'Place "https://sahel-kg.example.org/place/acled/{country}/{admin1}/{location}" would be left out '
                "with its location, admin1, latitude, longitude"),
    ("admin1", "Place \"https://sahel-kg.example.org/place/acled/{country}/{admin1}/{location}\" would be left out "
               "with its location, latitude, longitude"),
    ("location", 'label "{event_type}, {location}, {event_date}" would be left out'),
    ("event_type", 'label "{event_type}, {location}, {event_date}" would be left out'),
])
def test_an_empty_cell_that_other_cells_hang_on_refuses_the_table(tmp_path, column, left_out):
    """An empty `country` dropped the row's place with its name, admin1 and coordinates (9 triples for 25),
    silently; every template of the mapping is checked alike, naming the row and what would be lost."""
    table = edited_fixture(tmp_path / "gap.csv", [("event_id_cnty", "FIX001"), (column, "")])
    message = refusal(table)
    assert message.startswith(f"{table}: 1 row(s) cannot be read as events")
    assert f"line 3 has no {column}, so its {left_out}" in message


def test_empty_cells_that_leave_nothing_else_out_load(tmp_path):
    """No second actor, no notes, no source: those facts are simply not there."""
    table = edited_fixture(tmp_path / "sparse.csv", [("actor2", ""), ("notes", ""), ("source", "")])
    with open_store("memory:") as store:
        assert load_events(store, table).events == 8


def test_a_value_spelled_nan_is_kept(tmp_path):
    """morph-kgc reads "nan" as no value by default: a place so named lost its IRI and every fact of it."""
    table = edited_fixture(tmp_path / "nan.csv", [("location", "nan"), ("actor1", "nan")])
    with open_store("memory:") as store:
        whole = load_events(store, FIXTURE, graph="https://example.org/graph/whole").triples
    with open_store("memory:") as store:
        assert load_events(store, table).triples == whole + 2  # the actor "nan" is a name of its own: type, label
        assert list(store.query(f"SELECT ?p WHERE {{ GRAPH ?g {{ <{PLACE}Mali/Mopti/nan> ?p ?o }} }}"))


def test_a_year_that_is_not_the_event_dates_refuses_the_table(tmp_path):
    table = edited_fixture(tmp_path / "year.csv", [("year", "2019"), ("year", "2023"), ("year", "twenty")])
    message = refusal(table)
    assert message.startswith(f"{table}: 2 row(s) cannot be read as events")
    assert "line 2 has year '2019', but its event_date 2023-02-10 is of 2023" in message
    assert "line 4 has year 'twenty', but its event_date 2024-01-15 is of 2024" in message
    assert "line 3" not in message


def test_coordinates_off_the_earth_refuse_the_table_each_named(tmp_path):
    table = edited_fixture(tmp_path / "far.csv", [("latitude", "95"), ("longitude", "200"), ("latitude", "-90.5"),
                                                   ("latitude", "90"), ("longitude", "-180.0")])
    message = refusal(table)
    assert message.startswith(f"{table}: 3 value(s) lie outside the bounds the shapes give their property")
    for shown in ('latitude> "95" is not >= -90 and <= 90', 'longitude> "200" is not >= -180 and <= 180',
                  'latitude> "-90.5" is not >= -90 and <= 90'):
        assert shown in message
    assert '"90"' not in message and '"-180.0"' not in message


def test_kg_validate_reports_coordinates_off_the_earth(tmp_path):
    data = tmp_path / "places.ttl"
    data.write_text("@prefix schema: <https://schema.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
                    '<https://example.org/far> schema:latitude "95"^^xsd:decimal ; schema:longitude 200.0 .\n'
                    '<https://example.org/near> schema:latitude -90.0 ; schema:longitude 180.0 .\n', encoding="utf-8")
    result = run_kg("validate", data)
    assert result.exit_code == 1, result.output
    assert "<https://example.org/far> schema:latitude: a place's latitude is a decimal number of degrees from -90 " \
           "to 90" in result.output
    assert "<https://example.org/far> schema:longitude" in result.output and "example.org/near" not in result.output


def test_a_subjects_cell_with_spaces_around_it_refuses_the_table(tmp_path):
    """"FIX001 " made the event <…/FIX001%20>, which a clean export of the same table would not find again (its
    events loaded beside it, counts doubled); so did " Mali" for the place and the country."""
    table = edited_fixture(tmp_path / "padded.csv", [("event_id_cnty", "FIX001 "), ("country", " Niger")])
    message = refusal(table)
    assert message.startswith(f"{table}: 2 row(s) cannot be read as events")
    assert "line 2 has event_id_cnty 'FIX001 ', with spaces around it, which would name a subject other than " \
           "'FIX001'" in message
    assert "line 3 has country ' Niger', with spaces around it" in message


def test_a_header_name_with_spaces_around_it_is_said_so(tmp_path):
    """morph-kgc reads ' event_date ' as a column of its own, and failed in pandas' words ("Usecols do not match")."""
    table = tmp_path / "header.csv"
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    table.write_text("\n".join([lines[0].replace(",event_date,", ", event_date ,"), *lines[1:]]) + "\n",
                     encoding="utf-8")
    message = refusal(table)
    assert "reads columns the table lacks: event_date (the header has ' event_date ', with spaces around it)" \
        in message and "Usecols" not in message


@pytest.mark.parametrize("mark, named", [(";", "semicolons"), ("\t", "tabs")])
def test_a_table_split_by_another_delimiter_is_said_so(tmp_path, mark, named):
    """A CSV saved with semicolons (many locales' spreadsheets) was told only as every column missing (helper-196)."""
    table = tmp_path / "semicolons.csv"
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    table.write_text("\n".join(line.replace(",", mark) for line in lines) + "\n", encoding="utf-8")
    message = refusal(table)
    assert "reads columns the table lacks" in message and f"split by {named}, not commas" in message


@pytest.mark.parametrize("first", [True, False], ids=["first-column", "later-column"])
def test_a_semicolon_table_with_a_quoted_comma_in_its_header_is_said_so(tmp_path, first):
    """A header such as '"notes, free text";event_date;…' holds a comma, inside quotes: no hint was given; nor, once
    that was mended, for the comma in a later column ('event_id;"location, name";…', helper-203)."""
    table = tmp_path / "semicolons.csv"
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    added = '"notes, free text"'
    rows = [added + ";" + lines[0].replace(",", ";") if first else lines[0].replace(",", ";") + ";" + added]
    rows += [";" + line.replace(",", ";") if first else line.replace(",", ";") + ";" for line in lines[1:]]
    table.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert "split by semicolons, not commas" in refusal(table)
