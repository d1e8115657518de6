"""An on-disk store's own files, as kg reads them without opening the store: whether there is one, the
writer's lock, the write log, and the version (kg.store.stamp, else the files' times)."""

from __future__ import annotations

import fcntl
import os
import shlex
import shutil
import sys
from os import PathLike
from pathlib import Path

from kg.errors import StoreLocked, StoreMissing, StoreUnavailable, os_error_words, shown_text
from kg.store import siblings, staging, stamp, views


def check_present(path: Path) -> None:
    """Raise StoreMissing unless a store is at `path`: RocksDB's CURRENT file, or a staged load's commit marker
    beside it (the directory is away for a moment while the copy is swapped in, kg.store.staging)."""
    if _holds_store(path):
        return
    check_room(path)  # a file or a folder of other things: no command below could make a store there
    spec = shlex.quote(f"oxigraph:{path}")  # as the commands below are typed
    raise StoreMissing(f"there is no store at {path}; create one with `kg load FILE --store {spec}` or "
                       f"`kg build --install --store {spec}`")


def check_room(path: Path) -> None:
    """Raise StoreUnavailable unless a writer may open or make a store at `path`: one is there, nothing is, or an
    empty directory. A store takes its directory whole: a bulk load swaps in a copy of the store's own files, so
    anything else kept in it would be deleted (kg.store.staging)."""
    if _holds_store(path) or not os.path.lexists(path):
        return
    if path.is_symlink() and not path.exists():
        raise StoreUnavailable(f"{_no_folder(path)}: make that directory, or name another for the store")
    if not path.is_dir():
        raise StoreUnavailable(f"{path} is a file, not a store: name a directory for the store (a new or empty one)")
    with os.scandir(path) as entries:
        names = sorted(entry.name for entry in entries)
    if names:
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        raise StoreUnavailable(f"{path} is a directory holding other files ({shown}), not a store: a store needs a "
                               "directory of its own (a new or empty one), whose files its loads replace")


def folders_fault(path: Path, error: OSError) -> str:
    """Why the folders above a store at `path` could not be made (`error`: mkdir's), in words."""
    for folder in reversed(path.parents):  # from the root down: the first one in the way
        if os.path.lexists(folder) and not folder.is_dir():
            return f"{_no_folder(folder)}, and the store's path {path} goes through it"
    return f"cannot make the folders above the store at {path}: {os_error_words(error)}"


def _no_folder(path: Path) -> str:
    """What stands at `path` in place of a folder: a file, or a symbolic link to nothing."""
    if path.is_symlink() and not path.exists():
        return f"{path} is a symbolic link to {os.readlink(path)}, which is not there"
    return f"{path} is a file, not a folder"


def holds_store(path: Path) -> bool:
    """Whether a store is at `path` (see check_present)."""
    return _holds_store(path)


def _holds_store(path: Path) -> bool:
    return (path / "CURRENT").is_file() or siblings.beside(path, "committed").exists()


def directory_changed_at(path: str | PathLike) -> float:
    """The newest modification time among an on-disk store's files: any write changes it."""
    with os.scandir(path) as entries:
        return max((entry.stat().st_mtime for entry in entries if entry.is_file()), default=0.0)


def disk_version(path: str | PathLike) -> tuple[int, float]:
    """(number, Unix time) of an on-disk store's last change: the stamp every write through kg leaves
    beside it (kg.store.stamp), else, for a store no kg writer has opened, the newest of its files."""
    found = stamp.read(path)
    if found is None:
        modified = directory_changed_at(path)
        return int(modified * 1_000_000), modified
    return found


def write_log(path: str | PathLike) -> tuple[int, int]:
    """(number, size in bytes) of an on-disk store's current write log (RocksDB's highest-numbered NNNNNN.log;
    its numbers only grow), or (0, 0) if there is none. RocksDB may reuse an old log file, size and all, so
    the size says how much the log grew since a look at the same file, not how much it holds."""
    with os.scandir(path) as entries:
        logs = [(int(entry.name[:-4]), entry) for entry in entries
                if entry.name.endswith(".log") and entry.name[:-4].isascii() and entry.name[:-4].isdigit()]
    if not logs:
        return 0, 0
    number, entry = max(logs, key=lambda log: log[0])
    return number, entry.stat().st_size


