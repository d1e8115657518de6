"""kg.runner's WorkerPool: queries in worker processes, killed at the time limit and replaced."""

from __future__ import annotations

import gc
import shutil
import os
import threading
import time

import pyoxigraph as ox
import pytest

from kg.answers import QueryRequest, StreamedAnswer
from kg.errors import ClientGone, QueryTimeout
from kg.runner import CLIENT_GONE, WorkerPool
from kg.store.oxigraph import OxigraphStore
from held_files import held_files
from long_work import CROSS_COUNT as HEAVY, MIN_TRIPLES, SOON, threads_named, wait_until

ASK = QueryRequest(sparql="ASK { ?s ?p ?o }", format="json", timeout=60)


@pytest.fixture
def store_path(tmp_path):
    """An on-disk store of MIN_TRIPLES triples: enough for HEAVY to run for minutes."""
    path = tmp_path / "store"
    store = OxigraphStore(path)
    ex = "http://example.org/"
    store.extend(ox.Quad(ox.NamedNode(f"{ex}s{i}"), ox.NamedNode(f"{ex}p"), ox.Literal(i))
                 for i in range(MIN_TRIPLES))
    store.close()
    return path


def children() -> dict[int, str]:
    """This process's child processes, zombies included: pid -> state letter."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            found[int(entry)] = fields[0]
    return found


def test_a_query_past_its_limit_is_stopped_and_its_worker_replaced(store_path):
    pool = WorkerPool(str(store_path), size=1)
    try:
        with pytest.raises(QueryTimeout, match="time limit of 0.5s"):
            pool.run(QueryRequest(sparql=HEAVY, format="json", timeout=0.5))  # minutes of work
        assert pool.run(ASK).body  # the successor answers
    finally:
        pool.close()


def test_a_query_whose_limit_passed_before_it_started_leaves_its_worker_alone(store_path):
    """The limit counts from `started` (the request's arrival): with none of it left, the query is not sent,
    so the idle worker is neither busied nor killed and replaced."""
    pool = WorkerPool(str(store_path), size=1)
    replaced = []
    pool.on_replace = lambda: replaced.append(1)
    try:
        workers = set(children())
        with pytest.raises(QueryTimeout, match="time limit of 1s"):
            pool.run(QueryRequest(sparql=HEAVY, format="json", timeout=1), started=time.monotonic() - 2)
        assert (replaced, set(children()), pool.busy()) == ([], workers, 0)
        assert pool.run(ASK).body
    finally:
        pool.close()


def test_a_query_whose_client_left_before_it_started_leaves_its_worker_alone(store_path):
    """A client gone while its request waited (for a request thread, a free worker) had its query sent all the
    same, and the worker that took it killed and replaced a quarter of a second later: a restart, on a busy
    server, for nobody. Such a query is not sent."""
    pool = WorkerPool(str(store_path), size=1)
    replaced = []
    pool.on_replace = lambda: replaced.append(1)
    gone = threading.Event()
    gone.set()
    token = CLIENT_GONE.set(gone)
    try:
        workers = set(children())
        with pytest.raises(ClientGone):
            pool.run(QueryRequest(sparql=HEAVY, format="json", timeout=60))
        assert (replaced, set(children()), pool.busy()) == ([], workers, 0)
        CLIENT_GONE.reset(token)
        assert pool.run(ASK).body
    finally:
        pool.close()


def test_a_streamed_answer_dropped_unread_lets_its_worker_go_at_once(store_path):
    """No reference cycle keeps a dropped stream alive until the garbage collector runs: its worker is let go
    (here told to stop, the answer being unfinished) as the last reference goes."""
    pool = WorkerPool(str(store_path), size=1)
    gc.disable()
    try:
        answer = pool.run(QueryRequest(sparql="SELECT * WHERE { ?s ?p ?o . ?a ?b ?c }", format="json", timeout=60,
                                       stream=True))  # millions of rows
        assert isinstance(answer, StreamedAnswer) and pool.busy() == 1
        del answer
        assert pool.busy() == 0
        assert pool.run(ASK).body
    finally:
        gc.enable()
        pool.close()


def test_a_stream_its_client_left_gives_its_worker_back_without_a_restart(store_path):
    """A client that goes away (or sends HEAD) closes the stream: the worker stops at its next chunk and
    is taken back, rather than killed and replaced (a new process, and for a pool reading from memory a
    copy of the whole store)."""
    pool = WorkerPool(str(store_path), size=1)
    replaced = []
    pool.on_replace = lambda: replaced.append(1)
    try:
        workers = set(children())
        answer = pool.run(QueryRequest(sparql="SELECT * WHERE { ?s ?p ?o . ?a ?b ?c }", format="json",
                                       timeout=3600, stream=True))  # millions of rows: hours to send
        assert next(answer.chunks)
        answer.chunks.close()
        wait_until(lambda: pool.idle() == 1, what="the worker's return")
        assert (replaced, set(children())) == ([], workers)
        assert pool.run(ASK).body
    finally:
        pool.close()


def test_a_stream_left_past_its_time_limit_has_its_worker_replaced(store_path):
    """A worker is taken back only if it stops within the query's time limit; past it, it is killed."""
    pool = WorkerPool(str(store_path), size=1)
    replaced = []
    pool.on_replace = lambda: replaced.append(1)
    try:
        started = time.monotonic()
        answer = pool.run(QueryRequest(sparql="SELECT * WHERE { ?s ?p ?o . ?a ?b ?c }", format="json",
                                       timeout=3, stream=True), started=started)
        assert next(answer.chunks)  # the stream starts after 10,000 rows, well within the limit
        time.sleep(max(0.0, started + 3 - time.monotonic()))  # the limit passes while no one reads
        answer.chunks.close()
        wait_until(lambda: replaced == [1], what="the worker's replacement")
        assert pool.run(ASK).body
    finally:
        pool.close()


def test_a_worker_restart_waits_for_the_store_to_come_back(store_path):
    before = set(children())
    pool = WorkerPool(str(store_path), size=1)
    try:
        away = store_path.with_name("away")
        store_path.rename(away)  # as a staged bulk load's swap does, while the successor starts
        pool._replace(pool._idle.get())  # what a query past its limit causes
        wait_until(lambda: pool.failed_starts >= 2, what="two failed starts")
        away.rename(store_path)
        assert pool.run(ASK).body  # a worker came back
        assert not [pid for pid, state in children().items() if pid not in before and state == "Z"]
    finally:
        pool.close()


def test_close_stops_busy_and_restarting_workers(store_path):
    before = set(children())
    pool = WorkerPool(str(store_path), size=2)
    with pytest.raises(QueryTimeout):  # one worker is now restarting
        pool.run(QueryRequest(sparql=HEAVY, format="json", timeout=0.5))
    busy = threading.Thread(target=lambda: pytest.raises(Exception, pool.run,
                                                         QueryRequest(sparql=HEAVY, format="json", timeout=60)))
    busy.start()
    wait_until(lambda: pool.busy() == 1, what="the start of the busy query")
    pool.close()
    busy.join(SOON)
    assert not busy.is_alive()
    wait_until(lambda: not threads_named("kg-worker-start"), what="the end of the restarts under way")
    assert set(children()) <= before
    assert pool._idle.empty()


def test_the_time_limit_covers_waiting_for_a_worker(store_path):
    """A query that waited for a worker has only the rest of its limit to run: it stops at the limit,
    not at the limit after the wait. The wait (SOON) is the margin between the two, so a busy machine's
    delay in stopping the query cannot be mistaken for the wait; the query itself runs only 2 s."""
    wait = SOON
    limit = wait + 2.0
    pool = WorkerPool(str(store_path), size=1)
    worker = pool._idle.get()  # busy elsewhere
    timer = threading.Timer(wait, pool._idle.put, [worker])
    try:
        with pytest.raises(QueryTimeout, match="no query worker was free within the time limit of 0.5s"):
            pool.run(QueryRequest(sparql=HEAVY, format="json", timeout=0.5))
        timer.start()  # the worker comes back after the wait
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match="query stopped after its time limit"):
            pool.run(QueryRequest(sparql=HEAVY, format="json", timeout=limit))
        assert time.monotonic() - started < limit + wait  # the limit after the wait would end here or later
    finally:
        if timer.ident is not None:
            timer.join()
        pool.close()


