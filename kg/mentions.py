"""Mentions of entities in a text: where a label or alias stands as whole words (claims drafting)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kg.matching import Entity

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


@dataclass(frozen=True)
class Mention:
    """A place in a text that names an entity: offsets (end-exclusive, code points) and the words there."""

    iri: str
    name: str
    start: int
    end: int


def _name_pattern(name: str) -> re.Pattern:
    """A name as a whole-word pattern, any run of spaces or hyphens between its words. An acronym (no
    lower-case letter: "US", "AES", "U.S.") matches only as written, so "us" in "allows us" is no mention."""
    words = [re.escape(word) for word in name.translate(_APOSTROPHES).split()]
    flags = 0 if not any(char.islower() for char in name) else re.IGNORECASE
    return re.compile(r"(?<![\w.])" + r"[\s\-]+".join(words) + r"(?!\w|\.\w)", flags)


def find_mentions(text: str, entities: Iterable[Entity]) -> list[Mention]:
    """Every place in `text` where an entity's label or alias stands as whole words, in text order; a
    mention inside a longer one is dropped ("Sahel" inside "Alliance of Sahel States")."""
    plain = text.translate(_APOSTROPHES)  # one code point for one: the offsets stay those of `text`
    found = {Mention(entity.iri, text[match.start():match.end()], match.start(), match.end())
             for entity in entities for name in entity.names for match in _name_pattern(name.text).finditer(plain)}
    ordered = sorted(found, key=lambda mention: (mention.start, mention.start - mention.end, mention.iri))
    return [mention for mention in ordered
            if not any(other.start <= mention.start and mention.end <= other.end
                       and other.end - other.start > mention.end - mention.start for other in ordered)]
