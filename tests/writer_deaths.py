"""A writer process stopped by a signal just as it starts to publish its read view, its write committed."""

from __future__ import annotations

import subprocess
import sys


def stopped_at_publish(path, signal_name: str, update: str) -> subprocess.CompletedProcess:
    """Run `update` on the store at `path` in a child process that sends itself `signal_name` (SIGKILL, SIGINT)
    where kg.store.views.publish would start. Raised in the main thread itself: a signal sent to the process may land
    on one of the engine's threads, and then went unseen before the process ended."""
    script = ("import os, signal\n"
              "signal.signal(signal.SIGINT, signal.default_int_handler)\n"  # a test run in the background ignores it
              "from kg.store import views\n"
              "from kg.store.oxigraph import OxigraphStore\n"
              f"views.publish = lambda engine, store: signal.raise_signal(signal.{signal_name})\n"
              f"OxigraphStore({str(path)!r}).update({update!r})\n")
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
