"""An RML mapping checked before morph-kgc runs it: morph-kgc meets a mapping that lacks a triples map, a
logical source, a subject map or an object map with a traceback of pandas' (a KeyError 'object_map')."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from kg.errors import SourceError
from kg.store.base import read_quads

RR = "http://www.w3.org/ns/r2rml#"
RML = ("http://semweb.mmlab.be/ns/rml#", "http://w3id.org/rml/")  # RML as morph-kgc reads it, old and new
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SHOWN = 5  # problems named; the rest are counted


def _terms(local: str, *, r2rml: bool = True) -> set[str]:
    """The IRIs of one RML/R2RML term in each namespace morph-kgc accepts it from."""
    return {namespace + local for namespace in (*RML, *((RR,) if r2rml else ()))}


TRIPLES_MAP = _terms("TriplesMap")
LOGICAL_SOURCE = _terms("logicalSource", r2rml=False) | {RR + "logicalTable"}
SUBJECT = _terms("subjectMap") | _terms("subject")
PREDICATE_OBJECT = _terms("predicateObjectMap")
PREDICATE = _terms("predicateMap") | _terms("predicate")
OBJECT = _terms("objectMap") | _terms("object")
# What a term map makes its term from (R2RML §7); an object map may join another triples map instead.
TERM = _terms("template") | _terms("constant") | _terms("reference", r2rml=False) | {RR + "column"}
JOIN = _terms("parentTriplesMap")


def check_mapping(mapping: Path) -> None:
    """SourceError naming what the mapping lacks for morph-kgc to run it; ParseError if it is no Turtle."""
    facts: dict[ox.Term, dict[str, list[ox.Term]]] = defaultdict(lambda: defaultdict(list))
    for quad in read_quads(mapping, format="turtle"):
        facts[quad.subject][quad.predicate.value].append(quad.object)
    maps = sorted((node for node, said in facts.items()
                   if any(kind.value in TRIPLES_MAP for kind in said.get(RDF_TYPE, ()))
                   or any(predicate in said for predicate in LOGICAL_SOURCE | SUBJECT | PREDICATE_OBJECT)), key=str)
    if not maps:
        raise SourceError("not an RML mapping: it holds no triples map (an rr:TriplesMap with an "
                          "rml:logicalSource and an rr:subjectMap)", path=str(mapping))
    problems = []
    for node in maps:
        said, name = facts[node], _name(node)
        if not any(predicate in said for predicate in LOGICAL_SOURCE):
            problems.append(f"the triples map {name} has no logical source (rml:logicalSource)")
        if not any(predicate in said for predicate in SUBJECT):
            problems.append(f"the triples map {name} has no subject map (rr:subjectMap)")
        elif _termless(facts, said, "subject", TERM):
            problems.append(f"the subject map of {name} has no rr:template, rr:constant or rml:reference")
        for part in (value for predicate in PREDICATE_OBJECT for value in said.get(predicate, ())):
            if not any(predicate in facts[part] for predicate in PREDICATE):
                problems.append(f"a predicate-object map of {name} has no predicate (rr:predicate)")
            if not any(predicate in facts[part] for predicate in OBJECT):
                problems.append(f"a predicate-object map of {name} has no object map (rr:objectMap)")
            elif _termless(facts, facts[part], "object", TERM | JOIN):
                problems.append(f"an object map of {name} has no rr:template, rr:constant, rml:reference or "
                                "rr:parentTriplesMap")
    problems = list(dict.fromkeys(problems))  # a map's parts alike are told once
    if problems:
        shown = "; ".join(problems[:SHOWN])
        more = f"; and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
        raise SourceError(f"not an RML mapping morph-kgc can run: {shown}{more}", path=str(mapping))


def _termless(facts, said: dict, kind: str, makers: set[str]) -> bool:
    """Whether a subject or object map (rr:subjectMap, rr:objectMap; the rr:subject shortcut is a constant)
    gives nothing to make its term from."""
    maps = [value for namespace in (*RML, RR) for value in said.get(f"{namespace}{kind}Map", ())]
    return any(not any(maker in facts.get(node, {}) for maker in makers) for node in maps)


def _name(node: ox.Term) -> str:
    return str(node) if isinstance(node, ox.NamedNode) else "(a blank node)"
