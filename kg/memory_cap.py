"""A cap on the memory of a query worker process, so one query cannot take the host's memory.

The cap is RLIMIT_DATA (Linux counts a process's heap and private mappings in it since 4.7), set to what
the worker holds once its store is open plus the allowance. Past it an allocation fails: the engine
(Rust) aborts the process, Python raises MemoryError; either way the query stops and the worker is replaced.
"""

from __future__ import annotations

import signal
import sys

# Signals and exit codes that say a worker ran out of memory: Rust aborts when an allocation fails.
OUT_OF_MEMORY = (-signal.SIGABRT,)


def cap(allowance: int) -> bool:
    """Limit this process to its present data size plus `allowance` bytes; False where that cannot be done."""
    if not sys.platform.startswith("linux"):
        return False
    import resource

    held = _data_size()
    if held is None:
        return False
    limit = held + allowance
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    return True


def _data_size() -> int | None:
    """Bytes this process's RLIMIT_DATA counts now (VmData of /proc/self/status), None if unknown."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None
