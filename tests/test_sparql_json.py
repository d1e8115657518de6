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
