"""Answers of the Reconciliation Service API v0.2: candidates for queries, data extension, property proposals
(the suggest services are in kg.suggestions).

Requests arrive as parsed JSON; anything the specification's schemas or this graph do not allow raises
ReconciliationError (the API answers 400). Scores run from 0 to 100: the name score of kg.matching,
averaged with one score per property constraint; `match` is true only for an unambiguous exact label or
alias (or the entity's own identifier) whose property constraints all hold exactly.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from kg.catalogue import (ENTITY_PROPERTIES_QUERY, SCHEMA_SPACE, USED_PROPERTIES_QUERY, Catalogue, ReconciliationError,
                          Select, property_values, value_json)
from kg.errors import QueryTimeout
from kg.reconciliation_input import (CELL_TEXT, MAX_LIMIT, MAX_TEXT, MAX_VALUES, MAX_VALUES_TEXT, MOST_COUNT,
                                     check_strings, whole_json_number)
from kg.value_scores import value_score

DEFAULT_LIMIT = 10
MIN_NAME_SCORE = 60.0  # below it a name shares letters, not words ("Wagner" and "Niger": 54.5)
SHOULD_PENALTY = 0.8  # type_strict "should": a candidate of another type keeps 80% of its score
# A name qualified as Wikipedia's titles are ("Mali (country)", "Niger (river)"): the qualifier may not fit, so a
# candidate found by the name alone keeps 90% of its score and is never a certain match.
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")
QUALIFIED_SHARE = 0.9
QUERY_KEYS = {"query", "type", "limit", "properties", "type_strict"}
MAX_EXTEND_PROPERTIES = 100  # properties one data extension request asks for


@dataclass(frozen=True)
class Query:
    """One reconciliation query, checked: text, type IRIs, how strict, limit, (property IRI, values)."""

    text: str | None
    types: tuple[str, ...]
    type_strict: str
    limit: int
    properties: tuple[tuple[str, tuple], ...]


def parse_query(raw, catalogue: Catalogue) -> Query:
    """A query object of a batch, checked against the v0.2 schema and the graph's types and properties."""
    if not isinstance(raw, dict):
        raise ReconciliationError("each query of a batch must be a JSON object")
    unknown = sorted(set(raw) - QUERY_KEYS)
    if unknown:
        raise ReconciliationError(f"unknown query field(s) {', '.join(unknown)}; a query has {sorted(QUERY_KEYS)}")
    check_strings(raw, "", cells=CELL_TEXT)
    text = raw.get("query")
    if "query" in raw and not isinstance(text, str):  # null too: the schema's query is a string
        raise ReconciliationError("query must be a string")
    text = text if text and text.strip() else None  # a blank cell names nothing: no candidates for it
    types = raw.get("type", [])
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or not all(isinstance(kind, str) for kind in types):
        raise ReconciliationError("type must be a type id or a list of type ids")
    if any(not kind.strip() for kind in types):  # a form's field left empty, say, where no type was meant
        raise ReconciliationError("type is blank: name a type id, or leave type out to match entities of any type")
    types = list(dict.fromkeys(types))  # each is checked against every candidate
    if len(types) > MAX_VALUES:
        raise ReconciliationError(f"{len(types)} types in one query; the most is {MAX_VALUES}")
    strict = raw.get("type_strict", "any")
    if strict not in ("any", "all", "should"):
        raise ReconciliationError('type_strict must be "any", "all" or "should"')
    # The schema's "number" is, in the specification's words, a positive integer: 0 is taken too (no candidates).
    # More than MAX_LIMIT is answered with at most that many, as a service may (a client's setting is no fault).
    limit = min(whole_json_number(raw.get("limit", DEFAULT_LIMIT), "limit", 0, MOST_COUNT), MAX_LIMIT)
    constraints = raw.get("properties", [])
    if not isinstance(constraints, list):
        raise ReconciliationError("properties must be a list of {pid, v} objects")
    properties, count, characters = [], 0, 0
    for constraint in constraints:
        if not isinstance(constraint, dict) or not isinstance(constraint.get("pid"), str) or "v" not in constraint:
            raise ReconciliationError('each property constraint is an object with "pid" and "v"')
        wanted = constraint["v"] if isinstance(constraint["v"], list) else [constraint["v"]]
        wanted = [value for value in wanted if not isinstance(value, str) or value.strip()]  # a blank cell: no value
        for value in wanted:
            if not (isinstance(value, (str, int, float, bool)) or isinstance(value, dict)
                    and isinstance(value.get("id"), str) and isinstance(value.get("name", ""), str)):
                raise ReconciliationError("a property value is a string, number, boolean or {\"id\": ...}")
            if isinstance(value, float) and not math.isfinite(value):
                raise ReconciliationError("a property value that is a number must be finite")
            characters += len(value) if isinstance(value, str) else 0
        if characters > MAX_VALUES_TEXT:  # each is scored against every candidate's values
            raise ReconciliationError(f"the string values of one query have more than {MAX_VALUES_TEXT} characters "
                                      f"together, the most (and {MAX_TEXT} each)")
        count += len(wanted)
        if count > MAX_VALUES:
            raise ReconciliationError(f"more than {MAX_VALUES} property values in one query")
        term = catalogue.property(constraint["pid"])
        if wanted:  # no values (an empty cell's): nothing to compare, rather than a property no value fits
            properties.append((term.iri, tuple(wanted)))
    if "query" not in raw and not constraints:
        raise ReconciliationError("a query needs a query string or at least one property constraint")
    return Query(text, tuple(catalogue.type(kind).iri for kind in types), strict, limit, tuple(properties))


