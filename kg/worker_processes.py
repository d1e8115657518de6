"""The worker processes of a WorkerPool (kg.runner): started as fresh interpreters, waited for until they
have opened the store, killed and replaced in the background, and how a worker's death reads."""

from __future__ import annotations

import queue
import socket
import subprocess
import threading
from multiprocessing.connection import Connection

from kg import allocator, memory_cap, worker_trace
from kg.child import python_command
from kg.errors import QueryMemoryExceeded, StoreUnavailable

START_SECONDS = 60.0
RESTART_PAUSE = 0.1  # seconds before a failed worker restart is tried again, doubled each time...
RESTART_PAUSE_MAX = 5.0  # ...up to this: the store may be moved away for a while (a staged bulk load)
DEATH_WAIT = 5.0  # seconds to wait for the exit status of a worker that hung up (it is exiting)

# The worker's entry point, imported by name (not run as __main__), so that pickled classes (kg.answers')
# resolve to the same modules in both processes. Its arguments: the connection's descriptor, the stacks file's.
WORKER_COMMAND = worker_trace.ARM + "from multiprocessing.connection import Connection; " \
                 "from kg.worker import serve; serve(Connection(int(sys.argv[1])), trace=int(sys.argv[2]))"


class WorkerProcesses:
    """close and the starting, replacing and ending of workers; the pool's state (_lock, _closed, _idle,
    _processes, _pending, failed_starts, on_replace, path, options, max_size, start_seconds) is WorkerPool's own."""

    def close(self) -> None:
        """Stop every worker, idle, busy or starting; a restart under way puts none back."""
        with self._lock:
            self._closed.set()
            processes = list(self._processes)
        while True:
            try:
                self._idle.get_nowait()[1].close()
            except queue.Empty:
                break
        for process in processes:
            process.kill()
            self._wait(process)

    def _start(self):
        """A fresh interpreter running kg.worker, talking over a socket pair (no fork of this process).

        In a session of its own: a terminal's Ctrl-C (SIGINT to its foreground process group) reached it too, so
        a worker mid-answer died before its console or server decided (a server stopping on Ctrl-C cut the
        answers it meant to finish), and one still starting printed a traceback. The parent ends it (kill, or
        hanging up); it ends itself when the parent goes (kg.worker)."""
        ours, theirs = socket.socketpair()
        trace = worker_trace.trace_file()
        try:
            process = subprocess.Popen(python_command(WORKER_COMMAND, str(theirs.fileno()), str(trace.fileno())),
                                       pass_fds=[theirs.fileno(), trace.fileno()], stdin=subprocess.DEVNULL,
                                       start_new_session=True, env=allocator.environment(self.options.malloc))
        except BaseException:
            trace.close()
            ours.close()
            raise
        finally:
            theirs.close()
        process.start_trace = trace  # read if it does not start in time (_ready), closed once it has or is ended
        worker = process, Connection(ours.detach())
        with self._lock:
            self._processes.add(process)
        if self._closed.is_set():  # closed while it started: close() may not have seen it
            self._end(worker)
            raise StoreUnavailable("the query workers are closed")
        worker[1].send((self.path, self.options))
        return worker

    def _ready(self, worker):
        """The worker once it has opened the store; else it is ended and the reason raised."""
        process, connection = worker
        try:
            # a worker reading from memory first copies the whole store: allow for a large one
            seconds = self.start_seconds * (10 if self.options.in_memory else 1)
            kind, value = connection.recv() if connection.poll(seconds) else \
                ("error", StoreUnavailable(worker_trace.stuck(process, process.start_trace, seconds)))
        except (EOFError, OSError):
            kind, value = "error", StoreUnavailable("a query worker died as it started")
        if kind == "error":
            self._end(worker)
            raise value
        process.start_trace.close()
        return worker

    def _replace(self, worker) -> None:
        """Kill a worker now; start its successor in the background so this request can answer at once.

        The successor is tried again, after a growing pause, until it starts or the pool is closed: the
        store may be away for a while (a staged bulk load swaps its directory), and the pool must not shrink.
        """
        process, connection = worker
        process.kill()
        connection.close()
        if self.on_replace is not None:
            self.on_replace()
        with self._lock:
            self._pending += 1
        self._add_in_background(process)

    def _add_in_background(self, predecessor=None) -> None:
        """Start a worker in a thread (once `predecessor` is waited for) and make it idle; tried again after
        a growing pause until it starts or the pool is closed. The caller has counted it in _pending."""

        def start():
            try:
                if predecessor is not None:
                    self._wait(predecessor)
                pause = RESTART_PAUSE
                while not self._closed.is_set():
                    try:
                        successor = self._ready(self._start())
                    except Exception:  # the store cannot be opened now: try again later
                        with self._lock:
                            self.failed_starts += 1
                        self._closed.wait(pause)
                        pause = min(pause * 2, RESTART_PAUSE_MAX)
                        continue
                    with self._lock:
                        if not self._closed.is_set():
                            self._idle.put(successor)
                            return
                    self._end(successor)  # closed while it started
                    return
            finally:
                with self._lock:
                    self._pending -= 1

        threading.Thread(target=start, name="kg-worker-start", daemon=True).start()

    def _grow(self) -> None:
        """Start one more worker in the background when none is idle and the pool is below max_size; the query
        that found none takes it or a busy one, whichever is free first. Idle spares are not started ahead:
        each holds memory (35-45 MB, more once its engine caches warm) that a server whose queries come one at
        a time never uses."""
        with self._lock:
            if self._idle.qsize() > 0 or len(self._processes) + self._pending >= self.max_size:
                return
            self._pending += 1  # counted here, under the lock, so that two requests do not both add one
        self._add_in_background()

    def _death(self, process) -> Exception:
        """What to raise for a worker that hung up mid-query: out of memory (it aborted), or just died."""
        try:
            code = process.wait(timeout=DEATH_WAIT)
        except subprocess.TimeoutExpired:
            code = None
        if self.options.memory_limit and code in memory_cap.OUT_OF_MEMORY:
            return QueryMemoryExceeded(f"the query needed more than the {self.options.memory_limit >> 20} MiB "
                                       "a query worker may take, and was stopped")
        return StoreUnavailable("a query worker died; it is being replaced")

    def _end(self, worker) -> None:
        """Kill a worker and wait for it, so no zombie is left."""
        process, connection = worker
        connection.close()
        process.kill()
        process.start_trace.close()
        self._wait(process)

    def _wait(self, process) -> None:
        process.wait()
        with self._lock:
            self._processes.discard(process)
