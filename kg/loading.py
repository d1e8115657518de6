"""Load RDF files into a store as one change, and record each load in the loads graph."""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from itertools import chain, islice
from pathlib import Path

import pyoxigraph as ox

from kg.format_sniff import FORMAT_NAMES, HEAD_BYTES, OTHER_COMPRESSIONS, likely_format, unread_compression
from kg.errors import ConfigError, InputLimitError, ParseError, ProjectGraphError, os_error_words, shown_text
from kg.namespaces import DEFAULT_BASE, PREFIXES, SAHEL, graph_iri
from kg.iri_resolution import NO_BASE, RELATIVE, bidi_fault, iri_fault
from kg.kept_graphs import project_graph
from kg.publish import installed_bases
from kg.rdf_names import RDF_SUFFIXES
from kg.store.base import Store, read_quads
from kg.store.merge import MERGE_GRAPH
from kg.untrusted import character_column, reread, undecodable
from kg.waiting_input import GZIP_MAGIC, WaitingReader, deadline_in, refuse_reading_twice

VOID_TRIPLES = ox.NamedNode(PREFIXES["void"] + "triples")
XSD = "http://www.w3.org/2001/XMLSchema#"
LARGE_BYTES = 8 << 20  # from this much input on, a bulk load beats one big transaction
# The same for input whose size the file system does not tell (a pipe, a gzipped file): counted in quads, read ahead.
LARGE_QUADS = 50_000


@dataclass
class LoadedFile:
    """What one file gave: where it came from, its checksum, and how many quads it held."""

    path: Path
    format: str
    sha256: str = ""
    quads: int = 0
    size: int = 0  # the bytes read, as given (gzipped or not): the file may be gone, or have grown, by the end
    name: str | None = None  # what the record calls it where `path` is a copy ("standard input"); else the path


@dataclass
class LoadReport:
    """The files of one load and the IRI of its record in the loads graph."""

    files: list[LoadedFile] = field(default_factory=list)
    record: str = ""

    @property
    def quads(self) -> int:
        return sum(loaded.quads for loaded in self.files)


