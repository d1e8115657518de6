"""What every `kg` command shares: turning library errors into messages and exit codes, the --store
option, sizes with units, and files replaced whole."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import stat
import sys
import tempfile
from pathlib import Path

import click

from kg.errors import EXIT_INTERRUPTED, INTERRUPTED, KGError, os_error_words

EXIT_ERROR = 1  # click itself exits 2 on bad usage


def reports_errors(command):
    """Print a library error as one plain line on stderr and exit 1 (130 for Ctrl-C), never a traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt:  # Ctrl-C, at whatever stage: connecting, sending, reading or writing
            stop_interrupted()
        except BrokenPipeError:  # the reader went away (`kg query ... | head`): stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_ERROR)
        except KGError as error:
            say_error(str(error))
            sys.exit(EXIT_ERROR)
        except OSError as error:
            say_error(os_error_words(error))
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


def stop_interrupted():
    """Say that Ctrl-C stopped the command, and exit 130."""
    click.echo(INTERRUPTED, err=True)
    sys.exit(EXIT_INTERRUPTED)


class Commands(click.Group):
    """The `kg` group: click's own messages (a file it cannot open, a bad value) quote what the user gave,
    so their control characters are escaped as every error line's are; a Ctrl-C while click reads the
    arguments (opening a FIFO given as -f) is reported as in a command, not as click's "Aborted!" and 1."""

    def make_context(self, *args, **kwargs):
        with _as_kg_says():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx):
        with _as_kg_says():
            return super().invoke(ctx)


@contextlib.contextmanager
def _as_kg_says():
    from kg.table import printable

    try:
        yield
    except click.ClickException as error:
        error.message = printable(error.message)
        raise
    except KeyboardInterrupt:
        stop_interrupted()


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

    escaper = for_terminal(fmt) if terminal else None
    decoder = codecs.getincrementaldecoder("utf-8")()  # a chunk may end within a character
    for chunk in chunks:
        sys.stdout.buffer.write(escaper.feed(decoder.decode(chunk)).encode("utf-8") if escaper else chunk)
    if escaper:
        sys.stdout.buffer.write((escaper.feed(decoder.decode(b"", final=True)) + escaper.end()).encode("utf-8"))
    sys.stdout.flush()


def write_atomically(path: Path, data) -> None:
    """Write bytes, or an iterable of byte chunks, to a file so that readers see the old content or the
    new, never a part."""
    with atomic_output(path) as out:
        for chunk in [data] if isinstance(data, bytes) else data:
            out.write(chunk)


def not_a_regular_file(path: Path) -> bool:
    """Whether `path` (a link's target, if a link) exists and is no regular file: /dev/null, a FIFO, a terminal."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return False


@contextlib.contextmanager
def atomic_output(path: Path):
    """A binary file to write `path` through: it replaces `path` only once the block ends without error.

    As a shell's `>` does, a symbolic link is followed (its target is replaced, the link kept) and a path
    that is not a regular file (/dev/null, a FIFO, a terminal) is written in place: replacing it would put
    a plain file where a device or a pipe was. The new file keeps the old one's mode, owner and group; where
    renaming would split a hard link or the owner cannot be kept, the finished text is copied over the file
    (as vim's backupcopy=auto does), so only a failure during that copy can leave a part. Raises OSError
    naming `path`.
    """
    if not_a_regular_file(path):
        with open(path, "wb") as out:
            yield out
        return
    path = Path(os.path.realpath(path))
    try:
        old = os.stat(path)
    except FileNotFoundError:
        old = None
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as error:  # named for the file asked for, not the temporary one beside it
        raise OSError(error.errno, error.strerror, str(path)) from None
    try:
        in_place = old is not None and (old.st_nlink > 1 or not _same_owner(handle, old))
        os.fchmod(handle, stat.S_IMODE(old.st_mode) if old else _new_file_mode())  # mkstemp makes it 0600
        with os.fdopen(handle, "wb") as out:
            yield out
        if not (in_place and _copied_over(temporary, path)):
            os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _same_owner(handle: int, old: os.stat_result) -> bool:
    """Give the new file the old one's owner and group; False where this process may not."""
    new = os.fstat(handle)
    if (new.st_uid, new.st_gid) == (old.st_uid, old.st_gid):
        return True
    try:
        os.fchown(handle, old.st_uid, old.st_gid)  # root may; others only to a group of theirs
        return True
    except PermissionError:
        return False


def _copied_over(temporary: str, path: Path) -> bool:
    """Copy the finished file over `path` in place and remove it; False if `path` cannot be opened to write
    (it is replaced then, as its directory allows: the write asked for is done, the link or owner lost)."""
    import shutil

    try:
        target = open(path, "r+b")
    except PermissionError:
        return False
    with target, open(temporary, "rb") as source:
        shutil.copyfileobj(source, target, 1 << 20)
        target.truncate()
    os.unlink(temporary)
    return True


def _new_file_mode() -> int:
    """The mode of a new file under this process's umask."""
    umask = os.umask(0o022)  # reading the umask means setting it: put it back at once
    os.umask(umask)
    return 0o666 & ~umask


DEFAULT_STORE = "oxigraph:"

store_option = click.option(
    "--store", "store_spec", envvar="SAHEL_KG_STORE", default=DEFAULT_STORE, show_default=True,
    help="The store: oxigraph:PATH (embedded; oxigraph: alone is the default path), memory:, "
         "or a SPARQL endpoint URL. Env: SAHEL_KG_STORE.")


class ByteSize(click.ParamType):
    """A number of bytes, optionally with a K, M or G suffix (powers of 1024)."""

    name = "size"
    _UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}

    def convert(self, value, param, ctx):
        found = re.fullmatch(r"\s*(\d+)\s*([KMG]?)i?B?\s*", str(value), re.IGNORECASE | re.ASCII)
        if not found or int(found[1]) == 0:
            self.fail(f"{value!r} is not a size such as 1000, 500K, 20M or 2G", param, ctx)
        return int(found[1]) * self._UNITS[found[2].upper()]


class Seconds(click.ParamType):
    """A time limit in seconds, read as the settings read one: more than 0, at most 10^9, never inf or nan."""

    name = "seconds"

    def convert(self, value, param, ctx):
        from kg.settings import SECONDS

        try:
            return SECONDS(value.strip() if isinstance(value, str) else value)
        except ValueError as error:
            self.fail(str(error), param, ctx)


class GraphIRI(click.ParamType):
    """A named graph's IRI, absolute (whether it is one of the project's own graphs depends on the store)."""

    name = "iri"

    def convert(self, value, param, ctx):
        import pyoxigraph

        try:
            return pyoxigraph.NamedNode(str(value)).value
        except ValueError as error:
            self.fail(f"{value!r} is not an absolute IRI ({error})", param, ctx)


class BaseIRI(GraphIRI):
    """The base of the project's own IRIs: absolute, ending in '/', as the IRIs made from it need."""

    def convert(self, value, param, ctx):
        iri = super().convert(value, param, ctx)
        if not iri.endswith("/"):  # the graphs would be <...kggraph/loads>
            self.fail(f"{value!r} does not end in '/'", param, ctx)
        return iri


class EndpointURL(click.ParamType):
    """A SPARQL endpoint's URL: http:// or https://, with a host."""

    name = "url"

    def convert(self, value, param, ctx):
        from urllib.parse import urlsplit

        parts = urlsplit(str(value))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.fail(f"{value!r} is not an http(s):// URL of a SPARQL endpoint", param, ctx)
        return str(value)
