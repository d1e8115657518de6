"""The `kg` script's entry point: a Ctrl-C while kg's modules are still loading ends it as one at any later
stage does (kg.errors.INTERRUPTED, exit 130), not with a traceback; so it imports nothing else first."""

from __future__ import annotations

import signal
import sys

from kg.errors import EXIT_INTERRUPTED, INTERRUPTED


def main():
    try:
        from kg.cli import main as commands
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the message short
        print(INTERRUPTED, file=sys.stderr, flush=True)
        sys.exit(EXIT_INTERRUPTED)
    return commands()
