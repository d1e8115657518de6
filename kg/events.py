"""Tabular conflict event data (an ACLED-style CSV) into the store, through a declarative RML mapping.

The mapping (kg/mappings/acled-events.rml.ttl by default) is run by morph-kgc, the RML engine, in its
own Python environment: morph-kgc pins pyoxigraph below 0.4 and this project needs 0.5, so the two
cannot share one. `make install` puts it in .venv/morph-kgc; SAHEL_KG_MORPH_KGC names another Python
that has it. The engine writes N-Triples; nothing here converts a column.

Each file lands in its own named graph ({base}graph/events/{sha256 prefix}, or --graph), replacing what
an earlier load of the same file put there; a graph holding other data is refused (kg.event_graphs). Its
names of actors and countries are then linked to the graph's entities by kg/matching.py: an exact, unambiguous
name is stated (skos:exactMatch) with a link record; other names get candidate records only. Provenance (file,
sha256, mapping, engine, time) goes to the loads graph.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from kg.child import failure_line
from kg.code_lists import off_scheme
from kg.empty_cells import checker
from kg.errors import ConfigError, KGError, ParseError
from kg.event_graphs import MORPH_KGC, refuse_other_data
from kg.loading import path_text, target_graph
from kg.mapping_checks import check_mapping
from kg.matching import Matcher
from kg.namespaces import DEFAULT_BASE, PREFIXES, SAHEL, graph_iri
from kg.query import QueryService
from kg.store.base import Store, term_too_long
from kg.table_checks import describe, ill_typed, missing_columns, other_delimiter, require_utf8, row_problems
from kg.value_ranges import out_of_range
from kg.waiting_input import read_whole, refuse_unless_regular

MAPPINGS_DIR = Path(__file__).parent / "mappings"
DEFAULT_MAPPING = MAPPINGS_DIR / "acled-events.rml.ttl"
SOURCE_NAME = "events.csv"  # the logical source the mappings name; the file is copied there to run
CANDIDATES = 3  # candidate records kept per name that is not an exact match
MIN_SCORE = 60.0
LARGE_TRIPLES = 25_000  # from this many on, the store writes quads in bulk rather than lex an update's text

RDF, RDFS, SKOS, DCT, PROV, XSD = (PREFIXES[name] for name in ("rdf", "rdfs", "skos", "dct", "prov", "xsd"))
# Which kind of entity a reported name may be linked to.
KINDS = {str(SAHEL.ReportedActor): [PREFIXES["foaf"] + "Agent"],
         str(SAHEL.ReportedCountry): [str(SAHEL.SovereignState)]}


@dataclass
class NameLink:
    """What matching made of one reported name: the entity it is linked to, or candidates only."""

    node: str
    name: str
    entity: str | None = None
    candidates: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class EventLoad:
    """One event file's load: its graph, checksum, how many triples the mapping gave, the names linked."""

    path: Path
    graph: str
    sha256: str
    triples: int
    events: int
    names: list[NameLink]
    record: str


def morph_kgc_python() -> str:
    """The Python that runs morph-kgc: $SAHEL_KG_MORPH_KGC, else .venv/morph-kgc beside this environment."""
    chosen = os.environ.get("SAHEL_KG_MORPH_KGC") or str(Path(sys.prefix) / "morph-kgc" / "bin" / "python")
    if not Path(chosen).is_file():
        raise ConfigError(f"morph-kgc (the RML engine) is not at {chosen}: `make install` puts it in "
                          ".venv/morph-kgc, or set SAHEL_KG_MORPH_KGC to a Python that has it")
    return chosen


