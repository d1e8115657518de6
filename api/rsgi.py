"""The WSGI app served over granian's RSGI interface, so that no client can hold a request thread idle.

Granian reads request heads in Rust (with a header read timeout). This adapter then reads the body on the
event loop, within BODY_READ_SECONDS and up to one byte past the body cap, and only a complete request
goes to one of the `threads` request threads (a head it refuses, 400, a body that does not come in time,
408, and one that breaks off, 400, are counted and logged through `refused`, as the app's own refusals are).
A response is written as it is produced: the app's iterator is read in the request thread a batch at a time and
each batch sent from the loop, the next made only once the client has read enough of the last (api.send_queue),
so a big answer is never held whole; a client that goes away closes the iterator, which stops the work behind it.
A client that goes away while a request thread works on its answer sets kg.runner.CLIENT_GONE, which stops a
query worker's run. An answer that fails once its 200 is started (a time limit, a worker that died) is sent as
far as it was made, then its connection ends without the last chunk, so that no client takes it for whole.

A request that `at_once` picks is first offered to the app on the loop itself (environ[AT_ONCE]): an app
answers there only what takes no waiting and little work, and raises NotAtOnce, having done nothing, for
the rest, which go to a request thread as they arrived (the app was offered copies of the environ and body).
A lookup so answered, by GET or POST, saves two thread hand-overs.

Each request's steps (its start, each batch, its close) run in one context of its own (contextvars), whichever
thread takes them, as a threaded WSGI server runs a whole request on one thread: Flask's stream_with_context
and the app's own context variables then see what the request set, not another request's or nothing.
"""

from __future__ import annotations

import asyncio
import contextvars
import io
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from api.body_limit import TOO_LARGE
from api.connection_cut import abort_connection
from api.rsgi_requests import bodiless, environ_for, problem, request_fault
from api.send_queue import STALL_SECONDS, SendQueue, Stalled
from kg.runner import CLIENT_GONE

BODY_READ_SECONDS = 10.0  # a client that has not sent its whole body by then gets 408
BATCH_BYTES = 64 * 1024  # response bytes a request thread gathers before the loop sends them
BATCH_SECONDS = 1.0  # or the time it spends gathering them, once it has some
SERVER = ("server", "sahel-kg")  # names the service, not the software stack and its version
AT_ONCE = "sahel_kg.at_once"  # environ: True while the app is offered the request on the event loop
RECEIVED = "sahel_kg.received"  # environ: time.monotonic() once the whole request was read, before any wait

log = logging.getLogger(__name__)


class BodyCut(Exception):
    """A request body that ended before its end, which granian hands over as if it were whole."""


class NotAtOnce(Exception):
    """Raised by an app offered a request at once (AT_ONCE) that it answers only on a request thread."""


