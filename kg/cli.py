"""The `kg` command line. Only this module turns the library's errors into messages and exit codes."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
import tempfile
from pathlib import Path

import click

from kg import __version__
from kg.errors import KGError

EXIT_ERROR = 1  # click itself exits 2 on bad usage


def reports_errors(command):
    """Print a library error as one plain line on stderr and exit 1, never a traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except BrokenPipeError:  # the reader went away (`kg query ... | head`): stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_ERROR)
        except KGError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_ERROR)
        except OSError as error:
            click.echo(f"error: {error.strerror or error}: {error.filename or ''}".rstrip(": "), err=True)
            sys.exit(EXIT_ERROR)
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main():
    """sahel-kg: build, check and query the Sahel security knowledge graph."""


def write_atomically(path: Path, data) -> None:
    """Write bytes, or an iterable of byte chunks, to a file so that readers see the old content or the
    new, never a part."""
    with atomic_output(path) as out:
        for chunk in [data] if isinstance(data, bytes) else data:
            out.write(chunk)


@contextlib.contextmanager
def atomic_output(path: Path):
    """A binary file to write `path` through: it replaces `path` only once the block ends without error."""
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _inputs(claims):
    """The build's inputs: the shipped files, with other claims files or folders if given."""
    from kg.build import Inputs

    return Inputs(claims=tuple(Path(path) for path in claims)) if claims else Inputs()


@main.command()
@click.option("--out", "out", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              show_default=True, help="File to write the dataset to ('-' for standard output).")
@click.option("--format", "fmt", type=click.Choice(["trig", "nquads", "turtle", "jsonld"]), default="trig",
              show_default=True, help="Serialisation; turtle merges all graphs into one.")
@click.option("--base", default=None, help="Base IRI for the project's own IRIs (default: the built-in one).")
@click.option("--claims", "claims_file", type=click.Path(exists=True), multiple=True,
              help="A claims file, or a folder of them (*.yaml, one per article), to build from; repeatable "
                   "(default: the shipped folder kg/data/claims).")
@click.option("--install", is_flag=True,
              help="Also replace the article's graphs in the store (--store) with the new build.")
@click.option("--store", "store_spec", envvar="SAHEL_KG_STORE", default="oxigraph:", show_default=True,
              help="The store --install writes to (see `kg query --help`). Env: SAHEL_KG_STORE.")
@reports_errors
def build(out, fmt, base, claims_file, install, store_spec):
    """Build the dataset from the ontology and the article's claims.

    Every claim becomes a named graph; its quote, offsets, claimer, modality and valid time go to the
    provenance graph, with a PROV record of the build; what the ontology entails goes to the inferred
    graph. Nothing is written if any claim fails its checks.
    """
    from kg.build import build as build_dataset, serialize
    from kg.namespaces import DEFAULT_BASE

    result = build_dataset(_inputs(claims_file), base=base or DEFAULT_BASE)
    if install:
        from kg.console import open_configured
        from kg.publish import install as install_dataset

        with open_configured(store_spec, write=True, install=False) as store:
            install_dataset(store, result, base=base or DEFAULT_BASE)
        click.echo(f"installed into {store_spec}", err=True)
        if out == "-" and sys.stdout.isatty():
            out = None
    data = serialize(result.dataset, fmt)
    if out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    elif out is not None:
        write_atomically(Path(out), data)
    click.echo(result.summary, err=True)


@main.command()
@click.argument("dataset_file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--claims", "claims_file", type=click.Path(exists=True), multiple=True,
              help="Claims file or folder to build from when no DATASET_FILE is given (default: the shipped "
                   "folder); repeatable.")
@click.option("--owl", is_flag=True,
              help="Also check the ontology against the OWL 2 DL profile and the ontology with the dataset for "
                   "consistency (HermiT); needs Java 11+ and owlready2.")
