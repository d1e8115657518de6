"""What `kg serve` checks and prepares before it serves: the store and settings can be served, the address
is free, the embedded store holds the article, a remote engine holds the merge and stops queries at its own
time limit."""

from __future__ import annotations

import errno
import os
import socket
import stat
import subprocess
from pathlib import Path

from kg.child import failure_line, python_command
from kg.errors import ConfigError, StoreUnavailable, os_error_words


def check_settings(settings: dict, workers: int) -> None:
    """Raise ConfigError for a store or settings that no server process could start with, before any starts:
    a fault found in a server process ends it with a traceback, after the address was announced."""
    from kg import allocator
    from kg.store import check_spec

    spec = settings["STORE"]
    check_spec(spec)
    allocator.preload(settings["MALLOC"])  # jemalloc asked for where none is installed, a library that will not load
    if settings["UPDATES_ENABLED"] and not settings["UPDATE_TOKEN"]:
        raise ConfigError("updates need a token: set SAHEL_KG_UPDATE_TOKEN")
    if settings["UPDATES_ENABLED"] and spec.startswith("oxigraph:") and workers > 1:
        raise ConfigError("with updates on, an embedded store has one writer: use --workers 1 (and --threads)")
    if spec == "memory:" and workers > 1:
        raise ConfigError("a memory: store lives in one process: use --workers 1")
    if settings["RUN_DIRECTORY"]:  # made here, so that one that cannot be is said before the address is announced
        try:
            Path(settings["RUN_DIRECTORY"]).mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigError(f"RUN_DIRECTORY {settings['RUN_DIRECTORY']} cannot be made: "
                              f"{os_error_words(error)}") from None
    if settings["ACCESS_LOG"] not in ("", "-") and not _fifo(settings["ACCESS_LOG"]):  # as RUN_DIRECTORY: a server
        os.close(open_access_log(settings["ACCESS_LOG"]))  # process would end in a traceback


def _fifo(path: str) -> bool:
    """Whether `path` is a FIFO, whose opening would wait here for its reader (the server processes open it)."""
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except OSError:
        return False


def open_access_log(path: str) -> int:
    """A descriptor appending to the access log file at `path` (made if need be); ConfigError naming the setting
    and, where that is the fault, the folder that is not there."""
    try:
        return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    except OSError as error:
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise ConfigError(f"ACCESS_LOG {path}: there is no folder {folder} to write it in; make it first"
                              if not os.path.exists(folder) else f"ACCESS_LOG {path}: {folder} is a file, not a "
                              "folder") from None
        raise ConfigError(f"ACCESS_LOG {path} cannot be opened: {os_error_words(error)}") from None


def public_warnings(settings: dict) -> list[str]:
    """What an operator of a public server should fix though it may start so: links that name no real origin."""
    if settings["PUBLIC"] and not settings["PUBLIC_ORIGIN"]:
        origin = settings["IRI_BASE"].split("/", 3)
        return [f"no PUBLIC_ORIGIN: the URLs this server hands out (service description, VoID, reconciliation "
                f"manifest) name {origin[0]}//{origin[2]}, IRI_BASE's origin; set SAHEL_KG_PUBLIC_ORIGIN to the "
                "origin clients reach it at"]
    return []


def prepare_store(spec: str, *, install: bool) -> list[str]:
    """Make an embedded store (and, with `install`, install the article into it if empty) once, before any
    server process opens it: server processes that found none would race to make it, and one reading a store
    another is still making fails ("Column family not found"). Returns warnings: with `install`, that the article
    the store holds was built before its inputs changed (kg.publish.stale_inputs).

    It runs in a child process: RocksDB starts threads that a forked server process would inherit
    without them, and such a worker crashes on its way out.
    """
    from kg.store import embedded_path  # here: the supervisor, which imports this module, keeps no engine loaded

    if not spec.startswith("oxigraph:") or not install and embedded_path(spec).exists():
        return []  # nothing to make (and a store on read-only media stays servable)
    done = subprocess.run(python_command(_PREPARE, spec, str(install)), capture_output=True, text=True)
    if done.returncode != 0:
        why = failure_line(done.stderr, "the installing process failed")
        raise StoreUnavailable(f"cannot prepare the store {spec}: {why}")
    return done.stdout.splitlines()


# The library's own errors and the system's (a directory that cannot be made) end the child with their message
# alone, in words, as the last line of its standard error.
_PREPARE = ("import sys; from kg.errors import KGError, os_error_words; from kg.publish import prepare\n"
            "try: prepare(sys.argv[1], install=sys.argv[2] == 'True')\nexcept KGError as error: sys.exit(str(error))\n"
            "except OSError as error: sys.exit(os_error_words(error))")


def remote_stale(spec: str) -> list[str]:
    """Warnings for a remote store `spec` as prepare_store gives them for an embedded one: that the article it holds
    was built before the shipped inputs changed. In a child process, which reads the inputs with the build's code
    (rdflib), never loaded by the supervisor whose server processes would carry it; nothing where it fails (the store's
    reachability is check_remote_store's to tell)."""
    try:
        done = subprocess.run(python_command(_STALE, spec), capture_output=True, text=True, timeout=STALE_SECONDS)
    except subprocess.TimeoutExpired:  # an engine slow to answer delays no start for a warning
        return []
    return done.stdout.splitlines() if done.returncode == 0 else []


