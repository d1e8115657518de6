"""The home page's data: the dataset's counts as far as they are made (api.background_counts), and bounded
lists of its sources, named graphs and entities, each saying how many more there are."""

from __future__ import annotations

from collections import OrderedDict

from api.background_counts import COUNTING, DONE, Outcome, counts, values
from api.dataset_statistics import statistics
from api.page_data import Term, bare_text, editor_link, own_limit, query_text, rows, rows_per_version
from api.version_cache import once_per_version

LISTED = 20  # entries a list shows; its query (graphs.rq, entities.rq, source-titles.rq) asks for one more
# Seconds a visit waits for counts being made: a small dataset's are ready by then, and a large one's page is
# not held up much longer than its lists take.
COUNT_WAIT = 0.5


def home_counts(until: float | None = None) -> tuple[Outcome, Outcome]:
    """The outcomes of the service description's statistics and of the home page's own counts (claims, sources,
    entities per kind) for the dataset's version now, waited for until the time.monotonic() `until` at most."""
    return statistics(until=until), counts().outcome("home", _count, until=until)


def earlier_counts(numbers: Outcome, own: Outcome) -> tuple[Outcome, Outcome] | None:
    """While the version now is being counted, the last counts made (both of one earlier version), for the page's
    numbers to show labelled: at a million statements it said "Not counted yet" for some 10 s after every write."""
    if COUNTING not in (numbers.state, own.state):
        return None
    before = counts().earlier("statistics"), counts().earlier("home")
    return None if None in before or before[0].version != before[1].version else before


def _count(query) -> dict:
    """How many graphs are claims, how many sources there are, and how many entities of each kind."""
    [(claims, sources)] = values(query(query_text("home-counts")), "claims", "sources")
    answer = query(query_text("entity-kind-counts"))
    return {"claims": int(claims), "sources": int(sources),
            "kinds": {kind: int(entities) for kind, entities in values(answer, "type", "entities")},
            "kinds_cut": answer.truncated}  # a store's own row limit cut them: a kind left out is not counted


def home_lists() -> dict:
    """The first rows of the home page's lists (bounded queries, once per version): asked for before the counts
    start, which would otherwise hold the one query worker while a first visit waits for them."""
    return {"sources": _distinct(rows_per_version("source-titles"), "source"),
            "graphs": _distinct(rows_per_version("graphs"), "graph"),
            "kinds": once_per_version("page-rows:entities", _kinds)}


def home_context(lists: dict, numbers: Outcome, own: Outcome, earlier: tuple[Outcome, Outcome] | None = None) -> dict:
    """What home.html shows beside the examples and endpoints: `lists` (home_lists'), each with how many more
    there are, and the counts of `numbers` (the statistics) and `own` (home_counts'), or why there are none;
    `earlier` (earlier_counts'), the counts the numbers show, labelled, in their place. The lists' own counts are
    always of the version now."""
    found = own.value if own.state == DONE else None
    totals = numbers.value[0] if numbers.state == DONE else None
    cut = numbers.value[1] if numbers.state == DONE else frozenset()
    others = None
    if totals is not None and found is not None and "triples" not in cut:
        others = len(totals["triples"]) - found["claims"]  # the named graphs that are not claims
    shown, shown_own = earlier or (numbers, own)
    return {"counts": shown.value[0] if shown.state == DONE else None,
            "cut": shown.value[1] if shown.state == DONE else frozenset(),
            "count_state": numbers.state, "count_reason": numbers.reason, "earlier": earlier is not None,
            "counted_claims": shown_own.value["claims"] if shown_own.state == DONE else None,
            "claims": found and found["claims"],
            "sources": _listed(lists["sources"], found and found["sources"], SOURCES_QUERY),
            "graphs": _listed(lists["graphs"], others, GRAPHS_QUERY),
            "entities": _entities(lists["kinds"], found["kinds"] if found else None,
                                  bool(found and found["kinds_cut"]))}


def _entities(found: list, kinds: dict[str, int] | None, cut: bool) -> OrderedDict:
    """Each kind's label and list (at most LISTED of its entities `found`), by the kind's label; `kinds`: the
    count of each (None while not made; `cut`: some left out)."""
    by_label: OrderedDict = OrderedDict()
    for kind, members in found:
        query = ENTITIES_QUERY.replace("?type", f"<{kind['type'].value}>")
        total = None if kinds is None else kinds.get(kind["type"].value, None if cut else 0)
        listed = _listed(members, total, query)
        by_label.setdefault(kind["typeLabel"].value, listed)
    return by_label


def _kinds() -> list[tuple[dict[str, Term], list[dict[str, Term]]]]:
    """Each kind of entity (entity-kinds.rq) with the first of its entities (entities.rq, bound to it)."""
    return [(kind, rows("entities", type=kind["type"].value)) for kind in rows("entity-kinds")]


def _listed(found: list, total: int | None, everything: str) -> dict:
    """The first LISTED of `found` (a query's rows, one more than shown at most), how many more there are
    (`total` less those, when counted; None while not), and the editor's link to a query listing them all."""
    shown = found[:LISTED]
    more = None if total is None else max(0, total - len(shown))
    return {"shown": shown, "more": more, "maybe_more": more is None and len(found) > LISTED,
            "all": editor_link(everything)}


def _distinct(found: list, key: str) -> list:
    """`found` with one row per value of `key` (a graph or source with labels or titles in two languages gives
    two rows)."""
    seen: OrderedDict = OrderedDict()
    for row in found:
        seen.setdefault(row[key].value, row)
    return list(seen.values())


def _everything(name: str) -> str:
    """The page query `name` without its comments and its LIMIT: the editor's query listing all it has the first of."""
    text = bare_text(name)
    limit = own_limit(text)
    return text[:limit.start()] + text[limit.end():]


SOURCES_QUERY = _everything("source-titles")
GRAPHS_QUERY = _everything("graphs")
ENTITIES_QUERY = _everything("entities")  # ?type bound by _entities
