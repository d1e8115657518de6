"""A value bound to a variable whose type the query declares (`# binding: ?asOf default "…"^^xsd:date`) must be
of that type and valid, or the query is refused naming the variable, the value and the type
(kg/binding_types.py), in the console (`--bind`, exit 2) and in the query service every caller goes through."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from kg.errors import BindingTypeError
from kg.paths import QUERIES_DIR
from kg.query import QueryService
from kg.store.oxigraph import OxigraphStore
from test_loading import installed, kg, spec  # noqa: F401  (fixtures)

XSD = "http://www.w3.org/2001/XMLSchema#"
WRONG = [("2025-10-01", '"2025-10-01", a plain string: write it "2025-10-01"^^xsd:date'),
         ('"2025-02-30"^^xsd:date', '"2025-02-30"^^xsd:date, which is no valid xsd:date'),
         ('"2025-10-01T00:00:00"^^xsd:dateTime', "an xsd:dateTime"),
         ("2025", "an xsd:integer"),
         ("2025-02-30", '"2025-02-30", a plain string')]


@pytest.mark.parametrize("example", ["as-of-status.rq", "held-as-of.rq"])
@pytest.mark.parametrize("value, said", WRONG, ids=["text", "no-day", "datetime", "integer", "text-no-day"])
def test_a_wrongly_typed_bind_is_refused_naming_variable_value_and_type(spec, example, value, said):
    result = kg("query", "--store", spec, "-f", QUERIES_DIR / example, "--bind", f"asOf={value}", "--format", "csv")
    assert result.exit_code == 2 and result.stdout == "", result.output
    assert "?asOf takes an xsd:date (the query's `# binding:` line 3), but was given" in result.stderr
    assert said in result.stderr


def test_only_a_declared_type_is_checked_and_a_value_of_it_answers(spec):
    example = QUERIES_DIR / "as-of-status.rq"
    refused = kg("query", "--store", spec, "-f", example, "--bind", "asOf=2025-02-30", "--format", "csv")
    assert refused.exit_code == 2, refused.output
    undeclared = example.read_text(encoding="utf-8").replace("# binding:", "# (binding)")
    result = kg("query", "--store", spec, "-q", undeclared, "--bind", "asOf=2025-02-30", "--format", "csv")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 33, result.output  # as before: no check
    result = kg("query", "--store", spec, "-f", example, "--bind", 'asOf="2025-10-01"^^xsd:date', "--format", "csv")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 33, result.output
    assert all(line.split(",")[1] for line in result.stdout.splitlines()[1:])  # every ?holding filled in


@pytest.fixture(scope="module")
def service():
    return QueryService(OxigraphStore())


def date(text: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + "date"))


@pytest.mark.parametrize("value", ["2025-10-01", 20251001, date("2025-02-30"),
                                   ox.Literal("2025-10-01T00:00:00", datatype=ox.NamedNode(XSD + "dateTime"))],
                         ids=["str", "int", "no-day", "datetime"])
def test_the_query_service_refuses_what_the_console_refuses(service, value):
    text = (QUERIES_DIR / "held-as-of.rq").read_text(encoding="utf-8")
    with pytest.raises(BindingTypeError, match=r"^\?asOf takes an xsd:date"):
        service.query(text, bindings={"asOf": value})
    assert service.query(text, bindings={"asOf": date("2025-10-01")}).rows == []  # the store is empty


def test_an_iri_or_a_decimal_declared_takes_an_iri_or_any_number(service):
    text = ('# binding: ?who default sk:mali\n# binding: ?n default 1.5\n'
            'SELECT ?who ?n WHERE { BIND (1 AS ?one) }')
    assert service.query(text, bindings={"who": ox.NamedNode("http://example.org/x"), "n": 3}).rows
    with pytest.raises(BindingTypeError, match=r"\?who takes an IRI .* line 1\), but was given \"mali\", which is no IRI"):
        service.query(text, bindings={"who": "mali"})
    assert service.query(text, bindings={"n": 1.5}).rows  # a double: numbers of any type compare
    table = (("who", "n"), [(None, 2), (ox.NamedNode("http://example.org/y"), "two")])  # a VALUES table too
    with pytest.raises(BindingTypeError, match=r'\?n .* "two", a plain string'):
        service.query(text, bindings={table[0]: table[1]})


def test_a_plain_string_for_a_language_tagged_default_is_not_advised_a_datatype_no_one_may_write():
    """`"b"^^rdf:langString` is no literal (a language-tagged string has a tag); --bind itself refuses it."""
    store = OxigraphStore(None)
    query = '# binding: ?x default "a"@en\nSELECT ?x WHERE { }'
    with pytest.raises(BindingTypeError) as refused:
        QueryService(store).query(query, bindings={"x": ox.Literal("b")})
    assert "rdf:langString" not in str(refused.value).split("but was given")[1], str(refused.value)
    assert "language tag" in str(refused.value)
    store.close()


@pytest.mark.parametrize("default, given", [("1.5", '"1.5e3"^^xsd:double'), ("3", '"3"^^xsd:int'),
                                            ('"P1D"^^xsd:duration', '"PT2H"^^xsd:dayTimeDuration')])
def test_a_number_binds_where_a_number_is_declared_and_a_duration_where_a_duration_is(default, given):
    """SPARQL compares numbers of any numeric type, and durations of either kind: a double was refused where
    the README says a number default takes any number."""
    from kg.binding_types import check_bindings
    from kg.bindings import parse_term
    from kg.namespaces import PREFIXES

    sparql = f"# binding: ?x default {default}\nSELECT ?v {{ BIND(?x AS ?v) }}"
    check_bindings(sparql, {"x": parse_term(given, PREFIXES)}, PREFIXES)


@pytest.mark.parametrize("day, valid", [("0000-01-01", True), ("0000-02-29", True), ("-0001-02-29", False),
                                        ("-0004-02-29", True), ("12024-02-30", False), ("00001-01-01", False),
                                        ("2023-02-29", False), ("2024-13-01", False)])
def test_year_zero_is_a_year_and_every_year_has_a_calendar(service, day, valid):
    """XSD 1.1 counts 0000 (1 BCE, a leap year): `asOf=0000-01-01` was refused as no valid xsd:date, since
    Python's date stops at year 1, while negative and five-digit years went unchecked ("-0001-02-29")."""
    text = (QUERIES_DIR / "held-as-of.rq").read_text(encoding="utf-8")
    if valid:
        service.query(text, bindings={"asOf": date(day)})
    else:
        with pytest.raises(BindingTypeError, match="which is no valid xsd:date"):
            service.query(text, bindings={"asOf": date(day)})