def detect_format(path: Path) -> tuple[str, bool]:
    """The RDF format of a file from its extension, and whether it is gzipped (`.ttl.gz`)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in OTHER_COMPRESSIONS:
        raise unread_compression(OTHER_COMPRESSIONS[suffixes[-1]][0], path)
    gzipped = bool(suffixes) and suffixes[-1] == ".gz"
    if gzipped:
        suffixes = suffixes[:-1]
    fmt = RDF_SUFFIXES.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        raise ParseError(f"cannot tell the RDF format from the name; give --format "
                         f"({', '.join(sorted(set(RDF_SUFFIXES.values())))})", path=str(path))
    return fmt, gzipped


def load_files(store: Store, paths: list[Path], *, graph: str | None = None, fmt: str | None = None,
               base: str = DEFAULT_BASE, progress: Callable[[int], None] | None = None,
               max_bytes: int | None = None, seconds: float | None = None,
               base_iri: str | None = None, names: dict[Path, str] | None = None) -> LoadReport:
    """Load every file and its record as one change: if any file fails to parse, nothing is loaded.
    `base_iri` resolves the files' relative IRIs; `names` gives the record's name of a file that is a copy.

    A file over `max_bytes` (counted after decompression) or whose parsing takes more than `seconds`
    raises InputLimitError, and nothing is loaded.
    """
    refuse_reading_twice(paths)
    target = target_graph(graph, base, store=store)
    # A store with a build installed keeps its graphs; one without (a new store, restoring an export) takes
    # them, the merge excepted, which the store keeps itself.
    built = installed_bases(store)
    kept = _KeptGraphs({base} | built if built else set())
    report = LoadReport(record=f"{base}load/{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S%fZ')}")
    plan = []
    for path in paths:
        detected, gzipped = detect_format(path) if fmt is None else (fmt, path.suffix.lower() == ".gz")
        gzipped = gzipped or _starts_gzipped(path, (names or {}).get(path))  # gzip under another name: no RDF starts so
        loaded = LoadedFile(path=path, format=detected, name=(names or {}).get(path))
        report.files.append(loaded)
        plan.append((loaded, gzipped))

    def everything() -> Iterator[ox.Quad]:
        for loaded, gzipped in plan:
            yield from _file_quads(loaded, gzipped, target, progress, max_bytes, seconds, kept, base_iri)
        yield from _record(report, graph, base)

    quads, large = _sized(everything(), plan)
    store.extend(quads, large=large)
    return report


def _sized(quads: Iterator[ox.Quad], plan) -> tuple[Iterator[ox.Quad], bool]:
    """`quads` again, and whether they are many enough for a bulk load: told by the files' sizes where the file
    system knows them, else by reading up to LARGE_QUADS ahead (a pipe says 0 bytes; a gzipped file, a tenth)."""
    known = sum(loaded.path.stat().st_size for loaded, gzipped in plan if not gzipped and loaded.path.is_file())
    if known >= LARGE_BYTES or all(not gzipped and loaded.path.is_file() for loaded, gzipped in plan):
        return quads, known >= LARGE_BYTES
    ahead = list(islice(quads, LARGE_QUADS))  # a parse error here is raised before anything is written
    return chain(ahead, quads), len(ahead) == LARGE_QUADS


def _starts_gzipped(path: Path, name: str | None = None) -> bool:
    """Whether a regular file starts as gzip does (a pipe is not looked at: its bytes would be used up; _file_quads
    looks at its first bytes as it reads them); ParseError where it starts as another compression does, naming the
    file `name` where it is a copy ("standard input")."""
    if not path.is_file():
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(6)
    except OSError:  # said where the file is read, with its name (a read error has none: /proc/self/mem's EIO)
        return False
    other = next((name for name, magic in OTHER_COMPRESSIONS.values() if head.startswith(magic)), None)
    if other is not None:  # else its bytes are read as RDF: "BZh91AY is not a valid subject"
        raise unread_compression(other, name or path)
    return head[:2] == GZIP_MAGIC


def path_text(path) -> str:
    """A file name as text for a literal: bytes the file system gave that are not UTF-8 become \\xNN escapes
    (Python keeps them as lone surrogates, which no RDF literal may hold)."""
    return shown_text(str(path))


def target_graph(graph: str | None, base: str = DEFAULT_BASE, *, store: Store | None = None) -> ox.NamedNode | None:
    """The named graph --graph names, checked before anything is read: never one a build writes (the next
    `kg build --install` would replace it, and the data with it), the loads record or the merge; with
    `store`, under the base of every build installed there as well as `base` (ProjectGraphError)."""
    if graph is None:
        return None
    try:
        node = ox.NamedNode(graph)
    except ValueError as error:
        raise ConfigError(f"--graph needs an absolute IRI: {iri_fault(graph, error, 'write it whole')}") from None
    if bidi := bidi_fault(graph):
        raise ConfigError(f"--graph: {bidi}")
    bases = {base} | (installed_bases(store) if store is not None else set())
    if project_graph(graph, bases):
        raise ProjectGraphError(f"<{graph}> is one of the project's own graphs, which builds and loads keep; "
                                "load into a graph of your own")
    return node


class _KeptGraphs:
    """Refuses a quad a file puts in one of the project's graphs (a claim's, the ontology, the loads record, the
    merge): a TriG or N-Quads file names its own graphs, which --graph's check never sees (helper-93)."""

    def __init__(self, bases: set[str]):
        self.bases, self.seen = bases, {}

    def check(self, quad: ox.Quad, path: Path | str) -> None:
        graph = quad.graph_name
        if isinstance(graph, ox.NamedNode):
            kept = self.seen.get(graph.value)
            if kept is None:
                kept = self.seen[graph.value] = project_graph(graph.value, self.bases)
            if kept and graph.value == MERGE_GRAPH:  # in every store: a new one, kept empty, would not take it either
                raise ProjectGraphError(f"{path_text(path)}: puts data in <{graph.value}>, the merge of every graph, "
                                        "which kg keeps itself in any store; nothing was loaded. Load it into a graph "
                                        "of your own (--graph)")
            if kept:
                raise ProjectGraphError(f"{path_text(path)}: puts data in <{graph.value}>, one of the project's "
                                        "own graphs, which the build installed in this store keeps; nothing was "
                                        "loaded. Load it into a graph of your own (--graph), or restore an "
                                        "export into a new store (SAHEL_KG_INSTALL_ARTICLE=false keeps it empty)")


