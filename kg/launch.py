"""The `kg` script's entry point: a Ctrl-C while kg's modules are still loading ends it as one at any later
stage does (kg.errors.INTERRUPTED, exit 130), not with a traceback; so it imports nothing at its top."""


def main():
    try:
        _closed_streams_as_null()
        from kg.cli import main as commands
    except KeyboardInterrupt:
        _interrupted()
    return commands()


def _closed_streams_as_null():
    """Standard input, output or error closed when kg starts (`kg query <&-`) is opened on /dev/null, as a daemon's
    are: Python leaves it None, and each command's first use of it ended in a traceback."""
    import os
    import sys

    for number, name, flags in ((0, "stdin", os.O_RDONLY), (1, "stdout", os.O_WRONLY), (2, "stderr", os.O_WRONLY)):
        if getattr(sys, name) is not None:
            continue
        opened = os.open(os.devnull, flags)  # the lowest free number: this one, where it is closed
        if opened != number:
            os.dup2(opened, number)
            os.close(opened)
        setattr(sys, name, open(number, "r" if flags == os.O_RDONLY else "w", encoding="utf-8"))


def _interrupted():
    """Say that Ctrl-C stopped kg, and exit 130. Imported only now (the script imports this module outside any
    try, so a module-level import here was a window a Ctrl-C could land in, with a traceback)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the message short
    import sys

    from kg.errors import EXIT_INTERRUPTED, INTERRUPTED

    print(INTERRUPTED, file=sys.stderr, flush=True)
    sys.exit(EXIT_INTERRUPTED)