@reports_errors
def validate(dataset_file, claims_file, owl):
    """Check a dataset against the SHACL shapes; exit 1 if anything violates them.

    DATASET_FILE is a TriG or N-Quads file; without it, the dataset is built from the shipped claims
    (or from --claims). With --owl, also the OWL 2 DL profile and HermiT's consistency check.
    """
    from kg.build import build as build_dataset
    from kg.validate import read_dataset, validate as run_shacl

    if dataset_file and claims_file:
        raise click.UsageError("give either DATASET_FILE or --claims, not both")
    dataset = read_dataset(Path(dataset_file)) if dataset_file else \
        build_dataset(_inputs(claims_file)).dataset
    violations = run_shacl(dataset)
    for violation in violations:
        click.echo(str(violation))
    if owl:
        violations += _owl_problems(dataset)
    if violations:
        click.echo(f"{len(violations)} violation(s)", err=True)
        sys.exit(EXIT_ERROR)
    click.echo("conforms: no SHACL violations" + (", OWL 2 DL, consistent" if owl else ""), err=True)


def _owl_problems(dataset) -> list[str]:
    """The OWL 2 DL profile violations of the ontology graph, and inconsistency of the whole dataset."""
    from rdflib import URIRef

    from kg.namespaces import graph_iri
    from kg.owl_check import check
    from kg.validate import union

    problems = []
    profile = check(dataset.graph(URIRef(graph_iri("ontology"))))
    problems += [f"OWL 2 DL: {violation}" for violation in profile.violations]
    problems += [f"OWL 2 DL: datatype outside the OWL 2 datatype map: {iri}" for iri in
                 sorted(profile.outside_datatype_map)]
    if not check(union(dataset), ignore_unsupported_datatypes=True).consistent:
        problems.append("HermiT: the ontology and the data are inconsistent")
    for problem in problems:
        click.echo(problem)
    return problems


@main.group()
def claims():
    """Work on claims files (one per article)."""


@claims.command("draft")
@click.argument("article", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "article_id", required=True, help="The new article's id (lower case, hyphens), unused so far.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the skeleton (default: ID.yaml beside the article).")
@click.option("--claims-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the claims files whose article ids are taken (default: the shipped kg/data/claims).")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def claims_draft(article, article_id, out, claims_dir, force):
    """Write a claims file skeleton for ARTICLE (a UTF-8 text file) for a curator to complete.

    One entry per sentence with its verbatim quote and offsets, the entities it mentions, and cues
    (attribution, hedges, time expressions) as comments. It asserts no triple. Exit status 2 if the
    article is missing or not UTF-8, the id is taken, or the output exists (without --force).
    """
    from kg import paths
    from kg.drafting import DraftError, draft

    target = out or Path(article).parent / f"{article_id}.yaml"
    try:
        text = draft(article, article_id, out=target, claims_dir=claims_dir or paths.CLAIMS_DIR, force=force)
    except DraftError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    entries = text.count("\n  - id: ")
    click.echo(f"wrote {target}: {entries} sentence entries to complete", err=True)


# --- the store: load, query, info, export ------------------------------------------------------

DEFAULT_STORE = "oxigraph:"

store_option = click.option(
    "--store", "store_spec", envvar="SAHEL_KG_STORE", default=DEFAULT_STORE, show_default=True,
    help="The store: oxigraph:PATH (embedded; oxigraph: alone is the default path), memory:, "
         "or a SPARQL endpoint URL. Env: SAHEL_KG_STORE.")


class ByteSize(click.ParamType):
    """A number of bytes, optionally with a K, M or G suffix (powers of 1024)."""

    name = "size"
    _UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}

    def convert(self, value, param, ctx):
        found = re.fullmatch(r"\s*(\d+)\s*([KMG]?)i?B?\s*", str(value), re.IGNORECASE)
        if not found or int(found[1]) == 0:
            self.fail(f"{value!r} is not a size such as 1000, 500K, 20M or 2G", param, ctx)
        return int(found[1]) * self._UNITS[found[2].upper()]


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--graph", help="Put every triple into this named graph (quads otherwise keep their own).")
@click.option("--format", "fmt", type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"]),
              help="The files' format (default: from each name; .gz is read as gzip).")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal).")
