"""Results as text for a terminal: aligned tables, IRIs compacted by prefix, nothing the terminal would obey.

Terms are written as Turtle writes them (`"1"`, `1`, `"Mali"@fr`, `"2025-01-01"^^xsd:date`, sk:mali), so a
string, a number and an IRI never look alike.

Widths are display widths (a CJK character takes two columns, a combining mark none). What kg.invisible's
unsafe() finds (controls, format characters such as bidirectional marks and the soft hyphen, separators, what
shows as nothing) is shown as an escape such as \\t, \\x1b or \\xad, so no data can move the cursor,
recolour the screen, reorder a line or hide a difference. A table is written a row at a time: the first BLOCK
rows (or those of the first second) fix the columns' widths, and which language tags go in the header rather
than in every cell.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from wcwidth import iter_graphemes, wcswidth, wcwidth

from kg.invisible import escaped
from kg.results import BARE_LITERALS, XSD, XSD_STRING, csv_field, csv_text

MAX_CELL = 80  # display columns a cell may take; wider ones are cut, with an ellipsis, unless wide
MIN_CELL = 8  # display columns a column keeps when the table is narrowed to a terminal's width
BLOCK = 1000  # rows read before the columns are fixed...
BLOCK_SECONDS = 1.0  # ...or the rows that came within this time, so a slow answer shows as it comes


def printable(text: str) -> str:
    """`text` with every character a terminal would act on, or that shows as nothing, written as an escape
    (\\t, \\x1b, \\u2028, \\u200b, \\U000e0041)."""
    return escaped(text)


def width(text: str) -> int:
    """Columns `text` takes on a terminal (printable text: no control characters)."""
    if text.isascii():
        return len(text)
    columns = wcswidth(text)
    return columns if columns >= 0 else sum(max(0, wcwidth(char)) for char in text)


def cut(text: str, columns: int) -> str:
    """`text` cut to `columns` display columns, the last one an ellipsis."""
    # By grapheme clusters, an emoji sequence kept whole or left out, each kept while the text so far measures as
    # width() measures the cell: wcwidth's clip, and the clusters one by one, count a spacing mark (Myanmar's
    # U+102B) as no column where width() counts one after a letter, and a cut cell came out wider than its column.
    # A cell may be megabytes: a cluster rarely needs 8 characters a column.
    kept = ""
    for cluster in iter_graphemes(text[:columns * 8]):
        if width(kept + cluster) > columns - 1:
            break
        kept += cluster
    return kept + "…"


def cut_start(text: str, columns: int) -> str:
    """`text` cut to `columns` display columns from its start, the first one an ellipsis: its end kept."""
    clusters = list(iter_graphemes(text[-columns * 8:]))
    kept = ""
    for cluster in reversed(clusters):
        if width(cluster + kept) > columns - 1:
            break
        kept = cluster + kept
    return "…" + kept


def compact(term, prefixes: dict[str, str], language: str | None = None) -> str:
    """A term in Turtle's syntax, IRIs as prefixed names where they can be; a literal's language tag
    unless it is `language` (the one its column holds, said in the column's header)."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact_iri(term.value, prefixes)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        # RDF 1.2's triple term syntax, as CSV and TSV write it (<< s p o >> is a reifier in Turtle 1.2)
        return "<<( " + " ".join(compact(t, prefixes) for t in (term.subject, term.predicate, term.object)) + " )>>"
    text = '"' + term.value.replace("\\", "\\\\").replace('"', '\\"') + '"'  # controls: printable's part
    if term.language:
        tag = language_tag(term)
        return text if tag == language else f"{text}@{tag}"
    datatype = term.datatype.value
    if datatype == XSD_STRING:  # under a header that gives a language, it must not pass for one tagged so
        return text if language is None else f"{text}^^{compact_iri(datatype, prefixes)}"
    if any(XSD + kind == datatype and form.fullmatch(term.value) for form, kind in BARE_LITERALS):
        return term.value  # as Turtle reads it back: 1 is an xsd:integer, 1.5 an xsd:decimal
    return f"{text}^^{compact_iri(datatype, prefixes)}"


def compact_iri(iri: str, prefixes: dict[str, str]) -> str:
    best = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return f"<{iri}>"
    name = next(name for name, ns in prefixes.items() if ns == best)
    local = iri[len(best):]
    return f"{name}:{local}" if _plain_local(local) else f"<{iri}>"


def _plain_local(local: str) -> bool:
    return all(ch.isalnum() or ch in "_-." for ch in local) and not local.endswith(".")


class Table:
    """Solutions as an aligned table, written a row at a time; `cut` counts the cells shown in part."""

    CACHE = 8192  # cells remembered, by column and term: answers repeat their IRIs and values a lot

    def __init__(self, variables: list[str], prefixes: dict[str, str], *, wide: bool = False,
                 room: int | None = None):
        self.variables, self.prefixes, self.wide = variables, prefixes, wide
        self.room = room  # a terminal's columns, which the table is narrowed to (unless wide); None: no bound
        self.cut = 0
        self.widths: list[int] = []
        self.languages: list[str | None] = []
        self._cells: dict = {}

    def lines(self, rows: Iterable[tuple]) -> Iterator[str]:
        """The header, a rule, then a line per row (nothing is read ahead past the first block)."""
        rows = iter(rows)
        block, began = [], None
        for row in rows:
            block.append(row)
            began = began or time.monotonic()
            if len(block) >= BLOCK or time.monotonic() - began > BLOCK_SECONDS:
                break
        self._fix(block)
        yield self._line(self._fitted([(head, width(head)) for head in self._headers()]))
        yield "  ".join("-" * columns for columns in self.widths)
        for row in block:
            yield self._line(self._row(row))
        for row in rows:
            yield self._line(self._row(row))

    def _fix(self, block: list[tuple]) -> None:
        """Each column's language (when all its literals with text share one) and width, from `block`."""
        self.languages = [_sole_language(row[i] for row in block) for i in range(len(self.variables))]
        self.widths = [max([width(head)] + [self._cell(i, row[i])[1] for row in block])
                       for i, head in enumerate(self._headers())]
        if not self.wide:
            self.widths = [min(columns, MAX_CELL) for columns in self.widths]
            if self.room is not None:
                self.widths = narrowed(self.widths, self.room - 2 * (len(self.widths) - 1))

    def _headers(self) -> list[str]:
        """`?name`, with the language its cells leave out (`?label@en`)."""
        return [printable(f"?{name}") + (f"@{language}" if language else "")
                for name, language in zip(self.variables, self.languages)]

    def _cell(self, column: int, term) -> tuple[str, int]:
        """A cell's text and its display width."""
        key = (column, term)
        found = self._cells.get(key)
        if found is None:
            text = printable(compact(term, self.prefixes, self.languages[column]))
            found = (text, width(text))
            if len(self._cells) >= self.CACHE:
                self._cells.clear()
            self._cells[key] = found
        return found

    def _row(self, row: tuple) -> list[tuple[str, int]]:
        return self._fitted([self._cell(column, term) for column, term in enumerate(row)])

    def _fitted(self, cells: list[tuple[str, int]]) -> list[tuple[str, int]]:
        """Cells (text, display width) each cut to its column; the header's too, as a variable's name may be as long
        as a value."""
        fitted = []
        for column, (text, columns) in enumerate(cells):
            if columns > self.widths[column] and not self.wide:
                text = cut(text, self.widths[column])
                columns = width(text)
                self.cut += 1
            fitted.append((text, columns))
        return fitted

    def _line(self, cells: list[tuple[str, int]]) -> str:
        return "  ".join(text + " " * max(0, room - columns)
                         for (text, columns), room in zip(cells, self.widths)).rstrip()


def narrowed(widths: list[int], room: int) -> list[int]:
    """`widths` with the widest cut to one bound, the largest that lets them all fit in `room` columns, though none
    goes below MIN_CELL (a table of many columns may still be wider than the room)."""
    if sum(widths) <= room:
        return widths
    bound = max(widths)
    while bound > MIN_CELL and sum(min(columns, bound) for columns in widths) > room:
        bound -= 1
    return [min(columns, bound) for columns in widths]


def language_tag(term: ox.Literal) -> str:
    """A tagged literal's tag as Turtle writes it: the language, and a directional string's direction (en--rtl)."""
    return term.language if term.direction is None else f"{term.language}--{term.direction}"


def _sole_language(terms: Iterable) -> str | None:
    """The language of a column whose literals with text are all tagged, and with one language; else None."""
    found = set()
    for term in terms:
        if isinstance(term, ox.Literal) and (term.language or term.datatype.value == XSD_STRING):
            found.add(language_tag(term) if term.language else None)
            if len(found) > 1:
                return None
    return next(iter(found)) if len(found) == 1 else None


def triple_lines(triples: Iterable, prefixes: dict[str, str]) -> Iterator[str]:
    """One triple a line, in compact form."""
    for triple in triples:
        yield printable(" ".join(compact(t, prefixes) for t in (triple.subject, triple.predicate, triple.object))) + " ."


def csv_lines(variables: list[str], rows: Iterable[tuple]) -> Iterator[str]:
    """Solutions as SPARQL CSV for a terminal, a line a row: CSV writes values raw, so a TAB, a line end or an
    escape sequence in one is escaped in the field itself, where nothing can take it for the format's own; a
    backslash is doubled, so that a line end (\\n) and a backslash before an n (\\\\n) look different."""
    yield ",".join(csv_field(printable(name)) for name in variables)
    for row in rows:
        yield ",".join(csv_field(printable(csv_text(term).replace("\\", "\\\\"))) for term in row)


def render(result, prefixes: dict[str, str], *, wide: bool = False) -> str:
    """A finished result as text: an aligned table for solutions, 'true'/'false', one triple a line."""
    if result.kind == "boolean":
        return "true" if result.boolean else "false"
    if result.kind == "graph":
        return "\n".join(triple_lines(result.triples, prefixes))
    return "\n".join(Table(result.variables, prefixes, wide=wide).lines(result.rows))
