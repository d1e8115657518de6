"""HTML pages: home, an entity with the evidence of every statement, a claim, the article read with
its claims, a graph. Each reads the graph through the page queries (api.page_data); none needs
JavaScript."""

from __future__ import annotations

import time
from collections import OrderedDict
from functools import cache

from flask import Blueprint, current_app, g, render_template, request
from pyoxigraph import NamedNode

from api import evidence
from api.conditional import conditional
from api.entity_statements import listed_statements, rest_of_values
from api.home import COUNT_WAIT, earlier_counts, home_context, home_counts, home_lists
from api.negotiation import best_match
from api.page_data import DOCUMENTS, Term, ask, document_path, editor_link, first, local_path, rows
from api.public_origin import origin
from api.redirects import redirect
from api.void import OFFER

bp = Blueprint("pages", __name__)

SAHEL = "https://sahel-kg.example.org/ontology#"  # the ontology's namespace (kg.namespaces.SAHEL)
TYPE_PAGES = {SAHEL + "Claim": "claim", SAHEL + "SourceDocument": "article",
              "http://www.w3.org/2002/07/owl#Ontology": "ontology"}


@bp.route("/")
def home():
    """What the dataset is, its counts as far as they are made, the article, example queries, documentation and
    endpoints; the same data with other counts is another page (its validators say so). A client weighing an RDF
    type above HTML is sent to the dataset's VoID description, the data about what this page shows."""
    if _asks_for_data():
        return redirect("/.well-known/void", 303)
    lists = home_lists()
    numbers, own = home_counts(until=time.monotonic() + COUNT_WAIT)
    earlier = earlier_counts(numbers, own)
    shape = ("home", origin(), numbers.state, own.state, earlier and earlier[0].version)
    return conditional(shape, lambda: _home(lists, numbers, own, earlier), "text/html", negotiated=True)


# The RDF types VoID is served in; not the generic ones it also takes (JSON, XML, plain text), which clients of
# the page's problems (application/json) send too.
_PAGE_OR_RDF = ["text/html", *(media for media, _ in OFFER if media not in ("application/json", "application/xml",
                                                                      "text/xml", "text/plain"))]


def _asks_for_data() -> bool:
    """Whether Accept weighs an RDF type above HTML (`*/*`, as curl sends, still gets the page)."""
    g.chosen_by_accept = True  # api.negotiation.install: Vary: Accept
    return best_match(request.headers.get("Accept"), _PAGE_OR_RDF) not in ("text/html", None)


def _home(lists, numbers, own, earlier):
    routes = {rule.rule for rule in current_app.url_map.iter_rules()}
    dumps = sorted(route for route in routes if route.startswith("/dump"))
    return render_template("home.html", **home_context(lists, numbers, own, earlier), dumps=dumps,
                           void="/.well-known/void" in routes,
                           reconcile="/reconcile" in routes, examples=examples(), origin=origin())


@bp.route("/article")
def article():
    """The article (the only source document), or the list of them when there are several."""
    sources = rows("source-text")
    if len(sources) == 1:  # no validators: a 304 stands only for a 200 (RFC 9110 §13.2.1)
        return redirect(sources[0]["source"].href or sources[0]["source"].value, 303)
    return conditional(("sources",), lambda: render_template("sources.html", sources=rows("source-text")),
                       "text/html")


@cache  # they ship with the package: read once per process, not at every page (50 files, 4 ms of CPU)
def examples() -> tuple[dict, ...]:
    """The example queries (ontology/queries/*.rq): name, title, description, text, a link to open it."""
    from kg.paths import QUERIES_DIR

    return tuple(_example(path) for path in sorted(QUERIES_DIR.glob("*.rq")))


def _example(path) -> dict:
    text = path.read_text(encoding="utf-8")
    header = {key.strip(): value.strip() for key, _, value in
              (line[1:].partition(":") for line in text.splitlines() if line.startswith("# ") and ":" in line)}
    # A SERVICE to an endpoint off the allow-list is refused (400), which is no empty answer: said apart.
    service = header.get("service")
    needs = header.get("needs") or (f"SERVICE to {service} allowed (the SERVICE_ALLOWLIST setting)"
                                     if service else None)
    return {"name": path.stem, "title": header.get("title", path.stem), "description": header.get("description", ""),
            "needs": needs, "service": service, "text": text, "share": editor_link(text)}



