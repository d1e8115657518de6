"""Turtle and TriG that common parsers read: a prefixed name ending in an escaped dot written as a full IRI.

`dbr:Washington\\,_D.C\\.` is valid Turtle, as pyoxigraph writes it, but rdflib (and serd, EasyRdf, rdflib.js
in some versions) refuse a local name's trailing `\\.`; `<http://dbpedia.org/resource/Washington,_D.C.>` they
all read. Other escapes in local names are left as they are: those parsers read them.
"""

from __future__ import annotations

import re
from functools import lru_cache

# A prefixed name that ends in '\.', where pyoxigraph writes a term: after a line's start, a space, '(' of a
# triple term or '^^' of a datatype; before a space, a separator, ')' or the end. In a literal every backslash
# comes doubled or escapes a quote or a letter, so no '\.' there is taken for a name's.
_NAME = (rb"(?<![^\s(^])(%s):((?:[^\s\\\"<>{}|^`]|\\[-_~.!$&'()*+,;=/?#@%%])*\\\.)(?=[\s;,)\]{]|\Z)")
_ESCAPED = re.compile(rb"\\(.)")


@lru_cache(maxsize=16)
def _pattern(names: tuple[str, ...]) -> re.Pattern:
    alternatives = b"|".join(re.escape(name.encode()) for name in sorted(names, key=len, reverse=True))
    return re.compile(_NAME % alternatives)


def plain_names(data: bytes, prefixes: dict[str, str] | None) -> bytes:
    """`data`, Turtle or TriG written with `prefixes`, its prefixed names that end in an escaped dot as full IRIs."""
    if not prefixes or b"\\." not in data:  # the common case, at the cost of one scan in C
        return data

    def full(match: re.Match) -> bytes:
        return b"<" + prefixes[match[1].decode()].encode() + _ESCAPED.sub(rb"\1", match[2]) + b">"

    return _pattern(tuple(prefixes)).sub(full, data)


class PlainNamesWriter:
    """A binary stream that writes to `output` what is written to it, through plain_names, a whole line at a
    time (pyoxigraph never breaks a term across lines); finish() writes the rest."""

    def __init__(self, output, prefixes: dict[str, str]):
        self._output, self._prefixes, self._held = output, prefixes, b""

    def write(self, data) -> int:
        data = bytes(data)
        lines_end = data.rfind(b"\n") + 1
        if lines_end:
            self._output.write(plain_names(self._held + data[:lines_end], self._prefixes))
            self._held = data[lines_end:]
        else:
            self._held += data
        return len(data)

    def flush(self) -> None:
        """Held back until finish(): a part of a line may end in a name's first half."""

    def finish(self) -> None:
        if self._held:
            self._output.write(plain_names(self._held, self._prefixes))
            self._held = b""
