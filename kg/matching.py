"""Matching a name against the graph's entities: normalisation, scores from 0 to 100, unambiguous matches.

One place for it, shared by the reconciliation service, the linking of event actors and claims drafting.
Entities are the IRIs under the project's `sk:` namespace that carry an rdfs:label, skos:prefLabel or
skos:altLabel; their names, types and classes (types and their superclasses) are read through SPARQL.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from kg.namespaces import PREFIXES

THING = PREFIXES["owl"] + "Thing"

RDFS_LABEL = PREFIXES["rdfs"] + "label"
SKOS_PREF_LABEL = PREFIXES["skos"] + "prefLabel"
SKOS_ALT_LABEL = PREFIXES["skos"] + "altLabel"
NAME_PROPERTIES = (SKOS_PREF_LABEL, RDFS_LABEL, SKOS_ALT_LABEL)  # in the order a display name is chosen

# Words that carry little of a name, in the languages the names come in (English, French, Arabic
# transliterations); they count in the similarity, but not for word coverage or acronyms.
STOPWORDS = frozenset("""
    a an and at by for from in of on the to with
    au aux d de des du dans en et l la le les par pour sur
    al el wal
""".split())

# SELECT ?entity ?property ?name ?language: every name of every entity, as plain strings.
NAMES_QUERY = """
SELECT DISTINCT ?entity ?property ?name ?language WHERE {
  VALUES ?property { skos:prefLabel rdfs:label skos:altLabel }
  ?entity ?property ?literal .
  FILTER (isIRI(?entity) && STRSTARTS(STR(?entity), STR(sk:)) && isLITERAL(?literal))
  BIND (STR(?literal) AS ?name)
  BIND (LANG(?literal) AS ?language)
}
"""

# SELECT ?entity ?type ?class: each type of each named entity as ?type and ?class (its superclasses come from
# SUPERCLASSES_QUERY). The types are those some source states: the superclasses the build infers
# (…/graph/inferred, whose triples no other graph states) are among the superclasses.
CLASSES_QUERY = """
SELECT DISTINCT ?entity ?type ?class WHERE {
  ?entity rdfs:label|skos:prefLabel|skos:altLabel [] ; a ?type .
  FILTER NOT EXISTS { GRAPH <https://sahel-kg.example.org/graph/inferred> { ?entity a ?type } }
  FILTER (isIRI(?entity) && STRSTARTS(STR(?entity), STR(sk:)) && isIRI(?type))
  BIND (?type AS ?class)
}
"""

# SELECT ?class ?superclass: each stated rdfs:subClassOf step; Matcher.from_rows follows them. Not a path
# (rdfs:subClassOf*): Virtuoso refuses a transitive path whose ends the query does not bind.
SUPERCLASSES_QUERY = """
SELECT DISTINCT ?class ?superclass WHERE {
  ?class rdfs:subClassOf ?superclass . FILTER (isIRI(?class) && isIRI(?superclass))
}
"""


def _reachable(start: Iterable[str], steps: dict[str, set[str]]) -> set[str]:
    """The classes `start` and every class reached from them by `steps` (rdfs:subClassOf*, cycles included)."""
    seen, todo = set(), list(start)
    while todo:
        kind = todo.pop()
        if kind not in seen:
            seen.add(kind)
            todo.extend(steps.get(kind, ()))
    return seen


@lru_cache(maxsize=1 << 16)
def normalise(text: str) -> str:
    """A name folded for comparison: no accents, case folded, apostrophes and dotted initials joined,
    any other punctuation a space, single spaces ("Jamā'at Nuṣrat al-Islām" -> "jamaat nusrat al islam")."""
    decomposed = unicodedata.normalize("NFKD", text)
    # What shows as nothing (zero-width spaces, soft hyphens, direction marks: format characters pasted with a
    # cell) or only stretches a letter (Arabic's tatweel) would split or change a word.
    folded = "".join(char for char in decomposed if not unicodedata.combining(char) and char != "\u0640"
                     and unicodedata.category(char) != "Cf").casefold()
    folded = re.sub(r"['‘’ʼʻʾʿ`´]", "", folded)  # Jama'at, Jamāʿat (ʿayn), l'Etat: one word, as it is said
    folded = re.sub(r"\b(\w)\.", r"\1", folded)  # U.S. -> us
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


@lru_cache(maxsize=1 << 16)
def order_key(text: str) -> str:
    """The normalised name with its words sorted: two names with the same key are the same name."""
    return " ".join(sorted(normalise(text).split()))


def _content(words: Sequence[str]) -> list[str]:
    return [word for word in words if word not in STOPWORDS] or list(words)


def score(query: str, name: str) -> float:
    """How well `name` matches `query`, from 0 to 100; 100 only when their order keys are equal.

    The base is rapidfuzz's token_sort_ratio of the normalised texts (spelling and word order). When every
    content word of the query is in the name ("Burkina" in "Burkina Faso"), the score rises towards 100 by
    half the gap times the share c of the name's content words the query covers, and is at least 60 + 30c:
    a name holding every word asked for ranks above one that is merely spelt alike. A query word that is the
    initials of consecutive words of the name ("IS" in "IS Sahel" for Islamic State – Sahel Province) counts
    as those words. A one-word query that is the initials of the name's content words (EIGS, État islamique
    dans le Grand Sahara) scores at least 90.
    """
    query_key, name_key = order_key(query), order_key(name)
    if not query_key or not name_key:
        return 0.0
    if query_key == name_key:
        return 100.0
    if len(query_key.split()) > 1:
        query_key = " ".join(sorted(_spelt_out(query_key.split(), normalise(name).split())))
    from rapidfuzz import fuzz  # here, not at the top: a server never asked to match is 4-5 MB smaller

    query_words, name_words = _content(query_key.split()), _content(name_key.split())
    # A spelling is compared only where there is one to compare: a query of stopwords alone ("of the") or of
    # two letters ("al") is alike in spelling to many names, and so names none of them.
    meaningful = len(query_key.replace(" ", "")) > 2 and not set(query_key.split()) <= STOPWORDS
    result = fuzz.token_sort_ratio(query_key, name_key) if meaningful else 0.0
    if set(query_words) <= set(name_words):
        coverage = len(set(query_words)) / len(set(name_words))
        result = max(result + (100 - result) * 0.5 * coverage, 60 + 30 * coverage)
    original = normalise(name).split()
    if len(query_words) == 1 and len(original) > 1 and len(query_words[0]) >= 2:
        initials = "".join(word[0] for word in _content(original))
        if query_words[0] == initials:
            result = max(result, 90.0)
    return min(round(result, 2), 99.99)


def _spelt_out(query_words: list[str], name_words: list[str]) -> list[str]:
    """The query's words, each one of two or more letters that is the initials of consecutive words of the name
    (in the name's order) replaced by those words; a stopword is itself ("of" is no "official familiar")."""
    # The initials of a run of words are a slice of the name's initials, one letter a word: found in one search,
    # not by slicing every run of the name for every word of a query of hundreds of words.
    initials, whole = "".join(word[0] for word in name_words), set(name_words)
    found = []
    for word in query_words:
        start = initials.find(word) if len(word) > 1 and word not in STOPWORDS and word not in whole else -1
        found += name_words[start:start + len(word)] if start >= 0 else [word]
    return found


@dataclass(frozen=True)
class Name:
    """One name of an entity: its text, the property that gives it, and its language tag ("" if none)."""

    text: str
    property: str
    language: str = ""

    @property
    def is_alias(self) -> bool:
        return self.property == SKOS_ALT_LABEL


@dataclass(frozen=True)
class Entity:
    """An entity with its names, its rdf:types, and its classes (the types and all their superclasses)."""

    iri: str
    names: tuple[Name, ...]
    types: tuple[str, ...] = ()
    classes: frozenset[str] = field(default_factory=frozenset)

    @property
    def label(self) -> str:
        """The name to show: skos:prefLabel, else rdfs:label, else an alias; English first."""
        ranked = sorted(self.names, key=lambda name: (NAME_PROPERTIES.index(name.property),
                                                       name.language not in ("en", ""), name.text))
        return ranked[0].text

    def is_a(self, types: Iterable[str]) -> bool:
        """Whether the entity is an instance of any of `types` (directly or through rdfs:subClassOf); every one is
        an owl:Thing, which no graph needs to state (OWL 2's semantics make each individual one)."""
        return any(kind in self.classes or kind == THING for kind in types)


@dataclass(frozen=True)
class Candidate:
    """An entity scored against a query: the name that scored best, whether that name is exact (same order
    key), and `match`: exact, and no other entity in the same search has an exact name."""

    entity: Entity
    score: float
    name: Name
    exact: bool
    match: bool = False


class Matcher:
    """Scores names against a fixed set of entities (build a new one when the data changes)."""

    def __init__(self, entities: Iterable[Entity]):
        self.entities = {entity.iri: entity for entity in entities}

    @classmethod
    def from_rows(cls, names: Iterable[Sequence[str | None]], classes: Iterable[Sequence[str | None]] = (),
                  superclasses: Iterable[Sequence[str | None]] = ()):
        """From the rows of NAMES_QUERY (entity, property, name, language), CLASSES_QUERY (entity, type,
        class) and SUPERCLASSES_QUERY (class, superclass), as plain strings."""
        found: dict[str, set[Name]] = defaultdict(set)
        for entity, prop, text, language in names:
            if entity and prop and text and text.strip():
                found[entity].add(Name(text, prop, language or ""))
        steps: dict[str, set[str]] = defaultdict(set)
        for kind, superclass in superclasses:
            if kind and superclass:
                steps[kind].add(superclass)
        types: dict[str, set[str]] = defaultdict(set)
        supers: dict[str, set[str]] = defaultdict(set)
        for entity, kind, superclass in classes:
            if entity and kind:
                types[entity].add(kind)
                supers[entity].update(_reachable(filter(None, (kind, superclass)), steps))
        return cls(Entity(iri, tuple(sorted(found[iri], key=lambda n: (n.property, n.language, n.text))),
                          tuple(sorted(types[iri])), frozenset(supers[iri])) for iri in sorted(found))

    @classmethod
    def from_queries(cls, select: Callable[[str], Iterable[Sequence[str | None]]]) -> Matcher:
        """Read the entities with `select`, which runs a SELECT query and yields its rows as plain strings
        (None where unbound); see `from_service` for a QueryService."""
        return cls.from_rows(select(NAMES_QUERY), select(CLASSES_QUERY), select(SUPERCLASSES_QUERY))

    @classmethod
    def from_service(cls, service) -> Matcher:
        """Read the entities through a kg.query.QueryService (row cap lifted)."""
        def select(sparql: str):
            result = service.query(sparql, row_limit=1 << 30)
            return [tuple(None if term is None else term.value for term in row) for row in result.rows]
        return cls.from_queries(select)

    def candidates(self, query: str, *, types: Iterable[str] = (), limit: int | None = 10,
                   min_score: float = 50.0) -> list[Candidate]:
        """Entities scoring at least `min_score` against `query`, best first (ties by IRI), at most `limit`.

        With `types`, only instances of one of them (or of a subclass) compete. `match` is set on the
        first candidate when it is the only entity with an exact name among those that compete.
        """
        wanted = tuple(types)
        scored = []
        for entity in self.entities.values():
            if wanted and not entity.is_a(wanted):
                continue
            value, _, best = max(((score(query, name.text), not name.is_alias, name) for name in entity.names),
                                 key=lambda scored: scored[:2])
            if value >= min_score:
                scored.append(Candidate(entity, value, best, exact=value == 100.0))
        scored.sort(key=lambda candidate: (-candidate.score, candidate.entity.iri))
        exact = [candidate for candidate in scored if candidate.exact]
        if len(exact) == 1:
            scored[0] = Candidate(exact[0].entity, 100.0, exact[0].name, exact=True, match=True)
        return scored if limit is None else scored[:limit]

    def match(self, query: str, *, types: Iterable[str] = ()) -> Entity | None:
        """The one entity with a label or alias equal to `query` once normalised (case, accents, punctuation,
        word order), among instances of `types` if given; None when there is none, or more than one."""
        top = self.candidates(query, types=types, limit=1, min_score=100.0)
        return top[0].entity if top and top[0].match else None

    def get(self, iri: str) -> Entity | None:
        return self.entities.get(iri)
