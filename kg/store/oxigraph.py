"""The embedded store: pyoxigraph on disk (RocksDB) or in memory.

Writes are all or nothing. Small ones are one transaction (`Store.extend` over the parser): a file that
does not parse leaves the store as it was, and a process killed mid-load leaves all or nothing (the
commit is RocksDB writing the batch to its log; a kill after it is redone on reopening). A transaction
is held in memory and slows down as it grows (1M quads: 3.7x the CPU of the bulk loader, 1.8 GB), so
large loads on disk go through kg.store.staging: bulk-load a checkpoint copy, then swap it in.

The dataset model (kg.store.merge): every triple lives in a named graph, and Oxigraph's own default
graph holds their merge, so queries run on a plain default graph (a set, and faster than a union
view). Loads write each quad and its triple; updates are rewritten to keep the merge true. A store
written before this model (triples in the default graph proper) is migrated when opened for writing,
and read as a union of its graphs, as it was, when opened read-only.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from os import PathLike
from pathlib import Path

import pyoxigraph

from kg.errors import EvaluationError, KGError, QueryTimeout, StoreUnavailable
from kg.store import deadline, graph_replace, killable_update, old_model, oxigraph_dump, stamp, staging, views
from kg.store.engine_faults import evaluated, evaluation_error, opening_error, read_only_view
from kg.store.killable_update import UpdateApart
from kg.store.view_reading import ViewReading
from kg.store.write_telling import WriteTelling
from kg.store.store_files import check_room, disk_version, entries, holds_store, remove_made, writer_lock
from kg.store.base import QueryResult, Solutions, Store, Triples, syntax_error
from kg.store.merge import DEFAULT_GRAPH, Target, rewrite
from kg.store.no_change import changes_nothing

log = logging.getLogger(__name__)
_DEFAULT = pyoxigraph.DefaultGraph()
_DECLARED = pyoxigraph.NamedNode(DEFAULT_GRAPH)


class OxigraphStore(UpdateApart, ViewReading, WriteTelling, Store):
    """pyoxigraph.Store: persistent in directory `path`, or in memory when `path` is None.

    A query's default graph is the merge of the named graphs (each triple once), as with Fuseki's
    unionDefaultGraph; writes to the default graph go to the declared graph DEFAULT_GRAPH.
    """

    def __init__(self, path: str | PathLike | None = None, *, read_only: bool = False, folders_made: list = (),
                 discard_if_failed: bool = False):
        self.path = None if path is None else os.fspath(path)
        self.read_only = read_only
        self._union = False  # True only for a store of the old model opened read-only
        self._changed_at = time.time()  # in memory, writes through this object are all there are
        # Read the version first: a write landing during the opening is then seen as new, not as seen.
        self._opened_at = self.version()[0] if read_only else None
        if self.path is not None and not read_only:
            check_room(Path(self.path))  # before the lock, whose file would be left beside what is no store
        self._store = self._view_lock = self._earlier_lock = self._alive = self._lock = None  # earlier: a reopen's view (_reopen)
        self._unread = False  # True: a read-only view let go of (let_go_unread), the newest opened at the next read
        self.made = self._directory_made = False
        self._found, self._folders_made = set(), list(folders_made)  # see discard
        self._discard_if_failed = discard_if_failed  # a command's first write; a library's data stays (__exit__)
        # One writer at a time, for the handle's whole life (bulk loads swap directories under it).
        try:  # from the lock on, any failure lets go of it below
            self._lock = None if self.path is None or read_only else writer_lock(Path(self.path))
            # Looked at holding the lock: a store another writer made before it is not this handle's to discard.
            self.made = self._lock is not None and not holds_store(Path(self.path))
            self._directory_made = self.made and not os.path.lexists(self.path)
            self._found = entries(Path(self.path)) if self.made else set()  # what a directory given held
            self._alive = None if self._lock is None else views.hold_writer(Path(self.path))
            # A bulk load that a killed process left half done; True: committed, readers not yet told.
            swapped = self._lock is not None and staging.recover(Path(self.path))
            # A read-only opening takes no lock, so many processes may read while one writes.
            if read_only:  # the lock keeps the view published (kg.store.views)
                self._store, self._view_lock = read_only_view(self.path)
            else:
                self._store = pyoxigraph.Store(self.path)
            if swapped:  # its view and a new version, as after any write (caches keyed on the old one are stale)
                self._written()
                staging.told(Path(self.path))
            elif self._lock is not None and stamp.read(self.path) is None:
                stamp.bump(self.path)  # so readers find a stamp rather than stat() every file of the store
            if self._lock is not None:
                views.refresh_if_behind(self._store, Path(self.path))
            self._adopt_model()
        except BaseException as error:  # RuntimeError: pyoxigraph's word for damaged files
            self._store = None  # let go unflushed: what it committed is in its write log
            traceback.clear_frames(error.__traceback__)  # the failed steps' locals hold the engine: it must close first
            (self.discard if self.made else self.close)()  # no lock held on, nor file left beside what is no store
            if isinstance(error, (OSError, RuntimeError)) and not isinstance(error, KGError):
                raise opening_error(self.path, error, writer=not read_only) from error
            raise

    def query(self, sparql, *, default_graphs=None, named_graphs=None, timeout=None, limit=None) -> QueryResult:
        """As Store.query; rows are computed as they are read, so `limit` needs no help here."""
        self._engine()  # before the engine's errors are told apart, which would take its StoreUnavailable for storage
        options = {"use_default_graph_as_union": self._union and default_graphs is None}
        if default_graphs is not None:
            options["default_graph"] = [pyoxigraph.NamedNode(iri) for iri in default_graphs]
        if named_graphs is not None:
            options["named_graphs"] = [pyoxigraph.NamedNode(iri) for iri in named_graphs]

        def again():  # the first row met a vanished file: the rows anew, through the handle reopened
            self._reopen()
            rows = self._store.query(sparql, **options)
            return map(tuple, rows) if isinstance(rows, pyoxigraph.QuerySolutions) else rows

        def start():
            try:
                result = self._reading(lambda: self._store.query(sparql, **options))
            except SyntaxError as error:
                raise syntax_error(str(error)) from None
            except (OSError, RuntimeError) as error:
                raise evaluation_error(error) from None
            if isinstance(result, pyoxigraph.QueryBoolean):
                return bool(result), iter(())
            retry = again if self.read_only else None
            if isinstance(result, pyoxigraph.QuerySolutions):
                return [v.value for v in result.variables], evaluated(map(tuple, result), retry)
            return None, evaluated(result, retry)

        head, rows = start() if timeout is None else deadline.limited(start, timeout)
        if isinstance(head, bool):
            return head
        return Triples(rows) if head is None else Solutions(head, rows)

    def update(self, sparql: str) -> None:
        """As Store.update: one transaction, rewritten so that the default graph stays the merge."""
        self._engine()
        rewritten = rewrite(sparql, Target(clear_each=self.graphs))
        # A write of what is there (or removal of what is not) keeps the version: caches keyed on it stay good.
        unchanged, done = changes_nothing(self.query, sparql, DEFAULT_GRAPH), False
        apart = self.update_apart and self.path is not None
        try:
            self._invalidate_view()
            if apart:
                self._update_apart(rewritten.text)
            else:
                self._store.update(rewritten.text)  # transactional in pyoxigraph
            done = True
        except SyntaxError as error:  # refused before it ran (a child's answer too): nothing written
            done = unchanged = True
            found = syntax_error(str(error))
            line, column = rewritten.position(found.line, found.column)
            raise type(found)(found.message, line=line, column=column) from None
        # Before the engine's errors: a time-out and an unavailable store are OSErrors too.
        except (killable_update.Stopped, QueryTimeout, StoreUnavailable) if apart else () as error:
            # a handle not reopened, or a time limit that came as the child committed: maybe written
            maybe = self._store is None or isinstance(error, killable_update.MaybeWritten)
            done, unchanged = True, unchanged or not maybe
            raise
        except (OSError, RuntimeError) as error:  # the engine's: CREATE of an existing graph, a file gone
            found = evaluation_error(error)  # the update's own fault rolled its transaction back: nothing written
            done = unchanged = isinstance(found, EvaluationError)
            raise found from None
        finally:  # after the write: a version read during it must not already claim the new data
            self._told(changed=not (done and unchanged))

    def extend(self, quads, *, large: bool = False) -> int:
        """As Store.extend; a default-graph quad goes to the declared graph, and each triple to the merge."""
        read = 0

        def counted():
            nonlocal read
            for quad in quads:
                read += 1
                subject, predicate, object_ = quad.subject, quad.predicate, quad.object
                if isinstance(quad.graph_name, pyoxigraph.DefaultGraph):
                    quad = pyoxigraph.Quad(subject, predicate, object_, _DECLARED)
                yield quad
                # no graph argument: pyoxigraph takes a DefaultGraph() argument four times slower
                yield pyoxigraph.Quad(subject, predicate, object_)

        # A big transaction is slow and held in memory: bulk-load a copy and swap it in (our lock keeps other writers
        # out until the new store is open). Else one transaction: an error while iterating (ParseError) writes nothing.
        self._write_raw(counted(), large=large and not self.read_only)
        return read

    def replace_graphs(self, added, *, dropped=(), large: bool = False) -> None:
        """As Store.replace_graphs; a large one writes quads, not text (kg.store.graph_replace)."""
        if not large or self.read_only:
            return super().replace_graphs(added, dropped=dropped, large=large)
        if self.path is None:
            try:
                return graph_replace.replace_in_memory(self._engine(), added, list(dropped))
            finally:
                self._written()
        self._write_raw(graph_replace.merged_quads(added), large=True, first=graph_replace.drop_update(dropped),
                        chunk=graph_replace.CHUNK_QUADS)

    def dump(self, output, *, format, graph=None) -> None:
        # A read-only handle on disk reads the store as it was opened: no write shows while it dumps.
        oxigraph_dump.dump(self._engine(), output, format=format, graph=graph,
                           frozen=self.read_only and self.path is not None)

    def graphs(self) -> list[str]:
        return self._reading(lambda: sorted(g.value for g in self._store.named_graphs()
                                            if isinstance(g, pyoxigraph.NamedNode) and self._holds_quads(g)))

    def missing_graphs(self, iris: list[str]) -> list[str]:
        """As Store.missing_graphs: a graph created or written and not dropped is had, even empty."""
        return self._reading(lambda: [iri for iri in iris
                                      if not self._store.contains_named_graph(pyoxigraph.NamedNode(iri))])

    def count(self, graph=None) -> int:
        """Quads in the named graphs (the merge is not counted), or the triples of one graph ("": the
        declared default graph)."""
        if graph is not None:
            return self._reading(lambda: self._triples(_DECLARED if graph == "" else pyoxigraph.NamedNode(graph)))
        return self._reading(lambda: len(self._store) - (0 if self._union else self._triples(_DEFAULT)))

    def changed_at(self) -> float | None:
        """When the store last changed (a Unix time): see version()."""
        return self.version()[1]

    def version(self) -> tuple[int, float]:
        """(number, Unix time) of the last change; the number grows with every write.

        On disk: see disk_version. In memory: our own last write.
        """
        if self.path is None:
            return int(self._changed_at * 1_000_000), self._changed_at
        return disk_version(self.path)

    def close(self) -> None:
        try:
            if self._store is not None and self.path is not None and not self.read_only:
                self._store.flush()  # committed writes are in the write log already: a failure here loses none
                views.prune(Path(self.path))  # what readers let go of since the last write
        except (OSError, RuntimeError) as error:
            log.error("the store at %s could not be flushed as it closed: %s", self.path, str(error))
        finally:  # RocksDB lets go of the directory when the last reference goes
            self._store, self._unread = None, False
            self._let_go_views()
            self._release()

    def discard(self) -> None:
        """Close a store this handle made and remove it, with what kg keeps beside it and the folders made for it:
        a first write that failed leaves the file system as it found it. Another's store: close."""
        if not self.made:
            return self.close()
        lock, self._lock = self._lock, None
        self._store = self._view_lock = self._earlier_lock = None
        if self._alive is not None:  # the writer's mark in the views' folder, which goes with it
            os.close(self._alive)
            self._alive = None
        if lock is not None:
            remove_made(Path(self.path), lock, directory=self._directory_made, found=self._found,
                        folders=self._folders_made)

    def __exit__(self, kind, error, trace) -> None:
        """A `with` block that failed discards the store it made if opened with discard_if_failed (the console's
        first kg load, update, events load or install); otherwise, and on success, closes it."""
        if kind is None or not self._discard_if_failed:
            return self.close()
        traceback.clear_frames(trace)  # a failed step's locals may hold the engine, which must close before the discard
        self.discard()

    def _release(self) -> None:
        for handle in (self._alive, self._lock) if self._lock is not None else ():
            if handle is not None:
                os.close(handle)  # closing the descriptor drops the flock
        self._lock = self._alive = None

    def _holds_quads(self, graph) -> bool:
        return next(iter(self._store.quads_for_pattern(None, None, None, graph)), None) is not None

    def _triples(self, graph) -> int:
        solutions = self._store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=graph)
        return int(next(iter(solutions))[0].value)

    def _adopt_model(self) -> None:
        """Migrate a store of the old model (client triples in the default graph proper, no merge)."""
        # Read as any read is: a read-only opening of the store's own folder (its views withdrawn) may meet a file
        # the writer's compaction removed since, and reopens.
        if not self._reading(lambda: old_model.detected(self._store)):
            return
        if self.read_only:
            self._union = True  # read it as before: the union of all its graphs
            return
        # On disk through a copy, reading this store meanwhile (a memory store is never of the old model).
        # Only the copy holds the generator, so nothing keeps this handle open when the copy swaps in.
        self._write_raw(old_model.migrated(self._store), large=True)
