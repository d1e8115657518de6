"""Words with combining marks (text in decomposed form, as macOS and many keyboards send it) are searched as the
same words composed: the mark belongs to its letter, as FTS5's tokenizer has it, and splits no word in two."""

from __future__ import annotations

import pytest

from api_fixtures import *  # noqa: F401,F403
from kg.search import match_expression


@pytest.mark.parametrize("decomposed, composed", [("Ma\u0301li", "M\u00e1li"), ("Co\u0302te", "C\u00f4te"),
                                                 ("Burkina Fa\u0301so", "Burkina F\u00e1so")])
def test_a_decomposed_word_finds_what_its_composed_form_finds(shared, decomposed, composed):
    """It did not: `Ma` + U+0301 + `li` was searched as the words "ma" and "li" (anything with "many" and "likely")."""
    found = shared.get("/search", query_string={"q": decomposed}).get_json()["results"]
    assert found == shared.get("/search", query_string={"q": composed}).get_json()["results"]
    assert decomposed != "Ma\u0301li" or found[0]["iri"].endswith("/id/mali")


def test_a_mark_stays_with_its_letter_even_with_no_composed_form():
    assert match_expression("x\u0301 y") == '"x\u0301"* AND "y"*'
    assert match_expression("Ma\u0301li") == '"M\u00e1li"*'
