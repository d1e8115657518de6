"""What reconciliation knows of the graph: its entities, types and properties, and their values.

Entities are those of kg.matching (ids are local names under the `sk:` identifier space); types are
the ontology's classes and properties its properties (ids are compact IRIs such as `sahel:Alliance`, full
IRIs accepted). Everything is read with `select`, a function that runs a SELECT query and returns its
rows as SPARQL 1.1 JSON bindings (dicts of {"type", "value", ...}), so the API and the console read the
graph the same way: through the query service.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

import pyoxigraph as ox

from kg.errors import KGError
from kg.matching import CLASSES_QUERY, NAMES_QUERY, SUPERCLASSES_QUERY, THING, Entity, Matcher
from kg.namespaces import PREFIXES
from kg.near_terms import NEAR_TERMS, did_you_mean, nearest
from kg.results import term_json
from kg.sparql_lexer import is_iri
from kg.table_checks import valid_lexical

IDENTIFIER_SPACE = PREFIXES["sk"]
# The schema space is, in v0.2's words, a URI that identifies the type of the entities a service returns, not a
# namespace its type ids are local names in (ours are compact IRIs over several prefixes): every entity here is an
# owl:Thing, the ontology being OWL 2 DL.
SCHEMA_SPACE = THING
XSD = PREFIXES["xsd"]
INTEGERS = {XSD + name for name in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt",
                                    "unsignedLong", "unsignedShort", "unsignedByte")}
FLOATS = {XSD + "decimal", XSD + "double", XSD + "float"}
# A finite xsd:decimal, xsd:double or xsd:float as written (INF and NaN have no JSON number).
_XSD_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
DEFAULT_TYPE_ROOTS = (PREFIXES["foaf"] + "Agent", PREFIXES["schema"] + "Place")

Select = Callable[[str], list[dict]]

# The ontology's classes and properties, and OWL's built-in annotation properties, which OWL 2 DL
# forbids the ontology to declare.
TERMS_QUERY = """
SELECT ?term ?kind ?name ?description ?broader ?range WHERE {
  {
    VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }
    ?term a ?kind .
  } UNION {
    VALUES ?term { rdfs:label rdfs:comment rdfs:seeAlso owl:sameAs }  # built in, never declared (sahel.ttl)
    BIND (owl:AnnotationProperty AS ?kind)
  }
  FILTER isIRI(?term)
  OPTIONAL { ?term rdfs:label ?name FILTER (LANG(?name) IN ("en", "")) }
  OPTIONAL { ?term skos:definition ?description FILTER (LANG(?description) IN ("en", "")) }
  OPTIONAL { ?term rdfs:subClassOf ?broader FILTER isIRI(?broader) }
  OPTIONAL { ?term rdfs:range ?range FILTER isIRI(?range) }
}
"""

# Properties for a class (bound as ?type): those the data uses on its instances, those whose domain it is, and
# those whose domain is one of its superclasses in this ontology. A domain from an upper vocabulary
# (org:Organization, foaf:Agent, schema:Place) admits nearly everything: a sovereign state is an organisation
# and a place, yet sahel:destabilises or sahel:adminRegion was never meant for it, so such a domain counts
# only for the class itself (or where the data uses the property).
USED_PROPERTIES_QUERY = """
SELECT DISTINCT ?property WHERE {
  { ?entity a/rdfs:subClassOf* ?type ; ?property [] }
  UNION { ?property rdfs:domain ?type }
  UNION { ?type rdfs:subClassOf+ ?domain . ?property rdfs:domain ?domain FILTER STRSTARTS(STR(?domain), STR(sahel:)) }
}
"""

# Properties for a column reconciled against no type: those the data uses on its entities.
ENTITY_PROPERTIES_QUERY = """
SELECT DISTINCT ?property WHERE { ?entity ?property [] FILTER STRSTARTS(STR(?entity), STR(sk:)) }
"""


class ReconciliationError(KGError, ValueError):
    """A request that names nothing the service knows (an unknown type, property or entity)."""


@dataclass(frozen=True)
class Term:
    """A type or a property: its IRI, compact id, name, description, direct broader types (a type's) and range (a
    property's)."""

    iri: str
    id: str
    name: str
    description: str = ""
    broader: tuple[str, ...] = ()
    range: str | None = None  # a property's rdfs:range (the first, where several are stated)

    def as_json(self, catalogue: Catalogue | None = None) -> dict:
        found = {"id": self.id, "name": self.name}
        if self.description:
            found["description"] = self.description
        if catalogue is not None and self.broader:
            found["broader"] = [catalogue.types[iri].as_json() for iri in self.broader if iri in catalogue.types]
        return found


def _distinct_names(terms: dict[str, Term]) -> dict[str, Term]:
    """The terms, those sharing a name (skos:altLabel, skosxl:altLabel) named with their prefix too, so that a
    client's list of properties tells them apart."""
    counts = Counter(term.name.casefold() for term in terms.values())
    return {iri: term if counts[term.name.casefold()] == 1 or ":" not in term.id
            else replace(term, name=f"{term.name} ({term.id.split(':', 1)[0]})") for iri, term in terms.items()}


def _offered(identifier: str, known: dict[str, Term]) -> str:
    """'; did you mean 'a:X'?' of the ids of `known` an unknown one is likeliest a slip for (kg.near_terms), or ''.
    An id of no known prefix (Aliance) is read as the ontology's, whose name may be in another namespace too."""
    namespaces = sorted(set(PREFIXES.values()), key=len, reverse=True)  # the longest first: the closest one
    iri = expand(identifier)
    if not any(iri.startswith(namespace) for namespace in namespaces):
        iri = PREFIXES["sahel"] + identifier
    near = ([iri] if iri in known else []) + nearest(iri, known, namespaces)  # SovereignState: that one, first
    return did_you_mean([repr(known[found].id) for found in near[:NEAR_TERMS]])


def compact(iri: str) -> str:
    """`prefix:local` for an IRI under a known namespace with a plain local name, else the IRI."""
    for name, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and all(ch.isalnum() or ch in "-_" for ch in local):
            return f"{name}:{local}"
    return iri


def expand(identifier: str) -> str:
    """The IRI of a compact id (`sahel:Alliance`) or of a full IRI."""
    prefix, colon, local = identifier.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return identifier


class Catalogue:
    """What reconciliation knows of the graph: entities (a Matcher), types and properties."""

    def __init__(self, matcher: Matcher, types: dict[str, Term], properties: dict[str, Term]):
        self.matcher, self.types, self.properties = matcher, types, properties

    @classmethod
    def read(cls, select: Select) -> Catalogue:
        """Read entities, types and properties with `select` (see the module docstring)."""
        names = [plain(row, ("entity", "property", "name", "language")) for row in select(NAMES_QUERY)]
        matcher = Matcher.from_rows(names, [plain(row, ("entity", "type", "class")) for row in select(CLASSES_QUERY)],
                                    [plain(row, ("class", "superclass")) for row in select(SUPERCLASSES_QUERY)])
        found: dict[str, dict] = defaultdict(lambda: {"kinds": set(), "broader": set()})
        for row in select(TERMS_QUERY):
            entry = found[row["term"]["value"]]
            entry["kinds"].add(row["kind"]["value"].rsplit("#", 1)[1])
            for field in ("name", "description"):
                if field in row:
                    entry.setdefault(field, row[field]["value"])
            if "broader" in row:
                entry["broader"].add(row["broader"]["value"])
            if "range" in row:
                entry.setdefault("ranges", set()).add(row["range"]["value"])
        types, properties = {}, {}
        for iri, entry in found.items():
            term = Term(iri, compact(iri), entry.get("name") or _local(iri), entry.get("description", ""),
                        tuple(sorted(entry["broader"])), min(entry.get("ranges", ()), default=None))
            (types if "Class" in entry["kinds"] else properties)[iri] = term
        return cls(matcher, _distinct_names(types), _distinct_names(properties))

    def entity_iri(self, identifier: str) -> str:
        """The IRI of an entity id (a local name, `sk:x` or the full IRI)."""
        iri = expand(identifier)
        return iri if iri.startswith(IDENTIFIER_SPACE) else IDENTIFIER_SPACE + identifier

    def entity(self, identifier: str) -> Entity | None:
        return self.matcher.get(self.entity_iri(identifier))

    def type(self, identifier: str) -> Term:
        iri = expand(identifier)
        if iri == SCHEMA_SPACE:  # the manifest's type of every entity, so a query may name it: it admits them all
            return Term(iri, compact(iri), "Thing", "Whatever the service returns: every entity is an owl:Thing.")
        found = self.types.get(iri)
        if found is None:
            raise ReconciliationError(f"unknown type {identifier!r}: see the type suggest service"
                                      + _offered(identifier, self.types))
        return found

    def property(self, identifier: str) -> Term:
        found = self.properties.get(expand(identifier))
        if found is None:
            raise ReconciliationError(f"unknown property {identifier!r}: see the property suggest service"
                                      + _offered(identifier, self.properties))
        return found

    def near_entities(self, identifier: str) -> str:
        """'; did you mean 'x' or 'y'?' of the entity ids an unknown one is likeliest a slip for, or ''."""
        near = nearest(self.entity_iri(identifier), self.matcher.entities, (IDENTIFIER_SPACE,))
        return did_you_mean([repr(iri[len(IDENTIFIER_SPACE):]) for iri in near])

    def entity_json(self, entity: Entity) -> dict:
        """An entity as an id, a name, a description (its other names) and its types."""
        described = {"id": entity.iri[len(IDENTIFIER_SPACE):], "name": entity.label}
        aliases = sorted({name.text for name in entity.names if name.text != entity.label})
        if aliases:
            described["description"] = "also: " + "; ".join(aliases)
        described["type"] = [self.types[iri].as_json() if iri in self.types
                             else {"id": compact(iri), "name": _local(iri)} for iri in entity.types]
        return described

    def default_types(self) -> list[dict]:
        """The classes that agents and places (the usual things to reconcile) are direct instances of,
        most used first."""
        used: dict[str, int] = defaultdict(int)
        for entity in self.matcher.entities.values():
            if entity.is_a(DEFAULT_TYPE_ROOTS):
                for iri in entity.types:
                    used[iri] += 1
        ranked = sorted((iri for iri in used if iri in self.types), key=lambda iri: (-used[iri], iri))
        return [self.types[iri].as_json() for iri in ranked]


def property_values(select: Select, entities: list[str], properties: list[str]) -> dict:
    """{entity IRI: {property IRI: [(binding, name or None)]}} for the given IRIs, in one query; a text that is
    no IRI (an id a client made up, "a>b") has no values."""
    entities = [iri for iri in entities if is_iri(iri)]
    if not entities or not properties:
        return {}
    query = ("SELECT ?entity ?property ?value ?name WHERE { "
             f"VALUES ?entity {{ {' '.join(str(ox.NamedNode(iri)) for iri in entities)} }} "
             f"VALUES ?property {{ {' '.join(str(ox.NamedNode(iri)) for iri in properties)} }} "
             "?entity ?property ?value . "
             "OPTIONAL { ?value rdfs:label|skos:prefLabel ?name FILTER (LANG(?name) IN (\"en\", \"\")) } }")
    found: dict = defaultdict(lambda: defaultdict(list))
    seen = set()
    for row in select(query):
        key = (row["entity"]["value"], row["property"]["value"], repr(sorted(row["value"].items())))
        if key in seen:  # one value, whatever the number of its names or graphs
            continue
        seen.add(key)
        found[key[0]][key[1]].append((row["value"], row.get("name", {}).get("value")))
    return found


def value_json(catalogue: Catalogue, binding: dict, name: str | None) -> dict:
    """A property value as data extension writes it: an entity, a number, a date-time (a date's midnight) or a
    string."""
    value = binding["value"]
    if binding["type"] == "uri":
        entity = catalogue.matcher.get(value)
        if entity is not None:
            return {"id": value[len(IDENTIFIER_SPACE):], "name": entity.label}
        return {"str": name or value}
    datatype = binding.get("datatype", "")
    # Only a number written as XSD writes it: Python's int() and float() also read "1_000", " 12" and "٣".
    if datatype in INTEGERS and valid_lexical("integer", value):
        return {"int": int(value)}
    if datatype in FLOATS and _XSD_NUMBER.fullmatch(value) and math.isfinite(number := float(value)):
        return {"float": number}  # JSON has no NaN or infinity
    # The schema's date is a valid xsd:dateTime whose hour is below 24: anything else is given as written.
    if datatype == XSD + "dateTime" and valid_lexical("dateTime", value) and "T24" not in value:
        return {"date": value}
    # A day is given from its midnight, as the protocol's own example of a date ("1987-02-01T00:00:00+00:00").
    if datatype == XSD + "date" and valid_lexical("date", value):
        return {"date": re.sub(r"^(-?\d+-\d\d-\d\d)", r"\1T00:00:00", value)}
    return {"str": value}


def plain(row: dict, names) -> tuple:
    """A JSON bindings row as a tuple of plain values (None where unbound), in the order of `names`."""
    return tuple(row[name]["value"] if name in row else None for name in names)


def select_with(service) -> Select:
    """A `select` for a kg.query.QueryService (the row cap lifted: these are whole tables)."""
    def select(sparql: str) -> list[dict]:
        result = service.query(sparql, row_limit=1 << 30)
        return [{name: term_json(term) for name, term in zip(result.variables, row) if term is not None}
                for row in result.rows]
    return select


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
