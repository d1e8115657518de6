"""What kg asks of a remote engine before serving from it: whether it lacks the merge of its named graphs
(data loaded before kg's dataset model, or by other means), which it then builds, whether it unions its graphs into
its default graph itself, and whether the engine stops a query at its time limit by itself. A part of RemoteStore
(kg.store.remote)."""

from __future__ import annotations

import time

from kg.errors import QueryTimeout
from kg.store.graph_guard import guard_graph_variables
from kg.store.merge import DEFAULT_GRAPH
from kg.store.remote_failures import failure
from kg.store.remote_http import REPLY_BYTES
from kg.store.remote_whole import whole_rows

# Seconds past the limit a time limit probe waits for the engine to stop it. Wide: oxigraph serve checks
# its limit between steps of work, so on a busy machine a 2 s limit stopped the probe after 5.5 to 7 s
# (load average 15, 2 cores), and a 5 s limit took over 25 s at load average 29; the probe tells an engine
# with a limit from one without, not 2 s from 4 s. Only a store without a limit waits the grace out.
TIME_LIMIT_GRACE = 60.0


class EngineChecks:
    """lacks_merge, unions_graphs, migrate and time_limit_holds, over RemoteStore's own requests (_query, _send)."""

    def lacks_merge(self) -> bool:
        """Whether the engine holds graphs but no merge of them (data loaded before the model, or by
        other means), judged by one triple of the named graphs missing from the default graph."""
        def lacks(url: str) -> bool:  # both questions to one replica: they may differ while replicating
            # without blank nodes: a blank node's label sent back in the ASK is a variable, found whatever holds
            first = list(self._query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!isBlank(?s) && "
                                     "!isBlank(?o)) } LIMIT 1", None, None, None, None, hide=True, url=url))
            return bool(first) and not self._query(f"ASK {{ {' '.join(str(t) for t in first[0])} }}", None, None,
                                                   None, None, hide=True, url=url)
        return self._on_a_replica(lacks)

    def unions_graphs(self) -> bool:
        """Whether the engine's default graph is the union of all its graphs (oxigraph serve --union-default-graph)
        where kg keeps the merge in the default graph itself: a triple of a named graph then shows there twice,
        and every count is wrong. Judged by one triple of the named graphs; False for an empty engine."""
        if self.dialect.merge_graph is not None:  # the merge is a named graph: the default graph is not read
            return False

        def rows(sparql: str, url: str, names: str) -> list:
            return list(whole_rows(self._query(sparql, None, None, None, None, hide=True, url=url), url, "a check",
                                   names=names))

        def unions(url: str) -> bool:
            # A blank node's label, sent back, is a variable: _:a p "x" would count every subject with p "x"
            first = rows("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!isBlank(?s) && !isBlank(?o)) } LIMIT 1",
                         url, "s p o")
            if not first:
                return False
            counted = rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ {' '.join(map(str, first[0]))} }}", url, "n")
            return len(counted) == 1 and counted[0][0].value.isdigit() and int(counted[0][0].value) > 1
        return self._on_a_replica(unions)

    def migrate(self) -> bool:
        """Build the merge if the engine lacks it (see lacks_merge); True if it did. Client triples in the
        default graph proper go to the declared graph first, on engines that have one."""
        dialect = self.dialect
        merge = dialect.merge_graph
        if not self.lacks_merge():
            return False
        into = "?s ?p ?o" if merge is None else f"GRAPH <{merge}> {{ ?s ?p ?o }}"
        operations = [guard_graph_variables(f"INSERT {{ {into} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                                            self._hidden).text]
        if merge is None:
            operations.insert(0, f"INSERT {{ GRAPH <{DEFAULT_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}")
        answer = self._send(self.update_url, [("update", " ; ".join(operations))], accept="*/*", deadline=None)
        if answer.status >= 300:
            raise failure(answer, dialect)
        answer.read(REPLY_BYTES)  # a hostile engine's endless body must not fill memory
        return True

    def time_limit_holds(self, seconds: float) -> bool | None:
        """Whether the engine stops by itself a query that reads the store for longer (a count over the
        store crossed with itself three times, which oxigraph serve's --timeout-s does stop) before this
        gives up on it, `seconds` + TIME_LIMIT_GRACE later. None when the query ended by itself: too little
        data to tell. On an engine without a limit the probe runs on there until done."""
        probe = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        gives_up = time.monotonic() + seconds + TIME_LIMIT_GRACE
        try:
            # read to the end: oxigraph serve's stop may come at the end of a 200's body
            self._on_a_replica(lambda url: list(self._query(probe, None, None, seconds + TIME_LIMIT_GRACE, None,
                                                            hide=True, url=url)))
        except QueryTimeout:
            return time.monotonic() < gives_up  # the engine's own stop came first
        return None
