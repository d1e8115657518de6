"""The one-pattern reader of a serve process (kg.nearby) and the query workers let go of a read view once a newer one
is published and nothing reads it, so that the writer can remove it and its table files (hard links) leave the disk."""

from __future__ import annotations

import contextlib
import os

import pytest

import api
from kg.answers import QueryRequest, ServiceOptions
from kg import worker
from kg.lookup_text import lookup
from kg.namespaces import PREFIXES
from kg.nearby import NearbyRunner, WouldWait
from kg.query import QueryService
from kg.store import views
from kg.store.oxigraph import OxigraphStore
from kg.store.store_files import disk_version

EX = "http://example.org/nearby-views/"
LOOKUP = f"SELECT ?o WHERE {{ <{EX}s> <{EX}p> ?o }}"


def published(path) -> list[int]:
    return sorted(int(name) for name in os.listdir(views.views_dir(path)) if name.isdigit())


def write(store, number: int) -> None:
    store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}s> <{EX}p> {number} }} }}")


@contextlib.contextmanager
def written_behind(tmp_path, reader):
    """A store written once, `reader(path)` opened on its view, and a second write: yields the reader, the store's
    path and the number of the view the reader opened (the writer is open meanwhile)."""
    path = tmp_path / "store"
    with OxigraphStore(path) as writer:
        write(writer, 1)
        opened = reader(path)
        try:
            old = published(path)[-1]
            write(writer, 2)
            yield opened, path, old
        finally:
            opened.close()


def test_a_view_left_behind_is_let_go_at_the_next_look_at_the_version(tmp_path):
    with written_behind(tmp_path, lambda path: NearbyRunner(str(path), ServiceOptions(timeout=60))) as (runner, path,
                                                                                                       old):
        views.prune(path)
        assert old in published(path)  # held by the runner, which has answered nothing since
        runner.let_go_if_stale(disk_version(path)[0])  # as a request of any kind tells it
        views.prune(path)
        assert published(path) == [published(path)[-1]] and old not in published(path)
        assert runner.run(QueryRequest(sparql=LOOKUP, format="json")).count == 2  # the newest view, opened again


def test_the_view_a_reopen_replaced_is_let_go_when_no_run_reads_it(tmp_path):
    with written_behind(tmp_path, lambda path: NearbyRunner(str(path), ServiceOptions(timeout=60))) as (runner, path,
                                                                                                       old):
        assert runner.run(QueryRequest(sparql=LOOKUP, format="json")).count == 2  # reopened at the newer view
        views.prune(path)
        assert old not in published(path)


def test_a_write_through_the_server_lets_its_one_pattern_view_go(tmp_path):
    path = tmp_path / "store"
    with OxigraphStore(path) as seeded:
        write(seeded, 1)
    app = api.create_app({"STORE": f"oxigraph:{path}", "INSTALL_ARTICLE": False, "QUERY_WORKERS": 1,
                          "TESTING": True, "UPDATES_ENABLED": True, "UPDATE_TOKEN": "t" * 40})
    backend = app.extensions["sahel-kg"]
    backend.runner.close()  # its worker holds a view too, let go by a worker of its own (below)
    try:
        old = published(path)[-1]
        backend.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}s> <{EX}p> 2 }} }}")
        views.prune(path)  # as the writer's next write does
        assert old not in published(path)
    finally:
        backend.close()


def test_an_idle_worker_that_reopened_lets_the_replaced_view_go(tmp_path):
    """A query worker reads one query at a time: the view its idle look for writes replaced has no reader left."""
    with written_behind(tmp_path, lambda path: OxigraphStore(path, read_only=True)) as (store, path, old):
        worker._refresh(QueryService(store))
        views.prune(path)
        assert old not in published(path) and store.count() == 2


def test_a_lookup_labelled_with_the_version_its_view_was_let_go_at_gives_way(tmp_path):
    """A lookup told the version it read just before another request's look let go of the view at a newer one passed
    the version check (the view's own number), then reopened on the event loop and answered the newer data labelled
    with the older version. A view let go of is now stale to a lookup: it gives way (WouldWait)."""
    with written_behind(tmp_path, lambda path: NearbyRunner(str(path), ServiceOptions(timeout=60))) as (runner, path,
                                                                                                       old):
        opened = runner.store.view_version()
        runner.let_go_if_stale(disk_version(path)[0])  # another request's look, after this one read its version
        with pytest.raises(WouldWait):
            runner.lookup(lookup(LOOKUP, {}), LOOKUP, "json", row_limit=10, version=opened)
        views.prune(path)
        assert old not in published(path)  # nothing reopened it


def test_a_did_you_mean_read_through_the_one_pattern_view_keeps_it_held(tmp_path):
    """Backend.near_terms read the one-pattern reader's view outside its run count, so another request's look at the
    version let go of the view mid-read and the writer removed its table files under the rows being read."""
    path = tmp_path / "store"
    with OxigraphStore(path) as seeded:
        write(seeded, 1)
    app = api.create_app({"STORE": f"oxigraph:{path}", "INSTALL_ARTICLE": False, "QUERY_WORKERS": 1, "TESTING": True})
    backend = app.extensions["sahel-kg"]
    backend.runner.close()  # its worker holds a view too
    nearby, kept = backend.nearby, []
    asked, old = nearby.store.query, published(path)[-1]

    def written_meanwhile(*args, **named):  # the rows started, a write and another request's look come in
        result = asked(*args, **named)
        with OxigraphStore(path) as writer:
            write(writer, 2)
        backend.version()
        views.prune(path)
        kept.append(old in published(path))
        return result

    nearby.store.query = written_meanwhile
    try:
        backend.near_terms(PREFIXES["sk"] + "Nowhere")
        assert kept == [True]
        backend.version()  # the read over, the view goes at the next look
        views.prune(path)
        assert old not in published(path)
    finally:
        backend.close()
