"""Values a mapping made that lie outside the bounds the SHACL shapes give their property (sh:minInclusive,
sh:maxInclusive, sh:minExclusive, sh:maxExclusive): a latitude of 95, a negative count."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pyoxigraph as ox

from kg import paths

SH = "http://www.w3.org/ns/shacl#"
# Each bound: whether a value passes it, given the value and the bound.
BOUNDS = {"minInclusive": (">=", lambda v, b: v >= b), "maxInclusive": ("<=", lambda v, b: v <= b),
          "minExclusive": (">", lambda v, b: v > b), "maxExclusive": ("<", lambda v, b: v < b)}
RANGES = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
SELECT ?property ?kind ?bound WHERE {
  ?shape sh:path ?property ; ?kind ?bound . FILTER isIRI(?property)
  VALUES ?kind { sh:minInclusive sh:maxInclusive sh:minExclusive sh:maxExclusive }
}"""


@lru_cache(maxsize=1)
def ranges() -> dict[str, tuple[tuple[str, Decimal], ...]]:
    """Each bounded property's IRI, with its bounds as (name of the bound, number)."""
    store = ox.Store()  # in memory: the shipped shapes, read once
    store.load(path=str(paths.SHAPES_FILE), format=ox.RdfFormat.TURTLE)
    found: dict[str, list[tuple[str, Decimal]]] = {}
    for row in store.query(RANGES):
        found.setdefault(row["property"].value, []).append(
            (row["kind"].value[len(SH):], Decimal(row["bound"].value)))
    return {name: tuple(sorted(bounds, key=lambda bound: bound[0].startswith("max"))) for name, bounds in found.items()}


def out_of_range(triples: list[ox.Triple]) -> list[str]:
    """Each number outside its property's bounds, as `<subject> <predicate> "value" is not >= -90 and <= 90`
    (values that are no number are left to the datatype check, kg.table_checks.ill_typed)."""
    bounded, problems = ranges(), []
    for triple in triples:
        bounds = bounded.get(triple.predicate.value)
        if not bounds or not isinstance(triple.object, ox.Literal):
            continue
        try:
            value = Decimal(triple.object.value)
        except InvalidOperation:
            continue
        if not value.is_finite() or not all(BOUNDS[kind][1](value, bound) for kind, bound in bounds):
            wanted = " and ".join(f"{BOUNDS[kind][0]} {bound}" for kind, bound in bounds)
            problems.append(f'{triple.subject} {triple.predicate} "{triple.object.value}" is not {wanted}')
    return problems
