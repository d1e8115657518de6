"""The files kg keeps beside an on-disk store (`.NAME.lock`, `.version`, `.views`, a bulk load's `.staging`...).

They sit beside the directory the store's path names, links followed: every name of one store (a symbolic
link and its target) then finds the same lock, stamp and views, and a bulk load's swap renames directories
within their own file system, leaving a link in place.
"""

from __future__ import annotations

import os
from os import PathLike
from pathlib import Path


def real(store: str | PathLike) -> Path:
    """The store's directory, symbolic links followed (a path that is not there yet is kept as given)."""
    return Path(os.path.realpath(store))


def beside(store: str | PathLike, role: str) -> Path:
    """The sibling `.NAME.ROLE` of the store's real directory."""
    found = real(store)
    return found.with_name(f".{found.name}.{role}")
