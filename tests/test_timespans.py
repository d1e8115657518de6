"""Honest "as of": bounds that follow from what is known of the article's date, and certainly / possibly /
not held on a day, never "certainly" for a day a year-precision fact may not cover."""

from __future__ import annotations

from datetime import date

import pytest

from build_fixtures import built
from kg.publish import install
from kg.query import QueryService
from kg.store import open_store
from kg.timespans import Bounds, Holding, claims_as_of, derive

__all__ = ["built"]  # a fixture

EARLIEST, LATEST = date(2025, 9, 1), date(2026, 11, 27)  # what is known of the article's date


def test_as_of_the_article_holds_from_no_later_than_its_latest_date_to_no_earlier_than_its_earliest():
    bounds = derive({"relative": "sahel:AsOfSource", "ongoing": True}, EARLIEST, LATEST)
    assert bounds == Bounds(starts_not_after=LATEST, ends_not_before=EARLIEST)
    assert {bounds.on(day) for day in (date(2020, 1, 1), EARLIEST, LATEST, date(2030, 1, 1))} == {Holding.POSSIBLY}


def test_before_and_after_the_article():
    assert derive({"relative": "sahel:BeforeSource"}, EARLIEST, LATEST) == Bounds(ends_not_after=LATEST)
    assert derive({"relative": "sahel:AfterSource"}, EARLIEST, LATEST) == Bounds(starts_not_before=EARLIEST)
    assert derive({"relative": "sahel:AfterSource"}, EARLIEST, LATEST).on(date(2025, 8, 31)) is Holding.NOT


def test_from_a_year_until_the_article():
    span = {"starts_not_before": date(2023, 1, 1), "starts_not_after": date(2023, 12, 31), "ongoing": True,
            "relative": "sahel:AsOfSource"}
    bounds = derive(span, EARLIEST, LATEST)
    assert bounds == Bounds(date(2023, 1, 1), date(2023, 12, 31), EARLIEST, None)
    assert [bounds.on(day) for day in (date(2022, 12, 31), date(2023, 6, 1), date(2024, 6, 1), date(2025, 9, 2))] == [
        Holding.NOT, Holding.POSSIBLY, Holding.CERTAINLY, Holding.POSSIBLY]


@pytest.mark.parametrize("day", [date(2023, 1, 1), date(2023, 6, 30), date(2023, 12, 31)])
def test_a_year_precision_fact_never_certainly_holds_on_a_day(day):
    year = Bounds(starts_not_before=date(2023, 1, 1), ends_not_after=date(2023, 12, 31))
    assert year.on(day) is Holding.POSSIBLY
    assert year.on(date(2024, 1, 1)) is Holding.NOT


def test_known_article_dates_give_certain_days():
    day = date(2026, 1, 15)
    bounds = derive({"relative": "sahel:AsOfSource", "ongoing": True}, day, day)
    assert bounds.on(day) is Holding.CERTAINLY
    assert bounds.on(date(2026, 1, 16)) is Holding.POSSIBLY


@pytest.fixture(scope="module")
def service(built):
    with open_store("memory:") as store:
        install(store, built)
        yield QueryService(store)


def test_claims_as_of_a_day_through_the_shipped_query(service):
    found = dict(claims_as_of(service, date(2024, 6, 1)))
    base = "https://sahel-kg.example.org/claim/"
    assert found[base + "aes-members"] is Holding.CERTAINLY
    assert found[base + "aes-formed-2023"] is Holding.NOT  # the founding, a 2023 event, is over
    assert found[base + "us-intelligence-sharing"] is Holding.POSSIBLY  # as of an article of unknown date
    assert found[base + "joint-force-inaugurated"] is Holding.NOT  # late 2025
    late = dict(claims_as_of(service, date(2025, 10, 1)))
    assert late[base + "joint-force-inaugurated"] is Holding.POSSIBLY
    assert late[base + "aes-members"] is Holding.POSSIBLY  # the article may be older than that day
    assert Holding.CERTAINLY not in {late[base + claim] for claim in ("joint-force-strength", "aes-formed-2023")}