STALE_SECONDS = 20  # at most this long for remote_stale's child (its engine's questions: 5 s each)


_STALE = ("import sys; from kg.publish import stale_inputs, stale_warning; from kg.settings import resolve, "
          "store_options; from kg.store import shown_spec; from kg.store.remote import RemoteStore\n"
          "settings = resolve({'STORE': sys.argv[1]})\n"
          "with RemoteStore(sys.argv[1], **{**store_options(settings), 'timeout': 5}) as store:\n"
          "    stale = stale_inputs(store)\n"
          "print(stale_warning(stale, shown_spec(sys.argv[1])) if stale else '', end='')\n")


def check_writer_free(settings: dict) -> None:
    """Raise StoreUnavailable where updates are on and another process writes the embedded store now (a `kg
    serve --enable-updates`, a `kg load`): the server process would find it so only once serving, and end with a
    traceback after the address was announced. The lock is taken and let go at once."""
    import os

    from kg.store import embedded_path
    from kg.store.store_files import writer_lock

    spec = settings["STORE"]
    if settings["UPDATES_ENABLED"] and spec.startswith("oxigraph:") and embedded_path(spec).exists():
        os.close(writer_lock(embedded_path(spec)))


def free_port(host: str) -> int:
    """A port of `host` free now, for `--port 0`: granian binds the port it is given and never tells which one
    the system picked, so the server would announce port 0 and listen on another. Another program may take
    the port before the server binds it; check_address, run again just before, then refuses it."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, 0, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as error:
        raise ConfigError(f"cannot listen on {host}: {error.strerror}") from None
    with socket.socket(family, kind, proto) as probe:
        try:
            probe.bind(address)
        except OSError as error:
            raise ConfigError(f"cannot listen on {host}: {error.strerror or error}") from None
        return probe.getsockname()[1]


def check_address(host: str, port: int) -> None:
    """Raise ConfigError if no server of ours could listen on host:port alone (another one listens there).

    Granian binds each worker's socket with SO_REUSEPORT on Linux, and the kernel lets any number of sockets
    that all set it (a second `kg serve`) bind one port, sharing its connections between them. So the
    address is tried first with a plain socket, which a listener refuses; SO_REUSEADDR lets it past the
    closed connections of a server that just stopped (TIME_WAIT), as granian's own bind would.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as error:
        raise ConfigError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ConfigError(f"cannot listen on {host}:{port}: address already in use (another server "
                                  "listens there; choose another --port)") from None
            raise ConfigError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


def check_remote_store(settings: dict) -> list[str]:
    """Before serving a remote store: with updates on, build the merge if the engine lacks it; check that
    an engine with only a server-wide time limit (oxigraph serve --timeout-s) has one within
    QUERY_TIMEOUT, else raise ConfigError, since a query the API stops would run on in the engine.
    The store is opened as the app opens it, read replicas included, and read on the first that answers:
    a primary that is down while a replica answers does not stop the start (StoreUnavailable if none does).
    Returns what the operator should know (an engine too small to check, a merge missing)."""
    from kg.settings import store_options
    from kg.store.remote import RemoteStore

    spec, limit = settings["STORE"], settings["QUERY_TIMEOUT"]
    store = RemoteStore(spec, **{**store_options(settings), "timeout": limit})
    try:
        return _checked(store, spec, limit, settings["UPDATES_ENABLED"])
    except StoreUnavailable as error:
        urls = store.replicas.urls if store.replicas is not None else [spec]
        raise StoreUnavailable(f"cannot start: no query URL of the store answers ({', '.join(urls)}): {error}") \
            from None
    finally:
        store.close()


def refuse_union(store, spec: str) -> None:
    """ConfigError where the remote engine unions its graphs into its default graph, which holds kg's merge:
    every triple would be counted twice (helper-196: 64 claims of the analysts, not 2)."""
    if store.unions_graphs():
        raise ConfigError(f"the store at {spec} makes its default graph the union of all its graphs (oxigraph serve "
                          "--union-default-graph), where kg keeps the merge of the named graphs itself: every triple "
                          "would be read twice. Start it without --union-default-graph")


def _checked(store, spec: str, limit: float, updates: bool) -> list[str]:
    from kg.store.remote_checks import TIME_LIMIT_GRACE

    notes = []
    refuse_union(store, spec)
    if updates:
        if store.migrate():
            notes.append(f"built the merge of the named graphs in {spec} (data loaded before, or by other means)")
    elif store.lacks_merge():
        notes.append(f"{spec} holds graphs but not their merge: queries miss them until a write-enabled "
                     "`kg serve` or `kg load` builds it")
    if store.dialect.server_timeout and limit:
        holds = store.time_limit_holds(limit)
        if holds is False:
            raise ConfigError(f"the store at {spec} did not stop a long query within QUERY_TIMEOUT ({limit:g}s) "
                              f"and a grace of {TIME_LIMIT_GRACE:g}s: "
                              f"start it with a time limit no longer (oxigraph serve --timeout-s {int(limit)})")
        if holds is None:
            notes.append(f"could not check the time limit of {spec}: too little data to make a long query; "
                         f"start it with --timeout-s {int(limit)} or less")
    return notes
