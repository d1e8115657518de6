"""The Reconciliation Service API's suggest services: entities, types and properties whose names fit what a
user has typed so far, best fits first."""

from __future__ import annotations

from kg.catalogue import IDENTIFIER_SPACE, Catalogue
from kg.matching import normalise
from kg.reconciliation import DEFAULT_LIMIT


def suggest(items, prefix: str, cursor: int = 0, size: int = DEFAULT_LIMIT) -> list[dict]:
    """Suggestions for a prefix from (names, JSON) items: names starting with it, then words starting with
    it, then names containing it."""
    ranked = []
    for names, described in items:
        rank = prefix_rank(prefix, names)
        if rank is not None:
            ranked.append((rank, described["name"].casefold(), described["id"], described))
    ranked.sort(key=lambda item: item[:3])
    return [described for *_, described in ranked[cursor:cursor + size]]


def suggest_entities(catalogue: Catalogue, prefix: str, cursor: int = 0) -> list[dict]:
    """Entities whose name, alias or id fits the prefix; then close spellings (kg.matching)."""
    items = []
    for entity in catalogue.matcher.entities.values():
        described = catalogue.entity_json(entity)
        notable = described.pop("type")
        if notable:
            described["notable"] = notable
        items.append(([name.text for name in entity.names] + [described["id"]], described))
    found = suggest(items, prefix, 0, cursor + DEFAULT_LIMIT)
    if len(found) < cursor + DEFAULT_LIMIT:
        known = {item["id"] for item in found}
        for candidate in catalogue.matcher.candidates(prefix, limit=None, min_score=60):
            described = dict(next(d for _, d in items if d["id"] == candidate.entity.iri[len(IDENTIFIER_SPACE):]))
            if described["id"] not in known:
                found.append(described)
                known.add(described["id"])
    return found[cursor:cursor + DEFAULT_LIMIT]


def suggest_terms(terms, prefix: str, cursor: int = 0, catalogue: Catalogue | None = None) -> list[dict]:
    """Types or properties whose name or id fits the prefix."""
    return suggest([([term.name, term.id, term.id.split(":", 1)[-1]], term.as_json(catalogue)) for term in terms],
                   prefix, cursor)


def prefix_rank(prefix: str, names: list[str]) -> int | None:
    """0 when a name is the prefix itself, 1 when one starts with it, 2 when a word of one does, 3 when one
    contains it, else None (names and prefix normalised as kg.matching does)."""
    wanted = normalise(prefix)
    ranks = []
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