def reconcile(catalogue: Catalogue, select: Select, query: Query, *, deadline: float | None = None) -> list[dict]:
    """The candidates for one query, best first, as reconciliation candidates (JSON objects). Past `deadline`
    (a time.monotonic()), checked between candidates, raises QueryTimeout."""
    if query.limit == 0 or query.text is None and not query.properties:
        return []
    def admitted(entity) -> bool:
        if not query.types:
            return True
        held = [entity.is_a([kind]) for kind in query.types]
        return all(held) if query.type_strict == "all" else any(held)

    scored = {}  # entity IRI -> (entity, name score or None, exact name, named by its identifier)
    if query.text is not None:
        bare = _QUALIFIER.sub("", query.text).strip()
        if bare and bare != query.text.strip():  # "Mali (country)": the name without it, never a certain match
            for found in catalogue.matcher.candidates(bare, limit=None, min_score=MIN_NAME_SCORE / QUALIFIED_SHARE):
                scored[found.entity.iri] = (found.entity, round(found.score * QUALIFIED_SHARE, 2), False, False)
        for found in catalogue.matcher.candidates(query.text, limit=None, min_score=MIN_NAME_SCORE):
            if found.entity.iri not in scored or found.score > scored[found.entity.iri][1]:
                scored[found.entity.iri] = (found.entity, found.score, found.exact, False)
        named = catalogue.entity(query.text.strip()) if " " not in query.text.strip() else None
        if named is not None:  # the entity's own identifier: the best of matches
            scored[named.iri] = (named, 100.0, True, True)
    else:
        scored = {e.iri: (e, None, False, False) for e in catalogue.matcher.entities.values()}
    scored = {iri: found for iri, found in scored.items()
              if query.type_strict == "should" or admitted(found[0])}
    # A name or identifier matches when no other entity of the types asked for has it exactly as a name or identifier
    # (an id such as "washington" may be another entity's name): "should" lists the others, which do not compete.
    exact = [iri for iri, found in scored.items() if found[2] and admitted(found[0])]
    matched = exact[0] if len(exact) == 1 else None
    held = property_values(select, sorted(scored), sorted({iri for iri, _ in query.properties}))
    results = []
    for iri, (entity, name_score, _, identified) in scored.items():
        if deadline is not None and time.monotonic() > deadline:
            raise QueryTimeout("reconciliation stopped at its time limit")
        features = [] if name_score is None else [{"id": "identifier" if identified else "name", "value": name_score}]
        parts = [] if name_score is None else [name_score]
        for pid, wanted in query.properties:
            values = held.get(iri, {}).get(pid, [])
            best = max((value_score(catalogue, w, binding, name) for w in wanted for binding, name in values),
                       default=0.0)
            parts.append(best)
            features.append({"id": f"property:{catalogue.properties[pid].id}", "value": best})
        total = sum(parts) / len(parts)
        fits = admitted(entity)
        if query.types:
            features.append({"id": "type_match", "value": fits})
            total *= 1.0 if fits else SHOULD_PENALTY
        if name_score is None and total == 0:
            continue
        exact_properties = all(part == 100.0 for part in parts[0 if name_score is None else 1:])
        results.append((round(total, 2), iri, entity, features, iri == matched and exact_properties and fits,
                        exact_properties and fits))
    results.sort(key=lambda item: (-item[0], item[1]))
    if query.text is None:  # no name to go by: a match is the one candidate all of whose properties hold
        exact = [item for item in results if item[5]]
        results = [(s, i, e, f, len(exact) == 1 and item_exact, item_exact)
                   for s, i, e, f, _, item_exact in results]
    return [{**catalogue.entity_json(entity), "score": total, "features": features, "match": match}
            for total, _, entity, features, match, _ in results[:query.limit]]


