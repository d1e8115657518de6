"""Search snippets whole: FTS5's snippet() copies a text as a C string, so a NUL in it cut the snippet there.

The index keeps the data's own characters; only a hit whose names or text hold a NUL is given its snippet
again, made over a copy of its row in which a stand-in (a character FTS5 reads as a separator, as it reads a
NUL, and which the row does not hold) takes each NUL's place, and then given back.
"""

from __future__ import annotations

import sqlite3

# The index's columns and tokenizer (kg.search), so that the copy is tokenized and its snippet cut as the index is.
DOCUMENTS = ("CREATE VIRTUAL TABLE IF NOT EXISTS documents USING fts5(iri UNINDEXED, display UNINDEXED, label, "
             "alias, text, tokenize = 'unicode61 remove_diacritics 2')")
SNIPPET = "snippet(documents, -1, '[', ']', '…', 12)"
# Separators to FTS5's unicode61, as a NUL is: the other C0 controls (but TAB, LF, CR, which FTS5 may read
# otherwise in a later version), then box-drawing symbols, should a row hold every one of those.
_STAND_INS = [chr(code) for code in (*range(0x01, 0x09), *range(0x0E, 0x20), *range(0x2500, 0x2580))]


def whole_snippet(snippet: str, columns: tuple[str, str, str, str, str], expression: str) -> str:
    """`snippet`, made by FTS5 from the index's row `columns` (iri, display, label, alias, text) for the match
    `expression`, or, where the row holds a NUL, the snippet FTS5 makes of it without stopping there."""
    if not any("\x00" in column for column in columns):
        return snippet
    held = set("".join(columns))
    stand_in = next((character for character in _STAND_INS if character not in held), None)
    if stand_in is None:  # the row holds all of them: the cut snippet is still the words found
        return snippet
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute(DOCUMENTS)
        connection.execute("INSERT INTO documents VALUES (?, ?, ?, ?, ?)",
                           [column.replace("\x00", stand_in) for column in columns])
        row = connection.execute(f"SELECT {SNIPPET} FROM documents WHERE documents MATCH ?", (expression,)).fetchone()
    finally:
        connection.close()
    return snippet if row is None else row[0].replace(stand_in, "\x00")
