"""The project's own graphs (a build's, the loads record, the merge), which a client's SPARQL Update may not
change: `kg build --install` keeps them, and a write there is lost at the next install or breaks the pages.

The rule, per operation: a graph it writes (GRAPH <g> in a data block or template, WITH, the target of
CLEAR/DROP/CREATE/LOAD/ADD/COPY, both graphs of MOVE) may not be one; CLEAR or DROP of ALL or NAMED is
refused while the store holds one; a template's `GRAPH ?g` may only reach other graphs: the WHERE group gets
FILTER (!BOUND(?g) || ?g NOT IN (the project's graphs in the store)), so such a delete still works elsewhere.
Reading them (in a WHERE, USING, the source of ADD or COPY) stays allowed.
"""

from __future__ import annotations

from functools import cached_property

from kg.errors import ProjectGraphError
from kg.namespaces import DEFAULT_BASE, graph_iri
from kg.publish import installed_bases, owned_graph
from kg.sparql_parts import iri_named
from kg.store.merge import MERGE_GRAPH
from kg.store.text_edits import TextEdits

KEEPS = "only `kg build --install` writes them; write to a graph of your own"


def project_graph(iri: str, bases) -> bool:
    """Whether `iri` is one of the project's own graphs under any of `bases`."""
    return iri == MERGE_GRAPH or any(owned_graph(iri, base) or iri == graph_iri("loads", base) for base in bases)


def project_bases(store) -> set[str]:
    """The default base and those of the builds installed in `store`."""
    return {DEFAULT_BASE} | installed_bases(store)


def refuse_graph_write(store, iri: str, change: str) -> None:
    """ProjectGraphError if a write of the graph `iri` as a whole (`change`: "a PUT would replace") would
    change one of the project's graphs in `store`."""
    refuse_graph_writes(store, [iri], change)


def refuse_graph_writes(store, iris, change: str) -> None:
    """refuse_graph_write for each of `iris`, the store's project bases read once (a dataset of 2,000 graphs read them
    2,000 times, 21 ms each)."""
    bases = None
    for iri in iris:
        if iri:
            bases = project_bases(store) if bases is None else bases
            if project_graph(iri, bases):
                raise _refusal(iri, change)


def _refusal(iri: str, change: str) -> ProjectGraphError:
    return ProjectGraphError(f"the graph <{iri}> is one of the project's own graphs, which {change}: {KEEPS}")


def keep_project_graphs(text: str, store, prefixes: dict[str, str], base: str | None = None) -> str:
    """`text` (an update) with its variable graphs kept off the project's graphs; ProjectGraphError when it
    would write one of them by name, or clear them all."""
    return _Guard(text, store, prefixes, base).run()


