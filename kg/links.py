"""Links to other datasets and sourced aliases: the links and aliases tables as RDF.

kg/data/links.csv has one row per outside identifier known for an entity: entity, relation (exactMatch,
closeMatch, seeAlso), target IRI, status (verified, one source, candidate, rejected), source, date.
kg/data/aliases.csv has one row per other name: entity, alias, language tag, source ("article", a URL,
or a named reference). Rows are checked here; an identifier is never made up from a name.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg.errors import ClaimError
from kg.link_targets import TARGETS, TargetDataset, target_dataset
from kg.namespaces import DEFAULT_BASE, SAHEL, SCHEMA, SK, source_iri
from kg.paths import DATA_DIR
from kg.sparql_lexer import is_iri

SKOSXL = Namespace("http://www.w3.org/2008/05/skos-xl#")

RELATIONS = {"exactMatch": SKOS.exactMatch, "closeMatch": SKOS.closeMatch, "seeAlso": RDFS.seeAlso}
STATUSES = {"verified": SAHEL.LinkVerified, "one source": SAHEL.LinkOneSource,
            "candidate": SAHEL.LinkCandidate, "rejected": SAHEL.LinkRejected}
# Which relation each status may state: only a verified identifier is an identity (exactMatch).
ALLOWED = {"verified": {"exactMatch"}, "one source": {"closeMatch", "seeAlso"},
           "candidate": {"closeMatch", "seeAlso"}, "rejected": set(RELATIONS)}


@dataclass(frozen=True)
class Link:
    """One row of the links table."""

    entity: str
    relation: str
    target: str
    status: str
    source: str
    date: str
    line: int

    @property
    def dataset(self) -> TargetDataset:
        return target_dataset(self.target)  # checked when read

    def record_iri(self, base: str = DEFAULT_BASE) -> URIRef:
        """The link record's IRI: entity, target dataset and the target's local name."""
        local = quote(self.target[len(self.dataset.uri_space):].strip("/"), safe="")
        return URIRef(f"{base}link/{self.entity}/{self.dataset.name}/{local}")


def read_links(path: Path) -> list[Link]:
    """The rows of a links table, checked; ClaimError names the file and line of a bad row."""
    links, seen, identities = [], {}, {}
    for line, row in _rows(path):
        def fail(message: str):
            raise ClaimError(f"links: {message}", path=str(path), line=line)
        entity, relation, target, status, source, when = (
            (row.get(key) or "").strip() for key in ("entity", "relation", "target", "status", "source", "date"))
        if relation not in RELATIONS or not entity or not target:
            fail(f"need entity, relation ({', '.join(RELATIONS)}) and target")
        if status not in STATUSES:
            fail(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
        if relation not in ALLOWED[status]:
            fail(f"a {status!r} link cannot be stated with {relation}; "
                 f"use {' or '.join(sorted(ALLOWED[status]))}")
        dataset = target_dataset(target)
        if dataset is None:
            fail(f"{target} is in none of the linked datasets' URI spaces "
                 f"({', '.join(t.uri_space for t in TARGETS)})")
        if not target[len(dataset.uri_space):].strip("/") or not is_iri(target):
            fail(f"{target!r} names no record of {dataset.name}: an IRI past its URI space, without spaces, "
                 "quotes or angle brackets")
        if not source:
            fail("every link needs a source")
        _check_date(when, fail)
        # One record per entity and target (its IRI says so): a second row would give it two statuses.
        if (entity, target) in seen:
            fail(f"{entity} and {target} are linked on line {seen[entity, target]} already")
        seen[entity, target] = line
        if status == "verified" and identities.setdefault(target, (entity, line))[0] != entity:
            fail(f"{target} is the same as {identities[target][0]} (line {identities[target][1]}): two entities "
                 "the same as one record would be one entity")
        links.append(Link(entity, relation, target, status, source, when, line))
    return links


def check_entities(rows: list[Link] | list[Alias], known: set[str], path: Path) -> None:
    """Raise ClaimError at the first row whose entity (a local name under sk:) the dataset does not describe."""
    for row in rows:
        if row.entity not in known:
            raise ClaimError(f"{row.entity!r} is no entity of the dataset (kg/data/entities.ttl or the claims)",
                             path=str(path), line=row.line)


@dataclass(frozen=True)
class Alias:
    """One row of the aliases table."""

    entity: str
    alias: str
    language: str
    source: str
    line: int


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def read_aliases(path: Path) -> list[Alias]:
    """The rows of an aliases table, checked; ClaimError names the file and line of a bad row."""
    aliases = []
    for line, row in _rows(path):
        entity, alias, language, source = ((row.get(key) or "").strip()
                                           for key in ("entity", "alias", "language", "source"))
        if not entity or not alias or not source:
            raise ClaimError("aliases: need entity, alias and source", path=str(path), line=line)
        if language and not _LANGUAGE_TAG.fullmatch(language):
            raise ClaimError(f"aliases: {language!r} is not a language tag", path=str(path), line=line)
        aliases.append(Alias(entity, alias, language, source, line))
    return aliases


def links_graph(links: list[Link], base: str = DEFAULT_BASE) -> Graph:
    """Every link that is not rejected, stated plainly, and one link record per row (rejected ones too)."""
    graph = Graph()
    for link in links:
        subject, predicate, target = SK[link.entity], RELATIONS[link.relation], URIRef(link.target)
        if link.status != "rejected":
            graph.add((subject, predicate, target))
        record = link.record_iri(base)
        graph.add((record, RDF.type, SAHEL.LinkRecord))
        graph.add((record, RDF.subject, subject))
        graph.add((record, RDF.predicate, predicate))
        graph.add((record, RDF.object, target))
        graph.add((record, SAHEL.linkStatus, STATUSES[link.status]))
        graph.add((record, DCTERMS.source, _source_term(link.source, graph)))
        graph.add((record, DCTERMS.date, Literal(link.date, datatype=XSD.date)))
    return graph


def same_as_graph(links: list[Link]) -> Graph:
    """owl:sameAs for every verified identity link, for clients that follow owl:sameAs."""
    graph = Graph()
    for link in links:
        if link.status == "verified" and link.relation == "exactMatch":
            graph.add((SK[link.entity], OWL.sameAs, URIRef(link.target)))
    return graph


def aliases_graph(aliases: list[Alias], article: URIRef, base: str = DEFAULT_BASE) -> Graph:
    """Each alias as skos:altLabel, and as a SKOS-XL label node carrying its source."""
    graph = Graph()
    for alias in aliases:
        literal = Literal(alias.alias, lang=alias.language or None)
        label = URIRef(f"{base}label/{alias.entity}/{quote(alias.language or 'none')}/{quote(alias.alias, safe='')}")
        graph.add((SK[alias.entity], SKOS.altLabel, literal))
        graph.add((SK[alias.entity], SKOSXL.altLabel, label))
        graph.add((label, RDF.type, SKOSXL.Label))
        graph.add((label, SKOSXL.literalForm, literal))
        graph.add((label, DCTERMS.source, article if alias.source == "article" else _source_term(alias.source, graph)))
    return graph


def _source_term(source: str, graph: Graph):
    """A source that is a URL becomes an IRI; a file this project ships (kg/data/NAME.md) the IRI of a source
    document at /source/NAME, described in `graph` (its text, title and digest), so that it resolves; a named
    reference (no URL) stays text."""
    if re.match(r"https?://\S+$", source):
        return URIRef(source)
    shipped = re.fullmatch(r"kg/data/([a-z0-9-]+)\.md", source)
    if shipped is None:
        return Literal(source)
    document = URIRef(source_iri(shipped.group(1)))
    text = _shipped_text(shipped.group(1))
    heading = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#")), source)
    graph.add((document, RDF.type, PROV.Entity))
    graph.add((document, DCTERMS.title, Literal(heading, lang="en")))
    graph.add((document, DCTERMS["format"], Literal("text/markdown")))
    graph.add((document, SCHEMA.text, Literal(text)))
    graph.add((document, SAHEL.sha256, Literal(hashlib.sha256(text.encode("utf-8")).hexdigest())))
    graph.add((document, DCTERMS.identifier, Literal(source)))  # where it lives in this project's files
    return document


@lru_cache(maxsize=None)
def _shipped_text(name: str) -> str:
    """A file of kg/data cited as a source, read once however many rows cite it."""
    return (DATA_DIR / f"{name}.md").read_text(encoding="utf-8")


def _rows(path: Path):
    """(row number, row) of a table; a row csv cannot read (a field past its 131,072 characters) is a ClaimError."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = enumerate(reader, start=2)
        while True:
            try:
                yield next(rows)
            except StopIteration:
                return
            except csv.Error as error:  # a traceback from kg build, before
                raise ClaimError(f"cannot be read as CSV: {error}", path=str(path),
                                 line=reader.reader.line_num) from None  # DictReader.line_num lags a row
            except UnicodeDecodeError:  # a traceback from kg build, before (a table saved as Latin-1, say)
                raise _not_utf8(path) from None


