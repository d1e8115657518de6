"""Whether a SPARQL Update is sure to change nothing, told from its text and the store before it runs, so that
a write of what is already there (or a removal of what is not) leaves the store's version, and every cache
and validator keyed on it, as they were.

Only updates read whole here are judged: operations that are each INSERT DATA, DELETE DATA or CLEAR of one
graph, with no blank node. Each is judged against the store as it is before the update: when every one
changes nothing there, the store is still as it was after each, so the whole update changes nothing. The
terms are the update's own text, matched by the engine itself in one query an operation (no term is read
by us, so none can be read otherwise than the update reads it). Anything else counts as a change.
"""

from __future__ import annotations

from collections.abc import Callable

from kg.errors import InputLimitError
from kg.sparql_lexer import significant

MOST_TOKENS = 50_000  # a longer update counts as a change, unread: judging it would cost as much as writing it
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_TERM_SIGNS = ("+", "-")  # a number's sign, a token of its own
_BOOLEANS = ("true", "false")


class _Unsure(Exception):
    """The update holds something not judged here: it counts as a change."""


def changes_nothing(ask: Callable[[str], bool], sparql: str, default_graph: str) -> bool:
    """True only when every operation of `sparql` is sure to change nothing in the store `ask` queries (ASK text
    -> answer); the default graph of its data blocks is `default_graph`. False whenever unsure."""
    try:
        tokens = significant(sparql, MOST_TOKENS)
        return all(not ask(query) for query in _Reader(sparql, tokens, default_graph).queries())
    except (_Unsure, InputLimitError, IndexError):  # IndexError: the text ends inside a declaration
        return False


class _Reader:
    """The update's operations, each as an ASK query that is true when the operation would change something."""

    def __init__(self, text: str, tokens, default_graph: str):
        self.text, self.tokens, self.default = text, tokens, f"<{default_graph}>"
        self.at = 0
        self.prologue: list[str] = []

    def queries(self) -> list[str]:
        found = []
        while True:
            self._declarations()
            if self.at == len(self.tokens):
                return found
            found.append(self._operation())
            if self.at < len(self.tokens):
                self._expect(";")

    def _declarations(self) -> None:
        while self._word() in ("BASE", "PREFIX"):
            start = self.tokens[self.at][2]
            self.at += 2 if self._word() == "BASE" else 3
            self.prologue.append(self.text[start:self.tokens[self.at - 1][3]])

    def _operation(self) -> str:
        head = " ".join(self.prologue)
        verb = self._word()
        self.at += 1
        if verb in ("INSERT", "DELETE") and self._word() == "DATA":
            self.at += 1
            rows = " ".join(f"({graph} {triple})" for graph, triple in self._block())
            if not rows:
                return "ASK { FILTER (false) }"
            absent = "FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } }" if verb == "INSERT" else "GRAPH ?g { ?s ?p ?o }"
            return f"{head} ASK {{ VALUES (?g ?s ?p ?o) {{ {rows} }} {absent} }}"
        if verb == "CLEAR":
            if self._word() == "SILENT":
                self.at += 1
            if self._word() == "DEFAULT":
                self.at += 1
                return f"ASK {{ GRAPH {self.default} {{ ?s ?p ?o }} }}"
            if self._word() == "GRAPH":
                self.at += 1
                return f"{head} ASK {{ GRAPH {self._term(('iri', 'pname'))} {{ ?s ?p ?o }} }}"
        raise _Unsure

    def _block(self) -> list[tuple[str, str]]:
        """(graph, "s p o") of every quad of a data block, each term as the update writes it."""
        self._expect("{")
        quads = []
        while not self._sign("}"):
            if self._word() == "GRAPH":
                self.at += 1
                graph = self._term(("iri", "pname"))
                self._expect("{")
                triples = self._triples()
                if not triples:  # whether it makes an empty graph exist is the engine's to say
                    raise _Unsure
                quads += [(graph, triple) for triple in triples]
                self._expect("}")
            else:
                quads += [(self.default, triple) for triple in self._triples()]
            if self._sign("."):
                self.at += 1
        self.at += 1
        return quads

    def _triples(self) -> list[str]:
        """The triples of a run of triples (subject, predicate-object lists), up to a '}' or a GRAPH."""
        triples = []
        while not self._sign("}") and self._word() != "GRAPH":
            subject = self._term()
            while True:
                predicate = _RDF_TYPE if self._is_a() else self._term(("iri", "pname"))
                triples.append(f"{subject} {predicate} {self._term()}")
                while self._sign(","):
                    self.at += 1
                    triples.append(f"{subject} {predicate} {self._term()}")
                if not self._sign(";"):
                    break
                while self._sign(";"):  # SPARQL allows empty predicate-object lists between semicolons
                    self.at += 1
                if self._sign(".") or self._sign("}"):
                    break
            if not self._sign("."):
                break
            self.at += 1
        return triples

    def _term(self, kinds=("iri", "pname", "string", "number")) -> str:
        """One constant term as the update writes it (a literal with its sign, tag or datatype)."""
        start = self.at
        if self._sign(*_TERM_SIGNS) and "number" in kinds:
            self.at += 1
        if self.at >= len(self.tokens):
            raise _Unsure
        kind, text = self.tokens[self.at][:2]
        if not (kind in kinds or ("string" in kinds and kind == "word" and text.lower() in _BOOLEANS)):
            raise _Unsure  # a blank node, a variable, a collection, a triple term...
        self.at += 1
        if kind == "string":
            if self._kind() == "langtag":
                self.at += 1
            elif self._sign("^") and self._sign_at(self.at + 1, "^"):
                self.at += 2
                self._term(("iri", "pname"))
        return self.text[self.tokens[start][2]:self.tokens[self.at - 1][3]]

    def _is_a(self) -> bool:
        """Whether the next token is the keyword `a` (rdf:type, and only in lowercase); if so, read it."""
        if self._kind() == "word" and self.tokens[self.at][1] == "a":
            self.at += 1
            return True
        return False

    def _expect(self, sign: str) -> None:
        if not self._sign(sign):
            raise _Unsure
        self.at += 1

    def _word(self) -> str | None:
        return self.tokens[self.at][1].upper() if self._kind() == "word" else None

    def _kind(self) -> str | None:
        return self.tokens[self.at][0] if self.at < len(self.tokens) else None

    def _sign(self, *signs: str) -> bool:
        return self._sign_at(self.at, *signs)

    def _sign_at(self, at: int, *signs: str) -> bool:
        return at < len(self.tokens) and self.tokens[at][0] in ("other", "open", "close") \
            and self.tokens[at][1] in signs