@dataclass(frozen=True)
class Extension:
    """A data extension request, checked: the entity IRI of each id asked about, and each property asked for (its
    id as asked, its term, the most values to give, 0 for all)."""

    iris: dict
    wanted: list


def parse_extension(request, catalogue: Catalogue) -> Extension:
    """{"ids": [...], "properties": [{"id", "settings"?}]} checked against the schema and the graph's entities and
    properties (ReconciliationError otherwise)."""
    if not isinstance(request, dict) or not isinstance(request.get("ids"), list) \
            or not isinstance(request.get("properties"), list):
        raise ReconciliationError('a data extension query is an object with "ids" and "properties" lists')
    check_strings(request, "")
    if not all(isinstance(identifier, str) for identifier in request["ids"]):
        raise ReconciliationError("ids must be entity ids (strings)")
    if len(request["properties"]) > MAX_EXTEND_PROPERTIES:
        raise ReconciliationError(f"{len(request['properties'])} properties asked for; the most is "
                                  f"{MAX_EXTEND_PROPERTIES}")
    wanted, asked_for = [], set()
    for item in request["properties"]:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise ReconciliationError('each property to fetch is an object with an "id"')
        if item["id"] in asked_for:  # asked twice: its column once
            continue
        asked_for.add(item["id"])
        settings = item.get("settings", {})
        if not isinstance(settings, dict):
            raise ReconciliationError('a property\'s settings are an object, such as {"limit": 1}')
        unknown = sorted(set(settings) - {"limit"})
        if unknown:  # as a query's unknown member is: a setting this service does not have would do nothing
            raise ReconciliationError(f"unknown setting {unknown[0]!r}: the one property setting here is limit")
        limit = _values_limit(settings.get("limit", 0))
        wanted.append((item["id"], catalogue.property(item["id"]), limit))
    return Extension({identifier: catalogue.entity_iri(identifier) for identifier in request["ids"]}, wanted)


def extend(catalogue: Catalogue, select: Select, extension: Extension) -> dict:
    """The data extension response for `extension`."""
    iris, wanted = extension.iris, extension.wanted
    held = property_values(select, sorted(set(iris.values())), sorted({term.iri for _, term, _ in wanted}))
    rows = {}
    for identifier, iri in iris.items():
        row = {}
        for asked, term, limit in wanted:  # under the id the client gave, which it looks the values up by
            values = [value_json(catalogue, binding, name) for binding, name in held.get(iri, {}).get(term.iri, [])]
            values.sort(key=lambda value: repr(sorted(value.items())))
            row[asked] = values[:limit] if limit else values
        rows[identifier] = row
    return {"meta": [_column(catalogue, asked, term) for asked, term, _ in wanted], "rows": rows}


def _column(catalogue: Catalogue, asked: str, term) -> dict:
    """A data extension's column: the property as asked for, with the type of its values where its range is one of
    the ontology's classes (OpenRefine reconciles the new column against it)."""
    kind = catalogue.types.get(term.range or "")
    return {"id": asked, "name": term.name, **({"type": {"id": kind.id, "name": kind.name}} if kind else {})}


def _values_limit(limit) -> int:
    """A data extension's limit setting: a whole number of values, 0 for all. The manifest says "number", but
    OpenRefine sends each setting as its form field's text, and v0.2's example writes "5": digits are taken too, and
    an empty field is the default."""
    if isinstance(limit, str):
        text = limit.strip() or "0"
        # isascii: "²" passes isdigit() alone; a length bound: int() of thousands of digits raises
        limit = int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else limit
    return whole_json_number(limit, "the limit setting", 0, MOST_COUNT)


def propose_properties(catalogue: Catalogue, select: Select, type_id: str | None, limit: int | None) -> dict:
    """The properties used on instances of a type, declared with it as domain, or with a superclass of it in
    this ontology (sahel:) as domain (see USED_PROPERTIES_QUERY); with no type, those used on any entity."""
    kind = None if type_id is None else catalogue.type(type_id).iri
    # owl:Thing is every entity's type: the properties used on any entity, as with none
    query = ENTITY_PROPERTIES_QUERY if kind in (None, SCHEMA_SPACE) else \
        USED_PROPERTIES_QUERY.replace("?type", f"<{kind}>")
    found = sorted({row["property"]["value"] for row in select(query)} & set(catalogue.properties))
    terms = sorted((catalogue.properties[iri] for iri in found), key=lambda term: term.name)
    proposal = {} if type_id is None else {"type": type_id}
    proposal["properties"] = [term.as_json() for term in terms[:limit] if term]
    if limit is not None:
        proposal["limit"] = limit
    return proposal
