"""GET /search?q=WORDS[&limit=N]: ranked full-text hits as JSON, each with the claims and quotes about it;
a browser (which prefers HTML) gets them as a page, and without words the page's search box alone.

The index (kg.search) is read from the store again whenever the dataset's version moved, so it follows every
write (for a remote store, whose version is unknown, as Backend.index_key says: REMOTE_INDEX_SECONDS); in the
background, as the counts are (api.background_counts, within COUNT_TIMEOUT), a search waiting for it until its
own time limit at most.
"""

from __future__ import annotations

import re
import time
from functools import partial
from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, make_response, render_template, url_for

from api.background_counts import DONE, TIMED_OUT, Outcome, awaited, counts, request_until, values
from api.errors import Problem
from api.fairness import charged
from api.negotiation import prefers_html
from api.numbers import whole_number
from api.ops import request_deadline
from api.params import one, request_params
from api.page_data import local_path
from kg.errors import QueryTimeout
from kg.search import SearchError
from kg.search_source import whole_page

bp = Blueprint("search", __name__)
MAX_LIMIT = 100


@bp.get("/search")
def search():
    """Hits for q=, as JSON or (for a browser) a page; the page without q is the search box alone."""
    params = request_params()
    words = one(params, "q") or ""
    page = prefers_html()
    kept = [(name, value) for name, value in params if name != "q"]  # the page searches again with them (limit=)
    if page and not words.strip():
        return _vary(render_template("search.html", words="", hits=None, kept=kept))
    given = one(params, "limit")
    limit = whole_number("20" if given is None else given, "limit", minimum=1, maximum=MAX_LIMIT)  # limit= is a 400
    with charged():
        try:
            hits, suggestion = _hits(words, limit)
        except Problem as problem:  # words the index cannot search (q=*): said on the page, beside its box
            if not (page and problem.status == 400):
                raise
            return _vary(render_template("search.html", words=words, hits=None, kept=kept, refused=problem.detail)), 400
    if page:
        again = suggestion and url_for("search.search") + "?" + urlencode([("q", suggestion), *kept])
        return _vary(render_template("search.html", words=words, hits=[_shown(hit) for hit in hits],
                                     suggestion=suggestion, suggestion_href=again, kept=kept))
    return _vary(jsonify({"query": words, "results": [hit.as_json() for hit in hits], "suggestion": suggestion}))


def _hits(words: str, limit: int):
    """The hits and, where there are none, the words suggested instead (or None), within a query's time limit."""
    backend = current_app.extensions["sahel-kg"]
    key = backend.index_key()
    index = backend.search_index()
    # Matching runs here: a query's time limit holds (None: none), counted from the request's arrival as a
    # query's is, so that time spent waiting for a request thread or for the index counts too.
    seconds, deadline = current_app.config["QUERY_TIMEOUT"], request_deadline()
    if key is None or index.version() != key:
        # Read from the store in the background, as the counts are (COUNT_TIMEOUT): at a million statements that
        # takes longer than a query's time limit, and a search that made it itself never ended it.
        made = awaited(counts().outcome("search index", partial(_rebuilt, index, key), until=request_until()),
                       "the search index")
        if made.state != DONE:  # for this version of the dataset: a write makes it again
            raise _unmade(made)
    try:
        if deadline is not None and time.monotonic() > deadline:  # a search too short to look at its clock
            raise QueryTimeout(f"the search waited past its time limit of {seconds:g}s before it could start",
                               waited=True)
        hits = index.search(words, limit=limit, deadline=deadline)
        return hits, None if hits else index.suggestion(words, deadline=deadline)
    except SearchError as error:
        raise Problem(400, "Bad request", str(error)) from None


def _unmade(made: Outcome) -> Problem:
    """The 503 of a search whose index could not be read from this version of the dataset (the counts' failure)."""
    if made.kind == TIMED_OUT:
        limit = current_app.config["COUNT_TIMEOUT"]
        return Problem(503, "Query timeout", f"the search index could not be read from this version of the dataset "
                                             f"within COUNT_TIMEOUT ({limit:g}s); it is read again once the data changes")
    return Problem(503, "Store unavailable", "the search index could not be read from this version of the dataset "
                                             "(the server's log says why)")


def _rebuilt(index, key: str | None, query) -> bool:
    """The index read again from the store for `key`, its queries run by `query` (the counts' runner)."""
    def select(sparql: str, row_limit: int) -> list[tuple]:
        answer = query(sparql)
        whole_page(answer.truncated)  # RowsCut where the store cut them (kg.search_source)
        return values(answer)

    return index.ensure(key, select)


def _vary(answer):
    response = make_response(answer)
    response.headers["Vary"] = "Accept"
    return response


def _shown(hit) -> dict:
    """A hit for the page: links to its page and its claims' pages, the snippet's marked words apart."""
    parts = [(text, index % 2 == 1) for index, text in enumerate(re.split(r"\[([^\[\]]*)\]", hit.snippet)) if text]
    return {"label": hit.label, "iri": hit.iri, "href": local_path(hit.iri), "snippet": parts,
            "claims": [{"name": found.claim.rsplit("/", 1)[-1], "href": local_path(found.claim), "quote": found.quote}
                       for found in hit.claims]}
