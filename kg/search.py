"""Find by words: a full-text index (SQLite FTS5) over labels, aliases, descriptions and quotes.

Every hit names the claims that state something about it, each with its quote. The index is rebuilt
from the store through SPARQL whenever the store's version differs from the one it was built from, so
it is in step with every write: loads, SPARQL updates and Graph Store writes alike, by this process or
another. A store that cannot tell its version (a remote endpoint) is indexed anew whenever its caller says
(the server: api.backend.Backend.index_key; the console: each search).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import threading
import time
import unicodedata
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KGError, QueryTimeout
from kg.search_snippets import DOCUMENTS, SNIPPET, whole_snippet
from kg.search_source import CLAIMS_QUERY, DOCUMENTS_QUERY, OWN_QUOTES_QUERY, Select, documents, table_rows
from kg.sqlite_connections import Connections, connect, end_read

WEIGHTS = (10.0, 8.0, 2.0)  # bm25 weights of the label, alias and text columns
EXTRA = 50  # hits read beyond the limit, so that an exact name further down can move up
PROGRESS_STEPS = 1000  # SQLite instructions between two looks at a search's deadline
MAX_CHARACTERS = 1000  # of the words searched for, as the reconciliation API caps a query string


class SearchError(KGError, ValueError):
    """The words give nothing to search for."""


@dataclass(frozen=True)
class ClaimQuote:
    claim: str
    quote: str


@dataclass(frozen=True)
class Hit:
    """A thing that matches, best first: its IRI, its label, the matched text with the words marked
    (between [ and ]), its bm25 score (lower is better, as SQLite gives it), and the claims about it."""

    iri: str
    label: str
    snippet: str
    score: float
    claims: tuple[ClaimQuote, ...] = field(default_factory=tuple)

    def as_json(self) -> dict:
        return {"iri": self.iri, "label": self.label, "snippet": self.snippet, "score": round(self.score, 4),
                "claims": [{"claim": found.claim, "quote": found.quote} for found in self.claims]}


def match_expression(words: str) -> str:
    """The FTS5 query for what a person typed: every word must match, as a word or the start of one. A word
    given again adds nothing (FTS5's work grew with the square of its repeats), so it is given once."""
    first_spellings: dict[str, str] = {}
    for token in _words(words):
        first_spellings.setdefault(token.lower(), token)  # FTS5 folds case: JNIM is jnim again
    tokens = list(first_spellings.values())
    if not tokens:
        raise SearchError("give at least one word to search for")
    return " AND ".join(_term(token) for token in tokens)


def _term(token: str) -> str:
    """One word of the query for FTS5: it or a word it starts. A number of more than three digits matches it
    written with its thousands parted too ("5000" the article's "5,000", which the tokenizer reads as 5 and 000)."""
    if not (token.isascii() and token.isdigit() and len(token) > 3):
        return f'"{token}"*'
    head = len(token) % 3 or 3
    grouped = " ".join([token[:head]] + [token[at:at + 3] for at in range(head, len(token), 3)])
    return f'("{token}"* OR "{grouped}")'


def _words(text: str) -> list[str]:
    """The words of a text as FTS5's unicode61 tokenizer reads them: letters and digits, with the combining marks
    that follow them (`a` then U+0301 is a word's á, as its composed form is: FTS5 takes both for one letter). An _
    parts words, as FTS5's punctuation does: `_` alone is no word, and `Mlai_` is the word `Mlai`."""
    words, word = [], []
    for character in unicodedata.normalize("NFC", text):
        if character.isalnum() or (word and unicodedata.category(character)[0] == "M"):
            word.append(character)
        elif word:
            words.append("".join(word))
            word = []
    return words + (["".join(word)] if word else [])


class SearchIndex:
    """An FTS5 index in a SQLite file, or in a file of its own in a temporary folder (removed on close) when
    `path` is None or cannot be written. Readers never wait for one another: each search takes a connection
    of its own and, the file being in WAL mode, reads a snapshot; a rebuild commits whole, so a search sees
    the old index or the new one, never part of either."""

    def __init__(self, path: Path | None = None):
        self._scratch: str | None = None
        self._rebuilding = threading.Lock()  # one rebuild at a time in this process: see ensure()
        self._removal = None  # removes the temporary folder on close(), else at exit
        try:
            self._connections = Connections(self._prepared(path))
        except sqlite3.OperationalError:  # a folder this process may not write (a read-only store)
            self._connections = Connections(self._prepared(None))

    def _prepared(self, path: Path | None) -> Path:
        # One temporary file rather than SQLite's shared-cache memory, where a rebuild's write locks the tables
        # against every reader (and a reader's against the rebuild) for as long as either runs.
        if path is None:
            self._scratch = tempfile.mkdtemp(prefix="sahel-kg-search-")
            self._removal = weakref.finalize(self, shutil.rmtree, self._scratch, ignore_errors=True)
            path = Path(self._scratch) / "search.sqlite3"
        connection = connect(path)
        try:
            connection.execute("PRAGMA journal_mode=WAL")  # readers see a snapshot and never block a writer
            connection.executescript(DOCUMENTS + """;
                CREATE TABLE IF NOT EXISTS claims (iri TEXT, claim TEXT, quote TEXT);
                CREATE INDEX IF NOT EXISTS claims_by_iri ON claims (iri);
                CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
                CREATE VIRTUAL TABLE IF NOT EXISTS vocabulary USING fts5vocab(documents, row);
            """)
        finally:
            connection.close()
        return path

    def version(self) -> str | None:
        with self._connections.taken() as connection:
            return _version(connection)

    def ensure(self, version: str | None, select: Select, *, deadline: float | None = None) -> bool:
        """Rebuild from `select` unless built from this `version` (None: always); whether it rebuilt. A rebuild under
        way in this process is waited for (until `deadline`, a time.monotonic(); then QueryTimeout), not repeated."""
        if version is not None and self.version() == version:
            return False
        wait = -1 if deadline is None else max(0.0, deadline - time.monotonic())
        if not self._rebuilding.acquire(timeout=wait):
            raise QueryTimeout("the search index was still being rebuilt at the end of the time limit", waited=True)
        try:
            if version is not None and self.version() == version:  # the rebuild waited for was of this version
                return False
            return self._rebuild(version, select)
        finally:
            self._rebuilding.release()

    def _rebuild(self, version: str | None, select: Select) -> bool:
        things = documents(table_rows(select, DOCUMENTS_QUERY))
        claims = table_rows(select, CLAIMS_QUERY) + table_rows(select, OWN_QUOTES_QUERY)
        with self._connections.taken() as connection:
            connection.execute("BEGIN IMMEDIATE")  # one rebuild at a time across processes (a server's workers)
            try:
                if version is not None and _version(connection) == version:  # another process rebuilt it meanwhile
                    end_read(connection)
                    return False
                connection.execute("DELETE FROM documents")
                connection.execute("DELETE FROM claims")
                connection.executemany(
                    "INSERT INTO documents (iri, display, label, alias, text) VALUES (?, ?, ?, ?, ?)", things)
                connection.executemany("INSERT INTO claims (iri, claim, quote) VALUES (?, ?, ?)", claims)
                connection.execute("INSERT OR REPLACE INTO state (key, value) VALUES ('version', ?)",
                                   (version if version is not None else "",))
                connection.execute("COMMIT")
            except BaseException:
                end_read(connection)
                raise
        return True

    def search(self, words: str, *, limit: int = 20, deadline: float | None = None) -> list[Hit]:
        """The best `limit` matches for `words` (every word, as a word or a word's start), best first: a
        thing one of whose names is exactly the words comes before the rest, then by bm25. QueryTimeout past
        `deadline` (a time.monotonic() value): common prefixes in many words make FTS5 work long. SearchError for
        more than MAX_CHARACTERS characters."""
        from kg.matching import normalise

        if len(words) > MAX_CHARACTERS:  # each word is matched against every name: a bound on the work
            raise SearchError(f"the words searched for have {len(words)} characters; the most is {MAX_CHARACTERS}")
        expression = match_expression(words)
        wanted = normalise(words)
        with self._reading(deadline, "search") as connection:  # the hits and their claims from one snapshot
            rows = connection.execute(
                f"SELECT iri, display, label, alias, {SNIPPET}, bm25(documents, 0, 0, ?, ?, ?) AS rank, text "
                "FROM documents WHERE documents MATCH ? "
                "ORDER BY rank, iri LIMIT ?", (*WEIGHTS, expression, limit + EXTRA)).fetchall()
            ranked = sorted(rows, key=lambda row: (wanted not in {normalise(name) for name in (
                row[2] + "\n" + row[3]).split("\n")}, row[5], row[0]))[:limit]
            claims = [connection.execute("SELECT claim, quote FROM claims WHERE iri = ? ORDER BY claim",
                                         (row[0],)).fetchall() for row in ranked]
        return [Hit(iri=iri, label=(display or label).split("\n", 1)[0] or iri,
                    snippet=whole_snippet(snippet, (iri, display, label, alias, text), expression)
                    .replace("\n", " · "),  # names are kept a line each: one line here
                    score=rank, claims=tuple(ClaimQuote(claim, quote) for claim, quote in found))
                for (iri, display, label, alias, snippet, rank, text), found in zip(ranked, claims)]

    def suggestion(self, words: str, *, deadline: float | None = None) -> str | None:
        """Words with hits, for `words` that have none: each word that starts no indexed word replaced by the
        nearest (kg.search_spelling); None if there are no such words. Raises as search() does."""
        from kg.search_spelling import respelled

        match_expression(words)  # SearchError for no words, as the search said
        with self._reading(deadline, "search") as connection:
            spelled = respelled(connection, _words(words))
        if spelled is None:
            return None
        text = " ".join(spelled)
        if len(text) > MAX_CHARACTERS:  # longer words than typed: a search of it would be refused as too long
            return None
        return text if self.search(text, limit=1, deadline=deadline) else None

    @contextmanager
    def _reading(self, deadline: float | None, what: str):
        """A connection reading one snapshot, stopped with QueryTimeout past `deadline` (a time.monotonic())."""
        with self._connections.taken() as connection:
            if deadline is not None:
                connection.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_STEPS)
            connection.execute("BEGIN")  # whatever a rebuild commits meanwhile
            try:
                yield connection
            except sqlite3.OperationalError:
                if deadline is not None and time.monotonic() > deadline:  # the handler's stop: "interrupted"
                    raise QueryTimeout(f"{what} stopped at its time limit") from None
                raise
            finally:
                connection.set_progress_handler(None, 0)
                end_read(connection)

    def close(self) -> None:
        self._connections.close()
        if self._removal is not None:
            self._removal()


def _version(connection: sqlite3.Connection) -> str | None:
    row = connection.execute("SELECT value FROM state WHERE key = 'version'").fetchone()
    return row[0] if row else None


def index_path(store_spec: str) -> Path | None:
    """Where the index of an embedded on-disk store lives: a file beside its directory (a staged bulk load
    swaps the directory itself); None (in memory) for other stores."""
    from kg.store import embedded_path

    store = embedded_path(store_spec)
    return None if store is None else store.with_name(store.name + ".search.sqlite3")
