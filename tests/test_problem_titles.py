"""One problem type, one title (RFC 9457 §3.1.3): Werkzeug's names ("Not Found", "Bad Request") came under the same
type IRIs as the project's own titles ("Not found", "Bad request"), so a client keying on title saw two."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.exceptions import default_exceptions

from api import create_app
from api.errors import problem_document, slug
from api.rsgi_requests import problem

ROOT = Path(__file__).resolve().parents[1]
RAISED = re.compile(r"(?:Problem\(|_refuse\([^)]*?)\s*\d{3}, \"([^\"]+)\"|\(\w+, \d{3}, \"([^\"]+)\"\)")


def test_every_title_the_code_or_werkzeug_gives_is_the_one_title_of_its_type():
    titles = {name for path in [*ROOT.glob("api/*.py"), *ROOT.glob("kg/*.py")]
              for name in (a or b for a, b in RAISED.findall(path.read_text(encoding="utf-8")))}
    titles |= {error().name for error in default_exceptions.values()}
    assert {"Not found", "Not Found", "Bad Request", "Method Not Allowed"} <= titles  # the scan sees them
    by_type: dict[str, set[str]] = {}
    for title in titles:
        document = problem_document(400, title)
        by_type.setdefault(document["type"], set()).add(document["title"])
        assert document["type"].endswith("/" + slug(document["title"]))
    assert {kind: names for kind, names in by_type.items() if len(names) > 1} == {}


@pytest.fixture(scope="module")
def client():
    return create_app({"STORE": "memory:", "METRICS": False}).test_client()


@pytest.mark.parametrize("path", ["/static/nothing.css", "/metrics", "/id/nothing"])
def test_every_404_has_the_title_not_found(client, path):
    answer = client.get(path)
    assert answer.status_code == 404 and answer.json["title"] == "Not found", answer.json


def test_a_refusal_before_the_app_has_the_apps_title():
    assert b'"title": "Bad request"' in problem(400, "Bad Request", "the request body broke off")


def _sentence_case(title: str) -> bool:
    """A capital first letter, then lower case but for acronyms (URI, JSON, UTF-8)."""
    first, *rest = title.split(" ")
    return first[:1].isupper() and all(word == word.lower() or (word.isupper() and len(word) > 1) for word in rest)


def test_every_problem_title_is_in_sentence_case():
    # Werkzeug's 405 gave "Method Not Allowed" and the code's 412 "Precondition Failed" beside "Not found".
    titles = {name for path in [*ROOT.glob("api/*.py"), *ROOT.glob("kg/*.py")]
              for name in (a or b for a, b in RAISED.findall(path.read_text(encoding="utf-8")))}
    titles |= {error().name for error in default_exceptions.values()}
    assert {"Method Not Allowed", "Malformed JSON", "Not UTF-8"} <= titles
    given = {title: problem_document(400, title)["title"] for title in titles}
    assert {raised: title for raised, title in given.items() if not _sentence_case(title)} == {}
    assert given["Method Not Allowed"] == "Method not allowed" and given["Not UTF-8"] == "Not UTF-8"


def test_a_405_answers_in_sentence_case(client):
    answer = client.delete("/sparql")
    assert answer.status_code == 405 and answer.json["title"] == "Method not allowed", answer.json
