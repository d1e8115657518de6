"""`kg shell`: an interactive SPARQL shell (prompt_toolkit) over QueryService.

Enter adds a line; a query runs on Enter at a blank last line, or at once with Esc-Enter. A line that
starts with `.` is a command and runs on Enter (.help lists them). Ctrl-C cancels a running query, or
clears the buffer at the prompt; Ctrl-D on an empty buffer quits. Row counts follow every result;
`.timing on` adds the elapsed time. `.examples NAME` puts that query into the buffer to edit and run.
"""

from __future__ import annotations

import re
import sys
import threading

import click
from prompt_toolkit import PromptSession
from prompt_toolkit.completion import Completer, Completion
from prompt_toolkit.history import FileHistory
from prompt_toolkit.key_binding import KeyBindings

from kg.console import Started, notes, open_configured, show, start_query, warnings
from kg.errors import KGError
from kg.namespaces import PREFIXES
from kg.paths import QUERIES_DIR
from kg.query import QueryService
from kg.results import FormatError
from kg.settings import console_settings
from kg.store.oxigraph import OxigraphStore
from kg.table import compact_iri

FORMATS = ["table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads"]
KEYWORDS = """SELECT DISTINCT REDUCED AS WHERE FROM NAMED GRAPH OPTIONAL UNION MINUS FILTER BIND VALUES
SERVICE SILENT ASK CONSTRUCT DESCRIBE ORDER BY ASC DESC GROUP HAVING LIMIT OFFSET PREFIX BASE EXISTS
NOT IN UNDEF COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND
IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS
STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1
SHA256 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR
REPLACE true false""".split()
COMMANDS = {
    ".help": "this list",
    ".prefixes": "the prefixes every query may use without a PREFIX line",
    ".examples [NAME]": "the example queries; with NAME, put that query into the buffer to edit and run",
    ".graphs": "the named graphs and their triple counts",
    ".format [NAME]": f"show or set the output format ({', '.join(FORMATS)})",
    ".endpoint [URL|local]": "show the endpoint, query a SPARQL endpoint, or go back to the local store",
    ".timing [on|off]": "show or set whether the elapsed time follows each result",
    ".wide [on|off]": "show or set whether table cells are shown whole (long ones are cut otherwise)",
    ".limit [N]": "show or set the most rows an answer shows (the ROW_LIMIT setting at first)",
    ".quit, .exit": "leave the shell (Ctrl-D too)",
}
KEYS = """Enter adds a line; Enter on a blank last line, or Esc-Enter anywhere, runs the query.
Tab completes keywords, prefixes, classes and properties. Ctrl-C cancels a running query or clears
the buffer; Ctrl-D on an empty buffer quits."""
MAX_TERMS = 2000  # classes and properties offered for completion, each
MAX_ERROR = 240  # characters of an error line
SLOW = 1.0  # seconds before a running query says how to cancel it


class Cancelled(Exception):
    """The query was cancelled with Ctrl-C."""


def history_path():
    """$SAHEL_KG_HOME/shell_history, else XDG_DATA_HOME/sahel-kg/, else ~/.local/share/sahel-kg/."""
    from kg.store import default_store_path

    return default_store_path().parent / "shell_history"  # the store's own data directory


