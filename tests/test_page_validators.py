"""Pages' validators follow the software as well as the data: after an upgrade that changes a template, and
no write, a client revalidating its copy gets the new page, not 304; the home page and the list of articles
have validators and answer 304 like the documents do."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

import pytest

import api
import kg
from api.backend import Version
from api_fixtures import *  # noqa: F401,F403
from kg.paths import ONTOLOGY_DIR

PAGES = ["/", "/id/jnim.html", "/id/jnim.ttl", "/.well-known/void", "/sparql?query=ASK%7B%7D"]
SERVE = """
import json, sys
import api
app = api.create_app({"STORE": "oxigraph:" + sys.argv[1], "INSTALL_ARTICLE": False, "QUERY_WORKERS": 1,
                      "TESTING": True})
client, asked, answers = app.test_client(), json.loads(sys.argv[2]), {}
for path in asked:
    got = client.get(path, headers=asked[path])
    answers[path] = [got.status_code, got.headers.get("ETag"), got.headers.get("Last-Modified")]
app.extensions["sahel-kg"].close()
print(json.dumps(answers))
"""
SECOND_SOURCE = """
@prefix sahel: <https://sahel-kg.example.org/ontology#> .
@prefix schema: <http://schema.org/> .
<http://example.org/g> { <http://example.org/second> a sahel:SourceDocument ; schema:text "Another." . }
"""


def installed_copy(folder: Path) -> Path:
    """The api and kg packages (the ontology inside kg, as installed) copied under `folder`."""
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(Path(api.__file__).parent, folder / "api", ignore=skip)
    shutil.copytree(Path(kg.__file__).parent, folder / "kg", ignore=skip)
    if not (folder / "kg" / "ontology").exists():
        shutil.copytree(ONTOLOGY_DIR, folder / "kg" / "ontology", ignore=skip)
    return folder


def served(software: Path, store: Path, asked: dict) -> dict:
    """What `software` (a folder holding api and kg) answers to GET each path with its headers, on `store`."""
    done = subprocess.run([sys.executable, "-c", SERVE, str(store), json.dumps(asked)], cwd=software,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_an_upgrade_that_changes_a_template_makes_page_validators_stale(tmp_path, article_store):
    store = tmp_path / "store"
    shutil.copytree(article_store, store)
    before = served(installed_copy(tmp_path / "before"), store, {path: {} for path in PAGES})
    assert all(status == 200 and etag for status, etag, _ in before.values()), before
    after = installed_copy(tmp_path / "after")
    base = after / "api" / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8") + "<!-- upgraded -->\n", encoding="utf-8")
    # A copy fetched now, and an upgrade a minute later (no sleep: the file's time says when it changed).
    fetched = time.time()
    os.utime(base, (fetched + 60, fetched + 60))
    since = {"If-Modified-Since": formatdate(fetched, usegmt=True)}
    for path, (_, etag, _) in before.items():
        again = served(after, store, {path: {"If-None-Match": etag}})[path]
        assert again[0] == 200 and again[1] != etag, (path, again)
        assert served(after, store, {path: since})[path][0] == 200, path
    # The same software on the same data: the same validators, and 304.
    same = served(tmp_path / "before", store, {path: {"If-None-Match": etag} for path, (_, etag, _) in before.items()})
    assert all(status == 304 and same[path][1] == before[path][1] for path, (status, _, _) in same.items()), same


@pytest.mark.parametrize("seed, path", [(None, "/"), (SECOND_SOURCE, "/article")])
def test_the_home_page_and_the_list_of_articles_have_validators_and_answer_304(make_app, seed, path):
    client = make_app(seed=seed).test_client()
    first = client.get(path)
    assert first.status_code == 200 and first.mimetype == "text/html", first.status_code
    etag = first.headers["ETag"]
    assert first.headers["X-Dataset-Version"] and first.headers["Cache-Control"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert (again.status_code, again.data, again.headers["ETag"]) == (304, b"", etag)
    assert client.head(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_the_home_pages_validators_follow_the_origin_it_writes(make_app):
    client = make_app().test_client()
    here = client.get("/", base_url="http://127.0.0.1:8000")
    there = client.get("/", base_url="http://127.0.0.1:9000", headers={"If-None-Match": here.headers["ETag"]})
    assert there.status_code == 200 and there.headers["ETag"] != here.headers["ETag"]


@pytest.mark.parametrize("path", [*PAGES, "/dump.nq.gz"])
def test_if_match_and_if_unmodified_since_that_fail_answer_412(make_app, path):
    """RFC 9110 §13.2.2: If-Match, else If-Unmodified-Since, is evaluated before If-None-Match; a GET whose
    precondition fails is 412, not the 200 these once gave (the fast path for queries left them unread)."""
    client = make_app().test_client()
    etag = client.get(path).headers["ETag"]
    old = "Sat, 01 Jan 2000 00:00:00 GMT"
    for headers in [{"If-Match": '"other"'}, {"If-Match": "W/" + etag}, {"If-Unmodified-Since": old},
                    {"If-Match": '"other"', "If-None-Match": etag}]:
        answer = client.get(path, headers=headers)
        assert answer.status_code == 412, (headers, answer.status_code)
        assert answer.json["title"] == "Precondition failed"
    later = formatdate(time.time() + 3600, usegmt=True)
    for headers in [{"If-Match": etag}, {"If-Match": f'"other", {etag}'}, {"If-Match": "*"},
                    {"If-Unmodified-Since": later}, {"If-Unmodified-Since": "not a date"},
                    {"If-Match": etag, "If-Unmodified-Since": old}]:  # If-Match is evaluated instead
        assert client.get(path, headers=headers).status_code == 200, headers
    assert client.get(path, headers={"If-Match": etag, "If-None-Match": etag}).status_code == 304


def test_if_match_a_tag_fails_where_the_answer_has_no_etag(make_app, monkeypatch):
    """A remote store (or one briefly away) gives no ETag: If-Match "x" matches none, so 412; "*" still holds."""
    app = make_app()
    monkeypatch.setattr(app.extensions["sahel-kg"], "version", lambda: None)
    client = app.test_client()
    for path in ["/sparql?query=ASK%7B%7D", "/id/jnim.ttl"]:
        assert "ETag" not in client.get(path).headers
        assert client.get(path, headers={"If-Match": '"x"'}).status_code == 412, path
        assert client.get(path, headers={"If-Match": "*"}).status_code == 200, path


@pytest.mark.parametrize("path", PAGES)
def test_an_if_modified_since_later_than_now_is_ignored(make_app, monkeypatch, path):
    """RFC 7232 §3.3: a date later than the server's time is invalid; it gives the 200, not 304."""
    app = make_app()
    backend = app.extensions["sahel-kg"]
    copied = backend.version()  # the copy is seconds old: none has a Last-Modified yet, so a minute older
    monkeypatch.setattr(backend, "version", lambda: Version(copied.number, copied.modified - 60))
    client = app.test_client()
    modified = client.get(path).headers["Last-Modified"]
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304, path
    future = client.get(path, headers={"If-Modified-Since": "Thu, 01 Jan 2099 00:00:00 GMT"})
    assert future.status_code == 200 and future.data, path


