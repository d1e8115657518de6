"""GET /search?q=WORDS[&limit=N]: ranked full-text hits as JSON, each with the claims and quotes about it.

The index (kg.search) is rebuilt through the query runner whenever the dataset's version moved, so it
follows every write; for a remote store, whose version is unknown, it is rebuilt for each search.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request

from api.errors import Problem
from kg.runner import QueryRequest
from kg.search import PAGE, SearchError, SearchIndex, index_path

bp = Blueprint("search", __name__)
MAX_LIMIT = 100


def _index() -> SearchIndex:
    found = current_app.extensions.get("sahel-kg-search")
    if found is None:
        found = current_app.extensions["sahel-kg-search"] = SearchIndex(index_path(current_app.config["STORE"]))
    return found


def _select(backend):
    """Run a SELECT through the server's query runner and read the SPARQL JSON back as rows of strings."""
    def select(sparql: str):
        answer = backend.query(QueryRequest(sparql=sparql, format="json", row_limit=PAGE))
        document = json.loads(answer.body)
        names = document["head"]["vars"]
        return [tuple(binding.get(name, {}).get("value") for name in names)
                for binding in document["results"]["bindings"]]
    return select


@bp.get("/search")
def search():
    words = request.args.get("q", "")
    try:
        limit = int(request.args.get("limit", "20"))
    except ValueError:
        raise Problem(400, "Bad request", "limit must be a whole number") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise Problem(400, "Bad request", f"limit must be between 1 and {MAX_LIMIT}")
    backend = current_app.extensions["sahel-kg"]
    version = backend.version()
    index = _index()
    try:
        index.ensure(None if version is None else str(version.number), _select(backend))
        hits = index.search(words, limit=limit)
    except SearchError as error:
        raise Problem(400, "Bad request", str(error)) from None
    return jsonify({"query": words, "results": [hit.as_json() for hit in hits]})
