"""The default graph as the RDF merge of the named graphs, kept true by rewriting each SPARQL Update.

Every triple of the dataset lives in a named graph; what a client writes "to the default graph" goes
to a declared graph (DEFAULT_GRAPH). The merge (each triple of any named graph, once) is materialised
where queries read their default graph: the engine's own default graph, or a declared named graph
(MERGE_GRAPH) where the engine has none. `rewrite` turns an update into plain SPARQL that does the
same to the named graphs and keeps the merge equal to their union:

- top-level triples of data blocks and templates (the default graph) are wrapped in GRAPH <default>;
  DEFAULT in CLEAR/DROP/ADD/MOVE/COPY names the declared graph;
- what an INSERT writes is also written to the merge, in the same operation (so blank nodes agree);
  `[ ... ]` and `( ... )` become labelled blank nodes first, so both copies are the same nodes;
- before a graph is dropped or cleared, the merge loses the triples no other graph holds; what an
  operation may remove otherwise (a DELETE's template, a graph COPY or MOVE replaces) is collected in
  a scratch graph, and an appended operation removes from the merge the triples that no graph holds
  any more. The cost is that of the triples and graphs the update touches.

Lines stay where they were, so an engine's syntax error maps back through `Rewritten.position`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from kg.errors import EvaluationError, PolicyError
from kg.namespaces import graph_iri
from kg.store.base import check_update_syntax
from kg.store.graph_guard import guard, guard_graph_variables
from kg.store.graph_presence import GraphPresence, NeedsEngine
from kg.store.merge_blocks import QuadBlocks
from kg.store.merge_graphs import GraphOperations
from kg.store.merge_presence import PresenceSteps, UnnamedGraph
from kg.store.text_edits import Rewritten, TextEdits
from kg.store.update_check import check_whole_update

DEFAULT_GRAPH = graph_iri("default")  # where writes to the default graph are kept
MERGE_GRAPH = graph_iri("merge")  # the merge, on engines without a default graph of their own
CREATED_GRAPH = graph_iri("created")  # graphs that exist empty, on engines that keep no empty graph
_BIND = "BIND (1 AS ?kg_one)"
# Brackets an update may nest: the engine's parser and the rewrite recurse (the engine's stack overflows
# past some 10,000, killing the process; the rewrite, past Python's recursion limit). HTTP clients meet
# the query policy's lower limit first.
MAX_NESTING = 256
_NOT_IN_DATA = {True: "INSERT DATA takes no variables: use INSERT { … } WHERE { … }.",
                False: "DELETE DATA takes neither variables nor blank nodes: use DELETE { … } WHERE { … }."}


@dataclass(frozen=True)
class Target:
    """Where the merge lives and what the engine cannot do, as the rewriter needs to know it.

    `merge` is None when the engine's default graph holds the merge. `graphs()` lists the graphs to
    drop for DROP/CLEAR ALL where the engine has no such operation; `presence` follows which graphs exist
    through the update, for engines that judge DROP and CREATE by something else (kg.store.graph_presence).
    """

    declared: str = DEFAULT_GRAPH
    merge: str | None = None
    graphs: Callable[[], list[str]] | None = None
    presence: GraphPresence | None = None
    created: str | None = None  # where the graphs that exist empty are noted (kg.store.merge_presence)
    blank_nodes_in_data: bool = True
    hidden: tuple[str, ...] = ()  # graphs a WHERE's GRAPH ?g may never match (the merge, an engine's own)
    spell_out_graphs: bool = False  # GRAPH ?g {} enumerates nothing: ask for the graphs holding a triple
    bind_in_where: bool = False  # end each WHERE with a BIND: Virtuoso fails some templates otherwise
    clear_each: Callable[[], list[str]] | None = None  # graphs CLEAR ALL clears one by one: Oxigraph's drops them


def rewrite(text: str, target: Target) -> Rewritten:
    """`text`, a SPARQL Update, rewritten so that the merge stays the union of the named graphs.

    QuerySyntaxError first if the engine's parser rejects `text` itself: a rewrite of a malformed update
    could be well formed (a `( ... ]` made into labelled nodes), and its errors' columns would be approximate.
    What the parser tells only at the text's end is raised after the rewrite's own checks, still before any store
    is sent the text: a remote engine's parser may take it (Virtuoso ran `DELETE … WHERE { … FILTER(TRUE) }`).
    """
    rewriter = _Rewriter(text, target)
    deepest = rewriter.depth()
    if deepest > MAX_NESTING:
        raise PolicyError(f"the update nests {deepest} levels deep (brackets, triple terms, operators such as "
                          f"!!); the limit is {MAX_NESTING}")
    check_update_syntax(text)
    try:
        rewritten = rewriter.run()  # first, for the faults it places better than the parser (a variable in data)
    except (EvaluationError, UnnamedGraph):  # a graph judged by the store (graph_presence): a syntax fault comes first
        check_whole_update(text)
        raise
    check_whole_update(text)  # then what the parser tells only at the text's end, before any engine runs it
    return rewritten


class _Rewriter(GraphOperations, PresenceSteps, QuadBlocks, TextEdits):
    def __init__(self, text: str, target: Target):
        super().__init__(text)
        self.target = target
        self.declared: dict[str, str] = {}
        self.base: str | None = None
        self.kept_spans: list[tuple[int, int]] = []  # the prologue's declarations, by offsets

    # --- the operations -------------------------------------------------------------------------

    def run(self) -> Rewritten:
        for index, token in enumerate(self.sig):  # never write to a graph the store hides
            if token.kind == "iri" and token.text[1:-1] in self.target.hidden and \
                    self.word(index - 1) in ("GRAPH", "WITH", "TO", "INTO", "USING", "NAMED"):
                raise EvaluationError(f"the graph {token.text} is not part of the dataset and cannot be written")
        rest, done = None, 0
        for first, last in self._operations():
            index = first
            while index < last and self.word(index) in ("BASE", "PREFIX"):
                width = 2 if self.word(index) == "BASE" else 3
                self._prologue_read(index)
                index += width
            if index >= last:
                continue
            made = len(self.edits)
            try:
                self._operation(index, last)
            except NeedsEngine:  # the operations before this one go first; this one and the rest after them
                if not done:
                    raise
                del self.edits[made:]
                self.target.presence.resolved()
                rest = self._rest(self.sig[first].start)
                self._cut_after(self.sig[first - 1].start)
                break
            done += 1
        rewritten = self.apply()
        rewritten.rest = rest
        return rewritten

    def _operations(self):
        """(first, end) index ranges of the operations, split at top-level semicolons."""
        depth, first = 0, 0
        for index, token in enumerate(self.sig):
            if token.kind == "open":
                depth += 1
            elif token.kind == "close":
                depth = max(0, depth - 1)
            elif token.text == ";" and depth == 0:
                yield first, index
                first = index + 1
        yield first, len(self.sig)

    def _operation(self, first: int, last: int) -> None:
        word = self.word(first)
        if word in ("INSERT", "DELETE") and self.word(first + 1) == "DATA":
            self._data(first, last, insert=word == "INSERT")
        elif word == "DELETE" and self.word(first + 1) == "WHERE":
            self._delete_where(first, last)
        elif word in ("WITH", "INSERT", "DELETE"):
            self._modify(first, last)
        elif word in ("CLEAR", "DROP"):
            self._clear(first, last)
        elif word in ("ADD", "MOVE", "COPY"):
            self._transfer(first, last)
        elif word == "CREATE":
            self._create(first, last)
        elif word == "LOAD":
            raise EvaluationError("LOAD is not supported here: load files with `kg load`")
        else:  # the engine takes a keyword glued to the next one (INSERTDATA), which would go unrewritten
            raise self.error_at(self.sig[first], "Expected an update operation (INSERT, DELETE, CLEAR, DROP, "
                                "CREATE, ADD, MOVE, COPY, LOAD) or a PREFIX or BASE line here.")

    def _data(self, first: int, last: int, *, insert: bool) -> None:
        opening = first + 2
        closing = self.match(opening)
        if closing is None or closing >= last:
            return
        for token in self.sig[opening + 1:closing]:  # the engine says so at the block's end, if at all: the
            # rewrite of INSERT DATA into a template where the engine takes no blank nodes would run them
            if token.kind == "var" or not insert and (token.kind == "bnode" or token.text == "["):
                raise self.error_at(token, _NOT_IN_DATA[insert])
        self._quads_seen(first, opening, closing, insert=insert, surely=True)
        flat, blank = self._block(opening, closing, wrap=True)
        if insert:
            if flat:
                self.insert(self.sig[closing].start, " " + self._in_merge(flat) + " ")
            if blank and not self.target.blank_nodes_in_data:  # the engine refuses blank nodes in DATA
                self.replace(self.sig[first + 1], "")
                self.insert(self.sig[closing].end, f" WHERE {{ {_BIND} }}")
            return
        if flat:
            removed = self._scratch("removed")
            self._append(last, f"INSERT DATA {{ GRAPH <{removed}> {{ {flat} }} }}", self._removal(removed))

    def _delete_where(self, first: int, last: int) -> None:
        opening = first + 2
        closing = self.match(opening)
        if closing is None or closing >= last:
            return
        self.only_grammar_spaces(opening + 1, closing)
        self._quads_seen(first, opening, closing, insert=False)
        pattern = self.flat_text(opening + 1, closing, typed_signs=True)
        if self.target.hidden or self.target.spell_out_graphs:
            pattern = guard_graph_variables(pattern, self.target.hidden,
                                            spell_out=self.target.spell_out_graphs).text
        if self.target.merge is not None:  # the WHERE reads the merge, as queries do
            pattern = f"GRAPH <{self.target.merge}> {{ {pattern} }}"
        if self.target.bind_in_where:
            pattern += f" {_BIND}"
        flat, _ = self._block(opening, closing, wrap=True)
        removed = self._scratch("removed")
        self.replace(self.sig[first + 1], "")  # DELETE WHERE {Q} -> DELETE {Q'} INSERT {...} WHERE {Q}
        self.insert(self.sig[closing].end,
                     f" INSERT {{ GRAPH <{removed}> {{ {flat} }} }} WHERE {{ {pattern} }}")
        self._append(last, self._removal(removed))

    def _modify(self, first: int, last: int) -> None:
        index, with_graph, merge = first, None, self.target.merge
        if self.word(index) == "WITH":
            if index + 2 >= last:  # WITH and its graph, then nothing
                raise self.error_at(self.sig[min(index + 1, last - 1)], "Expected DELETE or INSERT after WITH <graph>.")
            with_graph, index = self.sig[index + 1].text, index + 2
        deleted = inserted = None
        if self.word(index) == "DELETE":
            deleted = (index + 1, self.match(index + 1))
            index = (deleted[1] or last) + 1
        if self.word(index) == "INSERT":
            inserted = (index + 1, self.match(index + 1))
        blocks = [block for block in (deleted, inserted) if block]
        if not blocks or any(block[1] is None or block[1] >= last for block in blocks):
            return  # malformed: the parser says where, at the text's end
        top = self._graph(first + 1) if with_graph else None
        for block, insert in ((deleted, False), (inserted, True)):  # the template deletes, then inserts
            if block:
                self._quads_seen(first, *block, insert=insert, top=top)
        after = max(block[1] for block in blocks) + 1
        where = next((i for i in range(after, last) if self.word(i) == "WHERE"), None)
        group = (where + 1, self.match(where + 1)) if where is not None else None
        if group and group[1] is not None:
            guard(self, *group, self.target.hidden, spell_out=self.target.spell_out_graphs)
        # Where the merge is a named graph, the WHERE reads it through GRAPH, and WITH becomes explicit
        # GRAPH blocks: such an engine (Virtuoso) finds no GRAPH <iri> inside a WHERE given a default graph.
        into = None
        if merge is not None:
            into = with_graph or f"<{self.target.declared}>"
            if with_graph:
                self.replace_span(self.sig[first].start, self.sig[first + 1].end, "")
            using = any(self.word(i) == "USING" for i in range(after, where or last))
            if group and group[1] is not None and not using:
                self.insert(self.sig[group[0]].end, f" GRAPH {with_graph or f'<{merge}>'} {{")
                self.insert(self.sig[group[1]].start, "} ")
        if self.target.bind_in_where and group and group[1] is not None:
            self.insert(self.sig[group[1]].start, f"{_BIND} ")
        wrap = with_graph is None or merge is not None
        appended, extra = [], []
        if inserted:
            flat, _ = self._block(*inserted, wrap=wrap, into=into)
            if flat and merge is None and with_graph:  # WITH holds the top level: go through a scratch graph
                added = self._scratch("added")
                extra.append(f"GRAPH <{added}> {{ {flat} }}")
                appended += [f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH <{added}> {{ ?s ?p ?o }} }}",
                             f"DROP SILENT GRAPH <{added}>"]
            elif flat:
                extra.append(self._in_merge(flat))
        if deleted:
            flat, _ = self._block(*deleted, wrap=wrap, into=into)
            if flat:
                removed = self._scratch("removed")
                extra.append(f"GRAPH <{removed}> {{ {flat} }}")
                appended.append(self._removal(removed))
        if extra and inserted:
            self.insert(self.sig[inserted[1]].start, " " + " ".join(extra) + " ")
        elif extra:
            self.insert(self.sig[deleted[1]].end, " INSERT { " + " ".join(extra) + " }")
        if appended:
            self._append(last, *appended)

    # --- pieces ---------------------------------------------------------------------------------

    def _removal(self, removed: str) -> str:
        """Remove from the merge the triples of `removed` that no other graph holds, then drop it."""
        merge = self.target.merge
        where = f"?g != <{removed}>" + (f" && ?g != <{merge}>" if merge else "")
        return (f"DELETE {{ {self._in_merge('?s ?p ?o')} }} WHERE {{ GRAPH <{removed}> {{ ?s ?p ?o }} "
                f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER ({where}) }} }} ; "
                f"DROP SILENT GRAPH <{removed}>")

    def _in_merge(self, triples: str) -> str:
        return triples if self.target.merge is None else f"GRAPH <{self.target.merge}> {{ {triples} }}"

    @staticmethod
    def _scratch(role: str) -> str:
        """A graph IRI no one else uses, for the triples an operation adds or removes (`role`)."""
        return f"urn:uuid:{uuid.uuid4()}"

    def _append(self, last: int, *operations: str) -> None:
        """Operations to run right after the operation ending before token `last`."""
        self.insert(self.sig[last - 1].end, "".join(f" ; {operation}" for operation in operations))
