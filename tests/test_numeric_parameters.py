"""Every number and date a route reads from a request, given values Python would read or choke on (NaN,
1e999, "²", Arabic-Indic digits, thousands of digits, "20240601"): a 400 problem that names the parameter,
never a 500 and never Python's own message. A table of bad values by route; good values still work."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from api_fixtures import *  # noqa: F401,F403

# Text values for parameters that are a whole number or a number of seconds in the query string.
BAD_NUMBERS = ["nan", "NaN", "inf", "-inf", "Infinity", "1e999", "1e3", "-1", "", " 5", "5 ", "+5", "0x10",
               "1_0", "²", "١", "５", "9" * 5000, "abc"]
BAD_WHOLE = BAD_NUMBERS + ["1.5", "2.0", "0"]
BAD_SECONDS = BAD_NUMBERS + ["-0.5", "1.", "0.", "-0"]  # 0 is no limit of its own (test_api_safety)
BAD_DATES = ["20240601", "2024-W23-1", "2024-02-30", "2024-6-1", "٢٠٢٤-٠٦-٠١", "2024-06-01T00:00", "nan", "1e999"]
# JSON values for the limit of a reconciliation query that are no whole number from 0 to 2147483647 (the
# specification's "positive integer", and 0); each is read by Python's json and must still be refused.
BAD_JSON_LIMITS = ["NaN", "Infinity", "-Infinity", '"5"', "true", "null", "[5]", "{}", "1" * 5000, "-1", "-3", "1.5",
                   "1e308", "1e999", "-1e999", "2147483648", "1e20"]

ROUTES = {  # name: (a URL with the value in it, the parameter that must be named)
    "sparql timeout": (lambda v: "/sparql?" + urlencode({"query": "ASK {}", "timeout": v}), "timeout", BAD_SECONDS),
    "search limit": (lambda v: "/search?" + urlencode({"q": "Mali", "limit": v}), "limit", BAD_WHOLE),
    "suggest entity cursor": (lambda v: "/reconcile/suggest/entity?" + urlencode({"prefix": "ma", "cursor": v}),
                              "cursor", [b for b in BAD_WHOLE if b != "0"]),
    "suggest type cursor": (lambda v: "/reconcile/suggest/type?" + urlencode({"prefix": "st", "cursor": v}),
                            "cursor", [b for b in BAD_WHOLE if b != "0"]),
    "suggest property cursor": (lambda v: "/reconcile/suggest/property?" + urlencode({"prefix": "me", "cursor": v}),
                                "cursor", [b for b in BAD_WHOLE if b != "0"]),
    "property proposals limit": (lambda v: "/reconcile/properties?" + urlencode({"type": "sahel:SovereignState",
                                                                                 "limit": v}), "limit", BAD_WHOLE),
    "network as_of": (lambda v: "/views/network.json?" + urlencode({"as_of": v}), "as_of", BAD_DATES),
    "reconciliation limit": (lambda v: "/reconcile?" + urlencode(
        {"queries": '{"q0": {"query": "Mali", "limit": %s}}' % v}), "limit", BAD_JSON_LIMITS),
    "data extension limit": (lambda v: "/reconcile?" + urlencode(
        {"extend": json.dumps({"ids": ["mali"], "properties": [{"id": "sahel:armedForceOf",
                                                               "settings": {"limit": v}}]})}),
        "limit", ["-1", "1.5", "²", "١", "9" * 5000, "1e999", "nan", 1.5, -2, float("inf")]),
}
PYTHON_WORDS = ("invalid literal", "could not convert", "cannot convert", "OverflowError", "Exceeds the limit",
                "Traceback", "int()", "float()")


def test_every_bad_value_is_a_400_naming_the_parameter(shared):
    failures = []
    for name, (url, parameter, values) in ROUTES.items():
        for value in values:
            response = shared.get(url(value))
            body = response.get_data(as_text=True)
            problem = response.get_json(silent=True) or {}
            if response.status_code != 400 or response.mimetype != "application/problem+json" \
                    or (parameter not in problem.get("detail", "") and "JSON number" not in problem.get("detail", "")
                        and "digits" not in problem.get("detail", "")) \
                    or any(word in body for word in PYTHON_WORDS):
                failures.append(f"{name} = {value!r:.40}: {response.status_code} {body[:160]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("url", [
    "/sparql?query=ASK%20%7B%7D&timeout=2.5", "/sparql?query=ASK%20%7B%7D&timeout=30", "/search?q=Mali&limit=3",
    "/reconcile/suggest/entity?prefix=ma&cursor=0", "/reconcile/properties?type=sahel:SovereignState&limit=2",
    "/views/network.json?as_of=2024-06-01",
    "/reconcile?" + urlencode({"queries": '{"q0": {"query": "Mali", "limit": 1}}'}),
    "/reconcile?" + urlencode({"queries": '{"q0": {"query": "Mali", "limit": 1e2}}'}),
])
def test_good_values_still_work(shared, url):
    assert shared.get(url).status_code == 200


def test_the_reconciliation_limit_says_what_it_must_be(shared):
    """"limit": -1 and 1e308 were answered (as none, and as the most) while "3" was refused: every kind of bad
    value is now refused the same way, naming the field and its range."""
    for value in ('"5"', "NaN", "-1", "1e308", "2.5", "true"):
        response = shared.get("/reconcile?" + urlencode({"queries": '{"q0": {"query": "Mali", "limit": %s}}' % value}))
        assert response.status_code == 400, value
        assert "limit must be a whole number from 0 to 2147483647" in response.get_json()["detail"] or value == "NaN"
    for value in ("0", "100", "3.0"):  # whole numbers in range, however written: answered
        response = shared.get("/reconcile?" + urlencode({"queries": '{"q0": {"query": "Mali", "limit": %s}}' % value}))
        assert response.status_code == 200, value


def test_a_timeout_of_too_many_digits_is_told_as_such(shared):
    """Twenty digits were refused as not "more than 0", which they are."""
    response = shared.get("/sparql?" + urlencode({"query": "ASK {}", "timeout": "9" * 20}))
    assert response.status_code == 400 and "of at most 18 digits on each side of its point" in response.get_json()["detail"]


def test_a_property_value_that_is_not_a_finite_number_is_refused(shared):
    queries = {"q0": {"query": "Mali", "properties": [{"pid": "sahel:armedForceOf", "v": "VALUE"}]}}
    for value in ("1e999", "-1e999", "NaN"):
        text = json.dumps(queries).replace('"VALUE"', value)
        response = shared.get("/reconcile?" + urlencode({"queries": text}))
        assert response.status_code == 400, (value, response.get_data(as_text=True))
