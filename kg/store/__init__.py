"""Stores behind one small interface: embedded Oxigraph (on disk or in memory) or a remote SPARQL endpoint.

`open_store(spec)` takes the one setting that names a store:
    oxigraph:PATH        embedded, persistent in directory PATH (oxigraph: alone means default_store_path())
    memory:              embedded, in memory, gone when closed
    http(s)://HOST/...   a SPARQL 1.1 endpoint; keyword options update_url, user, password, timeout
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from kg.errors import UnknownStore, quoted, shown_text
from kg.store.base import QueryResult, Solutions, Store, Triples
from kg.store.shown_urls import shown_url



def default_store_path() -> Path:
    """$SAHEL_KG_HOME/store, else $XDG_DATA_HOME/sahel-kg/store, else ~/.local/share/sahel-kg/store (absolute)."""
    if os.environ.get("SAHEL_KG_HOME"):
        return _absolute(Path(os.environ["SAHEL_KG_HOME"]) / "store")
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return _absolute(Path(data_home) / "sahel-kg" / "store")


def embedded_path(spec: str) -> Path | None:
    """The absolute directory of the on-disk embedded store `spec` names (oxigraph:PATH, or oxigraph: alone for
    default_store_path()); None for any other store."""
    scheme, _, rest = spec.partition(":")
    if scheme != "oxigraph":
        return None
    return _absolute(Path(rest).expanduser()) if rest else default_store_path()


def _absolute(path: Path) -> Path:
    # Against the working directory now: `oxigraph:store` shown as "store" named no directory in a log or
    # another terminal. Symbolic links are kept as given (abspath only joins and drops `.` and `..`).
    return Path(os.path.abspath(path))


def shown_spec(spec: str) -> str:
    """`spec` as the console shows it: an embedded store by its directory (`oxigraph:` alone names none), a URL
    with its password, if it holds one, as ***; a terminal's scrollback and a log are no place for it."""
    path = embedded_path(spec)
    return f"oxigraph:{path}" if path is not None else shown_url(spec)


def check_readable(spec: str) -> None:
    """Raise StoreMissing if `spec` names, by its path, an on-disk store that is not there: a reader creates
    none (a mistyped path must not answer from a new store). The default store is made on first use."""
    path = embedded_path(spec)
    if path is None:
        return
    check_path_text(path)
    if path == default_store_path():
        return
    from kg.store.store_files import check_present

    check_present(path)


def check_spec(spec: str) -> None:
    """Raise UnknownStore (a ConfigError) unless `spec` has the form of a store (see the module docstring); nothing
    is opened."""
    scheme, _, rest = spec.partition(":")
    if scheme in ("http", "https") and rest.startswith("//"):
        fault = url_fault(spec)
        if fault:
            raise UnknownStore(f"{quoted(spec)} is no SPARQL endpoint's URL: {fault}")
    elif scheme == "oxigraph":
        check_path_text(embedded_path(spec))
    elif not (scheme == "memory" and not rest):
        raise UnknownStore(f"unknown store {quoted(spec)}: use oxigraph:PATH, memory: or an http(s):// SPARQL endpoint")


def check_path_text(path: Path) -> None:
    """Raise UnknownStore where an embedded store's `path` holds a byte that is not UTF-8: the engine (RocksDB
    through pyoxigraph) takes no other path, and refused it only after the writer's lock file was made beside it."""
    try:
        os.fspath(path).encode("utf-8")
    except UnicodeEncodeError:
        raise UnknownStore(f"the store's path {shown_text(os.fspath(path))} is not UTF-8, and the engine opens a "
                           "store at a UTF-8 path only: name another directory") from None


def url_fault(url: str) -> str | None:
    """What makes `url` no http(s) URL a request can be sent to (no host, a bad port, spaces), or None."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        port = parts.port  # reads the port: "99999" or "x" raise here
    except ValueError as error:  # "Invalid IPv6 URL", "Port out of range 0-65535"
        return str(error)
    if parts.scheme not in ("http", "https"):
        return "it is not http:// or https://"
    if not parts.hostname:
        return "it names no host"
    try:  # as the socket will, where a failure was a UnicodeError traceback
        parts.hostname.encode("idna")
    except UnicodeError as error:  # an empty or 64-letter label (a..b), a byte that is not UTF-8
        why = "a part of it is empty or over 63 characters" if "label" in str(error) else \
            "it holds a character no host name may hold"
        return f"its host is no host name: {why}"
    if port == 0:
        return "port 0 is no port"
    from kg.endpoint_keys import ZONE_ID, has_zone_id  # here: read only for a URL given

    if has_zone_id(url):  # never decoded: getaddrinfo took "25eth0" for the interface, and the call hung
        return ZONE_ID
    if any(char.isspace() or ord(char) < 0x20 or ord(char) == 0x7F for char in url):
        return "it holds a space or a control character (escape it as %20)"
    return None


def open_store(spec: str, **options) -> Store:
    """Open the store that `spec` names (see the module docstring); options go to the backend."""
    check_spec(spec)
    scheme, _, rest = spec.partition(":")
    if scheme == "memory" and not rest:
        from kg.store.oxigraph import OxigraphStore
        return OxigraphStore(None, **options)
    if scheme == "oxigraph":
        from kg.store.oxigraph import OxigraphStore
        path = embedded_path(spec)
        missing = [folder for folder in path.parents if not os.path.lexists(folder)]
        try:  # a writer it makes removes them as it discards itself
            _make_folders(path)
            return OxigraphStore(path, **options, **({} if options.get("read_only") else {"folders_made": missing}))
        except BaseException:
            for folder in missing:  # deepest first: a store that failed to open leaves no folder it made
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise
    from kg.store.remote import RemoteStore
    return RemoteStore(spec, **options)


def _make_folders(path: Path) -> None:
    """The folders above the store at `path`, made; StoreUnavailable, in words, where one cannot be."""
    from kg.errors import StoreUnavailable
    from kg.store.store_files import folders_fault

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # mkdir's words: "File exists: /data/table.csv", for a file on the way
        raise StoreUnavailable(folders_fault(path, error)) from None


__all__ = ["QueryResult", "Solutions", "Store", "Triples",
           "check_readable", "check_spec", "default_store_path", "embedded_path", "open_store", "url_fault"]
