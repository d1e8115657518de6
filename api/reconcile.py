"""/reconcile: the Reconciliation Service API v0.2 (W3C Entity Reconciliation CG), as OpenRefine speaks it.

GET /reconcile gives the manifest; `queries=` (GET or form POST) a reconciliation batch; `extend=` a data
extension. Suggest services at /reconcile/suggest/{entity,type,property}, property proposals at
/reconcile/properties, previews at /reconcile/preview. Every response may be JSONP (`callback=`) and
carries CORS headers (see create_app). What the graph holds is read through the query service.
"""

from __future__ import annotations

import json
import time

from flask import Blueprint, Response, current_app, render_template, request

from api.errors import Problem, problem_document, problem_page, unsupported_media
from api.fairness import charged
from api.ops import received, request_deadline
from api.public_origin import origin, public_url
from api.params import FORM
from api.reconcile_params import count, cursor, filled, json_parameter, params as _params, prefix
from kg import __version__
from kg.catalogue import IDENTIFIER_SPACE, SCHEMA_SPACE, Catalogue
from kg.errors import QueryTimeout, StoreError
from kg.reconciliation import (DEFAULT_LIMIT, Extension, extend, parse_extension, parse_query, propose_properties,
                               reconcile)
from kg.reconciliation_input import MAX_LIMIT, check_strings
from kg.suggestions import suggest_entities, suggest_terms
from kg.answers import Answer, QueryRequest

bp = Blueprint("reconcile", __name__)

PREVIEW_SIZE = (400, 160)  # width and height of the preview iframe, in pixels
WHOLE_TABLE = 1 << 30  # the row cap of the store's answers reconciliation reads (see _select)


@bp.route("/reconcile", methods=["GET", "POST"])
def service():
    """Manifest, reconciliation batch or data extension, by the parameter given (only the last two are charged
    as queries: the manifest's catalogue, when it must be read, is charged for its store queries alone)."""
    if request.method == "POST" and request.mimetype != FORM and (request.mimetype or request.get_data()):
        # A JSON or multipart body would be read as no parameters at all and told it lacks them.
        raise unsupported_media(f"POST needs {FORM} (a queries= or extend= field)", request.mimetype)
    params = _params()
    if "queries" in params and "extend" in params:
        raise Problem(400, "Queries and extend", "a request carries queries or extend, not both")
    # What a request is refused for by its own shape (its size, its parameters, its queries) is told before it
    # is charged: a client past its budget is told what to mend, not to wait (parsing reads only the catalogue).
    if "queries" in params:
        batch = _parsed(json_parameter(params, "queries"))
        with charged():
            return _reply(_reconcile(*batch))
    if "extend" in params:
        catalogue, extension = _extension(json_parameter(params, "extend"))
        with charged():
            return _reply(extend(catalogue, _select, extension))
    if request.method == "POST":
        raise Problem(400, "Missing queries", "POST a queries= (or extend=) form field")
    return _reply(_manifest())


@bp.route("/reconcile/suggest/entity")
def suggest_entity():
    params = _params()
    start, at, size, catalogue = prefix(params), cursor(params), count(params, "limit", minimum=1), _catalogue()
    kind, strict = filled(params, "type"), filled(params, "type_strict") or "any"
    if strict not in ("any", "all", "should"):
        raise Problem(400, "Bad request", 'type_strict is "any", "all" or "should"')
    types = () if kind is None else (catalogue.type(kind).iri,)  # an unknown type is 400, offering the near ones
    with charged():
        return _reply({"result": suggest_entities(catalogue, start, at, types=types, strict=strict != "should",
                                                  size=min(size or DEFAULT_LIMIT, MAX_LIMIT))})


@bp.route("/reconcile/suggest/type")
def suggest_type():
    params = _params()
    start, at = prefix(params), cursor(params)
    with charged():
        catalogue = _catalogue()
        return _reply({"result": suggest_terms(catalogue.types.values(), start, at, catalogue)})


@bp.route("/reconcile/suggest/property")
def suggest_property():
    params = _params()
    start, at = prefix(params), cursor(params)
    with charged():
        return _reply({"result": suggest_terms(_catalogue().properties.values(), start, at)})


@bp.route("/reconcile/properties")
def properties():
    """Data extension property proposals for a type, or for a column reconciled against none (no type=)."""
    params = _params()
    limit, kind, catalogue = count(params, "limit", minimum=1), filled(params, "type"), _catalogue()
    if kind is not None:
        catalogue.type(kind)  # an unknown type is refused before anything is charged
    with charged():
        return _reply(propose_properties(catalogue, _select, kind, limit))


@bp.route("/reconcile/preview")
def preview():
    """A small HTML summary of an entity, linking to its page."""
    try:
        identifier = filled(_params(), "id")
    except Problem as error:  # a repeated id, bytes that are no UTF-8: shown in the frame as the others are
        return problem_page(problem_document(error.status, error.title, error.detail))
    if not identifier:  # shown in a frame, which renders HTML whatever it asked for
        return problem_page(problem_document(400, "Missing id", "give the id= of the entity to preview"))
    catalogue = _catalogue()
    entity = catalogue.entity(identifier)
    if entity is None:
        return problem_page(problem_document(404, "Unknown entity", f"no entity has the id {identifier!r}"
                                             + catalogue.near_entities(identifier)))
    described = catalogue.entity_json(entity)
    aliases = sorted({name.text for name in entity.names if name.text != entity.label})
    html = render_template("reconcile_preview.html", entity=described, aliases=aliases,
                           page=public_url(f"/id/{described['id']}"))
    return Response(html, mimetype="text/html")


