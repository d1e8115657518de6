"""Literals in the browser views show their text as it is (never filled in as a template, never read as
markup) and isolated for their direction where JavaScript builds the text."""

from __future__ import annotations

import pytest

from browser_session import Visit, browser, server, visit  # noqa: F401 (fixtures)
from test_browser import seeded_server

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


# IRIs the table wrote into its HTML unescaped: shown as "?q=a&b" and "x<y", the href cut at the "'".
IRIS = ["http://example.org/?q=a&amp;b", "http://example.org/a'b", "http://example.org/x&lt;y"]


def test_the_query_results_show_iris_verbatim_and_link_web_addresses_only(visit):
    page = visit().open("/sparql")
    iris = " ".join(f"<{iri}>" for iri in IRIS)
    page.evaluate("text => window.sahelYasgui.getTab().getYasqe().setValue(text)",
                  f"SELECT ?x WHERE {{ VALUES ?x {{ {iris} <javascript:alert(1)> }} }}")
    page.locator(".yasqe_queryButton:visible").click()
    rows = page.locator(".yasr:visible .dataTable tbody tr")
    rows.nth(len(IRIS)).wait_for()
    links = page.locator(".yasr:visible .dataTable tbody a")
    assert sorted(links.all_inner_texts()) == sorted(IRIS)
    assert sorted(link.get_attribute("href") for link in links.all()) == sorted(IRIS)
    assert page.locator('.yasr:visible .dataTable tbody [href^="javascript"]').count() == 0
    assert "<javascript:alert(1)>" in page.locator(".yasr:visible .dataTable tbody").inner_text()


JNIM_AR = "جماعة نصرة الإسلام والمسلمين"  # JNIM's Arabic name, untagged: no language says its direction
RTL_TRIG = f"""
@prefix sk: <https://sahel-kg.example.org/id/> . @prefix sahel: <https://sahel-kg.example.org/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/rtl> {{
  sk:rtl-group rdfs:label "{JNIM_AR}" ; sahel:operatesIn sk:mali .
  sk:rtl-event rdfs:label "هجوم في باماكو" ; sahel:occurredDuring sk:rtl-span .
  sk:rtl-span rdfs:label "2024" ; sahel:startsNotBefore "2024-01-01"^^xsd:date ; sahel:endsNotAfter "2024-12-31"^^xsd:date .
  sk:rtl-later rdfs:label "حدث لاحق" ; sahel:occurredDuring sk:rtl-as-of .
  sk:rtl-as-of sahel:relativePosition sahel:AsOfSource .
}}"""
# Text nodes holding right-to-left letters whose element (a <mark> is part of its parent's text) does not
# isolate them: neither a <bdi>, nor [dir], nor a rule that isolates.
UNISOLATED = r"""selector => {
  const found = [];
  const walker = document.createTreeWalker(document.querySelector(selector), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!/[\u0590-\u08ff]/.test(node.data)) continue;
    let holder = node.parentElement;
    while (holder.tagName === "MARK") holder = holder.parentElement;
    const style = getComputedStyle(holder).unicodeBidi;
    if (!["isolate", "plaintext", "isolate-override"].includes(style)) found.push(`${holder.tagName}: ${node.data}`);
  }
  return found;
}"""


def unisolated(page, selector: str) -> list[str]:
    return page.evaluate(UNISOLATED, selector)


def test_labels_the_views_build_are_isolated_for_their_direction(browser, tmp_path):
    """An untagged Arabic label in an English line could reorder its neighbours: only tagged ones got dir."""
    with seeded_server(tmp_path, RTL_TRIG) as base:
        session = Visit(browser, base)
        try:
            page = session.open("/network")
            page.locator("#network[data-edges]").wait_for()
            assert JNIM_AR in page.locator("#edge-list").inner_text()
            assert unisolated(page, "#edge-list") == [] and unisolated(page, "#claimers") == []
            page.locator("#edge-list tr", has_text=JNIM_AR).locator("button").click()
            page.locator("#edge-list a", has_text=JNIM_AR).first.wait_for()
            assert unisolated(page, "#edge-evidence") == []

            page = session.open("/timeline")
            page.locator("#timeline[data-items]").wait_for()
            assert "هجوم في باماكو" in page.locator("#item-list").inner_text()
            assert "حدث لاحق" in page.locator("#relative-items").inner_text()
            for where in ("#timeline", "#item-list", "#relative-items"):
                assert unisolated(page, where) == [], where
            page.locator("#item-list button", has_text="هجوم في باماكو").click()
            assert unisolated(page, "#item-details") == []

            page = session.open("/sparql")
            page.evaluate("text => window.sahelYasgui.getTab().getYasqe().setValue(text)",
                          f'SELECT ?x ?y WHERE {{ VALUES (?x ?y) {{ ("{JNIM_AR} (JNIM)" "نصرة"@ar) }} }}')
            page.locator(".yasqe_queryButton:visible").click()
            page.locator(".yasr:visible .dataTable tbody tr").first.wait_for()
            assert JNIM_AR in page.locator(".yasr:visible .dataTable").inner_text()
            assert unisolated(page, ".yasr:not([hidden]) .dataTable") == []
            assert session.outside == [] and session.errors == []
        finally:
            session.context.close()
