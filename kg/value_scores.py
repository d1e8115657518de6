"""How well a value a reconciliation query gives for a property matches a value the graph holds (0-100).

Names are compared as kg.matching folds them; what is no name is equal or not: a number as a decimal, a
boolean, an IRI (full or compact), a date or date-time as the day and time it denotes. An entity given as
{"id", "name"} is ours by its id, else read by its name (a cell reconciled against another service).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from kg.catalogue import XSD, Catalogue, expand
from kg.matching import score

# A date or date-time as ISO 8601 / XSD write it: year (4 digits or more), month, day, then an optional time and
# time zone; OpenRefine sends a date cell as 2023-12-31T00:00:00Z.
_DATE = re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(\.\d+)?)?)?(Z|[+-]\d\d:?\d\d)?", re.ASCII)
_YEAR_MONTH = re.compile(r"(-?\d{4,})(?:-(\d\d))?(Z|[+-]\d\d:?\d\d)?", re.ASCII)
_DATES = {XSD + "date", XSD + "dateTime", XSD + "dateTimeStamp", XSD + "gYear", XSD + "gYearMonth"}
_FULL_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+|urn:\S+", re.ASCII)


def value_score(catalogue: Catalogue, wanted, binding: dict, name: str | None) -> float:
    """The score of `wanted` (a query's string, number, boolean or {"id", "name"?}) against `binding` (a SPARQL
    JSON term the graph holds; `name` its label where it is an IRI with one)."""
    held = binding["value"]
    if isinstance(wanted, dict):
        if binding["type"] == "uri" and held in (catalogue.entity_iri(wanted["id"]), expand(wanted["id"])):
            return 100.0
        if catalogue.entity(wanted["id"]) is not None:  # one of ours, and another: its name must not make it close
            return 0.0
        other = wanted.get("name", "")  # an id of another service ("Q912"): its name is all that compares
        return value_score(catalogue, other, binding, name) if other.strip() else 0.0
    if isinstance(wanted, bool):
        return 100.0 if held.lower() == str(wanted).lower() else 0.0
    if isinstance(wanted, (int, float)):
        try:  # exactly, as decimals: float() of a 400-digit integer overflows
            return 100.0 if Decimal(held) == Decimal(str(wanted)) else 0.0
        except InvalidOperation:
            return 0.0
    text = wanted.strip()
    if binding["type"] == "uri":
        iri = _identifier(text)
        if iri is not None:  # an identifier is the same or another, never "close" (Q913 is not Q912)
            return 100.0 if iri == held else 0.0
        entity = catalogue.matcher.get(held)
        names = [n.text for n in entity.names] if entity else [name or held]
        return max(score(wanted, text) for text in names)
    if binding.get("datatype") in _DATES:
        return 100.0 if _instant(text) is not None and _instant(text) == _instant(held) else 0.0
    return score(wanted, held)


def _identifier(text: str) -> str | None:
    """The IRI `text` writes, in full or compact over the project's prefixes (`wd:Q912`); None for a name."""
    if _FULL_IRI.fullmatch(text):
        return text
    iri = expand(text)
    return iri if iri != text else None


def _instant(text: str) -> tuple | None:
    """(year, month, day, hour, minute, second) as far as `text` gives them, a day's midnight as the day itself;
    the time zone is left aside (a date cell's Z, a date that has none). None for text that is no date."""
    found = _DATE.fullmatch(text)
    if found:
        year, month, day, hour, minute, second, fraction, _ = found.groups()
        clock = (int(hour or 0), int(minute or 0), int(second or 0) + float(fraction or 0))
        return (int(year), int(month), int(day)) + (() if clock == (0, 0, 0) else clock)
    found = _YEAR_MONTH.fullmatch(text)
    if found:
        return (int(found.group(1)),) + (() if found.group(2) is None else (int(found.group(2)),))
    return None
