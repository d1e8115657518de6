"""Read the claims file and check every claim against the article and the ontology."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.article import Article, read_text
from kg.errors import ClaimError
from kg.namespaces import PREFIXES, SK, turtle_prefixes

_PREFIX_HEADER = turtle_prefixes()
_HEADER_LINES = _PREFIX_HEADER.count("\n")


@dataclass(frozen=True)
class Claim:
    """One atomic statement of the article, with where it is and who says it how."""

    id: str
    quote: str
    start: int
    end: int
    claimer: str
    modality: str
    valid: str
    triples: Graph = field(compare=False, repr=False)
    certainty: str = "unhedged"
    interpretation: str | None = None
    line: int = 0


@dataclass(frozen=True)
class ClaimSet:
    """Everything the claims file declares: the article, claimers, code lists, time spans, claims."""

    article: Article
    claimers: dict[str, dict]
    modalities: dict[str, str]
    certainties: dict[str, str]
    times: dict[str, dict]
    claims: list[Claim]
    path: Path


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that records each mapping's 1-based line under the key '__line__'."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        mapping["__lines__"] = {key.value: key.start_mark.line + 1 for key, _ in node.value}
        return mapping


def load_claims(path: Path, *, ontology: Graph) -> ClaimSet:
    """Parse and check a claims file; raise ClaimError (with file and line) on the first problem."""
    where = str(path)
    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=_LineLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        raise ClaimError(f"not valid YAML: {error.problem}", path=where,
                         line=mark.line + 1 if mark else None,
                         column=mark.column + 1 if mark else None) from None
    if not isinstance(document, dict):
        raise ClaimError("the claims file must be a mapping with 'article' and 'claims'", path=where, line=1)

    article = _read_article(document, path)
    sections = {name: _section(document, name, path) for name in
                ("claimers", "modalities", "certainties", "times")}
    defined = _defined_terms(ontology)
    claims, seen = [], set()
    raw_claims = document.get("claims")
    if not isinstance(raw_claims, list) or not raw_claims:
        raise ClaimError("'claims' must be a non-empty list", path=where, line=document["__line__"])
    for raw in raw_claims:
        claim = _read_claim(raw, path, article, sections, defined)
        if claim.id in seen:
            raise ClaimError(f"claim id {claim.id!r} is used twice", path=where, line=claim.line)
        seen.add(claim.id)
        claims.append(claim)
    return ClaimSet(article=article, claims=claims, path=path, **sections)


def _read_article(document: dict, path: Path) -> Article:
    raw = document.get("article")
    if not isinstance(raw, dict):
        raise ClaimError("'article' must be a mapping", path=str(path), line=document["__line__"])
    for key in ("id", "file", "title"):
        if key not in raw:
            raise ClaimError(f"article: missing '{key}'", path=str(path), line=raw["__line__"])
    text_path = path.parent / raw["file"]
    if not text_path.is_file():
        raise ClaimError(f"article file {raw['file']!r} not found beside the claims file",
                         path=str(path), line=raw["__lines__"]["file"])
    published = raw.get("published_not_before")
    if published is not None and not isinstance(published, date):
        raise ClaimError("article: published_not_before must be a date (YYYY-MM-DD)",
                         path=str(path), line=raw["__lines__"]["published_not_before"])
    return Article(id=str(raw["id"]), title=str(raw["title"]), text=read_text(text_path),
                   language=str(raw.get("language", "en")), published_not_before=published)


def _section(document: dict, name: str, path: Path) -> dict:
    raw = document.get(name)
    if not isinstance(raw, dict):
        raise ClaimError(f"'{name}' must be a mapping", path=str(path), line=document["__line__"])
    return {key: value for key, value in raw.items() if not key.startswith("__")}


def _defined_terms(ontology: Graph) -> set[URIRef]:
    """Every IRI the ontology says something about."""
    return {subject for subject in ontology.subjects() if isinstance(subject, URIRef)}


def _read_claim(raw, path: Path, article: Article, sections: dict, defined: set) -> Claim:
    where = str(path)
    if not isinstance(raw, dict):
        raise ClaimError("each claim must be a mapping", path=where)
    line, lines = raw["__line__"], raw["__lines__"]
    for key in ("id", "quote", "start", "end", "claimer", "modality", "valid", "triples"):
        if key not in raw:
            raise ClaimError(f"claim is missing '{key}'", path=where, line=line)
    claim_id = str(raw["id"])
    quote, start, end = raw["quote"], raw["start"], raw["end"]
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(article.text)):
        raise ClaimError(f"claim {claim_id}: start/end must be offsets with 0 <= start < end <= "
                         f"{len(article.text)}", path=where, line=lines["start"])
    found = article.span(start, end)
    if found != quote:
        elsewhere = article.text.find(str(quote))
        hint = f"; the quote occurs at {elsewhere}..{elsewhere + len(quote)}" if elsewhere >= 0 else \
            "; the quote does not occur anywhere in the article"
        raise ClaimError(f"claim {claim_id}: quote is not verbatim at {start}..{end}: the article has "
                         f"{found!r}{hint}", path=where, line=lines["quote"])
    for key, section in (("claimer", "claimers"), ("modality", "modalities"), ("valid", "times"),
                         ("certainty", "certainties")):
        value = raw.get(key, "unhedged" if key == "certainty" else None)
        if value not in sections[section]:
            raise ClaimError(f"claim {claim_id}: {key} {value!r} is not one of the declared {section}: "
                             f"{', '.join(sorted(sections[section]))}", path=where, line=lines.get(key, line))
    triples = _parse_triples(raw["triples"], claim_id, where, lines["triples"])
    _check_terms(triples, str(raw["triples"]), defined, claim_id, where, lines["triples"])
    return Claim(id=claim_id, quote=quote, start=start, end=end, claimer=raw["claimer"],
                 modality=raw["modality"], valid=raw["valid"], triples=triples,
                 certainty=raw.get("certainty", "unhedged"), interpretation=raw.get("interpretation"),
                 line=line)


def _parse_triples(turtle: str, claim_id: str, where: str, key_line: int) -> Graph:
    graph = Graph()
    try:
        graph.parse(data=_PREFIX_HEADER + str(turtle), format="turtle")
    except Exception as error:  # rdflib raises several unrelated types for bad Turtle
        line = _turtle_error_line(error)
        # The block scalar's first line of content sits one line below its key.
        at = key_line + line - _HEADER_LINES if line and line > _HEADER_LINES else key_line
        raise ClaimError(f"claim {claim_id}: triples are not valid Turtle: {_first_line(error)}",
                         path=where, line=at) from None
    if not len(graph):
        raise ClaimError(f"claim {claim_id}: triples are empty", path=where, line=key_line)
    return graph


def _turtle_error_line(error: Exception) -> int | None:
    line = getattr(error, "lines", None)
    if isinstance(line, int):
        return line
    match = re.search(r"line (\d+)", str(error))
    return int(match.group(1)) if match else None


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[-1].strip() if text else type(error).__name__


def _check_terms(triples: Graph, turtle: str, defined: set, claim_id: str, where: str,
                 key_line: int) -> None:
    """Predicates, classes and every IRI outside the sk: entity namespace must be ontology terms."""
    for subject, predicate, obj in sorted(triples):
        undefined = [(term, "property") for term in (predicate,) if term != RDF.type and term not in defined]
        undefined += [(term, "class" if predicate == RDF.type else "term") for term in (subject, obj)
                      if isinstance(term, URIRef) and not term.startswith(str(SK)) and term not in defined]
        for term, kind in undefined:
            raise ClaimError(f"claim {claim_id}: {kind} {_compact(term)} is not defined by the ontology",
                             path=where, line=key_line + _line_of(turtle, _compact(term)))


def _compact(term: URIRef) -> str:
    for name, namespace in PREFIXES.items():
        if term.startswith(namespace):
            return f"{name}:{term[len(namespace):]}"
    return term.n3()


def _line_of(turtle: str, needle: str) -> int:
    """1-based line of the first occurrence of needle in a Turtle block (1 if not found)."""
    position = turtle.find(needle)
    return turtle.count("\n", 0, position) + 1 if position >= 0 else 1
