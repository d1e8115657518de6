"""A query's text as the checks read it (written out, its shape and tokens): made once where a request arrives,
and handed with it to a query worker, which then need not lex the text again."""

from __future__ import annotations

from dataclasses import dataclass

from kg.keyword_prefixes import Moved, written_out
from kg.sparql_lexer import remember, significant
from kg.sparql_text import Shape, scan


@dataclass(frozen=True)
class Reading:
    """What reading `text` against `base` gave: the text written out (kg.keyword_prefixes) and its edits, and
    that written text's shape and significant tokens. Plain data, pickled to a query worker with its request."""

    text: str
    base: str | None
    written: str
    edits: tuple[tuple[int, int, str], ...]
    shape: Shape
    tokens: tuple[tuple[str, str, int, int], ...]

    def moved(self) -> Moved:
        """What maps a place in the written text back to `text`."""
        return Moved(self.text, self.written, list(self.edits))


def read(text: str, base: str | None = None) -> Reading:
    """The reading of `text`, relative IRIs resolving against `base`."""
    written, moved = written_out(text, base)
    return Reading(text, base, written, tuple(moved.edits), scan(written), significant(written))


def reading_of(text: str, base: str | None, given: Reading | None) -> Reading:
    """`given` if it is the reading of this very `text` and `base` (its tokens then kept as the lexer's own for
    the written text), else one made now: every check reads the text that runs, whatever was handed."""
    if given is None or given.text != text or given.base != base:
        return read(text, base)
    remember(given.written, given.tokens)
    return given
