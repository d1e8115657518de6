"""The library's exceptions. Each also derives from the closest built-in, so callers may catch either."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

# Python holds a byte that is not UTF-8 (in a file's name, an argument, an environment variable) as a lone
# surrogate U+DC80..U+DCFF; messages show it as the byte it was.
_BYTES = re.compile("[\udc80-\udcff]")
_REPR_BYTES = re.compile(r"(?<!\\)((?:\\\\)*)\\udc([89a-f][0-9a-f])")  # repr's \udcNN after no escaped '\'


class KGError(Exception):
    """Base class of every error sahel-kg raises on purpose."""


class FormatError(KGError, ValueError):
    """A result format that does not fit the result (e.g. CSV for a CONSTRUCT, XML for a control character)."""


def os_error_words(error: OSError) -> str:
    """An OSError in words ("No such file or directory: /proc/nope"), without Python's class name or errno."""
    words = error.strerror or " ".join(str(part) for part in error.args) or "the system refused"
    return f"{words}: {error.filename}" if error.filename is not None else words


def shown_text(text: str) -> str:
    """`text` with each byte that was not UTF-8 written as \\xNN (not as the lone surrogate Python keeps)."""
    return _BYTES.sub(lambda found: f"\\x{ord(found.group()) - 0xDC00:02x}", text)


def quoted(text: str) -> str:
    """repr(text) for a message, a byte that was not UTF-8 as \\xNN: repr wrote '/tmp/x\\udcffy' for /tmp/x\\xffy."""
    return _REPR_BYTES.sub(r"\1\\x\2", repr(str(text)))


def shown_endpoint(iri: str) -> str:
    """An endpoint as answers, errors and logs show it to anyone: its user information and query (where credentials
    and keys go) hidden as "…"; showing it twice changes nothing."""
    try:
        parts = urlsplit(iri)
    except ValueError:  # an unclosed "[": nothing of it is read, so nothing is shown
        return "(an address that cannot be read)"
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, f"…@{host}" if "@" in parts.netloc else host, parts.path,
                       "…" if parts.query else "", parts.fragment))


def _rebuild(cls, message, fields):
    return cls(message, **fields)


class SourceError(KGError, ValueError):
    """Bad input in a file: carries the path and, where known, the 1-based line and column."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 column: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column

    def __reduce__(self):  # keep the keyword-only fields when sent between processes
        return _rebuild, (type(self), self.message, {"path": self.path, "line": self.line, "column": self.column})

    def __str__(self) -> str:
        where = ":".join(str(part) for part in (self.path, self.line, self.column) if part is not None)
        return f"{where}: {self.message}" if where else self.message


class ClaimError(SourceError):
    """A claim that cannot be built: a quote that is not verbatim, an undefined term, a bad field."""


class ParseError(SourceError):
    """An RDF file that does not parse."""


class InputLimitError(SourceError):
    """Input over a limit of size or of parsing time: refused as a whole, nothing of it is used."""


class QuerySyntaxError(KGError, SyntaxError):
    """A SPARQL query or update that does not parse; line and column are 1-based."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def __reduce__(self):
        return _rebuild, (type(self), self.message, {"line": self.line, "column": self.column})

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        if self.column is None:  # Virtuoso names a line only
            return f"line {self.line}: {self.message}"
        return f"line {self.line}, column {self.column}: {self.message}"


class QueryTimeout(KGError, TimeoutError):
    """A query that ran past its time limit and was stopped, or (`waited`) that waited past it for a worker,
    a thread or another request's work before it could start: only then may asking again later succeed."""

    def __init__(self, message: str, *, waited: bool = False):
        super().__init__(message)
        self.message = message
        self.waited = waited

    def __reduce__(self):
        return _rebuild, (type(self), self.message, {"waited": self.waited})

    @classmethod
    def stopped(cls, seconds: float | None, operation: str = "query") -> QueryTimeout:
        """A query (or an update: `operation`) stopped at its time limit of `seconds` (None: the engine's own): the
        same words on every store."""
        kind = UpdateTimeout if operation == "update" else cls
        if seconds is None:
            return kind(f"{operation} stopped at the store's time limit")
        return kind(f"{operation} stopped after its time limit of {seconds:g}s")


