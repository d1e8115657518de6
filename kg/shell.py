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
import time

import click
from prompt_toolkit import PromptSession
from prompt_toolkit.completion import Completer, Completion
from prompt_toolkit.history import FileHistory
from prompt_toolkit.key_binding import KeyBindings

from kg.errors import KGError
from kg.namespaces import PREFIXES
from kg.paths import QUERIES_DIR
from kg.query import QueryService
from kg.results import FormatError
from kg.store.base import Solutions, Triples
from kg.table import compact_iri, render

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
                         ".endpoint": ["local"]}
            choices, word = arguments.get(name, []), arg
        else:
            choices, word = [c.split()[0].rstrip(",") for c in COMMANDS] + [".exit"], name
        yield from (Completion(c, -len(word)) for c in choices if c.startswith(word))


class _Stoppable:
    """A store whose result rows stop being read once `stop` is set, so a cancelled query stops working."""

    def __init__(self, store, stop: threading.Event):
        self.store, self.stop = store, stop

    def query(self, sparql, **options):
        raw = self.store.query(sparql, **options)
        if isinstance(raw, Solutions):
            return Solutions(raw.variables, self._until_stopped(raw.rows))
        return Triples(self._until_stopped(raw.triples)) if isinstance(raw, Triples) else raw

    def _until_stopped(self, rows):
        for row in rows:
            if self.stop.is_set():
                raise Cancelled()
            yield row


class Shell:
    """The shell's state (stores, format, timing) and its read-run loop."""

    def __init__(self, store_spec: str, endpoint: str | None = None, out=None):
        self.store_spec, self.out = store_spec, out or sys.stdout
        self.local = self.remote = None
        self.format, self.timing, self.pending = "table", False, ""
        self.prefixes = dict(PREFIXES)
        self.use_endpoint(endpoint or "local")

    @property
    def store(self):
        return self.remote if self.remote is not None else self.local  # not `or`: a store's truth is its size

    def use_endpoint(self, target: str) -> None:
        """Query the SPARQL endpoint at `target`, or the local store (--store) for 'local'."""
        from kg.cli import open_configured

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

    def query(self, sparql: str):
        """Run a query in a worker thread; Ctrl-C abandons it (raises Cancelled) and stops its rows."""
        stop, done, box = threading.Event(), threading.Event(), {}

        def work():
            try:
                box["result"] = QueryService(_Stoppable(self.store, stop), prefixes=self.prefixes) \
                    .query(sparql)
            except BaseException as error:  # handed to the waiting thread, without the frames that hold
                box["error"] = error.with_traceback(None)  # pyoxigraph results, which die in their own thread
            finally:
                done.set()

        started = time.monotonic()
        try:  # from before the thread starts: a Ctrl-C at any moment cancels
            threading.Thread(target=work, name="kg-shell-query", daemon=True).start()
            while not done.wait(0.05):
                if started and time.monotonic() - started > SLOW:
                    print("running… (Ctrl-C cancels)", file=sys.stderr, flush=True)
                    started = None
        except KeyboardInterrupt:
            stop.set()
            raise Cancelled() from None
        if "error" in box:
            raise box["error"]
        return box["result"]

    def run_query(self, sparql: str) -> None:
        result = self.query(sparql)
        if self.format == "table":
            self.say(render(result, self.prefixes))
        else:
            try:
                data = result.serialize(self.format, prefixes=self.prefixes).decode("utf-8")
            except FormatError as error:
                raise click.UsageError(f"{error} (see .format)") from None
            self.say(data.rstrip("\n"))
        count = len(result)
        noun = {"solutions": "row", "graph": "triple"}.get(result.kind)
        status = [f"{count} {noun}{'' if count == 1 else 's'}"] if noun else []
        if self.timing:
            status.append(f"{result.elapsed:.3f}s")
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
            self.say(render(self.query("SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph "
                                       "{ ?s ?p ?o } } GROUP BY ?graph ORDER BY ?graph"), self.prefixes))
        elif name == ".format":
            if arg and arg not in FORMATS:
                raise click.UsageError(f"unknown format {arg!r}; use one of: {', '.join(FORMATS)}")
            self.format = arg or self.format
            self.say(f"format: {self.format}")
        elif name == ".endpoint":
            if arg:
                self.use_endpoint(arg)
            self.say(f"endpoint: {self.endpoint}" + (f" ({self.store_spec})" if self.endpoint == "local" else ""))
        elif name == ".timing":
            if arg not in ("", "on", "off"):
                raise click.UsageError(".timing takes on or off")
            self.timing = self.timing if not arg else arg == "on"
            self.say(f"timing: {'on' if self.timing else 'off'}")
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
