"""Run the HTTP API under granian; `kg serve` calls this. Granian and Flask stay out of kg's imports."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from kg.errors import ConfigError, StoreUnavailable
from kg.store.remote_checks import TIME_LIMIT_GRACE


def prepare_store(spec: str) -> None:
    """Install the article into an empty embedded store once, before any server process opens it.

    It runs in a child process: RocksDB starts threads that a forked server process would inherit
    without them, and such a worker crashes on its way out.
    """
    if not spec.startswith("oxigraph:"):
        return
    done = subprocess.run([sys.executable, "-c", _PREPARE, spec], capture_output=True, text=True)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["the installing process failed"]
        raise StoreUnavailable(f"cannot prepare the store {spec}: {lines[-1]}")


# The library's own errors end the child with their message alone, as the last line of its standard error.
_PREPARE = ("import sys; from kg.errors import KGError; from kg.publish import prepare\n"
            "try: prepare(sys.argv[1])\nexcept KGError as error: sys.exit(str(error))")


METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"
HEADER_READ_SECONDS = 10  # a client that has not sent its whole request head by then is cut off
HTTP_BUFFER_BYTES = 1 << 20  # longest request head granian reads (431 past it); the app answers 414 past 8190 bytes of URI
BODY_READ_SECONDS = 10.0  # api.rsgi's limit on reading a body (copied, tested equal: the master process stays without the app)
# Connections a server process holds at once: granian's default (its backlog, 1024) let 1,100 connections that
# never send a byte stop the server answering anyone (they are never timed out); the open-file limit is raised to fit.
CONNECTIONS = 16384
STOP_GRACE_SECONDS = 5  # after SIGTERM, a worker's requests in flight get their time limit and this, then it is killed


def metrics_directory() -> tuple[Path, bool]:
    """Where the server processes keep their metrics (prometheus_client's multiprocess mode), emptied of a
    previous run's files, and whether we made it (and so remove it at the end)."""
    given = os.environ.get(METRICS_DIR)
    if not given:
        made = temporary_directory("sahel-kg-metrics-")
        os.environ[METRICS_DIR] = str(made)
        return made, True
    folder = Path(given)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):  # counts of a previous run would be added to this one's
        stale.unlink()
    return folder, False


def run_directory(config: dict) -> tuple[Path, bool]:
    """The directory the server processes share (RUN_DIRECTORY: the clients' budgets), and whether we made
    it: the one the settings name, without a previous run's budgets (their clock may be another boot's),
    else a fresh temporary one."""
    from kg.settings import resolve

    given = resolve(config)["RUN_DIRECTORY"]
    if not given:
        return temporary_directory("sahel-kg-run-"), True
    folder = Path(given)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in folder.glob("budgets.sqlite3*"):
        stale.unlink()
    return folder, False


OWNER = "owner.pid"  # in a temporary directory we made: the id of the `kg serve` that removes it when it stops


def temporary_directory(prefix: str) -> Path:
    """A new directory under the system's temporary one, marked as ours; first, the directories of this
    prefix whose `kg serve` died without removing them (killed with SIGKILL, say) are removed."""
    for found in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        try:
            owner = int((found / OWNER).read_text(encoding="ascii"))
        except (OSError, ValueError):  # not marked (another tool's, an older kg's, or one being made): kept
            continue
        if not _alive(owner):
            shutil.rmtree(found, ignore_errors=True)
    made = Path(tempfile.mkdtemp(prefix=prefix))
    (made / OWNER).write_text(str(os.getpid()), encoding="ascii")
    return made


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        pass
    return True


def check_address(host: str, port: int) -> None:
    """Raise ConfigError if no server of ours could listen on host:port alone (another one listens there).

    Granian binds each worker's socket with SO_REUSEPORT on Linux, and the kernel lets any number of sockets
    that all set it (a second `kg serve`) bind one port, sharing its connections between them. So the
    address is tried first with a plain socket, which a listener refuses; SO_REUSEADDR lets it past the
    closed connections of a server that just stopped (TIME_WAIT), as granian's own bind would.
    """
    if port == 0:  # the system picks a free port
        return
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


def _checked(store, spec: str, limit: float, updates: bool) -> list[str]:
    notes = []
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


