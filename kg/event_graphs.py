"""Whether `kg events load` may replace a graph and its links graph: only what an earlier events load wrote there.

The loads graph tells: an events load records `<G> prov:wasGeneratedBy ?run` (a run of morph-kgc), `<G>/links
prov:wasDerivedFrom <G>`, and how many triples each holds; `kg load --graph` records `dct:isPartOf <G>` and
its time. Data that no events load wrote (a `kg load`, a SPARQL update) would be dropped with the graph.
"""

from __future__ import annotations

import re
import shlex
from datetime import datetime
from pathlib import Path

from kg.errors import KGError
from kg.namespaces import PREFIXES

PROV, DCT, RDFS, VOID = (PREFIXES[name] for name in ("prov", "dct", "rdfs", "void"))
MORPH_KGC = "https://pypi.org/project/morph-kgc/"  # the agent of every events load's run
_DATETIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?", re.ASCII)


def refuse_other_data(store, target: str, loads: str, path: Path) -> None:
    """KGError when `target` or `target/links` holds triples that no earlier `kg events load` wrote."""
    links = f"{target}/links"
    held = {graph: store.count(graph) for graph in (target, links)}
    if not any(held.values()):
        return
    runs = [_moment(row[0]) for row in store.query(
        f"SELECT ?end WHERE {{ GRAPH <{loads}> {{ <{target}> <{PROV}wasGeneratedBy> ?run . "
        f"?run <{PROV}wasAssociatedWith> <{MORPH_KGC}> ; <{PROV}endedAtTime> ?end }} }}")]
    last = max((moment for moment in runs if moment is not None), default=None)
    derived = bool(runs) and store.query(
        f"ASK {{ GRAPH <{loads}> {{ <{links}> <{PROV}wasDerivedFrom> <{target}> }} }}") is True
    counts: dict[str, set[int]] = {target: set(), links: set()}
    for graph, count in store.query(f"SELECT ?g ?n WHERE {{ VALUES ?g {{ <{target}> <{links}> }} "
                                    f"GRAPH <{loads}> {{ ?g <{VOID}triples> ?n }} }}"):
        if count.value.isdigit():
            counts[graph.value].add(int(count.value))
    others = {graph: [] for graph in held}
    for graph, label, when in store.query(
            f"SELECT ?g ?label ?when WHERE {{ VALUES ?g {{ <{target}> <{links}> }} GRAPH <{loads}> {{ "
            f"?record <{DCT}isPartOf> ?g ; <{RDFS}label> ?label ; <{PROV}generatedAtTime> ?when }} }}"):
        moment = _moment(when)
        if last is None or moment is None or moment > last:  # loaded after the last events load (or unknown)
            others[graph.value].append(label.value)
    for graph, count in held.items():
        ours = derived if graph == links else bool(runs)
        if count and (not ours or others[graph] or (counts[graph] and count not in counts[graph])):
            raise KGError(f"{path}: <{graph}> holds {count} triple(s), {_writer(others[graph], ours, counts[graph])}, "
                          "which this load would replace, so nothing was loaded: choose another --graph, or, if "
                          f"that data may go, drop the graph first: kg update {shlex.quote(f'DROP GRAPH <{graph}>')} "
                          "(with the same --store)")


def _writer(files: list[str], ours: bool, counts: set[int]) -> str:
    """Who wrote a graph's other data, as far as the loads graph tells."""
    listed = sorted(set(files))
    named = ", ".join(listed[:3]) + (f" and {len(listed) - 3} more" if len(listed) > 3 else "")
    if files:
        return f"some loaded by `kg load` of {named} after the last `kg events load`" if ours else \
            f"loaded by `kg load` of {named}"
    if ours and counts:
        wrote = " or ".join(str(n) for n in sorted(counts))
        return f"where `kg events load` wrote {wrote}: it was changed since (by a SPARQL update, say)"
    return "written by something other than `kg events load`"


def _moment(term) -> datetime | None:
    """An xsd:dateTime as an aware datetime (UTC where it gives no zone); None if it is none."""
    found = _DATETIME.fullmatch(getattr(term, "value", "").strip())
    if found is None:
        return None
    # a remote store may write the fraction to another number of digits, or Z for +00:00
    fraction = (found[2] or ".0")[1:7].ljust(6, "0")
    zone = found[3] if found[3] and found[3] != "Z" else "+00:00"
    try:
        return datetime.fromisoformat(f"{found[1]}.{fraction}{zone}")
    except ValueError:
        return None
