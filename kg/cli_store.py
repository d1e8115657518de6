"""`kg query`, `kg info`, `kg search` and `kg export`: the commands that read the store (`kg load`: kg.cli_load)."""

from __future__ import annotations

import contextlib
import gzip
import shutil
import sys
from pathlib import Path

import click

from kg.cli_params import EndpointURL, OutputFile, Seconds
from kg.cli_support import (ANSWER_NAMES, DEFAULT_STORE, dataset_format, format_of_name, given, refuse_together,
                            reports_errors, store_option, write_out)
from kg.cli_text import command_text, parse_bindings
from kg.output_files import atomic_output, not_a_regular_file, write_atomically
from kg.setting_values import MOST

QUERY_FORMATS = ["table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads"]


@click.command()
@click.argument("query_text", required=False, metavar="[QUERY]")
@click.option("-q", "--query", "text", help="The query text (as QUERY).")
@click.option("-f", "--file", "query_file", type=click.File("r", encoding="utf-8"), help="Read the query from FILE.")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS),
              help="Output format (default: table on a terminal, else json for SELECT/ASK, turtle for graphs).")
@click.option("-o", "--output", type=OutputFile(allow_dash=True),
              help="Write the result to FILE (a name ending in .gz is gzipped; - is standard output).")
@click.option("--endpoint", type=EndpointURL(), help="Query this SPARQL endpoint instead of the store.")
@click.option("--bind", "bindings", multiple=True, metavar="NAME=VALUE",
              help='Bind ?NAME to VALUE, written as in SPARQL: <iri>, prefix:name, a number, true/false, "text", '
                   '"text"@lang, "lexical"^^xsd:date; other text is plain text. A prefix must be '
                   'declared (built in, or by the query). Repeatable.')
@click.option("--timeout", type=Seconds(), help="Seconds before the query is stopped.")
# Bounded as ROW_LIMIT is: a cap past 2^64 - 1 reached a remote store as a LIMIT its parser refuses.
@click.option("--limit", "row_limit", type=click.IntRange(min=1, max=MOST[True]),
              help="Return at most this many rows, up to 10^18 (default on a terminal: the ROW_LIMIT setting, "
                   "10000).")
@click.option("--wide", is_flag=True, help="Show every table cell whole (long ones are cut otherwise).")
@store_option
@reports_errors
def query(query_text, text, query_file, fmt, output, endpoint, bindings, timeout, row_limit, wide, store_spec):
    """Run a SPARQL query against the store or an endpoint.

    The query comes from QUERY (or -q), -f FILE, or standard input. Prefixes such as sahel:, sk:, rdfs:, skos:,
    prov: and wd: need no PREFIX line. Rows are written as they come; on a terminal, the answer stops at
    the row cap and says so. Exit status: 0 on success, 1 for a query error, 2 for bad usage, 130 when Ctrl-C
    stops it, 141 (without a word) when the reader of its output goes away (`| head`).
    """
    from kg.cli_update import is_update, update_advice
    from kg.console import console_service, notes, open_configured, show, start_query, warnings
    from kg.errors import QuerySyntaxError
    from kg.results import FormatError, check_format
    from kg.settings import console_settings
    from kg.sparql_text import scan
    from kg.table import printable

    output = _output_path(output)
    terminal = output is None and sys.stdout.isatty()
    _refuse_unused(endpoint, fmt or ("table" if terminal else None), wide)
    sparql = command_text(query_text, text, query_file)
    if is_update(sparql):
        raise QuerySyntaxError(f"not a query: this is a SPARQL Update; {update_advice('kg query')}", line=1, column=1)
    _refuse_for_form(scan(sparql).form, fmt, wide, row_limit)
    cap = row_limit if row_limit is not None or not terminal else console_settings()["ROW_LIMIT"]
    with contextlib.ExitStack() as files:
        # A file is made before the store is asked anything: a folder no file can be made in is told at once, not
        # after a long query. A FIFO or device is opened only once there is an answer to write (opening a FIFO waits
        # for its reader: an error would never be told).
        early = output is not None and not not_a_regular_file(output)
        out = files.enter_context(atomic_output(output)) if early else None
        store = files.enter_context(open_configured(store_spec, endpoint, timeout=timeout))
        service = console_service(store)
        bound = parse_bindings(bindings, service.prefixes, sparql)
        started = start_query(service, sparql, bindings=bound, timeout=timeout, row_limit=cap)
        for line in warnings(started, service.prefixes, service.near_terms):
            click.echo(line, err=True)
        # A name of the other kind's format (a graph to x.csv) names it too, and is refused just below.
        names = {**ANSWER_NAMES["graph" if started.kind != "graph" else "solutions"], **ANSWER_NAMES[started.kind]}
        chosen = format_of_name(output, fmt, names) or ("table" if terminal else "turtle" if started.kind == "graph"
                                                        else "json")
        if fmt is None and output is not None and not not_a_regular_file(output) and \
                format_of_name(output, None, names) is None:  # as kg export: no answer in a file named for none
            known = ", ".join(suffix + "[.gz]" for suffix in ANSWER_NAMES[started.kind])
            raise click.UsageError(f"{output}: the name says no format; name the file for one ({known}), "
                                   "or give --format")
        if chosen != "table":
            try:
                check_format(started.kind, chosen)
            except FormatError as error:
                raise click.UsageError(str(error)) from None
        if output is None:
            shown = show(started, chosen, sys.stdout.buffer, service.prefixes, terminal=terminal, wide=wide)
        else:
            out = out or files.enter_context(atomic_output(output))
            with _gzipped_if_named(output, out) as written:
                shown = show(started, chosen, written, service.prefixes, terminal=False, wide=wide)
    said = notes(shown, "--wide")
    click.echo(f"{shown.count} result(s) in {shown.elapsed:.3f}s" + (f" ({'; '.join(said)})" if said else ""),
               err=True)
    needs = next((line[len("# needs:"):].strip() for line in sparql.splitlines() if line.startswith("# needs:")), None)
    if shown.count == 0 and needs:  # a shipped example asking for data beside the article: why it found nothing
        click.echo(printable(f"note: this query needs {needs}"), err=True)


