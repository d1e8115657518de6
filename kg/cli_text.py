"""The text a query or update command reads (its argument, -q, -f FILE or standard input), and --bind's
NAME=VALUE pairs as terms."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.errors import SourceError, os_error_words, quoted
from kg.untrusted import BOM


def command_text(given, text, query_file, what: str = "query") -> str:
    """The query (or, `what`, the update) from QUERY, -q, -f FILE or standard input (piped, or QUERY `-`); a file's
    name as QUERY is a usage error naming -f."""
    from kg.table import printable

    name = what.upper()
    piped = given == "-"  # standard input, as `kg load -` and `-f -` read it (a tty's too, to its end)
    if sum(way is not None for way in (given, text, query_file)) > 1:
        raise click.UsageError(f"give the {what} once: as {name}, with -q or with -f")
    if given is not None and not piped and " " not in given.strip() and Path(given).is_file():
        raise click.UsageError(f"{name} is the {what}'s text; to read the file {printable(given)}, "
                               f"use -f {printable(given)}")
    text = given if given is not None and not piped else text
    try:
        if piped:
            text = sys.stdin.read()
        elif text is None:
            text = query_file.read() if query_file is not None else "" if sys.stdin.isatty() else sys.stdin.read()
        text.encode("utf-8")  # arguments and standard input undecodable as UTF-8 arrive as lone surrogates
    except UnicodeError:
        if _named_file(query_file) is None:
            raise click.UsageError(f"the {what} text is not UTF-8") from None
        raise _not_utf8(_named_file(query_file), what) from None
    except OSError as error:  # a read's error names no file (/proc/self/mem's 'Input/output error')
        raise SourceError(f"cannot read the file: {os_error_words(error)}", path=getattr(query_file, "name", "-")) \
            from None
    text = text.removeprefix(BOM)  # a byte-order mark some editors write: no part of the query
    if not text.strip():
        if _named_file(query_file) is not None:  # -f FILE: the file is what holds nothing
            raise SourceError(f"the file holds no {what} (it is empty, or blank)", path=query_file.name)
        raise click.UsageError(f"no {what}: give it as {name} (or -q TEXT), -f FILE, or pipe it on standard input")
    return text


def _named_file(opened) -> Path | None:
    """The regular file -f named, or None: no -f, or standard input (`-f -`, whose name may be a descriptor)."""
    name = getattr(opened, "name", None)
    return Path(name) if isinstance(name, str) and Path(name).is_file() else None


def _not_utf8(path: Path, what: str) -> SourceError:
    """The error for a -f FILE that is not UTF-8, at its first such byte (line and column, as kg load says it)."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        start = len(data)  # changed since it was read: no position to give
    except UnicodeDecodeError as error:
        start = error.start
    line_start = data.rfind(b"\n", 0, start) + 1
    return SourceError(f"byte 0x{data[start]:02x} is not UTF-8, which a {what} file is read as" if start < len(data)
                       else f"the {what} file is not UTF-8", path=str(path), line=data.count(b"\n", 0, start) + 1,
                       column=len(data[line_start:start].decode("utf-8")) + 1)


def parse_bindings(pairs, prefixes: dict[str, str], sparql: str) -> dict:
    """--bind's NAME=VALUE pairs as variable names and terms; a name given twice, or one the query never
    mentions (a slip that would bind nothing and say nothing), is a usage error."""
    from kg.binding_types import check_bindings
    from kg.bindings import declared_prefixes, parse_term, query_base
    from kg.sparql_lexer import VARNAME, significant

    prefixes = {**prefixes, **declared_prefixes(sparql)}  # as the engine reads the query's names
    base = query_base(sparql)  # a relative <iri> resolves against the query's BASE, as the engine's do
    # The query's variables as SPARQL reads them: a ?name inside a comment, a string or an IRI is none.
    variables = {value[1:] for kind, value, *_ in significant(sparql) if kind == "var"} if pairs else set()
    bound = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not VARNAME.fullmatch(name):
            raise click.UsageError(f"--bind takes NAME=VALUE with NAME a variable name, got {quoted(pair)}")
        if name in bound:
            raise click.UsageError(f"--bind gives ?{name} more than one value")
        if name not in variables:
            raise click.UsageError(f"--bind {quoted(pair)}: the query has no variable ?{name}")
        try:
            bound[name] = parse_term(value, prefixes, base)
            check_bindings(sparql, {name: bound[name]}, prefixes)  # as the query service checks them
        except (ValueError, TypeError) as error:
            raise click.UsageError(f"--bind {quoted(pair)}: {error}") from None
    return bound
