"""`kg load`: RDF files into the store, all or nothing, each load recorded (kg.loading does the work)."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from kg.cli_params import ByteSize, GraphIRI, Seconds
from kg.cli_support import graph_option, reports_errors, stop_interrupted, store_option


@click.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--graph", type=GraphIRI(),
              help="Put every triple into this named graph (quads otherwise keep their own).")
@click.option("--format", "fmt", type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"]),
              help="The files' format (default: from each name; .gz is read as gzip).")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal).")
@click.option("--max-bytes", type=ByteSize(), default=None,
              help="Refuse a file holding more than this once decompressed (e.g. 500M, 2G); nothing is loaded.")
@click.option("--timeout", "seconds", type=Seconds(), default=None,
              help="Refuse a file whose parsing takes more than this many seconds; nothing is loaded.")
@click.option("--base", "base_iri", type=GraphIRI(), default=None,
              help="Resolve the files' relative IRIs against this absolute IRI (without it, Turtle and RDF/XML "
                   "refuse them and JSON-LD drops them).")
@store_option
@reports_errors
def load(files, graph, fmt, progress, max_bytes, seconds, base_iri, store_spec):
    """Load RDF files into the store, all or nothing (a remote store takes each request on its own).

    Turtle, N-Triples, N-Quads, TriG, JSON-LD and RDF/XML, optionally gzipped; - reads standard input
    (with --format). If any file fails to parse, nothing is loaded and the error says file:line:column.
    Each load is recorded in the loads graph with the file's name, sha256, triple count and time.
    """
    from kg.console import open_configured
    from kg.errors import ConfigError, NothingWritten, ParseError
    from kg.loading import detect_format, load_files
    from kg.waiting_input import refuse_reading_twice

    if files.count(Path("-")) > 1:
        raise click.BadParameter("- (standard input) can be read once", param_hint="FILES")
    try:
        refuse_reading_twice(files)
    except ConfigError as error:
        raise click.BadParameter(str(error), param_hint="FILES") from None
    if Path("-") in files and fmt is None:
        raise click.BadParameter("standard input (-) has no name to tell its format: give --format", param_hint="FILES")
    for path in files if fmt is None else ():  # a name that tells no format is bad usage, as in kg export
        try:
            detect_format(path)
        except ParseError as error:
            raise click.BadParameter(str(error), param_hint="FILES") from None
    _on_faster_malloc(files, store_spec)
    show = sys.stderr.isatty() if progress is None else progress
    with contextlib.ExitStack() as held:
        # all or nothing: the whole input is read first, within the limits
        files, names = _stdin_copied(files, held, max_bytes, seconds)
        total = sum(path.stat().st_size for path in files)
        # A store this load made is removed if it fails (its __exit__), else the retry the error suggests (a restore
        # with INSTALL_ARTICLE=false) failed on the article installed; another process's store is never touched.
        with graph_option(graph), open_configured(store_spec, write=True) as store, \
                click.progressbar(length=total, label="loading", file=sys.stderr, hidden=not show) as bar:
            sized = total > 0 and all(path.is_file() for path in files)  # a FIFO's size says nothing of what comes

            def advanced(size: int) -> None:
                bar.update(size)
                if sized and bar.pos >= total and bar.label == "loading":  # all read: the engine's own writing is
                    bar.label = "writing"  # left, which no Ctrl-C cuts short (a million quads: seconds with no step)
                    bar.render_progress()
            try:
                report = load_files(store, files, graph=graph, fmt=fmt, progress=advanced, max_bytes=max_bytes,
                                    seconds=seconds, base_iri=base_iri, names=names)
            except NothingWritten:
                stop_interrupted("interrupted (Ctrl-C): the load was stopped; nothing of it was written")
        _said(report)


# From this much input on, what the bulk loader saves on jemalloc outweighs starting the command a second time
# (0.16 CPU s): N-Quads CPU s on glibc's malloc and on jemalloc, 64 MiB 5.1-5.8 and 5.3-5.6 (no gain), 128 MiB
# 12.5-15.4 and 11.9-12.8, 200 MiB (1M quads, the loader's two threads busy) 18.6-19.2 and 15.8-16.8
PRELOAD_BYTES = 128 << 20


def _on_faster_malloc(files, store_spec: str) -> None:
    """Run a large load into an embedded store again on the MALLOC setting's library (kg.allocator), before
    anything is read: pyoxigraph's bulk loader takes 12-17% less CPU on jemalloc than on glibc's malloc."""
    from kg import allocator
    from kg.settings import console_settings
    from kg.store import embedded_path

    if not sys.platform.startswith("linux") or Path("-") in files:  # preloading is LD_PRELOAD's, on Linux
        return
    if sum(path.stat().st_size for path in files) < PRELOAD_BYTES:
        return
    values = console_settings({"STORE": store_spec})
    if embedded_path(values["STORE"]) is not None:
        allocator.rerun_on(allocator.preload(values["MALLOC"]))


def _stdin_copied(files, held: contextlib.ExitStack, max_bytes: int | None,
                  seconds: float | None) -> tuple[list[Path], dict[Path, str]]:
    """`files` with - replaced by a copy of standard input, kept until `held` closes (made within --max-bytes and
    --timeout), and the record's name of that copy."""
    from kg.waiting_input import held_copy

    if Path("-") not in files:
        return list(files), {}
    name = "standard input"
    copy = held.enter_context(held_copy(sys.stdin.buffer, max_bytes=max_bytes, seconds=seconds, name=name))
    return [copy if path == Path("-") else path for path in files], {copy: name}


def _said(report) -> None:
    """What each file gave, and the load's record, on standard error."""
    from kg.table import printable
    from kg.untrusted import CONTEXT_REMEDY

    for loaded in report.files:
        name = printable(loaded.name or str(loaded.path))
        click.echo(f"{name}: {loaded.quads} quads, sha256 {loaded.sha256}", err=True)
        if loaded.quads == 0 and loaded.size == 0:  # a download cut short, a file made but never written
            click.echo(f"warning: {name} is empty: it gave no statements", err=True)
        elif loaded.quads == 0:  # JSON-LD drops what it cannot read as RDF
            click.echo(f"warning: {name} gave no statements"
                       + (": JSON-LD drops keys no @context maps to an IRI (plain JSON's, all of them) and relative "
                          f"@id values without --base; {CONTEXT_REMEDY}" if loaded.format == "jsonld" else ""), err=True)
    # The count is of quads read: a store keeps each once, and counting what it gained would cost a scan
    click.echo(f"loaded {len(report.files)} file(s), {report.quads} quads read (one the store already held, or "
               f"read twice, is kept once); record {report.record}", err=True)

