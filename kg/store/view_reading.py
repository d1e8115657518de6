"""How a read-only handle of the embedded store follows the writer: the published view it reads (kg.store.views),
opened anew when the store's version moves on or when one of its table files has vanished; and a copy in memory
for reading."""

from __future__ import annotations

from os import PathLike

from kg.errors import StoreUnavailable
from kg.store.engine_faults import read_again, read_only_view


class ViewReading:
    """For kg.store.oxigraph.OxigraphStore, whose handle has `read_only`, `path`, `version()`, the engine in `_store`,
    `_opened_at` (the version it opened at) and the lock files of its view and of the view before it."""

    @classmethod
    def memory_copy(cls, path: str | PathLike) -> ViewReading:
        """An in-memory store holding what the on-disk store at `path` holds now, for reading.

        Its `copied_version` is the on-disk version it copied (read before the copy, so a write landing
        during it shows as newer).
        """
        source = cls(path, read_only=True)
        try:  # a copy that fails (out of memory) lets go of the view too, which the writer may then remove
            copy = cls()
            copy._union = source._union  # a store of the old model is read as it was
            copy._store.bulk_extend(source._store.quads_for_pattern(None, None, None, None))
            copy.copied_version = source._opened_at
        finally:
            source.close()
        return copy

    def view_version(self) -> int:
        """The version of the data this handle reads: for a read-only view, the one it opened at (a write
        since is not seen until reopen_if_changed); else the store's own, as version()."""
        return self._opened_at if self.read_only else self.version()[0]

    def stale(self) -> bool:
        """Whether this read-only view misses a write made since it opened (reopen_if_changed would reopen)."""
        return self.read_only and self.version()[0] != self._opened_at

    def holds_view(self) -> bool:
        """Whether this handle has its view open now: False once let_go_unread let go of it (the next read reopens)
        or once closed."""
        return self._store is not None

    def reopen_if_changed(self) -> bool:
        """A read-only store sees what was written after it opened only once reopened: do so if needed."""
        if not self.read_only:
            return False
        changed = self.version()[0]
        if changed == self._opened_at and self._store is not None:  # None: let go of (let_go_unread), or closed
            return False
        self._reopen(changed)
        return True

    def let_go_unread(self, newest: int | None = None) -> None:
        """With no read under way: let go of the view a reopen replaced, and of this one if the store is at a newer
        version (`newest`, else read here); held, its table files stay on disk. The next read opens the newest."""
        if not self.read_only or self.path is None:
            return
        _let_go(self._earlier_lock)
        self._earlier_lock = None
        try:
            newest = self.version()[0] if newest is None else newest
        except OSError:  # the store is away for a moment (a bulk load's swap): the next read tells
            return
        if newest > self._opened_at and self._store is not None:  # versions only grow; an older look is no news
            self._store = None  # RocksDB closes its files when the last reference goes
            _let_go(self._view_lock)
            self._view_lock, self._unread = None, True

    def _reopen(self, version: int | None = None) -> None:
        """Open the newest view (or the store itself) anew; the one replaced stays held until the next reopen:
        another thread may still be reading it. An opening that fails changes nothing: the locks held stay held."""
        if self._store is None and not self._unread:  # closed: a reopen would hold a view no close() lets go of
            raise _not_open(self.path)
        version = self.version()[0] if version is None else version  # before the opening, as in __init__
        store, lock = read_only_view(self.path)
        _let_go(self._earlier_lock)
        self._store, self._view_lock, self._earlier_lock = store, lock, self._view_lock
        self._opened_at, self._unread = version, False

    def _engine(self):
        """The engine (the newest view, where let_go_unread let go of this one); StoreUnavailable where this handle
        has none (closed, or its reopening after a write failed)."""
        if self._store is None and self._unread:
            self._reopen()
        if self._store is None:
            raise _not_open(self.path)
        return self._store

    def _reading(self, read):
        """`read()`; through a read-only handle whose files vanished, reopened and read once more; one whose view
        was let go (let_go_unread) opens the newest first."""
        self._engine()
        return read_again(read, self._reopen) if self.read_only and self.path is not None else read()

    def _let_go_views(self) -> None:
        """Close the lock files of the views this handle holds, letting the writer remove them."""
        for lock in (self._view_lock, self._earlier_lock):
            _let_go(lock)
        self._view_lock = self._earlier_lock = None


def _not_open(path) -> StoreUnavailable:
    return StoreUnavailable(f"the store at {path} is not open in this handle (closed, or its reopening after a write "
                            "failed): open it again")


def _let_go(lock) -> None:
    """Close a view's lock file (None: no view), so that the writer may remove the view once no reader holds it."""
    if lock is not None:
        lock.close()
