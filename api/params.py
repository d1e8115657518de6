"""A request's URL and form parameters, read strictly: UTF-8 only, and a parameter that is given once
refused (400, naming it) when it comes more than once, counting the URL and a form body together."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import request

from api.body_charset import checked_body
from api.errors import Problem
from api.negotiation import format_names

FORM = "application/x-www-form-urlencoded"


def strict_params(raw: bytes) -> list[tuple[str, str]]:
    """Form or URL parameters, refusing bytes that are not UTF-8 rather than guessing."""
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise Problem(400, "Not UTF-8", "parameters must be UTF-8") from None


def request_params() -> list[tuple[str, str]]:
    """The request's URL parameters, then those of its body when it is a form POST."""
    params = strict_params(request.query_string)
    if request.method == "POST" and request.mimetype == FORM:
        params += strict_params(checked_body())
    return params


def all_values(params, name: str) -> list[str]:
    return [value for key, value in params if key == name]


def one(params, name: str, *, required: bool = False) -> str | None:
    """The one value of a single-valued parameter; None when absent (400 if `required`), 400 if repeated."""
    values = all_values(params, name)
    if len(values) > 1:
        raise Problem(400, "Repeated parameter", f"give one {name} parameter, not {len(values)}")
    if not values:
        if required:
            raise Problem(400, "Missing parameter", f"the {name} parameter is required")
        return None
    return values[0]


def unique(params) -> dict[str, str]:
    """Parameters that are each given once, by name (400 for any repeated)."""
    found: dict[str, str] = {}
    for name, value in params:
        if name in found:
            one(params, name)  # raises, with the count
        found[name] = value
    return found


def format_param(params) -> str | None:
    """The format format= or output= names (their first value), or None. Either may come more than once when
    every value names the same format, as SPARQLWrapper sends them (format=tsv&format=text/tab-separated-values,
    output= alike); 400 when two name different formats. An empty value counts as absent."""
    given = [(name, _plus_kept(value.strip())) for name, value in params
             if name in ("format", "output") and value.strip()]
    for (name, value), (other, second) in zip(given, given[1:]):
        if value.lower() != second.lower() and not format_names(value) & format_names(second):
            raise Problem(400, "Conflicting parameters",
                          f"{name}={value!r} and {other}={second!r} name different formats: give one")
    return given[0][1] if given else None


def _plus_kept(value: str) -> str:
    """`value` with the '+' of a media type typed into a URL unescaped (format=application/rdf+xml), which form
    decoding made a space, put back: no media type holds a space before its parameters."""
    if "/" not in value or " " not in value:
        return value
    items = []
    for item in value.split(","):
        media, semicolon, rest = item.strip().partition(";")
        items.append(media.strip().replace(" ", "+") + semicolon + rest)
    return ", ".join(items)


# Each operation's dataset parameters (SPARQL 1.1 Protocol §2.1.4, §2.2.3). The other's were ignored: an update
# sent with default-graph-uri to change one graph changed them all.
_DATASET = {"query": ("default-graph-uri", "named-graph-uri"), "update": ("using-graph-uri", "using-named-graph-uri")}
_A = {"query": "a query", "update": "an update"}


def refuse_other_dataset(params, operation: str) -> None:
    """400 for a query ("query") sent with an update's dataset parameters, or an update with a query's."""
    other = "update" if operation == "query" else "query"
    for name in _DATASET[other]:
        if any(key == name for key, _ in params):
            raise Problem(400, "Misplaced dataset", f"{name} names the dataset of {_A[other]}; {_A[operation]} "
                                                    f"names its own with {' and '.join(_DATASET[operation])}")
