"""A writer process stopped by a signal just as it starts to publish its read view, its write committed."""

from __future__ import annotations

import subprocess
import sys


def stopped_at_publish(path, signal_name: str, update: str) -> subprocess.CompletedProcess:
    """Run `update` on the store at `path` in a child process that sends itself `signal_name` (SIGKILL, SIGINT)
    where kg.store.views.publish would start."""
    script = ("import os, signal\n"
              "from kg.store import views\n"
              "from kg.store.oxigraph import OxigraphStore\n"
              f"views.publish = lambda engine, store: os.kill(os.getpid(), signal.{signal_name})\n"
              f"OxigraphStore({str(path)!r}).update({update!r})\n")
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