def run(*, host: str, port: int, workers: int, threads: int, config: dict) -> None:
    """Serve api.create_app(config) with granian (a Rust HTTP server) until stopped.

    Granian reads request heads and writes responses in Rust, asynchronously, and api.rsgi reads bodies on
    its event loop: an idle or slow connection holds no request thread, so clients that send nothing, or a
    byte a second, cannot starve the others. Each server process builds the app after it starts (nothing
    RocksDB-backed is opened in the parent before it forks).
    """
    check_address(host, port)  # again, just before binding: the store may have taken a while to prepare
    folder, made = metrics_directory()  # before any server process starts, so that all of them share it
    shared, made_shared = run_directory(config)
    try:
        _run(host=host, port=port, workers=workers, threads=threads, config={**config, "RUN_DIRECTORY": str(shared)})
    finally:
        if made:
            shutil.rmtree(folder, ignore_errors=True)
        if made_shared:
            shutil.rmtree(shared, ignore_errors=True)


def _run(*, host: str, port: int, workers: int, threads: int, config: dict) -> None:
    from functools import partial

    from granian.constants import Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels
    from kg.settings import resolve

    server = _server_class()("kg.serve:app", address=host, port=port, interface=Interfaces.RSGI,
                             workers=workers, websockets=False, log_level=LogLevels.info, log_access=False,
                             backlog=CONNECTIONS, backpressure=CONNECTIONS,
                             workers_kill_timeout=stop_grace(resolve(config)),
                             http1_settings=HTTP1Settings(header_read_timeout=HEADER_READ_SECONDS * 1000,
                                                          max_buffer_size=HTTP_BUFFER_BYTES))
    _allow_open_files(workers * CONNECTIONS + 1024)
    server.serve(target_loader=partial(_load_app, config, threads), wrap_loader=False)


def _allow_open_files(wanted: int) -> None:
    """Raise this process's soft limit of open files towards `wanted` (as far as the hard limit lets);
    the server processes inherit it. Many systems start at 1024, fewer than the connections held."""
    try:
        import resource
    except ImportError:  # not a Unix
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def stop_grace(settings: dict) -> float:
    """Seconds a server process may take to stop after SIGTERM: the longest a request may run, and a margin.
    granian takes no new request then but lets those in flight end: a query is answered before its process stops."""
    limits = [value for value in (settings["QUERY_TIMEOUT"], settings["UPLOAD_TIMEOUT"])
              if 0 < value < float("inf")]
    longest = max(limits) if len(limits) == 2 else 60.0  # no limit: give a minute, then kill
    return max(longest, BODY_READ_SECONDS) + STOP_GRACE_SECONDS


def worker_alive(process) -> bool:
    """Whether a server process (a multiprocessing.Process) still runs, read from its sentinel (a pipe only
    it holds open), which reaping by another thread cannot hide."""
    from multiprocessing.connection import wait

    return process.exitcode is None and not wait([process.sentinel], 0)


def _server_class():
    """granian's server, with a worker's end told by worker_alive.

    granian 2.8 waits for a stopping worker both in its stop loop and in a watcher thread
    (granian/server/common.py: AbstractServer._stop_workers, AbstractWorker._watcher). When the watcher
    reaps the worker first, the stop loop's is_alive() (multiprocessing's) finds no child to wait for and
    says True: a worker that stopped at once is logged as having "refused to gracefully stop" and killed.
    """
    from multiprocessing.process import BaseProcess

    from granian.server import Server

    class KgServer(Server):
        def _spawn_worker(self, *args, **kwargs):
            worker = super()._spawn_worker(*args, **kwargs)
            if isinstance(worker.inner, BaseProcess):  # not a thread, as on a free-threaded Python
                worker.is_alive = lambda: worker_alive(worker.inner)
            return worker

    return KgServer


def _load_app(config: dict, threads: int):
    """Build the app in a server process; as the process stops, its store closes and its live gauges go."""
    from api import create_app
    from api.fast_sparql import worth_offering
    from api.rsgi import RSGIApp

    app = create_app(config)

    def closing():
        app.extensions["sahel-kg"].close()
        if app.extensions.get("sahel-kg.access-log") is not None:
            app.extensions["sahel-kg.access-log"].close()  # writes the lines still queued
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())

    return RSGIApp(app, threads=threads, max_body=app.config["MAX_BODY_BYTES"], closing=closing,
                   at_once=worth_offering)
