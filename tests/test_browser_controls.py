"""Control characters in literals, in the text the browser views build (the query results' table and graph, the
network, the timeline), show as their pictures, as on the server's pages (api/visible_controls.py): the browser
drew nothing for a NUL, so "A\\u0000B" read "AB". The downloads keep the characters."""

from __future__ import annotations

from browser_session import Visit, browser, server, visit  # noqa: F401 (fixtures)
from test_browser import seeded_server
from test_browser_literals import JNIM_AR, RTL_TRIG

TRIG = RTL_TRIG.replace(JNIM_AR, "Ctl\\u0000group").replace("هجوم في باماكو", "Bell\\u0007attack")
HIDDEN = r"/[\x00-\x08\x0b-\x1f\x7f]/"


def hidden_text(page, selector: str) -> bool:
    return page.evaluate(f"selector => {HIDDEN}.test(document.querySelector(selector).textContent)", selector)


def test_the_query_results_table_shows_control_characters_as_pictures(visit):  # noqa: F811
    page = visit().open("/sparql")
    page.evaluate("text => window.sahelYasgui.getTab().getYasqe().setValue(text)",
                  'SELECT ?x ?y WHERE { VALUES (?x ?y) { ("a\\u0000b" "esc\\u001bdel\\u007f"@en) } }')
    page.evaluate("() => window.sahelYasgui.getTab().getYasr().selectPlugin('table')")
    page.locator(".yasqe_queryButton:visible").click()
    page.locator(".yasr:visible .dataTable tbody tr").first.wait_for()
    cells = page.locator(".yasr:visible .dataTable tbody td .nonIri").all_inner_texts()
    assert cells == ["a\u2400b", '"esc\u241bdel\u2421"@en']
    csv = page.evaluate("() => window.sahelYasgui.getTab().getYasr().results.asCsv()")
    assert "a\x00b" in csv  # the download is the data's


def test_c1_controls_and_format_characters_show_as_the_servers_pages_show_them(visit):  # noqa: F811
    """The views showed a C1 control (U+0085), a soft hyphen, a zero-width space or a tag as nothing, where the
    server's pages write the console's escape; a joiner that Persian or an emoji needs is kept."""
    page = visit().open("/sparql")
    shown = page.evaluate("text => window.sahelShown(text)", "a\x85b\xadc\u200bd\u202ee\u2028f\U000e0041g\u200ch\ue000")
    assert shown == "a\\x85b\\xadc\\u200bd\\u202ee\\u2028f\\U000e0041g\u200ch\\ue000"
    page.evaluate("text => window.sahelYasgui.getTab().getYasqe().setValue(text)",
                  'SELECT ?x WHERE { VALUES ?x { "c1\\u0085x\\u200by" } }')
    page.evaluate("() => window.sahelYasgui.getTab().getYasr().selectPlugin('table')")
    page.locator(".yasqe_queryButton:visible").click()
    page.locator(".yasr:visible .dataTable tbody tr").first.wait_for()
    assert page.locator(".yasr:visible .dataTable tbody td .nonIri").all_inner_texts() == ["c1\\x85x\\u200by"]


def test_the_views_show_control_characters_as_pictures(browser, tmp_path):  # noqa: F811
    with seeded_server(tmp_path, TRIG) as base:
        session = Visit(browser, base)
        try:
            page = session.open("/network")
            page.locator("#network[data-edges]").wait_for()
            assert "Ctl\u2400group" in page.locator("#edge-list").inner_text()
            assert not hidden_text(page, "#edge-list")
            page = session.open("/timeline")
            page.locator("#timeline[data-items]").wait_for()
            assert "Bell\u2407attack" in page.locator("#item-list").inner_text()
            assert not hidden_text(page, "#item-list") and not hidden_text(page, "#timeline")
            assert session.errors == []
        finally:
            session.context.close()