@pytest.mark.parametrize("path", PAGES)
def test_a_list_of_dates_is_ignored(make_app, monkeypatch, path):
    """RFC 9110 §13.1.3-4: If-Modified-Since or If-Unmodified-Since holding more than one date is ignored, not
    read as its first date (which once gave 412 or 304)."""
    app = make_app()
    backend = app.extensions["sahel-kg"]
    copied = backend.version()
    monkeypatch.setattr(backend, "version", lambda: Version(copied.number, copied.modified - 60))
    client = app.test_client()
    modified = client.get(path).headers["Last-Modified"]
    old = "Sat, 01 Jan 2000 00:00:00 GMT"
    assert client.get(path, headers={"If-Unmodified-Since": f"{old}, {old}"}).status_code == 200, path
    assert client.get(path, headers={"If-Modified-Since": f"{modified}, {modified}"}).status_code == 200, path


@pytest.mark.parametrize("path", [*PAGES, "/static/site.css"])
def test_a_date_whose_year_no_c_long_holds_is_ignored(shared, path):
    """parsedate_to_datetime raises OverflowError for such a year, which answered 500: it is no HTTP date."""
    huge = "Mon, 01 Jan 99999999999999999999 00:00:00 GMT"
    for name in ("If-Modified-Since", "If-Unmodified-Since", "If-Range"):
        assert shared.get(path, headers={name: huge, "Range": "bytes=0-1"}).status_code in (200, 206), (path, name)


def test_a_date_in_asctime_form_is_gmt_whatever_the_servers_zone(make_app, monkeypatch):
    """An HTTP date without a zone (asctime's form, RFC 9110 §5.6.7) is GMT, not the server's local time."""
    app = make_app()
    backend = app.extensions["sahel-kg"]
    copied = backend.version()
    monkeypatch.setattr(backend, "version", lambda: Version(copied.number, copied.modified - 60))
    client = app.test_client()
    modified = parsedate_to_datetime(client.get("/").headers["Last-Modified"]).timestamp()
    asctime = time.asctime(time.gmtime(modified))
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # nine hours ahead: read as local, the date would be nine hours early
    time.tzset()
    try:
        assert client.get("/", headers={"If-Modified-Since": asctime}).status_code == 304
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize("path", ["/sparql", "/views/network.json", "/openapi.json", "/problems/"])
def test_if_match_a_tag_fails_on_a_route_without_validators(client, path):
    """RFC 9110 §13.1.1: no listed tag matches an answer that has none, so 412 with the problem document (these
    once gave the 200); "*" holds, and a route that answers no 2xx ignores it (§13.2.1)."""
    assert "ETag" not in client.get(path).headers
    for method in ("GET", "HEAD"):
        answer = client.open(path, method=method, headers={"If-Match": '"x"'})
        assert answer.status_code == 412, (path, method)
    assert client.get(path, headers={"If-Match": '"x"'}).json["title"] == "Precondition failed"
    assert client.get(path, headers={"If-Match": "*"}).status_code == 200
    assert client.get("/id/no-such-thing.ttl", headers={"If-Match": '"x"'}).status_code == 404
