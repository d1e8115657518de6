"""Generate a synthetic dataset in the shape of the sahel-kg ontology, for load benchmarks.

Deterministic for a given seed and size: the same command writes the same bytes. The output is streamed
(one line or block at a time), so memory stays flat whatever the size.

What it writes, all under the project's IRIs (https://sahel-kg.example.org/):
  * graph/background: sovereign states (labels, ISO-like notation), alliances, national militaries;
  * graph/provenance: the synthetic source documents, time spans (with OWL-Time beginnings), and for every
    claim its attribution, modality, certainty and validity, and the oa:Annotation whose body it is,
    with a target holding a TextQuoteSelector (exact/prefix/suffix) and a TextPositionSelector (start/end);
  * claim/<id>: one named graph per claim stating either a security relationship (provider, recipient,
    relationshipType, one or two status phases with status and time span) or an alliance membership
    (org:Membership with member, organization, memberDuring).

Formats, from the output name: .nq/.nquads (N-Quads), .trig (TriG), .nt/.ttl (triples only: the graph
names are dropped); any of them may end in .gz. Exactly --triples statements are written.

    python benchmarks/generate.py --triples 1000000 --out benchmarks/data/1M.nq
"""

from __future__ import annotations

import argparse
import gzip
import io
import random
import sys
from collections.abc import Iterator
from pathlib import Path

BASE = "https://sahel-kg.example.org/"
SAHEL = BASE + "ontology#"
SK = BASE + "id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
TIME = "http://www.w3.org/2006/time#"
OA = "http://www.w3.org/ns/oa#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"

BACKGROUND = f"{BASE}graph/background"
PROVENANCE = f"{BASE}graph/provenance"

RELATIONSHIP_TYPES = ["IntelligenceSharing", "MilitaryEquipmentSupply", "DiplomaticBacking",
                      "CounterTerrorismProgramme", "TacticalCollaboration", "LimitedMilitaryCommunication",
                      "SecurityCooperation"]
STATUSES = ["Active", "ScaledBack", "Ceased"]
TRENDS = ["Expanding", "Surging", "Intensifying", "Persistent", "Shifting", "Evolving"]
MODALITIES = ["Asserted", "ReportedSpeech", "Warned", "Argued", "Forecast"]
CERTAINTIES = ["Unhedged", "Likely"]
PRECISIONS = ["YearPrecision", "PartOfYearPrecision", "RelativeToSource"]
CLAIMERS = ["article-voice", "us-official-familiar", "experts", "analysts"]
WORDS = ("the states of the region have kept quiet ties with their partners despite the formal cessation of "
         "broader security cooperation following recent political upheavals while officials said that "
         "intelligence sharing and equipment supply continued at a reduced scale as analysts warned of "
         "expanding insurgencies across the border areas and experts argued for renewed engagement").split()
SYLLABLES = ["ba", "ka", "ma", "ni", "go", "ru", "sa", "te", "lo", "fa", "di", "zu", "ke", "na", "bo", "ri"]

TYPE = f"<{RDF}type>"
LABEL = f"<{RDFS}label>"


def iri(value: str) -> str:
    return f"<{value}>"


def text(value: str, language: str | None = "en") -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"@{language}' if language else f'"{escaped}"'


