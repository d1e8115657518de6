"""Dumps of the whole dataset: /dump.trig.gz and /dump.nq.gz, streamed, with validators from the dataset version."""

from __future__ import annotations

import threading

from flask import Blueprint, Response, current_app, request

from api.conditional import dataset_tag, not_modified, unchanged, validators
from api.errors import Problem
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
    return dataset_response(fmt, "application/gzip", gzipped=True,
                            headers={"Content-Disposition": f'attachment; filename="sahel-kg.{name.removeprefix("dump.")}"',
                                     "X-Content-Type": inner})


def dataset_response(fmt: str, media: str, *, gzipped: bool, headers: dict, negotiated: bool = False) -> Response:
    """The whole dataset in `fmt` (trig or nquads) as `media`, streamed, gzipped or not, with validators from the
    dataset version and `headers` (`negotiated`: chosen by Accept); a HEAD has no body (no length is known)."""
    backend = current_app.extensions["sahel-kg"]
    version = backend.version()  # read before the store is opened: the tag may undersell, never lie stale
    headers = {**headers, **validators(version, ("dump", fmt, gzipped), current_app.config["CACHE_CONTROL"])}
    if "ETag" in headers:  # readable: the version and the format, then the software that writes the dump
        headers["ETag"] = dataset_tag(version, fmt, gzipped)
    if negotiated:
        headers["Vary"] = "Accept"
    if not_modified(headers, version):
        return unchanged(headers, media, negotiated=negotiated)
    if request.method == "HEAD":
        response = Response(status=200, headers=headers, mimetype=media)
        response.automatically_set_content_length = False
        return response
    # Each dump reads the whole store and holds some 100-150 MB of the engine's buffers: sixteen at once made a
    # count on /sparql take seconds (helper-189). Past DUMPS_AT_ONCE, a 503's Retry-After.
    most = current_app.config["DUMPS_AT_ONCE"]
    slots = current_app.extensions.setdefault("sahel-kg.dumps", threading.BoundedSemaphore(most))
    if not slots.acquire(blocking=False):
        raise Problem(503, "Too busy", f"this server process is already sending {most} dumps of the dataset "
                      "(DUMPS_AT_ONCE), each reading the whole store; ask again shortly", headers={"Retry-After": "10"})
    body = _Held(stream_dump(_opener(backend), fmt, gzip=gzipped), slots.release)
    return Response(body, headers=headers, mimetype=media)  # made from `backend` alone: no context needed


class _Held:
    """A dump's chunks, holding one of the DUMPS_AT_ONCE slots until they are read to the end or closed (a WSGI
    server closes what it sends; a generator's own `finally` would not run for one closed before it started)."""

    def __init__(self, chunks, release):
        self.chunks, self._release = chunks, release

    def __iter__(self):
        try:
            yield from self.chunks
        finally:
            self.close()

    def close(self) -> None:
        release, self._release = self._release, None
        try:
            self.chunks.close()
        finally:
            if release is not None:
                release()


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
