"""What `kg shell` offers at its prompt: its commands and output formats, the example queries, the
completion of SPARQL words and commands, and its keys (prompt_toolkit)."""

from __future__ import annotations

import re
import sys

from prompt_toolkit.completion import Completer, Completion
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings

from kg.errors import os_error_words
from kg.paths import QUERIES_DIR
from kg.table import printable

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
        # matched from the end, reversed: a search anchored at the end tried every start (seconds of Tab
        # after a 50,000-character word)
        word = re.match(r"[\w:.-]*[?$]?", before[::-1]).group()[::-1]
        if word.startswith(("?", "$")) or not word:
            return
        for candidate in self.words:
            if candidate.lower().startswith(word.lower()) and candidate != word:
                # a store's term may hold a Hangul filler (a letter to isalnum) that shows as nothing in the menu
                yield Completion(candidate, -len(word), display=printable(candidate))

    def _command(self, line: str):
        name, space, arg = line.partition(" ")
        if space:
            arguments = {".examples": list(examples()), ".format": FORMATS, ".timing": ["on", "off"],
                         ".wide": ["on", "off"], ".endpoint": ["local"]}
            choices, word = arguments.get(name, []), arg
        else:
            choices, word = [c.split()[0].rstrip(",") for c in COMMANDS] + [".exit"], name
        yield from (Completion(c, -len(word)) for c in choices if c.startswith(word))


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


def kept_history() -> History:
    """The history file (kg.shell_input.history_path), or, where it cannot be written (a read-only home),
    a history of this session only, said on standard error: prompt_toolkit would fail on every line."""
    path = history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as error:
        print(printable(f"note: history is kept for this session only: {os_error_words(error)}"), file=sys.stderr)
        return InMemoryHistory()
    return FileHistory(str(path))
