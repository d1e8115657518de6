"""Stop signals in `kg serve`'s server processes (granian's workers): held until granian listens for them, and
taken once, however many come."""

from __future__ import annotations

import signal

# A server process is forked from the supervisor, whose signal handlers it keeps until granian sets its own, after
# the app is built (a second or so): a Ctrl-C or SIGTERM then was lost, and the process served on until the
# supervisor killed it at the end of the grace. It starts with them blocked; let_through ends that.
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def held_over_start(start):
    """`start` (a server process's), run with STOP_SIGNALS blocked, which the new process inherits."""
    def started():
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            start()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    return started


def let_through(loop) -> None:
    """In a server process, once granian's handlers are set: a stop signal held since it started is handled once
    `loop` runs (uvloop drops one that comes before: its handlers only listen while it runs)."""
    if hasattr(signal, "pthread_sigmask"):
        loop.call_soon(signal.pthread_sigmask, signal.SIG_UNBLOCK, STOP_SIGNALS)


def stop_once() -> None:
    """In a server process, before granian sets its handlers: each stop signal after the first is let be.

    granian 2.8 tells its server to stop through a channel of one place that is read once (WorkerSignal.set in
    its src/workers.rs): a third stop signal, or a second before the first was read, blocked the event loop in
    the handler for good, holding the GIL, and every answer still streaming stalled. A Ctrl-C in a terminal sends
    two already (SIGINT to the process group, then the supervisor's SIGTERM).
    """
    import granian._signals as granian_signals

    granian_set = granian_signals.set_loop_signals

    def set_loop_signals(loop):
        told = granian_set(loop)
        stopping = []

        def handler(signum, frame):
            if not stopping:  # the server is stopping already: its grace and the supervisor's kill stand
                stopping.append(signum)
                told.set()

        for signum in STOP_SIGNALS:
            loop.add_signal_handler(signum, handler, signum, None)
        return told

    granian_signals.set_loop_signals = set_loop_signals