class _Guard(TextEdits):
    def __init__(self, text, store, prefixes, base):
        super().__init__(text)
        self.store, self.prefixes, self.base = store, dict(prefixes), base

    # The store is asked only when an update may reach a project graph: most never do, and an update
    # must not wait on a read first (a remote store that hangs is the update's 504, not a query's 503).
    @cached_property
    def bases(self) -> set[str]:
        return project_bases(self.store)

    @cached_property
    def existing(self) -> list[str]:
        return sorted(iri for iri in self.store.graphs() if project_graph(iri, self.bases))

    def run(self) -> str:
        depth, first = 0, 0
        for index, token in enumerate(self.sig):
            depth += (token.kind == "open") - (token.kind == "close")
            if token.text == ";" and depth == 0:
                self._operation(first, index)
                first = index + 1
        self._operation(first, len(self.sig))
        return self.apply().text

    def _operation(self, first: int, last: int) -> None:
        while first < last and self.word(first) in ("BASE", "PREFIX"):
            if self.word(first) == "PREFIX" and first + 2 < last:
                # a prefix's IRI resolves against the BASE in force where it is declared, as the engine's does
                self.prefixes[self.sig[first + 1].text[:-1]] = iri_named("iri", self.sig[first + 2].text, {}, self.base)
            else:
                self.base = iri_named("iri", self.sig[first + 1].text, {}, self.base)
            first += 2 if self.word(first) == "BASE" else 3
        word = self.word(first)
        if word is None:
            return
        if word in ("CLEAR", "DROP", "CREATE", "LOAD", "ADD", "MOVE", "COPY"):
            return self._graph_management(word, first, last)
        if word == "WITH":
            self._refuse(first + 1)
        templates = [i for i in range(first, last) if self.word(i) in ("DELETE", "INSERT", "DATA", "WHERE")
                     and i + 1 < last and self.sig[i + 1].text == "{" and not self._after_template_where(i, first)]
        variables = set()
        for opening in (i + 1 for i in templates):
            closing = self.match(opening) or last
            for index in range(opening, closing):
                if self.word(index) == "GRAPH" and self.sig[index + 1].kind == "var":
                    variables.add(self.sig[index + 1].text)
                elif self.word(index) == "GRAPH":
                    self._refuse(index + 1)
        if variables:
            self._keep_off(first, last, sorted(variables))

    def _after_template_where(self, index: int, first: int) -> bool:
        """A WHERE group of DELETE/INSERT {...} WHERE {...}: read, not written (DELETE WHERE's is both)."""
        return self.word(index) == "WHERE" and self.word(index - 1) != "DELETE"

    def _graph_management(self, word: str, first: int, last: int) -> None:
        index = first + 1 + (self.word(first + 1) == "SILENT")
        if word in ("CLEAR", "DROP") and self.word(index) in ("ALL", "NAMED") and self.existing:
            raise ProjectGraphError(f"{word} {self.word(index)} would {word.lower()} the project's own graphs "
                                    f"({self.existing[0]} and others): {KEEPS}")
        if word in ("CLEAR", "DROP", "CREATE"):
            return self._refuse(index + 1) if self.word(index) == "GRAPH" else None
        if word == "LOAD":
            into = next((i for i in range(first, last) if self.word(i) == "INTO"), None)
            return None if into is None else self._refuse(into + 2)
        to = next((i for i in range(first, last) if self.word(i) == "TO"), last)
        self._refuse(to + 1 + (self.word(to + 1) == "GRAPH"))
        if word == "MOVE":  # MOVE empties its source
            self._refuse(index + (self.word(index) == "GRAPH"))

    def _refuse(self, index: int) -> None:
        iri = self._iri(index)
        maybe = iri is not None and ("graph/" in iri or "claim/" in iri)  # as every project graph's IRI has
        if maybe and project_graph(iri, self.bases):
            raise _refusal(iri, "this update would change")

    def _iri(self, index: int) -> str | None:
        token = self.sig[index] if index < len(self.sig) else None
        return None if token is None else iri_named(token.kind, token.text, self.prefixes, self.base)

    def _keep_off(self, first: int, last: int, variables: list[str]) -> None:
        """A FILTER in the WHERE group keeping each template's graph variable off the project's graphs."""
        if not self.existing:
            return
        kept = ", ".join(f"<{iri}>" for iri in self.existing)
        test = " ".join(f"FILTER (!BOUND({v}) || {v} NOT IN ({kept}))" for v in variables)
        where = next((i for i in range(first, last) if self.word(i) == "WHERE"), None)
        opening = None if where is None else where + 1
        closing = None if opening is None else self.match(opening)
        if closing is None:
            return
        if self.word(where - 1) == "DELETE":  # DELETE WHERE {Q}: DELETE {Q} WHERE {Q FILTER}, Q's template apart
            pattern = self.flat_text(opening + 1, closing)
            self.replace(self.sig[where], "")
            self.insert(self.sig[closing].end, f" WHERE {{ {pattern} {test} }}")
        else:
            self.insert(self.sig[closing].start, f" {test} ")
