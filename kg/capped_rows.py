"""A store's lazy answer read into a finished Result, up to the row cap."""

from __future__ import annotations

from kg.results import Result
from kg.store.base import Solutions


def collect(raw, limit: int | None) -> Result:
    """A store's answer (Solutions, Triples or a bool) read into a Result, up to `limit` rows, marked cut if it had
    more or the store cut it."""
    if isinstance(raw, bool):
        return Result(kind="boolean", boolean=raw)
    items, truncated = [], False
    for item in raw:
        if limit is not None and len(items) >= limit:
            truncated = True
            break
        items.append(item)
    close = getattr(getattr(raw, "rows", None) or getattr(raw, "triples", None), "close", None)
    if truncated and close:
        close()  # stops the engine's work on the rows nobody will read
    truncated = truncated or getattr(raw, "cut", False)  # the store cut it at a limit of its own
    if isinstance(raw, Solutions):
        return Result(kind="solutions", variables=raw.variables, rows=items, truncated=truncated, limit=limit)
    return Result(kind="graph", triples=items, truncated=truncated, limit=limit)
