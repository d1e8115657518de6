"""The malloc `kg serve` and its query workers run with, and how a worker gives freed memory back.

The engine (Rust, in pyoxigraph) and Python allocate through the C library's malloc. The engine's hash
aggregations cost about a sixth less CPU on jemalloc than on glibc's malloc, a lookup through the server about
a tenth (benchmarks/README.md, 2026-12-04), so `kg serve` execs its supervisor, and a pool its query workers,
with jemalloc preloaded where it is installed (Debian: libjemalloc2). Preloading is the dynamic loader's
(LD_PRELOAD), so Linux only.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

from kg.errors import ConfigError

AUTO, SYSTEM, JEMALLOC = "auto", "system", "jemalloc"
_ALL_ARENAS = 4096  # MALLCTL_ARENAS_ALL: "arena.4096.purge" purges every arena


def choice(text) -> str:
    """The MALLOC setting read: auto, system, jemalloc, or the path of a malloc library; ConfigError else."""
    value = str(text).strip()
    if value.lower() in (AUTO, SYSTEM, JEMALLOC):
        return value.lower()
    if os.sep in value and _is_shared_library(value):
        return value
    raise ConfigError(f"{value!r} is not a malloc: say auto, system, jemalloc, or the path of a library file")


def _is_shared_library(path: str) -> bool:
    """Whether `path` is an ELF file (the dynamic loader would skip anything else with a warning, unsaid)."""
    try:
        with open(path, "rb") as file:
            return file.read(4) == b"\x7fELF"
    except OSError:
        return False


def preload(setting: str) -> str | None:
    """The library a worker preloads for `setting` (a value of choice()), None for the C library's malloc.

    ConfigError where jemalloc or a library is asked for and cannot be preloaded here; auto falls back to None.
    """
    if setting == SYSTEM:
        return None
    if not sys.platform.startswith("linux"):
        if setting == AUTO:
            return None
        raise ConfigError(f"MALLOC={setting} needs Linux (the library is preloaded by LD_PRELOAD)")
    if setting not in (AUTO, JEMALLOC):
        return setting
    found = ctypes.util.find_library("jemalloc")  # a soname such as libjemalloc.so.2, which the loader finds
    if found is None and setting == JEMALLOC:
        raise ConfigError("MALLOC=jemalloc, but no jemalloc library is installed (Debian: libjemalloc2)")
    return found


def environment(library: str | None) -> dict[str, str] | None:
    """The environment of a worker that preloads `library` (None: this process's own, unchanged)."""
    if library is None:
        return None
    others = os.environ.get("LD_PRELOAD", "")
    if library in others.replace(":", " ").split():  # inherited already (kg serve preloads it for its processes)
        return dict(os.environ)
    return dict(os.environ, LD_PRELOAD=f"{library} {others}".strip())


def give_back() -> bool:
    """Return the heap's free pages to the system (jemalloc's purge, glibc's malloc_trim); False where there is
    no such call. Without it an idle worker's memory would not shrink after its store is closed."""
    process = ctypes.CDLL(None)
    if hasattr(process, "mallctl"):
        command = f"arena.{_ALL_ARENAS}.purge".encode()
        return process.mallctl(command, None, None, None, ctypes.c_size_t(0)) == 0
    try:
        trim = process.malloc_trim
    except AttributeError:  # not glibc (musl, macOS)
        return False
    trim(0)
    return True
