"""kg/store/sparql_json.py: SPARQL JSON results from a remote engine, read as they arrive."""
from __future__ import annotations

import pytest

from kg.store.sparql_json import MalformedAnswer, read


@pytest.mark.parametrize("value, expected", [("true", True), ("false", False)])
def test_an_ask_answer_is_its_boolean(value, expected):
    assert read([b'{"head": {}, "boolean": ' + value.encode() + b"}"]) == (expected, None)


@pytest.mark.parametrize("value", ['"false"', '"yes"', "0", "1", "null", "[]", '{"a": 1}'])
def test_a_boolean_that_is_no_json_boolean_is_a_malformed_answer(value):
    """SPARQL 1.1 Query Results JSON: "boolean" is true or false; "false" (a string) read as true before."""
    with pytest.raises(MalformedAnswer, match="boolean"):
        read([b'{"head": {}, "boolean": ' + value.encode() + b"}"])


@pytest.mark.parametrize("head", ['{"vars": "ab"}', '{"vars": [1, null]}', '{"vars": ["a", "a"]}', '{"vars": {"a": 1}}',
                                  '{"vars": ["a b"]}', '[]'])
def test_a_head_whose_vars_are_no_list_of_variable_names_is_a_malformed_answer(head):
    """vars "ab" was read as the variables a and b; [1, null] went on to a TypeError (a traceback from
    kg query --endpoint) in every format that writes the head."""
    document = '{"head": ' + head + ', "results": {"bindings": [{"a": {"type": "literal", "value": "x"}}]}}'
    with pytest.raises(MalformedAnswer, match="vars"):
        variables, rows = read([document.encode()])
        list(rows)


def test_a_head_without_vars_has_no_variables():
    assert read([b'{"head": {}, "results": {"bindings": []}}'])[0] == []


XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize("value, datatype, expected", [
    ("1.0", None, ("1.0", "decimal")), ("1.50", "decimal", ("1.50", "decimal")), ("2", None, ("2", "integer")),
    ("-2.5E3", None, ("-2.5E3", "double")), ("1.0", "double", ("1.0", "double")), ("true", None, ("true", "boolean")),
    ('"1.5"', "decimal", ("1.5", "decimal")), ('"1.0E0"', "double", ("1.0E0", "double")),
])
def test_a_number_value_keeps_its_text_and_datatype(value, datatype, expected):
    """An engine writing a literal's value as a JSON number: 1.0 became "1"^^xsd:double, which reads as an integer,
    and 1.50 typed xsd:decimal was refused as no RDF term; the text is kept, with its datatype or SPARQL's for it."""
    typed = f', "datatype": "{XSD}{datatype}"' if datatype else ""
    document = '{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": ' + value + \
        typed + '}}]}}'
    chunks = [document.encode()[:at] for at in (len(document) // 2,)] + [document.encode()[len(document) // 2:]]
    (term,), = read(chunks)[1]
    assert (term.value, term.datatype.value) == (expected[0], XSD + expected[1])


@pytest.mark.parametrize("binding", ['{"type": "uri", "value": 5}', '{"type": "literal", "value": "a", "xml:lang": 1}',
                                     '{"type": "literal", "value": "1", "datatype": 5}'])
def test_a_number_where_a_string_goes_is_a_malformed_answer(binding):
    with pytest.raises(MalformedAnswer, match="is a number, where a string goes"):
        list(read([('{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": ' + binding + '}]}}').encode()])[1])


DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize("document", [
    b'{"head": {"vars": ["x"], "link": ' + DEEP + b'}, "results": {"bindings": []}}',  # in the head
    b'{"head": {"vars": ["x"]}, "extra": ' + DEEP + b', "results": {"bindings": []}}',  # an extension's member
    b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": ' + DEEP + b'}]}}',  # in a binding
])
def test_values_nested_too_deeply_are_a_malformed_answer(document):
    """An endpoint's [[[[...]]]] raised RecursionError, which no caller expects: a SERVICE call or a remote store's
    answer ended as a 500 with a traceback rather than a 502 saying the answer was unreadable (helper-176)."""
    with pytest.raises(MalformedAnswer, match="nested"):
        variables, rows = read([document[:4096], document[4096:]])
        list(rows or [])
