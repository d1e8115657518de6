"""`kg update`: a SPARQL Update on the store from the console, through the query service the HTTP API's
updates go through (kg.query.QueryService.update), so that it is refused and kept as theirs are."""

from __future__ import annotations

import click

from kg.cli_params import Seconds
from kg.cli_support import refuse_together, reports_errors, stop_interrupted, store_option
from kg.cli_text import command_text

def update_advice(command: str) -> str:
    """Where a SPARQL Update given to a read-only `command` (`kg query`, `kg shell`) is run instead."""
    return f"run it with `kg update` (the same --store), not `{command}`"


@click.command()
@click.argument("given", required=False, metavar="[UPDATE]")
@click.option("-q", "--update", "text", help="The update text (as UPDATE).")
@click.option("-f", "--file", "update_file", type=click.File("r", encoding="utf-8"), help="Read the update from FILE.")
@click.option("--timeout", type=Seconds(),
              help="Seconds before the update is stopped, with nothing written (one that comes as it commits says so).")
@store_option
@reports_errors
def update(given, text, update_file, timeout, store_spec):
    """Run a SPARQL Update on the store, all or nothing, and say what changed.

    The update comes from UPDATE (or -q), -f FILE, or standard input, with the prefixes `kg query` knows. As
    over HTTP: the project's own graphs (a build's, the loads record) are refused (`kg build --install`
    writes them), LOAD is refused (nothing is fetched), the default graph stays the merge of the named
    graphs. Ctrl-C (or --timeout) stops it with nothing written. Exit status: 0 on success, 1 for a refused
    update, a syntax error (with line and column) or the time limit, 2 for bad usage, 130 for Ctrl-C.
    """
    from kg.console import console_service, open_configured
    from kg.errors import QuerySyntaxError
    from kg.store.killable_update import Stopped

    if timeout is not None and store_spec == "memory:":
        refuse_together("--timeout", "--store memory:", "an update of a store in memory runs in kg's own process, "
                                                         "where nothing can stop it")
    sparql = command_text(given, text, update_file, "update")
    if is_query(sparql):
        raise QuerySyntaxError("not an update: this is a query; run it with `kg query`", line=1, column=1)
    with open_configured(store_spec, write=True, timeout=timeout) as store:
        before = store.count()
        _stoppable(store, timeout)
        try:
            console_service(store, allow_update=True).update(sparql, timeout=timeout)
        except Stopped:
            stop_interrupted(STOPPED)
        after = store.count()
        version = getattr(store, "version", None)  # an embedded store's, as X-Dataset-Version says it over HTTP
        stamp = f"; dataset version {version()[0]}" if version is not None else ""
    change = f"{after - before:+d}" if before != after else "no change"
    click.echo(f"updated: {before} quads before, {after} after ({change}){stamp}", err=True)


STOPPED = "interrupted (Ctrl-C): the update was stopped; nothing of it was written"


def _stoppable(store, seconds: float | None) -> None:
    """Let a Ctrl-C, and the time limit `seconds`, stop an update of `store`: an embedded one on disk runs it in a
    process of its own (kg.store.killable_update), the engine's one call holding off the signal; a remote one is
    given the limit for its request."""
    from kg.store.oxigraph import OxigraphStore
    from kg.store.remote import RemoteStore

    if isinstance(store, OxigraphStore):
        store.update_apart, store.update_seconds = True, seconds
    elif isinstance(store, RemoteStore) and seconds is not None:
        store.timeout = seconds


def is_update(sparql: str) -> bool:
    """Whether `sparql` is an update (as the query service reads it), which `kg query` sends here."""
    return _shape(sparql).is_update


def is_query(sparql: str) -> bool:
    """Whether `sparql` is a query (SELECT, ASK, CONSTRUCT, DESCRIBE), which `kg update` sends to `kg query`."""
    shape = _shape(sparql)
    return shape.form is not None and not shape.is_update


def _shape(sparql: str):
    from kg.keyword_prefixes import written_out
    from kg.sparql_text import scan

    return scan(written_out(sparql)[0])
