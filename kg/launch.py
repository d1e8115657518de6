"""The `kg` script's entry point: a Ctrl-C while kg's modules are still loading ends it as one at any later
stage does (kg.errors.INTERRUPTED, exit 130), not with a traceback; so it imports nothing at its top."""


def main():
    try:
        from kg.cli import main as commands
    except KeyboardInterrupt:
        _interrupted()
    return commands()


def _interrupted():
    """Say that Ctrl-C stopped kg, and exit 130. Imported only now (the script imports this module outside any
    try, so a module-level import here was a window a Ctrl-C could land in, with a traceback)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the message short
    import sys

    from kg.errors import EXIT_INTERRUPTED, INTERRUPTED

    print(INTERRUPTED, file=sys.stderr, flush=True)
    sys.exit(EXIT_INTERRUPTED)
