"""What the console's commands (kg query, info, export, load, shell) share: opening the store the settings
name, readers without a lock, and writing an answer a row at a time, capped and terminal-safe.

Only writers (kg load, kg build --install) open an embedded store for writing, which one process at a
time may do; readers open it read-only and take no lock, so they run beside each other, beside a server
with updates on, and beside a running load (they see what it has committed when they open).
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from kg.errors import StoreLocked, StoreUnavailable
from kg.answers import ServiceOptions, federation_of
from kg.closed_terms import WARNED_TERMS
from kg.near_terms import did_you_mean
from kg.query import Policy, QueryService
from kg.results import Result
from kg.settings import console_settings, store_options
from kg.store import Solutions, Store, check_readable, embedded_path, open_store
from kg.store.deadline import limited
from kg.store.shown_urls import shown_url
from kg.streaming import Cut, capped, chunks
from kg.format_escapes import for_terminal
from kg.output_files import write_whole
from kg.table import Table, compact_iri, csv_lines, printable, triple_lines
from kg.text_reading import reading_of

OPEN_ATTEMPTS = 6  # a staged bulk load swaps the store's directory: it may be away for a moment...
OPEN_PAUSE = 0.05  # ...so opening is tried again after this pause, doubled each time


def open_configured(store_spec: str, endpoint: str | None = None, *, write: bool = False,
                    install: bool = True, timeout: float | None = None) -> Store:
    """The store `store_spec` names, reached as the server reaches it (update URL, credentials from the
    settings), or the SPARQL endpoint `endpoint` (queries only, no credentials of the store's). An
    embedded store is opened read-only unless `write`; with `install`, one that is empty gets the
    article first. A reader of a path where no store is raises StoreMissing (kg.store.check_readable). A remote
    store's first questions take at most `timeout` (the command's) or CHECK_SECONDS."""
    from kg.publish import ensure_installed

    # A remote store is given no time limit of the console's own (RemoteStore's default is the server's 60 s):
    # Ctrl-C or --timeout stop a query, and an engine that stops it by its own limit is said to have.
    if endpoint is not None:
        return open_store(endpoint, timeout=None)
    values = console_settings({"STORE": store_spec})
    install = install and values["INSTALL_ARTICLE"]
    path = embedded_path(values["STORE"])
    if path is None or write:
        remote = values["STORE"].startswith(("http://", "https://"))
        # A command that fails leaves no store it made (its with block discards it; kg.store.oxigraph).
        options = {**store_options(values), "timeout": None} if remote else {"discard_if_failed": True}
        store = open_store(values["STORE"], **options)
        if remote:
            _refuse_union(store, values["STORE"], timeout)
        if install and not remote:
            with _discarded_on_failure(store):  # a Ctrl-C while installing leaves no half-made store
                ensure_installed(store)
        return store
    check_readable(values["STORE"])
    if install and not _installed(path):
        try:
            with open_store(values["STORE"], discard_if_failed=True) as writer:  # the lock, while installing
                ensure_installed(writer)
        except StoreLocked:  # a writer has it, and installs or loads: read what it has committed (else, as a
            pass  # read-only folder or a file in the path, the writer's words say why there is no store)
    return _reader(path)


@contextlib.contextmanager
def _discarded_on_failure(store: Store):
    """Run the block; if it fails, let go of `store`, removing it if this handle made it (kg.store.oxigraph)."""
    try:
        yield
    except BaseException:
        (getattr(store, "discard", None) or store.close)()
        raise


def _refuse_union(store, spec: str, timeout: float | None) -> None:
    """kg.serve_checks.refuse_union for the console, within `timeout` (the command's) or CHECK_SECONDS, whichever
    is less; an engine that answers the check's queries amiss is left to the command's own request, which says
    what is wrong with it. StoreUnavailable where the engine does not answer them in time."""
    from kg.errors import QueryTimeout, RemoteStoreFailure
    from kg.serve_checks import refuse_union

    seconds = min(timeout or CHECK_SECONDS, CHECK_SECONDS)
    # The console's remote store has no limit of its own (Ctrl-C or --timeout stop its queries), so an engine
    # that took the connection and never answered held these questions, and the command, forever (helper-208).
    store.timeout = seconds
    with _discarded_on_failure(store):  # a remote store: closed
        try:
            refuse_union(store, spec)
        except RemoteStoreFailure:
            pass
        except QueryTimeout:
            raise StoreUnavailable(f"the store at {shown_url(spec)} did not answer the questions kg asks a store "
                                   f"first (its kind, its default graph) within {seconds:g}s") from None
        finally:
            store.timeout = None


CHECK_SECONDS = 30.0  # at most this long for a remote store's first questions; a command's --timeout may shorten it


def service_options(*, allow_update: bool = False) -> ServiceOptions:
    """What the console's query services are built with: SERVICE reaches the endpoints the settings allow,
    called as the server calls them."""
    allowed, federation = federation_of(console_settings())
    return ServiceOptions(policy=Policy(service_allowlist=allowed, allow_update=allow_update), federation=federation,
                          idle_release=None)


def console_service(store: Store, *, allow_update: bool = False, **options) -> QueryService:
    """A QueryService of the console's (see service_options) over `store`; `allow_update` for kg update."""
    given = service_options(allow_update=allow_update)
    return QueryService(store, policy=given.policy, federation=given.federation, **options)


def _installed(path) -> bool:
    if not path.exists():
        return False
    try:
        with _reader(path) as store:
            return store.count() > 0
    except StoreUnavailable:
        return False


def _reader(path) -> Store:
    from kg.store.oxigraph import OxigraphStore

    pause = OPEN_PAUSE
    for attempt in range(OPEN_ATTEMPTS):
        try:
            if not path.exists():
                raise StoreUnavailable(f"there is no store at {path}")
            return OxigraphStore(path, read_only=True)
        except StoreUnavailable:
            if attempt == OPEN_ATTEMPTS - 1:
                raise
            time.sleep(pause)
            pause *= 2
    raise AssertionError("unreachable")


@dataclass
class Started:
    """A query under way: its kind, variables or boolean, its rows as they come, and the row cap."""

    kind: str
    variables: list[str]
    boolean: bool | None
    limit: int | None
    rows: Iterator = field(default_factory=lambda: iter(()))
    started: float = 0.0
    unknown_terms: list[str] = field(default_factory=list)  # see QueryService.unknown_terms
    absent_graphs: list[str] = field(default_factory=list)  # see QueryService.absent_graphs
    source: object = None  # the store's result, whose `cut` says the store cut it (kg.streaming.Cut)

    def close(self) -> None:
        """Stop the helper thread at its next row, at once rather than when the rows are collected."""
        close = getattr(self.rows, "close", None)
        if close is not None:
            close()


@dataclass
class Shown:
    """What was written: how many rows, whether the row cap cut the answer, how many cells were cut."""

    count: int
    truncated: bool
    limit: int | None
    cut_cells: int
    elapsed: float


def start_query(service: QueryService, sparql: str, **options) -> Started:
    """Start a query (options as QueryService.rows) in a helper thread, its rows read through a small queue,
    so that Ctrl-C (KeyboardInterrupt) in this thread is raised at once and stops the helper at its next
    row, even while the engine is inside a step it cannot interrupt (an aggregate or a sort)."""
    started = time.perf_counter()

    def begun():
        raw, limit = service.rows(sparql, **options)
        unknown = service.unknown_terms(sparql, base=options.get("base"), bindings=options.get("bindings"))
        reading = reading_of(sparql, options.get("base"), options.get("reading"))
        absent = service.absent_graphs(reading, options.get("default_graphs"), options.get("named_graphs"))
        if isinstance(raw, bool):
            return Started("boolean", [], raw, None, started=started, unknown_terms=unknown,
                           absent_graphs=absent), iter(())
        kind, variables = ("solutions", raw.variables) if isinstance(raw, Solutions) else ("graph", [])
        return Started(kind, variables, None, limit, started=started, unknown_terms=unknown, absent_graphs=absent,
                       source=raw), iter(raw)

    head, rows = limited(begun, None)
    head.rows = rows
    return head


def show(query: Started, fmt: str, out: BinaryIO, prefixes: dict[str, str], *, terminal: bool,
         wide: bool = False) -> Shown:
    """Write the answer to `out` in `fmt` ('table' or a result format) as its rows come, up to its row
    cap: a table for solutions (one triple a line for graphs), else the format's text, made terminal-safe
    on a terminal in the format's own escapes (kg.format_escapes)."""
    cut, table = Cut(source=query.source), None
    if fmt == "table" or terminal and fmt == "csv" and query.kind == "solutions":
        rows = capped(query.rows, query.limit, cut)
        if query.kind == "boolean":
            lines = iter(["true" if query.boolean else "false"])
        elif fmt == "csv":
            lines = csv_lines(query.variables, rows)
        elif query.kind == "graph":
            lines = triple_lines(rows, prefixes)
        else:
            # on a terminal, the table is narrowed to its width (a wider one would wrap every line)
            table = Table(query.variables, prefixes, wide=wide,
                          room=shutil.get_terminal_size().columns if terminal else None)
            lines = table.lines(rows)
        for line in lines:
            write_whole(out, line.encode("utf-8") + b"\n")
    else:
        if query.kind == "boolean":
            pieces = [Result(kind="boolean", boolean=query.boolean).serialize(fmt)]
        else:
            pieces = chunks(query.kind, query.variables, query.rows, fmt, limit=query.limit, prefixes=prefixes,
                            cut=cut)
        ended, escaper = b"\n", for_terminal(fmt) if terminal else None
        for piece in pieces:
            write_whole(out, escaper.feed(piece.decode("utf-8")).encode("utf-8") if escaper else piece)
            ended = piece[-1:] or ended
        if escaper:
            out.write(escaper.end().encode("utf-8"))
        if ended != b"\n":
            out.write(b"\n")  # the next prompt on a line of its own
    out.flush()
    return Shown(count=1 if query.kind == "boolean" else cut.count, truncated=cut.truncated, limit=query.limit,
                 cut_cells=table.cut if table else 0, elapsed=time.perf_counter() - query.started)


WARNED_CHARS = 200  # characters of a term a warning shows


def warnings(query: Started, prefixes: dict[str, str], near=None) -> list[str]:
    """Lines for standard error about a query that runs but names terms nobody has (likely misspelt): the
    first WARNED_TERMS, each cut to WARNED_CHARS and followed by the known terms `near` (IRI -> IRIs:
    QueryService.near_terms) offers for it, then how many more (a generated query may name thousands); then
    the graphs of its dataset the store does not have, as many and cut alike."""
    def shown(iri: str) -> str:
        return _cut(printable(compact_iri(iri, prefixes)))

    lines = [f"warning: unknown term {shown(iri)}: neither the ontology nor the data has it"
             + did_you_mean([shown(term) for term in near(iri)] if near else [])
             for iri in query.unknown_terms[:WARNED_TERMS]]
    if len(query.unknown_terms) > WARNED_TERMS:
        more = len(query.unknown_terms) - WARNED_TERMS
        lines.append(f"warning: and {more} more unknown term{'s' if more > 1 else ''}, not listed")
    graphs = [f"warning: graph {_cut(printable(f'<{iri}>'))} of the dataset is not in the store: the query reads "
              "it as empty" for iri in query.absent_graphs[:WARNED_TERMS]]
    if len(query.absent_graphs) > WARNED_TERMS:
        more = len(query.absent_graphs) - WARNED_TERMS
        graphs.append(f"warning: and {more} more absent graph{'s' if more > 1 else ''}, not listed")
    lines += graphs
    return lines


def _cut(text: str) -> str:
    return text if len(text) <= WARNED_CHARS else text[:WARNED_CHARS - 1] + "…"


def notes(shown: Shown, wide_hint: str) -> list[str]:
    """What a reader must know about an answer shown: the row cap cut it, cells were shown in part."""
    found = []
    if shown.truncated and shown.limit is not None and shown.count >= shown.limit:
        found.append(f"cut at the limit of {shown.limit}")
    elif shown.truncated:  # below the cap: the store (a remote engine) cut it at a row limit of its own
        found.append("cut by the store's own row limit")
    if shown.cut_cells:
        found.append(f"{shown.cut_cells} cell{'s' if shown.cut_cells > 1 else ''} shown in part: "
                     f"{wide_hint} shows them whole")
    return found
