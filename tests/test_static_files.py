"""/static files answer Range and preconditions as RFC 9110 has them (§13.2.2, §14), not as Werkzeug's view did:
a range it may only ignore gives the whole file (200), never 416; preconditions come in their order."""

from __future__ import annotations

import os
import time

import pytest

from api_fixtures import *  # noqa: F401,F403

PATH = "/static/site.css"
OLD = "Sat, 01 Jan 2000 00:00:00 GMT"


@pytest.fixture
def static(client):
    """The client, the file's bytes, its ETag and its Last-Modified."""
    whole = client.get(PATH)
    assert whole.status_code == 200 and whole.headers["Accept-Ranges"] == "bytes"
    return client, whole.data, whole.headers["ETag"], whole.headers["Last-Modified"]


@pytest.mark.parametrize("value", ["bytes=5-1", "bytes=0-1,5-9", "bytes=0-1, 1-2", "items=0-1", "bytes=abc",
                                   "bytes=-", "bytes=", "bytes=0-1,9-5"])
def test_a_range_it_may_only_ignore_gives_the_whole_file(static, value):
    """An invalid range-spec, another unit, several ranges (no multipart here): 200 and every byte (§14.2)."""
    client, body, _, _ = static
    answer = client.get(PATH, headers={"Range": value})
    assert answer.status_code == 200, value
    assert answer.data == body and "Content-Range" not in answer.headers


@pytest.mark.parametrize("value, span", [("bytes=0-1", (0, 1)), ("bytes=5-", (5, -1)), ("bytes=-5", (-5, -1)),
                                         ("BYTES=3-7", (3, 7)), ("bytes=0-999999999", (0, -1)),
                                         ("bytes=-999999999", (0, -1)), ("bytes=, 2-4,", (2, 4))])
def test_one_satisfiable_range_gives_206(static, value, span):
    """One range: 206 with those bytes and their Content-Range; a suffix or an end past the file is cut to it.
    `span`: the first and last byte sent, counted from the end when negative."""
    client, body, _, _ = static
    first, last = (place % len(body) for place in span)
    answer = client.get(PATH, headers={"Range": value})
    assert answer.status_code == 206, value
    assert answer.data == body[first:last + 1]
    assert answer.headers["Content-Range"] == f"bytes {first}-{last}/{len(body)}"


@pytest.mark.parametrize("value", ["bytes=999999-", "bytes=-0", "bytes=999999-9999999,-0"])
def test_no_satisfiable_range_gives_416_with_the_length(static, value):
    client, body, _, _ = static
    answer = client.get(PATH, headers={"Range": value})
    assert answer.status_code == 416, value
    assert answer.headers["Content-Range"] == f"bytes */{len(body)}"
    assert answer.mimetype == "application/problem+json"


@pytest.mark.parametrize("value, status", [("bytes=" + "9" * 5000 + "-", 416), ("bytes=0-" + "9" * 5000, 206),
                                           ("bytes=-" + "9" * 5000, 206), ("bytes=" + "0" * 5000 + "1-2", 206)])
def test_a_number_of_thousands_of_digits_is_read_as_past_the_file(static, value, status):
    """int() refuses a number over 4,300 digits (ValueError: a 500); any past the file's length means the same."""
    client, body, _, _ = static
    answer = client.get(PATH, headers={"Range": value})
    assert answer.status_code == status
    if status == 206:
        assert answer.data == (body[1:3] if value.endswith("1-2") else body)


def test_a_range_on_a_head_is_ignored(static):
    """§14.2: GET is the only method with range handling; a HEAD's answer is the whole file's head."""
    client, body, _, _ = static
    answer = client.head(PATH, headers={"Range": "bytes=0-1"})
    assert answer.status_code == 200 and answer.content_length == len(body)
    assert "Content-Range" not in answer.headers


def test_if_range_gives_the_part_only_for_the_current_strong_tag_or_the_exact_date(static):
    """§13.1.5: a stale tag, the current one marked weak, or a date other than Last-Modified gives the whole."""
    client, body, etag, modified = static
    for validator in ['"stale"', "W/" + etag, OLD, "Fri, 01 Jan 2100 00:00:00 GMT", f"{modified}, {modified}"]:
        answer = client.get(PATH, headers={"Range": "bytes=0-1", "If-Range": validator})
        assert answer.status_code == 200 and answer.data == body, validator
    for validator in [etag, modified]:
        answer = client.get(PATH, headers={"Range": "bytes=0-1", "If-Range": validator})
        assert answer.status_code == 206 and answer.data == body[:2], validator


def test_if_range_with_a_date_gives_the_whole_while_the_file_is_younger_than_a_second(app, client, tmp_path):
    """§8.8.2.2: a Last-Modified within a second of the answer's Date is a weak validator, which If-Range never
    takes (the file may change again within that second, its date unchanged): the 206 came from such a date."""
    app.static_folder = str(tmp_path)
    fresh = tmp_path / "fresh.css"
    fresh.write_bytes(b"body { color: black }")
    os.utime(fresh, (time.time() + 86400, time.time() + 86400))  # a day ahead: young however slow this machine
    modified = client.get("/static/fresh.css").headers["Last-Modified"]
    answer = client.get("/static/fresh.css", headers={"Range": "bytes=0-3", "If-Range": modified})
    assert answer.status_code == 200 and answer.data == fresh.read_bytes()
    os.utime(fresh, (time.time() - 86400, time.time() - 86400))
    modified = client.get("/static/fresh.css").headers["Last-Modified"]
    answer = client.get("/static/fresh.css", headers={"Range": "bytes=0-3", "If-Range": modified})
    assert answer.status_code == 206 and answer.data == b"body"


def test_preconditions_come_in_rfc_9110s_order(static):
    """§13.2.2: If-Match (strong; "*" holds), else If-Unmodified-Since, then If-None-Match (weak), else
    If-Modified-Since; a 412 is the project's problem document, and a 304 stands before any range."""
    client, body, etag, modified = static
    expected = [({"If-Match": "*"}, 200), ({"If-Match": etag}, 200), ({"If-Match": "W/" + etag}, 412),
                ({"If-Match": '"x"'}, 412), ({"If-Unmodified-Since": OLD}, 412),
                ({"If-Match": etag, "If-Unmodified-Since": OLD}, 200),
                ({"If-Match": etag, "If-None-Match": etag}, 304), ({"If-Match": '"x"', "If-None-Match": etag}, 412),
                ({"If-Unmodified-Since": OLD, "If-None-Match": etag}, 412),
                ({"If-None-Match": "W/" + etag}, 304), ({"If-None-Match": '"x"', "If-Modified-Since": modified}, 200),
                ({"If-Modified-Since": modified}, 304), ({"If-None-Match": etag, "Range": "bytes=0-1"}, 304)]
    for headers, status in expected:
        answer = client.get(PATH, headers=headers)
        assert answer.status_code == status, (headers, answer.status_code)
        if status == 412:
            assert answer.json["title"] == "Precondition failed", headers
        if status == 304:
            assert answer.headers["ETag"] == etag and not answer.data, headers
    assert client.head(PATH, headers={"If-None-Match": etag}).status_code == 304


def test_another_sites_page_may_read_a_byte_range_and_when_to_ask_again(client):
    """Content-Range (of a 206 or a 416) and Retry-After are no CORS-safelisted response headers: unexposed, a page
    of another origin could not read them."""
    response = client.get("/static/site.css", headers={"Origin": "https://elsewhere.example", "Range": "bytes=0-3"})
    assert response.status_code == 206
    exposed = {name.strip() for name in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"Content-Range", "Retry-After", "Link"} <= exposed