class UpdateTimeout(QueryTimeout):
    """An update stopped at its time limit, or by a query the store made for it (told apart from a query's over
    HTTP: the problem's title says which the client sent)."""

    @classmethod
    def of(cls, error: QueryTimeout) -> UpdateTimeout:
        """`error`, met while running an update, as the update's: a query the store asked for it is no query the
        client sent, so "query stopped" reads "update stopped"."""
        if isinstance(error, UpdateTimeout):
            return error
        message = error.message
        if message.startswith("query stopped"):
            message = "update" + message.removeprefix("query")
        elif message.startswith("the query's time limit"):  # a SERVICE call made for it (kg.federation)
            message = "the update's" + message.removeprefix("the query's")
        return cls(message, waited=error.waited)


class ClientGone(KGError):
    """A query stopped because the client that asked for it went away (see kg.runner.CLIENT_GONE)."""


class QueryMemoryExceeded(KGError, MemoryError):
    """A query that needed more memory than a query worker may take; the worker was stopped and replaced."""


class PolicyError(KGError, PermissionError):
    """A query the safety policy refuses (SERVICE to an endpoint not allowed, LOAD, updates when read-only)."""


class ProjectGraphError(KGError, PermissionError):
    """An update that would change one of the project's own graphs (a build's, the loads record, the merge)."""


class ServiceError(KGError):
    """A SERVICE endpoint failed to answer; `endpoint` names it (the failure is the endpoint's, not ours)."""

    def __init__(self, message: str, *, endpoint: str, retry_after: int | None = None):
        shown = shown_endpoint(endpoint)  # whatever the caller passed, credentials reach no answer nor log
        message = message.replace(endpoint, shown) if endpoint and shown != endpoint else message
        super().__init__(message)
        self.message = message
        self.endpoint = shown
        self.retry_after = retry_after

    def __reduce__(self):
        return _rebuild, (type(self), self.message, {"endpoint": self.endpoint, "retry_after": self.retry_after})


class ServiceFailure(ServiceError, ConnectionError):
    """The endpoint is down, refused the call, or answered with an error or with something unreadable."""


class ServiceTimeout(ServiceError, TimeoutError):
    """The endpoint did not answer within its time limit."""


class ServiceBusy(ServiceError):
    """The endpoint asked us to wait (429, or 503 with Retry-After); `retry_after` says how many seconds."""


class StoreUnavailable(KGError, ConnectionError):
    """The store cannot be reached or opened."""


class StoreLocked(StoreUnavailable):
    """Another process writes the embedded store now (it holds the writer's lock); readers need no lock."""


class StoreMissing(StoreUnavailable):
    """No on-disk store at the path a reader was given: nothing is created there (a mistyped path is an error)."""


class StoreError(KGError, RuntimeError):
    """A query or update the store could not carry out (an evaluation error, a server error)."""


class EvaluationError(StoreError):
    """The engine refused a well-formed request as given (e.g. CREATE of a graph that exists)."""


class StorageFailure(StoreError):
    """The store's files failed under a request (I/O error, corruption): the server's fault, not the client's."""


class RemoteStoreFailure(StoreError):
    """A remote store failed (a server error of its own) or answered with something that is no SPARQL
    result; the message names the store."""


class UpdateOutcomeUnknown(StoreError, TimeoutError):
    """An update sent to a remote store got no answer within its time limit: the store may still apply it."""


class BindingTypeError(KGError, ValueError):
    """A value bound to a variable whose type the query declares (`# binding:`), of another type or invalid."""


class ConfigError(KGError, ValueError):
    """A setting that names nothing we know, such as a store spec."""


class UnknownStore(ConfigError):
    """A store spec of no known form (oxigraph:PATH, memory: or an http(s):// URL): bad usage on a command line."""


class ValidationFailed(KGError):
    """SHACL validation found violations; `report` is the readable text."""

    def __init__(self, report: str, count: int):
        super().__init__(f"{count} SHACL violation(s)")
        self.report = report
        self.count = count


# How a command stopped by Ctrl-C says so, in the CLI and in `kg serve`'s supervisor (which runs without click).
class NothingWritten(KeyboardInterrupt):
    """A Ctrl-C that stopped a write before its commit: nothing of it was written (a Ctrl-C at another moment is a
    plain KeyboardInterrupt, and the write may have been committed)."""


EXIT_INTERRUPTED = 130  # as a shell reports a program that SIGINT ended: 128 + 2
INTERRUPTED = "interrupted (Ctrl-C): stopped"
