"""Results as an aligned text table for a terminal, IRIs compacted by the known prefixes."""

from __future__ import annotations

import pyoxigraph as ox

from kg.results import XSD_STRING, Result

MAX_CELL = 80  # wider values are cut with an ellipsis so a row stays on a screen


def compact(term, prefixes: dict[str, str]) -> str:
    """A term as a person reads it: prefixed name, plain literal text, _:label, or <iri>."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact_iri(term.value, prefixes)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return "<< " + " ".join(compact(t, prefixes) for t in (term.subject, term.predicate, term.object)) + " >>"
    if term.language:
        return f"{term.value}@{term.language}"
    datatype = term.datatype.value
    if datatype == XSD_STRING or datatype.startswith("http://www.w3.org/2001/XMLSchema#") and \
            datatype.rsplit("#", 1)[1] in ("integer", "decimal", "double", "boolean"):
        return term.value
    return f"{term.value}^^{compact_iri(datatype, prefixes)}"


def compact_iri(iri: str, prefixes: dict[str, str]) -> str:
    best = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return f"<{iri}>"
    name = next(name for name, ns in prefixes.items() if ns == best)
    local = iri[len(best):]
    return f"{name}:{local}" if _plain_local(local) else f"<{iri}>"


def _plain_local(local: str) -> bool:
    return all(ch.isalnum() or ch in "_-." for ch in local) and not local.endswith(".")


def render(result: Result, prefixes: dict[str, str]) -> str:
    """An aligned table for solutions, 'true'/'false' for ASK, one triple a line for graphs."""
    if result.kind == "boolean":
        return "true" if result.boolean else "false"
    if result.kind == "graph":
        return "\n".join(" ".join(compact(t, prefixes) for t in (tr.subject, tr.predicate, tr.object)) + " ."
                         for tr in result.triples)
    header = [f"?{name}" for name in result.variables]
    cells = [[_cut(compact(term, prefixes)) for term in row] for row in result.rows]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(header)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule] + [line(row) for row in cells])


def _cut(text: str) -> str:
    text = text.replace("\n", "⏎")
    return text if len(text) <= MAX_CELL else text[:MAX_CELL - 1] + "…"
