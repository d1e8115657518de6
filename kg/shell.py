"""`kg shell`: an interactive SPARQL shell (prompt_toolkit) over QueryService.

Enter adds a line; a query runs on Enter at a blank last line, or at once with Esc-Enter. A line that
starts with `.` is a command and runs on Enter (.help lists them). Ctrl-C cancels a running query, or
clears the buffer at the prompt; Ctrl-D on an empty buffer quits. Row counts follow every result;
`.timing on` adds the elapsed time. `.examples NAME` puts that query into the buffer to edit and run.
"""

from __future__ import annotations

import sys
import threading

import click
from prompt_toolkit import PromptSession

from kg.cli_update import is_update, update_advice
from kg.console import Started, console_service, notes, open_configured, show, start_query, warnings
from kg.errors import KGError, QuerySyntaxError, os_error_words, quoted
from kg.namespaces import PREFIXES
from kg.query import QueryService
from kg.results import GRAPH_FORMATS, FormatError
from kg.setting_values import MOST
from kg.settings import console_settings
from kg.shell_input import COMMANDS, FORMATS, KEYS, KEYWORDS, Words, examples, kept_history, key_bindings
from kg.shell_worker import WorkerQueries
from kg.store import shown_spec, url_fault
from kg.store.oxigraph import OxigraphStore
from kg.table import compact_iri, printable

MAX_TERMS = 2000  # classes and properties offered for completion, each
MAX_ERROR = 240  # characters of an error line
SLOW = 1.0  # seconds before a running query says how to cancel it
# The dot-commands whose help line offers no [ARGUMENT]: .help, .prefixes, .graphs, .quit and .exit
NO_ARGUMENT = frozenset(name.rstrip(",") for usage in COMMANDS if "[" not in usage for name in usage.split())


class Cancelled(Exception):
    """The query was cancelled with Ctrl-C; `mid_line` when its answer was cut in the middle of a line."""

    def __init__(self, mid_line: bool = False):
        super().__init__("cancelled")
        self.mid_line = mid_line


class _Screen:
    """The shell's output as the binary file kg.console.show writes to; knows whether anything was written, and
    whether the last write ended its line (a Ctrl-C may come in the middle of one)."""

    def __init__(self, out):
        self.out, self.written, self.line_ended = out, False, True

    def write(self, data: bytes) -> None:
        self.written, self.line_ended = True, False
        self.out.write(data.decode("utf-8"))
        self.line_ended = data.endswith(b"\n")

    def flush(self) -> None:
        self.out.flush()