def _refuse_unused(endpoint: str | None, fmt: str | None, wide: bool) -> None:
    """Bad usage: --endpoint beside a --store given (which one would answer?), and --wide where no table is written
    (`fmt`: the format asked, or the terminal's table; None: the answer's format, never a table)."""
    if endpoint is not None and given("store_spec"):
        refuse_together("--endpoint", "--store", "each names what answers the query; give one")
    if wide and fmt != "table":
        refuse_together("--wide", f"--format {fmt}" if fmt else "an output that is no terminal",
                        "--wide shows a table's cells whole, and no table is written (add --format table for one)")


FORM_KINDS = {"SELECT": "solutions", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


def _refuse_for_form(form: str | None, fmt: str | None, wide: bool, row_limit: int | None) -> None:
    """Bad usage, told from the query's text before it runs: an option that means nothing for its form (--wide
    beside no SELECT, --limit beside an ASK), or a --format that form has not (None: not told, the engine says why)."""
    from kg.results import FormatError, check_format

    if form not in FORM_KINDS:
        return
    article = "an" if form == "ASK" else "a"
    if wide and form != "SELECT":
        refuse_together("--wide", f"{article} {form} query", "--wide shows a SELECT's table cells whole, and "
                        + ("an ASK answers true or false" if form == "ASK" else "a graph is shown a triple a line"))
    if row_limit is not None and form == "ASK":
        refuse_together("--limit", "an ASK query", "an ASK answers true or false, one value, whatever the limit")
    if fmt not in (None, "table"):
        try:
            check_format(FORM_KINDS[form], fmt)
        except FormatError as error:
            raise click.UsageError(str(error)) from None


def _output_path(path: str | None) -> Path | None:
    """-o's file, or None for standard output: no -o, or -o - (as kg build --out - has it; ./- names a file)."""
    return None if path is None or path == "-" else Path(path)


@contextlib.contextmanager
def _gzipped_if_named(path: Path, out):
    """`out`, or a gzip stream into it where the file's name ends in .gz (its format is read past the .gz)."""
    if not path.name.lower().endswith(".gz"):
        yield out
        return
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as zipped:  # equal answers, equal bytes
        yield zipped


@click.command()
@store_option
@reports_errors
def info(store_spec):
    """Show what the store holds: triples per graph, and the most used classes and properties."""
    from kg.console import open_configured
    from kg.publish import stale_inputs, stale_warning
    from kg.query import QueryService
    from kg.store import shown_spec
    from kg.table import Table, printable, width

    # On a terminal, lines fit its width (an IRI cut with …), as kg query's table does: a wrapped line parts a
    # graph from its count.
    columns = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    with open_configured(store_spec) as store:
        click.echo(f"store: {printable(shown_spec(store_spec))}")
        click.echo(f"quads: {store.count()}")
        (distinct,), = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")  # the merge: each triple once
        click.echo(f"triples: {distinct.value} (the default graph: every graph's triples, each once)")
        stale = stale_inputs(store)
        if stale:
            shown = None if store_spec == DEFAULT_STORE else shown_spec(store_spec)
            click.echo(printable(f"warning: {stale_warning(stale, shown)}"), err=True)
        service = QueryService(store)
        rows = [(printable(iri), store.count(iri)) for iri in store.graphs()]
        room = max([width(iri) for iri, _ in rows] + [5])  # display columns: an IRI may hold CJK or escapes
        if columns is not None:
            room = max(5, min(room, columns - 9))  # two spaces and seven digits for the count
            # Too wide, an IRI is written with a prefix, or cut at its start: cut at its end, every graph of a
            # narrow terminal read "https://sahel-kg.example.org/…" (helper-208)
            rows = [(_fitted(iri, room, service.prefixes), count) for iri, count in rows]
        click.echo(f"\n{'graph'.ljust(room)}  triples")
        for iri, count in rows:
            click.echo(f"{iri}{' ' * (room - width(iri))}  {count:>7}")
        for title, sparql in (
                ("classes", "SELECT ?class (COUNT(DISTINCT ?s) AS ?instances) WHERE { ?s a ?class } "
                            "GROUP BY ?class ORDER BY DESC(?instances) ?class LIMIT 10"),
                ("properties", "SELECT ?property (COUNT(*) AS ?uses) WHERE { ?s ?property ?o } "
                               "GROUP BY ?property ORDER BY DESC(?uses) ?property LIMIT 10")):
            click.echo(f"\ntop {title}:")
            result = service.query(sparql)
            click.echo("\n".join(Table(result.variables, service.prefixes, room=columns).lines(result.rows)))


def _fitted(iri: str, room: int, prefixes: dict[str, str]) -> str:
    """A graph's IRI (printable) within `room` display columns: as it is, else with a prefix, else its end (where
    IRIs of one dataset differ) after an ellipsis."""
    from kg.table import compact_iri, cut_start, width

    if width(iri) <= room:
        return iri
    short = compact_iri(iri, prefixes)
    return short if width(short) <= room else cut_start(iri, room)


@click.command()
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
    from kg.search import SearchError, SearchIndex, index_path
    from kg.search_source import service_select
    from kg.format_escapes import escaped
    from kg.table import printable

    with open_configured(store_spec) as store:
        index = SearchIndex(index_path(store_spec))
        try:
            changed = store.changed_at()
            index.ensure(None if changed is None else repr(changed), service_select(QueryService(store)))
            hits = index.search(" ".join(words), limit=limit)
            suggestion = None if hits else index.suggestion(" ".join(words))
        except SearchError as error:
            raise click.UsageError(str(error)) from None
        finally:
            index.close()
    if as_json:  # JSON escapes C0 controls but not C1 ones (CSI) nor bidirectional overrides
        text = json.dumps({"query": " ".join(words), "results": [hit.as_json() for hit in hits],
                           "suggestion": suggestion}, ensure_ascii=False, indent=2)
        click.echo(escaped("json", text) if sys.stdout.isatty() else text)
        return
    for number, hit in enumerate(hits, start=1):  # a hit a few lines: no data may break them, or the terminal
        click.echo(printable(f"{number}. {hit.label}  <{hit.iri}>"))
        click.echo(printable(f"   {hit.snippet}"))
        for found in hit.claims:
            click.echo(printable(f"   - {found.claim}: {found.quote}"))
    click.echo(f"{len(hits)} hit(s)", err=True)
    if suggestion is not None:
        click.echo(printable(f"did you mean: {suggestion}"), err=True)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["trig", "nquads"]),
              help="Serialisation (default: from the output name, .trig or .nq; trig on standard output, "
                   "/dev/null or a FIFO; a file named otherwise is refused).")
