"""One page query asked for many bindings at once: a copy of the query per bindings, each bound inside (so that
its LIMIT holds per copy), the copies joined by UNION; as many copies a query as the row cap and the pattern
limit leave room for. An entity page asks so for the rest of every property and statement it cuts."""

from __future__ import annotations

import json

import pyoxigraph as ox
from flask import current_app

from api.page_data import bare_text, own_limit, run_text
from kg.bindings import bind
from kg.sparql_text import scan
from kg.store.sparql_json import binding_term

_COPY = "kgCopy"  # the variable telling which copy (which bindings) a row answers


def terms_each(name: str, bound: list[dict]) -> list[list[dict[str, object]]]:
    """`page_data.terms(name, **bindings)` for each bindings of `bound` (str values are IRIs), in order."""
    text = bare_text(name)
    found: list[list[dict]] = [[] for _ in bound]
    at = 0
    while at < len(bound):
        sparql, at = _union(text, bound, at)
        for row in json.loads(run_text(sparql, "json", {}))["results"]["bindings"]:
            copy = int(row.pop(_COPY)["value"])
            found[copy].append({var: binding_term(value) for var, value in row.items()})
    return found


def _union(text: str, bound: list[dict], at: int) -> tuple[str, int]:
    """A query of the copies of `text` for bindings `bound[at:]`, as many as one query may hold (at least one),
    and where the next query's copies start."""
    most_rows = int(own_limit(text).group(1))

    def copy(number: int) -> str:
        terms = {key: ox.NamedNode(value) if isinstance(value, str) else value for key, value in bound[number].items()}
        return f"{{ {{ {bind(text, terms)} }} BIND ({number} AS ?{_COPY}) }}"

    # Every copy has the same patterns: the first tells how many fit (scanning the growing union was quadratic).
    taken = [copy(at)]
    per_copy = max(1, scan(f"SELECT * WHERE {{\n{taken[0]}\n}}").patterns)
    fit = min(current_app.config["ROW_LIMIT"] // most_rows, current_app.config["MAX_QUERY_PATTERNS"] // per_copy)
    taken += [copy(number) for number in range(at + 1, min(len(bound), at + fit))]
    return "SELECT * WHERE {\n" + "\nUNION\n".join(taken) + "\n}", at + len(taken)