def test_the_pool_grows_only_when_a_query_finds_every_worker_busy(store_path):
    """Queries one at a time keep one worker (a spare started ahead holds 35-45 MB for nothing); a query that
    arrives while it runs a long one gets a worker started for it, without waiting for the long one."""
    others = set(children())  # the session's servers (oxigraph serve, Virtuoso) are this process's children too

    def workers() -> set[int]:
        return set(children()) - others

    pool = WorkerPool(str(store_path), size=1, max_size=3)

    def long_query():
        with pytest.raises(Exception):  # stopped by close() below
            pool.run(QueryRequest(sparql=HEAVY, format="json", timeout=600))

    running = threading.Thread(target=long_query)
    try:
        for _ in range(3):
            assert pool.run(ASK).body
        assert len(workers()) == 1 and pool.idle_count() == 1
        running.start()
        wait_until(lambda: pool.busy() == 1, what="the long query's start")
        assert pool.run(ASK).body  # answered by a worker started for it, while the long query runs on
        assert pool.busy() == 1 and len(workers()) == 2
    finally:
        pool.close()
        if running.ident is not None:
            running.join()


def test_queries_arriving_together_each_get_a_worker(store_path):
    """Three long queries reaching a pool of two idle workers at the same moment: the third gets a worker
    started for it, rather than waiting for one of the first two to end (CI saw one wait out its limit)."""
    pool = WorkerPool(str(store_path), size=2, max_size=3)

    class TakenTogether:
        """The pool's idle workers, each of the first three takes held until all three queries come to take."""

        def __init__(self, idle):
            self.idle, self.together = idle, threading.Barrier(3, timeout=SOON)  # a bound for a broken run only

        def __getattr__(self, name):
            return getattr(self.idle, name)

        def _take(self, take, *args, **options):
            if not self.together.broken:
                try:
                    self.together.wait()
                except threading.BrokenBarrierError:
                    pass
                self.together.abort()  # only the first three takes are held
            return take(*args, **options)

        def get(self, *args, **options):
            return self._take(self.idle.get, *args, **options)

        def get_nowait(self):
            return self._take(self.idle.get_nowait)

    def long_query():
        with pytest.raises(Exception):  # stopped by close() below
            pool.run(QueryRequest(sparql=HEAVY, format="json", timeout=600))

    pool._idle = TakenTogether(pool._idle)
    running = [threading.Thread(target=long_query, daemon=True) for _ in range(3)]
    try:
        for thread in running:
            thread.start()
        wait_until(lambda: pool.busy() == 3, what="three long queries running at once")
    finally:
        pool.close()
        for thread in running:
            thread.join(SOON)  # one left waiting for a worker (the fault) waits out its limit: not joined