def examples() -> dict[str, tuple[str, str]]:
    """The example queries by name: (title, text)."""
    found = {}
    for path in sorted(QUERIES_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        title = re.search(r"^#\s*title:\s*(.*)$", text, re.M)
        found[path.stem] = (title.group(1).strip() if title else "", text)
    return found


class Words(Completer):
    """Completes the word before the cursor from keywords, prefixes and terms; commands on a `.` line."""

    def __init__(self, words: list[str]):
        self.words = sorted(set(words), key=str.lower)

    def get_completions(self, document, complete_event):
        before = document.text_before_cursor
        if before.lstrip().startswith(".") and "\n" not in before:
            yield from self._command(before.lstrip())
            return
        word = re.search(r"[?$]?[\w:.-]*$", before).group()
        if word.startswith(("?", "$")) or not word:
            return
        for candidate in self.words:
            if candidate.lower().startswith(word.lower()) and candidate != word:
                yield Completion(candidate, -len(word))

    def _command(self, line: str):
        name, space, arg = line.partition(" ")
        if space:
            arguments = {".examples": list(examples()), ".format": FORMATS, ".timing": ["on", "off"],
                         ".wide": ["on", "off"], ".endpoint": ["local"]}
            choices, word = arguments.get(name, []), arg
        else:
            choices, word = [c.split()[0].rstrip(",") for c in COMMANDS] + [".exit"], name
        yield from (Completion(c, -len(word)) for c in choices if c.startswith(word))


class _Screen:
    """The shell's output as the binary file kg.console.show writes to; knows whether anything was written."""

    def __init__(self, out):
        self.out, self.written = out, False

    def write(self, data: bytes) -> None:
        self.written = True
        self.out.write(data.decode("utf-8"))

    def flush(self) -> None:
        self.out.flush()


class Shell:
    """The shell's state (stores, format, timing) and its read-run loop."""

    def __init__(self, store_spec: str, endpoint: str | None = None, out=None):
        self.store_spec, self.out = store_spec, out or sys.stdout
        self.local = self.remote = None
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
            remote = open_configured(self.store_spec, target)
        else:
            raise click.UsageError(f"not an endpoint: {target!r}; give an http(s):// URL or 'local'")
        if self.remote is not None:
            self.remote.close()
        self.remote, self.endpoint = remote, target

    def close(self) -> None:
        for store in (self.remote, self.local):
            if store is not None:
                store.close()

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    # --- running queries -------------------------------------------------------------------------

    def query(self, sparql: str, row_limit: int | None = None) -> Started:
        """Start a query whose rows come through a helper thread: Ctrl-C while they are read raises
        KeyboardInterrupt at once and stops the work at its next row (see kg.console)."""
        store = self.store
        if isinstance(store, OxigraphStore):
            store.reopen_if_changed()  # a read-only view sees what others wrote only once reopened
        return start_query(QueryService(store, prefixes=self.prefixes), sparql, row_limit=row_limit)

    def run_query(self, sparql: str) -> None:
        """Run a query and write its answer as it comes, up to the row cap; then how many rows, and what was cut."""
        screen = _Screen(self.out)
        notice = threading.Timer(SLOW, lambda: screen.written or print("running… (Ctrl-C cancels)", file=sys.stderr,
                                                                      flush=True))
        notice.daemon = True
        notice.start()
        try:
            started = self.query(sparql, row_limit=self.row_limit)
            for line in warnings(started, self.prefixes):
                print(line, file=sys.stderr, flush=True)
            shown = show(started, self.format, screen, self.prefixes, terminal=True, wide=self.wide)
        except KeyboardInterrupt:
            raise Cancelled() from None
        except FormatError as error:
            raise click.UsageError(f"{error} (see .format)") from None
        finally:
            notice.cancel()
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
                           "GROUP BY ?graph ORDER BY ?graph")
        elif name == ".format":
            if arg and arg not in FORMATS:
                raise click.UsageError(f"unknown format {arg!r}; use one of: {', '.join(FORMATS)}")
            self.format = arg or self.format
            self.say(f"format: {self.format}")
        elif name == ".endpoint":
            if arg:
                self.use_endpoint(arg)
            self.say(f"endpoint: {self.endpoint}" + (f" ({self.store_spec})" if self.endpoint == "local" else ""))
        elif name in (".timing", ".wide"):
            if arg not in ("", "on", "off"):
                raise click.UsageError(f"{name} takes on or off")
            setting = name[1:]
            setattr(self, setting, getattr(self, setting) if not arg else arg == "on")
            self.say(f"{setting}: {'on' if getattr(self, setting) else 'off'}")
        elif name == ".limit":
            if arg and not (arg.isdigit() and int(arg) > 0):
                raise click.UsageError(".limit takes a number of rows, more than 0")
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
            raise click.UsageError(f"no example named {name!r}; .examples lists them")

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
                print(f"note: no completion of classes and properties: {error}", file=sys.stderr)
                break
            words += [name for name in (compact_iri(row[0].value, self.prefixes) for row in rows)
                      if not name.startswith("<")]
        return words

    def session(self) -> PromptSession:
        history = history_path()
        history.parent.mkdir(parents=True, exist_ok=True)
        try:
            from prompt_toolkit.lexers import PygmentsLexer
            from pygments.lexers.rdf import SparqlLexer
            lexer = PygmentsLexer(SparqlLexer)
        except ImportError:  # pygments is optional: no highlighting without it
            lexer = None
        return PromptSession(
            message="sparql> ", multiline=True, lexer=lexer, history=FileHistory(str(history)),
            completer=Words(self.vocabulary()), complete_while_typing=False, key_bindings=key_bindings(),
            prompt_continuation=lambda width, line, soft: "...> ".rjust(width))

    def loop(self) -> None:
        session = self.session()
        self.say(f"kg shell on {self.store_spec if self.endpoint == 'local' else self.endpoint}. "
                 "End a query with a blank line or Esc-Enter; .help for help; Ctrl-D quits.")
        while True:
            try:
                text, self.pending = session.prompt(default=self.pending), ""
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
            except (Cancelled, KeyboardInterrupt):
                print("cancelled", file=sys.stderr, flush=True)
            except (KGError, click.UsageError) as error:
                report(error.format_message() if isinstance(error, click.UsageError) else str(error))
            except Exception as error:  # noqa: BLE001 - one bad query must not end the session
                report(f"{type(error).__name__}: {error}")


def report(message: str) -> None:
    """An error as one line on stderr: whitespace folded, long lists of expected tokens cut."""
    line = " ".join(message.split())
    print(f"error: {line if len(line) <= MAX_ERROR else line[:MAX_ERROR - 1] + '…'}", file=sys.stderr, flush=True)


def key_bindings() -> KeyBindings:
    """Enter: newline, or run on a blank last line or a `.command` line. Esc-Enter: run."""
    bindings = KeyBindings()

    @bindings.add("enter")
    def _enter(event):
        buffer = event.current_buffer
        if buffer.complete_state:  # Enter takes the chosen completion
            buffer.complete_state = None
            return
        document = buffer.document
        at_blank_end = document.is_cursor_at_the_end and not document.current_line.strip()
        if document.text.lstrip().startswith(".") or not document.text.strip() or at_blank_end:
            accept(buffer)
        else:
            buffer.newline(copy_margin=True)

    @bindings.add("escape", "enter")
    def _run(event):
        accept(event.current_buffer)

    return bindings


def accept(buffer) -> None:
    """Hand the buffer's text, without trailing blank lines, to the shell (and the history)."""
    buffer.text = buffer.text.rstrip()
    buffer.validate_and_handle()


def run(store_spec: str, endpoint: str | None = None) -> None:
    """Open the store and run the shell until .quit or Ctrl-D."""
    if not sys.stdin.isatty():
        raise click.UsageError("kg shell needs a terminal; for piped queries use kg query")
    shell = Shell(store_spec, endpoint)
    try:
        shell.loop()
    finally:
        shell.close()