def _file_quads(loaded: LoadedFile, gzipped: bool, target: ox.NamedNode | None, progress,
                max_bytes: int | None = None, seconds: float | None = None,
                kept: _KeptGraphs | None = None, base_iri: str | None = None) -> Iterator[ox.Quad]:
    """The file's quads; with a target graph, every quad goes there, whatever graph the file gave it; without
    one, a quad in a project graph raises ProjectGraphError (`kept`)."""
    said = loaded.name or str(loaded.path)  # what an error calls the file
    with WaitingReader.open(loaded.path, deadline=deadline_in(seconds), seconds=seconds, name=said) as raw:
        hashing = _HashingReader(raw, progress)
        source = gzip.GzipFile(fileobj=hashing) if gzipped else io.BufferedReader(hashing, 1 << 16)
        try:
            if not gzipped and source.peek(len(GZIP_MAGIC))[:len(GZIP_MAGIC)] == GZIP_MAGIC:
                gzipped, source = True, gzip.GzipFile(fileobj=source)  # a pipe's start, not looked at before it is read
            # else the parser's words: "'\x1f' is not allowed at the beginning of a prefix name"
            if gzipped and source.peek(len(GZIP_MAGIC))[:len(GZIP_MAGIC)] == GZIP_MAGIC:
                raise ParseError("gzipped twice: unpack it once (gunzip), then load it", path=said)
            for quad in read_quads(source, format=loaded.format, max_bytes=max_bytes, seconds=seconds,
                                   base_iri=base_iri):
                loaded.quads += 1
                if target is not None:
                    yield ox.Quad(quad.subject, quad.predicate, quad.object, target)
                    continue
                if kept is not None:
                    kept.check(quad, said)
                yield quad
        except ParseError as error:
            said_so = ParseError(_with_remedy(error.message, loaded.format), path=said, line=error.line,
                                 column=error.column)
            # read anew to find the byte that is no UTF-8, if that is it
            found = reread(loaded.path, partial(undecodable, said_so), gzipped=gzipped)
            if found is said_so:
                found = reread(loaded.path, partial(_format_hint, said_so, loaded.format, base_iri), gzipped=gzipped)
            if loaded.format == "jsonld" and found is said_so:  # its parser counts a line's bytes: say characters
                found = reread(loaded.path, partial(character_column, said_so), gzipped=gzipped)
            raise found from None
        except InputLimitError as error:
            raise InputLimitError(error.message + "; nothing was loaded", path=said) from None
        except ProjectGraphError:  # a PermissionError, so an OSError: not a file that cannot be read
            raise
        except (OSError, EOFError, zlib.error) as error:  # a damaged gzip stream
            why = os_error_words(error) if isinstance(error, OSError) and error.strerror else error
            raise ParseError(f"cannot read the file: {why}", path=said) from None
        hashing.drain()
        loaded.sha256, loaded.size = hashing.digest.hexdigest(), hashing.count


def _record(report: LoadReport, graph: str | None, base: str) -> Iterator[ox.Quad]:
    """The load's provenance: the load itself (a prov:Activity at the IRI `kg load` prints) and one node per file
    with its name, checksum, size and time. No path: the loads graph is public, a path names the operator's folders."""
    loads = ox.NamedNode(graph_iri("loads", base))
    when = ox.Literal(datetime.now(timezone.utc).isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))
    activity = ox.NamedNode(report.record)
    count = len(report.files)
    yield from (ox.Quad(activity, ox.NamedNode(predicate), value, loads) for predicate, value in (
        (PREFIXES["rdf"] + "type", ox.NamedNode(PREFIXES["prov"] + "Activity")),
        (PREFIXES["rdfs"] + "label", ox.Literal(f"kg load of {count} file{'s' if count != 1 else ''}")),
        (PREFIXES["prov"] + "endedAtTime", when)))
    for number, loaded in enumerate(report.files, start=1):
        node = ox.NamedNode(f"{report.record}/{number}")
        facts = [
            (ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(PREFIXES["prov"] + "Entity")),
            (ox.NamedNode(PREFIXES["rdfs"] + "label"), ox.Literal(loaded.name or path_text(loaded.path.name))),
            (ox.NamedNode(str(SAHEL.sha256)), ox.Literal(loaded.sha256)),
            (VOID_TRIPLES, ox.Literal(loaded.quads)),
            (ox.NamedNode(PREFIXES["prov"] + "generatedAtTime"), when),
        ]
        if graph:
            facts.append((ox.NamedNode(PREFIXES["dct"] + "isPartOf"), ox.NamedNode(graph)))
        for predicate, value in facts:
            yield ox.Quad(node, predicate, value, loads)
        yield ox.Quad(activity, ox.NamedNode(PREFIXES["prov"] + "used"), node, loads)


class _HashingReader(io.RawIOBase):
    """Reads a file through, hashing every byte and reporting how many were read."""

    def __init__(self, raw, progress):
        self.raw, self.progress, self.digest, self.count = raw, progress, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.raw.readinto(buffer)
        if count:
            self.count += count
            self.digest.update(memoryview(buffer)[:count])
            if self.progress:
                self.progress(count)
        return count or 0

    def drain(self) -> None:
        """Hash what the parser left unread (trailing bytes), so the checksum covers the whole file."""
        while chunk := self.raw.read(1 << 16):
            self.count += len(chunk)
            self.digest.update(chunk)
            if self.progress:
                self.progress(len(chunk))


def _format_hint(error: ParseError, fmt: str, base: str | None, reader) -> ParseError:
    """`error` with the format the file's first bytes read as (against `base`), where that is another than `fmt`."""
    head = reader.read(HEAD_BYTES + 1)
    name = likely_format(head[:HEAD_BYTES], fmt, fault_line=error.line, whole=len(head) <= HEAD_BYTES, base=base)
    if name is None:
        return error
    return ParseError(f"{error.message}; the file reads as {FORMAT_NAMES[name]}: give --format {name}",
                      path=error.path, line=error.line, column=error.column)


def _with_remedy(message: str, fmt: str) -> str:
    """A parse error's message with what kg load's user can do about a relative IRI in the file."""
    if message != NO_BASE:
        return message
    if fmt in ("ntriples", "nquads"):  # their grammars have no relative IRIs: no base makes one right
        return f"{RELATIVE}: N-Triples and N-Quads take only absolute IRIs"
    return f"{NO_BASE} (give one with --base)"
