"""`kg shell` and `kg serve`: the interactive console and the HTTP service."""

from __future__ import annotations

import click

from kg.cli_params import EndpointURL
from kg.cli_support import DEFAULT_STORE, given, refuse_together, reports_errors, store_option

@click.command()
@click.option("--endpoint", type=EndpointURL(),
              help="Query this SPARQL endpoint instead of the store (.endpoint switches later).")
@store_option
@reports_errors
def shell(endpoint, store_spec):
    """An interactive SPARQL shell: multi-line editing, highlighting, completion and history.

    Enter adds a line; a blank line or Esc-Enter runs the query. Lines starting with `.` are commands
    (.help lists them). Ctrl-C cancels a running query, Ctrl-D quits. History is kept in shell_history in
    the data directory ($SAHEL_KG_HOME, else $XDG_DATA_HOME/sahel-kg, else ~/.local/share/sahel-kg).
    """
    from kg.shell import run

    if endpoint is not None and given("store_spec"):
        refuse_together("--endpoint", "--store", "each names what answers the queries; give one (.endpoint local "
                                                 "turns to the store later)")
    run(store_spec, endpoint)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on; 0: a port free when the server starts, which it announces (another program "
                   "may take it before the server binds it: the server then refuses to start).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Server processes (each also runs its own query worker processes).")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(min=1),
              help="Requests each server process handles at once.")
@click.option("--store", "store_spec", envvar="SAHEL_KG_STORE", default=DEFAULT_STORE,
              show_default=True, help="The store (see `kg query --help`). Env: SAHEL_KG_STORE.")
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
    from kg.serve import event_loop, run
    from kg.serve_checks import (check_address, check_remote_store, check_settings, check_writer_free, free_port,
                                 prepare_store, public_warnings, remote_stale)
    from kg.store import check_readable, default_store_path, shown_spec
    from kg.table import printable

    # An on-disk store is prepared here, once, before the server processes start; memory: in the one process.
    config = {"STORE": store_spec, "INSTALL_ARTICLE": store_spec == "memory:" and resolve({})["INSTALL_ARTICLE"]}
    if enable_updates:
        config["UPDATES_ENABLED"] = True
    if public:
        config["PUBLIC"] = True
    settings = resolve(config)
    check_settings(settings, workers)
    port = port or free_port(host)  # the port announced, served and written into every URL is the one bound
    check_address(host, port)  # before any work: a second server on a port in use would share it
    if not settings["UPDATES_ENABLED"]:  # a read-only server makes no store at a path given (a mistyped one)
        check_readable(store_spec)
    stale = prepare_store(store_spec, install=resolve({})["INSTALL_ARTICLE"])
    check_writer_free(settings)
    if store_spec.startswith(("http://", "https://")):
        for note in check_remote_store(settings):
            click.echo(printable(f"note: {note}"), err=True)
        stale = remote_stale(store_spec) if resolve({})["INSTALL_ARTICLE"] else []
    for warning in public_warnings(settings) + stale:
        click.echo(printable(f"warning: {warning}"), err=True)
    where = f"the embedded store at {default_store_path()}" if store_spec == DEFAULT_STORE else shown_spec(store_spec)
    access = "read-write (bearer token)" if settings["UPDATES_ENABLED"] else "read-only"
    access += ", public" if settings["PUBLIC"] else ""
    click.echo(printable(f"serving {where}, {access} (granian on {event_loop()}), on http://{host}:{port}/sparql"),
               err=True)
    run(host=host, port=port, workers=workers, threads=threads, config=config)
