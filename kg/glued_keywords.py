"""Keywords glued together or to a name, which the engine reads apart (SERVICEex:x is SERVICE ex:x, GROUPBY is
GROUP BY): whether a word or prefixed name hides one that kg.sparql_text's checks depend on."""

from __future__ import annotations

import re
from functools import lru_cache

# The engine reads keywords glued together or to a name apart (SERVICEex:x is SERVICE ex:x, GROUPBY is GROUP
# BY, trueSERVICE is true SERVICE). A word or prefix that splits into SPARQL words so that one of them is a
# keyword the check depends on (a fetch, a prologue, or how a "(" is read) is refused; a prefix that does so
# by chance (services:, filters:) is rare, and the one a PREFIX line declares is left alone.
SPARQL_WORDS = frozenset("""
    BASE PREFIX VERSION SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE GROUP BY HAVING ORDER ASC
    DESC LIMIT OFFSET VALUES UNDEF OPTIONAL GRAPH SERVICE SILENT BIND MINUS UNION FILTER EXISTS NOT IN A TRUE FALSE
    LOAD CLEAR DROP CREATE ADD MOVE COPY TO INTO DEFAULT ALL INSERT DELETE DATA WITH USING SEPARATOR COUNT SUM MIN
    MAX AVG SAMPLE GROUP_CONCAT STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT
    STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES
    SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI
    ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE LANGDIR
    HASLANG HASLANGDIR STRLANGDIR""".split())
# The keywords the check depends on; before a prefixed name, only those the grammar lets one follow.
CHECKED_IN_WORDS = frozenset({"SERVICE", "SILENT", "LOAD", "FILTER", "HAVING", "SELECT", "WHERE", "GROUP", "ORDER",
                              "VALUES", "PREFIX", "BASE"})
_CHECKED_IN_PREFIXES = frozenset({"SERVICE", "SILENT", "LOAD", "FILTER", "HAVING", "GROUP", "ORDER", "PREFIX"})
_MAY_HOLD_ONE = re.compile("|".join(CHECKED_IN_WORDS), re.IGNORECASE)  # a cheap first test


def glued(kind: str, value: str, previous) -> bool:
    """Whether a word or prefixed name splits into SPARQL words, one of them a keyword the check depends on."""
    if kind == "word":
        upper = value.upper()
        return upper not in SPARQL_WORDS and bool(_MAY_HOLD_ONE.search(upper)) \
            and _splits(upper, True, CHECKED_IN_WORDS)
    upper = value.partition(":")[0].upper()
    if upper in ("SERVICE", "LOAD") or previous is not None and previous[1].upper() == "PREFIX":
        return False  # SERVICE:x is read as SERVICE :x (see _tokens); a declaration's name is only a name
    return bool(_MAY_HOLD_ONE.search(upper)) and _splits(upper, False, _CHECKED_IN_PREFIXES)


@lru_cache(maxsize=256)
def _splits(text: str, whole: bool, checked_words: frozenset, start: int = 0, found: bool = False) -> bool:
    """Whether text[start:] is SPARQL words (then, unless `whole`, a name) with one of `checked_words` among
    them or before (`found`); GROUP and ORDER count only where BY follows them."""
    if found and (start == len(text) or not whole):
        return True
    for word in SPARQL_WORDS:
        if text.startswith(word, start):
            end = start + len(word)
            counts = word in checked_words and (word not in ("GROUP", "ORDER") or text.startswith("BY", end))
            if _splits(text, whole, checked_words, end, found or counts):
                return True
    return False