def test_the_worker_that_answered_last_answers_the_next_query(store_path):
    """Queries one after another go to one worker, whose caches are warm; the other keeps its memory small."""
    pool = WorkerPool(str(store_path), size=2)
    chosen = []
    live_worker = pool._live_worker

    def recorded(*args):
        worker = live_worker(*args)
        chosen.append(worker[0].pid)
        return worker

    pool._live_worker = recorded
    try:
        for _ in range(6):
            assert pool.run(ASK).body
        assert len(set(chosen)) == 1 and len(chosen) == 6
    finally:
        pool.close()


def exited(pid: int) -> bool:
    """Whether child `pid` can be waited for, not just a zombie in /proc (its other threads may still be
    exiting); WNOWAIT: it is not reaped here."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def test_an_idle_worker_that_died_is_replaced_at_the_next_query(store_path):
    """The worker at the bottom of the idle stack may never be taken while queries come one at a time: one
    killed there is still found (and reaped) at the next query, and a successor takes its place."""
    pool = WorkerPool(str(store_path), size=2)
    try:
        assert pool.run(ASK).body
        top, bottom = pool._idle.queue[-1][0], pool._idle.queue[0][0]
        os.kill(bottom.pid, 9)
        wait_until(lambda: exited(bottom.pid), what="the killed worker's exit")
        assert pool.run(ASK).body
        assert bottom.pid not in children()  # reaped, no zombie left
        wait_until(lambda: pool.idle() == 2, what="a successor")
        assert top in [worker[0] for worker in pool._idle.queue] and bottom not in [w[0] for w in pool._idle.queue]
    finally:
        pool.close()


def test_a_worker_found_dead_as_its_query_is_sent_never_had_it_and_another_answers(store_path):
    """A worker that died after the pool looked at it (its poll() knows nothing while another thread waits
    on it) was given the query, and the request was a 503 "a query worker died" though no query had run."""
    pool = WorkerPool(str(store_path), size=2)
    try:
        assert pool.run(ASK).body
        process = pool._idle.queue[-1][0]  # the next to be taken
        os.kill(process.pid, 9)
        wait_until(lambda: exited(process.pid), what="the killed worker's exit")
        with process._waitpid_lock:  # as while another thread is in its wait()
            assert process.poll() is None
            assert pool.run(ASK).body
        wait_until(lambda: pool.idle() == 2 and process not in [worker[0] for worker in pool._idle.queue],
                   what="a successor")
    finally:
        pool.close()


def deleted_files(pid: int, under) -> list[str]:
    """The files under the folder `under` that process `pid` holds open and that no longer have a name."""
    return [target for target in held_files(pid, under) if target.endswith(" (deleted)")]


def test_idle_workers_let_go_of_the_files_a_bulk_load_replaced(store_path):
    """A staged bulk load swaps a new store in and removes the old one; a worker left idle (the pool takes the
    last one used first) reopens on its own, so that no worker keeps the old store's disk space."""
    pool = WorkerPool(str(store_path), size=2)
    try:
        assert pool.run(ASK).body
        workers = [worker[0].pid for worker in pool._idle.queue]
        store = OxigraphStore(store_path)
        ex = "http://example.org/"
        store.extend((ox.Quad(ox.NamedNode(f"{ex}t{i}"), ox.NamedNode(f"{ex}p"), ox.Literal(i)) for i in range(100)),
                     large=True)
        store.close()
        wait_until(lambda: not any(deleted_files(pid, store_path.parent) for pid in workers),
                   what="the idle workers' reopening")
    finally:
        pool.close()