def _not_utf8(path: Path) -> ClaimError:
    """The fault at a table's first byte that is not UTF-8, with its line: the reader decodes a chunk at a time,
    so its own line count is not where the byte is."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = len(re.split(rb"\r\n|\r|\n", data[:error.start]))
        return ClaimError(f"byte 0x{data[error.start]:02X} is not UTF-8 text: save the table as UTF-8",
                          path=str(path), line=line)
    return ClaimError("is not UTF-8 text: save the table as UTF-8", path=str(path))  # changed as it was read


def _check_date(text: str, fail) -> None:
    try:
        when = date.fromisoformat(text)
    except ValueError:
        fail(f"date must be YYYY-MM-DD, got {text!r}")
    if when > date.today():  # the day the status was found: never one yet to come
        fail(f"date {text} is after today")


@dataclass(frozen=True)
class LinkCheck:
    """What `kg links check` found: unlinked entities (allowed), links and aliases without a source (not)."""

    unlinked: list[tuple[str, str]]
    links_without_source: list[tuple[str, str, str]]
    aliases_without_source: list[tuple[str, str]]

    @property
    def ok(self) -> bool:
        """True when every link and every alias has a source; unlinked entities are no fault."""
        return not self.links_without_source and not self.aliases_without_source


def check(service) -> LinkCheck:
    """Run the check queries (ontology/queries/*.rq) through a kg.query.QueryService."""
    from kg.paths import QUERIES_DIR

    def rows(name: str) -> list[tuple]:
        text = (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")
        result = service.query(text, row_limit=1 << 30)
        return [tuple(None if term is None else term.value for term in row) for row in result.rows]

    return LinkCheck(rows("unlinked-entities"), rows("links-without-source"), rows("aliases-without-source"))
