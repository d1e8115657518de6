"""Other words to search for when the words typed match nothing: each word that starts no indexed word is
replaced by the nearest indexed word (Damerau's optimal string alignment: "Mlai" is one edit from "mali"),
as a search engine's "did you mean" does. A part of kg.search, over its FTS5 vocabulary table."""

from __future__ import annotations

import sqlite3
import unicodedata

from rapidfuzz import process
from rapidfuzz.distance import OSA

SHORT = 5  # words of up to this many letters take one edit; longer ones two
MOST_REPLACED = 4  # words replaced in one suggestion, at most


def folded(word: str) -> str:
    """A word as the index keeps it (FTS5's unicode61 with remove_diacritics 2): lower case, no accents."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def respelled(connection: sqlite3.Connection, words: list[str]) -> list[str] | None:
    """`words` with each one that starts no word of the vocabulary replaced by its nearest, or None where one
    has none near enough, none needed replacing, or more than MOST_REPLACED did (a sentence, not a slip)."""
    missing = {folded(word) for word in words}  # a word given again is one word, as the search has it
    missing = {key for key in missing if not _starts_some(connection, key)}
    if not missing or len(missing) > MOST_REPLACED:
        return None
    vocabulary = connection.execute("SELECT term, doc FROM vocabulary").fetchall()  # one read, however many words
    nearest = {key: _nearest(key, vocabulary) for key in missing}
    if None in nearest.values():
        return None
    return [nearest.get(folded(word), word) for word in words]


def _starts_some(connection: sqlite3.Connection, key: str) -> bool:
    # The vocabulary is ordered by term: a range read finds a word that `key` starts.
    row = connection.execute("SELECT 1 FROM vocabulary WHERE term >= ? AND term < ? LIMIT 1",
                             (key, key + "\U0010ffff")).fetchone()
    return row is not None


def _nearest(key: str, vocabulary: list[tuple[str, int]]) -> str | None:
    """The indexed word fewest edits from `key` (at most one or two), the one in most documents among equals."""
    most = 1 if len(key) <= SHORT else 2
    near = {term: count for term, count in vocabulary if abs(len(term) - len(key)) <= most}
    found = process.extract(key, list(near), scorer=OSA.distance, score_cutoff=most, limit=None)
    if not found:
        return None
    return min(found, key=lambda match: (match[1], -near[match[0]], match[0]))[0]
