"""Which graphs exist as each operation of one update runs, on an engine where a graph exists only while it holds
a triple (Virtuoso): the embedded store's reading, followed operation by operation (SPARQL 1.1 Update §3: each
operation sees the effects of those before it), so that CREATE, DROP, CLEAR and MOVE are judged as of their own
operation rather than as of the request's start.

The embedded store (Oxigraph) keeps a graph once it was created or written until it is dropped: emptied by a
DELETE or CLEAR it still exists. A COPY or MOVE leaves its target existing only if the source held a triple; a
MOVE of a graph that does not exist fails (COPY and ADD never do). What a pattern-driven INSERT or DELETE does
is known only once it ran: an operation whose check depends on it raises NeedsEngine, and the store sends the
operations before it first (kg.store.remote). Across requests, a graph left existing empty (CREATEd, CLEARed, emptied) is
one the store noted (Dialect.created_graph, kept by kg.store.merge_presence).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kg.errors import EvaluationError


class NeedsEngine(Exception):
    """A check depends on what earlier operations of the request did to the data: run those first."""


@dataclass
class Presence:
    """One graph's state: whether it exists, whether it holds a triple (None: the engine must say)."""

    exists: bool | None
    holds: bool | None


class GraphPresence:
    """The graphs' states through one update; `holds(iri)` asks the engine whether a graph holds a triple, `noted(iri)`
    whether an earlier request left it existing empty. A graph is asked about only when a check or a transfer needs
    its state: a write's effect is noted until then."""

    def __init__(self, holds: Callable[[str], bool], *, noted: Callable[[str], bool] | None = None):
        self.ask = holds
        self.noted = noted or (lambda iri: False)
        self.known: dict[str, Presence] = {}
        self.log: list[tuple[str, str | None]] = []  # (event, graph or None for every graph), for graphs not asked

    def state(self, iri: str) -> Presence:
        if iri not in self.known:
            held = self.ask(iri)
            found = Presence(held or self.noted(iri), held)
            for event, target in self.log:
                if target in (None, iri):
                    _replay(found, event)
            self.known[iri] = found
        return self.known[iri]

    def resolved(self) -> None:
        """Ask about every graph an event is noted for, while the engine still holds the request's start."""
        for _, target in list(self.log):
            if target is not None:
                self.state(target)

    def settled(self) -> None:
        """The operations so far ran on the engine: what it holds now is its own to say."""
        self.log.clear()
        for iri, found in self.known.items():
            if found.holds is None:
                found.holds = self.ask(iri)
            if found.exists is None:
                found.exists = found.holds or self.noted(iri)

    # --- checks and effects, one method per kind of operation ------------------------------------------

    def create(self, iri: str, ref: str, *, silent: bool) -> None:
        if not silent and _sure(self.state(iri).exists):
            raise EvaluationError(f"The graph {ref} already exists")
        self._note("created", iri)

    def drop(self, iri: str, ref: str, *, silent: bool) -> None:
        if not silent:
            self._check(self.state(iri), ref)
        self.known[iri] = Presence(False, False)

    def clear(self, iri: str, ref: str, *, silent: bool) -> None:
        if not silent:
            self._check(self.state(iri), ref)
        self._note("emptied", iri)

    def transfer(self, word: str, source: str, target: str, ref: str, *, silent: bool) -> None:
        """ADD, COPY or MOVE from graph `source` (written `ref`) to `target`."""
        if source == target:
            return
        origin, found = self.state(source), self.state(target)
        if word == "MOVE" and not silent:
            self._check(origin, ref)
        if word == "ADD":
            found.holds = _either(found.holds, origin.holds)
            found.exists = _either(found.exists, origin.holds)
        else:
            found.exists = found.holds = origin.holds
        if word == "MOVE":
            origin.exists = origin.holds = False

    def written(self, iris, *, surely: bool, everywhere: bool = False) -> None:
        """Triples inserted into `iris` (by INSERT DATA `surely`; else by a template), or into any graph."""
        if everywhere:
            self._note("maybe written", None)
        for iri in iris:
            if surely:
                self.known[iri] = Presence(True, True)
            else:
                self._note("maybe written", iri)

    def removed(self, iris, *, everywhere: bool = False) -> None:
        """Triples deleted from `iris`, or from any graph: each exists as it did, and may now hold none."""
        for iri in [None] if everywhere else iris:
            self._note("maybe emptied", iri)

    def written_since(self, listed) -> list[str]:
        """The graphs besides `listed` (those holding a triple at the request's start) that may hold one now."""
        if ("maybe written", None) in self.log:  # by a template into GRAPH ?g: only the engine can list them
            raise NeedsEngine
        noted = [target for event, target in self.log if event == "maybe written"]
        may_hold = [iri for iri, found in self.known.items() if found.holds is not False]
        return [iri for iri in dict.fromkeys(may_hold + noted) if iri not in listed]

    def every(self, event: str) -> None:
        """DROP ALL ("dropped") or CLEAR ALL ("emptied")."""
        self._note(event, None)

    # --- pieces ----------------------------------------------------------------------------------------

    def _note(self, event: str, iri: str | None) -> None:
        """`event` happened to graph `iri` (None: every graph): applied to what is known, noted for the rest."""
        if iri is None:
            affected = list(self.known.values())
        else:
            affected = [self.known[iri]] if iri in self.known else []
        for found in affected:
            _replay(found, event)
        if not affected or iri is None:
            self.log.append((event, iri))

    @staticmethod
    def _check(found: Presence, ref: str) -> None:
        if not _sure(found.exists):
            raise EvaluationError(f"The graph {ref} does not exist")


def _sure(value: bool | None) -> bool:
    """`value`, or NeedsEngine where only the engine can tell."""
    if value is None:
        raise NeedsEngine
    return value


def _either(first: bool | None, second: bool | None) -> bool | None:
    """Three-valued or: True if either is, False if both are, else unknown."""
    if first or second:
        return True
    return None if first is None or second is None else False


def _replay(found: Presence, event: str) -> None:
    if event == "created":
        found.exists = True
    elif event == "dropped":
        found.exists = found.holds = False
    elif event == "emptied":
        found.holds = False
    elif event == "maybe written":
        found.exists, found.holds = _either(found.exists, None), _either(found.holds, None)
    elif event == "maybe emptied" and found.holds is not False:
        found.holds = None