@click.option("-o", "--output", type=OutputFile(allow_dash=True),
              help="Write to FILE (a name ending in .gz is gzipped); default, or -, standard output.")
@click.option("--gzip", "compress", is_flag=True, help="Gzip the output.")
@store_option
@reports_errors
def export(fmt, output, compress, store_spec):
    """Write every graph of the store as TriG or N-Quads, optionally gzipped, as it is read."""
    from kg.console import open_configured
    from kg.dump import stream_dump

    output = _output_path(output)
    compress = compress or (output is not None and output.name.lower().endswith(".gz"))
    chosen = dataset_format(output, fmt, ("trig", "nquads"))
    if compress and output is not None and not output.name.lower().endswith(".gz") and not not_a_regular_file(output):
        raise click.UsageError(f"{output}: gzipped data goes in a file named .gz (as {output.name}.gz), which is "
                               "how a reader knows to unzip it")
    if compress and output is None and sys.stdout.isatty():  # as gzip itself refuses: bytes no screen can show
        raise click.UsageError("gzipped data is not written to a terminal: give -o FILE or redirect the output")
    chunks = stream_dump(lambda: open_configured(store_spec), chosen, gzip=compress)
    if output is None:
        write_out(chunks, chosen, terminal=sys.stdout.isatty() and not compress)
    else:
        write_atomically(output, chunks)