@bp.after_app_request
def said_cut(response):
    """A page, document or view built from a query the row cap cut says so, as a query's answer does."""
    if g.get("page_cut") is not None:
        response.headers["X-Result-Truncated"] = "true"
        response.headers["X-Result-Limit"] = str(g.page_cut)
    return response

def resource_page(iri: str):
    """The HTML page of a resource: chosen by its type (a claim, an article, the ontology) or an entity."""
    summary = rows("resource-summary", this=iri)
    kinds = {TYPE_PAGES.get(row["value"].value) for row in summary if row["kind"].value == "type"}
    if "ontology" in kinds:
        from api.ontology_page import ontology_page
        return ontology_page(iri)
    if "article" in kinds:
        return article_page(iri, summary)
    if "claim" in kinds:
        return claim_page(iri, summary)
    if ask("names-graph", this=iri):
        return graph_page(iri, summary)
    return entity_page(iri, summary)


def _describe(iri: str, summary: list[dict[str, Term]]) -> dict:
    """Label, other names, types and descriptions of a resource, for the page heading."""
    def values(kind):
        return [row for row in summary if row["kind"].value == kind]

    label = first(values("label"), "value")
    return {"iri": iri, "label": label or Term("uri", iri).short,  # a Term keeps its language and direction
            "aliases": [row["value"] for row in values("alias")],
            "types": [(row["value"], row.get("valueLabel")) for row in values("type")],
            "descriptions": [row["value"] for row in values("description")],
            "describe": editor_link(_describe_query(iri)),
            "documents": [(name, media, document_path(iri, ext)) for ext, (media, fmt, name) in DOCUMENTS.items()
                          if fmt is not None] if local_path(iri) else []}


MOST_PARTS = 50  # fragment nodes a page's DESCRIBE names; past that (an ontology's terms) the resource alone


def _describe_query(iri: str) -> str:
    """DESCRIBE of the resource and its fragment nodes (a claim's annotation, target and selectors): what its
    page shows, where DESCRIBE <iri> alone follows only the resource's own statements."""
    parts = [row["part"].value for row in rows("fragment-nodes", this=iri)]
    named = [iri] + (parts if len(parts) <= MOST_PARTS else [])
    return "DESCRIBE " + " ".join(f"<{node}>" for node in named)


def entity_page(iri: str, summary):
    """Every statement about an entity grouped by property, each with the claims it rests on; bounded (see
    api.entity_statements), each cut saying how many there are and linking to the rest."""
    found, counts, cuts = listed_statements(iri)
    graphs = sorted({row["graph"].value for row in found if row["isClaim"].truth})
    claims = {row["claim"].value: _claim_view(row) for row in
              (_claim_details(table=(("claim",), [(NamedNode(graph),) for graph in graphs])) if graphs else [])}
    texts = _texts(claims.values())
    for claim in claims.values():
        claim["sentence"] = _sentence(claim, texts)
    groups: dict[str, OrderedDict] = {"out": OrderedDict(), "in": OrderedDict()}
    for row in found:
        direction, prop = row["direction"].value, row["property"].value
        count = counts.get((direction, prop))
        by_property = groups[direction].setdefault(prop, {
            "property": row["property"], "label": row.get("propertyLabel"), "values": OrderedDict(), "count": count,
            "rest": count and rest_of_values(iri, direction, prop)})
        value = by_property["values"].setdefault(
            (row["value"].kind, row["value"].value), {"value": row["value"], "label": row.get("valueLabel"),
                                                      "sources": OrderedDict(), "cut": None})
        if "cut" in row:
            value["cut"] = cuts[int(row["cut"].value)]
        graph = row["graph"].value
        value["sources"].setdefault(graph, {"graph": row["graph"], "label": row.get("graphLabel"),
                                            "claim": claims.get(graph) if row["isClaim"].truth else None})
    links = rows("entity-links", this=iri)
    return render_template("entity.html", entity=_describe(iri, summary), outgoing=groups["out"],
                           incoming=groups["in"], links=links)