@click.option("--max-bytes", type=ByteSize(), default=None,
              help="Refuse a file holding more than this once decompressed (e.g. 500M, 2G); nothing is loaded.")
@click.option("--timeout", "seconds", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Refuse a file whose parsing takes more than this many seconds; nothing is loaded.")
@store_option
@reports_errors
def load(files, graph, fmt, progress, max_bytes, seconds, store_spec):
    """Load RDF files into the store, all or nothing.

    Turtle, N-Triples, N-Quads, TriG, JSON-LD and RDF/XML, optionally gzipped. If any file fails to
    parse, nothing is loaded and the error says file:line:column. Each load is recorded in the loads
    graph with the file's name, sha256, triple count and time.
    """
    from kg.console import open_configured
    from kg.loading import load_files

    show = sys.stderr.isatty() if progress is None else progress
    total = sum(path.stat().st_size for path in files)
    with open_configured(store_spec, write=True) as store, \
            click.progressbar(length=total, label="loading", file=sys.stderr, hidden=not show) as bar:
        report = load_files(store, list(files), graph=graph, fmt=fmt, progress=bar.update, max_bytes=max_bytes,
                            seconds=seconds)
    for loaded in report.files:
        click.echo(f"{loaded.path}: {loaded.quads} quads, sha256 {loaded.sha256}", err=True)
    click.echo(f"loaded {report.quads} quads from {len(report.files)} file(s); record {report.record}", err=True)


QUERY_FORMATS = ["table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads"]


@main.command()
@click.option("-q", "--query", "text", help="The query text.")
@click.option("-f", "--file", "query_file", type=click.File("r", encoding="utf-8"), help="Read the query from FILE.")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS),
              help="Output format (default: table on a terminal, else json for SELECT/ASK, turtle for graphs).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the result to FILE.")
@click.option("--endpoint", help="Query this SPARQL endpoint instead of the store.")
@click.option("--bind", "bindings", multiple=True, metavar="NAME=VALUE",
              help='Bind ?NAME to VALUE: <iri>, prefix:name, a number, "text"@lang, "lexical"^^xsd:date, '
                   'or plain text; repeatable.')
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds before the query is stopped.")
@click.option("--limit", "row_limit", type=click.IntRange(min=1),
              help="Return at most this many rows (default on a terminal: the ROW_LIMIT setting, 10000).")
@click.option("--wide", is_flag=True, help="Show every table cell whole (long ones are cut otherwise).")
@store_option
@reports_errors
def query(text, query_file, fmt, output, endpoint, bindings, timeout, row_limit, wide, store_spec):
    """Run a SPARQL query against the store or an endpoint.

    The query comes from -q, -f FILE, or standard input. Prefixes such as sahel:, sk:, rdfs:, skos:,
    prov: and wd: need no PREFIX line. Rows are written as they come; on a terminal, the answer stops at
    the row cap and says so. Exit status: 0 on success, 1 for a query error, 2 for bad usage.
    """
    from kg.console import notes, open_configured, show, start_query, warnings
    from kg.query import QueryService
    from kg.results import FormatError, check_format
    from kg.settings import console_settings

    sparql = _query_text(text, query_file)
    terminal = output is None and sys.stdout.isatty()
    cap = row_limit if row_limit is not None or not terminal else console_settings()["ROW_LIMIT"]
    with open_configured(store_spec, endpoint) as store:
        service = QueryService(store)
        bound = _parse_bindings(bindings, service.prefixes)
        started = start_query(service, sparql, bindings=bound, timeout=timeout, row_limit=cap)
        for line in warnings(started, service.prefixes):
            click.echo(line, err=True)
        chosen = fmt or ("table" if terminal else "turtle" if started.kind == "graph" else "json")
        if chosen != "table":
            try:
                check_format(started.kind, chosen)
            except FormatError as error:
                raise click.UsageError(str(error)) from None
        if output is None:
            shown = show(started, chosen, sys.stdout.buffer, service.prefixes, terminal=terminal, wide=wide)
        else:
            with atomic_output(output) as out:
                shown = show(started, chosen, out, service.prefixes, terminal=False, wide=wide)
    said = notes(shown, "--wide")
    click.echo(f"{shown.count} result(s) in {shown.elapsed:.3f}s" + (f" ({'; '.join(said)})" if said else ""),
               err=True)


