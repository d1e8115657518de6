"""How a writer of the embedded store on disk tells readers of its writes (kg.store.views, kg.store.stamp): the newest
view marked behind before a write, then after it a view of what it holds and a new version, or the view noted
current again where nothing was written; and quads written as one change, a large one through a staged copy."""

from __future__ import annotations

import time
import traceback
from pathlib import Path

import pyoxigraph

from kg.errors import NothingWritten
from kg.store import staging, stamp, views
from kg.store.engine_faults import opening_error


class WriteTelling:
    """For kg.store.oxigraph.OxigraphStore: its `path`, `read_only`, engine in `_store` (`_engine()`), writer's
    `_lock` and `_changed_at` (the last write of a store in memory)."""

    def _written(self) -> None:
        self._changed_at = time.time()
        if self.path is not None and not self.read_only:
            # Before the stamp, so that a reader told of the write finds a view holding it. The view's
            # checkpoint flushes the write log too: a reader opening it replays none.
            try:
                views.refresh(self._store, Path(self.path))
            finally:  # interrupted there (Ctrl-C), the write is still committed: readers are told of it
                stamp.bump_after_write(self.path)
            views.record(Path(self.path))

    def _told(self, *, changed: bool) -> None:
        """After a write: tell readers of a change, or note again that the newest view is current (_invalidate_view)."""
        if changed:
            self._written()
        elif self._lock is not None:
            views.record(Path(self.path))

    def _invalidate_view(self) -> None:
        if self._lock is not None:  # a writer killed between its commit and its view leaves no view up to date
            views.invalidate(Path(self.path))

    def _write_raw(self, quads, *, large: bool, first: str | None = None, chunk: int | None = None) -> None:
        """Add quads as they are, as one change (a staged bulk load for large ones on disk, after update `first`), and
        tell readers; one that failed before its commit leaves the version and the views as they were."""
        self._engine()
        self._invalidate_view()
        staged = large and self.path is not None
        try:
            if staged:
                staging.load_copy(self._store, Path(self.path), quads, first=first, chunk=chunk)
            else:
                self._store.extend(quads)
        except BaseException as error:  # past the commit point (a Ctrl-C as it returned) the copy is swapped in still
            if self.path is not None and not staging.sibling(Path(self.path), "committed").exists():
                self._told(changed=False)
                if staged and isinstance(error, KeyboardInterrupt) and not isinstance(error, NothingWritten):
                    raise NothingWritten() from None  # the copy is gone, uncommitted: the caller may say so
                raise
            traceback.clear_frames(error.__traceback__)  # their locals hold the engine, which must close for the swap
            self._swap_in(staged)
            raise
        self._swap_in(staged)

    def _swap_in(self, staged: bool) -> None:
        """After a committed write: a staged copy swapped in and this handle opened on it; readers told."""
        swapped = False
        try:
            if staged:
                self._store = None  # closing the handle lets go of the directory for the swap
                swapped = staging.recover(Path(self.path))
                self._store = pyoxigraph.Store(self.path)
        except (OSError, RuntimeError) as error:  # the swap is done: readers are told of the write all the same
            raise opening_error(self.path, error) from None
        finally:
            self._written()
            if swapped:  # told: the next opening has nothing left to finish or tell
                staging.told(Path(self.path))

