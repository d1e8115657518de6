"""The network and timeline views from the keyboard alone: their canvases answer the mouse only, so each
view lists what it draws, every entry reachable with Tab and opened with Enter, and passes axe-core."""

from __future__ import annotations

from browser_session import browser, serious_violations, server, visit  # noqa: F401 (fixtures)

TABS = 200  # more than any of the two views holds before its list


def tab_to(page, selector: str) -> None:
    """Press Tab until the focused element matches `selector`."""
    for _ in range(TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"no {selector} reached with {TABS} presses of Tab")


def open_first_entry(page, canvas: str, count: str, entries: str, panel: str, name: str) -> str:
    """Wait for the view's drawing, check its list holds every entry drawn, open the first entry from the
    keyboard and check the focus moved to the `panel` it filled; the entry's `name` (a JS property). The
    drawing says how many entries it holds in its `count` attribute."""
    drawn = page.locator(f"{canvas}[{count}]")
    drawn.wait_for()
    assert page.locator(entries).count() == int(drawn.get_attribute(count)) > 0
    tab_to(page, entries)
    chosen = page.evaluate(f"() => document.activeElement.{name}")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == panel  # read next, not searched for
    return chosen


def test_every_relationship_of_the_network_opens_its_evidence_from_the_keyboard(visit):
    page = visit().open("/network")
    chosen = open_first_entry(page, "#network", "data-edges", "#edge-list .edge-button", "edge-evidence", "textContent")
    assert page.locator("#edge-evidence h2").inner_text() == chosen
    assert page.locator("#edge-evidence blockquote").count() >= 1  # the sentence it rests on
    assert page.evaluate("() => window.sahelNetwork.edges(':selected').map(e => e.data('label'))") == [chosen]
    page.fill("#as-of", "2024-06-01")  # the list follows the drawing
    page.wait_for_function("() => document.querySelectorAll('#edge-list tbody tr').length"
                           " === Number(document.querySelector('#network').dataset.edges)")
    assert serious_violations(page) == []


def test_every_item_of_the_timeline_is_selected_from_the_keyboard(visit):
    page = visit().open("/timeline")
    chosen = open_first_entry(page, "#timeline", "data-items", "#item-list .item-button", "item-details", "dataset.item")
    assert page.locator("#item-details a").count() >= 1  # its page, its claim
    assert page.locator(".vis-item.vis-selected").count() == 1
    assert page.evaluate("(id) => document.querySelector(`#item-list [data-item='${id}']`).textContent", chosen) \
        in page.locator("#item-details").inner_text()
    assert serious_violations(page) == []
