"""Inclusive comparisons with a date written as negated strict ones, for an engine whose `<=` drops rows (Virtuoso).

Virtuoso 07.20 answers `FILTER (?d <= "2026-01-02"^^xsd:date)` (and `C >= ?d`, and a bound a VALUES block gives,
as `--bind` does) over an index of dates without some dates it holds below the bound (2025-12-31), while `<`, `>`
and a `<=` it computes per row answer in full. Where an operand is a date (a typed literal, a cast, NOW(), or a
variable that holds dates: a VALUES column, a BIND), `A <= B` is sent as `!(A > B)` and `A >= B` as `!(A < B)`: the same for every
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
    dates = _Dates(sig)
    for index in range(1, len(sig) - 1):
        first, second = sig[index], sig[index + 1]
        if first.text not in _STRICT or second.text != "=" or first.end != second.start or first.kind != "other":
            continue
        left, right = _operand_start(edits, index - 1), _operand_end(edits, index + 2)
        if left is None or right is None:
            continue  # not inside an expression's brackets: left as written, for the engine to judge
        if not any(dates.is_date(at) for at in [*range(left, index), *range(index + 2, right + 1)]):
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


class _Dates:
    """What makes an operand a date in a text's tokens `sig`: a literal typed by one of XSD's date and time types (under
    any prefix the text declares for XSD, or xsd: where it declares none), a cast to one, NOW(), or a variable that
    holds dates: a VALUES column with a date in it, or an `(… AS ?v)` (BIND, SELECT) of an expression with one."""

    def __init__(self, sig):
        self.sig = sig
        declared = {sig[at - 1].text[:-1]: sig[at].text[1:-1] for at in range(2, len(sig))
                    if sig[at].kind == "iri" and sig[at - 1].kind == "pname" and sig[at - 1].text.endswith(":")
                    and sig[at - 2].kind == "word" and sig[at - 2].text.upper() == "PREFIX"}
        self.prefixes = {name for name, iri in declared.items() if iri == _XSD} | ({"xsd"} - set(declared))
        self.variables: set[str] = set()
        for at, token in enumerate(sig):  # in the text's order: a BIND may read a variable an earlier one made
            if token.kind == "word" and token.text.upper() == "VALUES":
                self._values(at)
            elif token.kind == "word" and token.text.upper() == "AS" and at + 1 < len(sig) and sig[at + 1].kind == "var":
                opening = _opening(sig, at)
                if opening is not None and any(self.is_date(inner) for inner in range(opening + 1, at)):
                    self.variables.add(sig[at + 1].text[1:])

    def is_datatype(self, token) -> bool:
        """Whether `token` names one of XSD's date and time types (xsd:date, <…XMLSchema#dateTime>)."""
        if token.kind == "iri":
            return token.text[1:-1].startswith(_XSD) and token.text[1 + len(_XSD):-1] in _DATES
        prefix, _, local = token.text.partition(":")
        return token.kind == "pname" and prefix in self.prefixes and local in _DATES

    def is_date(self, at: int) -> bool:
        """Whether token `at` makes its operand a date."""
        token = self.sig[at]
        return self.is_datatype(token) or token.kind == "var" and token.text[1:] in self.variables or \
            token.kind == "word" and token.text.upper() == "NOW"

    def _values(self, at: int) -> None:
        """The columns of the VALUES block at token `at` that hold a date."""
        sig, names = self.sig, []
        at += 1
        while at < len(sig) and sig[at].text != "{":
            if sig[at].kind == "var":
                names.append(sig[at].text[1:])
            at += 1
        closing = _closing(sig, at)
        single = at + 1 < len(sig) and sig[at + 1].text != "("  # VALUES ?v { a b }: every term is the one column
        column, at = 0, at + 1
        while at < closing:
            token = sig[at]
            if token.text == "(":
                column = 0
            elif token.kind not in ("open", "close"):
                width = 4 if token.kind == "string" and at + 3 < closing and sig[at + 1].text == "^" else \
                    2 if token.kind == "string" and sig[at + 1].kind == "langtag" or token.text in "+-" else 1
                position = 0 if single else column
                if position < len(names) and any(self.is_datatype(sig[term]) for term in range(at, at + width)):
                    self.variables.add(names[position])
                column, at = column + 1, at + width - 1
            at += 1


def _opening(sig, at: int) -> int | None:
    """The bracket left open before token `at` (the one an `… AS ?v` sits in), or None."""
    depth = 0
    for back in range(at - 1, -1, -1):
        depth += (sig[back].kind == "close") - (sig[back].kind == "open")
        if depth < 0:
            return back
    return None


def _closing(sig, opening: int) -> int:
    """The token closing the bracket at `opening` (the text's end if none)."""
    depth = 0
    for at in range(opening, len(sig)):
        depth += (sig[at].kind == "open") - (sig[at].kind == "close")
        if depth == 0:
            return at
    return len(sig)