def _query_text(text, query_file) -> str:
    if text is not None and query_file is not None:
        raise click.UsageError("give the query with -q or -f, not both")
    if text is not None:
        return text
    if query_file is not None:
        return query_file.read()
    text = "" if sys.stdin.isatty() else sys.stdin.read()
    if not text.strip():
        raise click.UsageError("no query: use -q TEXT, -f FILE, or pipe it on standard input")
    return text


def _parse_bindings(pairs, prefixes: dict[str, str]) -> dict:
    bound = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise click.UsageError(f"--bind takes NAME=VALUE with NAME a variable name, got {pair!r}")
        try:
            bound[name] = _binding_term(value, prefixes)
        except (ValueError, TypeError) as error:
            raise click.UsageError(f"--bind {pair!r}: {error}") from None
    return bound


def _binding_term(value: str, prefixes: dict[str, str]):
    """An RDF term from --bind's VALUE: <iri>, prefix:name, "text"@lang, "lexical"^^type, number, text."""
    from kg.query import as_term

    import pyoxigraph as ox

    prefix, colon, local = value.partition(":")
    typed = re.fullmatch(r'"(.*)"(?:\^\^(\S+)|@([A-Za-z0-9-]+))', value, re.S)
    if typed:
        lexical, datatype, language = typed.groups()
        iri = _binding_term(datatype, prefixes) if datatype else None
        if iri is not None and not isinstance(iri, ox.NamedNode):
            raise ValueError(f"unknown datatype {datatype}")
        return ox.Literal(lexical, datatype=iri, language=language)
    if value.startswith("<") and value.endswith(">"):
        return ox.NamedNode(value[1:-1])
    if colon and prefix in prefixes and " " not in value:
        return ox.NamedNode(prefixes[prefix] + local)
    return as_term(_number(value))


def _number(value: str):
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            continue
    return value


@main.command()
@store_option
@reports_errors
def info(store_spec):
    """Show what the store holds: triples per graph, and the most used classes and properties."""
    from kg.console import open_configured
    from kg.query import QueryService
    from kg.table import printable, render

    with open_configured(store_spec) as store:
        click.echo(f"store: {printable(store_spec)}")
        click.echo(f"quads: {store.count()}")
        (distinct,), = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")  # the merge: each triple once
        click.echo(f"triples: {distinct.value} (the default graph: every graph's triples, each once)")
        rows = [(printable(iri), store.count(iri)) for iri in store.graphs()]
        width = max([len(iri) for iri, _ in rows] + [5])
        click.echo(f"\n{'graph'.ljust(width)}  triples")
        for iri, count in rows:
            click.echo(f"{iri.ljust(width)}  {count:>7}")
        service = QueryService(store)
        for title, sparql in (
                ("classes", "SELECT ?class (COUNT(DISTINCT ?s) AS ?instances) WHERE { ?s a ?class } "
                            "GROUP BY ?class ORDER BY DESC(?instances) ?class LIMIT 10"),
                ("properties", "SELECT ?property (COUNT(*) AS ?uses) WHERE { ?s ?property ?o } "
                               "GROUP BY ?property ORDER BY DESC(?uses) ?property LIMIT 10")):
            click.echo(f"\ntop {title}:")
            click.echo(render(service.query(sparql), service.prefixes))