def _manifest() -> dict:
    root = origin()
    catalogue = _catalogue()
    suggest = {kind: {"service_url": root, "service_path": f"/reconcile/suggest/{kind}"}
               for kind in ("entity", "type", "property")}
    return {
        "versions": ["0.2"],
        "name": "sahel-kg: the Sahel's alliances, armed forces and security partnerships",
        "identifierSpace": IDENTIFIER_SPACE,
        "schemaSpace": SCHEMA_SPACE,
        "documentation": root + "/",
        "serviceVersion": __version__,
        "defaultTypes": catalogue.default_types(),
        "view": {"url": root + "/id/{{id}}"},
        "preview": {"url": root + "/reconcile/preview?id={{id}}", "width": PREVIEW_SIZE[0],
                    "height": PREVIEW_SIZE[1]},
        "suggest": suggest,
        "extend": {
            "propose_properties": {"service_url": root, "service_path": "/reconcile/properties"},
            "property_settings": [{"name": "limit", "label": "Limit", "type": "number", "default": 0,
                                   "help_text": "Most values to fetch per entity (0: all)"}],
        },
        "batchSize": current_app.config["RECONCILE_BATCH_SIZE"],
    }


def _parsed(batch) -> tuple[Catalogue, dict]:
    """The catalogue, and the queries of `batch` (a queries= parameter, read as JSON) by key; 413 for a batch over
    the cap, 400 for one that is no object or holds queries that are not ones, each named in `queries`."""
    if not isinstance(batch, dict):
        raise Problem(400, "Bad reconciliation request", "queries must be a JSON object of queries by key")
    _cap(len(batch), "queries")
    check_strings(dict.fromkeys(batch), "queries")  # the keys, echoed in the answer (parse_query reads the rest)
    catalogue = _catalogue()
    parsed, faults = {}, {}
    for key, raw in batch.items():
        try:
            parsed[key] = parse_query(raw, catalogue)
        except ValueError as error:
            faults[key] = str(error)
    if faults:  # v0.2's result batch has no place for one query's error (each key needs a result): the batch is
        # refused whole, every query at fault named by key, so that a client mends or drops them all in one go
        raise Problem(400, "Bad reconciliation request",
                      "; ".join(f"query {key!r}: {fault}" for key, fault in faults.items()), queries=faults)
    return catalogue, parsed


def _reconcile(catalogue: Catalogue, parsed: dict) -> dict:
    # Matching runs here, not in a query worker: the batch gets the time limit of a query, counted from the
    # request's arrival as a query's is, and checked between its queries and their candidates (each
    # candidate's work is bounded by kg.reconciliation_input's MAX_TEXT).
    limit, deadline = current_app.config["QUERY_TIMEOUT"], request_deadline()
    results = {}
    try:
        for key, query in parsed.items():
            if deadline is not None and time.monotonic() > deadline:
                raise QueryTimeout("reconciliation stopped at its time limit")
            results[key] = {"result": reconcile(catalogue, _select, query, deadline=deadline)}
    except QueryTimeout:
        raise QueryTimeout(f"reconciliation stopped after its time limit of {limit:g}s") from None
    return results


def _extension(query) -> tuple[Catalogue, Extension]:
    """The catalogue, and `query` (an extend= parameter, read as JSON) checked: 413 for more ids than the cap, 400
    for one that is not a data extension request."""
    if isinstance(query, dict) and isinstance(query.get("ids"), list):
        _cap(len(query["ids"]), "entity ids")
    catalogue = _catalogue()
    try:
        return catalogue, parse_extension(query, catalogue)
    except ValueError as error:
        raise Problem(400, "Bad data extension request", str(error)) from None


def _catalogue() -> Catalogue:
    """Entities, types and properties, read once per dataset version (a remote store: see Backend.index_key)."""
    key = current_app.extensions["sahel-kg"].index_key()
    cached = current_app.extensions.get("sahel-kg-reconcile")
    if key is not None and cached and cached[0] == key:
        return cached[1]
    catalogue = Catalogue.read(_select)
    if key is not None:
        current_app.extensions["sahel-kg-reconcile"] = (key, catalogue)
    return catalogue


def _select(sparql: str) -> list[dict]:
    """A SELECT through the query service, as SPARQL JSON bindings, within the time limit of a query. Its
    answers are whole tables (every entity's names, the values of the candidates asked about), bounded by
    the data and the request's own bounds, so ROW_LIMIT, a cap on what clients ask for, does not cut them."""
    config = current_app.config
    answer = current_app.extensions["sahel-kg"].query(
        QueryRequest(sparql=sparql, format="json", timeout=config["QUERY_TIMEOUT"], row_limit=WHOLE_TABLE),
        since=received())
    document = json.loads(answer.body if isinstance(answer, Answer) else b"".join(answer.chunks))
    if document.get("truncated"):
        raise StoreError(f"reconciliation needs more than {WHOLE_TABLE} rows from the store")
    return document["results"]["bindings"]


def _cap(size: int, what: str) -> None:
    most = current_app.config["RECONCILE_BATCH_SIZE"]
    if size > most:
        raise Problem(413, "Batch too large", f"{size} {what} in one request; the most is {most} (batchSize)")


def _reply(document) -> Response:
    """JSON, or JSONP when the request names a callback function."""
    body = json.dumps(document, ensure_ascii=False, allow_nan=False)  # NaN is not JSON: fail, never send it
    callback = _params().get("callback")  # _params() refused it repeated, or not a function name
    if callback is None:
        return Response(body, mimetype="application/json")
    return Response(f"/**/{callback}({body});", mimetype="application/javascript")
