"""What every `kg` command shares: turning library errors into messages and exit codes, the --store option,
answers written out and output names read (the kinds of value options take are kg.cli_params')."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import threading

import click

from kg.errors import EXIT_INTERRUPTED, INTERRUPTED, KGError, UnknownStore, os_error_words, quoted, shown_text
from kg.rdf_names import DATASET_SUFFIXES, RDF_SUFFIXES

EXIT_ERROR = 1  # click itself exits 2 on bad usage
EXIT_BROKEN_PIPE = 128 + 13  # the shell's status for a program SIGPIPE ends (`cat big | head`): not a query error


def reports_errors(command):
    """Print a library error (or running out of memory) as one plain line on stderr and exit 1 (2 for a store of
    no known form, 130 for Ctrl-C), never a traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt:  # Ctrl-C, at whatever stage: connecting, sending, reading or writing
            stop_interrupted()
        except BrokenPipeError:  # the reader went away (`kg query ... | head`): stop quietly, as SIGPIPE would
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_BROKEN_PIPE)
        except UnknownStore as error:  # a --store (or SAHEL_KG_STORE) of no known form, found as the store opens
            raise click.UsageError(str(error)) from None
        except KGError as error:
            say_error(str(error))
            sys.exit(EXIT_ERROR)
        except OSError as error:
            say_error(os_error_words(error))
            sys.exit(EXIT_ERROR)
        except MemoryError:  # an input held whole that never ends (-f /dev/zero) or outgrows the memory given
            say_error("out of memory: an input too large to hold, or one that never ends (such as /dev/zero)")
            sys.exit(EXIT_ERROR)
    return wrapper


@contextlib.contextmanager
def graph_option(graph: str | None):
    """Within it, a refusal of --graph's IRI as a project graph (known only once the store is open) is bad
    usage, exit 2, as an IRI that is not absolute is."""
    from kg.errors import ProjectGraphError

    try:
        yield
    except ProjectGraphError as error:
        if graph is None:
            raise
        raise click.BadParameter(str(error), param_hint="'--graph'") from None


def stop_interrupted(message: str = INTERRUPTED):
    """Say that Ctrl-C stopped the command (`message`), and exit 130; a second Ctrl-C is ignored from here on (it
    cut the message short with a traceback), as kg.launch ignores one during its own message."""
    if threading.current_thread() is threading.main_thread():  # the only one that may (CliRunner uses others too)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    click.echo(message, err=True)
    sys.exit(EXIT_INTERRUPTED)


class Commands(click.Group):
    """The `kg` group: click's own messages (a file it cannot open, a bad value) quote what the user gave,
    so their control characters are escaped as every error line's are; a Ctrl-C while click reads the
    arguments (opening a FIFO given as -f) is reported as in a command, not as click's "Aborted!" and 1."""

    given: tuple[str, ...] = ()  # the arguments as given, which click's messages quote in forms of their own

    def make_context(self, info_name, args, *more, **kwargs):
        self.given = tuple(args)
        with _as_kg_says(self.given):
            return super().make_context(info_name, args, *more, **kwargs)

    def invoke(self, ctx):
        with _as_kg_says(self.given):
            return super().invoke(ctx)


_OWN_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click 8.2 on; 8.1 prints the help itself


@contextlib.contextmanager
def _as_kg_says(given: tuple[str, ...]):
    try:
        yield
    except _OWN_HELP:
        raise  # a group given no command: its message is our help text, whose lines must stay lines
    except click.ClickException as error:
        # imported here, within the try: its import (pyoxigraph's) takes tens of ms a Ctrl-C may land in
        from kg.table import printable

        error.message = printable(_bytes_shown(error.message, given))
        raise
    except KeyboardInterrupt:
        stop_interrupted()


def given(name: str) -> bool:
    """Whether the running command's option `name` (its parameter's name) was given on the command line, not
    left to its default or its environment variable (SAHEL_KG_STORE names the store for every command)."""
    from click.core import ParameterSource

    return click.get_current_context().get_parameter_source(name) is ParameterSource.COMMANDLINE


def refuse_together(first: str, second: str, why: str) -> None:
    """Bad usage (exit 2): options `first` and `second` given together, which would have been accepted with one
    of them doing nothing."""
    raise click.UsageError(f"{first} and {second} do not go together: {why}")