def map_table(path: Path, mapping: Path = DEFAULT_MAPPING) -> list[ox.Triple]:
    """Run the RML mapping over the CSV file with morph-kgc; the triples it made. KGError if it fails, if the
    table lacks a column the mapping reads, or if a value does not fit its datatype (kg.table_checks)."""
    python = morph_kgc_python()
    require_utf8(path)  # morph-kgc would fail on it with a traceback of its own
    check_mapping(mapping)  # so would it on a mapping that lacks a part
    missing = missing_columns(path, mapping)
    if missing:
        raise KGError(f"{path}: the mapping {mapping.name} reads columns the table lacks: {', '.join(missing)}"
                      + other_delimiter(path))
    rows = row_problems(path, mapping, checker(mapping))  # an empty cell drops a term, and what hangs on it
    if rows:
        lines = {problem.split()[1] for problem in rows}  # each says "line N ..."
        raise KGError(f"{path}: {len(lines)} row(s) cannot be read as events, so nothing was loaded: {describe(rows)}")
    with tempfile.TemporaryDirectory(prefix="sahel-kg-rml-") as work:
        folder = Path(work)
        shutil.copyfile(path, folder / SOURCE_NAME)
        shutil.copyfile(mapping, folder / "mapping.rml.ttl")
        # na_values: only an empty cell is no value; morph-kgc's default also drops "nan" (a place so named)
        (folder / "config.ini").write_text(
            "[CONFIGURATION]\noutput_file=out.nt\noutput_format=N-TRIPLES\nnumber_of_processes=1\n"
            "na_values=\nlogging_level=WARNING\n[Events]\nmappings=mapping.rml.ttl\n", encoding="utf-8")
        done = subprocess.run([python, "-m", "morph_kgc", "config.ini"], cwd=folder, capture_output=True,
                              text=True, check=False)
        output = folder / "out.nt"
        if done.returncode != 0 or not output.is_file():
            why = failure_line(done.stderr, f"it ended with status {done.returncode} and wrote nothing")
            raise KGError(f"{path}: morph-kgc could not run the mapping {mapping.name}: {why}")
        try:
            # fresh blank nodes, as an update's are: morph-kgc labels one by its values, alike in every run
            triples = [quad.triple for quad in ox.parse(path=str(output), format=ox.RdfFormat.N_TRIPLES,
                                                        rename_blank_nodes=True)]
        except SyntaxError as error:
            raise ParseError(f"morph-kgc wrote output that does not parse: {error.msg}", path=str(path)) from None
        except MemoryError as error:
            raise term_too_long(error, str(path)) from None
    bad = ill_typed(triples)
    if bad:
        raise KGError(f"{path}: {len(bad)} value(s) do not fit the datatype the mapping gives them, so nothing "
                      f"was loaded: {describe(bad)}")
    unknown = off_scheme(triples)  # an event type ACLED does not have would become a concept nobody defined
    if unknown:
        raise KGError(f"{path}: {len(unknown)} value(s) are no concept of the code list their property takes, so "
                      f"nothing was loaded: {describe(unknown)}")
    beyond = out_of_range(triples)  # a latitude of 95 puts a place nowhere on Earth
    if beyond:
        raise KGError(f"{path}: {len(beyond)} value(s) lie outside the bounds the shapes give their property, so "
                      f"nothing was loaded: {describe(beyond)}")
    return triples


def load_events(store: Store, path: Path, *, mapping: Path = DEFAULT_MAPPING, graph: str | None = None,
                base: str = DEFAULT_BASE) -> EventLoad:
    """Map `path`, link its names, and replace the file's graph and its links graph in one update."""
    for given in (path, mapping):  # each is read several times: by the checks, for its digest, by morph-kgc
        refuse_unless_regular(given)
    data = read_whole(path)
    read_whole(mapping)  # a read error said here names the file
    digest = hashlib.sha256(data).hexdigest()
    target = graph or f"{graph_iri('events', base)}/{digest[:16]}"
    if graph is not None:  # absolute IRIs, and not the project's own graphs: this one and its links are replaced
        target_graph(graph, base, store=store)
        target_graph(f"{graph}/links", base, store=store)
    refuse_other_data(store, target, graph_iri("loads", base), path)
    started = datetime.now(timezone.utc)
    triples = map_table(path, mapping)
    _refuse_held_elsewhere(store, triples, target, path)
    names = link_names(triples, Matcher.from_service(QueryService(store)))
    when = datetime.now(timezone.utc)
    record = f"{base}load/{when.strftime('%Y%m%dT%H%M%S%fZ')}"
    links = f"{target}/links"
    linked = _link_triples(names, target, when)
    graphs = {target: triples, links: linked,
              graph_iri("loads", base): _provenance(record, path, digest, mapping, (target, len(set(triples))),
                                                    (links, len(set(linked))), started, when)}
    store.replace_graphs(graphs, dropped=(target, links), large=sum(map(len, graphs.values())) >= LARGE_TRIPLES)
    events = sum(1 for t in triples if t.predicate.value == RDF + "type" and t.object.value == str(SAHEL.ConflictEvent))
    return EventLoad(path, target, digest, len(triples), events, names, record)


def _refuse_held_elsewhere(store: Store, triples: list[ox.Triple], target: str, path: Path) -> None:
    """KGError when another graph already holds events of this table (an earlier export of it, say): loaded
    beside it, each such event would hold both rows' dates and fatalities, and counts would double."""
    events = sorted({t.subject.value for t in triples
                     if t.predicate.value == RDF + "type" and t.object.value == str(SAHEL.ConflictEvent)})
    if not events:
        return
    found = store.query("SELECT ?g (COUNT(DISTINCT ?e) AS ?n) WHERE { VALUES ?e { "
                        + " ".join(f"<{iri}>" for iri in events) + " } GRAPH ?g { ?e a <" + str(SAHEL.ConflictEvent)
                        + "> } FILTER (?g != <" + target + ">) } GROUP BY ?g ORDER BY DESC(?n) LIMIT 3")
    held = [(row[0].value, int(row[1].value)) for row in found]
    if held:
        where = "; ".join(f"{count} in <{graph}>" for graph, count in held)
        raise KGError(f"{path}: events of this table are already loaded ({where}), so nothing was loaded: load it "
                      "with --graph naming that graph to replace it, or drop that graph first")


