"""SPARQL text with its line ends made LF alone, as the engine and the checks count lines, before either reads it.

A CR outside a long string is white space to SPARQL: making a CRLF or a lone CR an LF changes nothing the text
means. The engine then tells an error where it tells it in the same text written with LF, and in the same words:
what it says it expected depends on the white space before the place (a CRLF's CR made it list other tokens, and
after `>` tell another column). A long string keeps its CRs, which are data.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from kg.sparql_lexer import significant

_CR = re.compile(r"\r\n?")
Edit = tuple[int, int, str]  # (start, end, replacement), as kg.keyword_prefixes.Moved takes them


def lf_ended(text: str) -> tuple[str, list[Edit]]:
    """`text` with each CRLF and lone CR outside its long strings made an LF, and the edits that did so."""
    if "\r" not in text:  # most texts
        return text, []
    kept = [(start, end) for kind, value, start, end in significant(text) if kind == "string" and "\r" in value]
    edits, index = [], 0
    for found in _CR.finditer(text):
        while index < len(kept) and kept[index][1] <= found.start():
            index += 1
        if index == len(kept) or found.start() < kept[index][0]:
            edits.append((found.start(), found.end(), "\n"))
    return applied(text, edits), edits


def merged(ends: list[Edit], edits: list[Edit]) -> list[Edit]:
    """`edits`, made to the text lf_ended gave, as edits of the text it was given, with its line ends' (`ends`)
    that none of them covers: one list, in order."""
    if not ends:
        return edits
    written, shrunk, shrink = [], [], 0  # where each line end starts in the LF text, and what all before it shrank
    for start, end, replacement in ends:
        written.append(start - shrink)
        shrink += end - start - len(replacement)
        shrunk.append(shrink)

    def original(at: int) -> int:  # an offset of the LF text in the text given
        before = bisect_left(written, at)  # the line ends that start before it
        return at + (shrunk[before - 1] if before else 0)

    moved = [(original(start), original(end), replacement) for start, end, replacement in edits]
    starts = [start for start, _, _ in moved]

    def covered(at: int) -> bool:  # within an edit of `edits` (a blanked PREFIX declaration's line end)
        index = bisect_right(starts, at) - 1
        return index >= 0 and at < moved[index][1]

    return sorted(moved + [end for end in ends if not covered(end[0])])


def applied(text: str, edits: list[Edit]) -> str:
    """`text` with `edits` (in order, apart) made."""
    parts, at = [], 0
    for start, end, replacement in edits:
        parts += [text[at:start], replacement]
        at = end
    return "".join(parts) + text[at:]