def _bytes_shown(message: str, given: tuple[str, ...]) -> str:
    """`message` of click's with each argument of `given` holding a byte that is not UTF-8 written as kg writes it
    (\\xff, kg.errors.shown_text), where click wrote it as U+FFFD (format_filename, which loses the byte) or as
    repr does ('\\udcff'); the argument's value part is looked for too (--file=PATH, -fPATH)."""
    for argument in given:
        if shown_text(argument) == argument:  # all UTF-8: click wrote it as given
            continue
        parts = {argument, argument.partition("=")[2], argument[2:] if argument[:1] == "-" else ""} - {""}
        for part in sorted(parts, key=len, reverse=True):  # the whole argument before the value within it
            message = message.replace(repr(part), quoted(part))
            message = message.replace(click.format_filename(part), shown_text(part))
    return message


def say_error(message: str) -> None:
    """`error: message` on stderr, its control characters escaped: messages quote data (a remote engine's
    own words, a file's name), which must not drive the terminal."""
    from kg.table import printable

    click.echo(f"error: {printable(message)}", err=True)


def write_out(chunks, fmt: str, *, terminal: bool) -> None:
    """Byte chunks of format `fmt` to standard output: as they are, or escaped in the format's own way on a
    terminal (a dataset's text is data, which must not drive the terminal)."""
    import codecs

    from kg.format_escapes import for_terminal
    from kg.output_files import write_whole

    escaper, out = for_terminal(fmt) if terminal else None, sys.stdout.buffer
    decoder = codecs.getincrementaldecoder("utf-8")()  # a chunk may end within a character
    for chunk in chunks:
        write_whole(out, escaper.feed(decoder.decode(chunk)).encode("utf-8") if escaper else chunk)
    if escaper:
        write_whole(out, (escaper.feed(decoder.decode(b"", final=True)) + escaper.end()).encode("utf-8"))
    sys.stdout.flush()


DEFAULT_STORE = "oxigraph:"

store_option = click.option(
    "--store", "store_spec", envvar="SAHEL_KG_STORE", default=DEFAULT_STORE, show_default=True,
    help="The store: oxigraph:PATH (embedded; oxigraph: alone is the default path), memory:, "
         "or a SPARQL endpoint URL. Env: SAHEL_KG_STORE.")


# What an output file's name says it holds (a trailing .gz aside): a dataset, or a query's answer by its kind.
DATASET_NAMES = DATASET_SUFFIXES
ANSWER_NAMES = {"solutions": {".json": "json", ".srj": "json", ".xml": "xml", ".srx": "xml", ".csv": "csv",
                              ".tsv": "tsv"},
                "graph": RDF_SUFFIXES}
ANSWER_NAMES["boolean"] = ANSWER_NAMES["solutions"]


# Formats of one graph: written from a dataset, they would drop every graph name (kg validate then finds claims
# whose named graphs hold nothing).
TRIPLES_ONLY = {"turtle": "Turtle", "ntriples": "N-Triples", "rdfxml": "RDF/XML"}
DATASET_WORDS = {"trig": "TriG (.trig)", "nquads": "N-Quads (.nq)", "jsonld": "JSON-LD (.jsonld)"}


def dataset_format(path, fmt: str | None, formats: tuple[str, ...]) -> str:
    """The dataset format file `path` is written in (`fmt`, else its name's, else TriG where the name says none:
    standard output, /dev/null, a FIFO); click's UsageError for a name of a format with no named graphs, or of
    no format at all, naming the `formats` that would keep every graph."""
    from kg.output_files import not_a_regular_file

    words = [DATASET_WORDS[found] for found in formats]
    known = f"{', '.join(words[:-1])} or {words[-1]}"
    if fmt is not None:
        return format_of_name(path, fmt, RDF_SUFFIXES)  # refuses a name of another format
    if path is None or not_a_regular_file(path):
        return "trig"
    named = format_of_name(path, None, RDF_SUFFIXES)
    if named in TRIPLES_ONLY:
        raise click.UsageError(f"{path}: {TRIPLES_ONLY[named]} has no named graphs, and a dataset keeps each "
                               f"claim in a graph of its own; write it as {known}")
    if named not in formats:
        raise click.UsageError(f"{path}: the name says no format this writes; name the file for one of {known}, "
                               "or give --format")
    return named


def format_of_name(path, fmt: str | None, names: dict[str, str]) -> str | None:
    """The format file `path` is written in: `fmt` if given, else the one its name says by `names` (suffix ->
    format; None if none); click's UsageError where the name says another than `fmt` (no reader would read it)."""
    name = os.path.basename(os.fspath(path)).lower().removesuffix(".gz") if path else ""
    named = next((found for suffix, found in names.items() if name.endswith(suffix)), None)
    if fmt is not None and named is not None and fmt != named:
        raise click.UsageError(f"{path}: the name names another format than --format {fmt}; "
                               "name the file for it, or leave --format out")
    return fmt or named
