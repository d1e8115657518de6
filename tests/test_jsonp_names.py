"""A JSONP callback must be something a script can call: a reserved word (`function`, `new`) is refused (400) as any
other text that is no function name is, while a property named like one (`api.new`) is a call and is taken."""

from __future__ import annotations

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import problem


@pytest.mark.parametrize("callback", ["function", "new", "typeof", "null", "true", "return.x", "class"])
def test_a_reserved_word_is_no_callback(shared, callback):
    """It was taken: /**/function({...}); is a script that does not parse, so the client's call never came."""
    assert "callback" in problem(shared.get("/reconcile", query_string={"callback": callback}), 400)["detail"]


@pytest.mark.parametrize("callback", ["api.new", "this.done", "functions", "$", "_new", "jQuery1_2.done"])
def test_names_that_merely_look_like_reserved_words_are_callbacks(shared, callback):
    answer = shared.get("/reconcile", query_string={"callback": callback})
    assert answer.status_code == 200 and answer.get_data(as_text=True).startswith(f"/**/{callback}(")
