"""What a query worker that did not start in time was doing: it starts with a file of its own, which faulthandler
fills with every thread's stack on TRACE_SIGNAL; the pool sends that signal before it gives up on the worker."""

from __future__ import annotations

import faulthandler
import logging
import os
import re
import signal
import subprocess
import tempfile

log = logging.getLogger(__name__)

# Not SIGTERM or SIGINT: a server process starts its workers with those held (kg.serve). With chain=True the
# default action follows the dump, so the worker ends once its stacks are written: the parent waits for that.
TRACE_SIGNAL = signal.SIGUSR1
# The first thing a worker runs (sys.argv[2]: the file's descriptor), so that a worker stuck in its imports is seen
# too; the signal is let through in case the process that started it held it (a worker inherits the mask).
ARM = "import faulthandler, signal, sys; " \
      "faulthandler.register(signal.SIGUSR1, file=int(sys.argv[2]), all_threads=True, chain=True); " \
      "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1}); "
TRACE_WAIT = 5.0  # seconds for a signalled worker to write its stacks and end
FRAMES_SAID = 3  # innermost frames of the main thread told in the error
_FRAME = re.compile(r'\s*File "(?:.*[/\\])?([^/\\"]+)", line (\d+) in (\S+)')


def trace_file():
    """An unnamed file for a worker's stacks (a file, not a pipe: a full pipe would stop the worker mid-dump)."""
    return tempfile.TemporaryFile(prefix="kg-worker-")


def disarm(fd: int | None) -> None:
    """In the worker, once its store is open: the signal's default action again, and the file let go."""
    if fd is None:
        return
    faulthandler.unregister(TRACE_SIGNAL)
    os.close(fd)


def stuck(process: subprocess.Popen, trace, seconds: float) -> str:
    """Why a worker that has not reported in `seconds` is given up: the innermost frames of its main thread
    (every thread's whole stack goes to the log), or the kernel's word on it if it wrote none. The caller ends it."""
    try:
        process.send_signal(TRACE_SIGNAL)
        process.wait(timeout=TRACE_WAIT)
    except subprocess.TimeoutExpired:  # in the kernel (disk sleep, say), or the signal held
        pass
    state = _kernel_state(process.pid) if process.poll() is None else ""
    trace.seek(0)
    stacks = trace.read().decode("utf-8", "replace").strip()
    said = f"a query worker did not start within {seconds:g}s"
    if not stacks:
        log.warning("%s and wrote no stacks%s", said, f" ({state})" if state else "")
        return f"{said}; it wrote no stacks" + (f" ({state})" if state else "")
    log.warning("%s; its threads, most recent call first:\n%s", said, stacks)
    main = stacks.split("\n\n")[-1]  # faulthandler lists the newest thread first, so the main thread last
    frames = [f"{found[1]}:{found[2]} in {found[3]}" for line in main.splitlines() if (found := _FRAME.match(line))]
    return f"{said}; it was at {' < '.join(frames[:FRAMES_SAID]) or 'no Python frame'}"


def _kernel_state(pid: int) -> str:
    """What Linux says the process is doing (its state and the kernel function it waits in); '' elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as stat, open(f"/proc/{pid}/wchan") as wchan:
            state = stat.read().rsplit(")", 1)[1].split()[0]
            waiting = wchan.read().strip()
    except (OSError, IndexError):
        return ""
    return f"state {state}" + (f", waiting in {waiting}" if waiting and waiting != "0" else "")
