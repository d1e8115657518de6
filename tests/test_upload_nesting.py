"""Graph Store uploads nested too deep are refused before pyoxigraph parses them: its Turtle and JSON-LD
parsers spend time (JSON-LD memory too) growing with the square of the nesting after the last read, where
UPLOAD_TIMEOUT cannot stop them, and a few thousand levels of JSON-LD overflow the stack of the server
process, which takes the whole server down."""

from __future__ import annotations

import pytest

from kg.untrusted import MAX_NESTING, refuse_deep
from kg.errors import InputLimitError
from live_server import kg_server
from raw_http import http, problem

TOKEN = "u" * 40
DEEP = 5000  # levels: JSON-LD this deep overflowed the stack of the server process


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with kg_server(tmp_path_factory.mktemp("nesting"), env={"SAHEL_KG_UPDATE_TOKEN": TOKEN},
                   enable_updates=True) as url:
        yield url


BODIES = {
    "application/ld+json": '{"@id": "urn:x:a", ' + '"urn:x:p": {' * DEEP + '"@value": "x"' + "}" * DEEP + "}",
    "text/turtle": "<urn:x:a> <urn:x:p> " + "(" * DEEP + ")" * DEEP + " .",
}


@pytest.mark.parametrize("media", BODIES)
def test_a_deeply_nested_upload_is_refused_and_the_server_stays_up(server, media):
    status, headers, body = http(server + "/store?graph=urn:x:deep", method="PUT", data=BODIES[media].encode(),
                                 headers={"Content-Type": media, "Authorization": f"Bearer {TOKEN}"})
    assert "nests more than" in problem(status, headers, body, 413)["detail"]
    assert http(server + "/healthz")[0] == 200


def test_ordinary_nesting_and_brackets_in_strings_pass():
    refuse_deep(b'<urn:x:a> <urn:x:p> "' + b"(" * 500 + b'" , <urn:x:((> . # ' + b"[" * 500 + b"\n"
                + b"<urn:x:a> <urn:x:p> " + b"[ <urn:x:p> " * MAX_NESTING + b"]" * MAX_NESTING + b" .",
                format="turtle")
    refuse_deep(b'{"urn:x:p": "' + b"{" * 500 + b'\\"", "urn:x:q": [' + b"[" * 10 + b"]" * 10 + b"]}", format="jsonld")
    with pytest.raises(InputLimitError):
        refuse_deep(b"[" * (MAX_NESTING + 1), format="jsonld")


@pytest.mark.parametrize("escape", [rb"\#", rb"\'"])
def test_an_escape_in_a_prefixed_name_hides_no_nesting(escape):
    """ex:a\\# read as a comment (ex:a\\' as a string) hid the rest of the line from the count (helper-91)."""
    deep = b"@prefix ex: <urn:x:> . ex:s ex:p ex:a" + escape + b" , " + b"[ ex:p " * (MAX_NESTING + 1) + \
        b"]" * (MAX_NESTING + 1) + b" ."
    with pytest.raises(InputLimitError):
        refuse_deep(deep, format="turtle")


def test_escaped_brackets_in_a_prefixed_name_are_no_nesting():
    refuse_deep(b"@prefix ex: <urn:x:> . ex:s ex:p ex:a" + rb"\(" * (MAX_NESTING + 1) + b" .", format="turtle")


def test_an_iri_with_a_unicode_escape_hides_no_nesting():
    """<http://e/a\\u0041#x> was no IRI to the guard, and its '#' began a comment over the rest (helper-96)."""
    deep = rb"<http://e/a\u0041#x> <http://e/p> " + b"( " * (MAX_NESTING + 1) + b")" * (MAX_NESTING + 1) + b" ."
    with pytest.raises(InputLimitError):
        refuse_deep(deep, format="turtle")
