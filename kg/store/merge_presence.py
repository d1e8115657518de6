"""The update rewriter's side of kg.store.graph_presence: the graphs each operation names, told to the tracker,
and an update cut before the first operation whose check only the engine can answer. A part of kg.store.merge."""

from __future__ import annotations

from kg.errors import QuerySyntaxError
from kg.sparql_parts import iri_named

_GRAPH = "http://www.w3.org/ns/sparql-service-description#Graph"


class UnnamedGraph(QuerySyntaxError):
    """A graph operation names no IRI where one must be: a fault the parser tells in its own words at the text's end."""


class PresenceSteps:
    """Over the rewriter's tokens and `target`; `declared` and `base` are the prologue in force."""

    def _prologue_read(self, index: int) -> None:
        """Take the BASE or PREFIX declaration at token `index` into `declared` and `base`."""
        if self.word(index) == "BASE":
            self.base = iri_named("iri", self.sig[index + 1].text, self.declared, self.base)
        else:
            prefix = self.sig[index + 1].text.split(":", 1)[0]
            self.declared[prefix] = iri_named("iri", self.sig[index + 2].text, self.declared, self.base)
        self.kept_spans.append((self.sig[index].start, self.sig[index + (1 if self.word(index) == "BASE" else 2)].end))

    def _graph(self, index: int) -> str:
        """The IRI of the graph named by token `index` (an IRI or a prefixed name, as the engine reads it)."""
        token = self.sig[index]
        iri = iri_named(token.kind, token.text, self.declared, self.base)
        if iri is None:  # never asked of the engine (`<Q` is no IRI)
            error = self.error_at(token, f"a graph's IRI was expected here, not {token.text}")
            raise UnnamedGraph(error.message, line=error.line, column=error.column)
        return iri

    def _block_graphs(self, opening: int, closing: int, top: str) -> tuple[set[str], bool]:
        """The graphs a quads block (between the braces at `opening` and `closing`) writes or deletes: those its
        GRAPH blocks name, and `top` for its top-level triples; and whether a GRAPH ?var names any graph."""
        graphs, anywhere, index = set(), False, opening + 1
        while index < closing:
            if self.graph_block(index):
                if self.sig[index + 1].kind == "var":
                    anywhere = True
                else:
                    graphs.add(self._graph(index + 1))
                index = (self.match(index + 2) or closing) + 1
            elif self.sig[index].text == ".":
                index += 1
            else:
                graphs.add(top)
                index = (self.match(index) or closing) + 1 if self.sig[index].kind == "open" else index + 1
        return graphs, anywhere

    def _quads_seen(self, first: int, opening: int, closing: int | None, *, insert: bool, surely: bool = False,
                    top: str | None = None) -> None:
        """Tell the tracker what a data block or template between `opening` and `closing`, of the operation at token
        `first`, does to its graphs; a graph it may empty is noted as existing, if it does (the embedded store's)."""
        presence = self.target.presence
        if presence is None or closing is None:
            return
        graphs, anywhere = self._block_graphs(opening, closing, top or self.target.declared)
        if insert:
            presence.written(graphs, surely=surely, everywhere=anywhere)
        else:
            presence.removed(graphs, everywhere=anywhere)
            self._noted_as(first, True, *sorted(graphs - {self.target.declared}), held=True)
            if anywhere:  # GRAPH ?var may empty any graph
                self._noted_every_held(first)

    def _noted_every_held(self, first: int) -> None:
        """Before the operation at token `first`: note every graph holding a triple (the store's own and the declared
        default graph aside) as existing, so that one the operation empties stays, as on the embedded store."""
        if self.target.created is None:
            return
        left_out = ", ".join(f"<{iri}>" for iri in (*self.target.hidden, self.target.declared))
        self.insert(self.sig[first].start,
                    f"INSERT {{ GRAPH <{self.target.created}> {{ ?g a <{_GRAPH}> }} }} WHERE {{ SELECT DISTINCT ?g "
                    f"WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g NOT IN ({left_out})) }} }} ; ")

    def _noted_as(self, first: int, exists: bool, *iris: str, held: bool = False) -> None:
        """Before the operation at token `first`: note graphs `iris` as existing empty, or no longer so (`held`: note
        each only if it holds a triple then), where the engine keeps no empty graph (Target.created), for the requests
        after this one."""
        if self.target.created is None or not iris:
            return
        marks = " ".join(f"<{iri}> a <{_GRAPH}> ." for iri in iris)
        into = f"{{ GRAPH <{self.target.created}> {{ {marks} }} }}"
        if held:  # (Virtuoso takes a FILTER EXISTS alone in a WHERE as true, whatever the graph holds)
            into = f"{{ GRAPH <{self.target.created}> {{ ?g a <{_GRAPH}> }} }}"
            where = " UNION ".join(f"{{ SELECT (<{iri}> AS ?g) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} LIMIT 1 }}"
                                   for iri in iris)
            self.insert(self.sig[first].start, f"INSERT {into} WHERE {{ {where} }} ; ")
            return
        self.insert(self.sig[first].start, f"{'INSERT' if exists else 'DELETE'} DATA {into} ; ")

    def _rest(self, start: int) -> str:
        """The text from offset `start` on, and the prologue declared before it, at their places (so that lines
        and columns stay the user's); everything else blanked."""
        kept = [(0, 0)] + [span for span in self.kept_spans if span[1] <= start] + [(start, len(self.text))]
        pieces = []
        for (_, end), (begin, stop) in zip(kept, kept[1:]):
            pieces.append(_blank(self.text[end:begin]) + self.text[begin:stop])
        return "".join(pieces)

    def _cut_after(self, start: int) -> None:
        """Leave out the text from offset `start` on (sent later, as `_rest`)."""
        self.replace_span(start, len(self.text), _blank(self.text[start:]))


def _blank(text: str) -> str:
    """`text` as spaces, its line ends kept."""
    return "".join(c if c in "\r\n" else " " for c in text)