def typed(value, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


Statement = tuple[str, str, str, str]  # subject, predicate, object, graph (already serialised terms)


class Generator:
    """Yields the dataset's statements in a fixed order for a seed; sizes scale with the target count."""

    def __init__(self, triples: int, seed: int = 42):
        self.triples, self.random = triples, random.Random(seed)
        # about one state per 2,000 triples, one alliance per 10 states, one source per 50 claims
        self.states = max(8, triples // 2000)
        self.alliances = max(2, self.states // 10)
        self.sources = max(1, triples // 2500)

    def statements(self) -> Iterator[Statement]:
        yield from self._background()
        yield from self._sources_and_claimers()
        number = 0
        while True:  # the caller stops at the target count
            number += 1
            yield from self._claim(number)

    # -- the fixed part: states, alliances, militaries, sources, claimers --------------------------------

    def _name(self) -> str:
        rnd = self.random
        return "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4))).capitalize()

    def _background(self) -> Iterator[Statement]:
        g = iri(BACKGROUND)
        for i in range(self.states):
            state, name = iri(f"{SK}state-{i}"), self._name()
            yield state, TYPE, iri(SAHEL + "SovereignState"), g
            yield state, LABEL, text(f"{name} {i}"), g
            yield state, iri(SKOS + "notation"), text(f"S{i:05d}", None), g
            military = iri(f"{SK}state-{i}-armed-forces")
            yield military, TYPE, iri(SAHEL + "NationalMilitary"), g
            yield military, iri(SAHEL + "armedForceOf"), state, g
            yield military, LABEL, text(f"armed forces of {name} {i}"), g
        for i in range(self.alliances):
            alliance = iri(f"{SK}alliance-{i}")
            yield alliance, TYPE, iri(SAHEL + "Alliance"), g
            yield alliance, LABEL, text(f"Alliance of {self._name()} States {i}"), g

    def _sources_and_claimers(self) -> Iterator[Statement]:
        g = iri(PROVENANCE)
        for i in range(self.sources):
            source = iri(f"{BASE}source/synthetic-{i}")
            yield source, TYPE, iri(SAHEL + "SourceDocument"), g
            yield source, TYPE, iri(SCHEMA + "NewsArticle"), g
            yield source, iri(DCT + "title"), text(f"Synthetic report {i} on {self._name()}"), g
            yield source, iri(DCT + "language"), text("en", None), g
        for name in CLAIMERS:
            agent = iri(SK + name)
            yield agent, TYPE, iri(SAHEL + "CollectiveSource"), g
            yield agent, LABEL, text(name.replace("-", " ")), g

    # -- one claim: its graph, its time span, its provenance ---------------------------------------------

    def _time_span(self, node: str, source: str, g: str) -> Iterator[Statement]:
        rnd = self.random
        year = rnd.randint(1990, 2025)
        precision = rnd.choice(PRECISIONS)
        yield node, TYPE, iri(SAHEL + "TimeSpan"), g
        yield node, LABEL, text(f"from {year}"), g
        yield node, iri(SAHEL + "timePrecision"), iri(SAHEL + precision), g
        yield node, iri(SAHEL + "startsNotBefore"), typed(f"{year}-01-01", "date"), g
        if rnd.random() < 0.5:
            yield node, iri(SAHEL + "endsNotAfter"), typed(f"{year + rnd.randint(0, 5)}-12-31", "date"), g
        else:
            yield node, iri(SAHEL + "ongoing"), typed("true", "boolean"), g
            yield node, iri(SAHEL + "relativeTo"), source, g
        beginning = iri(f"{node[1:-1]}#beginning")
        yield node, iri(TIME + "hasBeginning"), beginning, g
        yield beginning, TYPE, iri(TIME + "Instant"), g
        yield beginning, iri(TIME + "inXSDgYear"), typed(year, "gYear"), g

    def _content(self, number: int, g: str, span: str) -> Iterator[Statement]:
        rnd = self.random
        if rnd.random() < 0.25:  # an alliance membership
            membership = iri(f"{SK}membership-{number}")
            yield iri(f"{SK}alliance-{rnd.randrange(self.alliances)}"), TYPE, iri(SAHEL + "Alliance"), g
            yield membership, TYPE, iri(ORG + "Membership"), g
            yield membership, iri(ORG + "member"), iri(f"{SK}state-{rnd.randrange(self.states)}"), g
            yield membership, iri(ORG + "organization"), iri(f"{SK}alliance-{rnd.randrange(self.alliances)}"), g
            yield membership, iri(ORG + "memberDuring"), span, g
            return
        relationship = iri(f"{SK}relationship-{number}")
        provider, recipient = rnd.sample(range(self.states), 2)
        yield relationship, TYPE, iri(SAHEL + "SecurityRelationship"), g
        yield relationship, iri(SAHEL + "provider"), iri(f"{SK}state-{provider}"), g
        armed = rnd.random() < 0.5
        yield relationship, iri(SAHEL + "recipient"), \
            iri(f"{SK}state-{recipient}" + ("-armed-forces" if armed else "")), g
        yield relationship, iri(SAHEL + "relationshipType"), iri(SAHEL + rnd.choice(RELATIONSHIP_TYPES)), g
        for phase_number in range(rnd.choice((1, 1, 2))):
            phase = iri(f"{SK}relationship-{number}-phase-{phase_number}")
            yield relationship, iri(SAHEL + "hasStatusPhase"), phase, g
            yield phase, TYPE, iri(SAHEL + "StatusPhase"), g
            yield phase, iri(SAHEL + "status"), iri(SAHEL + rnd.choice(STATUSES)), g
            yield phase, iri(SAHEL + "during"), span, g
            if rnd.random() < 0.3:
                yield phase, iri(SAHEL + "trend"), iri(SAHEL + rnd.choice(TRENDS)), g

    def _claim(self, number: int) -> Iterator[Statement]:
        rnd = self.random
        claim_iri = f"{BASE}claim/synthetic-{number}"
        claim, g, p = iri(claim_iri), iri(claim_iri), iri(PROVENANCE)
        source = iri(f"{BASE}source/synthetic-{rnd.randrange(self.sources)}")
        span = iri(f"{SK}span-{number}")
        yield from self._content(number, g, span)
        yield from self._time_span(span, source, p)
        target, quote, position = iri(f"{claim_iri}#target"), iri(f"{claim_iri}#quote"), iri(f"{claim_iri}#position")
        words = rnd.choices(WORDS, k=rnd.randint(8, 24))
        start = rnd.randint(0, 20000)
        exact = " ".join(words)
        yield claim, TYPE, iri(SAHEL + "Claim"), p
        yield claim, LABEL, text(f"claim synthetic-{number}"), p
        yield claim, iri(PROV + "wasDerivedFrom"), source, p
        yield claim, iri(PROV + "wasAttributedTo"), iri(SK + rnd.choice(CLAIMERS)), p
        yield claim, iri(SAHEL + "modality"), iri(SAHEL + rnd.choice(MODALITIES)), p
        yield claim, iri(SAHEL + "certainty"), iri(SAHEL + rnd.choice(CERTAINTIES)), p
        yield claim, iri(SAHEL + "validDuring"), span, p
        annotation = iri(f"{claim_iri}#annotation")  # the reading of the quote, apart from the claim
        yield annotation, TYPE, iri(OA + "Annotation"), p
        yield annotation, iri(OA + "hasBody"), claim, p
        yield claim, iri(DCT + "isReferencedBy"), annotation, p
        yield annotation, iri(OA + "motivatedBy"), iri(OA + "describing"), p
        yield annotation, iri(OA + "hasTarget"), target, p
        yield target, TYPE, iri(OA + "SpecificResource"), p
        yield target, iri(OA + "hasSource"), source, p
        yield target, iri(OA + "hasSelector"), quote, p
        yield target, iri(OA + "hasSelector"), position, p
        yield quote, TYPE, iri(OA + "TextQuoteSelector"), p
        yield quote, iri(OA + "exact"), text(exact, None), p
        yield quote, iri(OA + "prefix"), text(" ".join(rnd.choices(WORDS, k=5)), None), p
        yield quote, iri(OA + "suffix"), text(" ".join(rnd.choices(WORDS, k=5)), None), p
        yield position, TYPE, iri(OA + "TextPositionSelector"), p
        yield position, iri(OA + "start"), typed(start, "nonNegativeInteger"), p
        yield position, iri(OA + "end"), typed(start + len(exact), "nonNegativeInteger"), p


def output_kind(path: Path) -> tuple[str, bool]:
    """("nquads" | "trig" | "ntriples", gzipped) from the output's name."""
    suffixes = [s.lower() for s in path.suffixes]
    gzipped = bool(suffixes) and suffixes[-1] == ".gz"
    if gzipped:
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    kinds = {".nq": "nquads", ".nquads": "nquads", ".trig": "trig", ".nt": "ntriples", ".ttl": "ntriples"}
    if last not in kinds:
        raise SystemExit(f"cannot tell the format from {path.name}: use .nq, .trig, .nt or .ttl (optionally .gz)")
    return kinds[last], gzipped


def write(out: io.TextIOBase, statements: Iterator[Statement], count: int, kind: str) -> int:
    """Write the first `count` statements; TriG groups consecutive statements of one graph in a block."""
    written, open_graph = 0, None
    for s, p, o, g in statements:
        if written == count:
            break
        if kind == "nquads":
            out.write(f"{s} {p} {o} {g} .\n")
        elif kind == "ntriples":
            out.write(f"{s} {p} {o} .\n")
        else:
            if g != open_graph:
                if open_graph is not None:
                    out.write("}\n")
                out.write(f"{g} {{\n")
                open_graph = g
            out.write(f"  {s} {p} {o} .\n")
        written += 1
    if kind == "trig" and open_graph is not None:
        out.write("}\n")
    return written


def generate(path: Path, triples: int, seed: int = 42) -> int:
    """Write `triples` statements to `path` (format from its name); return how many were written."""
    kind, gzipped = output_kind(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    raw = gzip.open(partial, "wb", compresslevel=6) if gzipped else open(partial, "wb")
    with raw, io.TextIOWrapper(raw, encoding="utf-8", newline="\n", write_through=False) as out:
        written = write(out, Generator(triples, seed).statements(), triples, kind)
    partial.replace(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="statements to write (default 1,000,000)")
    parser.add_argument("--out", type=Path, required=True,
                        help="output file: .nq, .trig, .nt or .ttl, optionally .gz")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    args = parser.parse_args(argv)
    if args.triples < 1:
        parser.error("--triples must be at least 1")
    written = generate(args.out, args.triples, args.seed)
    print(f"wrote {written} statements to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
