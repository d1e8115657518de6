"""The query editor's answers, in each result view, and the pages with two search forms, under axe-core."""

from __future__ import annotations

import pytest

from browser_session import AXE, PHONE, browser, server, visit  # noqa: F401 (fixtures)


def violations(page, impacts=("serious", "critical")) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))  # not a script tag: the pages' policy refuses inline scripts
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                          ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))")
    return [f"{v['id']} ({v['impact']}): {v['nodes'][:3]}" for v in found if v["impact"] in impacts]


def run(page, text: str) -> None:
    page.evaluate("text => window.sahelYasgui.getTab().getYasqe().setValue(text)", text)
    page.locator(".yasqe_queryButton:visible").click()


def test_each_result_view_has_no_serious_accessibility_violation(visit):
    """The table's page size list and the raw view's text area had no name (critical), the views that cannot
    show an answer were greyed to 2.4:1 (serious), and the row numbers' header was empty (minor)."""
    page = visit().open("/sparql")
    page.select_option("#example", "aes-members")
    page.locator(".yasqe_queryButton:visible").click()
    page.locator(".yasr:visible .dataTable tbody tr").first.wait_for()
    assert violations(page, ("minor", "moderate", "serious", "critical")) == []  # the row numbers' header was empty
    page.locator(".yasr:visible .select_response").click()
    page.locator(".yasr:visible .yasr_results .CodeMirror").first.wait_for()
    assert violations(page) == []
    run(page, "DESCRIBE <https://sahel-kg.example.org/id/mali>")
    page.locator(".yasr:visible .select_graph:not(.disabled)").click()
    page.locator(".graph-view[data-nodes]").first.wait_for()
    assert violations(page) == []


@pytest.mark.parametrize("path", ["/", "/search?q=JNIM"])
def test_a_page_with_two_search_forms_names_each(visit, path):
    """The header's search and the page's own were two search landmarks of one name (landmark-unique)."""
    page = visit().open(path)
    assert violations(page, ("moderate", "serious", "critical")) == []


def test_the_editor_says_how_the_keyboard_leaves_it_and_the_answer_is_reached(visit):
    """Tab indents in the editor; only YASQE's Esc leaves it, and nothing said so."""
    page = visit().open("/sparql")
    area = page.locator("#yasgui .yasqe .CodeMirror textarea").first
    hint = area.get_attribute("aria-describedby")
    assert hint and "Esc" in page.locator(f"#{hint}").inner_text()
    page.locator("#yasgui .yasqe .CodeMirror").first.click()
    page.keyboard.press("Control+Enter")  # runs the query, as the hint says
    page.locator(".yasr:visible .dataTable tbody tr").first.wait_for()
    page.keyboard.press("Tab")  # Tab indents
    assert page.evaluate("() => document.activeElement.matches('.yasqe textarea')")
    ring = "() => getComputedStyle(document.activeElement.closest('.CodeMirror') || document.activeElement).outlineStyle"
    assert page.evaluate(ring) != "none"  # YASGUI took the focus ring off the editor and the endpoint field
    page.keyboard.press("Escape")
    greyed = None
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('.yasr .dataTable tbody')"):
            break
        if page.evaluate("() => document.activeElement.matches('.select_graph')"):  # no graph of a SELECT's answer
            greyed = page.evaluate("() => document.activeElement.getAttribute('aria-disabled')")
    else:
        raise AssertionError("no Tab reached the answer's table")
    assert greyed == "true"
    page.locator("#yasgui input.autocomplete").focus()
    assert page.evaluate(ring) != "none"


@pytest.mark.parametrize("screen, lines", [(PHONE, 1), ({"width": 1280, "height": 800}, 60)])
def test_the_editor_holding_a_query_taller_than_it_has_no_serious_violation(visit, screen, lines):
    """The editor kept YASQE's 300px and scrolled what was past it in a region the keyboard cannot reach
    (scrollable-region-focusable): the first example on a phone, a query of 60 lines on any screen."""
    page = visit(viewport=screen).open("/sparql")
    if lines > 1:
        text = "SELECT * WHERE {\n" + "\n".join(f"  ?s ?p{n} ?o{n} ." for n in range(lines)) + "\n}"
        page.evaluate("text => window.sahelYasgui.getTab().getYasqe().setValue(text)", text)
    page.locator("#yasgui .CodeMirror textarea[aria-label]").first.wait_for()
    assert violations(page) == []
    drawn = page.locator("#yasgui .yasqe .CodeMirror-code > div").count()
    assert drawn == page.evaluate("() => window.sahelYasgui.getTab().getYasqe().lineCount()")  # every line, the last too


def test_what_shows_after_a_click_has_no_serious_accessibility_violation(visit):
    """The warnings list (role=status on its <ul>: listitem, serious), the share popup's link field (no name,
    critical), and the timeline's items that did not hold on a date (2.85:1, serious) were found only once shown
    (helper-195); the run button is named for the cancel it does while a query runs."""
    page = visit().open("/sparql")
    run(page, "SELECT * WHERE { ?x sahel:noSuchProperty ?y }")
    page.locator("#query-warnings li").first.wait_for()
    assert violations(page) == []
    page.locator(".yasqe_share:visible").click()
    page.locator(".yasqe_sharePopup input").wait_for()
    assert page.locator(".yasqe_sharePopup input").get_attribute("aria-label") == "Link to this query"
    assert violations(page) == []
    run(page, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    page.locator('.yasqe_queryButton[aria-label="Cancel query"]:visible').click()  # it waits for the busy name
    page.locator('.yasqe_queryButton[aria-label="Run query"]:visible').wait_for()
    cancelled = page.locator(".yasr:visible .query-problem")
    cancelled.wait_for()  # said as a cancel, not as the browser's "signal is aborted without reason"
    assert cancelled.inner_text().startswith("Query cancelled")
    page = visit().open("/timeline?as_of=2024-06-01")
    page.wait_for_function("() => document.querySelector('#timeline').dataset.holding !== undefined")
    assert page.locator(".vis-item.not-holding").count() >= 1
    assert violations(page) == []