def link_names(triples: list[ox.Triple], matcher: Matcher) -> list[NameLink]:
    """Each reported name (actor, country) with the one entity it names exactly, or its candidates."""
    kinds = {t.subject.value: t.object.value for t in triples if t.predicate.value == RDF + "type"
             and t.object.value in KINDS}
    labels = {t.subject.value: t.object.value for t in triples if t.predicate.value == RDFS + "label"}
    found = []
    for node in sorted(kinds):
        name, types = labels.get(node, ""), KINDS[kinds[node]]
        entity = matcher.match(name, types=types)
        link = NameLink(node, name, entity.iri if entity else None)
        if entity is None:
            link.candidates = [(c.entity.iri, c.score) for c in matcher.candidates(
                name, types=types, limit=CANDIDATES, min_score=MIN_SCORE)]
        found.append(link)
    return found


def _link_triples(names: list[NameLink], source_graph: str, when: datetime) -> list[ox.Triple]:
    """Exact links stated, with a record; candidates as records only (status candidate, with the score)."""
    out = []
    day = ox.Literal(when.date().isoformat(), datatype=ox.NamedNode(XSD + "date"))
    for link in names:
        node = ox.NamedNode(link.node)
        proposals = [(link.entity, 100.0, SAHEL.LinkExactName)] if link.entity else \
            [(iri, score, SAHEL.LinkCandidate) for iri, score in link.candidates]
        for number, (iri, score, status) in enumerate(proposals, start=1):
            if status == SAHEL.LinkExactName:
                out.append(ox.Triple(node, ox.NamedNode(SKOS + "exactMatch"), ox.NamedNode(iri)))
            record = ox.NamedNode(f"{link.node}#link-{number}")
            predicate = "exactMatch" if status == SAHEL.LinkExactName else "closeMatch"
            out += [ox.Triple(record, ox.NamedNode(s), o) for s, o in (
                (RDF + "type", ox.NamedNode(str(SAHEL.LinkRecord))),
                (RDF + "subject", node), (RDF + "predicate", ox.NamedNode(SKOS + predicate)),
                (RDF + "object", ox.NamedNode(iri)), (str(SAHEL.linkStatus), ox.NamedNode(str(status))),
                (str(SAHEL.matchScore), ox.Literal(f"{score:.2f}", datatype=ox.NamedNode(XSD + "decimal"))),
                (DCT + "source", ox.NamedNode(source_graph)), (DCT + "date", day))]
    return out


def _provenance(record: str, path: Path, digest: str, mapping: Path, made: tuple[str, int], linked: tuple[str, int],
                started: datetime, ended: datetime) -> list[ox.Triple]:
    """The file, the mapping, the mapping run (who, when) and the graphs it made with their triple counts (which
    kg.event_graphs reads to tell an events load's graphs from other data), in PROV terms."""
    (target, count), (links, link_count) = made, linked
    integer = lambda n: ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))  # noqa: E731
    # the run is the record itself, so that the IRI `kg load-events` prints resolves
    file, run = ox.NamedNode(f"{record}/file"), ox.NamedNode(record)
    rules, engine = ox.NamedNode(f"{record}/mapping"), ox.NamedNode(MORPH_KGC)
    stamp = lambda moment: ox.Literal(moment.isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))  # noqa: E731
    name = path_text(path.name)
    facts = [
        (file, RDF + "type", ox.NamedNode(PROV + "Entity")), (file, RDFS + "label", ox.Literal(name)),
        (file, str(SAHEL.sha256), ox.Literal(digest)),  # no path: the loads graph is public
        (rules, RDF + "type", ox.NamedNode(PROV + "Entity")),
        (rules, RDFS + "label", ox.Literal(path_text(mapping.name))),
        (rules, str(SAHEL.sha256), ox.Literal(hashlib.sha256(mapping.read_bytes()).hexdigest())),
        (run, RDF + "type", ox.NamedNode(PROV + "Activity")),
        (run, RDFS + "label", ox.Literal(f"RML mapping of {name}")),
        (run, PROV + "used", file), (run, PROV + "used", rules), (run, PROV + "wasAssociatedWith", engine),
        (run, PROV + "startedAtTime", stamp(started)), (run, PROV + "endedAtTime", stamp(ended)),
        (engine, RDF + "type", ox.NamedNode(PROV + "SoftwareAgent")), (engine, RDFS + "label", ox.Literal("morph-kgc")),
        (ox.NamedNode(target), PROV + "wasGeneratedBy", run), (ox.NamedNode(target), PROV + "wasDerivedFrom", file),
        (ox.NamedNode(target), PREFIXES["void"] + "triples", integer(count)),
        (ox.NamedNode(links), PREFIXES["void"] + "triples", integer(link_count)),
        (ox.NamedNode(target), RDFS + "label", ox.Literal(f"Conflict events from {name}")),
        (ox.NamedNode(links), RDFS + "label", ox.Literal(f"Names in {name} linked to entities")),
        (ox.NamedNode(links), PROV + "wasDerivedFrom", ox.NamedNode(target)),
        (ox.NamedNode(links), RDFS + "comment", ox.Literal(
            "Names matched by kg/matching.py: an exact, unambiguous name is stated with skos:exactMatch; "
            "other names have candidate link records only.", language="en")),
    ]
    return [ox.Triple(subject, ox.NamedNode(predicate), value) for subject, predicate, value in facts]