def claim_page(iri: str, summary):
    """One claim: its quote in the article, claimer, modality, certainty, time and triples."""
    found = _claim_details(claim=iri)
    claim = _claim_view(found[0]) if found else {"iri": Term("uri", iri, href=local_path(iri))}
    claim["sentence"] = _sentence(claim, _texts([claim]))
    triples = rows("claim-triples", claim=iri)
    return render_template("claim.html", entity=_describe(iri, summary), claim=claim, triples=triples)


def article_page(iri: str, summary):
    """The article's text with every claimed span marked and linked to its claim below."""
    source = first(rows("source-text", source=iri), "text")
    text = source.value if source else ""
    claims = [_claim_view(row) for row in _claim_details(source=iri)]
    spans = {claim["anchor"]: (claim["start"], claim["end"]) for claim in claims if claim.get("start") is not None}
    triples: dict[str, list] = {}
    # this article's claims' alone: every claim's, unbound, passed the time limit at 1M statements (503)
    listed = sorted({claim["iri"].value for claim in claims})
    for row in rows("claim-triples", table=(("claim",), [(NamedNode(claim),) for claim in listed])) if listed else []:
        triples.setdefault(row["claim"].value, []).append(row)
    return render_template("article.html", entity=_describe(iri, summary), source=rows("source-text", source=iri),
                           paragraphs=evidence.paragraphs(text, spans), claims=claims, triples=triples)


def _claim_details(**bindings) -> list[dict[str, Term]]:
    """claim-details' rows for `bindings` (as rows() takes them), each with its claim's quote and offsets
    (claim-quotes): a row per quote, a claim without one kept, in the order of the quotes in the text."""
    quotes: dict[str, list[dict[str, Term]]] = {}
    for quote in rows("claim-quotes", **bindings):
        quotes.setdefault(quote["claim"].value, []).append(quote)
    found = [{**row, **quote} for row in rows("claim-details", **bindings)
             for quote in quotes.get(row["claim"].value, [{}])]
    # as ORDER BY ?start ?claim: a claim without a quote first (unbound sorts first), then by offset and IRI
    return sorted(found, key=lambda row: ("start" in row, int(row["start"].value) if "start" in row else 0,
                                          row["claim"].value))


def _claim_view(row: dict[str, Term]) -> dict:
    """A claim's details from a claim-details row, in the shape the templates use."""
    view = {key: value for key, value in row.items()}
    view["iri"] = row["claim"]
    view["anchor"] = "claim-" + row["claim"].value.rstrip("/").rsplit("/", 1)[-1]
    modality = row.get("modality")
    view["modality_class"] = "modality-" + (modality.value.rsplit("#", 1)[-1].lower() if modality else "unknown")
    for key in ("start", "end"):
        view[key] = int(row[key].value) if key in row else None
    return view


def _texts(claims) -> dict[str, str]:
    """The text of each source the `claims` (_claim_view's) quote, by the source's IRI: theirs alone, not every
    source's (a page read some 300 texts at 1M statements to show one sentence)."""
    sources = sorted({claim["source"].value for claim in claims if "source" in claim})
    found = rows("source-text", table=(("source",), [(NamedNode(source),) for source in sources])) if sources else []
    return {row["source"].value: row["text"].value for row in found if "text" in row}


def _sentence(claim: dict, texts: dict[str, str]):
    text = texts.get(claim["source"].value) if "source" in claim else None
    if text is None or claim.get("start") is None:
        return None
    return evidence.in_sentence(text, claim["start"], claim["end"])


def graph_page(iri: str, summary):
    """A named graph: what it is and where to get its triples."""
    return render_template("graph.html", entity=_describe(iri, summary),
                           store=current_app.url_for("graph_store.graph_store", graph=iri))
