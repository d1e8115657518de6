"""How well a value a reconciliation query gives for a property matches a value the graph holds (0-100).

Names are compared as kg.matching folds them; what is no name is equal or not: a number as a decimal, a
boolean, an IRI (full or compact), a date or date-time as the day and time it denotes (in UTC where both
give a time zone). An entity given as
{"id", "name"} is ours by its id, else read by its name (a cell reconciled against another service).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from urllib.parse import unquote

from kg.catalogue import XSD, Catalogue, expand
from kg.link_targets import minted_iri
from kg.matching import score

# A date or date-time as ISO 8601 / XSD write it: year (4 digits or more), month, day, then an optional time and
# time zone; OpenRefine sends a date cell as 2023-12-31T00:00:00Z.
_DATE = re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(\.\d+)?)?)?(Z|[+-]\d\d:?\d\d)?", re.ASCII)
_YEAR_MONTH = re.compile(r"(-?\d{4,})(?:-(\d\d))?(Z|[+-]\d\d:?\d\d)?", re.ASCII)
_DATES = {XSD + "date", XSD + "dateTime", XSD + "dateTimeStamp", XSD + "gYear", XSD + "gYearMonth"}
_ID = re.compile(r"[A-Za-z]{0,2}\d+", re.ASCII)  # an identifier, not a name: Q912, P31, GeoNames' 2453866
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
        if _outside(catalogue, binding, name):  # an id of another service ("Q912") against that service's IRI
            return value_score(catalogue, wanted["id"], binding, name)
        other = wanted.get("name", "")  # against one of ours, its name is all that compares
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
        if _outside(catalogue, binding, name):  # another dataset's IRI: its identifier (Q912 is not Q913) or its name
            local = _local_name(held)
            if _ID.fullmatch(text):
                return 100.0 if text.casefold() == local.casefold() else 0.0
            return score(wanted, unquote(local).replace("_", " "))  # DBpedia's Burkina_Faso
        entity = catalogue.matcher.get(held)
        names = [n.text for n in entity.names] if entity else [name]
        return max(score(wanted, text) for text in names)
    if binding.get("datatype") in _DATES:
        return 100.0 if _same_time(text, held) else 0.0
    return score(wanted, held)


def _identifier(text: str) -> str | None:
    """The IRI `text` writes, in full, compact over the project's prefixes (`wd:Q912`) or as a linked dataset's page
    of the entity (kg.link_targets.minted_iri); None for a name."""
    if _FULL_IRI.fullmatch(text):
        return minted_iri(text)  # Wikidata's page of Q912 for its IRI
    iri = expand(text)
    return iri if iri != text else None


def _same_time(given: str, held: str) -> bool:
    """Whether two dates or date-times denote the same day (or moment): in UTC where both state a time zone, else as
    written, a zone-less value being local to the other's zone (XSD's implicit time zone)."""
    one, other = _instant(given), _instant(held)
    if one is None or other is None:
        return False
    if one[1] is not None and other[1] is not None:
        return _trimmed(_in_utc(*one)) == _trimmed(_in_utc(*other))
    return _trimmed(one[0]) == _trimmed(other[0])


def _outside(catalogue: Catalogue, binding: dict, name: str | None) -> bool:
    """Whether `binding` is an IRI of another dataset, with no name in the graph (wd:Q912 as skos:exactMatch)."""
    return binding["type"] == "uri" and not name and catalogue.matcher.get(binding["value"]) is None


def _local_name(iri: str) -> str:
    """The last segment of `iri`'s path or its fragment: Q912 of wd:Q912, 2453866 of a GeoNames IRI."""
    return re.split(r"[/#:]", iri.rstrip("/"))[-1]


def _instant(text: str) -> tuple[tuple, str | None] | None:
    """((year, month?, day?, hour?, minute?, second?), time zone or None) as far as `text` gives them; None for text
    that is no date."""
    found = _DATE.fullmatch(text)
    if found:
        year, month, day, hour, minute, second, fraction, zone = found.groups()
        clock = (int(hour or 0), int(minute or 0), int(second or 0) + float(fraction or 0))
        return (int(year), int(month), int(day)) + clock, zone
    found = _YEAR_MONTH.fullmatch(text)
    if found:
        return (int(found.group(1)),) + (() if found.group(2) is None else (int(found.group(2)),)), found.group(3)
    return None


def _trimmed(stamp: tuple) -> tuple:
    """`stamp` with a day's midnight written as the day alone (a date equals its midnight)."""
    return stamp[:3] if stamp[3:] == (0, 0, 0) else stamp


def _in_utc(stamp: tuple, zone: str) -> tuple:
    """`stamp` at `zone` ("Z", "+01:00", "-0100") as the same instant in UTC; as given where it is no full date-time
    or Python's calendar cannot hold it (years before 1 or after 9999, an invalid day)."""
    if len(stamp) != 6:
        return stamp
    offset = 0 if zone == "Z" else (1 if zone[0] == "+" else -1) * (int(zone[1:3]) * 60 + int(zone[-2:]))
    year, month, day, hour, minute, second = stamp
    try:
        moment = datetime(year, month, day, hour, minute, tzinfo=timezone(timedelta(minutes=offset)))
        moment = moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return stamp
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, second)
