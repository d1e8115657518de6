"""The network and timeline views: pages that draw (cytoscape, vis-timeline) what their JSON gives.

`/views/network.json[?as_of=YYYY-MM-DD]` and `/views/timeline.json` answer the page queries
network-edges and timeline-items as plain JSON rows (each value its string form; IRIs with the local
path of their page under "…Href").
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from flask import Blueprint, g, jsonify, render_template

from api.numbers import date
from api.params import one, request_params
from api.page_data import rows
from kg.table_checks import valid_lexical

bp = Blueprint("views", __name__)

XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
BOUNDS = ("startsNotBefore", "startsNotAfter", "endsNotBefore", "endsNotAfter")
# The pairs of bounds whose order is a contradiction when reversed: a start's or an end's earliest day after its
# latest, or the earliest start after the latest end (an end before its start).
ORDER = [("startsNotBefore", "startsNotAfter"), ("endsNotBefore", "endsNotAfter"), ("startsNotBefore", "endsNotAfter")]
_DRAWN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T.*)?")  # years 0000 to 9999, which the page's Date reads


@bp.route("/network")
def network():
    """Who is allied with, supports, fights or belongs to whom (needs JavaScript to draw); ?as_of=YYYY-MM-DD
    as its JSON takes it (a shared link of a bad date is 400, as the JSON is, not the whole network unsaid)."""
    _as_of()
    return render_template("network.html")


@bp.route("/timeline")
def timeline():
    """Events and status phases on a time axis with their precision (needs JavaScript to draw)."""
    return render_template("timeline.html")


@bp.route("/views/network.json")
def network_data():
    """The network's edges, one row per edge, status phase and claim; as_of keeps what may hold that day."""
    as_of = _as_of()
    found = rows("network-edges", asOf=ox.Literal(as_of, datatype=XSD_DATE) if as_of else None)
    return jsonify({"as_of": as_of, "edges": [_plain(row) for row in found], "truncated": "page_cut" in g})


@bp.route("/views/timeline.json")
def timeline_data():
    """The timeline's items: events, status phases and memberships with their spans' bounds and precision;
    those whose bounds are no dates or out of order under "left_out", each with why (the page says so)."""
    items, left_out = [], []
    for row in map(_plain, rows("timeline-items")):
        why = malformed_bounds(row)
        if why and all(other["item"] != row["item"] for other in left_out):  # one entry an item, whatever its claims
            left_out.append({"item": row["item"], "label": row.get("label") or row.get("subjectLabel") or "",
                             "why": why, **({"itemHref": row["itemHref"]} if "itemHref" in row else {})})
        elif not why:
            items.append(row)
    return jsonify({"items": items, "left_out": left_out, "truncated": "page_cut" in g})


def malformed_bounds(row: dict) -> str | None:
    """Why an item's bounds cannot place it on the axis (a bound that is no day of the calendar the page can
    draw, such as "2024-13-45", or an end before its start), or None: drawn anyway, it lands at a meaningless place."""
    for name in BOUNDS + ("sourceNotBefore",):
        value = row.get(name)
        if value is not None and not (_DRAWN.fullmatch(value) and (valid_lexical("date", value)
                                                                  or valid_lexical("dateTime", value))):
            return f"{name} {value!r} is no date of the calendar"
    for early, late in ORDER:
        if row.get(early) and row.get(late) and row[early][:10] > row[late][:10]:
            return f"{early} {row[early]} is after {late} {row[late]}"
    return None


def _as_of() -> str | None:
    """The request's as_of, a date (Problem 400 otherwise), or None."""
    as_of = one(request_params(), "as_of") or None
    if as_of is not None:
        date(as_of, "as_of")
    return as_of


def _plain(row) -> dict:
    """A result row as JSON: each value's string, and for an IRI with a page here its path as NAMEHref."""
    plain = {}
    for name, term in row.items():
        plain[name] = term.value
        if term.href:
            plain[name + "Href"] = term.href
    return plain
