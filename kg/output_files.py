"""Files written whole: readers see the old content or the new, never a part, and the file keeps its mode,
owner, group and hard links (`kg export -o`, `kg query -o`, `kg build --out`, `kg claims draft`)."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path


def write_atomically(path: Path, data) -> None:
    """Write bytes, or an iterable of byte chunks, to a file so that readers see the old content or the
    new, never a part."""
    with atomic_output(path) as out:
        for chunk in [data] if isinstance(data, bytes) else data:
            out.write(chunk)


def write_whole(out, data: bytes) -> None:
    """`data` to the binary stream `out` whole: a buffered write of more than a pipe holds may write part and say so,
    with no error, where the reader has gone (`kg build | head -c 10` exited 0); the next write then raises. Bytes,
    never a view, go to `out`: the shell's stream decodes what it is given. A write that returns no count (None)
    took it all."""
    while data:
        written = out.write(data)
        if written is None or written >= len(data):
            return
        data = data[written:]


def not_a_regular_file(path: Path) -> bool:
    """Whether `path` (a link's target, if a link) exists and is no regular file: /dev/null, a FIFO, a terminal."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return False


@contextlib.contextmanager
def atomic_output(path: Path):
    """A binary file to write `path` through: it replaces `path` only once the block ends without error.

    As a shell's `>` does, a symbolic link is followed (its target is replaced, the link kept) and a path
    that is not a regular file (/dev/null, a FIFO, a terminal) is written in place: replacing it would put
    a plain file where a device or a pipe was. The new file keeps the old one's mode, owner and group; where
    renaming would split a hard link or the owner cannot be kept, the finished text is copied over the file
    (as vim's backupcopy=auto does), so only a failure during that copy can leave a part. Raises OSError
    naming `path`, and its folder where no file can be made there.
    """
    if not_a_regular_file(path):
        try:
            with open(path, "wb") as out:
                yield out
        except OSError as error:  # a full /dev/full, a closed FIFO: named for the file, as the others are
            if error.filename is None:
                raise OSError(error.errno, error.strerror, str(path)) from None
            raise
        return
    path = Path(os.path.realpath(path))
    try:
        old = os.stat(path)
    except FileNotFoundError:
        old = None
    if old is not None and not os.access(path, os.W_OK):  # a read-only file is kept, as a shell's `>` keeps it
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as error:  # named for the file asked for, not the temporary one beside it
        raise _no_file_beside(path, old, error) from None
    try:
        owned = old is None or _same_owner(handle, old)  # first: a linked file may yet be replaced (see below)
        in_place = old is not None and (old.st_nlink > 1 or not owned)
        os.fchmod(handle, stat.S_IMODE(old.st_mode) if old else _new_file_mode())  # mkstemp makes it 0600
        with os.fdopen(handle, "wb") as out:
            yield out
        if not (in_place and _copied_over(temporary, path)):
            os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _no_file_beside(path: Path, old: os.stat_result | None, error: OSError) -> OSError:
    """Why `path` cannot be written through a new file beside it: in words that say so where its folder is there
    (/proc takes no new file, and "No such file or directory: /proc/version" would deny a file that is)."""
    if not path.parent.is_dir():
        return OSError(error.errno, error.strerror, str(path))
    what = f"cannot create {path}" if old is None else f"cannot write {path}"
    return OSError(error.errno, f"{what}: no file can be made in {path.parent} to write it whole ({error.strerror})")


def _same_owner(handle: int, old: os.stat_result) -> bool:
    """Give the new file the old one's owner and group; False where this process may not."""
    new = os.fstat(handle)
    if (new.st_uid, new.st_gid) == (old.st_uid, old.st_gid):
        return True
    try:
        os.fchown(handle, old.st_uid, old.st_gid)  # root may; others only to a group of theirs
        return True
    except PermissionError:
        return False


def _copied_over(temporary: str, path: Path) -> bool:
    """Copy the finished file over `path` in place and remove it; False if `path` cannot be opened to write
    (it is replaced then, as its directory allows: the write asked for is done, the link or owner lost)."""
    import shutil

    try:
        target = open(path, "r+b")
    except PermissionError:
        return False
    with target, open(temporary, "rb") as source:
        shutil.copyfileobj(source, target, 1 << 20)
        target.truncate()
    os.unlink(temporary)
    return True


def _new_file_mode() -> int:
    """The mode of a new file under this process's umask."""
    umask = os.umask(0o022)  # reading the umask means setting it: put it back at once
    os.umask(umask)
    return 0o666 & ~umask
