"""Literals in the browser views show their text as it is: never filled in as a template, never read as markup."""

from __future__ import annotations

import pytest

from browser_session import browser, server, visit  # noqa: F401 (fixtures)

# Text YASR's parser filled in as a template ({{…}}), and text a view could read as markup or a JS template.
HOSTILE = ["a {{b}} c", "{{ text }}", "x {{nothing}} y", "<script>window.ran = 1</script>", "${window.ran = 2}",
           "&amp; &lt;", "<b>bold</b><img src=x>", "<!-- hidden -->", "}} {{"]


def sparql_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


QUERY = "SELECT ?text ?tagged WHERE { VALUES ?text { %s } BIND(STRLANG(?text, \"en\") AS ?tagged) }" % " ".join(
    sparql_string(text) for text in HOSTILE)


def run(page, accept: str | None = None) -> list[str]:
    """Run QUERY in the editor (asking for `accept`) and give the table's literal cells, row by row."""
    if accept:
        page.evaluate("accept => { window.sahelYasgui.getTab().setRequestConfig({acceptHeaderSelect: accept}); }", accept)
    page.evaluate("text => window.sahelYasgui.getTab().getYasqe().setValue(text)", QUERY)
    page.evaluate("() => window.sahelYasgui.getTab().getYasr().selectPlugin('table')")
    page.locator(".yasqe_queryButton:visible").click()
    page.locator(".yasr:visible .dataTable tbody tr").nth(len(HOSTILE) - 1).wait_for()
    return page.locator(".yasr:visible .dataTable tbody td .nonIri").all_inner_texts()


@pytest.mark.parametrize("accept", [None, "application/sparql-results+xml"])
def test_the_query_results_show_literals_verbatim_in_every_view(visit, accept):
    """`SELECT ("a {{b}} c" AS ?x) {}` was shown as "a b c": YASR's parser fills in {{name}} in literals."""
    page = visit().open("/sparql")
    cells = run(page, accept)
    plain, tagged = cells[0::2], cells[1::2]
    assert sorted(plain) == sorted(HOSTILE)
    assert sorted(tagged) == sorted(f'"{text}"@en' for text in HOSTILE)
    assert page.evaluate("() => window.ran") is None
    assert page.locator(".yasr:visible .dataTable tbody b, .yasr:visible .dataTable tbody img").count() == 0
    # YASR's own download of the table holds the same text.
    csv = page.evaluate("() => window.sahelYasgui.getTab().getYasr().results.asCsv()")
    assert all(text.replace('"', '""') in csv for text in HOSTILE)
    # the raw view shows the response as it came
    page.locator(".yasr:visible .select_response").click()
    raw = page.locator(".yasr:visible .CodeMirror").first
    raw.wait_for()
    page.evaluate("() => { const more = document.querySelector('.yasr .overlay_content button'); if (more) more.click(); }")
    shown = raw.inner_text()
    assert "a {{b}} c" in shown and "x {{nothing}} y" in shown
