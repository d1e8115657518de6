"""The views' "as of" day in the page's address: a view is shared, and reopened, at the day it was set to."""

from __future__ import annotations

import pytest

from browser_session import browser, server, visit  # noqa: F401 (fixtures)

DRAWN = {"/network": "#network[data-certain]", "/timeline": "#timeline[data-holding]"}


@pytest.mark.parametrize("view", list(DRAWN))
def test_a_day_chosen_goes_in_the_address_and_a_shared_address_opens_at_it(visit, view):
    """The timeline neither wrote its day into its address nor read one from it (the network did both)."""
    page = visit().open(view)
    page.locator(DRAWN[view]).wait_for()
    page.locator("#as-of").fill("2024-01-01")
    page.locator("#as-of").dispatch_event("change")
    page.wait_for_url(f"**{view}?as_of=2024-01-01")
    page.locator("#as-of").fill("")
    page.locator("#as-of").dispatch_event("change")
    page.wait_for_url(f"**{view}")
    shared = visit().open(f"{view}?as_of=2024-01-01")
    shared.locator(DRAWN[view]).wait_for()
    shared.wait_for_function("() => document.querySelector('#as-of').value === '2024-01-01'")
    shared.wait_for_function("() => document.querySelector('[id$=-summary]').textContent.includes('2024-01-01')")


def test_the_network_draws_the_last_day_chosen_whatever_order_the_answers_come_in(visit):
    """The answer for an earlier day, coming after the last day's, was drawn over it: the view said one day
    and drew another."""
    page = visit().open("/network")
    page.locator(DRAWN["/network"]).wait_for()
    held = []
    page.route("**/views/network.json?as_of=2022-06-01", lambda route: held.append(route))  # kept until the later day's answer is drawn
    for day in ("2022-06-01", "2024-01-01"):
        page.locator("#as-of").fill(day)
        page.locator("#as-of").dispatch_event("change")
    page.wait_for_function("() => document.querySelector('#network-summary').textContent.includes('2024-01-01')")
    later = page.locator("#network").get_attribute("data-certain")
    assert held and int(later) > 0
    answered = int(page.locator("#network").get_attribute("data-answers"))
    held[0].continue_()
    page.wait_for_function(f"() => +document.querySelector('#network').dataset.answers > {answered}")
    assert "2024-01-01" in page.locator("#network-summary").inner_text()
    assert page.locator("#network").get_attribute("data-certain") == later