@main.command()
@click.argument("words", nargs=-1, required=True)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100), help="Most hits to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@store_option
@reports_errors
def search(words, limit, as_json, store_spec):
    """Find entities and claims by words in their labels, aliases, descriptions and quotes.

    Hits come best first, each with the claims about it and their quotes. Every word must match, as a
    word or the start of one. The index (SQLite FTS5) follows the store: it is rebuilt after any write.
    """
    import json

    from kg.console import open_configured
    from kg.query import QueryService
    from kg.search import SearchError, SearchIndex, index_path, service_select

    with open_configured(store_spec) as store:
        index = SearchIndex(index_path(store_spec))
        try:
            changed = store.changed_at()
            index.ensure(None if changed is None else repr(changed), service_select(QueryService(store)))
            hits = index.search(" ".join(words), limit=limit)
        except SearchError as error:
            raise click.UsageError(str(error)) from None
        finally:
            index.close()
    if as_json:
        click.echo(json.dumps({"query": " ".join(words), "results": [hit.as_json() for hit in hits]},
                              ensure_ascii=False, indent=2))
        return
    for number, hit in enumerate(hits, start=1):
        click.echo(f"{number}. {hit.label}  <{hit.iri}>")
        click.echo(f"   {hit.snippet}")
        for found in hit.claims:
            click.echo(f"   - {found.claim}: {found.quote}")
    click.echo(f"{len(hits)} hit(s)", err=True)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["trig", "nquads"]),
              help="Serialisation (default: from the output name, else trig).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE (a name ending in .gz is gzipped); default standard output.")
@click.option("--gzip", "compress", is_flag=True, help="Gzip the output.")
@store_option
@reports_errors
def export(fmt, output, compress, store_spec):
    """Write every graph of the store as TriG or N-Quads, optionally gzipped, as it is read."""
    from kg.console import open_configured
    from kg.dump import stream_dump

    name = output.name.lower().removesuffix(".gz") if output else ""
    compress = compress or (output is not None and output.name.lower().endswith(".gz"))
    if fmt is None and name and not name.endswith((".trig", ".nq", ".nquads")):
        raise click.UsageError(f"{output.name}: a dataset is written as TriG (.trig) or N-Quads (.nq); "
                               "name the file so, or give --format")
    chosen = fmt or ("nquads" if name.endswith((".nq", ".nquads")) else "trig")
    chunks = stream_dump(lambda: open_configured(store_spec), chosen, gzip=compress)
    if output is None:
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
    else:
        write_atomically(output, chunks)


@main.group()
def links():
    """Links to other datasets (Wikidata, GeoNames, DBpedia) and their sources."""


@links.command("check")
@store_option
@reports_errors
def links_check(store_spec):
    """Report entities without links, and links or aliases without a source (exit 1 if any of those).

    An entity without links is no fault (identifiers are never guessed); it is listed so that one can
    look for a source.
    """
    from kg.console import open_configured
    from kg.links import check
    from kg.query import QueryService

    with open_configured(store_spec) as store:
        found = check(QueryService(store))
    for entity, name in found.unlinked:
        click.echo(f"unlinked: <{entity}> {name}")
    for entity, predicate, target in found.links_without_source:
        click.echo(f"link without a source: <{entity}> <{predicate}> <{target}>")
    for entity, alias in found.aliases_without_source:
        click.echo(f"alias without a source: <{entity}> {alias!r}")
    click.echo(f"{len(found.unlinked)} unlinked entities, {len(found.links_without_source)} links and "
               f"{len(found.aliases_without_source)} aliases without a source", err=True)
    if not found.ok:
        sys.exit(EXIT_ERROR)


@main.group()
def events():
    """Conflict event tables (ACLED-style CSV) mapped onto the ontology with RML."""


