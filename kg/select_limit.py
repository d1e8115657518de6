"""The row cap of a SELECT written into its text as a LIMIT, for an engine to stop at."""

from __future__ import annotations

from kg.sparql_lexer import lex
from kg.sparql_parts import where_group_start
from kg.sparql_text import scan
from kg.ungrouped import AGGREGATES


def limited(text: str, limit: int) -> str:
    """A SELECT query that returns at most `limit` rows: its own LIMIT lowered, or one added after its
    solution modifiers (before a trailing VALUES block). Other forms, one aggregating without GROUP BY (one row),
    and text the lexer cannot place, come back unchanged. Nothing moves to another line."""
    if scan(text).form != "SELECT":
        return text
    opening = where_group_start(text)
    if opening is None:
        return text
    tokens = [t for t in lex(text) if t.kind not in ("space", "comment") and t.start >= opening - 1]
    depth, end = 0, None
    for index, token in enumerate(tokens):
        depth += token.kind == "open"
        depth -= token.kind == "close"
        if depth == 0:
            end = index
            break
    if end is None:
        return text
    after = tokens[end + 1:]
    if _one_row(text[:opening], after):  # Virtuoso cuts a VALUES block under such a SELECT at its LIMIT
        return text
    for index, token in enumerate(after):
        if token.kind == "word" and token.text.upper() == "LIMIT" and index + 1 < len(after) \
                and after[index + 1].kind == "number":
            number = after[index + 1]
            if int(number.text) <= limit:
                return text
            return text[:number.start] + str(limit) + text[number.end:]
    trailing = next((t for t in after if t.kind == "word" and t.text.upper() == "VALUES"), None)
    at = trailing.start if trailing is not None else (after[-1].end if after else tokens[end].end)
    return f"{text[:at]} LIMIT {limit} {text[at:]}"


def _one_row(head: str, after) -> bool:
    """Whether a SELECT (`head`, the text before its WHERE group; `after`, the tokens after it) aggregates
    without GROUP BY, and so gives one row at most, which no LIMIT need bound."""
    if any(token.kind == "word" and token.text.upper() == "GROUP" for token in after):
        return False
    return any(token.kind == "word" and token.text.upper() in AGGREGATES for token in lex(head))
