"""Run the HTTP API under granian; `kg serve` calls this. Granian and Flask stay out of kg's imports."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
from pathlib import Path

from kg import allocator, serve_signals
from kg.child import python_command
from kg.errors import EXIT_INTERRUPTED, INTERRUPTED, KGError, os_error_words
from kg.serve_checks import check_address
from kg.serve_directories import metrics_directory, run_directory

HEADER_READ_SECONDS = 10  # a client that has not sent its whole request head by then is cut off
HTTP_BUFFER_BYTES = 1 << 20  # longest request head granian reads (431 past it); the app answers 414 past 8190 bytes of URI
BODY_READ_SECONDS = 10.0  # api.rsgi's limit on reading a body (copied, tested equal: the master process stays without the app)
# Connections a server process holds at once: granian's default (its backlog, 1024) let 1,100 connections that
# never send a byte stop the server answering anyone (they are never timed out); the open-file limit is raised to fit.
CONNECTIONS = 16384
STOP_GRACE_SECONDS = 5  # after SIGTERM, a worker's requests in flight get their time limit and this, then it is killed


def run(*, host: str, port: int, workers: int, threads: int, config: dict) -> None:
    """Serve api.create_app(config) with granian (a Rust HTTP server) until stopped.

    Granian reads request heads and writes responses in Rust, asynchronously, and api.rsgi reads bodies on
    its event loop: an idle or slow connection holds no request thread, so clients that send nothing, or a
    byte a second, cannot starve the others. Each server process builds the app after it starts (nothing
    RocksDB-backed is opened in the parent before it forks). On POSIX this process then becomes granian's
    supervisor (exec, same pid): what the checks before imported (pyoxigraph, about 25 MB) is not kept.
    """
    from kg.settings import resolve

    check_address(host, port)  # again, just before binding: the store may have taken a while to prepare
    # The malloc is chosen before anything is made that a refusal (ConfigError) would leave behind; the dynamic
    # loader preloads it into the supervisor, and the server processes inherit it (kg.allocator).
    preloaded = allocator.preload(resolve(config)["MALLOC"]) if os.name == "posix" else None
    folder, made = metrics_directory()  # before any server process starts, so that all of them share it
    try:
        shared, made_shared = run_directory(config)
    except BaseException:  # a RUN_DIRECTORY that cannot be made: the metrics directory stayed behind
        if made:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    plan = {"host": host, "port": port, "workers": workers, "threads": threads,
            "config": {**config, "RUN_DIRECTORY": str(shared)},
            "remove": [str(path) for path, ours in ((folder, made), (shared, made_shared)) if ours]}
    if os.name == "posix":
        _become_supervisor(plan, preloaded)
    _supervise(plan)


# The supervisor's own program: it imports this module, kg.settings and granian, nothing that holds data.
_SUPERVISE = "from kg.serve import supervise; supervise(sys.argv[1])"
PLAN = "plan.json"  # in the run directory: what `kg serve` hands its supervisor


def _become_supervisor(plan: dict, preloaded: str | None) -> None:
    """Replace this process by a fresh Python that runs supervise(), the plan handed over in a file only this
    user may read (not the command line, which every user may read: a store URL may hold a password). Ctrl-C
    and a hangup or SIGTERM are held from here until the supervisor can clean up after them (a blocked signal stays
    blocked over exec).
    The supervisor runs with the malloc library `preloaded` (None: as this process does). Never returns."""
    environment = allocator.environment(preloaded) or os.environ  # after metrics_directory() set its variable
    handed = Path(plan["config"]["RUN_DIRECTORY"]) / PLAN
    handed.unlink(missing_ok=True)  # a killed server's
    with open(os.open(handed, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as out:
        json.dump(plan, out)
    sys.stdout.flush()
    sys.stderr.flush()
    signal.pthread_sigmask(signal.SIG_BLOCK, HELD_OVER_EXEC)
    try:  # the command line kept after the plan's path, so that ps (and pkill -f "kg serve") still name it
        os.execve(sys.executable, python_command(_SUPERVISE, str(handed), *sys.argv), environment)
    finally:  # exec failed
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD_OVER_EXEC)


def supervise(handed: str) -> None:
    """The supervisor process's entry point: read the plan `kg serve` handed over in the file `handed`, and serve."""
    path = Path(handed)
    plan = json.loads(path.read_text(encoding="utf-8"))
    path.unlink()
    try:
        _supervise(plan)
    except KeyboardInterrupt:  # as the CLI reports Ctrl-C, a second one ignored while it says so
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print(INTERRUPTED, file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    except _Stopped as stop:  # no terminal to tell: a shell's status for the signal, the run's directories gone
        sys.exit(128 + stop.signum)
    except KGError as error:  # as the CLI reports its errors: one line, no traceback
        sys.exit(f"error: {error}")
    except OSError as error:
        sys.exit(f"error: {os_error_words(error)}")


class _Stopped(Exception):
    """SIGHUP or SIGTERM while the supervisor starts, before the server takes it as a stop (_stop_on_hangup,
    granian's own handlers)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _stopped(signum, frame):
    raise _Stopped(signum)


# Signals `kg serve` blocks over its exec: the supervisor's default actions for them would leave the run's
# directories behind (a Ctrl-C held since before exec is raised within _supervise's try; a hangup or SIGTERM too).
_STOPPING = {signal.SIGHUP, signal.SIGTERM} if hasattr(signal, "SIGHUP") else {signal.SIGTERM}
HELD_OVER_EXEC = {signal.SIGINT, *_STOPPING}


def _supervise(plan: dict) -> None:
    try:
        if hasattr(signal, "pthread_sigmask"):
            for signum in _STOPPING:
                if signal.getsignal(signum) is not signal.SIG_IGN:  # nohup's hangup stays ignored
                    signal.signal(signum, _stopped)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD_OVER_EXEC)
        _run(host=plan["host"], port=plan["port"], workers=plan["workers"], threads=plan["threads"],
             config=plan["config"])
    finally:
        for path in plan["remove"]:
            shutil.rmtree(path, ignore_errors=True)


def _run(*, host: str, port: int, workers: int, threads: int, config: dict) -> None:
    from functools import partial

    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.http import HTTP1Settings
    from granian.log import LogLevels
    from kg.settings import resolve

    # HTTP/1.1 alone: api.rsgi's backpressure (a connection's send queue) and its cut of a failed answer's
    # connection are per connection, which HTTP/2 shares between streams; granian's "auto" also took h2c.
    server = _server_class()("kg.serve:app", address=host, port=port, interface=Interfaces.RSGI, http=HTTPModes.http1,
                             workers=workers, websockets=False, loop=Loops(event_loop()),
                             log_level=LogLevels.info, log_access=False,
                             backlog=CONNECTIONS, backpressure=CONNECTIONS,
                             workers_kill_timeout=stop_grace(resolve(config)),
                             http1_settings=HTTP1Settings(header_read_timeout=HEADER_READ_SECONDS * 1000,
                                                          max_buffer_size=HTTP_BUFFER_BYTES))
    _stop_on_hangup(server)
    _allow_open_files(workers * CONNECTIONS + 1024)
    server.serve(target_loader=partial(_load_app, config, threads), wrap_loader=False)


def _stop_on_hangup(server) -> None:
    """SIGHUP (the terminal that runs kg serve closed) stops `server` as SIGTERM does, from now on, where granian
    took it as "respawn the workers": the server lived on with no terminal, holding the port and the store.
    A hangup ignored as kg serve started (nohup) stays ignored, here and in the server processes."""
    if hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
        signal.signal(signal.SIGHUP, server.signal_handler_interrupt)


def event_loop() -> str:
    """The server processes' event loop: uvloop where it is installed (a dependency, but on Windows), whose
    hand-overs between the loop and the request threads cost a lookup about 10% less CPU than asyncio's.
    Named, not granian's "auto", which would take rloop (experimental) wherever that is installed."""
    from importlib.util import find_spec

    return "uvloop" if find_spec("uvloop") is not None else "asyncio"


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
        signal_handler_reload = None  # granian then leaves SIGHUP's handling as _stop_on_hangup set it

        def _spawn_worker(self, *args, **kwargs):
            worker = super()._spawn_worker(*args, **kwargs)
            if isinstance(worker.inner, BaseProcess):  # not a thread, as on a free-threaded Python
                worker.is_alive = lambda: worker_alive(worker.inner)
                worker.start = serve_signals.held_over_start(worker.start)
            return worker

    return KgServer


def _load_app(config: dict, threads: int):
    """Build the app in a server process; as the process stops, its store closes and its live gauges go."""
    from api import create_app
    from api.fast_sparql import worth_offering
    from api.rsgi import RSGIApp

    if hasattr(signal, "SIGHUP"):  # the supervisor's to act on: it stops this process as on SIGTERM, answers finished
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    serve_signals.stop_once()  # granian sets its handlers after this returns
    app = create_app(config)

    def closing():
        app.extensions["sahel-kg"].close()
        if app.extensions.get("sahel-kg.access-log") is not None:
            app.extensions["sahel-kg.access-log"].close()  # writes the lines still queued
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())

    return RSGIApp(app, threads=threads, max_body=app.config["MAX_BODY_BYTES"], closing=closing,
                   at_once=worth_offering, refused=app.extensions["sahel-kg.accounting"].refused_by_server,
                   ready=serve_signals.let_through)
