"""Inclusive comparisons with a date written as negated strict ones, for an engine whose `<=` drops rows (Virtuoso).

Virtuoso 07.20 answers `FILTER (?d <= "2026-01-02"^^xsd:date)` (and `C >= ?d`, and a bound a VALUES block gives,
as `--bind` does) over an index of dates without some dates it holds below the bound (2025-12-31), while `<`, `>`
and a `<=` it computes per row answer in full. Where an operand is a date (a typed literal, a cast, NOW(), or a
variable a VALUES block gives dates), `A <= B` is sent as `!(A > B)` and `A >= B` as `!(A < B)`: the same for every
pair of dates SPARQL orders, and an error where `<=` is one. Other comparisons are left as written: Virtuoso's
per-row `>` of plain strings is wrong where its `<=` is right (`!(?n > "Mali")` keeps Mali alone of Algeria, Burkina
Faso and Mali).
"""

from __future__ import annotations

from kg.store.text_edits import TextEdits

_STRICT = {"<": ">", ">": "<"}  # the strict operator whose negation each inclusive one is
_ENDS = {",", "&", "|"}  # tokens that end an operand of a relational operator, outside brackets
_XSD = "http://www.w3.org/2001/XMLSchema#"
_DATES = {"date", "dateTime", "dateTimeStamp", "time", "gYear", "gYearMonth"}


def strict_bounds(text: str) -> str:
    """`text` with each `A <= B` as `!(A > B)` and each `A >= B` as `!(A < B)`; lines and columns of the rest stay."""
    if "<=" not in text and ">=" not in text:  # the operators' two characters touch: nothing to read (a load's data)
        return text
    edits = TextEdits(text)
    sig = edits.sig
    dated = _date_variables(sig)
    for index in range(1, len(sig) - 1):
        first, second = sig[index], sig[index + 1]
        if first.text not in _STRICT or second.text != "=" or first.end != second.start or first.kind != "other":
            continue
        left, right = _operand_start(edits, index - 1), _operand_end(edits, index + 2)
        if left is None or right is None:
            continue  # not inside an expression's brackets: left as written, for the engine to judge
        if not any(_is_date(sig, at, dated) for at in [*range(left, index), *range(index + 2, right + 1)]):
            continue  # no date in it: Virtuoso's own <= is the right one there
        edits.insert(sig[left].start, "!(")
        edits.replace(first, _STRICT[first.text])
        edits.replace(second, " ")
        edits.insert(sig[right].end, ")")
    return edits.apply().text if edits.edits else text


def _operand_start(edits: TextEdits, index: int) -> int | None:
    """The first token of the operand that ends at token `index`: back to a bracket left open, a ',' or '&&'/'||'."""
    sig, depth, end = edits.sig, 0, index
    while index >= 0:
        token = sig[index]
        if token.kind == "close":
            depth += 1
        elif token.kind == "open" and depth > 0:
            depth -= 1
        elif depth == 0 and (token.kind == "open" or token.text in _ENDS or
                             token.text in ("=", "<", ">") and token.kind == "other"):
            return index + 1 if index < end else None
        index -= 1
    return None


def _operand_end(edits: TextEdits, index: int) -> int | None:
    """The last token of the operand that starts at token `index`: up to a bracket it did not open, a ',', '&&',
    '||' or AS."""
    sig, depth = edits.sig, 0
    for at in range(index, len(sig)):
        token = sig[at]
        if token.kind == "open":
            depth += 1
        elif token.kind == "close":
            if depth == 0:
                return at - 1 if at > index else None
            depth -= 1
        elif depth == 0 and (token.text in _ENDS or edits.word(at) == "AS" or
                             token.text in ("=", "<", ">") and token.kind == "other"):  # relational: another
            return at - 1 if at > index else None
    return None


def _is_datatype(token) -> bool:
    """Whether `token` names one of XSD's date and time types (xsd:date, <…XMLSchema#dateTime>)."""
    if token.kind == "iri":
        return token.text[1:-1].startswith(_XSD) and token.text[1 + len(_XSD):-1] in _DATES
    return token.kind == "pname" and token.text.startswith("xsd:") and token.text[4:] in _DATES


def _is_date(sig, at: int, dated: set[str]) -> bool:
    """Whether token `at` makes its operand a date: a date-typed literal's datatype, a cast to one, NOW(), or a
    variable a VALUES block gives dates."""
    token = sig[at]
    return _is_datatype(token) or token.kind == "var" and token.text[1:] in dated or \
        token.kind == "word" and token.text.upper() == "NOW"


def _date_variables(sig) -> set[str]:
    """The variables (without '?') of each VALUES block holding a date-typed value."""
    found: set[str] = set()
    for index, token in enumerate(sig):
        if token.kind != "word" or token.text.upper() != "VALUES":
            continue
        names, at = [], index + 1
        while at < len(sig) and sig[at].text != "{":
            if sig[at].kind == "var":
                names.append(sig[at].text[1:])
            at += 1
        depth = 0
        for block in range(at, len(sig)):
            depth += (sig[block].text == "{") - (sig[block].text == "}")
            if _is_datatype(sig[block]):
                found.update(names)
            if depth == 0:
                break
    return found