class RSGIApp:
    """Serve `wsgi_app` (which owns `closing`, called when the server process stops) over RSGI."""

    def __init__(self, wsgi_app, *, threads: int, max_body: int, closing=None, at_once=None, refused=None,
                 ready=None):
        self.app, self.max_body, self.closing, self.ready = wsgi_app, max_body, closing, ready
        self.at_once = at_once  # environ -> bool: the requests worth offering to the app on the loop
        self.refused = refused  # (environ, status, seconds, reason): records an answer the adapter gives itself
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="kg-request")

    def __rsgi_init__(self, loop) -> None:
        """Call `ready` with the loop: granian's signal handlers are set by now. The app was built before."""
        if self.ready is not None:
            self.ready(loop)

    def __rsgi_del__(self, loop) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        if self.closing is not None:
            self.closing()

    async def __rsgi__(self, scope, protocol) -> None:
        if scope.proto != "http":
            return
        arrived = time.perf_counter()
        environ = environ_for(scope)
        fault = request_fault(scope, environ)
        if fault is not None:
            self._refuse(protocol, environ, arrived, 400, "Bad Request", fault, "bad_request")
            return
        try:
            # Most requests have no body: no timer (wait_for starts a task) is needed for them.
            body = b"" if bodiless(scope, environ) else \
                await asyncio.wait_for(self._body(scope, protocol, environ), BODY_READ_SECONDS)
        except asyncio.TimeoutError:
            self._refuse(protocol, environ, arrived, 408, "Request timeout",
                         f"the body did not arrive within {BODY_READ_SECONDS:g}s", "body_timeout")
            return
        except BodyCut as cut:  # never handed to the app: a PUT would replace a graph with part of one
            self._refuse(protocol, environ, arrived, 400, "Bad Request", str(cut), "body_cut")
            return
        except Exception:  # the client went away while sending
            return
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ[RECEIVED] = time.monotonic()  # a query's time limit counts its wait for a request thread
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()
        started = context.run(self._at_once, environ, body) if self.at_once is not None else None
        if started is None:
            started = await self._threaded_start(protocol, loop, context, environ)
        status, headers, chunks, rest, failure = started
        headers = [*headers, SERVER]  # else granian names itself
        if rest is None:  # the whole answer is here: one write, with its length
            protocol.response_bytes(status, headers, b"".join(chunks))
            return
        transport = protocol.response_stream(status, headers)
        queue = SendQueue(scope.client, scope.server)
        try:
            for chunk in chunks:
                await transport.send_bytes(chunk)
            done = failure is not None
            while not done:
                if not await queue.drained(sum(map(len, chunks))):  # the next batch waits for the client to read
                    failure = Stalled(f"the client read nothing for {STALL_SECONDS:g}s")
                    break
                # A failure midway (its time limit, a worker that died) comes after the chunks made before it.
                chunks, done, failure = await loop.run_in_executor(self.pool, context.run, _batch, rest)
                for chunk in chunks:
                    await transport.send_bytes(chunk)
        except Exception:  # the client disconnected: stop the work behind the answer
            pass
        finally:
            queue.close()
            close = getattr(rest, "close", None)
            if close is not None:
                await loop.run_in_executor(self.pool, context.run, close)
        if failure is not None:
            # Status and headers are sent: the one way left to say the answer is not whole is to end the
            # connection without the last chunk (curl: "transfer closed with outstanding read data"), as other
            # servers do. Granian ends a stream properly whatever happens, so its socket is shut down here.
            cut = abort_connection(scope.client, scope.server)
            log.warning("%s %s: the answer was cut after %s; the connection was %s", scope.method, scope.path,
                        f"{type(failure).__name__}: {failure}", "ended" if cut else "not found (not ended)")

    async def _threaded_start(self, protocol, loop, context, environ):
        """_start on a request thread. A client that goes away meanwhile sets the request's CLIENT_GONE, so that
        a query worker's long answer is stopped rather than finished for nobody."""
        gone = threading.Event()
        context.run(CLIENT_GONE.set, gone)
        work = loop.run_in_executor(self.pool, context.run, _start, self.app, environ)
        watch = asyncio.ensure_future(protocol.client_disconnect())
        watch.add_done_callback(lambda done: done.cancelled() or gone.set())
        try:
            return await work
        finally:
            watch.cancel()

    def _refuse(self, protocol, environ, arrived: float, status: int, title: str, detail: str, reason: str) -> None:
        """Answer a request the app never sees with a problem document, ending its connection, and record it."""
        protocol.response_bytes(status, [("content-type", "application/problem+json"), ("connection", "close"), SERVER],
                                problem(status, title, detail))
        self._record_refusal(environ, status, arrived, reason)

    def _record_refusal(self, environ, status: int, arrived: float, reason: str) -> None:
        """Count and log a refusal the app never saw, as the app counts and logs its own."""
        if self.refused is None:
            return
        try:
            self.refused(environ, status, time.perf_counter() - arrived, reason)
        except Exception:  # the answer is sent; a failed record must not end the server's loop
            log.exception("could not record a refused request")

    def _at_once(self, environ, body: bytes):
        """The app's start of an answer (as _start) given on the loop, or None: not picked, or NotAtOnce.

        The app is offered a copy of the environ and of the body, so that a request it declines reaches a
        request thread as it arrived, whatever the app read or marked."""
        if not self.at_once(environ):
            return None
        try:
            return _start(self.app, {**environ, AT_ONCE: True, "wsgi.input": io.BytesIO(body)})
        except NotAtOnce:
            return None

    async def _body(self, scope, protocol, environ) -> bytes:
        """The whole body, or b"" with the request marked too large once it passes the cap."""
        declared = environ.get("CONTENT_LENGTH", "")
        if declared and int(declared) > self.max_body:  # refused before a byte of it is read
            environ[TOO_LARGE] = True
            return b""
        parts, size, ended = [], 0, False
        async for chunk in protocol:
            # granian ends a whole body with one empty chunk, and one that broke off (the client went away
            # mid-body, a chunked body without its last chunk) or had trailers with two, raising nothing
            if ended:
                raise BodyCut("the request body broke off before its end (or had trailers, which are not taken)")
            ended = not chunk
            size += len(chunk)
            if size > self.max_body:
                environ[TOO_LARGE] = True
                return b""
            parts.append(chunk)
        if declared and size != int(declared):
            raise BodyCut(f"the request body broke off after {size} of its {declared} bytes")
        return b"".join(parts)


def _start(app, environ):
    """Call the app and gather its first batch: (status, headers, chunks, the rest or None if done, the failure
    that ended the answer midway or None). A failure before the app started its answer is raised."""
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split(" ", 1)[0]), headers

    iterable = app(environ, start_response)
    try:
        rest = iter(iterable)
        chunks, done, failure = _batch(rest)
    except BaseException:
        _close(iterable)
        raise
    if failure is not None and "status" not in answer:
        _close(iterable)
        raise failure
    if done and failure is None:
        _close(iterable)
        return answer["status"], answer["headers"], chunks, None, None
    # A failure within the first batch (a gzipped answer's first 64 KiB may take most of a time limit) is sent
    # as one later: its status and what was made, then the connection cut, not a bare 500.
    return answer["status"], answer["headers"], chunks, _Closing(rest, iterable), failure


def _batch(rest) -> tuple[list[bytes], bool, Exception | None]:
    """The answer's next chunks, up to about BATCH_BYTES, whether the answer is over, and the failure that ended
    it midway (after those chunks), if one did."""
    chunks, size, began = [], 0, time.monotonic()
    try:
        for chunk in rest:
            if chunk:
                chunks.append(chunk)
                size += len(chunk)
                # a slow answer (rows that trickle, or gzipped ones, of which 64 KiB are many) is not held back
                if size >= BATCH_BYTES or time.monotonic() - began >= BATCH_SECONDS:
                    return chunks, False, None
    except Exception as failure:
        return chunks, True, failure
    return chunks, True, None


def _close(iterable) -> None:
    close = getattr(iterable, "close", None)
    if close is not None:
        close()


class _Closing:
    """The rest of an answer's iterator, which closes the app's iterable when closed."""

    def __init__(self, rest, iterable):
        self.rest, self.iterable = rest, iterable

    def __iter__(self):
        return self

    def __next__(self):
        return next(self.rest)

    def close(self):
        _close(self.iterable)
