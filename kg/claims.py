"""Read the claims file and check every claim against the article and the ontology."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import yaml
from rdflib import Graph

from kg.article import Article, read_text
from kg.claim_triples import check_terms, defined_terms, parse_triples
from kg.errors import ClaimError, quoted

SECTIONS = ("claimers", "modalities", "certainties", "times")
REQUIRED = ("id", "quote", "start", "end", "claimer", "modality", "valid", "triples")
UNKNOWN = "unknown"  # `published:` of an article that carries no date


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
    curated_by: str | None = None  # who curated the claims (recorded with the role of claims curator)


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that records 1-based lines in each mapping: '__line__' its own, '__lines__' each key's,
    '__items__' each list item's; '__blocks__' holds the keys whose values are block scalars ('|', '>')."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        mapping["__lines__"] = {key.value: key.start_mark.line + 1 for key, _ in node.value}
        mapping["__items__"] = {key.value: [item.start_mark.line + 1 for item in value.value]
                                for key, value in node.value if isinstance(value, yaml.SequenceNode)}
        mapping["__blocks__"] = {key.value for key, value in node.value
                                 if getattr(value, "style", None) in ("|", ">")}
        return mapping


def load_claims(path: Path, *, ontology: Graph) -> ClaimSet:
    """Parse and check a claims file; raise ClaimError (with file and line) on the first problem."""
    where = str(path)
    document = _load_yaml(path)
    article = _read_article(document, path)
    sections = {name: _section(document, name, where) for name in SECTIONS}
    defined = defined_terms(ontology)
    claims = [_read_claim(raw, line, where, article, sections, defined)
              for raw, line in _claim_entries(document, where)]
    _check_unique(claims, where)
    curated_by = document.get("curated_by")
    if curated_by is not None and not isinstance(curated_by, str):
        raise ClaimError("curated_by must be text (who curated the claims)", path=where,
                         line=_key_line(document, "curated_by"))
    return ClaimSet(article=article, claims=claims, path=path, curated_by=curated_by, **sections)


def _load_yaml(path: Path) -> dict:
    """The claims file's top-level mapping, read by _LineLoader."""
    text = read_text(path)
    try:
        document = yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        raise ClaimError(f"not valid YAML: {error.problem}", path=str(path),
                         line=mark.line + 1 if mark else None,
                         column=mark.column + 1 if mark else None) from None
    except yaml.reader.ReaderError as error:  # a character YAML refuses, such as a control code
        raise ClaimError(f"not valid YAML: {error.reason} (character #x{error.character:04x})", path=str(path),
                         line=text.count("\n", 0, error.position) + 1) from None
    if not isinstance(document, dict):
        raise ClaimError("the claims file must be a mapping with 'article' and 'claims'", path=str(path), line=1)
    return document


def _key_line(mapping: dict, key: str) -> int:
    """The line of `key` in a mapping read by _LineLoader, or the mapping's own if the key is absent."""
    return mapping["__lines__"].get(key, mapping["__line__"])


def _read_article(document: dict, path: Path) -> Article:
    """The 'article' section, with the text of the file it names."""
    where = str(path)
    raw = document.get("article")
    if not isinstance(raw, dict):
        raise ClaimError("'article' must be a mapping", path=where, line=_key_line(document, "article"))
    for key in ("id", "file", "title"):
        if key not in raw:
            raise ClaimError(f"article: missing '{key}'", path=where, line=raw["__line__"])
    text_path = _article_file(raw, path)
    not_before = _read_date(raw, "published_not_before", where, absent=None)
    not_after = _read_date(raw, "published_not_after", where, absent=None)
    published = _read_date(raw, "published", where, absent=UNKNOWN)
    dates = {"published_not_before": not_before, "published": published, "published_not_after": not_after}
    for low, high in (("published_not_before", "published"), ("published", "published_not_after"),
                      ("published_not_before", "published_not_after")):
        if dates[low] and dates[high] and dates[high] < dates[low]:
            raise ClaimError(f"article: {high} {dates[high]} is before {low} {dates[low]}", path=where,
                             line=_key_line(raw, high))
    article = Article(id=str(raw["id"]), title=str(raw["title"]), text=read_text(text_path),
                      language=str(raw.get("language", "en")), published=published,
                      published_not_before=not_before, published_not_after=not_after)
    if "sha256" in raw and str(raw["sha256"]) != article.sha256:
        raise ClaimError(f"article: sha256 {raw['sha256']} is not that of {raw['file']} ({article.sha256}); "
                         "the text changed since the claims were written", path=where, line=_key_line(raw, "sha256"))
    return article


def _article_file(raw: dict, path: Path) -> Path:
    """The file `file:` names beside the claims file."""
    name = raw["file"]
    if not isinstance(name, str):  # YAML reads `file: 2023` as a number
        raise ClaimError("article: file must be a file name; put it in quotes", path=str(path),
                         line=_key_line(raw, "file"))
    if not (path.parent / name).is_file():
        raise ClaimError(f"article file {quoted(name)} not found beside the claims file", path=str(path),
                         line=_key_line(raw, "file"))
    return path.parent / name


