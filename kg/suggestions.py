"""The Reconciliation Service API's suggest services: entities, types and properties whose names fit what a
user has typed so far, best fits first."""

from __future__ import annotations

import re

from kg.catalogue import IDENTIFIER_SPACE, Catalogue
from kg.matching import normalise
from kg.reconciliation import DEFAULT_LIMIT

# Where a local name in camel case (FormalOrganization, armedForceOf) starts a new word.
_CAMEL_CASE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def suggest(items, prefix: str, cursor: int = 0, size: int = DEFAULT_LIMIT) -> list[dict]:
    """Suggestions for a prefix from (names, ids, JSON) items: names or ids that are it, names or ids starting
    with it, names with a word starting with it, then names containing it."""
    ranked = []
    for names, ids, described in items:
        rank = prefix_rank(prefix, names, ids)
        if rank is not None:  # of those that fit alike, the shortest name first: Niger before "military of Niger"
            ranked.append((rank, len(described["name"]), described["name"].casefold(), described["id"], described))
    ranked.sort(key=lambda item: item[:4])
    return [described for *_, described in ranked[cursor:cursor + size]]


def suggest_entities(catalogue: Catalogue, prefix: str, cursor: int = 0, *, types: tuple[str, ...] = (),
                     strict: bool = True, size: int = DEFAULT_LIMIT) -> list[dict]:
    """Entities whose name, alias or id fits the prefix, then close spellings (kg.matching), `size` from `cursor`.
    With `types` (IRIs; subclasses count), only their entities where `strict`, else theirs first (type_strict
    "should", as OpenRefine sends a column's type)."""
    items = []
    for entity in catalogue.matcher.entities.values():
        if types and strict and not entity.is_a(types):
            continue
        described = catalogue.entity_json(entity)
        notable = described.pop("type")
        if notable:
            described["notable"] = notable
        # The id is a name too: a slug of one, its words the name's ("burkina-faso").
        items.append(([name.text for name in entity.names] + [described["id"]],
                      [entity.iri, "sk:" + described["id"]], described))
    found = suggest(items, prefix, 0, len(items))
    by_id = {described["id"]: described for *_, described in items}
    if normalise(prefix) and (len(found) < cursor + size or types and not strict):  # nothing typed is close to all
        known = {item["id"] for item in found}
        for candidate in catalogue.matcher.candidates(prefix, limit=None, min_score=60):
            identifier = candidate.entity.iri[len(IDENTIFIER_SPACE):]
            if identifier in by_id and identifier not in known:
                found.append(by_id[identifier])
                known.add(identifier)
    if types and not strict:  # stable: each part keeps its order by fit
        fits = {entity.iri[len(IDENTIFIER_SPACE):] for entity in catalogue.matcher.entities.values()
                if entity.is_a(types)}
        found.sort(key=lambda described: described["id"] not in fits)
    return found[cursor:cursor + size]


def suggest_terms(terms, prefix: str, cursor: int = 0, catalogue: Catalogue | None = None) -> list[dict]:
    """Types or properties whose name, or local name read as words, fits the prefix, or whose id or IRI starts
    with it. The id's prefix is no word of a name: "Ma" finds no schema: term for the "ma" of "schema"."""
    return suggest([([_own_name(term.name, term.id), _CAMEL_CASE.sub(" ", re.split(r"[#/:]", term.iri)[-1])],
                     [term.id, term.iri], term.as_json(catalogue)) for term in terms], prefix, cursor)


def _own_name(name: str, identifier: str) -> str:
    """A term's name without the id's prefix that kg.catalogue adds to tell namesakes apart ("Event (schema)")."""
    added = f" ({identifier.split(':', 1)[0]})"
    return name[:-len(added)] if ":" in identifier and name.endswith(added) else name


def prefix_rank(prefix: str, names: list[str], ids=()) -> int | None:
    """0 when a name or id is the prefix itself, 1 when one starts with it, 2 when a word of a name does, 3 when a
    name contains it, else None (names normalised as kg.matching does; ids caseless, from their start). A prefix
    with nothing to match (empty, blank, punctuation alone) fits no name: every name would start with it."""
    wanted, typed = normalise(prefix), prefix.strip().casefold()
    if not wanted:
        names = ()
    ranks = []
    for identifier in ids:
        if identifier.casefold() == typed:
            ranks.append(0)
        elif typed and identifier.casefold().startswith(typed):
            ranks.append(1)
    for text in names:
        name = normalise(text)
        if name == wanted:
            ranks.append(0)
        elif name.startswith(wanted):
            ranks.append(1)
        elif f" {wanted}" in f" {name}":
            ranks.append(2)
        elif wanted in name:
            ranks.append(3)
    return min(ranks) if ranks else None
