"""The OWL 2 DL profile check (the OWL API's OWL2DLProfile) and HermiT's consistency check.

Both run in one Java process (kg/OwlCheck.java, by the Java source launcher of JDK 11 or later) on the
OWL API 3 and HermiT that owlready2 ships in its HermiT.jar. Needs `java` on PATH and owlready2 installed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from kg.child import failure_line
from kg.errors import KGError

CHECKER = Path(__file__).with_name("OwlCheck.java")
TIMEOUT = 600  # seconds; HermiT takes a few on this ontology and data

# The OWL 2 datatype map (OWL 2 Structural Specification, section 4) and rdfs:Literal: the only datatypes
# an OWL 2 DL ontology may use without defining them. The OWL API 3 profile checker does not enforce it.
_XSD = "http://www.w3.org/2001/XMLSchema#"
DATATYPE_MAP = {f"{_XSD}{name}" for name in (
    "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int short "
    "byte unsignedLong unsignedInt unsignedShort unsignedByte double float string normalizedString token "
    "language Name NCName NMTOKEN boolean hexBinary base64Binary anyURI dateTime dateTimeStamp").split()} | {
    "http://www.w3.org/2000/01/rdf-schema#Literal", "http://www.w3.org/1999/02/22-rdf-syntax-ns#PlainLiteral",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral", "http://www.w3.org/2002/07/owl#real",
    "http://www.w3.org/2002/07/owl#rational"}


class OwlCheckUnavailable(KGError):
    """Java or owlready2's HermiT.jar is missing."""


@dataclass
class OwlReport:
    """What the OWL API and HermiT said about a graph."""

    axioms: int = 0
    consistent: bool | None = None
    violations: list[str] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)
    datatypes: set[str] = field(default_factory=set)

    @property
    def outside_datatype_map(self) -> set[str]:
        return self.datatypes - DATATYPE_MAP


def hermit_jar() -> Path:
    """owlready2's HermiT.jar, which bundles the OWL API."""
    try:
        import owlready2
    except ImportError:
        raise OwlCheckUnavailable("the OWL checks need owlready2 (pip install owlready2)") from None
    jar = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"
    if not jar.is_file():
        raise OwlCheckUnavailable(f"owlready2 has no HermiT.jar at {jar}")
    return jar


def check(graph: Graph, *, ignore_unsupported_datatypes: bool = False) -> OwlReport:
    """Profile-check `graph` as one OWL ontology and ask HermiT whether it is consistent.

    `ignore_unsupported_datatypes` lets HermiT reason over data whose literals use types outside the
    OWL 2 datatype map (xsd:date, xsd:gYear) by treating those literals as opaque.
    """
    java = shutil.which("java")
    if java is None:
        raise OwlCheckUnavailable("the OWL checks need Java 11 or later (`java` on PATH)")
    jar = hermit_jar()
    with tempfile.TemporaryDirectory(prefix="sahel-owl-") as directory:
        # N-Triples, sorted: the OWL API 3 RDF/XML and Turtle parsers leave an IRI-valued ontology
        # annotation unparsed when it comes before its property's declaration.
        source = Path(directory) / "ontology.nt"
        lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
        source.write_text("".join(line + "\n" for line in sorted(set(lines)) if line.strip()), encoding="utf-8")
        command = [java, "-cp", str(jar), str(CHECKER), str(source)]
        if ignore_unsupported_datatypes:
            command.append("ignore-unsupported-datatypes")
        finished = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if finished.returncode != 0:
        raise KGError(f"the OWL check failed: {failure_line(finished.stderr, 'no output')}")
    report = OwlReport()
    for line in finished.stdout.splitlines():
        kind, _, value = line.partition("\t")
        if kind == "axioms":
            report.axioms = int(value)
        elif kind == "consistent":
            report.consistent = value == "true"
        elif kind == "violation":
            report.violations.append(value)
        elif kind == "unparsed":
            report.unparsed.append(value)
        elif kind == "datatype":
            report.datatypes.add(value)
    return report
