"""Preconditions on answers that carry no ETag (RFC 9110 §13.1.1-2): `*` holds for If-Match and matches for
If-None-Match, since the answer is there; a listed tag never matches. A reconciliation POST only reads, as a GET."""

from __future__ import annotations

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import FORM, problem

UNTAGGED = ["/sparql?format=turtle", "/reconcile", "/views/timeline.json",
            "/sparql?query=SELECT%20(NOW()%20AS%20%3Fnow)%20%7B%7D"]  # NOW(): an answer that is never tagged


@pytest.mark.parametrize("url", UNTAGGED)
def test_if_none_match_star_on_an_untagged_answer_is_304_and_a_tag_list_changes_nothing(shared, url):
    """It was a 200: only answers with an ETag were compared, though `*` needs none."""
    assert shared.get(url).status_code == 200 and "ETag" not in shared.get(url).headers
    unchanged = shared.get(url, headers={"If-None-Match": "*"})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    assert shared.head(url, headers={"If-None-Match": "*"}).status_code == 304
    assert shared.get(url, headers={"If-None-Match": '"some-tag"'}).status_code == 200


def test_a_reconciliation_post_evaluates_its_preconditions_as_a_get_does(shared):
    """It was a 200 whatever the If-Match: the hook that compares tags looked at GET and HEAD only."""
    batch = {"queries": '{"q0": {"query": "JNIM"}}'}
    problem(shared.post("/reconcile", data=batch, content_type=FORM, headers={"If-Match": '"stale"'}), 412)
    problem(shared.post("/reconcile", data=batch, content_type=FORM, headers={"If-None-Match": "*"}), 412)
    assert shared.post("/reconcile", data=batch, content_type=FORM, headers={"If-Match": "*"}).status_code == 200
    assert shared.post("/reconcile", data=batch, content_type=FORM,
                       headers={"If-None-Match": '"stale"'}).status_code == 200


def test_a_post_query_without_a_tag_is_412_to_if_none_match_star(shared):
    problem(shared.post("/sparql", data={"query": "SELECT (NOW() AS ?now) {}"}, content_type=FORM,
                        headers={"If-None-Match": "*"}), 412)