def writer_lock(path: Path) -> int:
    """Hold the store's lock file (a sibling, so it survives the swap of a bulk load) and return its
    descriptor (closing it lets go), or raise StoreUnavailable at once naming the process that holds it,
    which the lock file says (its id and command line)."""
    name = lock_path(path)
    while True:
        try:
            handle = os.open(name, os.O_RDWR | os.O_CREAT, 0o644)
        except PermissionError as error:  # a read-only folder (or lock file): said with where kg keeps its files
            raise StoreUnavailable(f"cannot take the writer's lock of the store at {path} ({os_error_words(error)}): "
                                   "its lock, version and read views sit beside it, so the folder "
                                   f"{name.parent} (and the lock file, if there) must be writable") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 512, 0).decode("utf-8", "replace").strip() or "another process"
            os.close(handle)
            raise StoreLocked(f"the store at {path} is open for writing by {holder}; one process at a time "
                                   "may write (readers such as kg query need no lock)") from None
        if _same_file(handle, name):
            break
        os.close(handle)  # a writer that made no store removed this file as we opened it (remove_made): again
    try:  # held from here: a failure (no space left for the holder's name) must let go, or this process keeps it
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"process {os.getpid()} ({_command()})\n".encode("utf-8"), 0)
    except BaseException:
        os.close(handle)
        raise
    return handle


def _command() -> str:
    """This process's command line, shortened: `kg serve --enable-updates`, `kg load data.ttl`."""
    program = "python -c" if not sys.argv or sys.argv[0] in ("", "-c") else Path(sys.argv[0]).name
    text = shown_text(" ".join([program, *sys.argv[1:]]))  # an argument's byte that is not UTF-8 as \\xNN
    return text if len(text) <= 300 else text[:299] + "…"


def lock_path(path: Path) -> Path:
    return siblings.beside(path, "lock")


def _same_file(handle: int, name: Path) -> bool:
    try:
        found = os.stat(name)
    except FileNotFoundError:
        return False
    held = os.fstat(handle)
    return (held.st_dev, held.st_ino) == (found.st_dev, found.st_ino)


def entries(path: Path) -> set[str]:
    """The names in the store's real directory now (none if it is not there): what a writer found before it made a store."""
    try:
        with os.scandir(siblings.real(path)) as found:
            return {entry.name for entry in found}
    except (FileNotFoundError, NotADirectoryError):
        return set()


def remove_made(path: Path, lock: int, *, directory: bool, found: set[str] = frozenset(),
                folders: list[Path] = ()) -> None:
    """Remove what kg keeps beside a store that a writer holding `lock` made and must not leave (its opening or its
    first load failed): the version, the views, a staged load's files, the store's `directory` itself if asked (else
    the engine's files in it, any name but those `found` there before), then the lock file, which is let go, and the
    parent `folders` made for it (deepest first) if they are empty. A later writer that opened the lock file
    meanwhile tries again."""
    made = [stamp.stamp_path(path), views.views_dir(path)] + [staging.sibling(path, role) for role in
                                                               ("staging", "committed", "old")]
    inside = siblings.real(path)
    if not directory and inside.is_dir():  # an empty directory given: RocksDB's files go, the directory stays
        made += [inside / name for name in entries(path) - set(found)]
    for each in made + ([path] if directory else []):
        _remove(each)
    lock_path(path).unlink(missing_ok=True)
    os.close(lock)
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:  # another's file came into it meanwhile: it stays, with the rest above it
            break


def _remove(found: Path) -> None:
    if found.is_dir() and not found.is_symlink():
        shutil.rmtree(found, ignore_errors=True)
    elif os.path.lexists(found):
        found.unlink()
