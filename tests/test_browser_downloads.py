"""The query editor's download links: each in a format the query's form can take, named for that format."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_session import browser, server, visit  # noqa: F401 (fixtures)

TABLE = [("text/csv", "result.csv"), ("application/sparql-results+json", "result.json")]
GRAPH = [("application/n-triples", "result.nt"), ("application/ld+json", "result.jsonld")]
FORMS = {  # a query -> what each of its two download links gives and the name it is saved under
    "SELECT ?s WHERE { ?s a sahel:State } LIMIT 2": TABLE,
    "ASK { ?s ?p ?o }": TABLE,
    "PREFIX sk: <https://sahel-kg.example.org/id/> CONSTRUCT { sk:mali ?p ?o } WHERE { sk:mali ?p ?o }": GRAPH,
    "BASE <https://sahel-kg.example.org/id/> DESCRIBE <mali>": GRAPH,
    "# the state's statements\nDESCRIBE <https://sahel-kg.example.org/id/mali>": GRAPH,
}


def run_and_wait(page, text: str) -> None:
    """Run `text` in the editor and return once its answer has come back."""
    page.evaluate("text => window.sahelYasgui.getTab().getYasqe().setValue(text)", text)
    with page.expect_response(lambda response: response.request.method == "POST" and "/sparql" in response.url):
        page.locator(".yasqe_queryButton:visible").click()


@pytest.mark.parametrize("query", list(FORMS))
def test_each_download_link_gives_the_querys_answer_under_a_name_for_its_format(visit, query):
    """A CONSTRUCT after a PREFIX on its own line was offered as CSV (a 406), and graphs saved as result.csv."""
    page = visit().open("/sparql")
    run_and_wait(page, query)
    base = page.url.split("/sparql")[0]
    for link, (media_type, name) in zip(page.locator("#downloads a").all(), FORMS[query]):
        answer = page.request.get(base + link.get_attribute("href"))
        assert answer.status == 200 and answer.headers["content-type"].startswith(media_type), answer.text()[:300]
        assert link.get_attribute("download") == name


def test_an_update_offers_no_download(visit):
    """An update was offered as a CSV download of itself, which the server can only refuse."""
    session = visit()
    session.allowed.append("status of 4")  # this server takes no updates, and says so
    page = session.open("/sparql")
    run_and_wait(page, "INSERT DATA { <urn:h:a> <urn:h:b> <urn:h:c> }")
    assert page.locator("#downloads").is_hidden()
    run_and_wait(page, "SELECT ?s WHERE { ?s a sahel:State } LIMIT 2")
    assert page.locator("#downloads").is_visible()
    run_and_wait(page, "DELETE WHERE { ?s ?p ?o }")
    assert page.locator("#downloads").is_hidden()


def test_a_query_too_long_for_a_link_downloads_whole(visit):
    """A query past the server's URI limit was a download of a 414 (the links ask by GET); a click now posts it."""
    page = visit().open("/sparql")
    values = " ".join(f"<urn:h:{number}>" for number in range(1500))
    run_and_wait(page, f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} }}")
    with page.expect_download() as started:
        page.locator("#download-csv").click()
    download = started.value
    assert download.failure() is None and download.suggested_filename == "result.csv"
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "x" and lines[1:] == [f"urn:h:{number}" for number in range(1500)]
