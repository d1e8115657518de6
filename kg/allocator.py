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
import functools
import os
import subprocess
import sys

from kg.child import failure_line, python_command
from kg.errors import ConfigError, quoted

AUTO, SYSTEM, JEMALLOC = "auto", "system", "jemalloc"
_ALL_ARENAS = 4096  # MALLCTL_ARENAS_ALL: "arena.4096.purge" purges every arena


def choice(text) -> str:
    """The MALLOC setting read: auto, system, jemalloc, or the path of a malloc library (made absolute, so that
    a process started elsewhere finds it too); ConfigError else."""
    value = str(text).strip()
    if value.lower() in (AUTO, SYSTEM, JEMALLOC):
        return value.lower()
    if os.sep in value and _is_shared_library(value):
        if any(separator in value for separator in _PRELOAD_SEPARATORS):
            raise ConfigError(f"{quoted(value)} cannot be preloaded: LD_PRELOAD splits a path at spaces and colons")
        return os.path.abspath(value)
    raise ConfigError(f"{quoted(value)} is not a malloc: say auto, system, jemalloc, or the path of a library file")


_PRELOAD_SEPARATORS = (" ", "\t", "\n", ":")  # what the dynamic loader splits LD_PRELOAD at


def _is_shared_library(path: str) -> bool:
    """Whether `path` is an ELF file: a first, cheap look (preload() tries the library itself). The dynamic
    loader skips a library it cannot load, with a line on the standard error of every process it starts."""
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
        return _loadable_malloc(setting)
    found = ctypes.util.find_library("jemalloc")  # a soname such as libjemalloc.so.2, which the loader finds
    if found is None and setting == JEMALLOC:
        raise ConfigError("MALLOC=jemalloc, but no jemalloc library is installed (Debian: libjemalloc2)")
    return found


# Run with the library preloaded, it must be loaded (the loader skips, with a line on the standard error, an
# executable or another machine's library) and be where malloc comes from: an ELF library that defines none would
# be preloaded for nothing. Exit 3: malloc comes from elsewhere.
_TRY = """
import ctypes, os, sys
class Found(ctypes.Structure):
    _fields_ = [("file", ctypes.c_char_p), ("base", ctypes.c_void_p), ("name", ctypes.c_char_p), ("at", ctypes.c_void_p)]
process, found = ctypes.CDLL(None), Found()
if not process.dladdr(ctypes.cast(process.malloc, ctypes.c_void_p), ctypes.byref(found)) or \\
        os.path.realpath(os.fsdecode(found.file)) != os.path.realpath(sys.argv[1]):
    sys.exit(3)
"""


@functools.lru_cache(maxsize=None)
def _loadable_malloc(path: str) -> str:
    """`path`, once a Python started with it preloaded found its malloc there; ConfigError else."""
    tried = subprocess.run([sys.executable, "-c", _TRY, path], env=dict(os.environ, LD_PRELOAD=path),
                           stdin=subprocess.DEVNULL, capture_output=True, text=True)
    said = [line for line in tried.stderr.splitlines() if "LD_PRELOAD" in line]
    if said:  # ERROR: ld.so: object '...' from LD_PRELOAD cannot be preloaded (why): ignored.
        why = said[0].split("cannot be preloaded", 1)[-1].strip(" :.").removesuffix(": ignored")
        raise ConfigError(f"MALLOC={path} cannot be preloaded {why}".rstrip())
    if tried.returncode == 3:
        raise ConfigError(f"MALLOC={path} is not a malloc: malloc does not come from it once it is preloaded")
    if tried.returncode != 0:
        why = failure_line(tried.stderr, f"exit status {tried.returncode}")
        raise ConfigError(f"MALLOC={path} cannot be preloaded: {why}")
    return path


def environment(library: str | None) -> dict[str, str] | None:
    """The environment of a worker that preloads `library` (None: this process's own, unchanged)."""
    if library is None:
        return None
    if preloaded(library):  # inherited already (kg serve preloads it for its processes)
        return dict(os.environ)
    return dict(os.environ, LD_PRELOAD=f"{library} {os.environ.get('LD_PRELOAD', '')}".strip())


def preloaded(library: str) -> bool:
    """Whether this process's LD_PRELOAD names `library` (so it runs on it)."""
    return library in os.environ.get("LD_PRELOAD", "").replace(":", " ").split()


# The same kg command again: `python -c` puts "-c" in argv[0], where the command's own name (click's prog name) goes
_RERUN = "sys.argv.pop(0); from kg.launch import main; sys.exit(main())"


def rerun_on(library: str | None) -> None:
    """Replace this process by the same kg command run with `library` preloaded; return where `library` is None
    or preloaded already (that second run, among others)."""
    if library is None or preloaded(library):
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, python_command(_RERUN, *sys.argv), environment(library))


def give_back() -> bool:
    """Return the heap's free pages to the system (jemalloc's purge, glibc's malloc_trim); False where there is
    no such call. Without it an idle worker's memory would not shrink after its store is closed."""
    try:
        process = ctypes.CDLL(None)
    except (OSError, TypeError):  # no handle on the process's own symbols (Windows)
        return False
    if hasattr(process, "mallctl"):
        command = f"arena.{_ALL_ARENAS}.purge".encode()
        return process.mallctl(command, None, None, None, ctypes.c_size_t(0)) == 0
    try:
        trim = process.malloc_trim
    except AttributeError:  # not glibc (musl, macOS)
        return False
    trim(0)
    return True