def test_year_zero_binds_in_the_console(spec):
    result = kg("query", "--store", spec, "-f", QUERIES_DIR / "as-of-status.rq", "--bind",
                'asOf="0000-01-01"^^xsd:date', "--format", "csv")
    assert result.exit_code == 0, result.output


GIVEN_BY_THE_QUERY = [("SELECT ?x WHERE { BIND (1 AS ?x) }", "a BIND at line 1, column 19"),
                      ("SELECT (1 AS ?x) WHERE { }", "an (expression AS ?name) of SELECT at line 1, column 14"),
                      ("SELECT (COUNT(*) AS ?n)\nWHERE { ?s ?p ?o }\nGROUP BY (STR(?s) AS ?x)",
                       "an (expression AS ?name) of GROUP BY at line 3, column 22")]


@pytest.mark.parametrize("text, giver", GIVEN_BY_THE_QUERY, ids=["bind", "select-as", "group-by-as"])
def test_a_variable_the_query_gives_a_value_itself_is_refused_naming_where(spec, service, text, giver):
    """`--bind x=3` on `SELECT ?x WHERE { BIND (1 AS ?x) }` exited 1 with `line 1, column 34: The query does not go
    on like this here`, the text's end, where the user's query is whole: the fault was the VALUES block put in."""
    result = kg("query", "--store", spec, "-q", text, "--bind", "x=3", "--format", "csv")
    assert result.exit_code == 2 and result.stdout == "", result.output
    assert f"?x cannot be bound: the query gives it a value of its own, by {giver}" in result.stderr, result.stderr
    with pytest.raises(BindingTypeError, match=re.escape(giver)):  # every caller of the query service: a 400
        service.query(text, bindings={"x": 3})


@pytest.mark.parametrize("text", ["SELECT ?x WHERE { { BIND (1 AS ?x) } }",
                                  "SELECT ?x WHERE { { SELECT (1 AS ?x) { } } }",
                                  "SELECT ?x ?y WHERE { BIND (1 AS ?y) }"])
def test_a_variable_given_a_value_in_an_inner_group_only_still_binds(service, text):
    """There the bound value joins with the group's, as SPARQL has it: no second value in one group."""
    service.query(text, bindings={"x": 1})
