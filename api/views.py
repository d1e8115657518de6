"""The network and timeline views: pages that draw (cytoscape, vis-timeline) what their JSON gives.

`/views/network.json[?as_of=YYYY-MM-DD]` and `/views/timeline.json` answer the page queries
network-edges and timeline-items as plain JSON rows (each value its string form; IRIs with the local
path of their page under "…Href").
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, g, jsonify, render_template

from api.numbers import date
from api.params import one, request_params
from api.page_data import rows

bp = Blueprint("views", __name__)

XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")


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
    """The timeline's items: events, status phases and memberships with their spans' bounds and precision."""
    items = [_plain(row) for row in rows("timeline-items")]
    return jsonify({"items": items, "truncated": "page_cut" in g})


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