def test_a_streamed_answer_past_its_time_limit_raises_query_timeout(store_path):
    """Not StoreUnavailable after waiting for a 'dead' worker: QueryTimeout is an OSError (TimeoutError), which
    the relay once took for its connection failing."""
    pool = WorkerPool(str(store_path), size=1)
    endless = "SELECT ?a ?b ?c WHERE { ?a ?p ?o . ?b ?q ?r . ?c ?s ?t }"  # billions of rows
    try:
        with pytest.raises(QueryTimeout, match="time limit of 3s"):
            answer = pool.run(QueryRequest(sparql=endless, format="csv", timeout=3, stream=True))
            for _ in answer.chunks:  # the stream starts after 10,000 rows, well within the limit
                pass
        assert pool.run(ASK).body  # the worker left streaming was replaced
    finally:
        pool.close()


def test_counting_idle_workers_replaces_one_that_died(store_path):
    """/metrics counts idle workers often while no query may reach the pool (cache hits): a worker that died
    idle is not counted, and is reaped, when they are counted."""
    pool = WorkerPool(str(store_path), size=2)
    try:
        dead = pool._idle.queue[0][0]
        os.kill(dead.pid, 9)
        wait_until(lambda: exited(dead.pid), what="the killed worker's exit")
        assert pool.idle_count() == 2  # as last seen: counting per query asks no process (api.metrics)
        assert pool.idle() == 1 and dead.pid not in children()
        wait_until(lambda: pool.idle() == 2, what="a successor")
    finally:
        pool.close()


def test_a_pool_that_cannot_start_leaves_no_worker_behind(store_path, tmp_path):
    """The first worker started and the second failed (no store there): the first was left running, idle and
    owned by nobody; the shell starts its pool at its first query, where a Ctrl-C may come as well."""
    before = set(children())
    shutil.move(store_path, tmp_path / "away")  # every worker fails to open it
    with pytest.raises(Exception):
        WorkerPool(store_path, size=2)
    wait_until(lambda: not set(children()) - before, what="the workers started to end")