def _read_date(raw: dict, key: str, where: str, *, absent: str | None) -> date | None:
    """The date under `key`, or None if the value is `absent` (also what a missing key stands for)."""
    value = raw.get(key, absent)
    if value == absent:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):  # a datetime is a date too
        return value
    alternative = f" or '{absent}'" if absent else ""
    raise ClaimError(f"article: {key} must be a date (YYYY-MM-DD){alternative}", path=where,
                     line=_key_line(raw, key))


# The keys each entry of a section must have (claimers and time spans are mappings, the rest names).
REQUIRED_KEYS = {"claimers": ("type", "label"), "times": ("label", "precision")}


def _section(document: dict, name: str, where: str) -> dict:
    raw = document.get(name)
    if not isinstance(raw, dict):
        raise ClaimError(f"'{name}' must be a mapping", path=where, line=_key_line(document, name))
    entries = {key: value for key, value in raw.items() if not str(key).startswith("__")}
    for key, entry in entries.items():
        needed = REQUIRED_KEYS.get(name, ())
        missing = [field for field in needed if not isinstance(entry, dict) or field not in entry]
        if missing:
            raise ClaimError(f"{name}: {key} needs {', '.join(missing)}", path=where, line=_key_line(raw, key))
    return entries


def _claim_entries(document: dict, where: str) -> list[tuple[object, int]]:
    """Each entry of 'claims' with the line of its list item."""
    raw = document.get("claims")
    if not isinstance(raw, list) or not raw:
        raise ClaimError("'claims' must be a non-empty list", path=where, line=_key_line(document, "claims"))
    return list(zip(raw, document["__items__"]["claims"]))


def _check_unique(claims: list[Claim], where: str) -> None:
    seen = set()
    for claim in claims:
        if claim.id in seen:
            raise ClaimError(f"claim id {claim.id!r} is used twice", path=where, line=claim.line)
        seen.add(claim.id)


def _read_claim(raw, line: int, where: str, article: Article, sections: dict, defined: set) -> Claim:
    """One entry of 'claims', checked against the article, the sections and the ontology."""
    if not isinstance(raw, dict):
        raise ClaimError("each claim must be a mapping", path=where, line=line)
    for key in REQUIRED:
        if key not in raw:
            raise ClaimError(f"claim is missing '{key}'", path=where, line=line)
    claim_id = str(raw["id"])
    _check_span(raw, claim_id, article, where)
    _check_names(raw, claim_id, sections, where)
    turtle, first = str(raw["triples"]), _text_line(raw, "triples")
    triples = parse_triples(turtle, claim_id, where, first)
    if not len(triples):
        raise ClaimError(f"claim {claim_id}: triples are empty", path=where, line=_key_line(raw, "triples"))
    check_terms(triples, turtle, defined, claim_id, where, first)
    return Claim(id=claim_id, quote=raw["quote"], start=raw["start"], end=raw["end"], claimer=raw["claimer"],
                 modality=raw["modality"], valid=raw["valid"], triples=triples,
                 certainty=raw.get("certainty", "unhedged"), interpretation=raw.get("interpretation"),
                 line=line)


def _text_line(raw: dict, key: str) -> int:
    """The line where the text under `key` starts: a block scalar's ('|', '>') starts below the key."""
    return _key_line(raw, key) + (1 if key in raw["__blocks__"] else 0)


def _check_span(raw: dict, claim_id: str, article: Article, where: str) -> None:
    """The quote is text, and exactly the article's text between start and end."""
    quote, start, end = raw["quote"], raw["start"], raw["end"]
    if not (_is_offset(start) and _is_offset(end) and start < end <= len(article.text)):
        raise ClaimError(f"claim {claim_id}: start/end must be offsets with 0 <= start < end <= "
                         f"{len(article.text)}", path=where, line=_key_line(raw, "start"))
    if not isinstance(quote, str):  # YAML reads `quote: 2023` as a number, `quote: yes` as true
        raise ClaimError(f"claim {claim_id}: quote must be text; put it in quotes", path=where,
                         line=_key_line(raw, "quote"))
    found = article.span(start, end)
    if found != quote:
        elsewhere = article.text.find(quote)
        hint = f"; the quote occurs at {elsewhere}..{elsewhere + len(quote)}" if elsewhere >= 0 else \
            "; the quote does not occur anywhere in the article"
        raise ClaimError(f"claim {claim_id}: quote is not verbatim at {start}..{end}: the article has "
                         f"{found!r}{hint}", path=where, line=_key_line(raw, "quote"))


def _is_offset(value) -> bool:
    """A non-negative int; YAML's true and false are ints to Python, but no offsets."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_names(raw: dict, claim_id: str, sections: dict, where: str) -> None:
    """claimer, modality, valid and certainty each name an entry of their section."""
    for key, section in (("claimer", "claimers"), ("modality", "modalities"), ("valid", "times"),
                         ("certainty", "certainties")):
        value = raw.get(key, "unhedged" if key == "certainty" else None)
        if not isinstance(value, Hashable) or value not in sections[section]:
            raise ClaimError(f"claim {claim_id}: {key} {value!r} is not one of the declared {section}: "
                             f"{', '.join(sorted(map(str, sections[section])))}", path=where,
                             line=_key_line(raw, key))
