"""Dumps of the whole dataset: /dump.trig.gz and /dump.nq.gz, streamed, with the dataset version as ETag."""

from __future__ import annotations

import time
from email.utils import formatdate

from flask import Blueprint, Response, current_app, request, stream_with_context

from api.conditional import not_modified
from kg.dump import stream_dump
from kg.store.oxigraph import OxigraphStore

bp = Blueprint("dumps", __name__)

DUMPS = {"dump.trig.gz": ("trig", "application/trig"), "dump.nq.gz": ("nquads", "application/n-quads")}


@bp.route("/dump.trig.gz", methods=["GET", "HEAD"], endpoint="trig")
@bp.route("/dump.nq.gz", methods=["GET", "HEAD"], endpoint="nquads")
def dump():
    """The dataset, gzipped (Content-Type application/gzip; the inner type in X-Content-Type)."""
    name = request.path.lstrip("/")
    fmt, inner = DUMPS[name]
    backend = current_app.extensions["sahel-kg"]
    version = backend.version()  # read before the store is opened: the tag may undersell, never lie stale
    headers = {"Content-Disposition": f'attachment; filename="sahel-kg.{name.removeprefix("dump.")}"',
               "X-Content-Type": inner, "Cache-Control": current_app.config["CACHE_CONTROL"]}
    if version is not None:
        headers["ETag"] = f'"{version.number}-{fmt}"'
        headers["X-Dataset-Version"] = str(version.number)
        if time.time() - version.modified >= 1:  # else a write later in the same second would share it
            headers["Last-Modified"] = formatdate(version.modified, usegmt=True)
        if not_modified(headers, version):
            return Response(status=304, headers=headers)
    if request.method == "HEAD":  # the length is not known before the dump is made: none is sent
        response = Response(status=200, headers=headers, mimetype="application/gzip")
        response.automatically_set_content_length = False
        return response
    body = stream_dump(_opener(backend), fmt)
    return Response(stream_with_context(body), headers=headers, mimetype="application/gzip")


def _opener(backend):
    """How to get a store to dump from: an on-disk store is opened read-only (its own snapshot, no lock);
    an in-memory or remote store is the backend's own handle, left open after the dump."""
    if backend.path is not None:
        return lambda: OxigraphStore(backend.path, read_only=True)
    return lambda: _Borrowed(backend.writer)


class _Borrowed:
    """A store handle lent for one dump: the context manager does not close it."""

    def __init__(self, store):
        self.store = store

    def __enter__(self):
        return self.store

    def __exit__(self, *exc_info) -> None:
        return None
