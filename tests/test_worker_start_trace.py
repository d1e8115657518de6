"""A query worker that does not start in time: the error and the log say where it was stuck (kg.worker_trace)."""

from __future__ import annotations

import logging
import os
import signal
import threading

import pytest

from kg.errors import StoreUnavailable
from kg.runner import WorkerPool
from kg.store.oxigraph import OxigraphStore


@pytest.mark.parametrize("held", [False, True], ids=["", "started-with-the-signal-held"])
def test_a_worker_stuck_opening_the_store_is_reported_with_where_it_was(tmp_path, caplog, held):
    """The stuck store's version stamp is a FIFO nobody writes to: reading it blocks the worker for good. The test
    holds the FIFO's writing end, which it gets only once the worker has it open: the worker is then stuck in
    kg.store.stamp, whatever the machine's speed, before the pool is told to give up. A worker inherits the
    signal mask of the thread that starts it: one started with the stacks' signal held still writes them."""
    OxigraphStore(tmp_path / "good").close()
    pool = WorkerPool(str(tmp_path / "good"), start_seconds=60)
    os.mkfifo(tmp_path / ".stuck.version")
    writing = []
    opened = threading.Thread(target=lambda: writing.append(os.open(tmp_path / ".stuck.version", os.O_WRONLY)))
    opened.start()
    try:
        pool.path = str(tmp_path / "stuck")
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1} if held else set())
        try:
            worker = pool._start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        opened.join()  # the worker opened the FIFO to read it
        pool.start_seconds = 0.001
        # The message names the innermost frames: in the stamp's read, or, on a busy machine, still on its way from
        # the FIFO's first opening (the mapped read refused) to the blocking one (a path resolved: siblings.py).
        with caplog.at_level(logging.WARNING, logger="kg.worker_trace"), \
                pytest.raises(StoreUnavailable, match=r"did not start within 0\.001s; it was at \S+:\d+ in \w+") as caught:
            pool._ready(worker)
        assert "stamp.py" in str(caught.value) or "siblings.py" in str(caught.value), caught.value
        assert worker[0].poll() is not None  # ended, not left behind
        assert "most recent call first" in caplog.text and "oxigraph.py" in caplog.text and "stamp.py" in caplog.text
    finally:
        pool.close()
        for fd in writing:
            os.close(fd)


def test_a_worker_that_starts_in_time_keeps_no_stacks_file(tmp_path):
    """Once ready, a worker has let go of its stacks file, and so has the pool."""
    OxigraphStore(tmp_path / "store").close()
    pool = WorkerPool(str(tmp_path / "store"))
    try:
        process = pool._idle.queue[0][0]
        assert process.start_trace.closed
        assert not [name for name in os.listdir(f"/proc/{process.pid}/fd")
                    if "kg-worker-" in os.readlink(f"/proc/{process.pid}/fd/{name}")]
    finally:
        pool.close()
