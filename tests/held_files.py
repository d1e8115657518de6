"""Which files of a folder a process holds open, read from /proc (Linux): how tests see a store view open or closed."""

from __future__ import annotations

import os


def held_files(pid: int, under) -> list[str]:
    """The files under the folder `under` that process `pid` holds open (" (deleted)" ends one without a name)."""
    found = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:  # closed meanwhile
            continue
        if target.startswith(str(under)):
            found.append(target)
    return found