class Shell:
    """The shell's state (stores, format, timing) and its read-run loop."""

    def __init__(self, store_spec: str, endpoint: str | None = None, out=None):
        self.store_spec, self.out = store_spec, out or sys.stdout
        self.local = self.remote = self.workers = None
        self.format, self.timing, self.wide, self.pending = "table", False, False, ""
        self.row_limit = console_settings()["ROW_LIMIT"]
        self.prefixes = dict(PREFIXES)
        self.use_endpoint(endpoint or "local")

    @property
    def store(self):
        return self.remote if self.remote is not None else self.local  # not `or`: a store's truth is its size

    def use_endpoint(self, target: str) -> None:
        """Query the SPARQL endpoint at `target`, or the local store (--store) for 'local'."""
        if target == "local":
            if self.local is None:
                self.local = open_configured(self.store_spec)
            remote = None
        elif target.startswith(("http://", "https://")):
            fault = url_fault(target)
            if fault:
                raise click.UsageError(f"not an endpoint: {quoted(target)}: {fault}")
            remote = open_configured(self.store_spec, target)
        else:
            raise click.UsageError(f"not an endpoint: {quoted(target)}; give an http(s):// URL or 'local'")
        if self.remote is not None:
            self.remote.close()
        self.remote, self.endpoint = remote, target

    def close(self) -> None:
        for store in (self.remote, self.local, self.workers):
            if store is not None:
                store.close()

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    # --- running queries -------------------------------------------------------------------------

    def query(self, sparql: str, row_limit: int | None = None) -> Started:
        """Start a query. On the embedded store on disk, a query worker process answers it, and Ctrl-C kills
        it (kg.shell_worker). Elsewhere its rows come through a helper thread: Ctrl-C raises KeyboardInterrupt at
        once and stops the work at its next row, and a remote engine's when the request hangs up (kg.console)."""
        if is_update(sparql):  # the shell's stores are opened read-only
            raise QuerySyntaxError(f"not a query: this is a SPARQL Update; {update_advice('kg shell')}", line=1, column=1)
        store = self.store
        if isinstance(store, OxigraphStore) and store.path is not None:
            store.reopen_if_changed()  # for .graphs and completion: a read-only view sees others' writes once reopened
            if self.workers is None:
                self.workers = WorkerQueries(str(store.path))
            return self.workers.start(sparql, row_limit=row_limit)
        return start_query(console_service(store, prefixes=self.prefixes), sparql, row_limit=row_limit)

    def near_terms(self, iri: str) -> list[str]:
        """The known terms an unknown one is likeliest a slip for, in the store queried (QueryService.near_terms)."""
        return console_service(self.store, prefixes=self.prefixes).near_terms(iri)

    def run_query(self, sparql: str, fmt: str | None = None) -> None:
        """Run a query and write its answer as it comes (in `fmt`, else the .format), up to the row cap; then how
        many rows, and what was cut."""
        screen = _Screen(self.out)
        notice = threading.Timer(SLOW, lambda: screen.written or print("running… (Ctrl-C cancels)", file=sys.stderr,
                                                                      flush=True))
        notice.daemon = True
        notice.start()
        started, cancelled = None, False
        try:
            started = self.query(sparql, row_limit=self.row_limit)
            for line in warnings(started, self.prefixes, self.near_terms):
                print(line, file=sys.stderr, flush=True)
            shown = show(started, fmt or self.format, screen, self.prefixes, terminal=True, wide=self.wide)
        except KeyboardInterrupt:
            # Raised below, outside this handler, so the Cancelled carries no context: the interrupt's frames
            # (a Ctrl-C between the query's start and `started`, holding its rows) are let go, which stops it.
            cancelled = True
        except FormatError as error:
            raise click.UsageError(f"{error} (see .format)") from None
        finally:
            notice.cancel()
            if started is not None:  # a Cancelled kept by the caller would otherwise keep the query running
                started.close()
        if cancelled:
            self.out.flush()
            raise Cancelled(mid_line=not screen.line_ended)
        noun = {"solutions": "row", "graph": "triple"}.get(started.kind)
        status = [f"{shown.count} {noun}{'' if shown.count == 1 else 's'}"] if noun else []
        if self.timing:
            status.append(f"{shown.elapsed:.3f}s")
        status += notes(shown, ".wide on")
        if status:
            self.say(f"({', '.join(status)})")

    # --- commands ----------------------------------------------------------------------------------

    def command(self, line: str) -> bool:
        """Carry out a `.command`; False when the shell should end."""
        name, _, arg = line.strip().partition(" ")
        arg = arg.strip()
        if arg and name in NO_ARGUMENT:  # `.graphs extra` ran as `.graphs`, as if the word were understood
            raise click.UsageError(f"{name} takes no argument, not {quoted(arg)}; .help lists the commands")
        if name in (".quit", ".exit"):
            return False
        if name == ".help":
            width = max(map(len, COMMANDS))
            self.say("\n".join(f"{cmd.ljust(width)}  {text}" for cmd, text in COMMANDS.items()))
            self.say(KEYS)
        elif name == ".prefixes":
            width = max(map(len, self.prefixes))
            self.say("\n".join(f"{(p + ':').ljust(width + 1)}  <{iri}>" for p, iri in self.prefixes.items()))
        elif name == ".examples":
            self.example(arg)
        elif name == ".graphs":
            self.run_query("SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } } "
                           "GROUP BY ?graph ORDER BY ?graph",  # solutions: a graph format cannot show them
                           "table" if self.format in GRAPH_FORMATS else None)
        elif name == ".format":
            if arg and arg not in FORMATS:
                raise click.UsageError(f"unknown format {quoted(arg)}; use one of: {', '.join(FORMATS)}")
            if arg not in ("", "table") and self.wide:  # as kg query refuses --wide with another --format
                raise click.UsageError(f".wide on shows a table's cells whole, and .format {arg} writes no table; "
                                       ".wide off first")
            self.format = arg or self.format
            self.say(f"format: {self.format}")
        elif name == ".endpoint":
            if arg:
                self.use_endpoint(arg)
            self.say(printable(f"endpoint: {shown_spec(self.endpoint)}" +  # the user's text: a bidi override stays out
                               (f" ({shown_spec(self.store_spec)})" if self.endpoint == "local" else "")))
        elif name in (".timing", ".wide"):
            if arg not in ("", "on", "off"):
                raise click.UsageError(f"{name} takes on or off")
            if name == ".wide" and arg == "on" and self.format != "table":
                raise click.UsageError(f".wide shows a table's cells whole, and .format {self.format} writes no "
                                       "table; .format table first")
            setting = name[1:]
            setattr(self, setting, getattr(self, setting) if not arg else arg == "on")
            self.say(f"{setting}: {'on' if getattr(self, setting) else 'off'}")
        elif name == ".limit":
            # "²" is a digit int() refuses; past 10^18 (ROW_LIMIT's own bound) a remote store refuses the LIMIT
            if arg and not (arg.isascii() and arg.isdigit() and 0 < int(arg) <= MOST[True]):
                raise click.UsageError(".limit takes a number of rows from 1 to 10^18")
            self.row_limit = int(arg) if arg else self.row_limit
            self.say(f"limit: {self.row_limit} rows")
        else:
            raise click.UsageError(f"unknown command {name}; .help lists the commands")
        return True

    def example(self, name: str) -> None:
        known = examples()
        if not name:
            width = max(map(len, known))
            self.say("\n".join(f"{key.ljust(width)}  {title}" for key, (title, _) in known.items()))
        elif name in known:
            self.pending = known[name][1].rstrip("\n")
        else:
            raise click.UsageError(f"no example named {quoted(name)}; .examples lists them")

    # --- the loop ----------------------------------------------------------------------------------

    def vocabulary(self) -> list[str]:
        """Keywords, prefixes, and the classes and properties the store uses or declares, compacted."""
        words = KEYWORDS + [f"{prefix}:" for prefix in self.prefixes]
        for sparql in (
                "SELECT DISTINCT ?t WHERE { { ?s a ?t } UNION { ?t a owl:Class } UNION { ?t a rdfs:Class } "
                f"FILTER(isIRI(?t)) }} LIMIT {MAX_TERMS}",
                "SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?t a rdf:Property } UNION "
                "{ ?t a owl:ObjectProperty } UNION { ?t a owl:DatatypeProperty } UNION "
                f"{{ ?t a owl:AnnotationProperty }} }} LIMIT {MAX_TERMS}"):
            try:
                rows = QueryService(self.store, prefixes=self.prefixes).query(sparql, timeout=10).rows
            except KGError as error:
                print(printable(f"note: no completion of classes and properties: {error}"), file=sys.stderr)
                break
            words += [name for name in (compact_iri(row[0].value, self.prefixes) for row in rows)
                      if not name.startswith("<")]
        return words

    def session(self) -> PromptSession:
        try:
            from prompt_toolkit.lexers import PygmentsLexer
            from pygments.lexers.rdf import SparqlLexer
            lexer = PygmentsLexer(SparqlLexer)
        except ImportError:  # pygments is optional: no highlighting without it
            lexer = None
        return PromptSession(
            message="sparql> ", multiline=True, lexer=lexer, history=kept_history(),
            completer=Words(self.vocabulary()), complete_while_typing=False, key_bindings=key_bindings(),
            prompt_continuation=lambda width, line, soft: "...> ".rjust(width))

    def loop(self) -> None:
        session = self.session()
        self.say(printable(f"kg shell on {shown_spec(self.store_spec if self.endpoint == 'local' else self.endpoint)}. ") +
                 "End a query with a blank line or Esc-Enter; .help for help; Ctrl-D quits.")
        while True:
            try:
                default, self.pending = self.pending, ""  # an example is offered once, Ctrl-C or not
                text = session.prompt(default=default)
            except KeyboardInterrupt:  # Ctrl-C at the prompt: start again with an empty buffer
                continue
            except EOFError:
                return
            if not text.strip():
                continue
            try:
                if text.lstrip().startswith("."):
                    if not self.command(text):
                        return
                else:
                    self.run_query(text)
            except (Cancelled, KeyboardInterrupt) as stop:
                # on a line of its own, not after half a row of the answer it cut
                print("\ncancelled" if getattr(stop, "mid_line", False) else "cancelled", file=sys.stderr, flush=True)
            except (KGError, click.UsageError) as error:
                report(error.format_message() if isinstance(error, click.UsageError) else str(error))
            except OSError as error:  # a file a command names (.output) cannot be written, say
                report(os_error_words(error))
            except Exception as error:  # noqa: BLE001 - one bad query must not end the session
                report(f"{type(error).__name__}: {error}")


def report(message: str) -> None:
    """An error as one line on stderr: whitespace folded, long lists of expected tokens cut, controls escaped."""
    line = printable(" ".join(message.split()))
    print(f"error: {line if len(line) <= MAX_ERROR else line[:MAX_ERROR - 1] + '…'}", file=sys.stderr, flush=True)


def run(store_spec: str, endpoint: str | None = None) -> None:
    """Open the store and run the shell until .quit or Ctrl-D."""
    if not sys.stdin.isatty():
        raise click.UsageError("kg shell needs a terminal; for piped queries use kg query")
    shell = Shell(store_spec, endpoint)
    try:
        shell.loop()
    finally:
        shell.close()
