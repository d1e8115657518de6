"""Graph operations (CLEAR, DROP, ADD, MOVE, COPY, CREATE) rewritten to keep the merge: a part of the
update rewriter of kg.store.merge, over the same tokens and edits."""

from __future__ import annotations


class GraphOperations:
    """The rewriter's methods for operations on whole graphs; the merge's helpers (_in_merge, _scratch,
    _removal, _append), `target` and the graph presence steps (kg.store.merge_presence) are the rewriter's own."""

    def _clear(self, first: int, last: int) -> None:
        index = first + 1
        silent = self.word(index) == "SILENT"
        index += silent
        which = self.word(index)
        presence = self.target.presence
        if which in ("ALL", "NAMED"):
            if self.word(first) == "CLEAR" and self.target.clear_each is not None:
                # Oxigraph's CLEAR ALL drops the graphs on disk (its CLEAR GRAPH, and its store in memory, keep
                # them): each is cleared by name; a template empties those an operation before this one wrote
                # (not listed yet), leaving them there too; then the merge, its default graph
                clears = [f"CLEAR SILENT GRAPH <{iri}>" for iri in self.target.clear_each()]
                clears += ["DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }", "CLEAR SILENT DEFAULT"]
                self.replace_span(self.sig[first].start, self.sig[last - 1].end, " ; ".join(clears))
                return
            if self.target.graphs is None:  # the engine empties every graph, the merge included
                self.replace(self.sig[index], "ALL")
                return
            graphs = [g for g in self.target.graphs() if g != self.target.merge]
            if self.word(first) == "CLEAR":  # each graph it empties stays there, noted where the engine keeps none
                self._noted_every_held(first)
            if presence is not None:  # and those the operations before this one may have written
                graphs += presence.written_since(graphs)
                presence.every("dropped" if self.word(first) == "DROP" else "emptied")
            graphs.append(self.target.merge)
            if self.target.created is not None and self.word(first) == "DROP":
                graphs.append(self.target.created)  # no graph is left existing empty
            drops = " ; ".join(f"DROP SILENT GRAPH <{iri}>" for iri in graphs)
            self.replace_span(self.sig[first].start, self.sig[last - 1].end, drops)
            return
        if which == "DEFAULT":  # the default graph always exists: dropping it leaves it empty
            ref = f"<{self.target.declared}>"
            self.replace_span(self.sig[first].start, self.sig[index].end, f"DROP SILENT GRAPH {ref}")
            if presence is not None:
                presence.drop(self.target.declared, ref, silent=True)
        elif which == "GRAPH" and index + 1 < last:
            ref = self.sig[index + 1].text
            if presence is not None:  # the engine fails graphs it was not told of: judged here, sent SILENT
                step = presence.drop if self.word(first) == "DROP" else presence.clear
                step(self._graph(index + 1), ref, silent=silent)
                if not silent:
                    self.insert(self.sig[index].start, "SILENT ")
                if self.word(first) == "DROP" or not silent:  # a CLEAR that passed leaves the graph there, empty
                    self._noted_as(first, self.word(first) == "CLEAR", self._graph(index + 1))
                else:  # CLEAR SILENT leaves a graph there, empty, if it was: as it holds a triple, or was noted already
                    self._noted_as(first, True, self._graph(index + 1), held=True)
        else:
            return
        self._forget(first, ref)

    def _transfer(self, first: int, last: int) -> None:
        silent = self.word(first + 1) == "SILENT"
        index = first + 1 + silent
        refs, iris = [], []
        if self.word(first) == "MOVE" and not silent and self.word(index) == "DEFAULT":
            # the default graph always exists, empty or not: the engine would fail its declared graph where none is
            self.insert(self.sig[index].start, "SILENT ")
            silent = True
        while index < last:
            word = self.word(index)
            if word == "DEFAULT":
                self.replace(self.sig[index], f"GRAPH <{self.target.declared}>")
                refs.append(f"<{self.target.declared}>")
                iris.append(self.target.declared)
            elif word not in ("GRAPH", "TO"):
                refs.append(self.sig[index].text)
                iris.append(self._graph(index))
            index += 1
        if self.target.presence is not None and len(iris) == 2:
            self.target.presence.transfer(self.word(first), *iris, refs[0], silent=silent)
            if self.word(first) != "ADD" and iris[0] != iris[1]:  # the target exists as the source held a triple
                self._noted_as(first, False, *iris[1 if self.word(first) == "COPY" else 0:])
        if self.word(first) != "ADD" and len(refs) == 2:  # MOVE and COPY replace the target graph
            self._capture(first, last, refs[1])

    def _create(self, first: int, last: int) -> None:
        silent = self.word(first + 1) == "SILENT"
        index = first + 1 + silent
        if self.target.presence is not None and index + 1 < last:
            self.target.presence.create(self._graph(index + 1), self.sig[index + 1].text, silent=silent)
            if not silent:  # judged here: the engine's own CREATE refuses by a record of its own, not ours
                self.insert(self.sig[index].start, "SILENT ")
            self._noted_as(first, True, self._graph(index + 1))

    def _forget(self, first: int, ref: str) -> None:
        """Before an operation that empties graph `ref`: remove from the merge what only `ref` holds."""
        merge = self.target.merge
        others = f"?h != {ref}" + (f" && ?h != <{merge}>" if merge else "")
        self.insert(self.sig[first].start,
                     f"DELETE {{ {self._in_merge('?s ?p ?o')} }} WHERE {{ GRAPH {ref} {{ ?s ?p ?o }} "
                     f"FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} FILTER ({others}) }} }} ; ")

    def _capture(self, first: int, last: int, ref: str) -> None:
        """Copy graph `ref` into a scratch graph before the operation; clean the merge after it."""
        removed = self._scratch("removed")
        self.insert(self.sig[first].start,
                     f"INSERT {{ GRAPH <{removed}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH {ref} {{ ?s ?p ?o }} }} ; ")
        self._append(last, self._removal(removed))