@events.command("load")
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The RML mapping (default: the shipped ACLED-style one, kg/mappings/acled-events.rml.ttl).")
@click.option("--graph", help="The named graph for the events (default: one per file, from its sha256).")
@store_option
@reports_errors
def events_load(table, mapping, graph, store_spec):
    """Map TABLE with the RML mapping (run by morph-kgc) into its own graph, replacing an earlier load of it.

    Actor and country names are linked to the graph's entities when they match a name exactly and
    unambiguously; other names get candidate records only. The load is recorded (file, sha256,
    mapping, time) in the loads graph.
    """
    from kg.console import open_configured
    from kg.events import DEFAULT_MAPPING, load_events

    with open_configured(store_spec, write=True) as store:
        report = load_events(store, table, mapping=mapping or DEFAULT_MAPPING, graph=graph)
    linked = sum(1 for name in report.names if name.entity)
    click.echo(f"{table}: {report.triples} triples, {report.events} events into <{report.graph}>; linked {linked} of "
               f"{len(report.names)} names exactly (the others are candidates); record {report.record}", err=True)


@main.command()
@click.option("--endpoint", help="Query this SPARQL endpoint instead of the store (.endpoint switches later).")
@store_option
@reports_errors
def shell(endpoint, store_spec):
    """An interactive SPARQL shell: multi-line editing, highlighting, completion and history.

    Enter adds a line; a blank line or Esc-Enter runs the query. Lines starting with `.` are commands
    (.help lists them). Ctrl-C cancels a running query, Ctrl-D quits. History is kept in
    shell_history in the data directory ($SAHEL_KG_HOME, else ~/.local/share/sahel-kg).
    """
    from kg.shell import run

    run(store_spec, endpoint)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Server processes (each also runs its own query worker processes).")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(min=1),
              help="Requests each server process handles at once.")
@click.option("--store", "store_spec", envvar="SAHEL_KG_STORE", default=DEFAULT_STORE, show_default=True,
              help="The store (see `kg query --help`). Env: SAHEL_KG_STORE.")
@click.option("--enable-updates", is_flag=True,
              help="Accept SPARQL Update and Graph Store writes; needs SAHEL_KG_UPDATE_TOKEN in the environment.")
@click.option("--public", is_flag=True,
              help="A public deployment: read-only, every limit on, CORS for GET only (see SECURITY.md). "
                   "Env: SAHEL_KG_PUBLIC.")
@reports_errors
def serve(host, port, workers, threads, store_spec, enable_updates, public):
    """Serve the SPARQL endpoint, graph store and pages over HTTP, under granian.

    Every setting of the service (see the README) is read from SAHEL_KG_* environment variables.
    """
    from kg.settings import resolve
    from kg.errors import ConfigError
    from kg.serve import check_address, check_remote_store, prepare_store, run
    from kg.store import default_store_path

    # An on-disk store is prepared here, once, before the server processes start; memory: in the one process.
    config = {"STORE": store_spec, "INSTALL_ARTICLE": store_spec == "memory:" and resolve({})["INSTALL_ARTICLE"]}
    if enable_updates:
        config["UPDATES_ENABLED"] = True
    if public:
        config["PUBLIC"] = True
    settings = resolve(config)
    check_address(host, port)  # before any work: a second server on a port in use would share it
    if settings["UPDATES_ENABLED"] and not settings["UPDATE_TOKEN"]:
        raise ConfigError("updates need a token: set SAHEL_KG_UPDATE_TOKEN")
    if settings["UPDATES_ENABLED"] and store_spec.startswith("oxigraph:") and workers > 1:
        raise ConfigError("with updates on, an embedded store has one writer: use --workers 1 (and --threads)")
    if store_spec == "memory:" and workers > 1:
        raise ConfigError("a memory: store lives in one process: use --workers 1")
    if resolve({})["INSTALL_ARTICLE"]:
        prepare_store(store_spec)
    if store_spec.startswith(("http://", "https://")):
        for note in check_remote_store(settings):
            click.echo(f"note: {note}", err=True)
    where = f"the embedded store at {default_store_path()}" if store_spec == DEFAULT_STORE else store_spec
    access = "read-write (bearer token)" if settings["UPDATES_ENABLED"] else "read-only"
    access += ", public" if settings["PUBLIC"] else ""
    click.echo(f"serving {where}, {access}, on http://{host}:{port}/sparql", err=True)
    run(host=host, port=port, workers=workers, threads=threads, config=config)
